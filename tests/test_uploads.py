"""A corpus of hostile and broken uploads, made here: each is refused or handled with one clear
message, nothing lands outside the uploads folder, and what is accepted trains."""
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from gancore import ConfigError, DataConfig, load_dataset, make_config
from gancore.training.trainer import Trainer
from gancore.data.uploads import UploadError, UploadLimits, import_images, import_zip
from tiny_data import make_zip


def png(mode="RGB", size=(12, 10), color=None) -> bytes:
    buf = io.BytesIO()
    img = Image.new(mode, size, color if color is not None else (0 if mode in ("L", "P", "I;16") else (200, 30, 30)))
    img.save(buf, format="PNG")
    return buf.getvalue()


def bomb_png(width=60000, height=60000) -> bytes:
    """A tiny PNG whose header declares 3.6 gigapixels (the data is a few bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.fixture
def root(tmp_path):
    return tmp_path / "uploads"


def _outside(tmp_path, root):
    """Every file under tmp_path that is not under the uploads folder."""
    return [p for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents]


def test_a_good_archive_with_class_folders_and_mixed_modes_trains(root):
    entries = [(f"pets/cats/{i}.png", png()) for i in range(4)]
    entries += [("pets/dogs/a.png", png("RGBA")), ("pets/dogs/b.png", png("P")),
                ("pets/dogs/c.png", png("L")), ("pets/dogs/d.png", png("I;16"))]
    archive = make_zip(entries)
    result = import_zip(archive, root)
    assert (result.images, result.classes) == (8, ["cats", "dogs"])
    data = load_dataset(DataConfig(dataset="folder", data_dir=result.folder, image_size=16), 0)
    assert data.x.shape == (8, 3, 16, 16) and data.info.class_names == ["cats", "dogs"]
    cfg = make_config("cdcgan", "folder", data_dir=result.folder, image_size=16, steps=2,
                      batch_size=4, base_channels=4, device="cpu")
    assert Trainer(cfg).run() == "finished"
    assert import_zip(archive, root).folder == result.folder, "same upload, same folder"


@pytest.mark.parametrize("name", ["../evil.png", "../../etc/passwd.png", "a/../../b.png", "/abs/evil.png",
                                  "C:/windows/evil.png", "..\\evil.png"])
def test_entries_pointing_outside_are_refused_and_nothing_is_written(tmp_path, root, name):
    with pytest.raises(UploadError, match="outside it|absolute path"):
        import_zip(make_zip([("ok/a.png", png()), (name, png())]), root)
    assert _outside(tmp_path, root) == []
    assert not root.exists() or not any(root.iterdir()), "no half-made folder"


def test_symlinks_are_refused(tmp_path, root):
    with pytest.raises(UploadError, match="symbolic link"):
        import_zip(make_zip([("a/x.png", png())], symlinks=[("a/link.png", "/etc/passwd")]), root)


def test_a_zip_bomb_is_refused_before_it_unpacks(root):
    big = b"\0" * (30 * 2**20)  # 30 MB of zeros compresses to ~30 KB
    data = make_zip([(f"c/{i}.png", big) for i in range(3)])
    assert len(data) < 1 * 2**20
    with pytest.raises(UploadError, match="unpack to .* the limit is 50 MB"):
        import_zip(data, root, UploadLimits(max_expanded_mb=50))
    assert not root.exists() or not any(root.iterdir())


def test_understated_sizes_are_caught_while_unpacking(root, understated_zip_sizes):
    data = make_zip([("c/a.png", b"\0" * (5 * 2**20))])
    with pytest.raises(UploadError, match="understated|damaged"):
        import_zip(data, root, UploadLimits(max_expanded_mb=1))


def test_too_big_an_upload_and_too_many_files(root):
    with pytest.raises(UploadError, match="the limit is 0.0001 MB"):
        import_zip(make_zip([("a/x.png", png())]), root, UploadLimits(max_upload_mb=0.0001))
    with pytest.raises(UploadError, match="holds 5 files; the limit is 3"):
        import_zip(make_zip([(f"a/{i}.png", png()) for i in range(5)]), root, UploadLimits(max_files=3))


def test_nested_archives_non_images_corrupt_truncated_and_bombs_are_skipped_and_counted(root):
    inner = make_zip([("deep/x.png", png())])
    entries = [("c/good.png", png()), ("c/inner.zip", make_zip([("x/inner2.zip", inner)])),
               ("c/notes.txt", b"hello"), ("c/broken.png", b"\x89PNG\r\n\x1a\ngarbage"),
               ("c/truncated.png", png(size=(64, 64))[:60]), ("c/bomb.png", bomb_png()),
               ("c/" + "/".join("d" * 8) + "/deep.png", png())]
    result = import_zip(make_zip(entries), root)
    assert result.images == 1
    assert result.skipped == {"archives inside the archive (not opened)": 1, "files that are not images": 1,
                              "images that do not decode": 2, "images over the pixel limit": 1,
                              "files nested too deep": 1}
    assert "1 images over the pixel limit" in result.summary()


def test_no_usable_image_is_one_clear_message(root):
    with pytest.raises(UploadError, match="no usable image in the upload"):
        import_zip(make_zip([("a/readme.txt", b"x"), ("a/b.png", b"junk")]), root)
    with pytest.raises(UploadError, match="it was empty"):
        import_zip(make_zip([]), root)
    with pytest.raises(UploadError, match="not a readable .zip"):
        import_zip(b"PK\x03\x04 this is not really a zip", root)


def test_non_utf8_names_are_made_safe(root):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("kl\x84sse/b\xe4r.png")  # cp437 bytes, no UTF-8 flag
        z.writestr(info, png())
        z.writestr("kl\x84sse/two.png", png())
    result = import_zip(buf.getvalue(), root)
    assert result.images == 2 and len(result.classes) == 1
    images = sorted(Path(result.folder).rglob("*.png"))
    assert len(images) == 2 and images[0].parent.name == result.classes[0]
    for name in [images[0].parent.name] + [p.name for p in images]:
        assert name.encode("utf-8").decode("utf-8") == name and name.isprintable(), name  # valid text


def test_one_class_only_trains_unconditionally_and_is_refused_for_conditional_variants(root):
    result = import_zip(make_zip([(f"only/{i}.png", png()) for i in range(4)]), root)
    assert result.classes == ["only"]
    with pytest.raises(ConfigError, match="at least two classes"):
        Trainer(make_config("cdcgan", "folder", data_dir=result.folder, image_size=16, device="cpu"))
    ok = make_config("dcgan", "folder", data_dir=result.folder, image_size=16, steps=1, batch_size=2,
                     base_channels=4, device="cpu")
    assert Trainer(ok).run() == "finished"


def test_loose_images_become_one_unlabelled_folder(root):
    result = import_images([("a.png", png()), ("../../b.png", png("L")), ("c.exe", b"MZ")], root)
    assert (result.images, result.classes) == (2, [])
    assert result.skipped == {"files that are not images": 1}
    assert all(p.parent == Path(result.folder) for p in Path(result.folder).rglob("*.png"))
