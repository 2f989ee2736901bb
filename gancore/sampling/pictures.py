"""The PNGs people look at: image grids, and real-vs-generated scatters for 2D points. Pillow only."""
from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image, ImageDraw

from ..data.base import DataInfo

REAL_COLOR = (150, 150, 150)
FAKE_COLOR = (220, 60, 40)
PREVIEW_REAL_POINTS = 1000


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float (N, C, H, W) -> [0, 255] uint8."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def to_raw_points(points: torch.Tensor, info: DataInfo) -> torch.Tensor:
    """Undo the data source's scaling: back to the dataset's own coordinates."""
    return points * info.scale


# ---- pictures -------------------------------------------------------------------------------
def image_grid(images_u8: torch.Tensor, nrow: int, padding: int = 2, upscale: int = 1) -> Image.Image:
    """(N, C, H, W) uint8 -> one PIL image with `nrow` images per row, on a dark background."""
    n, c, h, w = images_u8.shape
    rows = max(1, -(-n // nrow))
    canvas = np.full((rows * (h + padding) + padding, nrow * (w + padding) + padding, 3), 32, np.uint8)
    arr = images_u8.permute(0, 2, 3, 1).numpy()  # (N, H, W, C)
    if c == 1:
        arr = np.repeat(arr, 3, axis=3)
    for i in range(n):
        r, col = divmod(i, nrow)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        canvas[top:top + h, left:left + w] = arr[i]
    img = Image.fromarray(canvas)
    if upscale > 1:
        img = img.resize((img.width * upscale, img.height * upscale), Image.NEAREST)
    return img


def scatter(real: np.ndarray | None, fake: np.ndarray, size: int = 420,
            bounds: tuple[float, float, float, float] | None = None) -> Image.Image:
    """Real points (gray) under generated points (red), (N, 2) each, in data coordinates."""
    pts = fake if real is None else np.concatenate([real, fake])
    if bounds is None:
        lo, hi = np.percentile(pts, 0.5, axis=0), np.percentile(pts, 99.5, axis=0)
        span = float(max(hi - lo)) or 1.0
        mid = (lo + hi) / 2
        bounds = (mid[0] - 0.6 * span, mid[0] + 0.6 * span, mid[1] - 0.6 * span, mid[1] + 0.6 * span)
    x0, x1, y0, y1 = bounds
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    def dots(p: np.ndarray, color, r: float) -> None:
        px = (p[:, 0] - x0) / (x1 - x0) * (size - 1)
        py = (1 - (p[:, 1] - y0) / (y1 - y0)) * (size - 1)  # y up, as on paper
        for a, b in zip(px, py):
            draw.ellipse((a - r, b - r, a + r, b + r), fill=color)

    if real is not None:
        dots(real, REAL_COLOR, 1.6)
    dots(fake, FAKE_COLOR, 1.4)
    # legend, top left: which colour is which
    legend = [("generated", FAKE_COLOR)] if real is None else [("real", REAL_COLOR), ("generated", FAKE_COLOR)]
    for i, (text, color) in enumerate(legend):
        draw.ellipse((8, 10 + 16 * i, 16, 18 + 16 * i), fill=color)
        draw.text((22, 7 + 16 * i), text, fill=(60, 60, 60))
    return img


def to_pil(image: torch.Tensor) -> Image.Image:
    """(1, C, H, W) or (C, H, W) in [-1, 1] -> a PIL image, grey or RGB, at its own size."""
    image = image if image.dim() == 4 else image[None]
    return image_grid(to_uint8(image), nrow=1, padding=0)


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def picture(samples: torch.Tensor, info: DataInfo, real_points: np.ndarray | None = None,
            nrow: int = 8) -> Image.Image:
    """The natural picture of generator output: a scatter for points, a grid for images."""
    if info.kind == "points":
        return scatter(real_points, to_raw_points(samples, info).numpy(), bounds=_toy_bounds(info))
    return image_grid(to_uint8(samples), nrow=nrow, upscale=2 if info.shape[-1] <= 32 else 1)


def _toy_bounds(info: DataInfo):
    if not info.mode_means:
        return None
    m = np.asarray(info.mode_means)
    pad = 0.35 * float(max(m.max(0) - m.min(0)))
    return (m[:, 0].min() - pad, m[:, 0].max() + pad, m[:, 1].min() - pad, m[:, 1].max() + pad)


def preview_png(samples: torch.Tensor, info: DataInfo, data, fixed_y: torch.Tensor | None) -> bytes:
    """The trainer's progress picture: for conditional images, one row per class."""
    real = None
    if info.kind == "points":
        real = to_raw_points(data.x[:PREVIEW_REAL_POINTS].float().cpu(), info).numpy()
    nrow = int((fixed_y == 0).sum()) if (fixed_y is not None and info.kind == "image") else 8
    return png_bytes(picture(samples, info, real, nrow=nrow))



