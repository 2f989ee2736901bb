"""Drawing from a generator: samples, one-row-per-class grids, latent interpolation.

Noise is always drawn on the CPU from a seed, then moved: the same seed gives the same samples on
any device.
"""
from __future__ import annotations

import torch
from PIL import Image

from ..config import TrainConfig
from ..data.base import DataInfo
from ..registry import is_conditional
from .pictures import picture


def noise(generator, n: int, seed: int, device) -> torch.Tensor:
    rng = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator.latent_dim, generator=rng).to(device)  # (n, latent_dim)


def fixed_inputs(generator, info: DataInfo, conditional: bool, device, seed: int, n: int,
                 per_class: int):
    """The preview batch: images of a conditional variant get one row of `per_class` per class;
    points get labels cycling through the classes. Returns (z, y or None) on `device`."""
    y = None
    if conditional:
        k = info.num_classes
        if info.kind == "image":
            n = k * per_class
            y = torch.arange(k).repeat_interleave(per_class)  # (K*per_class,) row-major by class
        else:
            y = torch.arange(n) % k
        y = y.to(device)
    return noise(generator, n, seed + 7919, device), y


@torch.no_grad()
def generate(generator, z: torch.Tensor, y: torch.Tensor | None, batch: int = 1024) -> torch.Tensor:
    """G(z, y) in eval mode (BatchNorm uses its running statistics), on the CPU, float32, in
    batches of `batch`. `z`: the generator's one tensor input (noise, or low-resolution images),
    `y`: labels, or None (then G is called with `z` alone). Images come back in [-1, 1]; points
    in the network's (scaled) coordinates."""
    was_training = generator.training
    generator.eval()
    try:
        parts = [(generator(z[i:i + batch]) if y is None else generator(z[i:i + batch], y[i:i + batch]))
                 .float().cpu() for i in range(0, z.shape[0], batch)]
    finally:
        generator.train(was_training)
    return torch.cat(parts)


def sample(generator, info: DataInfo, cfg: TrainConfig, n: int, seed: int = 0,
           label: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n samples; for conditional runs of class `label`, or classes cycling 0..K-1 when None.
    Returns (samples, labels or None) on the CPU."""
    device = next(generator.parameters()).device
    y = None
    if is_conditional(cfg):
        y = torch.full((n,), label) if label is not None else torch.arange(n) % info.num_classes
        y = y.to(device)
    return generate(generator, noise(generator, n, seed, device), y), (None if y is None else y.cpu())


def class_grid(generator, info: DataInfo, per_class: int = 10, seed: int = 0) -> Image.Image:
    """One row per class, `per_class` samples each (the same noise down each column)."""
    device = next(generator.parameters()).device
    k = info.num_classes
    z = noise(generator, per_class, seed, device).repeat(k, 1)  # (K*per_class, latent)
    y = torch.arange(k, device=device).repeat_interleave(per_class)
    return picture(generate(generator, z, y), info, nrow=per_class)


def interpolate(generator, info: DataInfo, seed_a: int, seed_b: int, steps: int = 10,
                label: int | None = None) -> torch.Tensor:
    """Samples along the straight line between the noise of two seeds, (steps, *shape)."""
    device = next(generator.parameters()).device
    za, zb = noise(generator, 1, seed_a, device), noise(generator, 1, seed_b, device)
    if label is None and getattr(generator, "num_classes", 0):
        label = 0  # a conditional generator always needs a class
    t = torch.linspace(0, 1, steps, device=device)[:, None]  # (steps, 1)
    z = (1 - t) * za + t * zb  # (steps, latent)
    y = None if label is None else torch.full((steps,), label, device=device)
    return generate(generator, z, y)
