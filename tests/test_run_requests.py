"""Pause, resume and stop for a run that another process trains (runs/requests.py): left as a
file, taken once at the trainer's next log step; the Monitor's buttons leave them."""
from __future__ import annotations

import threading
import time

import pytest

from app_pages import open_app
from gancore import RunError, RunStore, make_config
from gancore.runs.launch import start_run
from gancore.runs.requests import REQUESTS, ask, pending, take


def _wait(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    return condition()


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A ring8 run trained in a thread of its own, not by the dashboard's job manager: to the
    Monitor it is a run another process trains."""
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    cfg = make_config("vanilla", "ring8", device="cpu", steps=10_000_000, log_every=20, eval_every=0)
    trainer, run = start_run(cfg, RunStore(tmp_path), "cli-run")
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    assert _wait(lambda: run.metrics()), "training started"
    yield trainer, run
    trainer.stop()
    thread.join(timeout=60)


def test_a_request_is_taken_once_and_a_bad_one_is_refused(tmp_path):
    assert take(tmp_path) is None and pending(tmp_path) is None
    ask(tmp_path, "pause")
    ask(tmp_path, "stop")  # the latest ask wins
    assert pending(tmp_path) == "stop"
    assert take(tmp_path) == "stop" and take(tmp_path) is None
    with pytest.raises(RunError, match="action: must be one of pause, resume, stop, got 'explode'"):
        ask(tmp_path, "explode")
    (tmp_path / REQUESTS).write_text("not json")
    assert take(tmp_path) is None and not (tmp_path / REQUESTS).exists(), "garbage is dropped"


def test_the_trainer_takes_asks_at_its_log_steps(elsewhere):
    trainer, run = elsewhere
    ask(run.path, "pause")
    assert _wait(lambda: run.state().status == "paused")
    step = run.state().step
    assert step % 20 == 0, "taken at a log step"
    ask(run.path, "resume")
    assert _wait(lambda: run.state().status == "running" and run.state().step > step)
    ask(run.path, "stop")
    assert _wait(lambda: run.state().status == "stopped")
    assert (run.checkpoints_dir / "latest.pt").exists(), "a stop saves first"


def test_the_monitors_stop_reaches_a_run_another_process_trains(elsewhere):
    trainer, run = elsewhere
    at = open_app("views/monitor.py", run=run.run_id)
    assert not at.exception
    assert any("its buttons reach that process" in c.value.lower() for c in at.caption)
    [stop] = [b for b in at.button if b.label == "Stop"]
    stop.click().run()
    assert not at.exception
    assert _wait(lambda: run.state().status == "stopped"), "the trainer took the Stop"
