"""Wiring a Trainer to a run folder: start a new run, or resume one from its latest checkpoint.
Shared by the CLI (foreground) and jobs (background thread).

The Trainer is built (data loaded, config validated) before the run folder is created, so a bad
input never leaves a half-made run behind. One trainer per run folder: each holds the folder's
lock (lock.py) from here until its last event.

Under torchrun (training/distributed.py) every rank calls these with its `ranks`: rank 0 alone
creates, locks and writes the folder and reads the checkpoint, which it hands to the others, so
they need no access to its disk (ranks on other machines); they get no Run (None).
"""
from __future__ import annotations

from ..config import TrainConfig
from ..errors import RunError
from ..sampling.checkpoints import check_finite_weights
from .bundle import refuse_training
from .lock import RunLock
from .meta import RunMeta
from .requests import take
from .state import Status
from .store import Run, RunStore, atomic_write_json
from ..training.distributed import Ranks, broadcast_object, join
from ..training.device import resolve_device
from ..training.trainer import Trainer


def start_run(cfg: TrainConfig, store: RunStore, run_id: str | None = None,
              meta: RunMeta | None = None, ranks: Ranks | None = None) -> tuple[Trainer, Run | None]:
    """The new folder (with `meta`: its name and note) appears already locked for this trainer
    (lock.py); the lock ends with it. Ranks other than 0: the trainer alone."""
    trainer = Trainer(cfg, ranks=ranks)
    if ranks is not None and not ranks.main:
        return trainer, None
    run = store.create(cfg, run_id, locked=True, meta=meta)
    hold_until_the_end(trainer, run, run.trainer_lock)
    return trainer, run


def hold_until_the_end(trainer: Trainer, run: Run, lock: RunLock) -> None:
    """Attach the run folder, then release the lock on the trainer's last event: after the run's
    listener (subscribed first) has written the final status.json and checkpoint. Pause, resume
    and stop asked by other processes (runs/requests.py) reach the trainer."""
    run.trainer_lock = lock
    run.attach(trainer)
    take(run.path)  # an ask left from an earlier trainer of this run is not for this one
    trainer.take_requests_from(lambda: take(run.path))
    trainer.subscribe(lambda event: lock.release() if Status.parse(event.kind).final else None)


def resume_run(run: Run, extra_steps: int | None = None, lr_scale: float = 1.0,
               batch_size: int | None = None, lock: RunLock | None = None,
               checkpoint: str = "latest.pt", ranks: Ranks | None = None) -> tuple[Trainer, Run]:
    """Continue `run` from checkpoints/latest.pt (or another kept `checkpoint`: a roll-back to
    before an alert): its step count, optimizer state, noise stream and metrics file continue;
    whatever was recorded after that checkpoint is cut off first (Run.truncate_after).
    `extra_steps`: train this many more steps; None = up to the run's configured total.
    `lr_scale` < 1 is the roll-back after a divergence (latest.pt is always a healthy point);
    `batch_size` the resume after running out of memory.
    The run's lock is taken first (or `lock`, taken by the caller, is used): a run another
    trainer works on is refused before anything in its folder changes. It is released when the
    trainer ends, or here when the resume is refused. `ranks`: rank 0's, under torchrun (the other
    ranks call resume_rank at the same time)."""
    lock = lock or RunLock.acquire(run.path, run_id=run.run_id)
    try:
        return _resume_locked(run, lock, extra_steps, lr_scale, batch_size, checkpoint, ranks)
    except BaseException:
        lock.release()
        raise


def resume_rank(ranks: Ranks, device: str) -> Trainer:
    """A rank other than 0 joining rank 0's `resume_run`: the config and checkpoint come from
    rank 0 (which resumes with `ranks` too); no run folder here."""
    join(ranks, resolve_device(device))
    cfg, state = broadcast_object(None, ranks)
    return Trainer(TrainConfig.from_dict(cfg), checkpoint=state, ranks=ranks)


def _resume_locked(run: Run, lock: RunLock, extra_steps: int | None, lr_scale: float,
                   batch_size: int | None, checkpoint: str, ranks: Ranks | None) -> tuple[Trainer, Run]:
    refuse_training(run)  # an imported run has no discriminator or optimizer to continue
    state = run.load_checkpoint(checkpoint)
    check_finite_weights(state, ("generator", "discriminator"),
                         advice="training cannot continue from it; start a new run")
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
    if ranks is not None:  # the others wait in resume_rank for what to continue from
        join(ranks, resolve_device(cfg.device))
        broadcast_object((cfg.to_dict(), state), ranks)
    trainer = Trainer(cfg, checkpoint=state, ranks=ranks)
    run.truncate_after(step)
    trainer.replay_history(run.metrics(), run.quality(), run.quality_floor())
    atomic_write_json(run.path / "config.json", cfg.to_dict())
    hold_until_the_end(trainer, run, lock)
    return trainer, run
