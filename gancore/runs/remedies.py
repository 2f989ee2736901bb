"""What an alert's remedy buttons do, as settings: each remedy is a new config (a new run) or a
roll-back (the same run, continued from an earlier checkpoint with lower learning rates).

`remedies_for(run, alert)` lists the ones that apply, with their words; the page or the CLI
starts them through runs/jobs.py (`start` for a new config, `resume(..., checkpoint=)` for a
roll-back). Nothing here trains.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from ..config import TrainConfig, make_config
from ..config.sections import DataConfig
from ..health.alerts import LOWER_RATES, ROLL_BACK, SLOWER_D, STABLE_LOSS, Alert
from ..registry import get_variant_spec, is_conditional, list_variants
from .store import Run, step_of

ROLL_BACK_LR_SCALE = 0.5
LOWER_RATES_SCALE = 0.5
SLOWER_D_SCALE = 0.25  # D's rate a quarter of what it was: two time-scales, D the slower
STABLE_LOSS_NAME = "wasserstein"  # the generator loss of the gradient-penalty critic


@dataclass(frozen=True)
class Remedy:
    name: str  # one of health.alerts' remedy names
    label: str  # a button's words
    help: str  # what pressing it does
    config: TrainConfig | None = None  # a new run with this config; None: a roll-back
    checkpoint: str | None = None  # the roll-back's checkpoint file
    checkpoint_step: int | None = None


def _checkpoint_before(run: Run, step: int) -> tuple[str, int] | None:
    """The newest kept step checkpoint at or before `step` (name, step)."""
    kept = [(path.name, step_of(path)) for path in run.checkpoint_files() if step_of(path) <= step]
    return max(kept, key=lambda named: named[1], default=None)


def stable_loss_variant(cfg: TrainConfig) -> str | None:
    """A registered variant trained with the Wasserstein loss that reads the same inputs and
    trains on the same kind of data as `cfg`'s; None if `cfg` already uses that loss."""
    if cfg.model.g_loss == STABLE_LOSS_NAME:
        return None
    spec = get_variant_spec(cfg.model.variant)
    for name in list_variants():
        other = get_variant_spec(name)
        if STABLE_LOSS_NAME in other.g_losses and other.reads == spec.reads \
                and set(spec.data_kinds) & set(other.data_kinds):
            return name
    return None


def _same_data(cfg: TrainConfig) -> dict:
    keep = {f.name: getattr(cfg.data, f.name) for f in fields(DataConfig) if f.name != "dataset"}
    return {**keep, "device": cfg.device, "seed": cfg.seed}


def remedies_of(run: Run, alerts: list[Alert]) -> list[Remedy]:
    """Several alerts' remedies, each once (the same button under two alerts would do the same
    thing); a roll-back goes to before the earliest alert."""
    seen: dict[str, Remedy] = {}
    for alert in sorted(alerts, key=lambda a: a.since):
        for remedy in remedies_for(run, alert):
            seen.setdefault(remedy.name, remedy)
    return list(seen.values())


def remedies_for(run: Run, alert: Alert) -> list[Remedy]:
    cfg = run.config()
    out = []
    for name in alert.remedies:
        if name == ROLL_BACK:
            found = _checkpoint_before(run, alert.since)
            if found is not None:
                out.append(Remedy(ROLL_BACK, f"Roll back to step {found[1]:,} with half the learning rates",
                                  f"continues this run from its checkpoint at step {found[1]:,}, before "
                                  f"the alert began; the steps after it are discarded", None, *found))
        elif name == LOWER_RATES:
            new = cfg.replace(lr_g=cfg.lr_g * LOWER_RATES_SCALE, lr_d=cfg.lr_d * LOWER_RATES_SCALE)
            out.append(Remedy(LOWER_RATES, "New run with half the learning rates",
                              f"trains a new run from the start with G at {new.lr_g:g} and D at "
                              f"{new.lr_d:g}; this run stays as it is", new))
        elif name == SLOWER_D:
            new = cfg.replace(lr_d=cfg.lr_d * SLOWER_D_SCALE)
            out.append(Remedy(SLOWER_D, "New run with a slower discriminator",
                              f"trains a new run from the start with D's learning rate at {new.lr_d:g} "
                              f"(G's stays {new.lr_g:g}); this run stays as it is", new))
        elif name == STABLE_LOSS:
            variant = stable_loss_variant(cfg)
            if variant is not None:
                labels = {"conditional": True} if is_conditional(cfg) and \
                    get_variant_spec(variant).conditional == "optional" else {}
                new = make_config(variant, cfg.data.dataset, **_same_data(cfg), **labels)
                out.append(Remedy(STABLE_LOSS, f"New run with {variant} (Wasserstein loss)",
                                  f"trains {variant} on the same data with its own defaults; it keeps "
                                  "giving the generator a signal when the critic is ahead", new))
    return out
