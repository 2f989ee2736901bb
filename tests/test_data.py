"""Each data source: shapes, ranges, labels, determinism; the IDX reader and its download path
against files and a local server the tests make; image folders good and bad."""
import gzip
import hashlib
import http.server
import math
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gancore import DataConfig, DataError, load_dataset
from gancore.data import idx

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _load(name, **kw):
    return load_dataset(DataConfig(dataset=name, **kw), seed=0)


# ---- 2D toys ---------------------------------------------------------------------------------
def test_ring8_means_are_on_the_unit_circle_at_2pi_k_over_8_with_sigma_001():
    d = _load("ring8")
    means = np.asarray(d.info.mode_means)
    angles = np.arctan2(means[:, 1], means[:, 0]) % (2 * np.pi)
    assert np.allclose(np.sort(angles), 2 * np.pi * np.arange(8) / 8)
    assert np.allclose(np.linalg.norm(means, axis=1), 1.0)
    assert d.info.mode_sigma == 0.01 and d.info.num_classes == 8
    raw = d.x.numpy() * d.info.scale
    residual = raw - means[d.y.numpy()]
    assert residual.std() == pytest.approx(0.01, rel=0.05), "each point is its mode's mean + N(0, 0.01)"


def test_grid25_covers_the_5x5_grid_and_undoes_its_scaling():
    d = _load("grid25")
    means = np.asarray(d.info.mode_means)
    assert sorted(set(means[:, 0])) == [-4, -2, 0, 2, 4] and len(means) == 25
    raw = d.x.numpy() * d.info.scale
    assert np.abs(raw - means[d.y.numpy()]).std() == pytest.approx(0.05 * math.sqrt(1 - 2 / math.pi), rel=0.1)
    assert np.abs(d.x.numpy()).max() < 2.5, "the network sees roughly unit-range data"


@pytest.mark.parametrize("name,classes", [("ring8", 8), ("grid25", 25), ("spiral", 2), ("moons", 2)])
def test_toys_shapes_labels_and_determinism(name, classes):
    a = load_dataset(DataConfig(dataset=name, num_samples=1000), seed=1)
    b = load_dataset(DataConfig(dataset=name, num_samples=1000), seed=1)
    c = load_dataset(DataConfig(dataset=name, num_samples=1000), seed=2)
    assert a.x.shape == (1000, 2) and a.x.dtype == torch.float32 and a.info.kind == "points"
    assert a.y.min() >= 0 and a.y.max() == classes - 1 and a.info.num_classes == classes
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)


# ---- glyphs ------------------------------------------------------------------------------------
def test_glyphs_are_balanced_labelled_digits_in_range():
    d = _load("glyphs", num_samples=2000)
    assert d.x.shape == (2000, 1, 28, 28) and d.x.min() >= -1 and d.x.max() <= 1
    assert d.y.bincount().tolist() == [200] * 10
    assert d.info.class_names == [str(k) for k in range(10)]
    # digits are bright strokes on a dark ground, and differ between classes
    assert (d.x > 0).float().mean() < 0.35
    means = torch.stack([d.x[d.y == k].mean(0) for k in range(10)])
    assert (means[1] - means[8]).abs().mean() > 0.05


def test_glyphs_are_deterministic_and_resizable():
    a, b = _load("glyphs", num_samples=300), _load("glyphs", num_samples=300)
    assert torch.equal(a.x, b.x)
    assert _load("glyphs", num_samples=100, image_size=32).x.shape == (100, 1, 32, 32)


# ---- IDX files ----------------------------------------------------------------------------------
def _idx_bytes(arr: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def _write_split(folder: Path, prefix: str, n: int = 20, gz: bool = True, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    for base, arr in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
        data = _idx_bytes(arr)
        (folder / (base + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_idx_reader_reads_what_the_test_wrote(tmp_path, gz):
    images, labels = _write_split(tmp_path, "t10k", gz=gz)
    d = _load("mnist", data_dir=str(tmp_path), split="test")
    assert d.x.shape == (20, 1, 28, 28)
    assert torch.equal(((d.x + 1) * 127.5).round().to(torch.uint8)[:, 0], torch.from_numpy(images))
    assert d.y.tolist() == labels.tolist()


def test_a_folder_with_one_split_serves_that_split_and_names_the_missing_files(tmp_path):
    _write_split(tmp_path, "t10k")
    with pytest.raises(DataError) as err:
        _load("mnist", data_dir=str(tmp_path), split="train")
    assert "train-images-idx3-ubyte" in err.value.message and str(tmp_path) in err.value.message
    assert "--split test" in err.value.message


@pytest.mark.parametrize("damage", ["truncate", "magic", "notgzip"])
def test_corrupt_idx_files_are_refused_with_the_file_named(tmp_path, damage):
    _write_split(tmp_path, "t10k", gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[:-100])
    elif damage == "magic":
        path.write_bytes(b"\x01\x02" + data[2:])
    else:
        path.unlink()
        (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError) as err:
        _load("mnist", data_dir=str(tmp_path), split="test")
    assert "t10k-images-idx3-ubyte" in err.value.message


def test_mismatched_images_and_labels_are_refused(tmp_path):
    _write_split(tmp_path, "t10k", n=20)
    labels = (np.arange(5) % 10).astype(np.uint8)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(labels)))
    with pytest.raises(DataError, match="pair up"):
        _load("mnist", data_dir=str(tmp_path), split="test")


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="../shared/data/mnist is not present")
def test_the_real_mnist_test_split():
    d = _load("mnist", data_dir=str(SHARED_MNIST), split="test")
    assert d.x.shape == (10000, 1, 28, 28) and d.x.min() == -1 and d.x.max() == 1
    assert d.y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert d.y.bincount().tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    with pytest.raises(DataError, match="train-images-idx3-ubyte"):
        _load("mnist", data_dir=str(SHARED_MNIST), split="train")


# ---- the download path, against a local server ------------------------------------------------
@pytest.fixture
def mirror(tmp_path):
    """A local HTTP server serving the files in tmp_path/served."""
    served = tmp_path / "served"
    served.mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler_cls = server.RequestHandlerClass
    handler_cls.log_message = lambda *a: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _source_for(base_url: str, served: Path, tamper: bool = False) -> idx.IdxSource:
    hashes = {}
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        digest = hashlib.sha256((served / name).read_bytes()).hexdigest()
        hashes[name] = ("0" * 64) if tamper and "images" in name else digest
    return idx.IdxSource("mnist", "MNIST", (base_url,), hashes, tuple(str(d) for d in range(10)), 11)


def test_download_fetches_verifies_and_caches(mirror, tmp_path, monkeypatch):
    served, url = mirror
    images, _ = _write_split(served, "t10k")
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(tmp_path / "cache"))
    source = _source_for(url, served)
    d = idx.load_idx(source, DataConfig(dataset="mnist", split="test"))
    assert d.x.shape == (20, 1, 28, 28)
    cached = sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir())
    assert cached == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    # second load: from the cache, even with the mirror gone
    gone = _source_for("http://127.0.0.1:9/", served)
    assert torch.equal(idx.load_idx(gone, DataConfig(dataset="mnist", split="test")).x, d.x)


def test_a_download_with_the_wrong_sha256_is_refused_and_leaves_nothing(mirror, tmp_path, monkeypatch):
    served, url = mirror
    _write_split(served, "t10k")
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="SHA-256 mismatch"):
        idx.load_idx(_source_for(url, served, tamper=True), DataConfig(dataset="mnist", split="test"))
    folder = tmp_path / "cache" / "mnist"
    assert not (folder / "t10k-images-idx3-ubyte.gz").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "no partial file left"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_and_absent_is_a_clear_error_naming_folder_and_files(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(tmp_path / "cache"))
    source = idx.IdxSource("mnist", "MNIST", (f"http://127.0.0.1:{_closed_port()}/",),
                           dict(idx.MNIST.sha256), idx.MNIST.class_names, 11)
    with pytest.raises(DataError) as err:
        idx.load_idx(source, DataConfig(dataset="mnist", split="test"))
    message = err.value.message
    assert "could not be downloaded" in message and str(tmp_path / "cache" / "mnist") in message
    assert "t10k-images-idx3-ubyte.gz" in message and "--data-dir" in message
    assert idx.availability(source)(DataConfig(dataset="mnist")) == "MNIST downloads 11 MB on first use; no connection"


def test_fashion_mnist_carries_its_class_names(tmp_path):
    _write_split(tmp_path, "t10k")
    d = _load("fashion_mnist", data_dir=str(tmp_path), split="test")
    assert d.info.class_names[0] == "T-shirt/top" and d.info.class_names[9] == "Ankle boot"


# ---- image folders -------------------------------------------------------------------------------
def _image(path: Path, mode="RGB", size=(40, 30), color=(200, 10, 10)):
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new(mode, size, color if mode in ("RGB", "RGBA") else 128)
    img.save(path)


def test_folder_with_class_subfolders(tmp_path):
    for i in range(3):
        _image(tmp_path / "cats" / f"{i}.png")
        _image(tmp_path / "dogs" / f"{i}.jpg", color=(10, 200, 10))
    _image(tmp_path / "dogs" / "alpha.png", mode="RGBA")
    _image(tmp_path / "dogs" / "palette.png", mode="P")
    _image(tmp_path / "dogs" / "gray16.png", mode="I;16")
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    d = _load("folder", data_dir=str(tmp_path))
    assert d.x.shape == (9, 3, 32, 32) and d.info.class_names == ["cats", "dogs"]
    assert d.y.tolist() == [0, 0, 0] + [1] * 6
    assert d.x.min() >= -1 and d.x.max() <= 1
    gray = _load("folder", data_dir=str(tmp_path), image_size=16, channels=1)
    assert gray.x.shape == (9, 1, 16, 16)


def test_folder_without_subfolders_is_unlabelled_and_skips_corrupt_files(tmp_path):
    for i in range(4):
        _image(tmp_path / f"{i}.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    d = _load("folder", data_dir=str(tmp_path))
    assert d.y is None and d.info.num_classes == 0 and len(d) == 4
    assert d.info.skipped_files == 1


@pytest.mark.parametrize("setup,words", [
    (lambda p: None, "no usable images"),
    (lambda p: (p / "x.png").write_bytes(b"nope"), "no usable images"),
])
def test_folder_with_nothing_usable_is_a_clear_error(tmp_path, setup, words):
    setup(tmp_path)
    with pytest.raises(DataError, match=words):
        _load("folder", data_dir=str(tmp_path))


def test_folder_needs_a_data_dir_that_exists(tmp_path):
    with pytest.raises(DataError, match="needs --data-dir"):
        _load("folder")
    with pytest.raises(DataError, match="does not exist"):
        _load("folder", data_dir=str(tmp_path / "missing"))
