"""Distributed training through torchrun (gancore/training/distributed.py), 2 processes with gloo
on this CPU: gradients really are averaged (every rank ends with the same weights), rank 0 alone
writes each step once, its checkpoint samples in one process, a run tracks a one-process run of
the global batch, pause and stop reach every rank, a dead rank ends the others, and a run resumes
with another number of processes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gancore import ConfigError, RunError, RunStore, Trainer, get_variant_spec, list_variants, make_config
from gancore.cli import main
from gancore.training.distributed import Ranks

WORKER = str(Path(__file__).with_name("ddp_worker.py"))
# --standalone: a rendezvous on this machine at a free port (tests never share one)
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]


def _torchrun(*args, timeout=300) -> subprocess.CompletedProcess:
    done = subprocess.run(TORCHRUN + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _steps(run_dir: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def _parameters(state: dict) -> dict:
    """Weights only: BatchNorm's running statistics are each rank's own on a CPU (no SyncBatchNorm
    there; DDP copies rank 0's to the others at each forward pass, docs/SCALING.md)."""
    return {k: v for k, v in state.items() if "running_" not in k and "num_batches_tracked" not in k}


@pytest.mark.parametrize("variant", list_variants())
def test_every_rank_ends_with_the_same_weights_and_rank_0_writes_each_step_once(variant, tmp_path, capsys):
    _torchrun(WORKER, tmp_path, variant)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert ranks[0]["step"] == ranks[1]["step"] == 6
    for net in ("generator", "discriminator"):
        a, b = _parameters(ranks[0][net]), _parameters(ranks[1][net])
        assert all(torch.equal(a[k], b[k]) for k in a), f"{net}: the ranks' gradients were averaged"
    run = tmp_path / "runs" / "r"
    assert _steps(run) == [2, 4, 6], "each logged step once, from rank 0 alone"
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["r"], "no folder from rank 1"
    sample = ["sample", "--run", str(run), "--out", str(tmp_path / "s.png")]
    if get_variant_spec(variant).reads != "noise":  # it transforms an image: give it one
        Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4).save(tmp_path / "in.png")
        sample += ["--input", str(tmp_path / "in.png")]
    assert main(sample) == 0, capsys.readouterr().err
    assert (tmp_path / "s.png").stat().st_size > 0, "the 2-process checkpoint samples in one process"


def test_two_processes_of_batch_b_track_one_process_of_batch_2b(tmp_path):
    """Same seed, same initial weights; the batches differ (each rank draws its own), so the
    curves agree to sampling noise, not exactly: measured within 0.03 over 300 steps."""
    common = ["--variant", "vanilla", "--dataset", "ring8", "--steps", "300", "--log-every", "10",
              "--runs-dir", tmp_path, "--eval-every", "0", "--quiet"]
    _torchrun("-m", "gancore", "train", *common, "--batch-size", "128", "--run-id", "two")
    assert main(["train", *map(str, common), "--batch-size", "256", "--run-id", "one"]) == 0
    two, one = (RunStore(tmp_path).open(i).metrics() for i in ("two", "one"))
    assert [r["step"] for r in two] == [r["step"] for r in one]
    for key in ("loss_d", "loss_g", "d_real", "d_fake"):
        gap = max(abs(a[key] - b[key]) for a, b in zip(two, one))
        assert gap < 0.06, f"{key} drifts {gap:.3f} from the one-process run"
    assert json.loads((tmp_path / "two" / "config.json").read_text())["batch_size"] == 128, "per process"


def test_a_stop_asked_of_rank_0_stops_every_rank_at_the_same_step(tmp_path):
    _torchrun(WORKER, tmp_path, "vanilla", "steps=100000", "log_every=20", "stop_at=40")
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert [(r["step"], r["status"]) for r in ranks] == [(40, "stopped"), (40, "stopped")]
    assert json.loads((tmp_path / "runs" / "r" / "status.json").read_text())["status"] == "stopped"
    assert (tmp_path / "runs" / "r" / "checkpoints" / "step_0000040.pt").is_file(), "a stop saves first"


def _rank_pids(run_id: str) -> dict[int, int]:
    """rank -> pid of torchrun's workers whose environment names this run's folder."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = dict(e.split(b"=", 1) for e in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in e)
        except OSError:
            continue
        if env.get(b"GS_TEST_RUN") == run_id.encode() and b"RANK" in env:
            found[int(env[b"RANK"])] = int(pid)
    return found


def test_a_killed_rank_ends_the_other_and_the_run_resumes_in_one_process(tmp_path, capsys):
    env = dict(os.environ, GS_TEST_RUN=str(tmp_path))
    proc = subprocess.Popen(TORCHRUN + ["-m", "gancore", "train", "--variant", "vanilla", "--dataset", "ring8",
                                        "--steps", "1000000", "--log-every", "20", "--checkpoint-every", "40",
                                        "--runs-dir", str(tmp_path), "--run-id", "k", "--eval-every", "0",
                                        "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        checkpoint = tmp_path / "k" / "checkpoints" / "latest.pt"
        while time.monotonic() < deadline and not (checkpoint.exists() and len(_rank_pids(str(tmp_path))) == 2):
            time.sleep(0.2)
        assert checkpoint.exists(), proc.stdout.read1().decode()[-2000:] if proc.poll() is not None else "no checkpoint"
        os.kill(_rank_pids(str(tmp_path))[1], signal.SIGKILL)
        killed = time.monotonic()
        rc = proc.wait(timeout=150)  # the collective timeout is 120 s; torchrun ends it sooner
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    print(f"the other rank ended {time.monotonic() - killed:.1f} s after the kill")
    assert rc != 0
    status = json.loads((tmp_path / "k" / "status.json").read_text())
    assert status["status"] in ("failed", "stopped", "interrupted")
    assert "another process of this distributed run" in status["message"]
    assert main(["resume", "--run", str(tmp_path / "k"), "--steps", "20", "--quiet"]) == 0, capsys.readouterr().err
    steps = _steps(tmp_path / "k")
    assert len(steps) == len(set(steps)), "no step logged twice across the kill and the resume"


def test_a_one_process_run_resumes_in_two(tmp_path, capsys):
    common = ["--variant", "dcgan", "--dataset", "glyphs", "--num-samples", "64", "--batch-size", "8",
              "--base-channels", "8", "--log-every", "5", "--checkpoint-every", "10", "--eval-every", "0",
              "--runs-dir", str(tmp_path), "--run-id", "r", "--quiet"]
    assert main(["train", *common, "--steps", "10"]) == 0, capsys.readouterr().err
    done = _torchrun("-m", "gancore", "resume", tmp_path / "r", "--steps", "10")
    assert "resuming r at step 10 of 20, 2 processes: batch 8 each, 16 a step" in done.stdout
    assert _steps(tmp_path / "r") == [5, 10, 15, 20]
    assert json.loads((tmp_path / "r" / "status.json").read_text())["status"] == "finished"


def test_fork_and_compile_say_what_to_do_under_torchrun(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    assert main(["fork", "--run", str(tmp_path)]) == 2
    assert "start a fork in one process" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="compile: is not supported with several processes"):
        Trainer(make_config("vanilla", "ring8", compile=True, device="cpu"), ranks=Ranks(0, 2, 0))


def _status(run_dir: Path) -> str:
    try:
        return json.loads((run_dir / "status.json").read_text())["status"]
    except (OSError, ValueError):
        return ""


def _wait(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    return condition()


def test_pause_resume_and_stop_asked_from_another_process_reach_every_rank(tmp_path):
    """What the Monitor's buttons do for a run they do not train (runs/requests.py)."""
    from gancore.runs.requests import ask

    run = tmp_path / "r"
    proc = subprocess.Popen(TORCHRUN + ["-m", "gancore", "train", "--variant", "vanilla", "--dataset", "ring8",
                                        "--steps", "1000000", "--log-every", "20", "--runs-dir", str(tmp_path),
                                        "--run-id", "r", "--eval-every", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait(lambda: (run / "metrics.jsonl").exists()), "training started"
        ask(run, "pause")
        assert _wait(lambda: _status(run) == "paused"), "paused"
        paused_at = _steps(run)[-1]
        ask(run, "resume")
        assert _wait(lambda: _status(run) == "running" and _steps(run)[-1] > paused_at), "resumed and trains on"
        ask(run, "stop")
        assert proc.wait(timeout=120) == 0, "every rank stopped, none hung"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert _status(run) == "stopped" and not (run / "requests.json").exists()


def test_the_train_page_starts_two_processes_and_the_run_trains_to_its_end(tmp_path, monkeypatch):
    from app_pages import open_app

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/train.py")
    at.text_input(key="vanilla-ring8-steps").set_value("200")
    at.selectbox(key="processes").set_value(2)
    next(b for b in at.button if b.label == "Start training").click().run(timeout=240)
    assert not at.exception and not at.error, [e.value for e in at.error]
    [state] = RunStore(tmp_path).states()
    assert _wait(lambda: _status(tmp_path / state.run_id) == "finished"), "trained by torchrun's 2 processes"
    assert _steps(tmp_path / state.run_id)[-1] == 200


def test_a_child_that_cannot_start_says_why(tmp_path):
    from gancore.runs.torchrun_launch import launch, wait_until_started

    with pytest.raises(ConfigError, match="processes: must be at least 2"):
        launch(make_config("vanilla", "ring8"), 1, RunStore(tmp_path))
    cfg = make_config("dcgan", "mnist", data_dir=str(tmp_path / "none"), download=False, device="cpu")
    run_id, child = launch(cfg, 2, RunStore(tmp_path))
    with pytest.raises(RunError, match="ended before training started: error: .*data"):
        wait_until_started(RunStore(tmp_path), run_id, child)
    assert not (tmp_path / run_id).exists(), "no half-made run folder"
