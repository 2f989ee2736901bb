"""The 2D Lab page under AppTest: renders with no runs, starts a fresh lab, every button steps it,
opens a run's checkpoint, and works in viewer mode (it never writes run folders)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gancore import RunStore, make_config
from gancore.runs.launch import start_run

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard" / "navigation.py")
PAGE = "views/lab.py"
BUTTONS = ["Train D (one step)", "Train G (one step)", "Train both (one step)", "Run 50 iterations"]


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    return tmp_path


def _lab_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _step(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Step").replace(",", ""))


def test_the_page_renders_with_no_runs_and_offers_a_fresh_lab(runs_dir):
    at = _lab_page()
    assert not at.exception and [t.value for t in at.title] == ["2D Lab"]
    assert "never writes or changes a run folder" in _texts(at)
    assert at.selectbox(key="lab-variant").value == "vanilla"
    assert at.selectbox(key="lab-dataset").value == "ring8"
    at.radio(key="lab-source").set_value("a trained run").run()
    assert not at.exception and "No runs on 2D points yet" in _texts(at)


def test_a_fresh_lab_steps_with_every_button_and_shows_the_figure(runs_dir):
    at = _lab_page()
    _button(at, "Start a fresh lab").click().run()
    assert not at.exception and not at.error
    assert _step(at) == 0 and at.get("plotly_chart")
    assert "Gray dots" in _texts(at) and "red dots" in _texts(at) and "arrow" in _texts(at)
    at.number_input(key="lab-k_d").set_value(3)
    expected = {"Train D (one step)": 1, "Train G (one step)": 2, "Train both (one step)": 3,
                "Run 50 iterations": 53}
    for label in BUTTONS:
        _button(at, label).click().run()
        assert not at.exception and not at.error, label
        assert _step(at) == expected[label], label
    lab = at.session_state["lab"]
    assert (lab.d_updates, lab.g_updates) == (3 * 52, 52)  # k_D = 3 for every D step, k_G = 1
    assert len(at.get("plotly_chart")) == 1
    assert not list(runs_dir.iterdir()), "the lab writes nothing to the runs folder"


def test_a_run_opens_in_the_lab_from_its_checkpoint(runs_dir):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=40, log_every=20, checkpoint_every=40,
                      hidden_dim=32, num_samples=4000, eval_every=0)
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.run()
    at = _lab_page()
    at.radio(key="lab-source").set_value("a trained run").run()
    assert at.selectbox(key="lab-run").value == run.run_id
    _button(at, "Open this run in the lab").click().run()
    assert not at.exception and not at.error
    assert "continued from step 40" in _texts(at)
    _button(at, "Train both (one step)").click().run()
    assert _step(at) == 1 and not at.exception


def test_viewer_mode_turns_the_lab_off_and_says_why(runs_dir, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_READ_ONLY", "1")  # dashboard/access.py reads it at each check
    at = _lab_page()
    assert not at.exception and "Viewer mode: the lab is turned off" in _texts(at)
    assert not [b for b in at.button if b.label == "Start a fresh lab"]
