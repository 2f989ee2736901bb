"""photos: random square patches of the colour photos that ship inside scikit-image, for
super-resolution. Offline: the files are read straight from the installed package with Pillow,
never through skimage.data's fetchers (those download through pooch what the wheel lacks).

Two whole photos are kept out of training (HELD_OUT) and returned as `Dataset.held_out`, for
judging a model on pictures it never saw. scikit-image's lfw_subset faces are left out: they are
25 x 25 pixels, smaller than one training patch, so they hold no detail to learn from.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..errors import DataError
from .base import DataInfo, Dataset
from .registry import register_dataset
from .resample import crop_to_multiple

# name (as skimage.data calls it) -> file in skimage/data/
PHOTOS = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "motorcycle_left": "motorcycle_left.png",  # skimage.data.stereo_motorcycle()[0]
    "immunohistochemistry": "ihc.png",
    "hubble_deep_field": "hubble_deep_field.jpg",
    "retina": "retina.jpg",
}
HELD_OUT = ("chelsea", "coffee")  # a cat's fur and a cup on wood: what the Generate page shows
TRAIN = tuple(name for name in PHOTOS if name not in HELD_OUT)

SIDE = 64  # patch side; the data's high-resolution images
DEFAULT_SAMPLES = 2000
# Photos are shrunk (antialiased) so the long side is at most this before patches are cut:
# at full size retina's 1411 pixels are so smooth that a patch holds almost no detail.
TRAIN_LONG_SIDE = 512
HELD_OUT_LONG_SIDE = 256  # whole held-out photos, small enough for a CPU to upscale quickly
HELD_OUT_MULTIPLE = 4  # held-out sides divide by every upscaling factor offered (2, 4)
# A patch whose gray-level spread (std, in [-1, 1] units) is below this is nearly flat (night
# sky, the black around the retina): redrawn, up to a few times, as SR patch samplers do.
FLAT_STD = 0.04
REDRAWS = 4


def photo_dir() -> Path:
    """skimage/data/ of the installed scikit-image; DataError naming what to install if absent."""
    try:
        import skimage
    except ImportError as exc:
        raise DataError("dataset", "the photos dataset reads the pictures that come with "
                        "scikit-image, which is not installed: pip install scikit-image") from exc
    return Path(skimage.__file__).parent / "data"


def availability(cfg) -> DataError | None:
    try:
        folder = photo_dir()
    except DataError as exc:
        return exc
    missing = [f for f in PHOTOS.values() if not (folder / f).is_file()]
    if missing:
        return DataError("dataset", f"this scikit-image lacks {', '.join(missing)} in {folder}; "
                         "reinstall it: pip install --force-reinstall scikit-image")
    return None


def _shrink(img: torch.Tensor, long_side: int) -> torch.Tensor:
    """(3, H, W) -> (3, h, w) with max(h, w) <= long_side, antialiased; unchanged if small enough."""
    h, w = img.shape[-2:]
    if max(h, w) <= long_side:
        return img
    f = long_side / max(h, w)
    size = (max(1, round(h * f)), max(1, round(w * f)))
    return F.interpolate(img[None], size=size, mode="bicubic", antialias=True,
                         align_corners=False)[0].clamp(-1, 1)


def decode(path: Path) -> torch.Tensor:
    """One image file -> (3, H, W) float32 in [-1, 1]."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)  # (H, W, 3)
    return torch.from_numpy(rgb.copy()).permute(2, 0, 1).float() / 127.5 - 1


@lru_cache(maxsize=1)  # decoding the PNGs and JPEGs takes longer than cutting the patches
def prepared_photos(folder: str) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The training photos shrunk to TRAIN_LONG_SIDE, and the held-out ones shrunk to
    HELD_OUT_LONG_SIDE and cropped to HELD_OUT_MULTIPLE; each (3, H, W) in [-1, 1]. Only the
    shrunk copies are kept: the full-size ones would hold several times the memory."""
    train = [_shrink(decode(Path(folder) / PHOTOS[name]), TRAIN_LONG_SIDE) for name in TRAIN]
    held = [crop_to_multiple(_shrink(decode(Path(folder) / PHOTOS[name]), HELD_OUT_LONG_SIDE),
                             HELD_OUT_MULTIPLE) for name in HELD_OUT]
    return train, held


def cut_patches(photos: list[torch.Tensor], n: int, side: int, seed: int) -> torch.Tensor:
    """n patches (n, 3, side, side), an equal share from each photo (whatever its size), each at
    a random place, redrawn while nearly flat, and mirrored left-right half the time."""
    gen = torch.Generator().manual_seed(seed)
    owner = torch.arange(n) % len(photos)
    owner = owner[torch.randperm(n, generator=gen)]
    flips = torch.rand(n, generator=gen) < 0.5
    out = torch.empty(n, 3, side, side)
    for i in range(n):
        img = photos[int(owner[i])]
        h, w = img.shape[-2:]
        for _ in range(REDRAWS):
            top = int(torch.randint(h - side + 1, (), generator=gen))
            left = int(torch.randint(w - side + 1, (), generator=gen))
            patch = img[:, top:top + side, left:left + side]
            if patch.mean(0).std() >= FLAT_STD:
                break
        out[i] = patch.flip(-1) if flips[i] else patch
    return out


@lru_cache(maxsize=4)  # the dashboard and a run asking for the same data cut it once
def cached_photos(n: int, side: int, seed: int, folder: str) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Training patches (n, 3, side, side) and the held-out photos, each (3, H, W), in [-1, 1]."""
    train, held = prepared_photos(folder)
    smallest = min(min(p.shape[-2:]) for p in train)
    if smallest < side:
        raise DataError("image_size", f"patches of {side} pixels do not fit in every photo; "
                        f"choose {smallest} or less")
    return cut_patches(train, n, side, seed), held


@register_dataset("photos", kind="image", labelled=False, native_size=SIDE, native_channels=3,
                  fields=("num_samples", "image_size"), availability=availability,
                  description="Small square pieces of a few colour photos (an astronaut, a rocket, "
                              "a motorbike, ...) for learning to enlarge pictures without blurring "
                              "them; a cat and a coffee cup are kept aside to test on. Works offline.")
def load_photos(cfg, seed: int) -> Dataset:
    problem = availability(cfg)
    if problem is not None:
        raise problem
    folder = photo_dir()
    x, held = cached_photos(cfg.num_samples or DEFAULT_SAMPLES, cfg.image_size or SIDE, seed,
                            str(folder))
    info = DataInfo("photos", "image", tuple(x.shape[1:]))
    # clones: a caller that edits its dataset in place must not change the cached copy
    return Dataset(x.clone(), None, info, held_out=[p.clone() for p in held])
