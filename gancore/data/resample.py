"""Changing an image's resolution by a whole factor: how super-resolution makes its inputs from
real photos (`downscale`), the plain enlargements it is compared against (`upscale`), and the
crop that makes a photo's sides divisible by the factor first (`crop_to_multiple`).

Images are float tensors in [-1, 1]; every result is clamped back there, because bicubic weights
are partly negative and overshoot at sharp edges.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

UPSCALE_MODES = ("bicubic", "nearest")


def _check_batch(x: torch.Tensor, what: str) -> None:
    if x.dim() != 4:
        raise ValueError(f"{what} must be a batch (N, C, H, W), got shape {tuple(x.shape)}")


def downscale(hr: torch.Tensor, scale: int) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H // scale, W // scale), antialiased bicubic (as Pillow and MATLAB's
    imresize shrink), so fine detail is averaged away rather than aliased into the small copy."""
    _check_batch(hr, "the high-resolution images")
    h, w = hr.shape[-2:]
    if scale < 1 or h % scale or w % scale:
        raise ValueError(f"image sides {h} x {w} are not multiples of the scale {scale}; "
                         f"crop them first (crop_to_multiple)")
    if scale == 1:
        return hr.clone()
    lr = F.interpolate(hr, size=(h // scale, w // scale), mode="bicubic", antialias=True,
                       align_corners=False)
    return lr.clamp(-1, 1)


def upscale(lr: torch.Tensor, scale: int, mode: str = "bicubic") -> torch.Tensor:
    """(N, C, h, w) -> (N, C, h * scale, w * scale): bicubic (smooth) or nearest (blocky pixels)."""
    _check_batch(lr, "the low-resolution images")
    if mode not in UPSCALE_MODES:
        raise ValueError(f"upscale mode {mode!r}; choose one of: {', '.join(UPSCALE_MODES)}")
    h, w = lr.shape[-2:]
    extra = {} if mode == "nearest" else {"align_corners": False}
    return F.interpolate(lr, size=(h * scale, w * scale), mode=mode, **extra).clamp(-1, 1)


def crop_to_multiple(img: torch.Tensor, scale: int) -> torch.Tensor:
    """(C, H, W) or (N, C, H, W) -> the same with H and W cut down to multiples of `scale`, taking
    the bottom rows and right columns off (as BasicSR's mod_crop), so pixel (0, 0) stays put."""
    if img.dim() not in (3, 4):
        raise ValueError(f"expected (C, H, W) or (N, C, H, W), got shape {tuple(img.shape)}")
    h, w = img.shape[-2:]
    h, w = h - h % scale, w - w % scale
    if h == 0 or w == 0:
        raise ValueError(f"image {tuple(img.shape[-2:])} is smaller than the scale {scale}")
    return img[..., :h, :w]
