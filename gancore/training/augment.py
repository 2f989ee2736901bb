"""DiffAugment (Zhao et al. 2020, mit-han-lab/data-efficient-gans): random changes to every image
D sees, real and generated alike, made of differentiable tensor operations so that G's gradient
passes through them. D cannot memorise a small dataset it never sees twice the same way, and
because fakes are changed the same way, G is not taught to draw the changes.

Policies, each a list of operations on images (B, C, H, W) in [-1, 1], one random draw per image:
  color:       brightness (+U(-0.5, 0.5)), saturation (x U(0, 2) around the pixel's channel
               mean; nothing for gray images) and contrast (x U(0.5, 1.5) around the image mean)
  translation: shift by up to 1/8 of each side, the uncovered border filled with 0
  cutout:      a zero square of half each side, at a random centre (partly outside is fine)
Random numbers come from torch's global generator on the images' device (seeded by the run's
seed, as the gradient penalty's are), so a seed still gives the same run.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _uniform(x: torch.Tensor) -> torch.Tensor:
    """U(0, 1) per image, shaped (B, 1, 1, 1) to broadcast over an image."""
    return torch.rand(x.shape[0], 1, 1, 1, dtype=x.dtype, device=x.device)


def brightness(x: torch.Tensor) -> torch.Tensor:
    return x + (_uniform(x) - 0.5)


def saturation(x: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=1, keepdim=True)  # (B, 1, H, W): each pixel's gray level
    return (x - mean) * (_uniform(x) * 2) + mean


def contrast(x: torch.Tensor) -> torch.Tensor:
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # (B, 1, 1, 1)
    return (x - mean) * (_uniform(x) + 0.5) + mean


def translation(x: torch.Tensor, ratio: float = 1 / 8) -> torch.Tensor:
    """Output pixel (i, j) reads input pixel (i + dy, j + dx); outside the image reads 0."""
    b, _, h, w = x.shape
    sh, sw = int(h * ratio), int(w * ratio)
    dy = torch.randint(-sh, sh + 1, (b, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (b, 1, 1), device=x.device)
    # +1: indices into the zero-padded image; clamping to the pad ring keeps "outside" at 0
    rows = (torch.arange(h, device=x.device).view(1, h, 1) + dy + 1).clamp(0, h + 1)  # (B, H, 1)
    cols = (torch.arange(w, device=x.device).view(1, 1, w) + dx + 1).clamp(0, w + 1)  # (B, 1, W)
    padded = F.pad(x, (1, 1, 1, 1))  # (B, C, H + 2, W + 2)
    batch = torch.arange(b, device=x.device).view(b, 1, 1)
    # the three index tensors broadcast to (B, H, W) and come first: (B, H, W, C)
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 1 / 2) -> torch.Tensor:
    b, _, h, w = x.shape
    ch, cw = int(h * ratio), int(w * ratio)
    # the square's top-left corner, from a centre drawn over the image
    top = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), device=x.device) - ch // 2
    left = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), device=x.device) - cw // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)  # (B, H, W)
    return x * (~inside).unsqueeze(1).to(x.dtype)


POLICIES = {"color": (brightness, saturation, contrast), "translation": (translation,),
            "cutout": (cutout,)}


def parse_policy(text: str | None) -> tuple[str, ...]:
    """"color, translation" -> ("color", "translation"); "" or None -> (). ValueError names what
    is allowed."""
    names = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(f"must be a comma list of {', '.join(POLICIES)} (or empty for off), "
                         f"got {', '.join(map(repr, unknown))}")
    return names


class DiffAugment:
    """The callable the step applies before every D call: images (B, C, H, W) -> same shape."""

    def __init__(self, policy: tuple[str, ...]):
        self.policy = policy
        self.ops = [op for name in policy for op in POLICIES[name]]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        for op in self.ops:
            x = op(x)
        return x


def augment_of(text: str | None) -> DiffAugment | None:
    """The config's `diffaugment` as the step's augmentation; None when off."""
    policy = parse_policy(text)
    return DiffAugment(policy) if policy else None
