"""A fork: a new run that starts from a kept checkpoint of another run, with changed settings.

The fork continues the parent's networks, optimizer state and step count (its step axis is the
parent's), so only settings that leave the networks' shapes alone may change: learning rates,
batch size, steps, the loss, n_critic, ... Settings declared `architecture=True` (the variant,
layer sizes, the dataset and its image size) are refused in words. The fork records its parent
and the step it started from in meta.json (runs/meta.py); the parent is never touched.

A changed seed gives the fork its own batches and noise from the fork on (the parent's stream
continues otherwise). The fork's health alerts judge the fork alone: its watch starts fresh.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

from ..config import SETTINGS, TrainConfig, validate
from ..errors import ConfigError, RunError
from ..sampling.checkpoints import check_finite_weights
from ..training.trainer import Trainer
from .launch import hold_until_the_end
from .meta import RunMeta, edited
from .store import Run, RunStore


def default_fork_steps(parent_cfg: TrainConfig, step: int) -> int:
    """The parent's planned total when the fork starts before it, else half as many again."""
    return parent_cfg.steps if parent_cfg.steps > step else step + max(parent_cfg.steps // 2, 100)


def fork_config(parent_cfg: TrainConfig, step: int, changes: dict) -> TrainConfig:
    """The parent's config with `changes` (flat setting names; None = unchanged), validated.
    Refused: unknown names, architecture changes, and a total that does not go past `step`."""
    changes = {k: v for k, v in changes.items() if v is not None}
    flat = parent_cfg.flat()
    for key, value in changes.items():
        if key not in SETTINGS:
            raise ConfigError(key, f"unknown setting; allowed: {', '.join(sorted(SETTINGS))}")
        if SETTINGS[key].architecture and value != flat[key]:
            raise ConfigError(key, f"a fork continues its parent's networks, so it cannot change "
                                   f"{SETTINGS[key].label.lower()} (the parent's is {flat[key]!r}); "
                                   "start a new run for that")
    changes.setdefault("steps", default_fork_steps(parent_cfg, step))
    if changes["steps"] <= step:
        raise ConfigError("steps", f"the fork starts at step {step:,} of its parent, so it must "
                                   f"plan more steps than that, got {changes['steps']:,}")
    return validate(parent_cfg.replace(**changes))


@dataclass(frozen=True)
class ForkPlan:
    """A fork judged and ready to start: the parent's checkpoint and the fork's config."""

    parent: Run
    checkpoint: str
    state: dict  # the parent's checkpoint (tensors and plain data)
    cfg: TrainConfig  # the fork's
    parent_cfg: TrainConfig

    @property
    def step(self) -> int:
        return int(self.state["step"])

    def meta(self, name: str = "", note: str = "") -> RunMeta:
        return edited(RunMeta(parent=self.parent.run_id, fork_step=self.step,
                              fork_checkpoint=self.checkpoint), name, note)


def plan_fork(parent: Run, checkpoint: str = "latest.pt", changes: dict | None = None) -> ForkPlan:
    """Every check a fork needs, before any trainer or folder exists (a refused fork is said at
    once and leaves nothing behind): the parent is not an import, the checkpoint loads and holds
    finite weights, the changed settings are allowed."""
    if parent.meta().imported:
        raise RunError(f"run {parent.run_id} was imported from a bundle, which holds only its "
                       "generator: it cannot be trained further or forked")
    state = parent.load_checkpoint(checkpoint)
    check_finite_weights(state, ("generator", "discriminator"),
                         advice="a fork cannot continue from it; pick an earlier checkpoint")
    parent_cfg = TrainConfig.from_dict(state["config"])
    cfg = fork_config(parent_cfg, int(state["step"]), dict(changes or {}))
    return ForkPlan(parent, checkpoint, state, cfg, parent_cfg)


def start_fork(plan: ForkPlan, store: RunStore, run_id: str | None = None,
               meta: RunMeta | None = None) -> tuple[Trainer, Run]:
    """The fork's trainer and its new run folder (locked for the trainer, as launch.start_run's).
    The real-vs-real quality line is the parent's (the same data)."""
    trainer = Trainer(plan.cfg, checkpoint=plan.state)
    if plan.cfg.seed != plan.parent_cfg.seed:
        trainer.rng.manual_seed(plan.cfg.seed + 1)  # its own batches and noise from here on
    run = store.create(plan.cfg, run_id, locked=True, meta=meta or plan.meta())
    floor = plan.parent.path / "quality_floor.json"
    if floor.is_file():
        shutil.copyfile(floor, run.path / floor.name)
    hold_until_the_end(trainer, run, run.trainer_lock)
    return trainer, run


def parent_records(store: RunStore, meta: RunMeta) -> list[dict]:
    """The parent's metric records up to the fork, for drawing the fork's curves from step 0;
    [] for a run that is not a fork, or whose parent is gone."""
    if not meta.forked:
        return []
    try:
        parent = store.open(meta.parent)
    except RunError:
        return []
    return [r for r in parent.metrics() if r.get("step", 0) <= meta.fork_step]
