"""Starting a distributed run as a child process: `torchrun --standalone --nproc_per_node N -m
gancore train ...` with the run's settings as flags, for the dashboard's "train on all N GPUs"
(and "2 processes" on a CPU). The child writes the run folder as any command-line run does; the
Monitor follows it from disk and controls it through runs/requests.py.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ..config import TrainConfig, validate
from ..errors import ConfigError, RunError
from .meta import RunMeta
from .store import RunStore, new_run_id, validate_run_id

STARTUP_SECONDS = 180  # data loading and the rendezvous; a first import of torch can be slow
LOG_NAME = ".torchrun-{run_id}.log"  # beside the run folders; hidden from the runs listing


def train_flags(cfg: TrainConfig) -> list[str]:
    """Every setting as the flag `gancore train` reads it back ("--lr-g", "0.0002", ...)."""
    flags = []
    for name, value in cfg.flat().items():
        if value is None:  # "the source's own": the flag's default
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        flags += [f"--{name.replace('_', '-')}", text]
    return flags


def torchrun_command(cfg: TrainConfig, processes: int, runs_dir: Path, run_id: str, meta: RunMeta) -> list[str]:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(processes),
               "-m", "gancore", "train", *train_flags(cfg), "--runs-dir", str(runs_dir), "--run-id", run_id,
               "--quiet"]
    if meta.name:
        command += ["--name", meta.name]
    if meta.note:
        command += ["--note", meta.note]
    return command


def launch(cfg: TrainConfig, processes: int, store: RunStore, meta: RunMeta | None = None,
           run_id: str | None = None) -> tuple[str, subprocess.Popen]:
    """Start the child; (its run id, the process). Refused in words before anything starts: a
    bad setting, fewer than 2 processes, compile (not with several processes yet)."""
    cfg = validate(cfg)
    if processes < 2:
        raise ConfigError("processes", f"must be at least 2 for a distributed run, got {processes}")
    if cfg.compile:
        raise ConfigError("compile", "is not supported with several processes yet: turn it off")
    meta = meta or RunMeta()
    run_id = validate_run_id(run_id) if run_id else new_run_id(cfg)
    store.root.mkdir(parents=True, exist_ok=True)
    log = store.root / LOG_NAME.format(run_id=run_id)
    with open(log, "wb") as out:  # the child keeps its own handle
        child = subprocess.Popen(torchrun_command(cfg, processes, store.root, run_id, meta), stdout=out,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return run_id, child


def wait_until_started(store: RunStore, run_id: str, child: subprocess.Popen,
                       seconds: float = STARTUP_SECONDS) -> None:
    """Return once the run's folder exists (rank 0 has built its trainer and started); RunError
    with the end of the child's output if it ends first or takes longer than `seconds`."""
    folder, deadline = store.root / run_id, time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (folder / "status.json").exists():
            return
        if child.poll() is not None:
            raise RunError(f"the {run_id} processes ended before training started: {_log_tail(store, run_id)}")
        time.sleep(0.25)
    raise RunError(f"the {run_id} processes did not start training within {seconds:.0f} s: "
                   f"{_log_tail(store, run_id)}")


def _log_tail(store: RunStore, run_id: str) -> str:
    """The child's last meaningful line ("error: ..."), or its last line."""
    try:
        lines = [line for line in (store.root / LOG_NAME.format(run_id=run_id)).read_text(errors="replace").splitlines()
                 if line.strip()]
    except OSError:
        return "no output"
    said = [line for line in lines if line.startswith("error:")]
    return (said or lines or ["no output"])[-1][:500]


def process_choices(cuda_devices: int) -> dict[int, str]:
    """What the Train page offers: one process, and all GPUs when there are several; on a machine
    without several GPUs, 2 processes to try it out."""
    if cuda_devices > 1:
        return {1: "1 GPU", cuda_devices: f"all {cuda_devices} GPUs (torchrun)"}
    return {1: "1 process (the usual)", 2: "2 processes (to try distributed training; slower here)"}

