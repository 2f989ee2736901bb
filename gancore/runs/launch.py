"""Wiring a Trainer to a run folder: start a new run, or resume one from its latest checkpoint.
Shared by the CLI (foreground) and jobs (background thread).

The Trainer is built (data loaded, config validated) before the run folder is created, so a bad
input never leaves a half-made run behind.
"""
from __future__ import annotations

from ..config import TrainConfig
from ..errors import RunError
from .store import Run, RunStore, atomic_write_json
from ..training.trainer import Trainer


def start_run(cfg: TrainConfig, store: RunStore, run_id: str | None = None) -> tuple[Trainer, Run]:
    trainer = Trainer(cfg)
    run = store.create(cfg, run_id)
    run.attach(trainer)
    return trainer, run


def resume_run(run: Run, extra_steps: int | None = None, lr_scale: float = 1.0,
               batch_size: int | None = None) -> tuple[Trainer, Run]:
    """Continue `run` from checkpoints/latest.pt: its step count, optimizer state, noise stream
    and metrics file continue; metrics logged after that checkpoint are cut off first.
    `extra_steps`: train this many more steps; None = up to the run's configured total.
    `lr_scale` < 1 is the roll-back after a divergence (latest.pt is always a healthy point);
    `batch_size` the resume after running out of memory."""
    state = run.load_checkpoint()
    cfg = TrainConfig.from_dict(state["config"])
    step = int(state["step"])
    if not 0 < lr_scale <= 1:
        raise RunError(f"lr_scale: must be above 0 and at most 1, got {lr_scale}")
    if lr_scale != 1.0:
        cfg = cfg.replace(lr_g=cfg.lr_g * lr_scale, lr_d=cfg.lr_d * lr_scale)
    if batch_size is not None:
        cfg = cfg.replace(batch_size=batch_size)
    if extra_steps is not None:
        if extra_steps < 1:
            raise RunError(f"steps: must be at least 1, got {extra_steps}")
        cfg = cfg.replace(steps=step + extra_steps)
    elif step >= cfg.steps:
        raise RunError(f"run {run.run_id} already reached its {cfg.steps} steps; "
                       "pass --steps N to train N more")
    trainer = Trainer(cfg, checkpoint=state)
    run.truncate_metrics(step)
    atomic_write_json(run.path / "config.json", cfg.to_dict())
    run.attach(trainer)
    return trainer, run
