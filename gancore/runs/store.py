"""RunStore: one folder per run, the single source of truth shared by the CLI and the dashboard.

runs/<run_id>/
  config.json        the TrainConfig (plain JSON)
  meta.json          its name, note, parent run (a fork) or source (an import): runs/meta.py
  status.json        the run's state (state.RunState): status, step, total, message, owner
                     process, updated time, the last metrics record and quality measurement
  metrics.jsonl      one JSON object per logged step (appended as whole lines)
  quality.jsonl      one JSON object per quality measurement
  samples/step_<n>.png
  checkpoints/latest.pt and step_<n>.pt (the newest `keep_checkpoints`)
  trainer.lock       while a trainer (or a delete) works on the folder: one at a time (lock.py)

Files are written atomically (temp file in the same folder, then os.replace), so a crash leaves
the old file or the new one, never half of one. metrics.jsonl is appended one whole line per
write; a reader ignores a torn last line, and resume cuts the file back to the checkpoint's step.
A new run folder is assembled under a temporary name and renamed into place.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import torch

from ..config import TrainConfig
from ..errors import ConfigError, RunError
from .meta import META_FILE, RunMeta, edited, read_meta
from .lock import DELETING, RunLock, process_alive as _process_alive, process_tag as _process_tag
from .state import RunState, Status, merge_alert, quality_record, reduce

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
DEFAULT_RUNS_DIR = "runs"


def default_runs_dir() -> Path:
    return Path(os.environ.get("GANCORE_RUNS_DIR", DEFAULT_RUNS_DIR))


def validate_run_id(run_id: str) -> str:
    """Run ids name folders: letters, digits, '_', '-', '.'; no '..', no slashes, <= 80 chars."""
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.match(run_id) or ".." in run_id:
        raise RunError(f"run id {run_id!r} is not allowed: use up to 80 letters, digits, '_', '-' "
                       "or '.', starting with a letter or digit")
    return run_id


def new_run_id(cfg: TrainConfig) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{cfg.model.variant}-{cfg.data.dataset}-{secrets.token_hex(2)}"


# ---- atomic writes ---------------------------------------------------------------------------
def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = _temp_path(path)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def step_of(path: Path) -> int:
    """samples/step_0001500.png or checkpoints/step_0001500.pt -> 1500 (the names the run writes)."""
    return int(path.stem.removeprefix("step_"))


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1) + "\n").encode())


def atomic_torch_save(path: Path, state: dict) -> None:
    tmp = _temp_path(path)
    torch.save(state, tmp)
    os.replace(tmp, path)


# ---- one run ---------------------------------------------------------------------------------
class Run:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.run_id = self.path.name
        self._lock = threading.Lock()
        self._state: RunState | None = None  # what record() last wrote; read on first use
        self._keep = 3  # checkpoint history, set from the trainer's config by attach()
        self.trainer_lock: RunLock | None = None  # held while a trainer started by launch works here

    # files
    @property
    def samples_dir(self) -> Path:
        return self.path / "samples"

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / "checkpoints"

    def config(self) -> TrainConfig:
        try:
            return TrainConfig.from_dict(json.loads((self.path / "config.json").read_text()))
        except (OSError, ValueError, TypeError, ConfigError) as exc:
            raise RunError(f"run {self.run_id}: config.json cannot be read ({exc})") from exc

    def meta(self) -> RunMeta:
        return read_meta(self.path)

    def edit_meta(self, name: str | None = None, note: str | None = None) -> RunMeta:
        """Rename the run and/or change its note (None: unchanged); checked, written atomically.
        Allowed on any run, imported or training: it changes what lists show, not the run."""
        with self._lock:
            meta = edited(self.meta(), name, note)
            atomic_write_json(self.path / META_FILE, meta.to_json())
        return meta

    def _recorded_state(self, cfg: TrainConfig | None = None) -> RunState:
        """status.json as written, owner or not, with meta.json's name beside it."""
        try:
            data = json.loads((self.path / "status.json").read_text())
        except (OSError, ValueError):
            data = {"status": Status.UNKNOWN}
        return replace(RunState.from_json(self.run_id, data, cfg), meta=self.meta())

    def state(self, cfg: TrainConfig | None = None) -> RunState:
        """status.json, with a live status whose owning process is gone shown as "interrupted".
        `cfg` (config.json's, when the caller has read it) rides along for the pages."""
        state = self._recorded_state(cfg)
        if state.status.live and not _process_alive(state.owner):
            state = replace(state, status=Status.INTERRUPTED, message=(
                f"the process training it stopped at step {state.step}; resume to continue"))
        return state

    def status(self) -> dict:
        """The same as `state()`, as status.json's plain fields."""
        return self.state().to_json()

    def _write_state(self, state: RunState) -> None:
        """Stamped with this process as its owner and the time; the caller holds self._lock."""
        self._state = replace(state, owner=_process_tag(os.getpid()), updated=time.time())
        atomic_write_json(self.path / "status.json", self._state.to_json())

    def write_status(self, status: str, step: int, total: int | None = None,
                     message: str | None = None, fits_batch_size: int | None = None) -> None:
        """Set the status by hand (tools, tests); the trainer's events go through `record`."""
        with self._lock:
            state = self._recorded_state()
            self._write_state(replace(state, status=Status(status), step=step, message=message,
                                      total=state.total if total is None else total,
                                      fits_batch_size=fits_batch_size))

    def _append_line(self, name: str, record: dict) -> None:
        line = (json.dumps(record, allow_nan=True) + "\n").encode()
        fd = os.open(self.path / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)  # one write of one whole line
        finally:
            os.close(fd)

    def _read_lines(self, name: str) -> list[dict]:
        try:
            lines = (self.path / name).read_text().splitlines()
        except OSError:
            return []
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line torn by a crash mid-append
        return records

    def _truncate_lines(self, name: str, step: int) -> list[dict]:
        if not (self.path / name).exists():
            return []
        kept = [r for r in self._read_lines(name) if r.get("step", 0) <= step]
        atomic_write_bytes(self.path / name, "".join(json.dumps(r) + "\n" for r in kept).encode())
        return kept

    def append_metrics(self, record: dict) -> None:
        self._append_line("metrics.jsonl", record)

    def metrics(self) -> list[dict]:
        return self._read_lines("metrics.jsonl")

    def truncate_after(self, step: int) -> None:
        """Keep the run's story up to `step` (a resume continues from its checkpoint's step):
        losses, quality measurements, alerts and pictures alike, and the last of each in
        status.json. Checkpoints after it go too (a roll-back to an older one discards them), and
        latest.pt becomes the one at `step`."""
        for path in self.sample_files() + self.checkpoint_files():
            if step_of(path) > step:
                path.unlink(missing_ok=True)
        at_step = self.checkpoints_dir / f"step_{step:07d}.pt"
        if at_step.is_file():
            self._point_latest_at(at_step)
        metrics = self._truncate_lines("metrics.jsonl", step)
        measured = [q for q in self._truncate_lines("quality.jsonl", step) if "error" not in q]
        self._truncate_lines("alerts.jsonl", step)
        with self._lock:
            state = replace(self._recorded_state(), last_metrics=metrics[-1] if metrics else {},
                            last_quality=measured[-1] if measured else {}, alerts=self.alerts())
            atomic_write_json(self.path / "status.json", state.to_json())  # owner unchanged
            self._state = None

    def append_alert(self, record: dict) -> None:
        self._append_line("alerts.jsonl", record)

    def alerts(self, up_to: int | None = None) -> list[dict]:
        """Every alert as it stands (alerts.jsonl holds each opening and closing; the latest line
        of an alert wins), oldest first; `up_to`: as it stood at that step."""
        merged: list[dict] = []
        for line in self._read_lines("alerts.jsonl"):
            if up_to is not None and line.get("step", 0) > up_to:
                continue
            merged = merge_alert(merged, {k: v for k, v in line.items() if k != "step"})
        return merged

    def append_quality(self, record: dict) -> None:
        self._append_line("quality.jsonl", record)

    def quality(self) -> list[dict]:
        """Quality measurements, oldest first: {"step", "seconds", <metric>: value, ...} or
        {"step", "error"} for one that failed."""
        return self._read_lines("quality.jsonl")

    def quality_floor(self) -> dict | None:
        """The same metrics for real data against real data: what a perfect generator gets."""
        try:
            return json.loads((self.path / "quality_floor.json").read_text())
        except (OSError, ValueError):
            return None

    def save_samples(self, step: int, png: bytes) -> None:
        atomic_write_bytes(self.samples_dir / f"step_{step:07d}.png", png)

    def sample_files(self) -> list[Path]:
        return sorted(self.samples_dir.glob("step_*.png"))

    def save_checkpoint(self, state: dict, keep: int) -> None:
        step_file = self.checkpoints_dir / f"step_{state['step']:07d}.pt"
        atomic_torch_save(step_file, state)
        self._point_latest_at(step_file)
        files = self.checkpoint_files()
        # max(0, ...): while there are fewer than `keep`, nothing goes (a negative end would
        # slice from the back and delete all but the newest)
        for old in files[:max(0, len(files) - keep)]:  # latest.pt keeps its own link to the bytes
            old.unlink(missing_ok=True)

    def _point_latest_at(self, step_file: Path) -> None:
        """latest.pt becomes a second link to `step_file`'s bytes, in one atomic rename. Not when
        it is one already: a rename onto a link of the same file does nothing, leaving the temp."""
        latest = self.checkpoints_dir / "latest.pt"
        if latest.exists() and latest.samefile(step_file):
            return
        tmp = _temp_path(latest)
        os.link(step_file, tmp)
        os.replace(tmp, latest)

    def checkpoint_files(self) -> list[Path]:
        return sorted(self.checkpoints_dir.glob("step_*.pt"))

    def load_checkpoint(self, name: str = "latest.pt", device="cpu") -> dict:
        """A checkpoint as plain data and tensors; never unpickles objects (weights_only=True)."""
        if "/" in name or "\\" in name or name.startswith("."):
            raise RunError(f"checkpoint name {name!r} is not allowed")
        path = self.checkpoints_dir / name
        if not path.is_file():
            raise RunError(f"run {self.run_id} has no checkpoint {name}; it has: "
                           f"{', '.join(p.name for p in self.checkpoints_dir.glob('*.pt')) or 'none yet'}")
        try:
            return torch.load(path, map_location=device, weights_only=True)
        except Exception as exc:  # corrupt file, or a pickle payload refused by weights_only
            raise RunError(f"checkpoint {path} cannot be loaded safely: {exc}".splitlines()[0]) from exc

    # the trainer's listener: everything the trainer reports lands on disk
    def record(self, event) -> None:
        kind, step = event.kind, event.step
        if kind == "metrics":
            self.append_metrics(event.data["record"])
        elif kind == "samples":
            self.save_samples(step, event.data["png"])
        elif kind == "checkpoint":
            self.save_checkpoint(event.data["state"], self._keep)
        elif kind == "alert":
            self.append_alert({"step": step, **event.data["alert"]})
        elif kind == "quality":
            if "floor" in event.data:
                atomic_write_json(self.path / "quality_floor.json", event.data["floor"])
            self.append_quality(quality_record(event))
        with self._lock:
            before = self._state if self._state is not None else self._recorded_state()
            after = reduce(before, event)
            if after != before:
                self._write_state(after)

    def attach(self, trainer) -> None:
        self._keep = trainer.cfg.keep_checkpoints
        with self._lock:
            self._state = self._recorded_state()
        trainer.subscribe(self.record)


class RunStore:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_runs_dir()

    def create(self, cfg: TrainConfig, run_id: str | None = None, locked: bool = False,
               meta: RunMeta | None = None) -> Run:
        """A new run folder with config.json, status.json and meta.json (`meta`: its name, or
        its parent for a fork), assembled then renamed into place.
        `locked`: it appears already locked for its trainer (run.trainer_lock), so nothing can
        resume or delete it between its creation and its trainer's start."""
        meta = edited(meta or RunMeta())  # checked before anything is written
        run_id = validate_run_id(run_id) if run_id else new_run_id(cfg)
        final = self.root / run_id
        if final.exists():
            raise RunError(f"run {run_id} already exists in {self.root}; choose another --run-id")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".creating-{run_id}-{secrets.token_hex(3)}"
        (tmp / "samples").mkdir(parents=True)
        (tmp / "checkpoints").mkdir()
        atomic_write_json(tmp / "config.json", cfg.to_dict())
        atomic_write_json(tmp / "status.json", RunState(run_id, Status.CREATED, total=cfg.steps).to_json())
        atomic_write_json(tmp / META_FILE, meta.to_json())
        lock = RunLock.acquire(tmp, run_id=run_id) if locked else None
        try:
            os.rename(tmp, final)
        except OSError as exc:
            if lock is not None:
                lock.release()
            shutil.rmtree(tmp, ignore_errors=True)
            raise RunError(f"run {run_id} cannot be created in {self.root}: {exc}") from exc
        run = Run(final)
        if lock is not None:
            lock.moved_to(final)
            run.trainer_lock = lock
        return run

    def open(self, run_id: str) -> Run:
        """By id, under root. Ids from URLs and forms come here: `../x` and friends are refused."""
        return self.open_path(self.root / validate_run_id(run_id))

    def open_path(self, path: str | Path) -> Run:
        """By folder path (the CLI's --run RUN_DIR, which may be anywhere the user points)."""
        path = Path(path)
        if not (path / "config.json").is_file():
            raise RunError(f"no run at {path}: expected a folder with config.json "
                           f"(see `python -m gancore list --runs-dir {self.root}`)")
        return Run(path)

    def runs(self) -> list[Run]:
        if not self.root.is_dir():
            return []
        return [Run(p) for p in sorted(self.root.iterdir())
                if p.is_dir() and not p.name.startswith(".") and (p / "config.json").is_file()]

    def states(self) -> list[RunState]:
        """Every readable run, newest first, from config.json and status.json alone (a listing
        never reads a run's history). An unreadable folder is skipped, never fatal."""
        out = []
        for run in self.runs():
            try:
                cfg = run.config()
            except RunError:
                continue
            out.append(run.state(cfg))
        return sorted(out, key=lambda s: s.updated, reverse=True)

    def delete(self, run_id: str) -> None:
        """Refused while a trainer holds the run's lock (any process), or status.json says a live
        process trains it; the lock is held during the removal, so no trainer starts meanwhile."""
        run = self.open(validate_run_id(run_id))
        with RunLock.acquire(run.path, DELETING, run_id):
            if run.state().live:
                raise RunError(f"run {run_id} is still training; stop it before deleting it")
            shutil.rmtree(run.path)
