"""2D toy mixtures in the coordinates of the PacGAN protocol (Lin et al. 2018). Label = mode.

ring8: 8 Gaussians on the unit circle at angles 2*pi*k/8, k = 0..7 (not linspace with its
endpoint, which would put two modes on top of each other), sigma 0.01.
grid25: means on {-4, -2, 0, 2, 4}^2, sigma 0.05; stored divided by `scale` = 2 so the networks
see roughly unit-range data (DataInfo.scale undoes it).
"""
from __future__ import annotations

import math

import torch

from .base import DataInfo, Dataset
from .registry import register_dataset

DEFAULT_SAMPLES = 50_000


GAUSSIAN_MIXTURES = ("ring8", "grid25")  # the toys with known modes: mode coverage applies


def _mixture(name: str, means: torch.Tensor, sigma: float, n: int, seed: int, scale: float) -> Dataset:
    """n points from equal-weight Gaussians at `means` (K, 2); labels = the mode drawn."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(len(means), (n,), generator=gen)
    x = means[labels] + sigma * torch.randn(n, 2, generator=gen)  # (n, 2) raw coordinates
    info = DataInfo(name, "points", (2,), len(means), [f"mode {k}" for k in range(len(means))],
                    scale, means.tolist(), sigma)
    return Dataset((x / scale).float(), labels, info)


def ring8_means() -> torch.Tensor:
    angles = 2 * math.pi * torch.arange(8, dtype=torch.float64) / 8
    return torch.stack([angles.cos(), angles.sin()], 1)  # (8, 2)


def grid25_means() -> torch.Tensor:
    axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0], dtype=torch.float64)
    return torch.cartesian_prod(axis, axis)  # (25, 2)


@register_dataset("ring8", kind="points", labelled=True, fields=("num_samples",),
                  description="8 tight clusters on a circle: the classic test of mode collapse.")
def load_ring8(cfg, seed: int) -> Dataset:
    return _mixture("ring8", ring8_means(), 0.01, cfg.num_samples or DEFAULT_SAMPLES, seed, 1.0)


@register_dataset("grid25", kind="points", labelled=True, fields=("num_samples",),
                  description="25 clusters on a 5 x 5 grid: harder, easy to miss a few.")
def load_grid25(cfg, seed: int) -> Dataset:
    return _mixture("grid25", grid25_means(), 0.05, cfg.num_samples or DEFAULT_SAMPLES, seed, 2.0)


@register_dataset("spiral", kind="points", labelled=True, fields=("num_samples",),
                  description="Two interleaved spiral arms: thin curved shapes.")
def load_spiral(cfg, seed: int) -> Dataset:
    """Two arms r = t, angle = t + pi * arm, t in [0.5, 3.5], with noise 0.05; label = arm."""
    n = cfg.num_samples or DEFAULT_SAMPLES
    gen = torch.Generator().manual_seed(seed)
    arm = torch.randint(2, (n,), generator=gen)
    t = 0.5 + 3.0 * torch.rand(n, generator=gen)
    angle = t + math.pi * arm
    x = torch.stack([t * angle.cos(), t * angle.sin()], 1) + 0.05 * torch.randn(n, 2, generator=gen)
    scale = 2.0
    info = DataInfo("spiral", "points", (2,), 2, ["arm 0", "arm 1"], scale)
    return Dataset((x / scale).float(), arm, info)


@register_dataset("moons", kind="points", labelled=True, fields=("num_samples",),
                  description="Two interlocking half circles: two curved classes.")
def load_moons(cfg, seed: int) -> Dataset:
    """sklearn's make_moons shapes with noise 0.05; label = moon."""
    n = cfg.num_samples or DEFAULT_SAMPLES
    gen = torch.Generator().manual_seed(seed)
    moon = torch.randint(2, (n,), generator=gen)
    t = math.pi * torch.rand(n, generator=gen)
    upper = torch.stack([t.cos(), t.sin()], 1)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], 1)
    x = torch.where(moon[:, None] == 0, upper, lower) + 0.05 * torch.randn(n, 2, generator=gen)
    info = DataInfo("moons", "points", (2,), 2, ["upper moon", "lower moon"], 1.0)
    return Dataset(x.float(), moon, info)
