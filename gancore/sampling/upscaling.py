"""Using a super-resolution generator: upscale images tile by tile, beside the plain ways of
enlarging them, and write the result to a file (`gancore sample --input`)."""
from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image

from ..data.image_input import decode_image, read_npy_images
from ..data.resample import upscale
from ..errors import ConfigError
from ..runs.store import Run
from .checkpoints import load_generator
from .files import write_images
from .pictures import to_pil
from .tiles import MAX_INPUT_SIDE, upscale_tiled



IMAGES_AT_ONCE = 16  # a .npy of many images goes through in groups: every image of a group shares each tile pass


def super_resolve(generator: torch.nn.Module, lr: torch.Tensor) -> torch.Tensor:
    """(N, C, h, w) in [-1, 1] -> (N, C, h * scale, w * scale), tile by tile and a few images at a
    time, so memory stays bounded however large or many the inputs."""
    device = next(generator.parameters()).device
    return torch.cat([upscale_tiled(generator, lr[i:i + IMAGES_AT_ONCE].to(device)).clamp(-1, 1).cpu()
                      for i in range(0, lr.shape[0], IMAGES_AT_ONCE)])


# The ways of enlarging shown side by side, in order: (name in words, function of (generator, lr)).
WAYS = (("repeated pixels (nearest)", lambda g, lr: upscale(lr, g.scale, "nearest")),
        ("bicubic", lambda g, lr: upscale(lr, g.scale, "bicubic")),
        ("the generator", super_resolve))


def comparison(generator: torch.nn.Module, lr: torch.Tensor) -> dict[str, torch.Tensor]:
    """Each way of enlarging `lr` (1, C, h, w), by its name in words (WAYS)."""
    return {name: way(generator, lr).cpu() for name, way in WAYS}


def zoomed(image: torch.Tensor, centre: tuple[float, float], side: int, zoom: int) -> Image.Image:
    """A `side` x `side` crop of (1, C, H, W) around `centre` (fractions of width and height),
    enlarged `zoom` times by repeating pixels, so single pixels can be compared."""
    _, _, h, w = image.shape
    side = min(side, h, w)
    left = int(round(centre[0] * (w - side)))
    top = int(round(centre[1] * (h - side)))
    crop = to_pil(image[:, :, top:top + side, left:left + side])
    return crop.resize((side * zoom, side * zoom), Image.NEAREST)


def write_upscaled(run: Run, source: Path, out: Path, checkpoint: str = "latest.pt",
                   weights: str | None = None) -> tuple[int, tuple]:
    """Upscale `source` (PNG/JPEG, or .npy of N x C x h x w uint8) with the run's generator into
    `out` (.png for one image, .npy of N x C x sH x sW uint8). Returns (N, output shape)."""
    generator, info, cfg = load_generator(run.load_checkpoint(checkpoint), weights=weights)
    if not hasattr(generator, "scale"):
        raise ConfigError("input", f"this run's generator ({cfg.model.variant}) reads noise, not an "
                                   "image: leave out --input")
    channels = info.shape[0]
    if source.suffix.lower() == ".npy":
        lr = read_npy_images(source, channels, MAX_INPUT_SIDE)
    else:
        lr = decode_image(source.read_bytes(), channels, MAX_INPUT_SIDE)
    sr = super_resolve(generator, lr)
    write_images(out, sr)
    return sr.shape[0], tuple(sr.shape[1:])
