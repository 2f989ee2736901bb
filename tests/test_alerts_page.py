"""Health alerts on the pages: the Monitor says what is wrong in words with its remedies as buttons
(one press starts the remedy), Runs lists the warning, and a click on a chart picks the picture
of that step."""
from __future__ import annotations

import json
import time

from app_pages import open_app
from gancore import RunStore, make_config
from gancore.health import Alert
from gancore.runs.launch import start_run
from gancore.training.trainer import Event


def _finished_with_an_alert(tmp_path, monkeypatch, kind="mode_collapse"):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    cfg = make_config("vanilla", "ring8", device="cpu", steps=200, log_every=20, sample_every=50,
                      checkpoint_every=50, eval_every=0, hidden_dim=16)
    trainer, run = start_run(cfg, RunStore(tmp_path), "broken")
    trainer.run()
    alert = Alert(kind, 120, "the fixed-noise samples are 3 % as spread out as the real data")
    run.record(Event("alert", 150, {"alert": alert.to_dict()}))
    return run, alert


def _texts(at, element: str) -> list[str]:
    return [e.value for e in at.get(element)]


def test_the_monitor_says_what_is_wrong_and_offers_its_remedies(tmp_path, monkeypatch):
    run, alert = _finished_with_an_alert(tmp_path, monkeypatch)
    at = open_app("views/monitor.py", run=run.run_id)
    assert not at.exception
    assert any("Finished with warnings" in m and "mode collapse" in m for m in _texts(at, "markdown"))
    shown = " ".join(_texts(at, "warning"))
    assert "**Mode collapse** from step 120" in shown and "Why it matters" in shown and "Try" in shown
    labels = [b.label for b in at.button]
    assert "Roll back to step 100 with half the learning rates" in labels, "the checkpoint before it"
    assert "New run with half the learning rates" in labels
    assert "New run with wgan_gp (Wasserstein loss)" in labels

    at.button(key="remedy-lower_rates").click().run()
    assert not at.exception
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the new run's folder appears once its data is loaded
        others = [p for p in tmp_path.iterdir() if p.is_dir() and p.name not in ("broken",)
                  and (p / "config.json").is_file()]
        if others:
            break
        time.sleep(0.2)
    assert others, "pressing the button started a new run"
    cfg = json.loads((others[0] / "config.json").read_text())
    assert cfg["lr_g"] == run.config().lr_g / 2 and cfg["lr_d"] == run.config().lr_d / 2


def test_runs_lists_the_warning(tmp_path, monkeypatch):
    run, _ = _finished_with_an_alert(tmp_path, monkeypatch, "d_wins")
    at = open_app("views/runs.py", run=run.run_id)
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["run"] == "broken"].iloc[0]
    assert row["status"] == "finished with warnings" and row["warnings"] == "the discriminator wins"


def test_a_click_on_a_chart_shows_the_picture_of_that_step(tmp_path, monkeypatch):
    run, _ = _finished_with_an_alert(tmp_path, monkeypatch)
    at = open_app("views/monitor.py", run=run.run_id)
    assert at.select_slider(key=f"history-{run.run_id}").value == 200
    at.session_state[f"history-pick-{run.run_id}"] = 110  # what a click at step 110 leaves
    at.run()
    assert at.select_slider(key=f"history-{run.run_id}").value == 100, "the nearest saved picture"
    assert "step 100" in [c for img in at.get("image") for c in img.captions]
