"""The paired data sources for pix2pix (grey2colour, inpaint, paired_folder) and paired uploads:
what each returns, the pairs kept out to test on, every refusal of a user's folder or upload,
and a few training steps on each."""
import dataclasses
import io

import numpy as np
import pytest
import torch
from PIL import Image

from gancore import DataConfig, load_dataset, make_config
from gancore.data.colour import HELD_PAIRS, luma
from gancore.data.paired_uploads import import_paired_images, import_paired_zip
from gancore.data.uploads import UploadError, UploadLimits, import_zip
from gancore.errors import DataError
from gancore.training.trainer import Trainer
from tiny_data import bomb_png, make_zip, side_by_side_image, write_side_by_side, write_two_folders


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def folder_data(root, **settings):
    return load_dataset(DataConfig(dataset="paired_folder", data_dir=str(root), **settings), 0)


def pair_ids(inputs: torch.Tensor, targets: torch.Tensor) -> tuple[list[int], list[int]]:
    """Which tiny_data pair each input and each target came from: the input's gray is
    40 + 15 i, the target's green 20 i (8-bit levels)."""
    def levels(x):
        return (x.mean((2, 3)) + 1) * 127.5  # (N, C) mean 8-bit level per channel
    return ([round((g - 40) / 15) for g in levels(inputs)[:, 0].tolist()],
            [round(g / 20) for g in levels(targets)[:, 1].tolist()])


def everything_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


# ---- grey2colour ---------------------------------------------------------------------------------
def test_grey2colour_pairs_a_grey_crop_with_its_colour_crop():
    data = load_dataset(DataConfig(dataset="grey2colour", num_samples=200), seed=0)
    held = data.held_out_pairs
    assert data.x.shape == (160, 3, 32, 32) and data.y.shape == (160, 1, 32, 32)
    assert held.inputs.shape == (40, 1, 32, 32) and held.targets.shape == (40, 3, 32, 32)
    assert data.info.input_shape == (1, 32, 32) and data.info.teaches
    for t in (data.x, data.y, held.inputs, held.targets):
        assert t.min() >= -1 and t.max() <= 1
    assert torch.allclose(data.y, luma(data.x)) and torch.allclose(held.inputs, luma(held.targets))
    assert (data.x[:, 0] - data.x[:, 2]).abs().mean() > 0.05, "the targets are in colour"


def test_grey2colour_grey_is_what_pillow_makes_of_an_uploaded_colour_photo():
    data = load_dataset(DataConfig(dataset="grey2colour", num_samples=50), seed=0)
    rgb = ((data.x[0] + 1) * 127.5).round().clamp(0, 255).byte().permute(1, 2, 0).numpy()
    pillow = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float32)
    ours = (luma(torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 127.5 - 1)[0, 0] + 1) * 127.5
    assert np.abs(ours.numpy() - pillow).max() <= 1.0


def test_grey2colour_takes_image_size_64_and_refuses_too_few_samples():
    data = load_dataset(DataConfig(dataset="grey2colour", num_samples=40, image_size=64), seed=0)
    assert data.x.shape[1:] == (3, 64, 64) and data.y.shape[1:] == (1, 64, 64)
    with pytest.raises(DataError, match="grey2colour needs at least 20 examples"):
        load_dataset(DataConfig(dataset="grey2colour", num_samples=5), seed=0)


@pytest.mark.parametrize("name", ["grey2colour", "inpaint"])
def test_the_held_out_pairs_are_the_same_for_every_seed_and_every_size_of_dataset(name):
    a = load_dataset(DataConfig(dataset=name, num_samples=1000), seed=0)
    b = load_dataset(DataConfig(dataset=name, num_samples=1000), seed=1)
    small = load_dataset(DataConfig(dataset=name, num_samples=100), seed=2)
    assert len(a.held_out_pairs) == HELD_PAIRS
    assert torch.equal(a.held_out_pairs.inputs, b.held_out_pairs.inputs)
    assert torch.equal(a.held_out_pairs.targets, b.held_out_pairs.targets)
    assert torch.equal(small.held_out_pairs.targets, a.held_out_pairs.targets[:20])
    assert not torch.equal(a.x, b.x), "the training crops follow the run's seed"


# ---- inpaint -------------------------------------------------------------------------------------
@pytest.mark.parametrize("side", [32, 64])
def test_inpaint_cuts_one_rectangular_mid_grey_hole_and_keeps_the_target_whole(side):
    data = load_dataset(DataConfig(dataset="inpaint", num_samples=100, image_size=side), seed=0)
    assert data.x.shape == data.y.shape == (80, 3, side, side) and data.info.input_shape == (3, side, side)
    lo, hi = round(0.2 * side), round(0.4 * side)
    corners = set()
    held = data.held_out_pairs
    for inp, target in list(zip(data.y, data.x)) + list(zip(held.inputs, held.targets)):
        hole = (inp == 0).all(0)  # (H, W): a real pixel is never exactly mid-grey on all channels
        rows, cols = hole.any(1).nonzero()[:, 0], hole.any(0).nonzero()[:, 0]
        h, w = len(rows), len(cols)
        assert lo <= h <= hi and lo <= w <= hi, "each side of the hole 20-40% of the picture's"
        assert rows[-1] - rows[0] + 1 == h and cols[-1] - cols[0] + 1 == w and hole.sum() == h * w, "one rectangle"
        assert torch.equal(inp[:, ~hole], target[:, ~hole]), "untouched outside the hole"
        assert not (target == 0).all(0).any(), "the target is whole"
        corners.add((int(rows[0]), int(cols[0])))
    assert len(corners) > 20, "the hole moves from picture to picture"


# ---- paired_folder: layouts ----------------------------------------------------------------------
def test_side_by_side_images_split_into_gray_inputs_and_colour_targets_that_stay_paired(tmp_path):
    write_side_by_side(tmp_path, n=10)
    data = folder_data(tmp_path)
    held = data.held_out_pairs
    assert data.info.shape == (3, 32, 32) and data.info.input_shape == (1, 32, 32)
    assert (len(data), len(held)) == (9, 1), "a tenth kept out"
    ins, outs = pair_ids(torch.cat([data.y, held.inputs]), torch.cat([data.x, held.targets]))
    assert ins == outs and sorted(ins) == list(range(10))
    assert folder_data(tmp_path, channels=3).info.input_shape == (3, 32, 32)
    assert folder_data(tmp_path, channels=1).info.shape == (1, 32, 32)
    assert torch.equal(folder_data(tmp_path).held_out_pairs.targets, held.targets), "the same pair every time"


def test_val_and_test_subfolders_are_the_pairs_kept_out(tmp_path):
    write_side_by_side(tmp_path, n=5, sub="train")
    for sub, i in (("val", 7), ("val", 8), ("test", 9)):
        (tmp_path / sub).mkdir(exist_ok=True)
        side_by_side_image(i).save(tmp_path / sub / f"{i}.png")
    data = folder_data(tmp_path, image_size=16)
    held = data.held_out_pairs
    assert len(data) == 5 and data.x.shape[2:] == (16, 16)
    ins, outs = pair_ids(held.inputs, held.targets)
    assert ins == outs and sorted(ins) == [7, 8, 9]
    assert sorted(pair_ids(data.y, data.x)[0]) == list(range(5))


def test_an_image_one_pixel_off_twice_as_wide_still_splits(tmp_path):
    side_by_side_image(3, height=20).crop((0, 0, 39, 20)).save(tmp_path / "narrow.png")
    wide = Image.new("RGB", (41, 20), (200, 60, 40))
    wide.paste((85, 85, 85), (0, 0, 20, 20))
    wide.save(tmp_path / "wide.png")
    data = folder_data(tmp_path)
    ins, outs = pair_ids(torch.cat([data.y, data.held_out_pairs.inputs]),
                         torch.cat([data.x, data.held_out_pairs.targets]))
    assert ins == outs == [3, 3]


def test_a_and_b_folders_pair_by_name_whatever_the_extension(tmp_path):
    write_two_folders(tmp_path, n=6, sub="train")
    write_two_folders(tmp_path, n=2, sub="val")
    data = folder_data(tmp_path)
    assert data.info.input_shape == (1, 32, 32) and data.info.shape == (3, 32, 32)
    assert len(data) == 6 and len(data.held_out_pairs) == 2
    ins, outs = pair_ids(data.y, data.x)
    assert ins == outs == list(range(6))


def test_a_file_that_does_not_decode_or_is_a_bomb_is_skipped_with_its_pair(tmp_path):
    write_side_by_side(tmp_path, n=4)
    (tmp_path / "bomb.png").write_bytes(bomb_png())
    (tmp_path / "broken.png").write_bytes(b"not an image")
    data = folder_data(tmp_path)
    assert len(data) + len(data.held_out_pairs) == 4 and data.info.skipped_files == 2


# ---- paired_folder: refusals ---------------------------------------------------------------------
def _refused(root, *phrases):
    with pytest.raises(DataError) as err:
        folder_data(root)
    assert err.value.field == "data_dir"
    for phrase in phrases:
        assert phrase in err.value.message, err.value.message
    return err.value.message


def test_refused_a_folder_without_b(tmp_path):
    write_two_folders(tmp_path, n=2)
    for p in (tmp_path / "B").iterdir():
        p.unlink()
    (tmp_path / "B").rmdir()
    _refused(tmp_path, "found A/ but no B/ folder", "same names, in B/")


def test_refused_names_that_do_not_match_naming_the_first_on_each_side(tmp_path):
    write_two_folders(tmp_path, n=3)
    for i in range(5):
        Image.new("L", (20, 20)).save(tmp_path / "A" / f"lonely{i}.png")
    Image.new("RGB", (20, 20)).save(tmp_path / "B" / "stray.png")
    _refused(tmp_path, "do not match", "5 in A/ with no partner in B/ (A/lonely0.png, A/lonely1.png, "
             "A/lonely2.png, A/lonely3.png and 1 more)", "1 in B/ with no partner in A/ (B/stray.png)",
             "the extension may differ")


def test_refused_two_files_of_one_name_on_one_side(tmp_path):
    write_two_folders(tmp_path, n=2)
    Image.new("L", (20, 20)).save(tmp_path / "A" / "1.jpg")
    _refused(tmp_path, "A/ holds two files named '1' (1.jpg, 1.png)")


def test_refused_a_pair_of_two_sizes(tmp_path):
    write_two_folders(tmp_path, n=2)
    Image.new("RGB", (30, 20)).save(tmp_path / "B" / "1.jpg")
    _refused(tmp_path, "1 pair(s) have images of different sizes: A/1.png is 20 x 20 but B/1.jpg is 30 x 20",
             "must be the same size")


def test_refused_side_by_side_images_not_twice_as_wide(tmp_path):
    write_side_by_side(tmp_path, n=2, sub="train")
    Image.new("RGB", (30, 30)).save(tmp_path / "train" / "square.png")
    _refused(tmp_path, "1 image(s) are not twice as wide as high", "train/square.png (30 x 30)",
             "a pixel either way", "or put inputs in A/ and targets in B/")


def test_refused_no_images_and_nothing_usable(tmp_path):
    (tmp_path / "notes.txt").write_text("no pictures here")
    _refused(tmp_path, "no images found", ".png")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    _refused(tmp_path, "no usable pairs: each of the 1 found has a file that cannot be read")
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    _refused(tmp_path, "A/ and B/ hold no images")


def test_refused_too_many_pairs(tmp_path, monkeypatch):
    monkeypatch.setattr("gancore.data.paired_folder.MAX_IMAGES", 3)
    write_side_by_side(tmp_path, n=4)
    _refused(tmp_path, "holds 4 pairs; the most read is 3")


def test_refused_every_pair_kept_out(tmp_path):
    write_side_by_side(tmp_path, n=3, sub="val")
    _refused(tmp_path, "every pair is in val/ or test/", "train/")


def test_refused_no_folder(tmp_path):
    with pytest.raises(DataError, match="needs a data folder"):
        load_dataset(DataConfig(dataset="paired_folder"), 0)
    with pytest.raises(DataError, match="does not exist"):
        folder_data(tmp_path / "nowhere")


# ---- paired uploads ------------------------------------------------------------------------------
@pytest.fixture
def root(tmp_path):
    return tmp_path / "uploads"


def two_folder_entries(n=5, top="mypairs/"):
    entries = []
    for i in range(n):
        entries.append((f"{top}A/{i}.png", png_bytes(Image.new("L", (20, 20), 40 + 15 * i))))
        entries.append((f"{top}B/{i}.png", png_bytes(Image.new("RGB", (20, 20), (200, 20 * i, 40)))))
    return entries


def test_an_upload_of_a_and_b_folders_imports_to_a_folder_that_loads(root):
    archive = make_zip(two_folder_entries() + [("mypairs/README.txt", b"hi"),
                                               ("__MACOSX/mypairs/A/._0.png", b"junk")])
    result = import_paired_zip(archive, root)
    assert (result.layout, result.pairs, result.held_out, result.images) == ("A/ B/", 5, 1, 10)
    assert "5 pairs (inputs in A/, targets in B/), 1 of them kept out" in result.summary()
    data = folder_data(result.folder)
    held = data.held_out_pairs
    ins, outs = pair_ids(torch.cat([data.y, held.inputs]), torch.cat([data.x, held.targets]))
    assert ins == outs and sorted(ins) == list(range(5))
    assert import_paired_zip(archive, root).folder == result.folder, "same upload, same folder"
    assert import_zip(archive, root).folder != result.folder, "a class-folder import is another folder"


def test_the_class_folder_import_would_break_a_and_b_names(root):
    """Why pairs have an import of their own: import_zip renames files apart in each folder."""
    plain = import_zip(make_zip(two_folder_entries(top="")), root)
    with pytest.raises(DataError, match="do not match"):
        folder_data(plain.folder)


def test_an_upload_of_side_by_side_images_in_train_and_val_imports_and_loads(root):
    entries = [(f"facades/train/{i}.jpg", png_bytes(side_by_side_image(i))) for i in range(6)]
    entries += [(f"facades/val/{i}.jpg", png_bytes(side_by_side_image(i))) for i in (7, 8)]
    result = import_paired_zip(make_zip(entries), root)
    assert (result.layout, result.pairs, result.held_out) == ("A|B", 8, 2)
    data = folder_data(result.folder)
    assert len(data) == 6 and len(data.held_out_pairs) == 2


def test_loose_side_by_side_images_import_and_other_loose_images_are_refused_by_their_names(root):
    files = [(f"door{i}.png", png_bytes(side_by_side_image(i))) for i in range(4)]
    result = import_paired_images(files, root)
    assert (result.layout, result.pairs) == ("A|B", 4) and len(folder_data(result.folder)) == 3
    refused = r"not twice as wide.*cat\.png \(30 x 30\).*upload a \.zip with A/ and B/"
    with pytest.raises(UploadError, match=refused):
        import_paired_images(files + [("cat.png", png_bytes(Image.new("RGB", (30, 30))))], root)


@pytest.mark.parametrize("entries, why", [
    (two_folder_entries()[:-1], r"do not match: 1 in A/ with no partner in B/ \(A/4\.png\)"),
    ([("A/1.png", png_bytes(Image.new("L", (20, 20))))], "found A/ but no B/ folder"),
    ([("pairs/x.png", png_bytes(Image.new("RGB", (25, 20))))], r"x\.png \(25 x 20\)"),
    ([("pairs/big.png", bomb_png()), ("pairs/notes.txt", b"hi")],
     "no images found.*skipped: 1 files that are not images; 1 images over the pixel limit"),
])
def test_an_upload_the_dataset_would_refuse_is_refused_now_and_leaves_nothing(root, entries, why):
    with pytest.raises(UploadError, match=why):
        import_paired_zip(make_zip(entries), root)
    assert everything_under(root) == []


@pytest.mark.parametrize("name", ["../evil.png", "A/../../evil.png", "/abs/evil.png", "C:/evil.png"])
def test_an_upload_pointing_outside_is_refused_and_nothing_is_written(tmp_path, root, name):
    archive = make_zip(two_folder_entries() + [(name, png_bytes(side_by_side_image(0)))])
    with pytest.raises(UploadError, match="refused"):
        import_paired_zip(archive, root)
    assert everything_under(root) == [] and not (tmp_path / "evil.png").exists()


def test_an_upload_with_a_link_or_past_the_limits_is_refused_and_leaves_nothing(root):
    with pytest.raises(UploadError, match="symbolic link"):
        import_paired_zip(make_zip(two_folder_entries(), symlinks=[("A/9.png", "/etc/passwd")]), root)
    with pytest.raises(UploadError, match="holds 10 files; the limit is 4"):
        import_paired_zip(make_zip(two_folder_entries()), root, UploadLimits(max_files=4))
    assert everything_under(root) == []


def test_a_bomb_among_good_pairs_is_skipped_and_counted(root):
    entries = [(f"{i}.png", png_bytes(side_by_side_image(i))) for i in range(3)] + [("bomb.png", bomb_png())]
    result = import_paired_zip(make_zip(entries), root)
    assert result.pairs == 3 and result.skipped == {"images over the pixel limit": 1}
    assert not any("bomb" in p for p in everything_under(root))


# ---- a few training steps ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["grey2colour", "inpaint", "paired_folder"])
def test_pix2pix_trains_a_few_steps_on_each_paired_source(name, tmp_path):
    settings = {"data_dir": str(tmp_path)} if name == "paired_folder" else {"num_samples": 60}
    if name == "paired_folder":
        write_two_folders(tmp_path, n=6)
    cfg = make_config("pix2pix", name, steps=5, eval_every=0, device="cpu", base_channels=8, **settings)
    assert Trainer(cfg).run() == "finished"
    cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, image_size=16))
    assert Trainer(cfg).run() == "finished"
