"""SRGAN (Ledig et al. 2017): a generator that turns a low-resolution image into one `scale` times
larger, trained first on a content loss alone (the paper's SRResNet stage), then with a
discriminator added at a small weight (1e-3), which trades a little PSNR for sharper texture.

The generator reads a copy of each real image made `scale` times smaller by antialiased bicubic
downsampling (networks_sr.SRResNet.make_inputs), so any image dataset can be upscaled. The
paper's perceptual loss compares VGG-19 features, which needs pretrained weights this product
cannot download: the content term here is the pixel loss (mse or l1), and the adversarial term
alone pushes toward texture.
"""
import torch.nn.functional as F

from ..registry import GAN, register_variant
from ..sampling.previews import LowResPreview
from .networks_sr import build_sr_pair

CONTENT_LOSSES = {"mse": F.mse_loss, "l1": F.l1_loss}

# Adam((0.9, 0.999)) and batch 16 of HR crops, as the paper; G at 5e-4 rather than its 1e-4,
# which in 90 s of content-only steps on photos x4 gained 0.96 dB over bicubic against 0.70 (the
# bicubic skip keeps G's output small, so larger steps are safe); D at the paper's 1e-4. Sized
# for 10 minutes of a 2-core CPU (docs/QUALITY.md, "Super-resolution"): 28-pixel digits take
# about 4x less per step than the 64-pixel photo crops.
_SR = dict(batch_size=16, lr_g=5e-4, lr_d=1e-4, beta1=0.9, beta2=0.999, base_channels=32,
           res_blocks=4, steps=5000, pretrain_steps=3000, log_every=50, sample_every=250,
           eval_every=500, checkpoint_every=1000, g_loss="nonsaturating")
_PHOTOS = dict(image_size=64, steps=2200, pretrain_steps=1500, sample_every=100, eval_every=250)


def _fits_scale(flat: dict) -> dict[str, str]:
    """The image side must divide by the scale: the low-resolution copy has whole pixels."""
    side = flat["image_size"]
    if side is not None and side % flat["scale"]:
        return {"image_size": f"srgan needs an image size that divides by the upscaling factor "
                              f"{flat['scale']}; got {side}"}
    return {}


def _content_terms(kind: str):
    loss = CONTENT_LOSSES[kind]

    def terms(fake, real):
        """(B, C, H, W) each -> {"content": pixel loss of the result against the real image}."""
        return {"content": loss(fake.float(), real.float())}
    return terms


@register_variant(
    "srgan",
    description="Super-resolution GAN: makes a small image 2 or 4 times larger, sharper than "
                "plain enlarging. Train it on photos or digits, then upscale your own pictures.",
    data_kinds=("image",),
    reads="low_res_image",
    settings=("scale", "res_blocks", "content_loss", "adv_weight", "pretrain_steps"),
    checks=(_fits_scale,),
    loss_terms={
        "content": "how far the generator's result is from the real high-resolution image, pixel "
                   "by pixel (a stand-in for the paper's VGG feature loss, which needs weights "
                   "that cannot be downloaded here)",
        "adv": "the adversarial term: how unconvinced the discriminator is by the result "
               "(weighted by the adversarial weight in the generator's loss)",
    },
    preview=LowResPreview,
    quality="super_resolution",
    defaults={"any": _SR, "photos": _PHOTOS},
)
def build_srgan(cfg, info) -> GAN:
    g, d = build_sr_pair(cfg, info)
    return GAN(g, d, d_loss="bce", g_loss=cfg.model.g_loss, g_terms=_content_terms(cfg.model.content_loss),
               adv_weight=cfg.model.adv_weight, pretrain_steps=cfg.model.pretrain_steps)
