"""Conditional DCGAN: the DCGAN networks with the label y fed to both (G: one-hot joined to the
noise; D: one-hot broadcast as K constant input maps)."""
from ..registry import GAN, register_variant
from . import loss_choice
from .dcgan import CONV_DEFAULTS
from .networks_conv import build_conv_pair


@register_variant(
    "cdcgan",
    description="Conditional DCGAN: convolutional, and you choose which class to draw.",
    data_kinds=("image",),
    conditional="always",
    image_sizes=(16, 28, 32, 64),
    settings=loss_choice.SETTINGS,
    checks=loss_choice.CHECKS,
    defaults=CONV_DEFAULTS,
)
def build_cdcgan(cfg, info) -> GAN:
    g, d = build_conv_pair(cfg, info, num_classes=info.num_classes)
    return GAN(g, d, **loss_choice.loss_pair(cfg), conditional=True)
