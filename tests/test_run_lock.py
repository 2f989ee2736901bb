"""One trainer per run: a second trainer, a delete or an in-place change on a run that another
process (or this one) trains is refused in words; a lock left by a killed process is taken over."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gancore import RunError, RunStore, make_config, resume_run
from gancore.runs.jobs import JobManager
from gancore.runs.launch import start_run
from gancore.runs.lock import LOCK_NAME, RunLock

REPO = Path(__file__).resolve().parents[1]


def _busy(run: str, pid: int) -> str:
    """The refusal's words, as a pattern."""
    return rf"run {re.escape(run)} is being trained by process {pid} since \d\d:\d\d:\d\d; stop it there first"


def _wait_for(condition, what: str, deadline_s: float = 120) -> None:
    """A loaded machine starts a process slowly: poll, with a generous deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _train(runs: Path, run_id: str) -> subprocess.Popen:
    """The CLI training a small run for much longer than the test lasts, checkpointing early."""
    return subprocess.Popen(
        [sys.executable, "-m", "gancore", "train", "--variant", "vanilla", "--dataset", "ring8",
         "--steps", "1000000", "--log-every", "10", "--checkpoint-every", "10", "--eval-every", "0",
         "--sample-every", "1000000", "--num-samples", "2000", "--runs-dir", str(runs),
         "--run-id", run_id, "--quiet"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _status(run_dir: Path) -> str | None:
    try:
        return json.loads((run_dir / "status.json").read_text())["status"]
    except (OSError, ValueError, KeyError):
        return None


def _cfg(**kw):
    return make_config("vanilla", "ring8", device="cpu", log_every=10, checkpoint_every=20,
                       sample_every=1000, num_samples=2000, eval_every=0, **kw)


def _stopped_run(runs: Path, run_id: str = "r") -> Path:
    trainer, run = start_run(_cfg(steps=60), RunStore(runs), run_id)
    trainer.subscribe(lambda e: trainer.stop() if e.kind == "checkpoint" and e.step == 20 else None)
    assert trainer.run() == "stopped"
    return run.path


def _hold_in_another_process(run_dir: Path) -> subprocess.Popen:
    """A second process holding the run's lock until its stdin closes: what a server or CLI
    preparing a resume of the run looks like (status.json still says stopped)."""
    code = ("import sys; from gancore.runs.lock import RunLock; "
            "lock = RunLock.acquire(sys.argv[1]); print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(run_dir)], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_trainer_on_a_run_another_process_trains_is_refused_until_that_one_is_killed(tmp_path):
    runs = tmp_path / "runs"
    proc = _train(runs, "x")
    run_dir = runs / "x"
    try:
        _wait_for(lambda: _status(run_dir) == "running" and (run_dir / "checkpoints" / "latest.pt").exists(),
                  "the first trainer to run and save a checkpoint")
        config = (run_dir / "config.json").read_bytes()
        metrics = (run_dir / "metrics.jsonl").read_text().splitlines()

        second = subprocess.run([sys.executable, "-m", "gancore", "resume", "--run", str(run_dir),
                                 "--steps", "20"], cwd=REPO, capture_output=True, text=True, timeout=300)
        busy = _busy("x", proc.pid)
        assert second.returncode == 2
        assert re.fullmatch(f"error: {busy}\n", second.stderr), second.stderr
        with pytest.raises(RunError, match=busy):
            RunStore(runs).delete("x")
        with pytest.raises(RunError, match=busy):
            JobManager(RunStore(runs)).resume("x", extra_steps=20)  # the dashboard's resume / roll back
        assert run_dir.is_dir()
        assert (run_dir / "config.json").read_bytes() == config, "config.json is not rewritten"
        now = (run_dir / "metrics.jsonl").read_text().splitlines()
        assert now[:len(metrics)] == metrics, "metrics.jsonl is not cut back"
        steps = [json.loads(line)["step"] for line in now]
        assert steps == sorted(set(steps)), "one trainer appends"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    assert (run_dir / LOCK_NAME).exists(), "the killed process left its lock file"
    run = RunStore(runs).open("x")
    at = run.load_checkpoint()["step"]
    trainer, _ = resume_run(run, extra_steps=20)  # the left lock is taken over
    assert trainer.run() == "finished"
    assert run.status()["step"] == at + 20
    assert not (run_dir / LOCK_NAME).exists(), "released when the trainer ended"


def test_a_lock_left_behind_is_taken_over_by_exactly_one_of_many_racing(tmp_path):
    for left in ('{"pid": 999999999, "host": "vm", "doing": "training", "since": 0}', "not json"):
        (tmp_path / LOCK_NAME).write_text(left)
        start, done = threading.Barrier(8, timeout=60), threading.Barrier(8, timeout=60)
        won, refused = [], []

        def take():
            start.wait()
            try:
                won.append(RunLock.acquire(tmp_path))
            except RunError as exc:
                refused.append(str(exc))
            done.wait()  # the winner holds on until every other one has tried

        threads = [threading.Thread(target=take) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(won) == 1 and len(refused) == 7, (won, refused)
        assert all(re.fullmatch(_busy(tmp_path.name, os.getpid()), r) for r in refused)
        won[0].release()
        assert not (tmp_path / LOCK_NAME).exists()


def test_a_trainer_holds_its_run_from_start_to_end_and_a_refused_resume_lets_go(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = start_run(_cfg(steps=20), store, "r")
    with pytest.raises(RunError, match=_busy("r", os.getpid())):
        resume_run(store.open("r"), extra_steps=10)  # a second trainer in the same process too
    assert trainer.run() == "finished"
    assert not (run.path / LOCK_NAME).exists()
    with pytest.raises(RunError, match="already reached its 20 steps"):
        resume_run(run)
    RunLock.acquire(run.path).release()  # the refused resume did not keep the lock
    store.delete("r")
    assert not run.path.exists()


def test_a_lock_nobody_releases_ends_with_its_object(tmp_path):
    import gc

    lock = RunLock.acquire(tmp_path)
    with pytest.raises(RunError):
        RunLock.acquire(tmp_path)
    del lock
    gc.collect()
    RunLock.acquire(tmp_path).release()


def test_a_dashboard_job_releases_the_run_when_its_thread_ends(tmp_path):
    run_dir = _stopped_run(tmp_path)
    manager = JobManager(RunStore(tmp_path))
    job = manager.resume("r")
    job.thread.join(timeout=120)
    assert job.snapshot().status == "finished"
    assert not (run_dir / LOCK_NAME).exists()
    failed = manager.start(make_config("dcgan", "mnist", data_dir=str(tmp_path / "nowhere"),
                                       download=False), "never")
    failed.thread.join(timeout=120)
    assert failed.snapshot().status == "failed" and not (tmp_path / "never").exists()


def test_the_pages_say_who_trains_a_run_when_resume_or_delete_is_pressed(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    run_dir = _stopped_run(tmp_path)
    config = (run_dir / "config.json").read_bytes()
    holder = _hold_in_another_process(run_dir)
    try:
        busy = _busy("r", holder.pid)
        at = AppTest.from_file(str(REPO / "dashboard" / "navigation.py"), default_timeout=60)
        at.run()
        at.switch_page("views/runs.py").run()
        [b for b in at.button if b.label == "Resume training"][0].click().run()
        assert not at.exception
        assert any(re.fullmatch(f"This run cannot be resumed: {busy}", e.value) for e in at.error), \
            [e.value for e in at.error]
        [c for c in at.checkbox if c.label.startswith("Yes, delete")][0].check().run()
        [b for b in at.button if b.label == "Delete"][0].click().run()
        assert any(re.fullmatch(f"This run cannot be deleted: {busy}", e.value) for e in at.error), \
            [e.value for e in at.error]
        assert (run_dir / "config.json").read_bytes() == config

        at = AppTest.from_file(str(REPO / "dashboard" / "navigation.py"), default_timeout=60)
        at.query_params["run"] = "r"
        at.run()
        at.switch_page("views/monitor.py").run()
        [b for b in at.button if b.label == "Resume training"][0].click().run()
        assert any(re.fullmatch(f"The run could not be resumed: {busy}", e.value) for e in at.error), \
            [e.value for e in at.error]
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert _status(run_dir) == "stopped"
