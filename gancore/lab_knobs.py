"""The 2D Lab's knobs while it runs (after GAN Lab): learning rates, optimizer and a BCE
generator's loss change the running lab in place; the noise size, or a move to or from the
Wasserstein loss, needs new networks, so those restart the lab with the same data.

A change in place keeps the weights; a new optimizer starts without momentum (Adam's moments do
not mean anything to SGD), as GAN Lab's does.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .config import make_config
from .errors import ConfigError
from .lab2d import Lab2D
from .training.losses import G_LOSSES

# Shown name -> the config's g_loss. "Wasserstein + GP" is the wgan_gp variant (a critic, not a
# classifier), so it cannot be swapped in place.
LOSSES = {"non-saturating": "nonsaturating", "minimax": "minimax", "Wasserstein + GP": "wasserstein"}
WASSERSTEIN = "Wasserstein + GP"
OPTIMIZERS = ("Adam", "SGD")
LR_RANGE = (1e-5, 1.0)
LATENT_RANGE = (1, 16)


@dataclass(frozen=True)
class Knobs:
    lr_d: float
    lr_g: float
    optimizer: str  # one of OPTIMIZERS
    loss: str  # one of LOSSES (the shown name)
    latent_dim: int


def knobs_of(lab: Lab2D) -> Knobs:
    """The knobs as the lab now runs."""
    loss = WASSERSTEIN if lab.score_kind == "critic" else _shown(lab.gan.g_loss)
    return Knobs(lr_d=lab.opt_d.param_groups[0]["lr"], lr_g=lab.opt_g.param_groups[0]["lr"],
                 optimizer=lab.optimizer, loss=loss, latent_dim=lab.gan.generator.latent_dim)


def _shown(g_loss: str) -> str:
    return next(shown for shown, name in LOSSES.items() if name == g_loss)


def check(knobs: Knobs) -> Knobs:
    """Each knob in its allowed range; a bad one raises ConfigError naming it and what is allowed."""
    for name in ("lr_d", "lr_g"):
        value = getattr(knobs, name)
        if not isinstance(value, (int, float)) or not LR_RANGE[0] <= value <= LR_RANGE[1]:
            raise ConfigError(name, f"must be a learning rate between {LR_RANGE[0]:g} and {LR_RANGE[1]:g}, got {value!r}")
    if knobs.optimizer not in OPTIMIZERS:
        raise ConfigError("optimizer", f"must be one of {', '.join(OPTIMIZERS)}, got {knobs.optimizer!r}")
    if knobs.loss not in LOSSES:
        raise ConfigError("loss", f"must be one of {', '.join(LOSSES)}, got {knobs.loss!r}")
    lo, hi = LATENT_RANGE
    if isinstance(knobs.latent_dim, bool) or not isinstance(knobs.latent_dim, int) or not lo <= knobs.latent_dim <= hi:
        raise ConfigError("latent_dim", f"the noise size must be a whole number from {lo} to {hi}, got {knobs.latent_dim!r}")
    return knobs


def needs_restart(lab: Lab2D, knobs: Knobs) -> list[str]:
    """What in `knobs` only new networks can have, in words ([] when all can change in place)."""
    now = knobs_of(lab)
    reasons = []
    if knobs.latent_dim != now.latent_dim:
        reasons.append(f"noise size {now.latent_dim} -> {knobs.latent_dim}")
    if (knobs.loss == WASSERSTEIN) != (now.loss == WASSERSTEIN):
        reasons.append(f"loss {now.loss} -> {knobs.loss}")
    return reasons


def tune(lab: Lab2D, knobs: Knobs) -> None:
    """Apply the knobs that change in place (rates, optimizer, a BCE generator's loss); the rest
    (see needs_restart) are left for `restart`."""
    check(knobs)
    if knobs.optimizer != lab.optimizer:
        lab.opt_g, lab.opt_d = _optimizers(lab, knobs)
        lab.step_fn.opt_g, lab.step_fn.opt_d = lab.opt_g, lab.opt_d
        lab.optimizer = knobs.optimizer
    for opt, lr in ((lab.opt_d, knobs.lr_d), (lab.opt_g, knobs.lr_g)):
        for group in opt.param_groups:
            group["lr"] = float(lr)
    if lab.score_kind == "probability" and knobs.loss != WASSERSTEIN:
        lab.gan.g_loss = LOSSES[knobs.loss]  # the name, read back by knobs_of
        lab.step_fn.g_loss = G_LOSSES[lab.gan.g_loss]


def _optimizers(lab: Lab2D, knobs: Knobs) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
    g, d = lab.gan.generator.parameters(), lab.gan.discriminator.parameters()
    if knobs.optimizer == "SGD":  # plain SGD, as GAN Lab's
        return torch.optim.SGD(g, knobs.lr_g), torch.optim.SGD(d, knobs.lr_d)
    betas = (lab.cfg.beta1, lab.cfg.beta2)
    return (torch.optim.Adam(g, knobs.lr_g, betas=betas, foreach=True),
            torch.optim.Adam(d, knobs.lr_d, betas=betas, foreach=True))


def variant_and_settings(lab: Lab2D, knobs: Knobs) -> tuple[str, dict]:
    """The variant and config overrides that give new networks these knobs. A BCE lab moving to
    Wasserstein becomes wgan_gp; back, vanilla (cgan when conditional); otherwise its own variant."""
    variant = lab.cfg.model.variant
    if knobs.loss == WASSERSTEIN:
        variant = "wgan_gp"
    elif lab.score_kind == "critic":
        variant = "cgan" if lab.conditional else "vanilla"
    overrides = dict(latent_dim=knobs.latent_dim, lr_d=float(knobs.lr_d), lr_g=float(knobs.lr_g), seed=lab.cfg.seed)
    if knobs.loss != WASSERSTEIN:
        overrides["g_loss"] = LOSSES[knobs.loss]
    if lab.conditional and variant == "wgan_gp":
        overrides["conditional"] = True
    return variant, overrides


def restart(lab: Lab2D, knobs: Knobs) -> Lab2D:
    """A fresh lab on the same data with these knobs: new networks (the noise size, or the move to
    or from a critic)."""
    check(knobs)
    variant, overrides = variant_and_settings(lab, knobs)
    cfg = make_config(variant, lab.cfg.data.dataset, device=str(lab.device), **overrides)
    fresh = Lab2D(cfg, dataset=lab.data.to("cpu"), device=lab.device)
    fresh.bounds = lab.bounds  # the same data, seen the same way (a drawing keeps its pad's square)
    tune(fresh, knobs)
    return fresh


__all__ = ["Knobs", "LOSSES", "OPTIMIZERS", "check", "knobs_of", "needs_restart", "restart", "tune",
           "variant_and_settings"]
