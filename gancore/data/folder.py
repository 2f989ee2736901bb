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
from PIL import Image, ImageOps

from ..errors import DataError
from .base import DataInfo, Dataset
from .registry import register_dataset

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
DEFAULT_SIZE = 32
DEFAULT_CHANNELS = 3
MAX_PIXELS = 40_000_000  # a decompression bomb declares far more than any real photo
MAX_IMAGES = 200_000  # 200k x 64 x 64 x 3 bytes is already 2.4 GB
SKIP_DIRS = {"__MACOSX"}  # zip tools' resource-fork folders, never a class


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and p.suffix.lower() in EXTENSIONS)


def _to_8bit(img: Image.Image) -> Image.Image:
    """Modes Pillow would clip or cannot convert, as 8-bit gray / RGB(A). Pillow clips 16-bit gray
    at 255 (almost all white), so scale by the range the values use; composite alpha onto white,
    as transparent icons and sprites are meant to be seen."""
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 1.0 if img.mode == "F" and arr.max() <= 1 else 255 if arr.max() <= 255 \
            else 65535 if arr.max() <= 65535 else arr.max()
        img = Image.fromarray((255 * np.clip(arr, 0, top) / top).astype(np.uint8))
    if img.mode in ("P", "PA", "LA", "La", "RGBa", "RGBA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return img


def _upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (phone photos); a broken EXIF block is no reason to lose the image."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001
        return img


def decode(path: Path, side: int, channels: int) -> np.ndarray | None:
    """(side, side, channels) uint8, or None when the file is not a usable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None
                # JPEG only: decode at a reduced scale still >= side (much faster for photos)
                img.draft("RGB" if channels == 3 else "L", (side, side))
                img.load()
                img = _to_8bit(_upright(img))
                img = img.convert("L" if channels == 1 else "RGB")
                scale = side / min(img.size)
                w, h = max(side, round(img.width * scale)), max(side, round(img.height * scale))
                img = img.resize((w, h), Image.BILINEAR)  # Pillow's resize filters antialias
                left, top = (w - side) // 2, (h - side) // 2
                img = img.crop((left, top, left + side, top + side))
                arr = np.asarray(img, dtype=np.uint8)
    except Exception:  # noqa: BLE001 -- hostile or broken files raise all sorts; skip and count
        return None
    return arr[:, :, None] if arr.ndim == 2 else arr  # (side, side, channels)


def _class_dirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and not p.is_symlink()
                   and not p.name.startswith(".") and p.name not in SKIP_DIRS), key=lambda p: p.name)


@register_dataset("folder", kind="image", labelled=True, native_size=DEFAULT_SIZE,
                  native_channels=DEFAULT_CHANNELS, fields=("data_dir", "image_size", "channels"),
                  uploads=True,
                  availability=lambda cfg: None if cfg.data_dir and Path(cfg.data_dir).is_dir()
                  else DataError("data_dir", "choose a folder of images first (one subfolder per class)"),
                  description="Your own pictures: a folder of images, one subfolder per class.")
def load_folder(cfg, seed: int) -> Dataset:
    if not cfg.data_dir:
        raise DataError("data_dir", "the folder dataset needs a data folder (--data-dir): a folder "
                        "of images, with one subfolder per class for labels")
    root = Path(cfg.data_dir).expanduser()
    if not root.is_dir():
        raise DataError("data_dir", f"folder {root} does not exist; it should hold images "
                        f"({', '.join(sorted(EXTENSIONS))}), with one subfolder per class for labels")
    side, channels = cfg.image_size or DEFAULT_SIZE, cfg.channels or DEFAULT_CHANNELS
    dirs = _class_dirs(root)
    groups = [(d.name, _image_files(d)) for d in dirs] if dirs else [("", _image_files(root))]

    arrays, labels, class_names, skipped = [], [], [], 0
    for name, files in groups:
        usable = 0
        for path in files:
            if len(arrays) >= MAX_IMAGES:
                break
            arr = decode(path, side, channels)
            if arr is None:
                skipped += 1
                continue
            arrays.append(arr)
            labels.append(len(class_names))
            usable += 1
        if usable:  # a subfolder with no usable image is no class (its label would never occur)
            class_names.append(name)
    if not arrays:
        raise DataError("data_dir", f"no usable images in {root} ({skipped} files could not be read); "
                        f"expected {', '.join(sorted(EXTENSIONS))} files"
                        + (" in class subfolders" if dirs else ""))
    x = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float() / 127.5 - 1  # (N, C, S, S)
    x = x.contiguous()
    y = torch.tensor(labels, dtype=torch.int64) if dirs else None
    names = class_names if dirs else []
    info = DataInfo("folder", "image", tuple(x.shape[1:]), len(names), names, skipped_files=skipped)
    return Dataset(x, y, info)
