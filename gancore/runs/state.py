"""A run's state: one Status vocabulary, one record, and the one reducer from the trainer's events.

The background job, status.json, the Runs table and the Monitor all hold a `RunState` made by
`reduce`, so they agree on what an event means. `RunView` is the same state with the histories
a page draws (metrics, quality measurements, the latest picture).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum

from ..config import TrainConfig
from ..health import warning_words
from .meta import RunMeta, label
from ..registry import d_loss_name, is_conditional


class Status(StrEnum):
    """A StrEnum, so `status == "paused"` and status.json's plain strings keep working."""

    CREATED = "created"          # the folder exists, training has not started
    PREPARING = "preparing"      # a job loads data and builds the networks (no folder yet)
    RUNNING = "running"
    PAUSED = "paused"
    DIVERGED = "diverged"        # paused by the trainer itself after a NaN/inf
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"  # status.json says live, but the process training it is gone
    FINISHED = "finished"
    FAILED = "failed"
    UNKNOWN = "unknown"          # status.json missing or unreadable

    @classmethod
    def parse(cls, text) -> Status:
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN

    @property
    def live(self) -> bool:
        """The run has an owner that may still take steps (a Pause or a divergence waits)."""
        return self in (Status.PREPARING, Status.RUNNING, Status.PAUSED, Status.DIVERGED)

    @property
    def training(self) -> bool:
        """Steps are being taken now (not paused, not waiting after a divergence)."""
        return self in (Status.PREPARING, Status.RUNNING)

    @property
    def resumable(self) -> bool:
        """Ended before its planned steps, with a checkpoint to continue from."""
        return self in (Status.STOPPED, Status.INTERRUPTED)

    @property
    def final(self) -> bool:
        """The trainer ended the run; only a resume trains it further."""
        return self in (Status.FINISHED, Status.STOPPED, Status.FAILED)


def quality_record(event) -> dict:
    """A "quality" event as one flat record: {"step", "seconds", metrics...} or {"step", "error"},
    with "phase" for variants with two (content-only steps, then adversarial)."""
    data = event.data
    phase = {"phase": data["phase"]} if data.get("phase") else {}
    if "error" in data:
        return {"step": event.step, "error": data["error"], **phase}
    return {"step": event.step, "seconds": round(data.get("seconds", 0.0), 3), **phase, **data["metrics"]}


def _mapping(value) -> dict:
    return dict(value) if isinstance(value, dict) else {}


MAX_ALERTS = 50  # kept in status.json: the open ones and the latest closed


def merge_alert(alerts: list[dict], alert: dict) -> list[dict]:
    """`alerts` with `alert` added, or replacing the record of the same kind and start (an
    opened alert that has closed)."""
    key = (alert.get("kind"), alert.get("since"))
    out = [a for a in alerts if (a.get("kind"), a.get("since")) != key] + [alert]
    while len(out) > MAX_ALERTS:  # drop the oldest closed one first
        closed = next((i for i, a in enumerate(out) if not a.get("open")), 0)
        del out[closed]
    return out


@dataclass
class RunState:
    """What status.json holds and what a listing of runs shows, without reading any history."""

    run_id: str
    status: Status
    step: int = 0
    total: int = 0
    message: str | None = None
    detail: str | None = None  # traceback text for a "details" expander, when failed unexpectedly
    fits_batch_size: int | None = None  # after running out of memory: the batch size that fits
    updated: float = 0.0  # time.time() of the last write to status.json
    owner: str | None = None  # the process writing status.json (pid:start time)
    last_metrics: dict = field(default_factory=dict)  # the last metrics record, {} before the first
    last_quality: dict = field(default_factory=dict)  # the last successful measurement, {} if none
    alerts: list[dict] = field(default_factory=list)  # health alerts (gancore/health), open and closed
    cfg: TrainConfig | None = None  # config.json's, not written to status.json
    meta: RunMeta = field(default_factory=RunMeta)  # meta.json's (name, note, parent), likewise

    def __post_init__(self):
        self.status = Status(self.status)

    @property
    def live(self) -> bool:
        return self.status.live

    @property
    def training(self) -> bool:
        return self.status.training

    @property
    def diverged(self) -> bool:
        """Diverged now, or stopped after diverging (its message says where)."""
        return self.status == Status.DIVERGED or "diverged at step" in (self.message or "")

    @property
    def warnings(self) -> str:
        """The open alerts' titles ("the discriminator wins, mode collapse"), or ""."""
        return warning_words(self.alerts)

    @property
    def status_words(self) -> str:
        """The status as a listing says it: a finished run with open alerts is "finished with
        warnings", never plain "finished"."""
        if self.status == Status.FINISHED and self.warnings:
            return "finished with warnings"
        return self.status.value

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def label(self) -> str:
        """The run as a list shows it: "name (id)", or the id of an unnamed run."""
        return label(self.run_id, self.meta)

    @property
    def variant(self) -> str:
        return self.cfg.model.variant if self.cfg is not None else ""

    @property
    def dataset(self) -> str:
        return self.cfg.data.dataset if self.cfg is not None else ""

    def to_json(self) -> dict:
        return {"status": self.status.value, "step": self.step, "total": self.total,
                "message": self.message, "detail": self.detail,
                "fits_batch_size": self.fits_batch_size, "updated": self.updated,
                "owner": self.owner, "last_metrics": self.last_metrics,
                "last_quality": self.last_quality, "alerts": self.alerts}

    @classmethod
    def from_json(cls, run_id: str, data: dict, cfg: TrainConfig | None = None) -> RunState:
        """Tolerant: an older status.json without the last numbers reads with them blank."""
        try:
            return cls(run_id, Status.parse(data.get("status")), int(data.get("step", 0)),
                       int(data.get("total", cfg.steps if cfg is not None else 0)),
                       data.get("message"), data.get("detail"), data.get("fits_batch_size"),
                       float(data.get("updated") or 0.0), data.get("owner"),
                       _mapping(data.get("last_metrics")), _mapping(data.get("last_quality")),
                       [a for a in data.get("alerts") or [] if isinstance(a, dict)], cfg)
        except (AttributeError, TypeError, ValueError):  # not a JSON object, or a field of the wrong type
            return cls(run_id, Status.UNKNOWN, total=cfg.steps if cfg is not None else 0, cfg=cfg)


def reduce(state: RunState, event) -> RunState:
    """The state after one trainer event (kind, step, data; see training/trainer.py). Pure."""
    kind, data = event.kind, event.data
    if kind == "quality":  # its step is the step G was measured at, behind the trainer's
        return state if "error" in data else replace(state, last_quality=quality_record(event))
    if kind == "alert":
        return replace(state, alerts=merge_alert(state.alerts, data["alert"]))
    state = replace(state, step=event.step)
    if kind == "metrics":
        return replace(state, last_metrics=data["record"])
    if kind == "started":
        return replace(state, status=Status.RUNNING, total=data["total"], message=None,
                       detail=None, fits_batch_size=None)
    if kind == "resumed":
        return replace(state, status=Status.RUNNING, message=None)
    if kind in ("paused", "diverged", "finished", "stopped", "failed"):
        return replace(state, status=Status(kind), message=data.get("message"),
                       detail=data.get("detail"), fits_batch_size=data.get("fits_batch_size"))
    return state  # samples, checkpoint: only the step moves


@dataclass
class RunView(RunState):
    """A run as a page draws it: its state plus its histories and latest picture."""

    metrics: list[dict] = field(default_factory=list)  # metric records, oldest first
    quality: list[dict] = field(default_factory=list)  # quality measurements, as in quality.jsonl
    quality_floor: dict | None = None  # the same metrics, real data against real data
    png: bytes | None = None  # the latest preview picture
    png_step: int = 0
    controllable: bool = False  # a live job of this process: Pause / Resume / Stop apply

    @classmethod
    def of(cls, state: RunState, **histories) -> RunView:
        return cls(**{f.name: getattr(state, f.name) for f in fields(RunState)}, **histories)

    @property
    def d_loss(self) -> str | None:
        """The D loss the run trains with (losses.D_LOSSES); None before its config is known."""
        return d_loss_name(self.cfg) if self.cfg is not None else None

    @property
    def raw_scores(self) -> bool:
        """D(x) and D(G(z)) are raw scores (a critic's, hinge's), not probabilities."""
        # imported here: gancore.training's package imports the trainer, which imports this module
        from ..training.losses import PROBABILITY_SCORES

        return self.d_loss is not None and self.d_loss not in PROBABILITY_SCORES

    @property
    def conditional(self) -> bool:
        return self.cfg is not None and is_conditional(self.cfg)

    def eta_seconds(self) -> float | None:
        """Seconds to the planned step at the latest speed; None while no steps are being taken
        (paused, diverged, ended: nothing counts down) or before the first speed is known."""
        if not self.training or not self.metrics or not self.cfg or not self.metrics[-1].get("images_per_s"):
            return None
        return (self.total - self.step) * self.cfg.batch_size / self.metrics[-1]["images_per_s"]
