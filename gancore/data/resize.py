"""Resizing a whole image tensor to the side a config asks for."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def resize_images(x: torch.Tensor, side: int | None) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, side, side) with antialiasing; unchanged when side is None or equal."""
    if side is None or (x.shape[2] == side and x.shape[3] == side):
        return x
    out = []
    for i in range(0, len(x), 4096):  # chunks keep the temporary memory small
        out.append(F.interpolate(x[i:i + 4096], size=(side, side), mode="bilinear",
                                 antialias=True, align_corners=False))
    return torch.cat(out).clamp(-1, 1)
