"""What every generator shares: how it draws its inputs, and how a label joins the noise.

The trainer never builds generator inputs itself: it calls `make_inputs(real, labels, rng)`, so a
later variant whose generator reads something else (SRGAN reads a low-resolution copy of `real`)
overrides this one method and the trainer stays unchanged.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def one_hot(y: torch.Tensor, num_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """(B,) int64 -> (B, K). Indexing an identity matrix, unlike F.one_hot, does not read the
    labels back to the host to range-check them, so a CUDA step stays free of syncs."""
    return torch.eye(num_classes, device=y.device, dtype=dtype)[y]


class GeneratorBase(nn.Module):
    def __init__(self, latent_dim: int, num_classes: int = 0):
        super().__init__()
        self.latent_dim = latent_dim
        self.num_classes = num_classes  # 0 = unconditional

    def sample_noise(self, n: int, device, rng: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.latent_dim, device=device, generator=rng)  # (n, latent_dim)

    def make_inputs(self, real: torch.Tensor, labels: torch.Tensor | None,
                    rng: torch.Generator | None = None) -> tuple:
        """Arguments for forward(): fresh noise for a batch the size of `real`, and the real
        batch's labels for conditional generators (fakes then follow the data's class mix)."""
        z = self.sample_noise(real.shape[0], real.device, rng)
        return (z, labels if self.num_classes else None)

    def with_label(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """(B, latent_dim) -> (B, latent_dim + K) with the one-hot label, when conditional."""
        if not self.num_classes:
            return z
        return torch.cat([z, one_hot(y, self.num_classes, z.dtype)], dim=1)
