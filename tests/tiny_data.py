"""Small datasets for fast tests: in memory (variants, the trainer, the run store), and small
files a test writes for every registered data source to load (`source_config`)."""
from __future__ import annotations

import gzip
import io
import math
import stat
import struct
import zipfile
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
    "drawn": lambda folder: DataConfig(dataset="drawn", num_samples=300, data_dir=str(
        save_drawing([[0.1 * i - 1.0, 0.5] for i in range(20)], folder))),
}


def source_config(name: str, folder: Path) -> DataConfig:
    """The config that loads source `name` on small data written into `folder` (no download)."""
    if name not in SOURCE_RECIPES:
        raise LookupError(f"the data source {name!r} has no small-data recipe: add one to "
                          "SOURCE_RECIPES in tests/tiny_data.py, so it is tested like the others")
    return SOURCE_RECIPES[name](folder)
