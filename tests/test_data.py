"""Each data source: shapes, ranges, labels, determinism; the IDX reader and its download path
against files and a local server the tests make; image folders good and bad."""
import dataclasses
import gzip
import hashlib
import http.server
import socket
import struct
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gancore import ConfigError, DataConfig, DataError, get_dataset_spec, load_dataset
from gancore.data import folder, idx, list_datasets
from tiny_data import idx_bytes, write_idx_split

# <repo>/../shared/data/mnist: the real MNIST test split, never copied into the project
SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
T10K = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _load(name, seed=0, **kw):
    return load_dataset(DataConfig(dataset=name, **kw), seed=seed)


def test_every_source_is_registered():
    expected = {"ring8", "grid25", "spiral", "moons", "glyphs", "mnist", "fashion_mnist", "folder"}
    assert expected <= set(list_datasets())


# ---- 2D toys ---------------------------------------------------------------------------------
def test_ring8_means_are_on_the_unit_circle_at_2pi_k_over_8_with_sigma_001():
    d = _load("ring8")
    assert len(d) == 50_000 and d.info.scale == 1.0
    means = np.asarray(d.info.mode_means)
    k = np.arange(8)
    assert np.allclose(means, np.stack([np.cos(2 * np.pi * k / 8), np.sin(2 * np.pi * k / 8)], 1))
    assert d.info.mode_sigma == 0.01 and d.info.num_classes == 8
    raw = d.x.numpy() * d.info.scale
    residual = raw - means[d.y.numpy()]
    assert residual.std() == pytest.approx(0.01, rel=0.05), "each point is its mode's mean + N(0, 0.01)"
    assert np.abs(residual.mean(0)).max() < 1e-3
    assert d.y.bincount().min() > 50_000 / 8 * 0.9, "modes are equally likely"


def test_grid25_covers_the_5x5_grid_and_undoes_its_scaling():
    d = _load("grid25")
    means = np.asarray(d.info.mode_means)
    grid = {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(m) for m in means} == grid and len(means) == 25
    assert d.info.mode_sigma == 0.05 and d.info.num_classes == 25
    raw = d.x.numpy() * d.info.scale
    assert (raw - means[d.y.numpy()]).std() == pytest.approx(0.05, rel=0.05)
    assert d.info.scale > 1 and np.abs(d.x.numpy()).max() < 2.5, "the network sees roughly unit-range data"


@pytest.mark.parametrize("name,classes", [("ring8", 8), ("grid25", 25), ("spiral", 2), ("moons", 2)])
def test_toys_shapes_labels_and_determinism(name, classes):
    a = _load(name, seed=1, num_samples=1000)
    b = _load(name, seed=1, num_samples=1000)
    c = _load(name, seed=2, num_samples=1000)
    assert a.x.shape == (1000, 2) and a.x.dtype == torch.float32 and a.info.kind == "points"
    assert a.y.dtype == torch.int64 and a.y.min() == 0 and a.y.max() == classes - 1
    assert a.info.num_classes == classes and len(a.info.class_names) == classes
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and not torch.equal(a.x, c.x)
    assert a.x.abs().max() < 3
    if name in ("spiral", "moons"):
        assert a.info.mode_means is None and a.info.mode_sigma is None


# ---- glyphs ------------------------------------------------------------------------------------
def test_glyphs_are_balanced_labelled_digits_in_range():
    d = _load("glyphs", num_samples=2000)
    assert d.x.shape == (2000, 1, 28, 28) and d.x.dtype == torch.float32
    assert d.x.min() >= -1 and d.x.max() <= 1 and d.y.dtype == torch.int64
    assert d.y.bincount().tolist() == [200] * 10
    assert d.info.class_names == [str(k) for k in range(10)] and d.info.kind == "image"
    # white strokes on a black ground, like MNIST: mostly dark, corners empty
    assert (d.x > 0).float().mean() < 0.35
    assert d.x[:, :, :2, :2].mean() < -0.9
    # the classes differ from each other
    means = torch.stack([d.x[d.y == k].mean(0) for k in range(10)])
    assert (means[1] - means[8]).abs().mean() > 0.05


def test_glyphs_default_count_seeds_and_sizes():
    assert len(_load("glyphs")) == 10_000
    a, b, c = (_load("glyphs", seed=s, num_samples=300) for s in (0, 0, 1))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and not torch.equal(a.x, c.x)
    for side in (16, 32, 64):
        d = _load("glyphs", num_samples=100, image_size=side)
        assert d.x.shape == (100, 1, side, side) and d.info.shape == (1, side, side)
        assert d.x.min() >= -1 and d.x.max() <= 1


def test_editing_a_loaded_glyph_dataset_does_not_change_the_next_load():
    a = _load("glyphs", num_samples=200)
    a.x.zero_()
    assert _load("glyphs", num_samples=200).x.abs().sum() > 0


# ---- IDX files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [True, False])
def test_idx_reader_reads_what_the_test_wrote(tmp_path, gz):
    images, labels = write_idx_split(tmp_path, "t10k", gz=gz)
    d = _load("mnist", data_dir=str(tmp_path), split="test")
    assert d.x.shape == (20, 1, 28, 28) and d.x.dtype == torch.float32 and d.y.dtype == torch.int64
    assert torch.equal(((d.x + 1) * 127.5).round().to(torch.uint8)[:, 0], torch.from_numpy(images))
    assert d.y.tolist() == labels.tolist() and d.info.class_names == [str(k) for k in range(10)]
    assert _load("mnist", data_dir=str(tmp_path), split="test", image_size=32).x.shape == (20, 1, 32, 32)


def test_a_folder_with_one_split_serves_that_split_and_names_the_missing_files(tmp_path):
    write_idx_split(tmp_path, "t10k")
    with pytest.raises(DataError) as err:
        _load("mnist", data_dir=str(tmp_path), split="train")
    message = err.value.message
    assert "train-images-idx3-ubyte" in message and "train-labels-idx1-ubyte" in message
    assert str(tmp_path) in message and message.endswith("choose test") and err.value.field == "split"
    assert "--" not in message, "the field leads the message: Split on the page, --split on the CLI"


def _corrupt(path: Path, damage: str) -> None:
    """Damage the raw IDX file `path` one way; the gzip kinds replace it with a broken path.gz."""
    data = path.read_bytes()
    raw = {"truncate": data[:-100], "magic": b"\x01\x02" + data[2:], "header": bytes([0, 0, 8, 3, 0, 0]),
           "dtype": bytes([0, 0, 0x0D]) + data[3:]}  # 0x0D = float32, not what MNIST-like files hold
    if damage in raw:
        path.write_bytes(raw[damage])
        return
    packed = gzip.compress(data)
    flipped = bytearray(gzip.compress(bytes(20_000)))  # compressible, so a flip breaks the stream:
    flipped[12] ^= 0xFF  # zlib.error, which is no OSError (a flip in random data only fails the CRC)
    path.unlink()
    broken = {"notgzip": b"not gzip at all", "gzip_cut": packed[: len(packed) // 2], "deflate": bytes(flipped)}
    path.with_name(path.name + ".gz").write_bytes(broken[damage])


@pytest.mark.parametrize("damage", ["truncate", "magic", "header", "dtype", "notgzip", "gzip_cut",
                                    "deflate"])
def test_corrupt_idx_files_are_refused_with_the_file_named(tmp_path, damage):
    write_idx_split(tmp_path, "t10k", gz=False)
    _corrupt(tmp_path / "t10k-images-idx3-ubyte", damage)
    with pytest.raises(DataError) as err:
        _load("mnist", data_dir=str(tmp_path), split="test")
    assert "t10k-images-idx3-ubyte" in err.value.message


def test_mismatched_images_and_labels_are_refused(tmp_path):
    write_idx_split(tmp_path, "t10k", n=20)
    labels = (np.arange(5) % 10).astype(np.uint8)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(DataError, match="pair up"):
        _load("mnist", data_dir=str(tmp_path), split="test")


def test_a_missing_data_dir_and_an_unknown_split_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        _load("mnist", data_dir=str(tmp_path / "nope"), split="test")
    with pytest.raises(ConfigError) as err:
        _load("mnist", data_dir=str(tmp_path), split="validation")
    assert err.value.field == "split"


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="../shared/data/mnist is not present")
def test_the_real_mnist_test_split():
    d = _load("mnist", data_dir=str(SHARED_MNIST), split="test")
    assert d.x.shape == (10000, 1, 28, 28) and d.x.min() == -1 and d.x.max() == 1
    assert d.y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert d.y.bincount().tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert get_dataset_spec("mnist").availability(
        DataConfig(dataset="mnist", data_dir=str(SHARED_MNIST), split="test")) is None
    with pytest.raises(DataError) as err:
        _load("mnist", data_dir=str(SHARED_MNIST), split="train")
    assert "train-images-idx3-ubyte" in err.value.message and "train-labels-idx1-ubyte" in err.value.message
    assert str(SHARED_MNIST) in err.value.message and err.value.field == "split"


# ---- the download path, against a local server ------------------------------------------------
@pytest.fixture
def mirror(tmp_path):
    """A local HTTP server on 127.0.0.1 serving the files in tmp_path/served; yields (folder, url)."""
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(served), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache root; returns the folder MNIST downloads into."""
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mnist"


def _use_mirrors(monkeypatch, mirrors, served: Path | None = None, tamper=()):
    """Point the registered `mnist` source at `mirrors`, with the hashes of the served files
    (or of nothing, when served is None); names in `tamper` get a wrong hash."""
    hashes = dict(idx.MNIST.sha256)
    if served is not None:
        for name in T10K:
            hashes[name] = hashlib.sha256((served / name).read_bytes()).hexdigest()
    hashes.update({name: "0" * 64 for name in tamper})
    source = idx.IdxSource("mnist", "MNIST", tuple(mirrors), hashes, idx.MNIST.class_names, 11)
    monkeypatch.setattr(idx, "MNIST", source)
    return source


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_fetches_verifies_and_caches(mirror, cache, monkeypatch):
    served, url = mirror
    images, _ = write_idx_split(served, "t10k")
    _use_mirrors(monkeypatch, [url], served)
    cfg = DataConfig(dataset="mnist", split="test")
    assert get_dataset_spec("mnist").availability(cfg) is None, "a reachable mirror is no obstacle"
    d = load_dataset(cfg)
    assert torch.equal(((d.x + 1) * 127.5).round().to(torch.uint8)[:, 0], torch.from_numpy(images))
    assert sorted(p.name for p in cache.iterdir()) == sorted(T10K), "no temp files left"
    # second load: from the cache, with the mirror gone
    _use_mirrors(monkeypatch, [f"http://127.0.0.1:{_closed_port()}/"], served)
    assert get_dataset_spec("mnist").availability(cfg) is None
    assert torch.equal(load_dataset(cfg).x, d.x)


def test_a_download_with_the_wrong_sha256_is_refused_and_leaves_nothing(mirror, cache, monkeypatch):
    served, url = mirror
    write_idx_split(served, "t10k")
    _use_mirrors(monkeypatch, [url], served, tamper=["t10k-images-idx3-ubyte.gz"])
    with pytest.raises(DataError, match="SHA-256 mismatch"):
        _load("mnist", split="test")
    assert not (cache / "t10k-images-idx3-ubyte.gz").exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".")], "no partial file left"


def test_the_next_mirror_is_tried_when_one_fails(mirror, cache, monkeypatch, tmp_path):
    served, url = mirror
    write_idx_split(served, "t10k")
    dead = f"http://127.0.0.1:{_closed_port()}/"
    missing = url + "nothing-here/"  # 404 from a live server
    _use_mirrors(monkeypatch, [dead, missing, url], served)
    assert len(_load("mnist", split="test")) == 20


def test_a_download_larger_than_expected_is_cut_off(mirror, cache, monkeypatch):
    served, url = mirror
    write_idx_split(served, "t10k")
    source = _use_mirrors(monkeypatch, [url], served)
    sizes = {"t10k-images-idx3-ubyte.gz": 100}  # the served file is far bigger
    monkeypatch.setattr(idx, "MNIST", dataclasses.replace(source, sizes=sizes))
    with pytest.raises(DataError, match="larger than"):
        _load("mnist", split="test")
    assert not (cache / "t10k-images-idx3-ubyte.gz").exists()


def test_offline_and_absent_is_a_clear_error_naming_folder_and_files(cache, monkeypatch):
    _use_mirrors(monkeypatch, [f"http://127.0.0.1:{_closed_port()}/"])
    with pytest.raises(DataError) as err:
        _load("mnist", split="test")
    message = err.value.message
    assert "could not be downloaded" in message and str(cache) in message
    assert all(name in message for name in T10K) and "--data-dir" in message
    availability = get_dataset_spec("mnist").availability
    assert availability(DataConfig(dataset="mnist")).message == "MNIST downloads 11 MB on first use; no connection"
    assert "downloads are off" in availability(DataConfig(dataset="mnist", download=False)).message
    with pytest.raises(DataError) as err:
        _load("mnist", split="test", download=False)
    assert str(cache) in err.value.message and "t10k-images-idx3-ubyte" in err.value.message


def test_the_real_sources_list_a_size_and_sha256_for_each_file():
    for source in (idx.MNIST, idx.FASHION_MNIST):
        assert set(source.sha256) == set(source.sizes) and len(source.sha256) == 4
        assert all(len(h) == 64 for h in source.sha256.values()) and source.mirrors[0].endswith("/")


def test_fashion_mnist_carries_its_class_names(tmp_path):
    write_idx_split(tmp_path, "t10k")
    d = _load("fashion_mnist", data_dir=str(tmp_path), split="test")
    assert d.info.class_names == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                  "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---- image folders -------------------------------------------------------------------------------
def _image(path: Path, mode="RGB", size=(40, 30), color=(200, 10, 10)):
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new(mode, size, color if mode in ("RGB", "RGBA") else 128)
    img.save(path)


def _bomb_png(width=60_000, height=60_000) -> bytes:
    """A PNG whose header declares width x height pixels, with no pixel data behind it."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_folder_with_class_subfolders(tmp_path):
    for i in range(3):
        _image(tmp_path / "cats" / f"{i}.png")
        _image(tmp_path / "dogs" / f"{i}.jpg", color=(10, 200, 10))
    _image(tmp_path / "dogs" / "alpha.png", mode="RGBA")
    _image(tmp_path / "dogs" / "palette.png", mode="P")
    _image(tmp_path / "dogs" / "gray16.png", mode="I;16")
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    (tmp_path / "empty_class").mkdir()
    d = _load("folder", data_dir=str(tmp_path))
    assert d.x.shape == (9, 3, 32, 32) and d.x.dtype == torch.float32
    assert d.info.class_names == ["cats", "dogs"] and d.info.num_classes == 2, "empty subfolders are no class"
    assert d.y.tolist() == [0, 0, 0] + [1] * 6 and d.y.dtype == torch.int64
    assert d.x.min() >= -1 and d.x.max() <= 1 and d.info.skipped_files == 0
    red = [200 / 127.5 - 1, 10 / 127.5 - 1, 10 / 127.5 - 1]
    assert d.x[0, :, 16, 16].tolist() == pytest.approx(red, abs=0.02)
    gray = _load("folder", data_dir=str(tmp_path), image_size=16, channels=1)
    assert gray.x.shape == (9, 1, 16, 16)


def test_folder_resizes_the_shorter_side_then_crops_the_centre(tmp_path):
    img = Image.new("RGB", (90, 30), (0, 0, 0))
    img.paste((255, 255, 255), (30, 0, 60, 30))  # a white middle third
    img.save(tmp_path / "wide.png")
    x = _load("folder", data_dir=str(tmp_path), image_size=16).x
    assert x.shape == (1, 3, 16, 16)
    # cropped, not squashed: all white but the outermost columns, which the filter blends
    assert x[..., 1:-1].min() > 0.9


def test_folder_scales_16_bit_gray_instead_of_clipping(tmp_path):
    Image.fromarray(np.full((20, 20), 32768, np.uint16)).save(tmp_path / "half.png")
    x = _load("folder", data_dir=str(tmp_path), channels=1).x
    assert x.mean().item() == pytest.approx(0.0, abs=0.02), "half of 65535 is mid-gray, not white"


def test_folder_without_subfolders_is_unlabelled_and_skips_corrupt_files(tmp_path):
    for i in range(4):
        _image(tmp_path / f"{i}.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "0.png").read_bytes()[:40])
    (tmp_path / "bomb.png").write_bytes(_bomb_png())
    d = _load("folder", data_dir=str(tmp_path))
    assert d.y is None and d.info.num_classes == 0 and d.info.class_names == [] and len(d) == 4
    assert d.info.skipped_files == 3


def test_folder_treats_images_over_the_pixel_limit_as_unusable(tmp_path, monkeypatch):
    _image(tmp_path / "small.png", size=(10, 10))
    _image(tmp_path / "large.png", size=(200, 100))
    monkeypatch.setattr(folder, "MAX_PIXELS", 10_000)
    d = _load("folder", data_dir=str(tmp_path))
    assert len(d) == 1 and d.info.skipped_files == 1


@pytest.mark.parametrize("setup", [
    lambda p: None,
    lambda p: (p / "x.png").write_bytes(b"nope"),
    lambda p: (p / "only_class").mkdir(),
])
def test_folder_with_nothing_usable_is_a_clear_error(tmp_path, setup):
    setup(tmp_path)
    with pytest.raises(DataError) as err:
        _load("folder", data_dir=str(tmp_path))
    assert "no usable images" in err.value.message and str(tmp_path) in err.value.message


def test_folder_needs_a_data_dir_that_exists(tmp_path):
    with pytest.raises(DataError, match=r"needs a data folder \(--data-dir\)"):
        _load("folder")
    with pytest.raises(DataError, match="does not exist"):
        _load("folder", data_dir=str(tmp_path / "missing"))
    availability = get_dataset_spec("folder").availability
    assert availability(DataConfig(dataset="folder")) is not None
    assert availability(DataConfig(dataset="folder", data_dir=str(tmp_path))) is None
