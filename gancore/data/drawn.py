"""Points a person drew on the 2D Lab's pad, as a dataset: each sample picks a drawn point and
adds a little noise, so a handful of dots becomes a smooth distribution. The lab trains on it in
the browser's session; "save this lab as a run" writes the drawing to the uploads folder
(drawn-<hash>/points.json) and the run loads it from there by `data_dir`, like any dataset.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from ..errors import ConfigError, DataError
from .base import DataInfo, Dataset
from .registry import register_dataset

PAD_BOX = (-2.0, 2.0)  # the drawing pad spans this on both axes (raw coordinates)
MIN_DRAWN, MAX_DRAWN = 10, 400  # points a drawing may hold
DRAWN_SAMPLES = 4000  # the dataset sampled around the drawn points
JITTER = 0.04  # std of the noise around each drawn point (raw units): a stroke, not atoms
DRAWN = "drawn"  # the dataset's name, and a lab link's data= for a drawing
POINTS_FILE = "points.json"
MAX_FILE_BYTES = 64 * 1024  # 400 points of JSON are about 16 KB


def check_points(points) -> np.ndarray:
    """A drawing as (P, 2) float64 inside PAD_BOX; a clear ConfigError otherwise."""
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError("points", "must be a list of [x, y] pairs of numbers") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ConfigError("points", f"must be a list of [x, y] pairs, got an array of shape {arr.shape}")
    if not MIN_DRAWN <= len(arr) <= MAX_DRAWN:
        raise ConfigError("points", f"draw between {MIN_DRAWN} and {MAX_DRAWN} points, got {len(arr)}")
    lo, hi = PAD_BOX
    if not np.isfinite(arr).all() or arr.min() < lo or arr.max() > hi:
        raise ConfigError("points", f"every coordinate must lie between {lo:g} and {hi:g} (the pad)")
    return arr


def drawn_dataset(points, seed: int = 0, n: int = DRAWN_SAMPLES) -> Dataset:
    """n samples around the drawn points: each picks a drawn point at random plus N(0, JITTER^2)
    noise. Unlabelled, scale 1 (the pad's box is already about unit range). x: (n, 2) float32."""
    arr = torch.as_tensor(check_points(points), dtype=torch.float32)  # (P, 2)
    rng = torch.Generator().manual_seed(seed)
    pick = torch.randint(len(arr), (n,), generator=rng)
    x = arr[pick] + JITTER * torch.randn(n, 2, generator=rng)  # (n, 2)
    return Dataset(x, None, DataInfo(DRAWN, "points", (2,), scale=1.0))


def save_drawing(points, uploads_root: Path) -> Path:
    """The drawing as uploads_root/drawn-<hash>/points.json (the same drawing, the same folder);
    the folder to give a run as its data_dir."""
    arr = check_points(points)
    text = json.dumps(arr.round(4).tolist())
    folder = Path(uploads_root) / f"drawn-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{POINTS_FILE}.tmp"
    tmp.write_text(text)
    tmp.replace(folder / POINTS_FILE)  # whole or not at all
    return folder


def _points_file(cfg) -> Path | None:
    return Path(cfg.data_dir) / POINTS_FILE if cfg.data_dir else None


@register_dataset(DRAWN, kind="points", labelled=False, fields=("data_dir", "num_samples"),
                  availability=lambda cfg: None if (f := _points_file(cfg)) and f.is_file() else DataError(
                      "data_dir", "draw points in the 2D Lab and save the lab as a run (or give a folder "
                      f"holding its {POINTS_FILE})"),
                  description="Points you drew in the 2D Lab (saved from the lab as a run).")
def load_drawn(cfg, seed: int) -> Dataset:
    path = _points_file(cfg)
    if path is None or not path.is_file():
        raise DataError("data_dir", f"the drawn dataset needs a folder holding {POINTS_FILE} (--data-dir); "
                        f"got {cfg.data_dir!r}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataError("data_dir", f"{path} is {path.stat().st_size:,} bytes; a drawing's is at most "
                        f"{MAX_FILE_BYTES:,}")
    try:
        points = json.loads(path.read_text())
        return drawn_dataset(points, seed, cfg.num_samples or DRAWN_SAMPLES)
    except ValueError as exc:
        raise DataError("data_dir", f"{path} is not a drawing (JSON [[x, y], ...]): {exc}") from exc
    except ConfigError as exc:
        raise DataError("data_dir", f"{path}: {exc}") from exc
