"""What a new user tripped on: a checkpoint with NaN weights, a mistyped ?run= link, and the Train
page's notes (the MNIST split, a stale dataset note, a number too large for its field)."""
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit
import torch
from app_pages import open_app
from gancore import RunError, RunStore, make_config
from gancore.quality.evaluate import evaluate_run
from gancore.runs.launch import resume_run, start_run
from gancore.sampling import load_checkpoint_bytes, load_generator
from gancore.sampling.checkpoints import EMA_KEY
from tiny_data import write_idx_split

NOT_FINITE = "generator weights contain NaN or infinite values (from a diverged run?)"


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(root))
    return root


def _run(root: Path, **kw):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=20, log_every=10, hidden_dim=16, **kw)
    trainer, run = start_run(cfg, RunStore(root))
    trainer.run()
    return run


def _poison(state: dict) -> dict:
    """The state with one generator weight set to NaN, as a diverged run would have saved it (its
    weight average too, when it keeps one: the next update carries the NaN into the average)."""
    for key in ("generator", EMA_KEY):
        if key in state:
            name = next(k for k, v in state[key].items() if v.is_floating_point())
            state[key][name] = state[key][name].clone()
            state[key][name].view(-1)[0] = float("nan")
    return state


@pytest.fixture
def poisoned(tmp_path):
    """A finished ring8 run whose latest.pt holds a NaN generator weight."""
    run = _run(tmp_path / "elsewhere")  # not in the pages' runs folder
    latest = run.checkpoints_dir / "latest.pt"
    state = _poison(run.load_checkpoint())
    latest.unlink()  # a hard link to the newest step file: leave that one healthy
    torch.save(state, latest)
    return run


def _picker_label(at, key: str, name: str) -> str:
    """How the dataset picker shows `name`: "mnist" or "mnist  (why it cannot be used now)"."""
    return next(o for o in at.selectbox(key=key).options if o.split()[0] == name)


def _messages(at) -> list[str]:
    return [e.value for kind in ("error", "warning", "info") for e in at.get(kind)]


# ---- checkpoints whose weights are not finite --------------------------------------------------
def test_a_nan_checkpoint_is_refused_by_every_loader(poisoned):
    state = poisoned.load_checkpoint()
    with pytest.raises(RunError, match=r"NaN or infinite values .*pick an earlier checkpoint"):
        load_generator(state)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with pytest.raises(RunError, match=NOT_FINITE.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        load_checkpoint_bytes(buffer.getvalue())
    with pytest.raises(RunError, match="NaN or infinite"):
        evaluate_run(poisoned, "latest.pt", "cpu")
    with pytest.raises(RunError, match="training cannot continue from it"):
        resume_run(poisoned, extra_steps=10)
    healthy = poisoned.checkpoint_files()[-1].name  # the earlier checkpoint the message points to
    assert load_generator(poisoned.load_checkpoint(healthy))[0] is not None


def test_cli_sample_and_resume_refuse_a_nan_checkpoint_with_exit_2(poisoned, tmp_path):
    for args in (["sample", "--run", str(poisoned.path), "--n", "10", "--out", str(tmp_path / "s.npy")],
                 ["resume", "--run", str(poisoned.path), "--steps", "10", "--quiet"]):
        out = subprocess.run([sys.executable, "-m", "gancore", *args], cwd=tmp_path, env=dict(os.environ),
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 2, (args, out.stderr)
        assert "NaN or infinite values" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "s.npy").exists()


def test_generate_page_refuses_an_uploaded_nan_checkpoint_in_words(runs_dir, poisoned, monkeypatch):
    data = (poisoned.checkpoints_dir / "latest.pt").read_bytes()
    # AppTest does not drive the upload widget: the page gets the file as the widget would give it
    monkeypatch.setattr(streamlit, "file_uploader",
                        lambda *a, **k: SimpleNamespace(name="diverged.pt", getvalue=lambda: data))
    at = open_app("views/generate.py")
    at.radio[0].set_value("an uploaded checkpoint (.pt)").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(NOT_FINITE in e and "pick an earlier checkpoint" in e for e in errors), errors
    assert not at.get("imgs"), "no NaN picture drawn"


# ---- a ?run= link that names no run here -------------------------------------------------------
@pytest.mark.parametrize("link", ["no-such-run_2024", "../../etc/passwd*[x](http://e.vil)"])  # unknown, malformed
@pytest.mark.parametrize("page", ["views/monitor.py", "views/generate.py", "views/runs.py", "views/lab.py"])
def test_a_link_to_no_run_says_so_in_words_and_selects_nothing(runs_dir, page, link):
    run = _run(runs_dir)
    at = open_app(page, run=link)
    assert not at.exception
    notes = [w.value for w in at.warning if "This link names a run that does not exist here" in w.value]
    assert len(notes) == 1 and notes[0].endswith("Pick a run below."), _messages(at)
    assert "letters, digits" not in " ".join(_messages(at)), "no developer wording"
    if "[" in link:  # shown escaped: no link drawn from the URL
        assert f"(`{link}`)" in notes[0], "inside a code span: no link, picture or address drawn"
    picker = [s for s in at.selectbox if s.label.startswith("Run")]
    assert len(picker) == 1 and picker[0].value is None, "no run chosen for the user"
    picker[0].set_value(run.run_id).run()
    assert not at.exception and at.query_params["run"] in (run.run_id, [run.run_id])
    assert not [w for w in at.warning if "This link names" in w.value], "picked: the note goes"


# ---- the Train page --------------------------------------------------------------------------
def test_a_folder_with_the_other_mnist_split_is_explained_beside_split_in_page_words(runs_dir, tmp_path):
    folder = tmp_path / "mnist-test-only"
    folder.mkdir()
    write_idx_split(folder, "t10k")
    at = open_app()
    at.selectbox(key="variant").set_value("dcgan").run()
    at.selectbox(key="dataset-dcgan").set_value("mnist").run()
    at.text_input(key="dcgan-mnist-data_dir").set_value(str(folder)).run()
    notes = [w.value for w in at.warning if "split" in w.value]
    assert notes and notes[0].startswith("Split: ") and notes[0].endswith("choose test"), notes
    assert "--" not in notes[0], "no command-line flag on the page"
    at.selectbox(key="dcgan-mnist-split").set_value("test").run()
    assert not [w.value for w in at.warning if "split" in w.value]
    assert _picker_label(at, "dataset-dcgan", "mnist") == "mnist", "a readable folder: no note"


def test_the_dataset_picker_note_follows_the_folder_given(runs_dir, tmp_path):
    at = open_app()
    at.selectbox(key="variant").set_value("dcgan").run()
    at.selectbox(key="dataset-dcgan").set_value("folder").run()
    assert "(choose a folder" in _picker_label(at, "dataset-dcgan", "folder")
    at.text_input(key="dcgan-folder-data_dir").set_value(str(tmp_path)).run()
    assert not at.exception
    assert _picker_label(at, "dataset-dcgan", "folder") == "folder"
    assert not [w.value for w in at.warning if "folder" in w.value]


@pytest.mark.parametrize("typed,words", [("1e20", "100,000,000,000,000,000,000"), ("ten", "'ten'"),
                                         ("2.5", "2.5")])
def test_a_number_the_field_cannot_take_is_judged_as_typed_beside_its_field(runs_dir, typed, words):
    at = open_app()
    at.text_input(key="vanilla-ring8-steps").set_value(typed)
    at.button[0].click().run()
    assert not at.exception
    notes = [e.value for e in at.error if e.value.startswith("Training steps: ")]
    assert len(notes) == 1 and words in notes[0], [e.value for e in at.error]
    if typed == "1e20":
        assert "between 1 and 10,000,000" in notes[0], "the allowed range"
    assert [t.value for t in at.title] == ["Train a GAN"]
    assert not runs_dir.exists() or not list(runs_dir.iterdir()), "nothing started"


def test_a_number_typed_in_any_notation_is_read(runs_dir):
    from dashboard.components.form_spec import main_fields, read_number

    fields = {f.name: f for f in main_fields("vanilla", "ring8")}
    assert read_number(fields["steps"], "1e3") == 1000 and read_number(fields["steps"], " 250 ") == 250
    assert read_number(fields["lr_g"], "2e-4") == pytest.approx(0.0002)
    assert read_number(fields["steps"], "") == ""  # refused in words: "must be a whole number"
