"""Conditional GAN (Mirza & Osindero 2014): the vanilla MLPs with the label y fed to both."""
from ..registry import GAN, register_variant
from . import loss_choice
from .networks_mlp import build_mlp_pair
from .vanilla import MLP_DEFAULTS


@register_variant(
    "cgan",
    description="Conditional GAN: like vanilla, but you choose which class to generate.",
    data_kinds=("points", "image"),
    conditional="always",
    settings=loss_choice.SETTINGS,
    checks=loss_choice.CHECKS,
    defaults=MLP_DEFAULTS,
)
def build_cgan(cfg, info) -> GAN:
    g, d = build_mlp_pair(cfg, info, num_classes=info.num_classes)
    return GAN(g, d, **loss_choice.loss_pair(cfg), conditional=True)
