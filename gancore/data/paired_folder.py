"""paired_folder: your own image pairs for pix2pix, in either layout the public pix2pix datasets use.

  A|B     each image holds its input (left half) and its target (right half) side by side, as
          facades, maps and edges2shoes ship: the image is twice as wide as high (a pixel either
          way is allowed; the middle column of an odd width belongs to neither half). Images lie
          in the folder itself or in subfolders (train/, val/, ...).
  A/ B/   two subfolders, A/ holding the inputs and B/ the targets, paired by file name without
          its extension (A/17.jpg with B/17.png); each may hold train/, val/, ... subfolders of
          its own, matched the same way (A/train/17.jpg with B/train/17.png). Other folders and
          images beside A/ and B/ are not read.

Pairs in val/ or test/ subfolders are kept out of training to test on (the first
MAX_HELD_FROM_DIRS by name); with neither, a tenth (at most MAX_HELD, at least one) is kept out,
chosen by a fixed shuffle so every run on the folder is judged on the same pairs.

Each side is resized (shorter side) and centre-cropped to image_size, as the `folder` dataset
does. `channels` applies to both sides: 1 gray, 3 colour, empty = each side as its images are
(gray when every image on that side is gray, whatever mode it was saved in), so gray inputs with
colour targets stay 1 and 3 channels. Files that do not decode, or declare more than MAX_PIXELS
(a decompression bomb), are skipped with their pair and counted. Refused, naming the files:
A/ without B/ (or B/ without A/), names in A/ and B/ that do not match, two files of one name on
one side, a pair whose two images differ in size, A|B images not twice as wide as high, no
images, more than MAX_IMAGES pairs, and every pair kept out (only val/ or test/).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..errors import DataError
from .base import DataInfo, Dataset, Pairs
from .colour import luma
from .folder import EXTENSIONS, MAX_IMAGES, MAX_PIXELS, SKIP_DIRS, _to_8bit, _upright
from .registry import register_dataset

# A pix2pix U-Net at 32 pixels trains a few thousand steps on a CPU in minutes; at 64 it takes
# about four times as long (the work grows with the pixels), worth it on a GPU for detail.
DEFAULT_SIZE = 32
HELD_OUT_DIRS = ("val", "test")
HELD_SHARE, MAX_HELD = 10, 100  # with no val/ or test/: a tenth kept out, at most this many
MAX_HELD_FROM_DIRS = 500  # val/ and test/ pairs beyond this are not read (a test set this big is plenty)
SPLIT_SEED = 0
WIDTH_SLACK = 1  # pixels an A|B image's width may differ from twice its height
GREY_SPREAD = 3  # 8-bit levels a "gray" pixel's R, G and B may differ by (JPEG rounding)
NAMED = 4  # files a message names before "and N more"
TEACHES = "turns each input (A) into its target (B), as the pairs in your folder show."


@dataclass(frozen=True)
class Pair:
    name: str  # how messages call it: "train/17.jpg" (A|B) or "17" (A/ B/), from the folder
    input: Path
    target: Path  # the same file as input in the A|B layout
    held_out: bool  # in a val/ or test/ subfolder


@dataclass
class Layout:
    """What a paired folder holds, checked from file names and image headers only (no decoding)."""

    kind: str  # "A|B" or "A/ B/"
    train: list[Pair]
    held: list[Pair]
    skipped: int  # pairs dropped: a file that cannot be read, or declares too many pixels

    @property
    def side_by_side(self) -> bool:
        return self.kind == "A|B"


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - NAMED} more" if len(names) > NAMED else ""
    return ", ".join(names[:NAMED]) + more


def _subdirs(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()
                   and not p.name.startswith(".") and p.name not in SKIP_DIRS), key=lambda p: p.name)


def _images(folder: Path) -> list[Path]:
    """Image files directly in `folder`; dot-files (macOS's ._ copies) are not images."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()
                  and not p.name.startswith(".") and p.suffix.lower() in EXTENSIONS)


def _with_subfolders(folder: Path) -> list[tuple[str, Path]]:
    """(subfolder name or "", file) for the images in `folder` and in its subfolders, one deep."""
    found = [("", p) for p in _images(folder)]
    for sub in _subdirs(folder):
        found += [(sub.name, p) for p in _images(sub)]
    return found


def _check_count(pairs: int) -> None:
    """Before any header is read: a folder of a million files is refused at once."""
    if pairs > MAX_IMAGES:
        raise DataError("data_dir", f"the folder holds {pairs:,} pairs; the most read is {MAX_IMAGES:,}")


def _size(path: Path, max_pixels: int) -> tuple[int, int] | None:
    """(width, height) from the header, or None when unreadable or over `max_pixels`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                size = img.size
    except Exception:  # noqa: BLE001 -- hostile or broken files raise all sorts; skip and count
        return None
    return size if size[0] * size[1] <= max_pixels else None


def _side_by_side(root: Path, max_pixels: int) -> tuple[list[Pair], int]:
    files = _with_subfolders(root)
    if not files:
        raise DataError("data_dir", f"no images found; expected {', '.join(sorted(EXTENSIONS))} files, "
                        "each input and target side by side (A|B), or A/ and B/ folders of them")
    _check_count(len(files))
    pairs, skipped, bad = [], 0, []
    for sub, path in files:
        name = f"{sub}/{path.name}" if sub else path.name
        size = _size(path, max_pixels)
        if size is None:
            skipped += 1
        elif abs(size[0] - 2 * size[1]) > WIDTH_SLACK:
            bad.append(f"{name} ({size[0]} x {size[1]})")
        else:
            pairs.append(Pair(name, path, path, sub.lower() in HELD_OUT_DIRS))
    if bad:
        raise DataError("data_dir", f"{len(bad)} image(s) are not twice as wide as high, so they cannot "
                        f"be split into an input (left half) and a target (right half): {_listed(bad)}. "
                        "Each image must be as wide as two squares side by side (a pixel either way "
                        "is allowed), or put inputs in A/ and targets in B/")
    return pairs, skipped


def _by_name(side: Path) -> dict[tuple[str, str], Path]:
    """{(subfolder, name without extension): file} for one side (A/ or B/)."""
    found: dict[tuple[str, str], Path] = {}
    for sub, path in _with_subfolders(side):
        key = (sub, path.stem)
        if key in found:
            where = f"{side.name}/{sub + '/' if sub else ''}"
            raise DataError("data_dir", f"{where} holds two files named {path.stem!r} ({found[key].name}, "
                            f"{path.name}); pairs are matched by name without the extension, so "
                            "each name may appear once on each side")
        found[key] = path
    return found


def _shown(side: Path, path: Path) -> str:
    """A file as messages name it: A/train/17.png."""
    return f"{side.name}/{path.relative_to(side).as_posix()}"


def _two_folders(a: Path, b: Path, max_pixels: int) -> tuple[list[Pair], int]:
    inputs, targets = _by_name(a), _by_name(b)
    if not inputs and not targets:
        raise DataError("data_dir", f"{a.name}/ and {b.name}/ hold no images; expected "
                        f"{', '.join(sorted(EXTENSIONS))} files, inputs in A/ and targets of the "
                        "same names in B/")
    only_a = [_shown(a, p) for k, p in sorted(inputs.items()) if k not in targets]
    only_b = [_shown(b, p) for k, p in sorted(targets.items()) if k not in inputs]
    if only_a or only_b:
        sides = [f"{len(names)} in {where}/ with no partner in {other}/ ({_listed(names)})"
                 for names, where, other in ((only_a, a.name, b.name), (only_b, b.name, a.name)) if names]
        raise DataError("data_dir", "the names in A/ and B/ do not match: " + "; ".join(sides) + ". "
                        "Each input in A/ needs a target of the same name in B/ (the extension may "
                        "differ), in the same subfolder")
    _check_count(len(inputs))
    pairs, skipped, bad = [], 0, []
    for (sub, stem), a_path in sorted(inputs.items()):
        b_path = targets[(sub, stem)]
        name = f"{sub}/{stem}" if sub else stem
        a_size, b_size = _size(a_path, max_pixels), _size(b_path, max_pixels)
        if a_size is None or b_size is None:
            skipped += 1
        elif a_size != b_size:
            bad.append(f"{_shown(a, a_path)} is {a_size[0]} x {a_size[1]} but "
                       f"{_shown(b, b_path)} is {b_size[0]} x {b_size[1]}")
        else:
            pairs.append(Pair(name, a_path, b_path, sub.lower() in HELD_OUT_DIRS))
    if bad:
        raise DataError("data_dir", f"{len(bad)} pair(s) have images of different sizes: {_listed(bad)}. "
                        "An input and its target must be the same size")
    return pairs, skipped


def _split(pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    """(training, held-out): val/ and test/ pairs kept out when there are any, else a fixed tenth."""
    held = [p for p in pairs if p.held_out]
    if held:
        train = [p for p in pairs if not p.held_out]
        if not train:
            raise DataError("data_dir", "every pair is in val/ or test/, which are kept out to test on; "
                            "put the training pairs in train/ or in the folder itself")
        return train, held[:MAX_HELD_FROM_DIRS]
    k = min(MAX_HELD, max(1, len(pairs) // HELD_SHARE)) if len(pairs) >= 2 else 0
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(SPLIT_SEED)).tolist()
    kept = set(order[:k])
    return [p for i, p in enumerate(pairs) if i not in kept], [pairs[i] for i in sorted(kept)]


def find_pairs(root: Path, max_pixels: int = MAX_PIXELS) -> Layout:
    """The layout and pairs of a paired folder, or DataError naming what is wrong and what is
    allowed. Reads names and image headers only, so a large folder is checked quickly."""
    dirs = {d.name.lower(): d for d in _subdirs(root)}
    a, b = dirs.get("a"), dirs.get("b")
    if (a is None) != (b is None):
        have, lack = ("A", "B") if a is not None else ("B", "A")
        raise DataError("data_dir", f"found {have}/ but no {lack}/ folder; put the inputs "
                        "in A/ and their targets, with the same names, in B/ (or each pair side by "
                        "side in one image, input left, target right)")
    kind = "A/ B/" if a is not None else "A|B"
    pairs, skipped = _two_folders(a, b, max_pixels) if a is not None else _side_by_side(root, max_pixels)
    if not pairs:
        raise DataError("data_dir", f"no usable pairs: each of the {skipped} found has a file that cannot "
                        f"be read as an image, or declares more than {max_pixels:,} pixels (the limit)")
    train, held = _split(pairs)
    return Layout(kind, train, held, skipped)


def _square(img: Image.Image, side: int) -> np.ndarray:
    """An RGB image -> (side, side, 3) uint8: shorter side resized to `side`, centre-cropped."""
    scale = side / min(img.size)
    w, h = max(side, round(img.width * scale)), max(side, round(img.height * scale))
    img = img.resize((w, h), Image.BILINEAR)  # Pillow's resize filters antialias
    left, top = (w - side) // 2, (h - side) // 2
    return np.asarray(img.crop((left, top, left + side, top + side)), dtype=np.uint8)


def _open_rgb(path: Path, side: int, halves: int) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as img:
            img.draft("RGB", (side * halves, side))  # JPEG: decode at a reduced scale still >= side
            img.load()
            return _to_8bit(_upright(img)).convert("RGB")


def decode_pair(pair: Pair, side_by_side: bool, side: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(input, target), each (side, side, 3) uint8, or None when a file does not decode."""
    try:
        if side_by_side:
            img = _open_rgb(pair.input, side, 2)
            half = img.width // 2  # an odd width's middle column belongs to neither half
            return (_square(img.crop((0, 0, half, img.height)), side),
                    _square(img.crop((img.width - half, 0, img.width, img.height)), side))
        return _square(_open_rgb(pair.input, side, 1), side), _square(_open_rgb(pair.target, side, 1), side)
    except Exception:  # noqa: BLE001 -- hostile or broken files raise all sorts; skip and count
        return None


def _tensor(arrays: list[np.ndarray], channels: int) -> torch.Tensor:
    """(side, side, 3) uint8 arrays -> (N, channels, side, side) in [-1, 1]."""
    x = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float() / 127.5 - 1
    return (luma(x) if channels == 1 else x).contiguous()


def _channels(arrays: list[np.ndarray], asked: int | None) -> int:
    """`asked`, or with none asked: 1 when every image is gray (R, G, B within GREY_SPREAD), else 3."""
    if asked:
        return asked
    grey = all(int(np.ptp(a.astype(np.int16), axis=2).max()) <= GREY_SPREAD for a in arrays)
    return 1 if grey else 3


@register_dataset("paired_folder", kind="paired", labelled=False, native_size=DEFAULT_SIZE,
                  fields=("data_dir", "image_size", "channels"), uploads=True,
                  availability=lambda cfg: None if cfg.data_dir and Path(cfg.data_dir).is_dir()
                  else DataError("data_dir", "choose a folder of image pairs first (A/ and B/ "
                                 "folders, or images with input and target side by side)"),
                  description="Your own pairs of pictures: each input with the picture it should "
                              "become, as two folders A/ (inputs) and B/ (targets), or each pair side "
                              "by side in one image (input left, target right).")
def load_paired_folder(cfg, seed: int) -> Dataset:
    if not cfg.data_dir:
        raise DataError("data_dir", "the paired_folder dataset needs a data folder (--data-dir) of "
                        "image pairs: A/ and B/ folders, or images with input and target side by side")
    root = Path(cfg.data_dir).expanduser()
    if not root.is_dir():
        raise DataError("data_dir", f"folder {root} does not exist; it should hold image pairs: A/ and "
                        "B/ folders, or images with input and target side by side")
    layout = find_pairs(root)
    side = cfg.image_size or DEFAULT_SIZE
    sets, skipped = [], layout.skipped
    for pairs in (layout.train, layout.held):
        decoded = [decode_pair(p, layout.side_by_side, side) for p in pairs]
        skipped += sum(d is None for d in decoded)
        sets.append([d for d in decoded if d is not None])
    train, held = sets
    if not train:
        raise DataError("data_dir", f"none of the {len(layout.train)} training pairs could be decoded")
    # the gray test looks at every pair, kept out or not, so both halves of the data agree
    c_in = _channels([i for i, _ in train + held], cfg.channels)
    c_out = _channels([t for _, t in train + held], cfg.channels)
    x, y = _tensor([t for _, t in train], c_out), _tensor([i for i, _ in train], c_in)
    pairs = Pairs(_tensor([i for i, _ in held], c_in), _tensor([t for _, t in held], c_out)) if held else None
    info = DataInfo("paired_folder", "paired", tuple(x.shape[1:]), skipped_files=skipped,
                    input_shape=tuple(y.shape[1:]), teaches=TEACHES)
    return Dataset(x, y, info, held_out_pairs=pairs)
