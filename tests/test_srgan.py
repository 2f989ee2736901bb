"""SRGAN end to end on small digits: two phases in the log and the quality records, the preview
picture, the charts and quality table it gets, the CLI's --input, and the Generate page."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from gancore import RunStore, make_config
from gancore.data.image_input import decode_image, read_npy_images
from gancore.data.uploads import UploadError
from gancore.runs.launch import start_run
from gancore.training.trainer import train
from tiny_data import tiny_images

SMALL = dict(batch_size=8, base_channels=8, res_blocks=1, device="cpu", eval_every=0)


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def test_content_only_steps_come_first_and_log_no_discriminator_numbers():
    torch.manual_seed(0)
    cfg = make_config("srgan", "glyphs", steps=8, log_every=2, pretrain_steps=4, **SMALL)
    _, records = train(cfg, tiny_images(size=28))
    first, later = [r for r in records if r["step"] <= 4], [r for r in records if r["step"] > 4]
    assert {r["phase"] for r in first} == {"content only"} and {r["phase"] for r in later} == {"adversarial"}
    assert all("loss_d" not in r and "d_real" not in r and "loss_content" in r for r in first)
    assert all({"loss_d", "loss_g", "loss_content", "loss_adv", "d_real", "d_fake"} <= set(r) for r in later)
    assert [r["step"] for r in records] == [2, 4, 6, 8], "the phase change falls on a log step here"
    # the G total is the content term plus 1e-3 x the adversarial one
    for r in later:
        assert r["loss_g"] == pytest.approx(r["loss_content"] + 1e-3 * r["loss_adv"], rel=1e-4)


def test_the_preview_shows_input_bicubic_result_and_real_side_by_side():
    torch.manual_seed(0)
    cfg = make_config("srgan", "glyphs", steps=2, log_every=1, **SMALL)
    trainer, _ = train(cfg, tiny_images(size=28))
    img = Image.open(io.BytesIO(trainer.preview.png(trainer.gan.generator)))
    # 4 columns by 4 rows of 28-pixel images, enlarged 4x to be seen (padding 2 between)
    assert img.size == ((4 * 30 + 2) * 4, (4 * 30 + 2) * 4)


def test_a_run_folder_records_the_phase_of_each_quality_measurement(tmp_path):
    torch.manual_seed(0)
    # 16-pixel digits: PSNR and SSIM only (the digit classifier reads 28-pixel ones), so no judge is trained
    cfg = make_config("srgan", "glyphs", steps=40, log_every=10, pretrain_steps=20, num_samples=200,
                      image_size=16, batch_size=8, base_channels=8, res_blocks=1, device="cpu", eval_every=20)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    quality = run.quality()
    assert quality and {"psnr", "ssim", "phase"} <= set(quality[-1]), quality
    assert quality[-1]["phase"] == "adversarial"
    floor = run.quality_floor()
    assert floor and {"psnr", "ssim"} <= set(floor), "the bicubic line to beat"


# ---- charts and the quality table --------------------------------------------------------------
def test_the_losses_chart_draws_every_term_by_name_on_a_log_axis():
    from dashboard.components.charts import loss_figure, loss_lines

    records = [{"step": 1, "loss_g": 0.3, "loss_content": 0.3, "phase": "content only"},
               {"step": 2, "loss_d": 1.4, "loss_g": 0.31, "loss_content": 0.3, "loss_adv": 0.7}]
    keys = [key for key, _, _ in loss_lines(records)]
    assert keys == ["loss_d", "loss_g", "loss_content", "loss_adv"]
    fig = loss_figure(records)
    assert fig.layout.yaxis.type == "log" and fig.data[0].y == (None, 1.4), "a gap where D did not train"
    from dashboard.components.charts import NO_SCORES_YET, score_svg

    assert NO_SCORES_YET in score_svg(records[:1], wasserstein=False), "not 'waiting for the first numbers'"


def test_the_quality_table_sets_the_end_of_the_first_phase_beside_now_and_bicubic():
    from dashboard.components.quality import phase_end, quality_rows

    records = [{"step": 20, "phase": "content only", "psnr": 20.0, "ssim": 0.7},
               {"step": 40, "phase": "adversarial", "psnr": 19.5, "ssim": 0.72}]
    end = phase_end(records)
    assert end["step"] == 20 and phase_end(records[:1]) is None
    rows = quality_rows(records[-1], {"psnr": 18.0, "ssim": 0.6}, "bicubic", ("end of content only", end))
    assert rows[0] == {"measure": "PSNR (dB)", "end of content only": "20.00 dB", "now": "19.50 dB",
                       "bicubic": "18.00 dB", "better": "higher", "what it means": rows[0]["what it means"]}


# ---- inputs from outside -------------------------------------------------------------------------
def test_an_upload_is_read_as_the_model_reads_and_bad_ones_get_one_message():
    rgb = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    grey = decode_image(_png(rgb), channels=1, max_side=64)
    assert grey.shape == (1, 1, 10, 12) and -1 <= grey.min() and grey.max() <= 1
    assert decode_image(_png(rgb), channels=3, max_side=64).shape == (1, 3, 10, 12)
    with pytest.raises(UploadError, match="largest side taken here is 8 pixels"):
        decode_image(_png(rgb), channels=3, max_side=8)
    with pytest.raises(UploadError, match="this file is not a picture"):
        decode_image(b"not an image at all", channels=3, max_side=64)
    gif = io.BytesIO()
    Image.fromarray(rgb).save(gif, format="GIF")
    with pytest.raises(UploadError, match="this is a GIF file; upload a PNG or JPEG"):
        decode_image(gif.getvalue(), channels=3, max_side=64)


def test_a_npy_input_must_be_n_c_h_w_uint8(tmp_path):
    good, bad = tmp_path / "good.npy", tmp_path / "bad.npy"
    np.save(good, np.zeros((2, 1, 7, 7), np.uint8))
    np.save(bad, np.zeros((2, 7, 7), np.float32))
    assert read_npy_images(good, channels=1, max_side=64).shape == (2, 1, 7, 7)
    with pytest.raises(UploadError, match="this model reads N x 1 x h x w uint8"):
        read_npy_images(bad, channels=1, max_side=64)


# ---- the command line ----------------------------------------------------------------------------
def _gancore(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gancore", *args], cwd=cwd, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sr_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sr-cli")
    out = _gancore("train", "--variant", "srgan", "--dataset", "glyphs", "--scale", "2", "--steps", "30",
                   "--pretrain-steps", "10", "--log-every", "10", "--num-samples", "200", "--base-channels", "8",
                   "--res-blocks", "1", "--eval-every", "0", "--image-size", "16", "--run-id", "sr", cwd=root)
    assert out.returncode == 0, out.stderr
    return root, out


def test_cli_training_prints_each_term_and_the_phase(sr_run):
    _, out = sr_run
    lines = [line for line in out.stdout.splitlines() if line.startswith("step ")]
    assert "loss_content" in lines[0] and "(content only)" in lines[0] and "D(x)" not in lines[0]
    assert "loss_adv" in lines[-1] and "D(x)" in lines[-1] and "(adversarial)" in lines[-1]


def test_cli_upscales_a_png_and_a_npy_of_images(sr_run):
    root, _ = sr_run
    small = root / "small.png"
    small.write_bytes(_png(np.random.default_rng(1).integers(0, 256, (9, 11), dtype=np.uint8)))
    out = _gancore("sample", "--run", "runs/sr", "--input", "small.png", "--out", "big.png", cwd=root)
    assert out.returncode == 0, out.stderr
    assert Image.open(root / "big.png").size == (22, 18)
    np.save(root / "small.npy", np.zeros((3, 1, 7, 5), np.uint8))
    out = _gancore("sample", "--run", "runs/sr", "--input", "small.npy", "--out", "big.npy", cwd=root)
    assert out.returncode == 0, out.stderr
    big = np.load(root / "big.npy")
    assert big.shape == (3, 1, 14, 10) and big.dtype == np.uint8


def test_cli_input_errors_are_one_line(sr_run):
    root, _ = sr_run
    np.save(root / "wrong.npy", np.zeros((3, 3, 7, 5), np.uint8))
    out = _gancore("sample", "--run", "runs/sr", "--input", "wrong.npy", "--out", "big.npy", cwd=root)
    assert out.returncode != 0 and "this model reads N x 1 x h x w uint8" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = _gancore("sample", "--run", "runs/sr", "--input", "missing.png", "--out", "big.png", cwd=root)
    assert out.returncode != 0 and "no such file" in out.stderr


# ---- the Generate page ---------------------------------------------------------------------------
def test_generate_upscales_a_held_out_image_beside_plain_enlarging(tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    cfg = make_config("srgan", "glyphs", steps=10, log_every=5, pretrain_steps=5, num_samples=100, **SMALL)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "navigation.py"),
                           default_timeout=60)
    at.query_params["run"] = run.run_id
    at.run()
    at.switch_page("views/generate.py").run()
    assert not at.exception and not at.error
    captions = [c for img in at.get("image") for c in img.captions]
    assert [c.rsplit(" (", 1)[0] for c in captions[:4]] == ["repeated pixels (nearest)", "bicubic", "the generator",
                                                         "the real image"]
    assert all("(28 x 28)" in c for c in captions[:4]), "each 4 times the 7-pixel input"
    assert "Download the upscaled picture (PNG)" in [b.label for b in at.get("download_button")]
    assert len(at.get("image")) == 8, "and the zoomed squares of each"
    [s for s in at.selectbox if s.label == "Image"][0].set_value(3).run()
    assert not at.exception


def test_cli_eval_reports_psnr_and_ssim_against_bicubic(sr_run):
    import json

    root, _ = sr_run
    out = _gancore("eval", "--run", "runs/sr", cwd=root)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["kind"] == "super_resolution" and report["floor_is"].startswith("bicubic")
    assert {"psnr", "ssim"} <= set(report["metrics"]) and {"psnr", "ssim"} <= set(report["floor"])
