"""Using an image-to-image generator (pix2pix) outside training: make an input picture ready for
it, translate it, and write the result to a file (`gancore sample --input`).

The generator is a U-Net: fully convolutional, so it reads any picture whose sides divide by
2 ** generator.depth (each encoder level halves them and the decoder must come back to the same
size), though it learned at one side (info.input_shape's) and at that scale of strokes and shapes.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from ..data.image_input import decode_image, read_npy_images
from ..data.uploads import UploadError
from ..errors import ConfigError
from ..runs.store import Run
from .checkpoints import load_generator
from .draw import generate
from .files import write_images

# The largest picture read at all: a phone photo of a sketch on paper fits, and is resized to the
# model's side; the decoder refuses anything larger by its header, before allocating it.
MAX_SOURCE_SIDE = 4096
# A picture is translated at its own size only up to OWN_SIZE_TIMES the side the generator trained
# at. It learned strokes and shapes at the scale of its training pictures: a picture a few times
# larger, such as a row of sketches, keeps that scale and reads best as it is; a much larger one is
# almost always one drawing at a larger scale (a photo of paper), which reads best made small.
OWN_SIZE_TIMES = 4
# And never beyond MAX_OWN_SIDE: the work grows with the pixel count (a U-Net's cost per pixel is
# fixed by its widths), and at 512 a whole pass stays well under a second on a small CPU for the
# default widths.
MAX_OWN_SIDE = 512
IMAGES_AT_ONCE = 16  # a .npy of many images goes through in groups, so memory stays bounded


def side_multiple(generator: torch.nn.Module) -> int:
    """What every side must divide by: the encoder halves it generator.depth times."""
    return 2 ** generator.depth


def model_side(info) -> int:
    """The side the generator trained at (its inputs are square)."""
    return info.input_shape[-1]


def fits_as_is(generator: torch.nn.Module, info, height: int, width: int) -> bool:
    """Whether an (height x width) picture is translated at its own size: its sides divide by
    2 ** depth, and stay within OWN_SIZE_TIMES the model's side and MAX_OWN_SIDE."""
    m = side_multiple(generator)
    limit = min(OWN_SIZE_TIMES * model_side(info), MAX_OWN_SIDE)
    return height % m == 0 and width % m == 0 and max(height, width) <= limit


def fit_to_side(images: torch.Tensor, side: int) -> torch.Tensor:
    """(N, C, h, w) in [-1, 1] -> (N, C, side, side): shrunk (or grown) with antialiasing until the
    longer side is `side`, then the shorter one padded evenly on both sides with the mean colour of
    the picture's own border. Why not stretch: a stretched sketch changes shape (a 0 becomes a 1).
    Why not crop: a sketch reaches its edges more often than a photo does, and a cut stroke is a
    different drawing. Why the border's colour: the padding then reads as more background, black
    for white-on-black sketches and white for a photo of paper, not as a frame; its median, so a
    stroke that touches the edge does not tint it."""
    _, _, h, w = images.shape
    if (h, w) == (side, side):
        return images
    scale = side / max(h, w)
    nh, nw = max(1, min(side, round(h * scale))), max(1, min(side, round(w * scale)))
    resized = F.interpolate(images.float(), size=(nh, nw), mode="bilinear", antialias=True,
                            align_corners=False).clamp(-1, 1)
    if (nh, nw) == (side, side):
        return resized
    border = torch.cat([images[:, :, 0], images[:, :, -1], images[:, :, :, 0], images[:, :, :, -1]], 2)
    background = border.float().median(2).values  # (N, C): each picture's own edge colour
    out = background[:, :, None, None].expand(-1, -1, side, side).clone()
    top, left = (side - nh) // 2, (side - nw) // 2
    out[:, :, top:top + nh, left:left + nw] = resized
    return out


def prepare_input(images: torch.Tensor, generator: torch.nn.Module, info,
                  own_size: bool = True) -> tuple[torch.Tensor, bool]:
    """(N, C_in, h, w) in [-1, 1] -> (the generator's input, whether it was resized). At its own
    size when fits_as_is (and own_size), else fitted to the model's side (fit_to_side): a side
    that does not divide cannot come back through the U-Net, and a large picture is read best at
    the scale the generator learned. Raises UploadError for the wrong number of channels."""
    c_in = info.input_shape[0]
    if images.dim() != 4 or images.shape[1] != c_in:
        raise UploadError(f"this generator reads {'grey' if c_in == 1 else f'{c_in}-channel'} pictures "
                          f"(N x {c_in} x h x w); got shape {tuple(images.shape)}")
    _, _, h, w = images.shape
    if own_size and fits_as_is(generator, info, h, w):
        return images, False
    return fit_to_side(images, model_side(info)), True


def prepare_drawing(drawing: torch.Tensor, side: int) -> torch.Tensor:
    """A drawing from the pad, (1, 1, S, S) at the canvas's size in [-1, 1] -> (1, 1, side, side),
    averaged down with antialiasing: a pen stroke of a few canvas pixels becomes a soft line of
    one or two pixels, as the training sketches are (data/sketches.py), not a jagged one."""
    return fit_to_side(drawing, side)


def read_input(data: bytes, generator: torch.nn.Module, info,
               own_size: bool = True) -> tuple[torch.Tensor, bool]:
    """PNG/JPEG bytes (hostile: decode_image checks them) -> (the generator's input (1, C_in, H, W)
    in [-1, 1], whether it was resized to the model's side)."""
    image = decode_image(data, info.input_shape[0], MAX_SOURCE_SIDE)
    return prepare_input(image, generator, info, own_size)


def translate(generator: torch.nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """(N, C_in, H, W) in [-1, 1], sides divisible by 2 ** depth -> (N, C, H, W) in [-1, 1] on the
    CPU: the generator in eval mode (BatchNorm's running statistics, no dropout) on its own device,
    a few images at a time."""
    if inputs.dim() != 4:
        raise ValueError(f"inputs must be a batch (N, C_in, H, W), got shape {tuple(inputs.shape)}")
    m, (h, w) = side_multiple(generator), inputs.shape[-2:]
    if h % m or w % m:
        raise ValueError(f"sides {h} x {w} must divide by {m} (prepare_input makes them so)")
    device = next(generator.parameters()).device
    return generate(generator, inputs.float().to(device), None, batch=IMAGES_AT_ONCE).clamp(-1, 1)


def write_translated(run: Run, source: Path, out: Path, checkpoint: str = "latest.pt",
                     weights: str | None = None) -> tuple[int, tuple]:
    """Translate `source` (PNG/JPEG, or .npy of N x C_in x h x w uint8) with the run's generator
    into `out` (.png for one image, .npy of N x C x H x W uint8). Returns (N, output shape)."""
    generator, info, cfg = load_generator(run.load_checkpoint(checkpoint), weights=weights)
    if info.input_shape is None or not hasattr(generator, "depth"):
        raise ConfigError("input", f"this run's generator ({cfg.model.variant}) does not translate "
                                   "pictures: leave out --input")
    if source.suffix.lower() == ".npy":
        images = read_npy_images(source, info.input_shape[0], MAX_SOURCE_SIDE)
        if not len(images):
            raise UploadError(f"{source} holds no images (its first dimension is 0)")
        inputs, _ = prepare_input(images, generator, info)
    else:
        inputs, _ = read_input(source.read_bytes(), generator, info)
    outputs = translate(generator, inputs)
    write_images(out, outputs)
    return outputs.shape[0], tuple(outputs.shape[1:])
