"""A Trainer on a background thread, with a bounded live copy of what it reports. Thread-safe.

The dashboard keeps one JobManager per process (st.cache_resource) and polls `snapshot()`; the
worker thread never touches the UI. The run folder stays the source of truth: a job only adds the
live view (and control) of a run this process is training.
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field

from ..config import TrainConfig
from ..errors import GanError
from .launch import resume_run, start_run
from .store import RunStore, new_run_id, quality_record, validate_run_id

FINAL_STATUSES = ("finished", "stopped", "failed")


class MetricHistory:
    """All of a run's metric records at bounded memory: when `capacity` is reached, every other
    record is dropped and from then on only every 2nd (4th, ...) new one is kept. The whole run
    stays visible, at a resolution that halves as it grows."""

    def __init__(self, capacity: int = 2000):
        self.capacity = capacity
        self.records: list[dict] = []
        self.stride = 1
        self._seen = 0

    def add(self, record: dict) -> None:
        self._seen += 1
        if (self._seen - 1) % self.stride:
            return
        self.records.append(record)
        if len(self.records) >= self.capacity:
            self.records = self.records[::2]
            self.stride *= 2

    def extend(self, records: list[dict]) -> None:
        for r in records:
            self.add(r)


@dataclass
class JobSnapshot:
    """A consistent copy of a job's state for one page render."""

    run_id: str
    status: str  # preparing, running, paused, diverged, finished, stopped, failed
    step: int
    total: int
    metrics: list[dict]
    latest_png: bytes | None
    latest_png_step: int
    message: str | None
    detail: str | None  # traceback text for an "details" expander, when failed unexpectedly
    started_at: float
    first_metrics_at: float | None
    quality: list[dict] = field(default_factory=list)  # quality measurements, as in quality.jsonl
    quality_floor: dict | None = None  # real-vs-real values of the same metrics

    @property
    def live(self) -> bool:
        return self.status not in FINAL_STATUSES

    def rate(self) -> float | None:
        """Images per second of the latest logged window."""
        return self.metrics[-1]["images_per_s"] if self.metrics else None

    def eta_seconds(self, batch_size: int) -> float | None:
        rate = self.rate()
        if not rate:
            return None
        return (self.total - self.step) * batch_size / rate


@dataclass
class Job:
    run_id: str
    cfg: TrainConfig
    status: str = "preparing"
    step: int = 0
    total: int = 0
    message: str | None = None
    detail: str | None = None
    history: MetricHistory = field(default_factory=MetricHistory)
    quality: MetricHistory = field(default_factory=lambda: MetricHistory(capacity=500))
    quality_floor: dict | None = None
    latest_png: bytes | None = None
    latest_png_step: int = 0
    started_at: float = field(default_factory=time.time)
    first_metrics_at: float | None = None
    trainer: object | None = None
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: list = field(default_factory=list)  # control requests made while preparing

    def on_event(self, event) -> None:  # called on the worker thread
        with self._lock:
            self.step = event.step
            if event.kind == "metrics":
                self.history.add(event.data["record"])
                if self.first_metrics_at is None:
                    self.first_metrics_at = time.time()
            elif event.kind == "quality":
                self.quality.add(quality_record(event))
                self.quality_floor = event.data.get("floor", self.quality_floor)
            elif event.kind == "samples":
                self.latest_png, self.latest_png_step = event.data["png"], event.step
            elif event.kind == "started":
                self.total = event.data["total"]
                self.status = "running"
            elif event.kind in ("paused", "diverged", "finished", "stopped"):
                self.status, self.message = event.kind, event.data.get("message")
            elif event.kind == "resumed":
                self.status, self.message = "running", None
            elif event.kind == "failed":
                self.status, self.message = "failed", event.data.get("message")

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self.run_id, self.status, self.step, self.total,
                               list(self.history.records), self.latest_png, self.latest_png_step,
                               self.message, self.detail, self.started_at, self.first_metrics_at,
                               list(self.quality.records), self.quality_floor)

    # control: forwarded to the trainer, or remembered until it exists
    def _control(self, action: str) -> None:
        with self._lock:
            if self.trainer is None:
                self._pending.append(action)
                return
        getattr(self.trainer, action)()

    def pause(self) -> None:
        self._control("pause")

    def resume(self) -> None:
        self._control("resume")

    def stop(self) -> None:
        self._control("stop")


class JobManager:
    """The process-wide registry of background runs. Safe to share between browser sessions."""

    def __init__(self, store: RunStore):
        self.store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, cfg: TrainConfig, run_id: str | None = None) -> Job:
        """Returns at once; data loading, model building and training happen on the thread.
        If preparing fails (e.g. missing data) the job says why and no run folder is made."""
        run_id = validate_run_id(run_id) if run_id else new_run_id(cfg)
        job = Job(run_id, cfg, total=cfg.steps)
        return self._launch(job, lambda: start_run(cfg, self.store, run_id))

    def resume(self, run_id: str, extra_steps: int | None = None, lr_scale: float = 1.0,
               batch_size: int | None = None) -> Job:
        run = self.store.open(run_id)
        with self._lock:
            current = self._jobs.get(run_id)
            if current is not None and current.snapshot().live:
                return current  # already training here: nothing to resume
        job = Job(run_id, run.config())
        resumed_at = run.load_checkpoint()["step"]
        job.history.extend(m for m in run.metrics() if m.get("step", 0) <= resumed_at)
        job.quality.extend(q for q in run.quality() if q.get("step", 0) <= resumed_at)
        job.quality_floor = run.quality_floor()
        return self._launch(job, lambda: resume_run(run, extra_steps, lr_scale, batch_size))

    def rollback(self, run_id: str, lr_scale: float = 0.5) -> Job:
        """After a divergence: end the paused job, then continue from the last healthy
        checkpoint (latest.pt; broken weights are never saved) with lower learning rates."""
        current = self.get(run_id)
        if current is not None and current.snapshot().live:
            current.stop()
            if current.thread is not None:
                current.thread.join(timeout=30)
        return self.resume(run_id, lr_scale=lr_scale)

    def _launch(self, job: Job, prepare) -> Job:
        with self._lock:
            self._jobs[job.run_id] = job
        job.thread = threading.Thread(target=self._work, args=(job, prepare),
                                      name=f"train-{job.run_id}", daemon=True)
        job.thread.start()
        return job

    def _work(self, job: Job, prepare) -> None:
        try:
            trainer, run = prepare()
            trainer.subscribe(job.on_event)
            with job._lock:
                job.trainer, job.total, job.step = trainer, trainer.cfg.steps, trainer.step
                pending, job._pending = job._pending, []
            for action in pending:
                getattr(trainer, action)()
            trainer.run()
        except GanError as exc:  # a bad input: the message says what to change
            with job._lock:
                job.status, job.message = "failed", str(exc)
        except Exception as exc:  # a bug or a fault: one sentence, the details kept for an expander
            with job._lock:
                job.status = "failed"
                job.message = f"training stopped with an unexpected error: {type(exc).__name__}: {exc}"
                job.detail = traceback.format_exc()

    def get(self, run_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(run_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def forget(self, run_id: str) -> None:
        """Drop a finished job from memory (its run stays on disk)."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is not None and not job.snapshot().live:
                del self._jobs[run_id]
