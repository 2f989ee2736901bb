"""SRGAN networks (Ledig et al. 2017): the SRResNet generator and the VGG-style discriminator.

G reads a low-resolution image and returns one `scale` times larger: residual blocks at the low
resolution (cheap), then x2 sub-pixel stages (conv to 4x the channels + PixelShuffle), which learn
the enlargement instead of fixing it. D is the paper's stack of 3x3 convs whose stride alternates
1 and 2 while the width doubles every two layers; a global average pool before the last linear
layer, instead of the paper's dense layer over a fixed 6 x 6 map, lets it judge any image size.

Initialisation: PyTorch's defaults (as BasicSR's SRGAN discriminator and most SRResNet ports),
except G's last conv, scaled by 0.1 when G adds its output to a bicubic enlargement, so an
untrained G already returns roughly that enlargement (BasicSR scales its MSRResNet convs by 0.1
for the same reason).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data.resample import downscale


class ResidualBlock(nn.Module):
    """conv3x3-BN-PReLU-conv3x3-BN plus the identity: (B, width, h, w) -> (B, width, h, w)."""

    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.PReLU(),
            nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(nn.Module):
    """lr: (B, C, h, w) in [-1, 1] -> sr: (B, C, h * scale, w * scale) in [-1, 1].

    bicubic_skip: the network predicts only what a bicubic enlargement of its input lacks (global
    residual learning, as VDSR and BasicSR's MSRResNet): it then starts from bicubic quality and
    spends its steps on detail, where a plain SRResNet first has to learn to copy colours through.
    """

    def __init__(self, channels: int, scale: int, blocks: int, width: int, bicubic_skip: bool = True):
        super().__init__()
        stages = int(round(math.log2(scale)))
        if scale < 2 or 2 ** stages != scale:
            raise ValueError(f"scale {scale} is not a power of two (2, 4, 8)")
        self.scale = scale
        self.num_classes = 0  # reads no label
        self.bicubic_skip = bicubic_skip
        # (C) x h x w -> (width) x h x w: a wide 9x9 view of the input, as the paper
        self.head = nn.Sequential(nn.Conv2d(channels, width, 9, 1, 4), nn.PReLU())
        # (width) x h x w, throughout
        self.body = nn.Sequential(*[ResidualBlock(width) for _ in range(blocks)],
                                  nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width))
        # each stage (width) x s x s -> (4 width) x s x s -> PixelShuffle -> (width) x 2s x 2s
        up: list[nn.Module] = []
        for _ in range(stages):
            up += [nn.Conv2d(width, 4 * width, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU()]
        self.upsample = nn.Sequential(*up)
        # (width) x H x W -> (C) x H x W
        self.tail = nn.Conv2d(width, channels, 9, 1, 4)
        if bicubic_skip:
            with torch.no_grad():
                self.tail.weight.mul_(0.1)
                self.tail.bias.zero_()

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        feat = self.head(lr)  # (B, width, h, w)
        feat = feat + self.body(feat)  # the long skip: blocks learn a correction of the head's features
        out = self.tail(self.upsample(feat))  # (B, C, h * scale, w * scale)
        if self.bicubic_skip:
            h, w = lr.shape[-2:]
            out = out + F.interpolate(lr, size=(h * self.scale, w * self.scale), mode="bicubic",
                                      align_corners=False)
        # clamp, not tanh: tanh would squash the bicubic enlargement itself (tanh(1) = 0.76);
        # without the skip the two train alike
        return out.clamp(-1, 1)

    def make_inputs(self, real: torch.Tensor, labels: torch.Tensor | None = None,
                    rng: torch.Generator | None = None) -> tuple:
        """G reads the low-resolution copy of the real batch: (B, C, H, W) -> ((B, C, H/s, W/s),).
        Labels and rng are unused (nothing random: the same batch gives the same input)."""
        return (downscale(real, self.scale),)


class SRDiscriminator(nn.Module):
    """x: (B, C, H, W), any H, W -> (B,) raw logits (real high-resolution photo vs G's output).

    The paper's k3n64s1, k3n64s2, k3n128s1, k3n128s2, ..., k3n512s2 with width = 64: four
    stages, each a stride-1 conv then a stride-2 conv, the width doubling per stage.
    """

    def __init__(self, channels: int, width: int):
        super().__init__()
        self.num_classes = 0
        layers: list[nn.Module] = []
        ch_in = channels
        for stage in range(4):
            ch = width * 2 ** stage
            # (ch_in) x s x s -> (ch) x s x s; no BatchNorm on the very first conv (paper, DCGAN)
            layers += [nn.Conv2d(ch_in, ch, 3, 1, 1, bias=stage == 0)]
            layers += [nn.BatchNorm2d(ch)] if stage else []
            layers += [nn.LeakyReLU(0.2, True)]
            # (ch) x s x s -> (ch) x ceil(s/2) x ceil(s/2)
            layers += [nn.Conv2d(ch, ch, 3, 2, 1, bias=False), nn.BatchNorm2d(ch), nn.LeakyReLU(0.2, True)]
            ch_in = ch
        self.features = nn.Sequential(*layers)
        # (8 width) x H/16 x W/16 -> mean over space -> (8 width) -> (16 width) -> 1, the paper's
        # dense 1024 -> 1 at width 64
        self.head = nn.Sequential(nn.Linear(ch_in, 2 * ch_in), nn.LeakyReLU(0.2, True),
                                  nn.Linear(2 * ch_in, 1))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        feat = self.features(x).mean(dim=(2, 3))  # (B, 8 width)
        return self.head(feat).view(x.shape[0])


def build_sr_pair(cfg, info) -> tuple[SRResNet, SRDiscriminator]:
    """G and D for (C, H, W) high-resolution images from a config's model fields. D has half G's
    width (the paper: 64 and 64): its widest stage is 8x its width, so at G's width it outweighs
    G, and on a CPU an adversarial step then cost 1.7x one at half the width
    (docs/QUALITY.md, "Super-resolution")."""
    m = cfg.model
    channels = info.shape[0]
    g = SRResNet(channels, m.scale, m.res_blocks, m.base_channels)
    d = SRDiscriminator(channels, max(8, m.base_channels // 2))
    return g, d
