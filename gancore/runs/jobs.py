"""A Trainer on a background thread, with a bounded live copy of what it reports. Thread-safe.

The dashboard keeps one JobManager per process (st.cache_resource) and polls `snapshot()`; the
worker thread never touches the UI. The run folder stays the source of truth: a job only adds the
live view (and control) of a run this process is training.
"""
from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field, replace

from ..config import TrainConfig
from ..errors import GanError
from ..training.trainer import Event
from .bundle import refuse_training
from .fork import parent_records, plan_fork, start_fork
from .launch import resume_run, start_run
from .meta import RunMeta, edited
from .lock import RunLock
from .state import RunState, RunView, Status, quality_record, reduce
from .store import RunStore, new_run_id, validate_run_id


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
class Job:
    """One background run: its state (the same reducer as status.json), the histories a page
    draws, and the trainer to control once it exists."""

    run_id: str
    cfg: TrainConfig
    state: RunState | None = None  # preparing, until the trainer's events say otherwise
    history: MetricHistory = field(default_factory=MetricHistory)
    quality: MetricHistory = field(default_factory=lambda: MetricHistory(capacity=500))
    quality_floor: dict | None = None
    png: bytes | None = None
    png_step: int = 0
    trainer: object | None = None
    thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: list = field(default_factory=list)  # control requests made while preparing
    requested: str | None = None  # "pause", "resume" or "stop": asked for, its status not reached yet
    _request_taken: threading.Condition | None = None  # on _lock: notified when `requested` is taken

    def __post_init__(self):
        if self.state is None:
            self.state = RunState(self.run_id, Status.PREPARING, total=self.cfg.steps, cfg=self.cfg)
        self._request_taken = threading.Condition(self._lock)

    def on_event(self, event) -> None:  # called on the worker thread
        with self._lock:
            self.state = reduce(self.state, event)
            if self.requested is not None and _reached(self.requested, self.state.status):
                self.requested = None
                self._request_taken.notify_all()
            if event.kind == "metrics":
                self.history.add(event.data["record"])
            elif event.kind == "quality":
                self.quality.add(quality_record(event))
                self.quality_floor = event.data.get("floor", self.quality_floor)
            elif event.kind == "samples":
                self.png, self.png_step = event.data["png"], event.step

    @property
    def live(self) -> bool:
        with self._lock:
            return self.state.live

    def snapshot(self) -> RunView:
        """A consistent copy for one page render."""
        with self._lock:
            return RunView.of(self.state, metrics=list(self.history.records),
                              quality=list(self.quality.records), quality_floor=self.quality_floor,
                              png=self.png, png_step=self.png_step, controllable=self.state.live)

    # control: forwarded to the trainer, or remembered until it exists
    def _control(self, action: str) -> None:
        with self._lock:
            self.requested = None if _reached(action, self.state.status) else action
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

    def wait_taken(self, timeout: float) -> bool:
        """Block until the trainer has taken the last Pause / Resume / Stop (the status shows it)
        or `timeout` seconds pass; True when taken. It takes one between two steps, so a page can
        wait for it and draw the new status at once instead of the old one."""
        with self._request_taken:
            return self._request_taken.wait_for(lambda: self.requested is None, timeout)


def _reached(action: str, status: Status) -> bool:
    """Whether `status` is what the control `action` leads to; an ended run answers them all."""
    if not status.live:
        return True
    return status in (Status.PAUSED, Status.DIVERGED) if action == "pause" else (
        status == Status.RUNNING if action == "resume" else False)


class JobManager:
    """The process-wide registry of background runs. Safe to share between browser sessions."""

    def __init__(self, store: RunStore):
        self.store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, cfg: TrainConfig, run_id: str | None = None, name: str = "", note: str = "") -> Job:
        """Returns at once; data loading, model building and training happen on the thread.
        If preparing fails (e.g. missing data) the job says why and no run folder is made. The
        name and note are checked here, so a bad one is refused before anything starts."""
        meta = edited(RunMeta(), name, note)
        run_id = validate_run_id(run_id) if run_id else new_run_id(cfg)
        job = Job(run_id, cfg)
        job.state = replace(job.state, meta=meta)
        return self._launch(job, lambda: start_run(cfg, self.store, run_id, meta=meta))

    def start_distributed(self, cfg: TrainConfig, processes: int, name: str = "", note: str = "") -> str:
        """torchrun with `processes` processes as a child (runs/torchrun_launch.py); returns the
        run id once rank 0 has started it, or raises with what the child said. The run is not a
        job of this process: the Monitor follows it from disk and controls it by requests."""
        from .torchrun_launch import launch, wait_until_started

        run_id, child = launch(cfg, processes, self.store, edited(RunMeta(), name, note))
        threading.Thread(target=child.wait, name=f"torchrun-{run_id}", daemon=True).start()  # reaps it
        wait_until_started(self.store, run_id, child)
        return run_id

    def fork(self, parent_id: str, checkpoint: str = "latest.pt", changes: dict | None = None,
             name: str = "", note: str = "") -> Job:
        """A new run from `parent_id`'s `checkpoint` with `changes` (runs/fork.py), judged here
        before the thread starts, so a refused change is said on the page that asked. The
        parent's curve up to the fork starts the job's history."""
        plan = plan_fork(self.store.open(parent_id), checkpoint, changes)
        meta = plan.meta(name, note)
        run_id = new_run_id(plan.cfg)
        job = Job(run_id, plan.cfg)
        job.history.extend(parent_records(self.store, meta))
        job.state = replace(job.state, step=plan.step, meta=meta)
        return self._launch(job, lambda: start_fork(plan, self.store, run_id, meta))

    def resume(self, run_id: str, extra_steps: int | None = None, lr_scale: float = 1.0,
               batch_size: int | None = None, checkpoint: str = "latest.pt") -> Job:
        run = self.store.open(run_id)
        refuse_training(run)  # said on the page that asked, before any thread
        with self._lock:
            current = self._jobs.get(run_id)
            if current is not None and current.live:
                return current  # already training here: nothing to resume
        # Taken here, not on the thread: a run another process trains is refused in words on
        # the page that asked, and no failed job is left to show instead of that run.
        lock = RunLock.acquire(run.path, run_id=run_id)
        try:
            cfg = run.config()
            job = Job(run_id, cfg)
            resumed_at = run.load_checkpoint(checkpoint)["step"]
        except BaseException:
            lock.release()
            raise
        job.history.extend(m for m in run.metrics() if m.get("step", 0) <= resumed_at)
        job.quality.extend(q for q in run.quality() if q.get("step", 0) <= resumed_at)
        job.quality_floor = run.quality_floor()
        measured = [q for q in job.quality.records if "error" not in q]
        job.state = replace(job.state, step=resumed_at, last_metrics=(job.history.records or [{}])[-1],
                            last_quality=(measured or [{}])[-1], alerts=run.alerts(up_to=resumed_at))
        return self._launch(job, lambda: resume_run(run, extra_steps, lr_scale, batch_size, lock,
                                                    checkpoint), lock)

    def rollback(self, run_id: str, lr_scale: float = 0.5, checkpoint: str = "latest.pt") -> Job:
        """After a divergence or an alert: end the live job, then continue from a healthy
        checkpoint (latest.pt, since broken weights are never saved; or one from before an
        alert began) with lower learning rates."""
        current = self.get(run_id)
        if current is not None and current.live:
            current.stop()
            if current.thread is not None:
                current.thread.join(timeout=30)
        return self.resume(run_id, lr_scale=lr_scale, checkpoint=checkpoint)

    def _launch(self, job: Job, prepare, lock: RunLock | None = None) -> Job:
        with self._lock:
            self._jobs[job.run_id] = job
        job.thread = threading.Thread(target=self._work, args=(job, prepare, lock),
                                      name=f"train-{job.run_id}", daemon=True)
        job.thread.start()
        return job

    def _work(self, job: Job, prepare, lock: RunLock | None) -> None:
        """`lock`: the run's, when taken before the thread; the run's own (run.trainer_lock)
        otherwise. Both end with the thread, whatever ends it."""
        run = None
        try:
            trainer, run = prepare()
            trainer.subscribe(job.on_event)
            with job._lock:
                job.trainer = trainer
                job.state = replace(job.state, total=trainer.cfg.steps, step=trainer.step)
                pending, job._pending = job._pending, []
            for action in pending:
                getattr(trainer, action)()
            trainer.run()
        except GanError as exc:  # a bad input: the message says what to change
            job.on_event(Event("failed", job.state.step, {"message": str(exc)}))
        except Exception as exc:  # a bug or a fault: one sentence, the details kept for an expander
            job.on_event(Event("failed", job.state.step, {
                "message": f"training stopped with an unexpected error: {type(exc).__name__}: {exc}",
                "detail": traceback.format_exc()}))
        finally:
            for held in (lock, run.trainer_lock if run is not None else None):
                if held is not None:
                    held.release()

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
            if job is not None and not job.live:
                del self._jobs[run_id]
