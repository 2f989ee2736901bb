"""Writing samples of a run to a file: FILE.png (a picture) or FILE.npy (the raw samples).

.npy holds N x 2 float32 points in the dataset's own coordinates (scaling undone), or
N x C x H x W uint8 images.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..registry import is_conditional
from ..runs.store import Run, atomic_write_bytes
from .checkpoints import load_generator
from .draw import sample
from .pictures import picture, png_bytes, to_pil, to_raw_points, to_uint8


def write_images(out: Path, images) -> None:
    """(N, C, H, W) images in [-1, 1] -> `out`: a .npy of N x C x H x W uint8, or a .png when N
    is 1 (more do not fit one picture: ConfigError naming --out). Written atomically."""
    if out.suffix.lower() == ".npy":
        buf = io.BytesIO()
        np.save(buf, to_uint8(images).numpy())
        data = buf.getvalue()
    else:
        if images.shape[0] != 1:
            raise ConfigError("out", f"{images.shape[0]} images do not fit one .png: write a .npy")
        data = png_bytes(to_pil(images))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)


def check_label(label: int | None, cfg, info) -> None:
    if label is None:
        return
    if not is_conditional(cfg):
        raise ConfigError("label", f"this run ({cfg.model.variant}) is unconditional: leave out --label")
    if not 0 <= label < info.num_classes:
        names = f" ({', '.join(info.class_names)})" if info.class_names else ""
        raise ConfigError("label", f"must be between 0 and {info.num_classes - 1}{names}, got {label}")


def write_samples(run: Run, out: Path, n: int, seed: int = 0, label: int | None = None,
                  checkpoint: str = "latest.pt", weights: str | None = None) -> None:
    generator, info, cfg = load_generator(run.load_checkpoint(checkpoint), weights=weights)
    check_label(label, cfg, info)
    samples, _ = sample(generator, info, cfg, n, seed=seed, label=label)
    if out.suffix.lower() == ".npy":
        arr = (to_raw_points(samples, info).numpy().astype(np.float32) if info.kind == "points"
               else to_uint8(samples).numpy())
        buf = io.BytesIO()
        np.save(buf, arr)
        data = buf.getvalue()
    else:
        real = None
        if info.kind == "points":  # the toys are generated, cheap to redraw for the comparison
            from ..data import load_dataset
            real = to_raw_points(load_dataset(cfg.data, cfg.seed).x[:2500], info).numpy()
        data = png_bytes(picture(samples, info, real, nrow=max(1, round(math.sqrt(n)))))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
