"""DCGAN networks (Radford et al. 2015), shared by dcgan, cdcgan and wgan_gp on images.

No pooling: G upsamples with transposed convolutions, D downsamples with strided convolutions.
G: BatchNorm + ReLU, tanh output. D: LeakyReLU(0.2), BatchNorm except on its first layer
(or no BatchNorm at all for a WGAN-GP critic, whose penalty is per sample: GroupNorm(1) instead).
Sides 16/32/64 start from 4x4, side 28 (MNIST) from 7x7; each stage doubles the side.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from .generator_base import GeneratorBase, one_hot


def conv_plan(image_size: int) -> tuple[int, int]:
    """(start side, number of x2 stages): 28 -> (7, 2); 16 -> (4, 2); 32 -> (4, 3); 64 -> (4, 4)."""
    start = 7 if image_size % 7 == 0 else 4
    stages = int(round(math.log2(image_size / start)))
    if start * 2 ** stages != image_size:
        raise ValueError(f"image side {image_size} is not 4 or 7 times a power of two")
    return start, stages


def dcgan_init(module: nn.Module) -> None:
    """Weights ~ N(0, 0.02); norm scales ~ N(1, 0.02), as in the DCGAN paper and pytorch/examples."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class ConvGenerator(GeneratorBase):
    def __init__(self, latent_dim: int, channels: int, image_size: int, base_channels: int,
                 num_classes: int = 0):
        super().__init__(latent_dim, num_classes)
        start, stages = conv_plan(image_size)
        ch = base_channels * 2 ** (stages - 1)
        # (latent + K) x 1 x 1 -> (ch) x start x start
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim + num_classes, ch, start, 1, 0, bias=False),
            nn.BatchNorm2d(ch), nn.ReLU(True)]
        for _ in range(stages - 1):  # (ch) x s x s -> (ch/2) x 2s x 2s
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        # (base) x S/2 x S/2 -> (channels) x S x S
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.with_label(z, y)  # (B, latent + K)
        return self.net(h[:, :, None, None])  # (B, channels, S, S)


class ConvDiscriminator(nn.Module):
    """x: (B, C, S, S) [+ one-hot y as K constant maps] -> (B,) raw score."""

    def __init__(self, channels: int, image_size: int, base_channels: int, num_classes: int = 0,
                 norm: str = "batch"):
        super().__init__()
        self.num_classes = num_classes
        start, stages = conv_plan(image_size)
        norm_layer = {"batch": nn.BatchNorm2d, "group": lambda c: nn.GroupNorm(1, c)}[norm]
        ch = base_channels
        # (C + K) x S x S -> (base) x S/2 x S/2; no norm on the first layer (DCGAN paper)
        layers: list[nn.Module] = [nn.Conv2d(channels + num_classes, ch, 4, 2, 1, bias=False),
                                   nn.LeakyReLU(0.2, True)]
        for _ in range(stages - 1):  # (ch) x s x s -> (2ch) x s/2 x s/2
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), norm_layer(ch * 2),
                       nn.LeakyReLU(0.2, True)]
            ch *= 2
        layers.append(nn.Conv2d(ch, 1, start, 1, 0, bias=False))  # (ch) x start x start -> 1 x 1 x 1
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            maps = one_hot(y, self.num_classes, x.dtype)[:, :, None, None]  # (B, K, 1, 1)
            x = torch.cat([x, maps.expand(-1, -1, x.shape[2], x.shape[3])], dim=1)
        return self.net(x).view(x.shape[0])


def build_conv_pair(cfg, info, num_classes: int, norm: str = "batch"):
    """G and D for (C, S, S) images from a config's model fields."""
    channels, side = info.shape[0], info.shape[1]
    m = cfg.model
    g = ConvGenerator(m.latent_dim, channels, side, m.base_channels, num_classes)
    d = ConvDiscriminator(channels, side, m.base_channels, num_classes, norm)
    return g, d
