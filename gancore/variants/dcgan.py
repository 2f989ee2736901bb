"""DCGAN (Radford et al. 2015): convolutional G and D for images, BCE (or hinge)."""
from ..registry import GAN, register_variant
from . import loss_choice
from .networks_conv import build_conv_pair

CONV_DEFAULTS = {
    # 8,000 steps: where cdcgan on MNIST draws the asked-for digit reliably (docs/QUALITY.md).
    # Adam at 1e-3 (5x the DCGAN paper's 2e-4) with samples from the generator's weight average:
    # the average smooths out the larger steps' wobble, and cdcgan reads 95 % of its digits right
    # in about a third of the time (docs/BENCHMARKS.md "Training techniques one at a time").
    "image": dict(latent_dim=64, base_channels=32, batch_size=64, steps=8000, lr_g=1e-3,
                  lr_d=1e-3, beta1=0.5, g_ema_decay=0.999, sample_every=500, checkpoint_every=2000),
    # Your own folder, usually a few hundred pictures: DiffAugment keeps D from memorising them
    # (100 faces: D(x) 0.98 / D(G(z)) 0.02 at the end without it, about 0.5 / 0.5 with it;
    # docs/QUALITY.md "A small folder: 100 faces").
    "folder": dict(diffaugment="color,translation,cutout"),
}


@register_variant(
    "dcgan",
    description="Deep convolutional GAN: the classic image GAN (sharp digits in minutes).",
    data_kinds=("image",),
    image_sizes=(16, 28, 32, 64),
    settings=loss_choice.SETTINGS,
    checks=loss_choice.CHECKS,
    defaults=CONV_DEFAULTS,
)
def build_dcgan(cfg, info) -> GAN:
    g, d = build_conv_pair(cfg, info, num_classes=0)
    return GAN(g, d, **loss_choice.loss_pair(cfg))
