"""Grey to colour: pairs of a grey picture (input) and the same picture in colour (target), cut
from the colour photos that ship inside scikit-image, for pix2pix.

The crops come from `photos` (the same photos, shrunk the same way, cut by the same sampler):
training crops from photos.TRAIN at the run's seed; the pairs kept out to test on from the two
held-out photos (a cat and a coffee cup) at a fixed seed, so every run is judged on the same
pairs and none of them shares a pixel with a training crop.

The grey is the luma of ITU-R BT.601 (0.299 R + 0.587 G + 0.114 B), the weights Pillow's
convert("L") uses: a colour photo uploaded on the Generate page is turned grey the same way, so
what a person colours looks like what the model trained on.
"""
from __future__ import annotations

from functools import lru_cache

import torch

from ..errors import DataError
from .base import DataInfo, Dataset, Pairs
from .photos import DEFAULT_SAMPLES, availability, cached_photos, cut_patches, photo_dir, prepared_photos
from .registry import register_dataset

SIDE = 32  # small enough that a few thousand pix2pix steps run in minutes on a CPU
HELD_PAIRS = 96  # crops of the held-out photos kept to test on, at most
MIN_SAMPLES = 20
SPLIT_SEED = 0
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, as Pillow's convert("L")
TEACHES = ("puts the colour back into a grey picture: it learns which colours things usually are "
           "(sky, skin, wood, fur) from their shapes and textures.")


def luma(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) in [-1, 1] -> (N, 1, H, W) in [-1, 1]: the weights sum to 1 and the map is
    linear, so the range is kept with no shift."""
    w = torch.tensor(LUMA, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    return (rgb * w).sum(1, keepdim=True)


@lru_cache(maxsize=4)
def held_out_crops(side: int, folder: str) -> torch.Tensor:
    """(HELD_PAIRS, 3, side, side) crops of the held-out photos, the same for every run (the
    first k of them are the same whatever k a smaller dataset keeps)."""
    _, held = prepared_photos(folder)
    smallest = min(min(p.shape[-2:]) for p in held)
    if smallest < side:
        raise DataError("image_size", f"crops of {side} pixels do not fit in the held-out photos; "
                        f"choose {smallest} or less")
    return cut_patches(held, HELD_PAIRS, side, SPLIT_SEED)


def photo_crops(name: str, n: int, side: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n crops in all, split as sketches split digits: a fifth (at most HELD_PAIRS) from the
    held-out photos, the rest from the training photos at `seed`. Returns (training crops
    (n - k, 3, side, side), held-out crops (k, 3, side, side)), in [-1, 1], copies (the cache
    stays as it was whatever a caller does to them)."""
    problem = availability(None)
    if problem is not None:
        raise problem
    if n < MIN_SAMPLES:
        raise DataError("num_samples", f"{name} needs at least {MIN_SAMPLES} examples (a fifth, up "
                        f"to {HELD_PAIRS}, are kept out to test on); got {n}")
    folder = str(photo_dir())
    k = min(HELD_PAIRS, n // 5)
    train, _ = cached_photos(n - k, side, seed, folder)  # DataError when `side` does not fit
    held = held_out_crops(side, folder)[:k]
    return train.clone(), held.clone()


@register_dataset("grey2colour", kind="paired", labelled=False, native_size=SIDE, native_channels=3,
                  fields=("num_samples", "image_size"), availability=availability,
                  description="Grey to colour: small pieces of colour photos shown in grey, to be "
                              "coloured back in; a cat and a coffee cup are kept aside to test on. "
                              "Works offline.")
def load_grey2colour(cfg, seed: int) -> Dataset:
    side = cfg.image_size or SIDE
    train, held = photo_crops("grey2colour", cfg.num_samples or DEFAULT_SAMPLES, side, seed)
    info = DataInfo("grey2colour", "paired", tuple(train.shape[1:]),
                    input_shape=(1, side, side), teaches=TEACHES)
    return Dataset(train, luma(train), info, held_out_pairs=Pairs(luma(held), held))
