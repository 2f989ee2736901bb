"""One image (or a stack of them) from outside, for a generator that reads images (super-resolution
today): an uploaded PNG/JPEG or a .npy of N x C x h x w uint8. Hostile until checked: the size of
the file, what it decodes to and how many pixels it declares are checked before anything larger
is allocated (a decompression bomb is refused by its header).
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .uploads import UploadError

MAX_FILE_MB = 20.0
FORMATS = ("PNG", "JPEG")  # what Pillow must find inside, whatever the file is called


def decode_image(data: bytes, channels: int, max_side: int) -> torch.Tensor:
    """PNG/JPEG bytes -> (1, channels, H, W) float in [-1, 1] (grey or RGB as the model reads;
    transparency dropped onto black). Raises UploadError naming the problem and the limit."""
    if len(data) > MAX_FILE_MB * 2**20:
        raise UploadError(f"the image is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_MB:g} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            kind, (w, h) = img.format, img.size
            if kind not in FORMATS:
                raise UploadError(f"this is a {kind or 'unknown'} file; upload a PNG or JPEG image")
            if max(w, h) > max_side:
                raise UploadError(f"the image is {w} x {h} pixels; the largest side taken here "
                                  f"is {max_side} pixels (make it smaller first)")
            img.load()
    except UploadError:
        raise
    except UnidentifiedImageError as exc:  # its message names an in-memory object, not the file
        raise UploadError("this file is not a picture (no PNG or JPEG image inside); upload a PNG "
                          "or JPEG image") from exc
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UploadError(f"this file cannot be read as a PNG or JPEG image ({str(exc)[:120]})") from exc
    img = img.convert("L" if channels == 1 else "RGB")
    arr = np.asarray(img, dtype=np.uint8).reshape(h, w, channels)
    return from_uint8(torch.from_numpy(arr.copy()).permute(2, 0, 1)[None])


def from_uint8(images: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) uint8 -> float in [-1, 1]."""
    return images.float() / 127.5 - 1


def read_npy_images(path: Path, channels: int, max_side: int) -> torch.Tensor:
    """A .npy of N x C x h x w uint8 images (C as the model reads) -> (N, C, h, w) float in
    [-1, 1]. Loaded without pickle; its shape and type are checked before use."""
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise UploadError(f"{path} cannot be read as a .npy array ({str(exc)[:120]})") from exc
    if arr.dtype != np.uint8 or arr.ndim != 4 or arr.shape[1] != channels:
        raise UploadError(f"{path} holds a {arr.dtype} array of shape {arr.shape}; this model reads "
                          f"N x {channels} x h x w uint8 images")
    if max(arr.shape[2:]) > max_side:
        raise UploadError(f"{path} holds {arr.shape[2]} x {arr.shape[3]} images; the largest side is {max_side}")
    return from_uint8(torch.from_numpy(np.ascontiguousarray(arr)))
