"""Upscaling a large image tile by tile, with the same result as one whole-image pass.

A fully convolutional generator's output pixel depends only on the input pixels within its
receptive radius. So each `tile` x `tile` input tile is run with `overlap` extra input pixels of
context on each side (fewer at the image's own edges, where the whole-image pass pads exactly as
the tile pass does), and only the output of the tile itself is kept. With overlap >= the receptive
radius, the stitched result equals the whole pass up to float rounding, while memory is bounded by
one tile's activations instead of the whole image's.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

# The largest input side the Generate page accepts. At x4 a 1024-pixel side becomes 4096 (a 4096 x
# 4096 RGB float32 result is 200 MB, far more than a screen shows). The work grows with the pixel
# count: the default SRResNet (width 32, 8 blocks) spends about 1 MFLOP per input pixel at x4, so
# a 1024 x 1024 input is about 1 TFLOP (2 with the tiles' context): quick on a GPU, and as much as
# a small CPU should be asked for while someone waits.
MAX_INPUT_SIDE = 1024

# Input pixels per tile side. The largest activation of an SRResNet is the last upsampling conv's
# output: 4 * base_channels channels at half the output side. For base 64, x4 and a context of 24
# each side, a 128 tile runs 176 input pixels: 256 x 352 x 352 float32 = 127 MB, with one more
# map of that size alive at a time: small for a CPU's memory. Halving the tile would halve that
# but make the context (176^2 / 128^2 = 1.9x the work of the tile itself) cost 3x instead.
DEFAULT_TILE = 128

# Modules that see the whole image (or a fixed-size view of it): no tile pass can match them.
_GLOBAL = (nn.Linear, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.MultiheadAttention)
# Modules that downsample: exact only when every tile starts at a multiple of their stride.
_DOWNSAMPLE = (nn.MaxPool2d, nn.AvgPool2d, nn.PixelUnshuffle)
# How far interpolation reaches, in the pixels it reads: nearest copies, bilinear blends the
# 2 x 2 around, bicubic the 4 x 4 around.
_UPSAMPLE_REACH = {"nearest": 0.0, "bilinear": 1.0, "bicubic": 2.0}


def receptive_radius(generator: nn.Module) -> int:
    """How many input pixels on each side of one output pixel's own input pixel can change it:
    the sum over every conv of dilation * (kernel // 2), each divided by how many times the image
    has been upscaled when that conv runs (a 3 x 3 conv after one x2 PixelShuffle adds 1 / 2),
    rounded up.

    Modules are read in registration order, which must be the order they run in (SR networks
    register their upsampling stages where they use them). Summing every conv over-counts where a
    skip connection bypasses some (the reach of a residual network is that of its longest path,
    which is all of them in SRResNet): a larger overlap only costs time. Work done by functions in
    forward (SRResNet's bicubic skip, F.interpolate) is invisible here: it must reach no further
    than the convs do (bicubic reaches 2 input pixels). Raises ValueError for layers that see the
    whole image or downsample, where no overlap makes tiles exact."""
    factor = 1.0  # the current resolution over the input's
    radius = 0.0
    for m in generator.modules():
        if isinstance(m, _GLOBAL):
            raise ValueError(f"{type(m).__name__} sees the whole image: this generator is not fully "
                             "convolutional and cannot be run tile by tile")
        if isinstance(m, nn.Conv2d):
            if max(m.stride) > 1:
                raise ValueError("a strided Conv2d downsamples: tiles would not line up with its grid")
            reach = max(d * (k // 2) for d, k in zip(m.dilation, m.kernel_size))
            radius += reach / factor
        elif isinstance(m, nn.ConvTranspose2d):
            # Output o reads inputs i with i * s <= o + p <= i * s + (k - 1) * d: a span of
            # (k - 1) * d / s input pixels, plus one for where o falls between two of them.
            s = max(m.stride)
            radius += (max(d * (k - 1) for d, k in zip(m.dilation, m.kernel_size)) / s + 1) / factor
            factor *= s
        elif isinstance(m, nn.PixelShuffle):
            factor *= m.upscale_factor
        elif isinstance(m, nn.Upsample):
            if m.scale_factor is None or m.mode not in _UPSAMPLE_REACH:
                raise ValueError("an Upsample with a fixed output size, or of mode "
                                 f"{m.mode!r}, cannot be run tile by tile")
            s = m.scale_factor if isinstance(m.scale_factor, (int, float)) else max(m.scale_factor)
            radius += _UPSAMPLE_REACH[m.mode] / factor
            factor *= s
        elif isinstance(m, _DOWNSAMPLE):
            raise ValueError(f"{type(m).__name__} downsamples: tiles would not line up with its grid")
    return math.ceil(radius - 1e-9)  # 1e-9: 23.999... from the divisions is still 24


def _starts(side: int, tile: int) -> list[tuple[int, int]]:
    """[start, end) spans covering 0..side in near-equal tiles of at most `tile` (no sliver at the end)."""
    count = -(-side // tile)
    step = -(-side // count)
    return [(a, min(a + step, side)) for a in range(0, side, step)]


@torch.no_grad()
def upscale_tiled(generator: nn.Module, lr: torch.Tensor, tile: int = DEFAULT_TILE,
                  overlap: int | None = None) -> torch.Tensor:
    """lr: (N, C, h, w) in [-1, 1] -> generator(lr), (N, C', h * s, w * s) with s =
    generator.scale, float32 on lr's device, run in eval mode (the generator is given back in its
    own mode) on the generator's device, `tile` x `tile` input pixels at a time with `overlap`
    pixels of context each side (default: receptive_radius(generator)). An image that fits in one
    tile is run whole. All N images go through each tile together: memory grows with N, so callers
    with many large images pass them a few at a time."""
    if lr.dim() != 4:
        raise ValueError(f"expected (N, C, h, w) images, got shape {tuple(lr.shape)}")
    if tile < 1 or (overlap is not None and overlap < 0):
        raise ValueError(f"tile must be at least 1 and overlap at least 0, got {tile} and {overlap}")
    s = int(generator.scale)
    context = receptive_radius(generator) if overlap is None else int(overlap)
    param = next(generator.parameters(), None)
    device = lr.device if param is None else param.device
    n, _, h, w = lr.shape
    was_training = generator.training
    generator.eval()
    try:
        if h <= tile and w <= tile:
            return generator(lr.to(device)).float().to(lr.device)
        out = None  # (N, C', h * s, w * s), made once the first tile says C'
        for y0, y1 in _starts(h, tile):
            a, b = max(0, y0 - context), min(h, y1 + context)  # rows of the tile with its context
            for x0, x1 in _starts(w, tile):
                left, right = max(0, x0 - context), min(w, x1 + context)
                part = generator(lr[:, :, a:b, left:right].to(device)).float()  # (N, C', (b-a)s, (r-l)s)
                if part.shape[2:] != ((b - a) * s, (right - left) * s):
                    raise ValueError(f"the generator made {tuple(part.shape[2:])} from a "
                                     f"{b - a} x {right - left} input, not {s} times larger")
                if out is None:
                    out = torch.empty(n, part.shape[1], h * s, w * s, device=lr.device)
                out[:, :, y0 * s:y1 * s, x0 * s:x1 * s] = part[
                    :, :, (y0 - a) * s:(y1 - a) * s, (x0 - left) * s:(x1 - left) * s].to(lr.device)
        return out
    finally:
        generator.train(was_training)
