"""The 2D Lab page under AppTest: renders with no runs, starts a fresh lab, every step button, Play
and Pause at a speed, the scrubber, the arrows and manifold toggles, the knobs and their restart,
the share link (and a damaged one), save as a run, a run's checkpoint, and viewer mode."""
import json
import time
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.lab_player import LAB_NICE, _lab_worker
from gancore import RunStore, make_config
from gancore.lab_knobs import Knobs
from gancore.lab_share import drawn_lab, link_params
from gancore.runs.launch import start_run

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard" / "navigation.py")
PAGE = "views/lab.py"
BUTTONS = ["Train D (one step)", "Train G (one step)", "Train both (one step)"]
BLOB = np.random.default_rng(0).normal(size=(40, 2)) * 0.1 + [1.0, -1.0]


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    return tmp_path


def _lab_page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.query_params.update(query or {})
    at.run()
    return at


def encode_link() -> str:
    """A drawn lab's link: SGD, noise size 3, k_D 2."""
    lab = drawn_lab(BLOB)
    knobs = Knobs(lr_d=0.001, lr_g=0.001, optimizer="SGD", loss="non-saturating", latent_dim=3)
    return "&".join(f"{k}={v}" for k, v in link_params(lab, knobs, 2, 1, points=BLOB).items())


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


def _start(at) -> AppTest:
    _button(at, "Start a fresh lab").click().run()
    assert not at.exception and not at.error
    return at


def _figure(at, index=0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _trace_names(at) -> list[str]:
    return [t.get("name") for t in _figure(at)["data"]]


def test_a_fresh_lab_steps_with_every_button_and_shows_picture_and_history(runs_dir):
    at = _start(_lab_page())
    assert _step(at) == 0 and len(at.get("plotly_chart")) == 2
    assert "Gray dots" in _texts(at) and "red dots" in _texts(at) and "arrow" in _texts(at)
    at.number_input(key="lab-k_d").set_value(3)
    expected = {"Train D (one step)": 1, "Train G (one step)": 2, "Train both (one step)": 3}
    for label in BUTTONS:
        _button(at, label).click().run()
        assert not at.exception and not at.error, label
        assert _step(at) == expected[label], label
    lab = at.session_state["lab"]
    assert (lab.d_updates, lab.g_updates) == (3 * 2, 2)  # k_D = 3 for every D step, k_G = 1
    history = _figure(at, 1)
    assert [t["name"] for t in history["data"]] == ["D loss", "G loss", "D(x), real", "D(G(z)), generated",
                                                    "JS divergence"]
    assert history["data"][4]["x"] == [0, 1, 2, 3], "one divergence point per frame drawn"
    assert 0 <= float(next(m.value for m in at.metric if m.label == "JS divergence")) <= 0.7
    assert not list(runs_dir.iterdir()), "the lab writes nothing to the runs folder"


def test_play_steps_every_frame_at_the_chosen_speed_and_pause_stops(runs_dir):
    at = _start(_lab_page())
    _button(at, "Play").click().run()  # AppTest runs the fragment once per run: one frame
    assert not at.exception and _step(at) == 5, "the default speed: 5 iterations a frame"
    assert all(_button(at, label).disabled for label in BUTTONS), "no single steps while playing"
    svgs = [m.value for m in at.markdown if "<svg" in str(m.value)]
    assert len(svgs) == 3 and len(at.get("plotly_chart")) == 1, "playing: the history as light SVG charts"
    assert "JS divergence" in svgs[2]
    at.select_slider(key="lab-speed").set_value(20).run()
    assert _step(at) == 25
    at.run()
    assert _step(at) == 45
    _button(at, "Pause").click().run()
    assert _step(at) == 45 and not _button(at, "Train both (one step)").disabled
    assert len(at.get("plotly_chart")) == 2, "paused: the interactive history again"
    at.run()
    assert _step(at) == 45, "paused: a redraw takes no step"


def test_the_scrubber_shows_an_earlier_frame(runs_dir):
    at = _start(_lab_page())
    assert not [s for s in at.select_slider if s.key == "lab-scrub"], "one frame: nothing to look back at"
    for _ in range(3):
        _button(at, "Train both (one step)").click().run()
    scrub = at.select_slider(key="lab-scrub")
    assert scrub.options == ["0", "1", "2", "3"] and scrub.value == 3
    latest = _figure(at)["data"][1]["x"]
    scrub.set_value(1).run()
    assert _step(at) == 1 and "iteration 1" in _figure(at)["layout"]["title"]["text"]
    assert _figure(at)["data"][1]["x"] != latest, "the generated points as they were"
    assert at.session_state["lab"].iteration == 3, "looking back changes nothing"
    _button(at, "Train both (one step)").click().run()
    assert _step(at) == 4 and at.select_slider(key="lab-scrub").value == 4, "a new step shows the new frame"


def test_arrows_and_manifold_toggle(runs_dir):
    at = _start(_lab_page())
    assert "where G pushes its points" in _trace_names(at) and "G's manifold (latent grid)" not in _trace_names(at)
    at.checkbox(key="lab-manifold").check().run()
    assert "G's manifold (latent grid)" in _trace_names(at)
    at.checkbox(key="lab-arrows").uncheck().run()
    assert "where G pushes its points" not in _trace_names(at) and not at.exception


def test_the_manifold_ticked_after_a_late_frame_is_drawn_on_the_latest_frame(runs_dir):
    """Pause pressed while a played frame is still stepping on the worker: the lab moves on after
    the paused picture was taken. Ticking the manifold then must show the lab as it is (with the
    mesh), not the frame the scrubber was left on."""
    at = _start(_lab_page())
    for _ in range(2):
        _button(at, "Train both (one step)").click().run()
    assert at.select_slider(key="lab-scrub").value == 2
    at.session_state["lab"].step(iterations=3)  # the in-flight frame, finishing after the redraw
    at.checkbox(key="lab-manifold").check().run()
    assert _step(at) == 5 and at.select_slider(key="lab-scrub").value == 5
    assert "G's manifold (latent grid)" in _trace_names(at)


def test_knobs_change_the_running_lab_and_a_restart_takes_new_networks(runs_dir):
    at = _start(_lab_page())
    at.number_input(key="lab-lr_d").set_value(0.01)
    at.selectbox(key="lab-optimizer").set_value("SGD")
    at.selectbox(key="lab-loss").set_value("minimax").run()
    lab = at.session_state["lab"]
    assert lab.opt_d.param_groups[0]["lr"] == 0.01 and lab.optimizer == "SGD" and lab.gan.g_loss == "minimax"
    assert not [w for w in at.warning if "Needs new networks" in w.value]
    at.number_input(key="lab-latent").set_value(3)
    at.selectbox(key="lab-loss").set_value("Wasserstein + GP").run()
    assert "Needs new networks: noise size 2 -> 3; loss minimax -> Wasserstein + GP" in _texts(at)
    assert at.session_state["lab"] is lab, "the old lab runs on until the restart"
    _button(at, "Restart with these").click().run()
    fresh = at.session_state["lab"]
    assert not at.exception and not at.error and fresh is not lab
    assert (fresh.cfg.model.variant, fresh.gan.generator.latent_dim, fresh.optimizer) == ("wgan_gp", 3, "SGD")
    assert _step(at) == 0 and "Needs new networks" not in _texts(at) and "critic" in _texts(at)
    assert at.number_input(key="lab-lr_d").value == 0.01, "the knobs show the new lab's values"


def test_the_share_link_restores_settings_and_drawing(runs_dir):
    at = _start(_lab_page())
    at.selectbox(key="lab-optimizer").set_value("SGD").run()
    code = at.code[0].value
    assert code.startswith("/lab?lab=vanilla&data=ring8&") and "opt=SGD" in code
    params = dict(p.split("=", 1) for p in encode_link().split("&"))
    fresh = _lab_page(params)
    assert not fresh.exception and not fresh.error
    lab = fresh.session_state["lab"]
    assert lab.info.name == "drawn" and lab.optimizer == "SGD" and lab.gan.generator.latent_dim == 3
    assert fresh.number_input(key="lab-k_d").value == 2 and fresh.selectbox(key="lab-optimizer").value == "SGD"
    assert "lab-save-run" in [b.key for b in fresh.button], "a drawn lab can be kept as a run too"
    assert "pts=" in fresh.code[0].value, "a drawn lab's own link carries its drawing"


def test_a_damaged_link_says_which_parameter(runs_dir):
    params = dict(p.split("=", 1) for p in encode_link().split("&"))
    at = _lab_page({**params, "opt": "Nadam"})
    assert not at.exception and "opt: must be one of Adam, SGD" in _texts(at)
    assert not at.get("plotly_chart"), "no lab started from it"


def _saved_run(at) -> dict:
    """Press "Save this lab as a run"; the config of the run it started (waited for: the job
    writes its folder on its own thread), after stopping it."""
    from dashboard.state import manager
    _button(at, "Save this lab as a run").click().run()
    assert not at.exception and not at.error
    [job] = manager().jobs()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not job.snapshot().metrics:
        time.sleep(0.2)
    job.stop()
    job.thread.join(timeout=60)
    return json.loads((manager().store.root / job.run_id / "config.json").read_text())


def test_save_as_run_starts_a_separate_run(runs_dir):
    config = _saved_run(_start(_lab_page()))
    assert config["model"]["variant"] == "vanilla" and config["data"]["dataset"] == "ring8"


def test_a_drawn_lab_saved_as_a_run_trains_on_its_drawing(runs_dir, monkeypatch):
    monkeypatch.setenv("GANCORE_UPLOADS_DIR", str(runs_dir / "uploads"))
    at = _lab_page(dict(p.split("=", 1) for p in encode_link().split("&")))
    config = _saved_run(at)
    assert config["data"]["dataset"] == "drawn"
    assert Path(config["data"]["data_dir"]).parent == runs_dir / "uploads", "the drawing kept in uploads"
    assert (Path(config["data"]["data_dir"]) / "points.json").is_file()


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


def test_played_frames_run_on_a_niced_worker(runs_dir):
    at = _start(_lab_page())
    _button(at, "Play").click().run()
    assert _step(at) == 5 and not at.exception
    worker_nice = _lab_worker().submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    assert worker_nice >= LAB_NICE, "the worker yields the CPU to runs"


def test_play_slows_down_while_a_run_trains_and_says_so(runs_dir, monkeypatch):
    import dashboard.components.lab_player as player

    at = _start(_lab_page())
    _button(at, "Play").click().run()
    slow = "the lab plays at most 2 frames a second"
    assert not any(slow in c.value for c in at.caption), "no run: full speed"
    monkeypatch.setattr(player, "a_run_is_training", lambda root: True)
    at.run()
    assert any(slow in c.value for c in at.caption) and not at.exception
    assert _step(at) == 10, "still playing, 5 iterations a frame"


def test_a_run_counts_as_training_while_it_takes_steps(runs_dir):
    from dashboard.components.lab_player import a_run_is_training

    trainer, run = start_run(make_config("vanilla", "ring8", device="cpu", steps=20, log_every=10,
                                         eval_every=0), RunStore(runs_dir))
    seen = []

    def on_metrics(event):
        if event.kind == "metrics" and not seen:  # status.json says running by now
            a_run_is_training.clear()
            seen.append(a_run_is_training(str(runs_dir)))

    trainer.subscribe(on_metrics)
    trainer.run()
    assert seen == [True], "taking steps"
    a_run_is_training.clear()
    assert not a_run_is_training(str(runs_dir)), "finished"
