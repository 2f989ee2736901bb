"""Using an image-to-image generator outside training (gancore/sampling/translation.py): the sides
it translates at, how a picture or a drawing is made ready for it, the files it writes, and
`gancore sample --input` for a run whose generator translates, with one-line errors."""
import io
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from gancore.data.uploads import UploadError
from gancore.sampling.translation import (MAX_OWN_SIDE, fit_to_side, fits_as_is, prepare_drawing, prepare_input,
                                          read_input, translate)
from gancore.variants.networks_pix2pix import UNetGenerator

INFO = SimpleNamespace(input_shape=(1, 28, 28), shape=(1, 28, 28))  # what prepare_* read of a DataInfo


@pytest.fixture(scope="module")
def generator():
    torch.manual_seed(0)
    return UNetGenerator(1, 1, side=28, width=8).eval()  # depth 2: sides must divide by 4


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_translate_keeps_the_batch_and_the_sides_and_stays_in_range(generator):
    out = translate(generator, torch.rand(3, 1, 28, 28) * 2 - 1)
    assert out.shape == (3, 1, 28, 28) and out.device.type == "cpu"
    assert -1 <= float(out.min()) and float(out.max()) <= 1
    assert translate(generator, torch.zeros(1, 1, 32, 40)).shape == (1, 1, 32, 40), "any side dividing by 4"
    with pytest.raises(ValueError, match="must divide by 4"):
        translate(generator, torch.zeros(1, 1, 30, 28))


def test_translate_runs_in_eval_mode_and_gives_the_mode_back(generator):
    x = torch.rand(2, 1, 28, 28) * 2 - 1
    generator.train()  # dropout on: two passes would differ
    try:
        assert torch.equal(translate(generator, x), translate(generator, x)), "no dropout while translating"
        assert generator.training, "the generator's mode is given back"
    finally:
        generator.eval()


def test_a_picture_whose_sides_suit_is_translated_at_its_own_size(generator):
    assert fits_as_is(generator, INFO, 28, 28) and fits_as_is(generator, INFO, 28, 112), "a row of 4 sketches"
    assert not fits_as_is(generator, INFO, 30, 28), "30 does not divide by 4"
    assert not fits_as_is(generator, INFO, 116, 28), "over 4 times the side it learned at: one large drawing"
    big = SimpleNamespace(input_shape=(1, 256, 256))
    assert fits_as_is(generator, big, 512, 384) and not fits_as_is(generator, big, MAX_OWN_SIDE + 4, 256), \
        "never over MAX_OWN_SIDE"
    image = torch.rand(1, 1, 28, 112) * 2 - 1
    prepared, resized = prepare_input(image, generator, INFO)
    assert prepared is image and not resized
    prepared, resized = prepare_input(image, generator, INFO, own_size=False)
    assert prepared.shape == (1, 1, 28, 28) and resized


def test_other_pictures_are_fitted_to_the_model_side_keeping_their_shape(generator):
    # a white bar across a black 60 x 30 picture: fitted to 28 x 14, padded to 28 x 28 with black
    image = -torch.ones(1, 1, 30, 60)
    image[:, :, 13:17, :] = 1
    prepared, resized = prepare_input(image, generator, INFO)
    assert resized and prepared.shape == (1, 1, 28, 28)
    assert float(prepared[0, 0, :6].max()) == -1 and float(prepared[0, 0, -6:].max()) == -1, "black padding"
    assert float(prepared[0, 0, 14].min()) > 0.5, "the bar still crosses the whole width"
    # a dark line on white paper is padded with white, its own edge colour
    paper = torch.ones(1, 1, 30, 60)
    paper[:, :, 13:17, 10:50] = -1
    padded = fit_to_side(paper, 28)
    assert float(padded[0, 0, 0].min()) == 1 and float(padded.min()) < 0
    with pytest.raises(UploadError, match="reads grey pictures"):
        prepare_input(torch.zeros(1, 3, 28, 28), generator, INFO)


def test_a_drawing_is_averaged_down_to_a_soft_line_one_or_two_pixels_wide():
    canvas = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(canvas).line([(140, 40), (140, 240)], fill=255, width=20)  # 2 model pixels wide
    drawing = torch.from_numpy(np.asarray(canvas, np.float32) / 127.5 - 1)[None, None]
    small = prepare_drawing(drawing, 28)
    assert small.shape == (1, 1, 28, 28)
    across = (small[0, 0, 14] + 1) / 2  # one row across the line, ink in [0, 1]
    assert 1.5 < float(across.sum()) < 2.5, "about two pixels' worth of ink across"
    assert int((across > 0.1).sum()) <= 3 and float(across.max()) > 0.9, "a line, not a smear"


def test_read_input_decodes_as_the_model_reads_and_refuses_what_is_not_a_picture(generator):
    rgb = np.random.default_rng(0).integers(0, 256, (28, 28, 3), dtype=np.uint8)
    prepared, resized = read_input(_png(rgb), generator, INFO)
    assert prepared.shape == (1, 1, 28, 28) and not resized, "colour made grey, as the model reads"
    prepared, resized = read_input(_png(rgb[:27, :26]), generator, INFO)
    assert prepared.shape == (1, 1, 28, 28) and resized
    with pytest.raises(UploadError, match="this file is not a picture"):
        read_input(b"<html>not a picture</html>", generator, INFO)


# ---- files and the command line ------------------------------------------------------------------
def _gancore(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gancore", *args], cwd=cwd, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A translation run and a noise run, trained a few steps from the command line."""
    root = tmp_path_factory.mktemp("translate-cli")
    out = _gancore("train", "--variant", "pix2pix", "--dataset", "sketch2glyphs", "--steps", "20",
                   "--batch-size", "8", "--base-channels", "8", "--num-samples", "200", "--eval-every", "0",
                   "--log-every", "10", "--run-id", "p2p", "--quiet", cwd=root)
    assert out.returncode == 0, out.stderr
    out = _gancore("train", "--variant", "vanilla", "--dataset", "ring8", "--steps", "5", "--log-every", "5",
                   "--eval-every", "0", "--run-id", "noise", "--quiet", cwd=root)
    assert out.returncode == 0, out.stderr
    return root


def test_write_translated_writes_one_png_or_a_npy_of_many(runs):
    from gancore import RunStore
    from gancore.sampling.translation import write_translated

    run = RunStore(runs / "runs").open("p2p")
    sketch = np.zeros((28, 28), np.uint8)
    sketch[6:22, 13:15] = 255
    (runs / "one.png").write_bytes(_png(sketch))
    assert write_translated(run, runs / "one.png", runs / "out" / "one.png") == (1, (1, 28, 28))
    assert Image.open(runs / "out" / "one.png").size == (28, 28)
    np.save(runs / "many.npy", np.zeros((3, 1, 30, 30), np.uint8))  # 30 does not divide by 4: resized
    assert write_translated(run, runs / "many.npy", runs / "many_out.npy") == (3, (1, 28, 28))
    got = np.load(runs / "many_out.npy")
    assert got.shape == (3, 1, 28, 28) and got.dtype == np.uint8


def test_cli_sample_input_translates_a_picture_at_its_own_size_or_the_model_side(runs):
    big = np.zeros((40, 60), np.uint8)
    big[10:30, 28:32] = 255
    (runs / "wide.png").write_bytes(_png(big))
    out = _gancore("sample", "--run", "runs/p2p", "--input", "wide.png", "--out", "wide_out.png", cwd=runs)
    assert out.returncode == 0, out.stderr
    assert "wrote 1 translated image (1 x 40 x 60)" in out.stdout
    assert Image.open(runs / "wide_out.png").size == (60, 40), "its own size: 40 and 60 divide by 4"
    (runs / "odd.png").write_bytes(_png(big[:39, :59]))
    out = _gancore("sample", "--run", "runs/p2p", "--input", "odd.png", "--out", "odd_out.npy", cwd=runs)
    assert out.returncode == 0, out.stderr
    assert np.load(runs / "odd_out.npy").shape == (1, 1, 28, 28), "resized to the side it trained at"


def _one_line_error(out, words: str) -> None:
    assert out.returncode != 0 and words in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_cli_errors_are_one_clear_line(runs):
    out = _gancore("sample", "--run", "runs/p2p", "--out", "x.png", cwd=runs)
    _one_line_error(out, "reads an input image to translate, not noise: pass --input FILE")
    (runs / "dot.png").write_bytes(_png(np.zeros((28, 28), np.uint8)))
    out = _gancore("sample", "--run", "runs/noise", "--input", "dot.png", "--out", "x.png", cwd=runs)
    _one_line_error(out, "reads noise, not an image: leave out --input")
    np.save(runs / "colour.npy", np.zeros((2, 3, 28, 28), np.uint8))
    out = _gancore("sample", "--run", "runs/p2p", "--input", "colour.npy", "--out", "x.npy", cwd=runs)
    _one_line_error(out, "this model reads N x 1 x h x w uint8")
    np.save(runs / "two.npy", np.zeros((2, 1, 28, 28), np.uint8))
    out = _gancore("sample", "--run", "runs/p2p", "--input", "two.npy", "--out", "x.png", cwd=runs)
    _one_line_error(out, "2 images do not fit one .png: write a .npy")
    (runs / "fake.png").write_text("not a picture")
    out = _gancore("sample", "--run", "runs/p2p", "--input", "fake.png", "--out", "x.png", cwd=runs)
    _one_line_error(out, "this file is not a picture")
