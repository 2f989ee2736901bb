"""Small datasets for fast tests: in memory (variants, the trainer, the run store), and small
files a test writes for every registered data source to load (`source_config`)."""
from __future__ import annotations

import gzip
import io
import math
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from PIL import Image

from gancore import DataConfig
from gancore.data.base import DataInfo, Dataset, Pairs
from gancore.data.drawn import save_drawing


def tiny_points(n: int = 512, seed: int = 0) -> Dataset:
    """ring8-shaped points: 8 modes on the unit circle, labels = mode index."""
    g = torch.Generator().manual_seed(seed)
    k = torch.randint(8, (n,), generator=g)
    angle = 2 * math.pi * k / 8
    x = torch.stack([angle.cos(), angle.sin()], 1) + 0.01 * torch.randn(n, 2, generator=g)
    means = [[math.cos(2 * math.pi * i / 8), math.sin(2 * math.pi * i / 8)] for i in range(8)]
    info = DataInfo("ring8", "points", (2,), 8, [str(i) for i in range(8)], 1.0, means, 0.01)
    return Dataset(x, k, info)


def tiny_images(n: int = 128, size: int = 28, channels: int = 1, classes: int = 10,
                seed: int = 0) -> Dataset:
    """Random images in [-1, 1] with labels: enough to exercise shapes and gradients."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, channels, size, size, generator=g) * 2 - 1
    y = torch.randint(classes, (n,), generator=g)
    info = DataInfo("glyphs", "image", (channels, size, size), classes, [str(i) for i in range(classes)])
    return Dataset(x, y, info)


def tiny_pairs(n: int = 64, size: int = 28, in_channels: int = 1, out_channels: int = 1,
               seed: int = 0) -> Dataset:
    """Random image pairs in [-1, 1] (inputs in y, targets in x) and 8 held-out pairs."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n + 8, out_channels, size, size, generator=g) * 2 - 1
    y = torch.rand(n + 8, in_channels, size, size, generator=g) * 2 - 1
    info = DataInfo("sketch2glyphs", "paired", (out_channels, size, size),
                    input_shape=(in_channels, size, size))
    return Dataset(x[8:], y[8:], info, held_out_pairs=Pairs(y[:8], x[:8]))


def tiny_of_kind(kind: str) -> tuple[Dataset, str]:
    """In-memory data of a data kind and the name of a registered source of that kind, for tests
    generated over every variant and the kinds of data it trains on."""
    return {"points": lambda: (tiny_points(), "ring8"), "image": lambda: (tiny_images(), "glyphs"),
            "paired": lambda: (tiny_pairs(), "sketch2glyphs")}[kind]()


# ---- small files for the file-backed sources ---------------------------------------------------
def idx_bytes(arr: np.ndarray) -> bytes:
    """An IDX file of uint8 `arr` (the format of MNIST's files)."""
    return bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def write_idx_split(folder: Path, prefix: str, n: int = 20, gz: bool = True, seed: int = 0) -> tuple:
    """MNIST-like `<prefix>-images-idx3-ubyte[.gz]` and labels (0..9 in turn) in `folder`;
    returns (images (n, 28, 28) uint8, labels (n,) uint8)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    for base, arr in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
        data = idx_bytes(arr)
        (folder / (base + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
    return images, labels


def write_image_folder(folder: Path, classes=("cats", "dogs"), per_class: int = 3) -> None:
    """`folder/<class>/<i>.png`: small RGB images of one colour per class."""
    for k, name in enumerate(classes):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.new("RGB", (40, 30), (40 + 80 * k, 10 * i, 200 - 80 * k)).save(folder / name / f"{i}.png")


def side_by_side_image(i: int, height: int = 20) -> Image.Image:
    """One A|B pair, 2 x height wide: a gray input (left) and a colour target (right), both
    varying with `i` so pairs differ."""
    img = Image.new("RGB", (2 * height, height), (200, 20 * (i % 10), 40))
    img.paste((40 + 15 * (i % 10),) * 3, (0, 0, height, height))
    return img


def write_side_by_side(folder: Path, n: int = 6, sub: str = "", height: int = 20) -> None:
    """`folder[/sub]/<i>.png`: n A|B pair images (input left, target right)."""
    (folder / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        side_by_side_image(i, height).save(folder / sub / f"{i}.png")


def write_two_folders(folder: Path, n: int = 6, sub: str = "", size: int = 20) -> None:
    """`folder/A[/sub]/<i>.png` (gray inputs) and `folder/B[/sub]/<i>.jpg` (colour targets): the
    same names, different extensions, as pairs are matched."""
    for side in ("A", "B"):
        (folder / side / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("L", (size, size), 40 + 15 * (i % 10)).save(folder / "A" / sub / f"{i}.png")
        Image.new("RGB", (size, size), (200, 20 * (i % 10), 40)).save(folder / "B" / sub / f"{i}.jpg")


def bomb_png(width: int = 60000, height: int = 60000) -> bytes:
    """A tiny PNG whose header declares width x height gray pixels (3.6 gigapixels by default)
    while its data is a few bytes: a decompression bomb."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100))
            + chunk(b"IEND", b""))


def make_zip(entries, symlinks=()) -> bytes:
    """A .zip of (name, bytes) `entries`, plus (name, target) symbolic-link entries (hostile
    uploads and bundles are made of these)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return buf.getvalue()


def _idx_source(name: str) -> Callable[[Path], DataConfig]:
    def recipe(folder: Path) -> DataConfig:
        write_idx_split(folder, "t10k")
        return DataConfig(dataset=name, data_dir=str(folder), split="test", download=False)
    return recipe


def _sketched_mnist(folder: Path) -> DataConfig:
    write_idx_split(folder, "t10k", n=60)
    return DataConfig(dataset="sketch2digits", data_dir=str(folder), split="test", download=False)


def _paired_folder(folder: Path) -> DataConfig:
    write_side_by_side(folder)
    return DataConfig(dataset="paired_folder", data_dir=str(folder))


def _image_folder(folder: Path) -> DataConfig:
    write_image_folder(folder)
    return DataConfig(dataset="folder", data_dir=str(folder))


# Every registered source, loaded small: name -> (an empty folder) -> the DataConfig to load.
SOURCE_RECIPES: dict[str, Callable[[Path], DataConfig]] = {
    **{name: (lambda folder, name=name: DataConfig(dataset=name, num_samples=300))
       for name in ("ring8", "grid25", "spiral", "moons")},
    "glyphs": lambda folder: DataConfig(dataset="glyphs", num_samples=100),
    "mnist": _idx_source("mnist"),
    "fashion_mnist": _idx_source("fashion_mnist"),
    "folder": _image_folder,
    "photos": lambda folder: DataConfig(dataset="photos", num_samples=50),
    "sketch2digits": _sketched_mnist,
    "sketch2glyphs": lambda folder: DataConfig(dataset="sketch2glyphs", num_samples=60),
    "grey2colour": lambda folder: DataConfig(dataset="grey2colour", num_samples=50),
    "inpaint": lambda folder: DataConfig(dataset="inpaint", num_samples=50),
    "paired_folder": _paired_folder,
    "drawn": lambda folder: DataConfig(dataset="drawn", num_samples=300, data_dir=str(
        save_drawing([[0.1 * i - 1.0, 0.5] for i in range(20)], folder))),
}


def source_config(name: str, folder: Path) -> DataConfig:
    """The config that loads source `name` on small data written into `folder` (no download)."""
    if name not in SOURCE_RECIPES:
        raise LookupError(f"the data source {name!r} has no small-data recipe: add one to "
                          "SOURCE_RECIPES in tests/tiny_data.py, so it is tested like the others")
    return SOURCE_RECIPES[name](folder)
