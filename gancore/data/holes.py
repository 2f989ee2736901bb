"""Inpainting: pairs of a picture with a rectangular hole in it (input) and the whole picture
(target), for pix2pix.

The pictures are the colour photo crops grey2colour uses (colour.photo_crops: training crops
from the training photos, the pairs to test on from the two held-out photos at a fixed seed).
Photos rather than digits or glyphs: a hole in a digit mostly falls on black background, or cuts
a stroke whose only right answer is a straight line, so there is little to learn; a photo's
hole lies across texture, edges and colour that must be continued from what surrounds it, which
is the skill inpainting is about. Photos also need no download.

The hole is filled with 0, mid-grey in [-1, 1], on every channel: a value that says nothing
about the colour that was there. Each side of the hole is between HOLE_MIN and HOLE_MAX of the
image's side, drawn separately, at a random place inside the picture; the training holes are
drawn at the run's seed, the test pairs' at a fixed seed.
"""
from __future__ import annotations

from functools import lru_cache

import torch

from .base import DataInfo, Dataset, Pairs
from .colour import SIDE, SPLIT_SEED, held_out_crops, photo_crops
from .photos import DEFAULT_SAMPLES, availability, photo_dir
from .registry import register_dataset

HOLE_MIN, HOLE_MAX = 0.2, 0.4  # a hole's height and width, as shares of the image's side
FILL = 0.0  # mid-grey in [-1, 1]
TEACHES = ("fills a hole in a picture: it learns to continue the textures, edges and colours "
           "around a grey gap so the patch does not show. To try your own picture, paint a part of it "
           "over in mid-grey first.")


def hole_masks(n: int, side: int, seed: int) -> torch.Tensor:
    """(n, 1, side, side) bool, True inside each image's one rectangular hole. Height and width
    are drawn apart, each a whole number of pixels between HOLE_MIN and HOLE_MAX of `side` (and at
    least one pixel); the top-left corner anywhere the hole still fits."""
    gen = torch.Generator().manual_seed(seed)
    lo, hi = max(1, round(HOLE_MIN * side)), max(1, round(HOLE_MAX * side))
    size = torch.randint(lo, hi + 1, (n, 2), generator=gen)  # (n, 2): height, width
    # a uniform corner in [0, side - size]: floor(u * (side - size + 1)), u in [0, 1)
    corner = (torch.rand(n, 2, generator=gen) * (side - size + 1)).long()
    pos = torch.arange(side)
    rows = (pos >= corner[:, :1]) & (pos < corner[:, :1] + size[:, :1])  # (n, side)
    cols = (pos >= corner[:, 1:]) & (pos < corner[:, 1:] + size[:, 1:])  # (n, side)
    return (rows[:, :, None] & cols[:, None, :])[:, None]  # (n, 1, side, side)


def with_hole(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) images and (N, 1, H, W) masks -> the images with FILL inside the masks."""
    return images.masked_fill(masks, FILL)


@lru_cache(maxsize=4)
def held_out_masks(side: int) -> torch.Tensor:
    """The test pairs' holes: one per held-out crop, the same for every run (and the first k the
    same whatever k a smaller dataset keeps)."""
    return hole_masks(len(held_out_crops(side, str(photo_dir()))), side, SPLIT_SEED)


@register_dataset("inpaint", kind="paired", labelled=False, native_size=SIDE, native_channels=3,
                  fields=("num_samples", "image_size"), availability=availability,
                  description="Fill the hole: small pieces of colour photos with a grey rectangle cut "
                              "out of each, to be filled back in; a cat and a coffee cup are kept aside "
                              "to test on. Works offline.")
def load_inpaint(cfg, seed: int) -> Dataset:
    side = cfg.image_size or SIDE
    train, held = photo_crops("inpaint", cfg.num_samples or DEFAULT_SAMPLES, side, seed)
    holed = with_hole(train, hole_masks(len(train), side, seed))
    held_holed = with_hole(held, held_out_masks(side)[:len(held)])
    info = DataInfo("inpaint", "paired", tuple(train.shape[1:]), input_shape=tuple(train.shape[1:]),
                    teaches=TEACHES)
    return Dataset(train, holed, info, held_out_pairs=Pairs(held_holed, held))
