"""Fully connected generator and discriminator, shared by the MLP variants (vanilla, cgan, wgan_gp
on points). Conditioning: a one-hot label concatenated to G's input; D reads it the same way on
points, and by projection on images (Miyato & Koyama 2018), where ten label inputs beside 784
pixels are too faint a signal.

On images, G normalises its hidden layers (BatchNorm) and conditional D uses the projection:
without them cgan on MNIST collapses (the experiment is in docs/QUALITY.md)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .generator_base import GeneratorBase, one_hot


def _mlp(sizes: list[int], activation: type[nn.Module], batch_norm: bool = False,
         last_activation: bool = False) -> nn.Sequential:
    """Linear layers of `sizes`, each but the last followed by [BatchNorm and] `activation`
    (the last too when `last_activation`)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2 or last_activation:
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(activation())
    return nn.Sequential(*layers)


class LeakyReLU02(nn.LeakyReLU):
    def __init__(self):
        super().__init__(0.2)


class MLPGenerator(GeneratorBase):
    """z: (B, latent_dim) [+ one-hot y: (B, K)] -> hidden x L [BatchNorm] -> (B, *out_shape).
    Images end in tanh (data in [-1, 1]); points are left linear (any real coordinate)."""

    def __init__(self, latent_dim: int, out_shape: tuple[int, ...], hidden_dim: int,
                 hidden_layers: int, num_classes: int = 0, tanh: bool = True, batch_norm: bool = False):
        super().__init__(latent_dim, num_classes)
        self.out_shape = tuple(out_shape)
        sizes = [latent_dim + num_classes] + [hidden_dim] * hidden_layers + [math.prod(out_shape)]
        self.net = _mlp(sizes, nn.ReLU, batch_norm=batch_norm)
        self.tanh = tanh

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.net(self.with_label(z, y))  # (B, prod(out_shape))
        if self.tanh:
            h = torch.tanh(h)
        return h.view(z.shape[0], *self.out_shape)


class MLPDiscriminator(nn.Module):
    """x: (B, *in_shape) -> hidden x L (LeakyReLU 0.2) -> (B,) raw score. A label y joins as a
    one-hot beside x (`projection` False), or by projection: score = head(h) + <embed(y), h>
    with h the last hidden features (B, hidden_dim)."""

    def __init__(self, in_shape: tuple[int, ...], hidden_dim: int, hidden_layers: int,
                 num_classes: int = 0, projection: bool = False):
        super().__init__()
        self.num_classes = num_classes
        self.projection = bool(num_classes and projection)
        concat = num_classes if num_classes and not projection else 0
        if self.projection:
            self.net = _mlp([math.prod(in_shape)] + [hidden_dim] * hidden_layers, LeakyReLU02,
                            last_activation=True)
            self.head = nn.Linear(hidden_dim, 1)
            self.embed = nn.Embedding(num_classes, hidden_dim)
        else:
            self.net = _mlp([math.prod(in_shape) + concat] + [hidden_dim] * hidden_layers + [1], LeakyReLU02)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # (B, prod(in_shape))
        if self.projection:
            h = self.net(h)  # (B, hidden_dim)
            return self.head(h).squeeze(1) + (self.embed(y) * h).sum(1)
        if self.num_classes:
            h = torch.cat([h, one_hot(y, self.num_classes, h.dtype)], dim=1)
        return self.net(h).squeeze(1)


def build_mlp_pair(cfg, info, num_classes: int) -> tuple[MLPGenerator, MLPDiscriminator]:
    """G and D for `info.shape` data (points or flattened images) from a config's model fields."""
    m = cfg.model
    images = info.kind == "image"
    g = MLPGenerator(m.latent_dim, info.shape, m.hidden_dim, m.hidden_layers, num_classes,
                     tanh=images, batch_norm=images)
    d = MLPDiscriminator(info.shape, m.hidden_dim, m.hidden_layers, num_classes, projection=images)
    return g, d
