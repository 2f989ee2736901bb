"""The loss pair a BCE variant trains with: its `loss` setting, bce or hinge.

bce: D's log-loss, and G's side from the g_loss setting (nonsaturating or minimax).
hinge: the hinge pair of SAGAN and BigGAN (losses.d_loss_hinge / g_loss_hinge), whose G side is
its own, so a minimax g_loss beside it is refused rather than silently not used.
"""
from __future__ import annotations


def loss_pair(cfg) -> dict[str, str]:
    """GAN(...) keyword arguments: {"d_loss": ..., "g_loss": ...} (keys of losses.D_/G_LOSSES)."""
    if cfg.model.loss == "hinge":
        return {"d_loss": "hinge", "g_loss": "hinge"}
    return {"d_loss": "bce", "g_loss": cfg.model.g_loss}


def hinge_has_its_own_g_loss(flat: dict) -> dict[str, str]:
    """A variant check: the hinge pair brings its G loss, so only the default g_loss goes with it."""
    if flat["loss"] == "hinge" and flat["g_loss"] != "nonsaturating":
        return {"g_loss": f"the hinge loss pair has its own generator loss (-D(G(z))), so "
                          f"{flat['g_loss']} would not be used: leave it at nonsaturating, or set loss to bce"}
    return {}


SETTINGS = ("loss",)  # what a variant using loss_pair lists in its `settings`
CHECKS = (hinge_has_its_own_g_loss,)
