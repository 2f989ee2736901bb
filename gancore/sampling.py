"""Drawing from a generator: samples, one-row-per-class grids, latent interpolation, and the PNGs
people look at (image grids; real-vs-generated scatters for 2D points). Pillow only.

Noise is always drawn on the CPU from a seed, then moved: the same seed gives the same samples on
any device.
"""
from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image, ImageDraw

from .config import TrainConfig
from .errors import GanError, RunError
from .data.base import DataInfo
from .registry import create_gan, is_conditional

REAL_COLOR = (150, 150, 150)
FAKE_COLOR = (220, 60, 40)


# ---- drawing inputs and outputs -------------------------------------------------------------
def noise(generator, n: int, seed: int, device) -> torch.Tensor:
    rng = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator.latent_dim, generator=rng).to(device)  # (n, latent_dim)


def fixed_inputs(generator, info: DataInfo, conditional: bool, device, seed: int, n: int,
                 per_class: int):
    """The preview batch: images of a conditional variant get one row of `per_class` per class;
    points get labels cycling through the classes. Returns (z, y or None) on `device`."""
    y = None
    if conditional:
        k = info.num_classes
        if info.kind == "image":
            n = k * per_class
            y = torch.arange(k).repeat_interleave(per_class)  # (K*per_class,) row-major by class
        else:
            y = torch.arange(n) % k
        y = y.to(device)
    return noise(generator, n, seed + 7919, device), y


@torch.no_grad()
def generate(generator, z: torch.Tensor, y: torch.Tensor | None, batch: int = 1024) -> torch.Tensor:
    """G(z, y) in eval mode (BatchNorm uses its running statistics), on the CPU, float32.
    Images come back in [-1, 1]; points in the network's (scaled) coordinates."""
    was_training = generator.training
    generator.eval()
    try:
        parts = [generator(z[i:i + batch], None if y is None else y[i:i + batch]).float().cpu()
                 for i in range(0, z.shape[0], batch)]
    finally:
        generator.train(was_training)
    return torch.cat(parts)


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


PREVIEW_REAL_POINTS = 1000


# ---- from a checkpoint ----------------------------------------------------------------------
def load_generator(state: dict, device="cpu"):
    """Rebuild the generator a checkpoint state was saved from (its config and data facts are in
    the checkpoint as plain data). Returns (generator in eval mode, info, cfg)."""
    try:
        cfg = TrainConfig.from_dict(state["config"])
        info = DataInfo.from_dict(state["data_info"])
        generator = create_gan(cfg, info).generator
    except (KeyError, TypeError, ValueError, GanError) as exc:
        raise RunError(f"this is not a gancore checkpoint (its config cannot be read: {exc})") from exc
    try:
        generator.load_state_dict(state["generator"])
    except (KeyError, RuntimeError) as exc:
        detail = str(exc).strip().splitlines()
        raise RunError(f"the checkpoint's weights do not fit a {cfg.model.variant} generator for "
                       f"{info.name} ({detail[1].strip() if len(detail) > 1 else detail[0]})") from exc
    return generator.to(device).eval(), info, cfg


def load_checkpoint_bytes(data: bytes, max_mb: float = 200.0) -> dict:
    """An uploaded checkpoint, read as plain data and tensors only: a pickled object inside is
    refused by weights_only=True without ever being run."""
    if len(data) > max_mb * 2**20:
        raise RunError(f"the checkpoint is {len(data) / 2**20:.0f} MB; the limit is {max_mb:g} MB")
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # a pickle payload, a truncated file, not a checkpoint at all
        raise RunError("this file cannot be loaded safely as a checkpoint "
                       f"({str(exc).strip().splitlines()[0][:200]})") from exc
    if not isinstance(state, dict) or "generator" not in state:
        raise RunError("this file is not a gancore checkpoint (no generator weights in it)")
    return state


def sample(generator, info: DataInfo, cfg: TrainConfig, n: int, seed: int = 0,
           label: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n samples; for conditional runs of class `label`, or classes cycling 0..K-1 when None.
    Returns (samples, labels or None) on the CPU."""
    device = next(generator.parameters()).device
    y = None
    if is_conditional(cfg):
        y = torch.full((n,), label) if label is not None else torch.arange(n) % info.num_classes
        y = y.to(device)
    return generate(generator, noise(generator, n, seed, device), y), (None if y is None else y.cpu())


def class_grid(generator, info: DataInfo, per_class: int = 10, seed: int = 0) -> Image.Image:
    """One row per class, `per_class` samples each (the same noise down each column)."""
    device = next(generator.parameters()).device
    k = info.num_classes
    z = noise(generator, per_class, seed, device).repeat(k, 1)  # (K*per_class, latent)
    y = torch.arange(k, device=device).repeat_interleave(per_class)
    return picture(generate(generator, z, y), info, nrow=per_class)


def interpolate(generator, info: DataInfo, seed_a: int, seed_b: int, steps: int = 10,
                label: int | None = None) -> torch.Tensor:
    """Samples along the straight line between the noise of two seeds, (steps, *shape)."""
    device = next(generator.parameters()).device
    za, zb = noise(generator, 1, seed_a, device), noise(generator, 1, seed_b, device)
    if label is None and getattr(generator, "num_classes", 0):
        label = 0  # a conditional generator always needs a class
    t = torch.linspace(0, 1, steps, device=device)[:, None]  # (steps, 1)
    z = (1 - t) * za + t * zb  # (steps, latent)
    y = None if label is None else torch.full((steps,), label, device=device)
    return generate(generator, z, y)
