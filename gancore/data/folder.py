"""folder: your own images. Subfolders are classes (sorted names -> labels 0..K-1); images lying
directly in the folder, with no subfolders, make an unlabelled dataset. Each image is resized
(shorter side) and centre-cropped to image_size, in gray (channels 1) or colour (channels 3).
Files that cannot be decoded, or that declare too many pixels, are skipped and counted.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..errors import DataError
from .base import DataInfo, Dataset
from .registry import register_dataset

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
DEFAULT_SIZE = 32
DEFAULT_CHANNELS = 3
MAX_PIXELS = 40_000_000  # a decompression bomb declares far more than any real photo
MAX_IMAGES = 200_000


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and p.suffix.lower() in EXTENSIONS)


def decode(path: Path, side: int, channels: int) -> np.ndarray | None:
    """(side, side, channels) uint8, or None when the file is not a usable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None
                img.load()
                if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit gray -> 8-bit
                    arr = np.asarray(img, dtype=np.float64)
                    img = Image.fromarray((255 * arr / max(arr.max(), 1)).astype(np.uint8))
                img = img.convert("RGBA").convert("RGB") if img.mode in ("P", "LA", "RGBA") else img
                img = img.convert("L" if channels == 1 else "RGB")
                scale = side / min(img.size)
                w, h = max(side, round(img.width * scale)), max(side, round(img.height * scale))
                img = img.resize((w, h), Image.BILINEAR)
                left, top = (w - side) // 2, (h - side) // 2
                img = img.crop((left, top, left + side, top + side))
                arr = np.asarray(img, dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            SyntaxError):
        return None
    return arr[:, :, None] if arr.ndim == 2 else arr


@register_dataset("folder", kind="image", labelled=True, native_size=DEFAULT_SIZE,
                  native_channels=DEFAULT_CHANNELS, fields=("data_dir", "image_size", "channels"),
                  uploads=True,
                  availability=lambda cfg: None if cfg.data_dir and Path(cfg.data_dir).is_dir()
                  else "choose a folder of images first (one subfolder per class)",
                  description="Your own pictures: a folder of images, one subfolder per class.")
def load_folder(cfg, seed: int) -> Dataset:
    if not cfg.data_dir:
        raise DataError("data_dir", "the folder dataset needs --data-dir: a folder of images, "
                        "with one subfolder per class for labels")
    root = Path(cfg.data_dir).expanduser()
    if not root.is_dir():
        raise DataError("data_dir", f"folder {root} does not exist")
    side, channels = cfg.image_size or DEFAULT_SIZE, cfg.channels or DEFAULT_CHANNELS
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()
                     and not p.name.startswith("."))
    groups = [(k, _image_files(root / name)) for k, name in enumerate(classes)] if classes \
        else [(0, _image_files(root))]
    arrays, labels, skipped = [], [], 0
    for label, files in groups:
        for path in files:
            if len(arrays) >= MAX_IMAGES:
                break
            arr = decode(path, side, channels)
            if arr is None:
                skipped += 1
                continue
            arrays.append(arr)
            labels.append(label)
    if not arrays:
        raise DataError("data_dir", f"no usable images in {root} ({skipped} files could not be read); "
                        f"expected {', '.join(sorted(EXTENSIONS))} files"
                        + (" in class subfolders" if classes else ""))
    x = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float() / 127.5 - 1  # (N, C, S, S)
    y = torch.tensor(labels) if classes else None
    info = DataInfo("folder", "image", tuple(x.shape[1:]), len(classes), list(classes),
                    skipped_files=skipped)
    return Dataset(x, y, info)
