"""Small in-memory datasets for fast tests of variants, the trainer and the run store."""
from __future__ import annotations

import math

import torch

from gancore.data.base import DataInfo, Dataset


def tiny_points(n: int = 512, seed: int = 0) -> Dataset:
    """ring8-shaped points: 8 modes on the unit circle, labels = mode index."""
    g = torch.Generator().manual_seed(seed)
    k = torch.randint(8, (n,), generator=g)
    angle = 2 * math.pi * k / 8
    x = torch.stack([angle.cos(), angle.sin()], 1) + 0.01 * torch.randn(n, 2, generator=g)
    means = [[math.cos(2 * math.pi * i / 8), math.sin(2 * math.pi * i / 8)] for i in range(8)]
    info = DataInfo("ring8", "points", (2,), 8, [str(i) for i in range(8)], 1.0, means, 0.01)
    return Dataset(x, k, info)


def tiny_images(n: int = 128, size: int = 28, channels: int = 1, classes: int = 10,
                seed: int = 0) -> Dataset:
    """Random images in [-1, 1] with labels: enough to exercise shapes and gradients."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, channels, size, size, generator=g) * 2 - 1
    y = torch.randint(classes, (n,), generator=g)
    info = DataInfo("glyphs", "image", (channels, size, size), classes, [str(i) for i in range(classes)])
    return Dataset(x, y, info)
