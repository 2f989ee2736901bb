"""pix2pix through the pages a person uses around training: the Train page offers it with its own
data and settings (and the pairs upload box for their own pairs), the Monitor shows a finished
run's input | output | target picture, its loss terms by name and its quality against the input
itself, and the HTML report says what the picture shows."""
import io

import pytest
from PIL import Image

from app_pages import open_app
from gancore import RunStore, make_config
from gancore.report import report
from gancore.runs.launch import start_run


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def pix2pix_run(runs_dir) -> str:
    cfg = make_config("pix2pix", "sketch2glyphs", device="cpu", num_samples=300, steps=40, log_every=10,
                      sample_every=20, eval_every=20, base_channels=8)
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.run()
    return run.run_id


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_train_offers_pix2pix_on_paired_data_with_its_l1_weight(runs_dir):
    at = open_app()
    at.selectbox(key="variant").set_value("pix2pix").run()
    assert not at.exception
    datasets = [label.split()[0] for label in at.selectbox(key="dataset-pix2pix").options]
    assert set(datasets) == {"grey2colour", "inpaint", "paired_folder", "sketch2digits", "sketch2glyphs"}
    assert at.selectbox(key="dataset-pix2pix").value.split()[0] == "sketch2glyphs", "offline by default"
    weight = at.text_input(key="pix2pix-sketch2glyphs-l1_weight")  # numbers are typed (form_spec.py)
    assert float(weight.value) == 100.0 and weight.label == "L1 weight (lambda)"
    keys = {w.key for w in at.text_input}
    assert "pix2pix-sketch2glyphs-latent_dim" not in keys, "it reads a picture, not noise"
    at.selectbox(key="dataset-pix2pix").set_value("paired_folder").run()
    assert not at.exception
    [box] = at.get("file_uploader")
    assert "A/ (inputs) and B/ (targets)" in box.proto.label, "the pairs upload, not the class-folder one"


def test_monitor_shows_the_pairs_picture_the_loss_terms_and_quality_against_the_input(pix2pix_run):
    at = open_app("views/monitor.py", run=pix2pix_run)
    assert not at.exception
    text = _texts(at)
    assert "pixel by pixel" in text and "(input, translation) pair" in text, "each loss term explained"
    table = at.table[0].value
    # digits: the classifier reads the translations too
    assert set(table["measure"]) == {"Label accuracy", "L1 distance", "PSNR (dB)", "SSIM"}
    assert "the input itself (to beat)" in table.columns


def test_the_progress_picture_is_input_output_target_rows(pix2pix_run, runs_dir):
    run = RunStore(runs_dir).open(pix2pix_run)
    picture = Image.open(io.BytesIO(run.sample_files()[-1].read_bytes()))
    # 8 held-out pairs in rows, 3 columns of 28-pixel images 2 pixels apart, the grid shown 4x
    assert picture.size == (4 * (3 * 30 + 2), 4 * (8 * 30 + 2))
    html = report([run])
    assert "Each row is one example the generator never trained on" in html
