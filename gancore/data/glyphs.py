"""glyphs: labelled 28 x 28 digits drawn with Pillow's built-in scalable font. Offline,
deterministic, no files: the embedded default image dataset.

A few hundred base glyphs (10 digits x font sizes x stroke widths) are rendered once with Pillow;
each sample is one of them under a random affine warp (rotation, scale, shear, shift) applied in
one batched grid_sample, plus pixel noise: fast enough to render on every load, so nothing is stored.
"""
from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from .base import DataInfo, Dataset
from .registry import register_dataset
from .resize import resize_images

SIDE = 28
FONT_SIZES = (18, 20, 22, 24)
STROKES = (0, 1)  # 2 turns small 6, 8, 9 into blobs
DEFAULT_SAMPLES = 10_000


@lru_cache(maxsize=1)
def base_glyphs() -> tuple[torch.Tensor, torch.Tensor]:
    """(G, 1, 28, 28) float in [0, 1], white digit centred on black, and (G,) labels."""
    images, labels = [], []
    for size in FONT_SIZES:
        font = ImageFont.load_default(size=size)
        for stroke in STROKES:
            for digit in range(10):
                img = Image.new("L", (SIDE, SIDE), 0)
                draw = ImageDraw.Draw(img)
                text = str(digit)
                left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
                xy = ((SIDE - (right - left)) / 2 - left, (SIDE - (bottom - top)) / 2 - top)
                draw.text(xy, text, fill=255, font=font, stroke_width=stroke, stroke_fill=255)
                images.append(torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(1, SIDE, SIDE))
                labels.append(digit)
    return torch.stack(images).float() / 255, torch.tensor(labels)


def render_glyphs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n jittered digits, (n, 1, 28, 28) in [-1, 1], and (n,) labels with balanced classes."""
    gen = torch.Generator().manual_seed(seed)
    glyphs, glyph_labels = base_glyphs()
    labels = torch.arange(n) % 10
    labels = labels[torch.randperm(n, generator=gen)]
    # pick, for each sample, one base glyph of its digit (glyphs are ordered size, stroke, digit)
    variants = len(glyphs) // 10
    pick = torch.randint(variants, (n,), generator=gen) * 10 + labels
    assert bool((glyph_labels[pick] == labels).all())

    # random affine per sample: rotation +-12 deg, scale 0.85-1.1, shear +-0.15, shift +-2 px
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)  # noqa: E731
    angle, scale, shear = u(-12, 12) * math.pi / 180, u(0.85, 1.1), u(-0.15, 0.15)
    shift = u(-2, 2), u(-2, 2)
    cos, sin = angle.cos() / scale, angle.sin() / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, shift[0] * 2 / SIDE], 1),
                         torch.stack([sin, cos, shift[1] * 2 / SIDE], 1)], 1)  # (n, 2, 3)
    grid = F.affine_grid(theta, (n, 1, SIDE, SIDE), align_corners=False)
    images = F.grid_sample(glyphs[pick], grid, align_corners=False, padding_mode="zeros")
    images = images + 0.06 * torch.randn(images.shape, generator=gen)  # sensor-like noise
    return (images.clamp(0, 1) * 2 - 1), labels


@lru_cache(maxsize=4)  # the dashboard and a run asking for the same data render it once
def cached_glyphs(n: int, side: int | None, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 1, side, side) in [-1, 1] (side None = 28) and (n,) labels."""
    x, y = render_glyphs(n, seed)
    return resize_images(x, side), y


@register_dataset("glyphs", kind="image", labelled=True, native_size=SIDE, native_channels=1,
                  fields=("num_samples", "image_size"),
                  description="Digits 0-9 drawn from a built-in font with random tilt and thickness. "
                              "Works offline.")
def load_glyphs(cfg, seed: int) -> Dataset:
    x, y = cached_glyphs(cfg.num_samples or DEFAULT_SAMPLES, cfg.image_size, seed)
    # clones: a caller that edits its dataset in place must not change the cached copy
    x, y = x.clone(), y.clone()
    info = DataInfo("glyphs", "image", tuple(x.shape[1:]), 10, [str(d) for d in range(10)])
    return Dataset(x, y, info)
