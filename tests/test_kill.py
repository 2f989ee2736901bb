"""SIGKILL a training process at random moments, again and again: every run folder still loads,
lists and resumes, and at most the steps since the last checkpoint are lost."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from gancore import RunStore, resume_run

REPO = Path(__file__).resolve().parents[1]


def _train(runs: Path, run_id: str) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen(
        [sys.executable, "-m", "gancore", "train", "--variant", "vanilla", "--dataset", "ring8",
         "--steps", "1000000", "--log-every", "20", "--checkpoint-every", "40",
         "--sample-every", "100", "--num-samples", "2000", "--runs-dir", str(runs),
         "--run-id", run_id, "--quiet"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_random_sigkills_lose_nothing_but_the_last_steps(tmp_path):
    rng = random.Random(1234)
    runs = tmp_path / "runs"
    kills = 8
    for i in range(kills):
        proc = _train(runs, f"k{i}")
        if i % 4 == 0:  # any moment at all, start-up included
            time.sleep(rng.uniform(0.1, 3.0))
        else:  # a random moment after the first checkpoint (metrics, samples, checkpoints)
            deadline = time.time() + 120  # a loaded machine starts slowly
            while not (runs / f"k{i}" / "checkpoints" / "latest.pt").exists() and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    store = RunStore(runs)
    summaries = {s.run_id: s for s in store.states()}
    for run_id, summary in summaries.items():
        run = store.open(run_id)
        run.config()  # loads
        assert summary.status in ("interrupted", "created"), (run_id, summary.status)
        metrics = run.metrics()
        assert all("loss_d" in m for m in metrics), "no torn record is returned"
        checkpoints = run.checkpoint_files()
        if not checkpoints:
            continue  # killed before the first checkpoint: nothing to lose
        latest = run.load_checkpoint()
        lost = summary.step - latest["step"]
        assert 0 <= lost < 40 + 20, f"{run_id}: lost {lost} steps (checkpoint every 40, log every 20)"
        assert (run.path / "trainer.lock").exists(), "the killed trainer's lock file is left behind"
        trainer, _ = resume_run(run, extra_steps=20)  # and taken over: the kernel's lock ended with it
        assert trainer.run() == "finished"
        assert run.status()["step"] == latest["step"] + 20
        assert not (run.path / "trainer.lock").exists(), "released at the end"
    resumed = [r for r in summaries if store.open(r).checkpoint_files()]
    assert len(resumed) >= kills // 2, "most kills happened mid-training, after a checkpoint"
    listed = subprocess.run([sys.executable, "-m", "gancore", "list", "--runs-dir", str(runs)],
                            cwd=REPO, capture_output=True, text=True)
    assert listed.returncode == 0 and all(r in listed.stdout for r in summaries)
