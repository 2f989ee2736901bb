"""The original GAN (Goodfellow et al. 2014): MLP generator and discriminator, BCE (or hinge)."""
from ..registry import GAN, register_variant
from . import loss_choice
from .networks_mlp import build_mlp_pair


# Points: tuned on ring8 (bench/quality_points.py): a 2D latent for 2D data, Adam(0, 0.9) and a
# linear decay to 0, which sharpens the modes at the end (docs/QUALITY.md has the runs); samples
# from the generator's weight average, which holds all 8 ring modes sharp from a few seconds on
# (bench/technique_sweep.py, docs/BENCHMARKS.md "Training techniques one at a time").
MLP_DEFAULTS = {
    "points": dict(latent_dim=2, hidden_dim=128, hidden_layers=3, batch_size=256,
                   steps=12000, lr_g=1e-3, lr_d=1e-3, beta1=0.0, beta2=0.9, log_every=100,
                   sample_every=500, checkpoint_every=2000, lr_decay=True, g_ema_decay=0.999),
    "image": dict(latent_dim=64, hidden_dim=512, hidden_layers=2, batch_size=64,
                  steps=5000, lr_g=2e-4, lr_d=2e-4),
}


@register_variant(
    "vanilla",
    description="The original GAN: two small fully connected networks. Best on 2D points.",
    data_kinds=("points", "image"),
    settings=loss_choice.SETTINGS,
    checks=loss_choice.CHECKS,
    defaults=MLP_DEFAULTS,
)
def build_vanilla(cfg, info) -> GAN:
    g, d = build_mlp_pair(cfg, info, num_classes=0)
    return GAN(g, d, **loss_choice.loss_pair(cfg))
