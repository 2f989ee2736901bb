"""Fully connected generator and discriminator, shared by the MLP variants (vanilla, cgan, wgan_gp
on points). Conditioning: a one-hot label concatenated to the input of both networks."""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .generator_base import GeneratorBase, one_hot


def _mlp(sizes: list[int], activation: type[nn.Module]) -> nn.Sequential:
    """Linear layers of `sizes`, with `activation` between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


class LeakyReLU02(nn.LeakyReLU):
    def __init__(self):
        super().__init__(0.2)


class MLPGenerator(GeneratorBase):
    """z: (B, latent_dim) [+ one-hot y: (B, K)] -> hidden x L -> (B, *out_shape).
    Images end in tanh (data in [-1, 1]); points are left linear (any real coordinate)."""

    def __init__(self, latent_dim: int, out_shape: tuple[int, ...], hidden_dim: int,
                 hidden_layers: int, num_classes: int = 0, tanh: bool = True):
        super().__init__(latent_dim, num_classes)
        self.out_shape = tuple(out_shape)
        sizes = [latent_dim + num_classes] + [hidden_dim] * hidden_layers + [math.prod(out_shape)]
        self.net = _mlp(sizes, nn.ReLU)
        self.tanh = tanh

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.net(self.with_label(z, y))  # (B, prod(out_shape))
        if self.tanh:
            h = torch.tanh(h)
        return h.view(z.shape[0], *self.out_shape)


class MLPDiscriminator(nn.Module):
    """x: (B, *in_shape) [+ one-hot y] -> hidden x L (LeakyReLU 0.2) -> (B,) raw score."""

    def __init__(self, in_shape: tuple[int, ...], hidden_dim: int, hidden_layers: int,
                 num_classes: int = 0):
        super().__init__()
        self.num_classes = num_classes
        sizes = [math.prod(in_shape) + num_classes] + [hidden_dim] * hidden_layers + [1]
        self.net = _mlp(sizes, LeakyReLU02)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # (B, prod(in_shape))
        if self.num_classes:
            h = torch.cat([h, one_hot(y, self.num_classes, h.dtype)], dim=1)
        return self.net(h).squeeze(1)


def build_mlp_pair(cfg, info, num_classes: int) -> tuple[MLPGenerator, MLPDiscriminator]:
    """G and D for `info.shape` data (points or flattened images) from a config's model fields."""
    m = cfg.model
    g = MLPGenerator(m.latent_dim, info.shape, m.hidden_dim, m.hidden_layers, num_classes,
                     tanh=info.kind == "image")
    d = MLPDiscriminator(info.shape, m.hidden_dim, m.hidden_layers, num_classes)
    return g, d
