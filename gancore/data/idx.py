"""MNIST and Fashion-MNIST from IDX files: read from --data-dir, or downloaded once into a cache
folder from a public mirror with SHA-256 checks.

A folder may hold only one split (e.g. only the t10k files); the split setting chooses which is read.
Files may be gzipped (`*.gz`, as distributed) or raw.

The hashes and sizes are those of the canonical gz files, as listed by tensorflow/datasets
(`tensorflow_datasets/url_checksums/mnist.txt` and `fashion_mnist.txt`). Tests swap `MNIST` /
`FASHION_MNIST` for sources pointing at a local server: the loaders look them up at call time.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import socket
import struct
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch

from ..errors import ConfigError, DataError
from .base import DataInfo, Dataset
from .registry import register_dataset
from .resize import resize_images

SPLIT_PREFIX = {"train": "train", "test": "t10k"}
DOWNLOAD_TIMEOUT_S = 30  # per socket operation, not for the whole file
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # cap when a file's size is unknown; the largest is 26 MB
ONLINE_CHECK_TTL_S = 60


@dataclass(frozen=True)
class IdxSource:
    name: str
    title: str
    mirrors: tuple[str, ...]  # base URLs ending in "/", tried in order
    sha256: dict  # file name (with .gz) -> SHA-256 of the file as distributed
    class_names: tuple[str, ...]
    download_mb: int  # both splits, for the "downloads N MB" note
    sizes: dict = field(default_factory=dict)  # file name -> bytes; a bigger download is cut off


MNIST = IdxSource(
    "mnist", "MNIST",
    ("https://ossci-datasets.s3.amazonaws.com/mnist/",
     "https://storage.googleapis.com/cvdf-datasets/mnist/"),
    {"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
     "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
     "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
     "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
    tuple(str(d) for d in range(10)), 11,
    {"train-images-idx3-ubyte.gz": 9_912_422, "train-labels-idx1-ubyte.gz": 28_881,
     "t10k-images-idx3-ubyte.gz": 1_648_877, "t10k-labels-idx1-ubyte.gz": 4_542})

FASHION_MNIST = IdxSource(
    "fashion_mnist", "Fashion-MNIST",
    ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    {"train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
     "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
     "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
     "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
    ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
     "Ankle boot"), 30,
    {"train-images-idx3-ubyte.gz": 26_421_880, "train-labels-idx1-ubyte.gz": 29_515,
     "t10k-images-idx3-ubyte.gz": 4_422_102, "t10k-labels-idx1-ubyte.gz": 5_148})


def split_files(split: str) -> tuple[str, str]:
    """Base names (without .gz) of the images and labels files of a split."""
    if split not in SPLIT_PREFIX:
        raise ConfigError("split", f"unknown split {split!r}; choose train or test")
    prefix = SPLIT_PREFIX[split]
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def cache_dir(source: IdxSource) -> Path:
    root = os.environ.get("GANCORE_CACHE_DIR") or Path.home() / ".cache" / "gancore"
    return Path(root).expanduser() / source.name


def find_file(folder: Path, base: str) -> Path | None:
    for name in (base + ".gz", base):
        if (folder / name).is_file():
            return folder / name
    return None


# ---- the IDX format -------------------------------------------------------------------------
# Magic: two zero bytes, a type byte (0x08 = unsigned byte, all MNIST-like files use it) and the
# number of dimensions; then each dimension as a big-endian uint32; then the data, row-major.
IDX_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file strictly: magic, dims, exact byte count. Any flaw -> DataError naming it."""
    try:
        data = path.read_bytes()
        raw = gzip.decompress(data) if path.suffix == ".gz" else data
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise DataError("data_dir", f"{path} is not a readable IDX file ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != IDX_UBYTE or not 1 <= raw[3] <= 3:
        raise DataError("data_dir", f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError("data_dir", f"{path} is truncated (header cut off)")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(raw) != expected:
        raise DataError("data_dir", f"{path} holds {len(raw):,} bytes but its header promises "
                        f"{expected:,} (truncated or corrupt)")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


# ---- downloading ----------------------------------------------------------------------------
def fetch_file(url: str, folder: Path, name: str, sha256: str, max_bytes: int) -> Path:
    """Stream `url` into a temp file in `folder`, check size and SHA-256, then os.replace it into
    place, so a reader never sees a partial or unverified file. Raises OSError on any failure,
    with nothing left behind."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            while chunk := resp.read(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise OSError(f"larger than the expected {max_bytes:,} bytes")
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise OSError(f"SHA-256 mismatch (got {digest.hexdigest()[:12]}..., "
                          f"expected {sha256[:12]}...)")
        os.replace(tmp, folder / name)
        return folder / name
    except (urllib.error.URLError, http.client.HTTPException, ValueError) as exc:
        raise OSError(getattr(exc, "reason", None) or exc) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)  # gone already after a successful os.replace


def download(source: IdxSource, names: list[str], folder: Path, expected: tuple[str, str]) -> None:
    """Fetch each of `names` into `folder` from the first mirror that serves a verified copy.
    `expected` (the split's two file names) only words the error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError("dataset", f"cannot create the cache folder {folder} ({exc.strerror}); set "
                        f"GANCORE_CACHE_DIR to a writable folder, or give a data folder (--data-dir)") from exc
    for name in names:
        reasons = []
        for base in source.mirrors:
            try:
                fetch_file(base + name, folder, name, source.sha256[name],
                           source.sizes.get(name, MAX_DOWNLOAD_BYTES))
                break
            except OSError as exc:
                reasons.append(f"{base + name}: {exc}")
        else:
            raise DataError("dataset", f"{source.title} is not in the cache folder {folder} and "
                            f"could not be downloaded ({'; '.join(reasons)}); put {expected[0]}.gz "
                            f"and {expected[1]}.gz in a folder and give it as the data folder (--data-dir)")


_online_cache: dict[str, tuple[float, bool]] = {}


def mirror_reachable(source: IdxSource, timeout: float = 1.0) -> bool:
    """A quick TCP connect to the first mirror, remembered for a minute (the Train page asks on
    every render)."""
    url = urlparse(source.mirrors[0])
    key = url.netloc
    now = time.monotonic()
    if key in _online_cache and now - _online_cache[key][0] < ONLINE_CHECK_TTL_S:
        return _online_cache[key][1]
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname, port), timeout=timeout).close()
        ok = True
    except OSError:
        ok = False
    _online_cache[key] = (now, ok)
    return ok


# ---- loading --------------------------------------------------------------------------------
def locate(source: IdxSource, cfg, fetch: bool) -> tuple[Path, Path]:
    """Paths of the split's images and labels files; downloads into the cache when allowed."""
    images, labels = split_files(cfg.split)
    other = "test" if cfg.split == "train" else "train"
    if cfg.data_dir:
        folder = Path(cfg.data_dir).expanduser()
        if not folder.is_dir():
            raise DataError("data_dir", f"folder {folder} does not exist; it should hold "
                            f"{images}.gz and {labels}.gz ({source.title}, split {cfg.split})")
    else:
        folder = cache_dir(source)
    found = [find_file(folder, images), find_file(folder, labels)]
    if all(found):
        return found[0], found[1]
    missing = " and ".join(b + "[.gz]" for b, f in zip((images, labels), found) if f is None)
    if cfg.data_dir:
        # The field leads the message wherever it is shown ("Split: ..." beside the Train page's
        # Split field, "--split: ..." on the CLI), so the words name no flag and no widget.
        if all(find_file(folder, base) for base in split_files(other)):
            raise DataError("split", f"{folder} holds only the {other} split of {source.title} "
                            f"(it has no {missing}); choose {other}")
        raise DataError("data_dir", f"{folder} has no {missing} ({source.title}, split {cfg.split}); "
                        f"put the IDX files there")
    if not fetch:
        raise DataError("download", f"the cache folder {folder} has no {missing} ({source.title}, "
                        f"split {cfg.split}) and downloads are off; allow downloads (--download true), "
                        f"or put the files in a folder and give it as the data folder (--data-dir)")
    bases = (images, labels)
    download(source, [b + ".gz" for b, f in zip(bases, found) if f is None], folder, bases)
    return find_file(folder, images), find_file(folder, labels)


def load_idx(source: IdxSource, cfg) -> Dataset:
    images_path, labels_path = locate(source, cfg, fetch=cfg.download)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError("data_dir", f"{images_path.name} ({images.shape}) and {labels_path.name} "
                        f"({labels.shape}) do not pair up as N images and N labels")
    if labels.max(initial=0) >= len(source.class_names):
        raise DataError("data_dir", f"{labels_path} has labels above {len(source.class_names) - 1}")
    x = torch.from_numpy(images.copy()).unsqueeze(1).float() / 127.5 - 1  # (N, 1, 28, 28) in [-1, 1]
    x = resize_images(x, cfg.image_size)
    y = torch.from_numpy(labels.astype(np.int64))
    info = DataInfo(source.name, "image", tuple(x.shape[1:]), len(source.class_names),
                    list(source.class_names))
    return Dataset(x, y, info)


def check_availability(source: IdxSource, cfg) -> ConfigError | None:
    """None when loading will work (files present, or a download that can start now); else the
    error naming the setting in the way (its `field`: where a form shows it). "Downloads N MB"
    alone is not a reason to refuse: the description says it."""
    try:
        split_files(cfg.split)
        locate(source, cfg, fetch=False)
        return None
    except DataError as exc:
        if cfg.data_dir:
            return exc
    except ConfigError as exc:
        return exc
    if not cfg.download:
        return DataError("download", f"{source.title} is not downloaded yet and downloads are off")
    if not mirror_reachable(source):
        return DataError("dataset", f"{source.title} downloads {source.download_mb} MB on first use; "
                         "no connection")
    return None


IDX_FIELDS = ("data_dir", "split", "image_size", "download")


# The lambdas read MNIST / FASHION_MNIST when called, so a test can swap in a local mirror.
@register_dataset("mnist", kind="image", labelled=True, native_size=28, native_channels=1,
                  availability=lambda cfg: check_availability(MNIST, cfg), fields=IDX_FIELDS,
                  description="MNIST: 70,000 handwritten digits (downloads 11 MB on first use).")
def load_mnist(cfg, seed: int) -> Dataset:
    return load_idx(MNIST, cfg)


@register_dataset("fashion_mnist", kind="image", labelled=True, native_size=28, native_channels=1,
                  availability=lambda cfg: check_availability(FASHION_MNIST, cfg), fields=IDX_FIELDS,
                  description="Fashion-MNIST: 70,000 small photos of clothes in 10 kinds "
                              "(downloads 30 MB on first use).")
def load_fashion_mnist(cfg, seed: int) -> Dataset:
    return load_idx(FASHION_MNIST, cfg)
