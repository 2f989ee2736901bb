"""pix2pix (Isola et al. 2017): image-to-image translation. A U-Net generator reads an input image
(a sketch, a grey photo, a picture with a hole) and returns its translation; a PatchGAN
discriminator judges (input, output) pairs patch by patch. The generator's loss is the
adversarial term plus lambda x L1 to the real target (lambda 100, as the paper): L1 gets the
colours and shapes right on average, the adversarial term keeps the result from going blurry.

Trains on paired data (data kind "paired": Dataset.x the targets, Dataset.y the inputs), so the
step hands each batch's inputs to G (make_inputs) and to both D calls, with no change to the step.
"""
import torch.nn.functional as F

from ..registry import GAN, register_variant
from ..sampling.previews import PairedPreview
from .networks_pix2pix import build_pix2pix_pair

# Adam(2e-4, (0.5, 0.999)) as the paper; batch 32 rather than its 1 (BatchNorm with a batch of 1
# is its instance-norm trick for 256-pixel photos; small images train steadier on real batches).
_PIX2PIX = dict(batch_size=32, lr_g=2e-4, lr_d=2e-4, beta1=0.5, beta2=0.999, base_channels=32,
                l1_weight=100.0, steps=3000, log_every=50, sample_every=250, eval_every=500,
                checkpoint_every=1000, g_loss="nonsaturating")


def _even_side(flat: dict) -> dict[str, str]:
    """The U-Net halves the side at least once and comes back to the same size."""
    side = flat["image_size"]
    if side is not None and side % 4:
        return {"image_size": f"pix2pix needs an image size that divides by 4; got {side}"}
    return {}


def _l1_terms(weight: float):
    def terms(fake, real):
        """(B, C, H, W) each -> {"l1": weight x mean absolute difference to the target}."""
        return {"l1": weight * F.l1_loss(fake.float(), real.float())}
    return terms


@register_variant(
    "pix2pix",
    description="Image-to-image translation: turns an input picture (a sketch, a grey photo, a "
                "picture with a hole) into its finished version. Draw or upload an input, see the result.",
    data_kinds=("paired",),
    reads="paired_image",
    settings=("l1_weight",),
    checks=(_even_side,),
    loss_terms={
        "l1": "how far the translation is from the real target, pixel by pixel (times the L1 weight)",
        "adv": "the adversarial term: how unconvinced the discriminator is that the (input, "
               "translation) pair is a real one",
    },
    preview=PairedPreview,
    quality="translation",
    defaults={"any": _PIX2PIX},
)
def build_pix2pix(cfg, info) -> GAN:
    g, d = build_pix2pix_pair(cfg, info)
    return GAN(g, d, d_loss="bce", g_loss=cfg.model.g_loss, g_terms=_l1_terms(cfg.model.l1_weight))
