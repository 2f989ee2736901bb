"""pix2pix networks (Isola et al. 2017), as junyanz/pytorch-CycleGAN-and-pix2pix builds them
(`UnetGenerator`, `NLayerDiscriminator`), sized for small images.

G is a U-Net: an encoder of 4x4 stride-2 convs (LeakyReLU 0.2, BatchNorm but on the first), a
decoder of 4x4 stride-2 transposed convs (ReLU, BatchNorm, dropout 0.5 on the innermost ones: the
paper's only source of randomness), and a skip from each encoder level to the decoder level of
the same size, so the input's edges reach the output without squeezing through the bottleneck.
The paper halves 256 pixels 8 times down to 1 x 1; a small image halves only while its side
stays even (28 -> 14 -> 7, 32 -> ... -> 2), so the innermost level adds two 3x3 convs to see
further before coming back up.

D is a PatchGAN on the concatenated (input, output) pair: a stack of 4x4 convs whose last layer
scores each overlapping patch as real or fake, (B, 1, h, w) logits, which the BCE losses average
(training/losses.py means over every element). Three strided layers give the paper's 70-pixel
patch; images of 32 pixels or less use two (a 34-pixel patch), else one patch covers them whole.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .networks_conv import dcgan_init

MAX_DEPTH = 5  # halvings of the encoder at most (64 pixels -> 2 x 2)
WIDEST = 8  # the widest level has at most 8 x base channels, as the paper's ngf * 8


def unet_depth(side: int) -> int:
    """How many times the encoder halves a side: while it stays even and at least 2, at most
    MAX_DEPTH. 28 -> 2 (7 x 7 innermost), 32 -> 4 (2 x 2), 64 -> 5."""
    depth = 0
    while depth < MAX_DEPTH and side % 2 == 0 and side // 2 >= 2:
        side //= 2
        depth += 1
    return depth


class UNetGenerator(nn.Module):
    """inputs: (B, C_in, H, W) in [-1, 1] -> (B, C_out, H, W) in [-1, 1] (tanh)."""

    def __init__(self, in_channels: int, out_channels: int, side: int, width: int,
                 dropout: float = 0.5):
        super().__init__()
        depth = unet_depth(side)
        if depth < 1:
            raise ValueError(f"image side {side} cannot be halved; pix2pix needs an even side")
        self.num_classes = 0  # reads an image, not a label
        self.depth = depth
        widths = [width * min(2 ** i, WIDEST) for i in range(depth)]  # encoder level i -> widths[i]
        # encoder: level i maps (widths[i-1]) x s x s -> (widths[i]) x s/2 x s/2
        self.down = nn.ModuleList()
        ch = in_channels
        for i, w in enumerate(widths):
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2, True)]
            layers.append(nn.Conv2d(ch, w, 4, 2, 1, bias=i == 0))
            if i:
                layers.append(nn.BatchNorm2d(w))
            self.down.append(nn.Sequential(*layers))
            ch = w
        # innermost: (widths[-1]) x s x s, two 3x3 convs with a residual skip
        self.middle = nn.Sequential(
            nn.LeakyReLU(0.2, True), nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch),
            nn.ReLU(True), nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch))
        # decoder: level i maps (2 widths[i]) x s x s (its input beside the encoder's skip)
        # -> (widths[i-1] or C_out) x 2s x 2s; the outermost ends in tanh
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):
            out = widths[i - 1] if i else out_channels
            layers = [nn.ReLU(True), nn.ConvTranspose2d(2 * widths[i], out, 4, 2, 1, bias=i == 0)]
            if i:
                layers.append(nn.BatchNorm2d(out))
                # dropout on the innermost decoder levels (the paper: the 3 innermost of 8)
                if i >= depth - 2 and dropout:
                    layers.append(nn.Dropout(dropout))
            else:
                layers.append(nn.Tanh())
            self.up.append(nn.Sequential(*layers))
        self.apply(dcgan_init)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        skips = []
        h = inputs
        for block in self.down:
            h = block(h)  # (B, widths[i], s / 2^(i+1), ...)
            skips.append(h)
        h = h + self.middle(h)
        for block, skip in zip(self.up, reversed(skips)):
            h = block(torch.cat([h, skip], 1))  # the skip from the encoder level of this size
        return h

    def make_inputs(self, real: torch.Tensor, labels: torch.Tensor | None = None,
                    rng: torch.Generator | None = None) -> tuple:
        """G reads the input image of each pair, which paired data carries in the labels slot:
        ((B, C_in, H, W),). The dropout is its noise; rng is unused."""
        if labels is None or labels.dim() != 4:
            raise ValueError("pix2pix reads paired data: each batch needs its input images")
        return (labels,)


class PatchDiscriminator(nn.Module):
    """x: (B, C_out, H, W) and y: the inputs (B, C_in, H, W) -> (B, 1, h, w) patch logits."""

    def __init__(self, in_channels: int, out_channels: int, side: int, width: int):
        super().__init__()
        self.num_classes = 0
        strided = 2 if side <= 32 else 3
        # (C_in + C_out) x s x s -> (width) x s/2 x s/2, no BatchNorm on the first layer
        layers: list[nn.Module] = [nn.Conv2d(in_channels + out_channels, width, 4, 2, 1),
                                   nn.LeakyReLU(0.2, True)]
        ch = width
        for n in range(1, strided):  # each halves the side and doubles the width
            w = width * min(2 ** n, WIDEST)
            layers += [nn.Conv2d(ch, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.LeakyReLU(0.2, True)]
            ch = w
        # one stride-1 layer, then the 1-channel patch scores (the side shrinks by 1 each)
        w = width * min(2 ** strided, WIDEST)
        layers += [nn.Conv2d(ch, w, 4, 1, 1, bias=False), nn.BatchNorm2d(w), nn.LeakyReLU(0.2, True),
                   nn.Conv2d(w, 1, 4, 1, 1)]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if y is None:
            raise ValueError("a PatchGAN judges (input, output) pairs: pass the input images as y")
        return self.net(torch.cat([y.to(x.dtype), x], 1))


def build_pix2pix_pair(cfg, info) -> tuple[UNetGenerator, PatchDiscriminator]:
    """G and D for paired data of inputs (C_in, H, W) and targets (C_out, H, W); D is as wide as G
    (the paper: ngf = ndf = 64)."""
    c_in, c_out, side = info.input_shape[0], info.shape[0], info.shape[-1]
    width = cfg.model.base_channels
    return (UNetGenerator(c_in, c_out, side, width),
            PatchDiscriminator(c_in, c_out, side, width))
