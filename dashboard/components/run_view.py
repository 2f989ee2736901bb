"""One run as the pages see it, whether this process is training it (live job) or not (disk)."""
from __future__ import annotations

from dataclasses import dataclass, field

from gancore import RunError, RunStore, TrainConfig, is_conditional
from gancore.runs.jobs import JobManager


@dataclass
class RunView:
    run_id: str
    cfg: TrainConfig | None
    status: str
    step: int
    total: int
    metrics: list[dict]
    png: bytes | None
    png_step: int
    message: str | None
    detail: str | None
    controllable: bool  # a live job of this process: Pause / Resume / Stop apply
    fits_batch_size: int | None = None  # after running out of memory: the batch size that fits
    quality: list[dict] = field(default_factory=list)  # quality measurements (quality.jsonl)
    quality_floor: dict | None = None  # the same metrics, real data against real data

    @property
    def diverged(self) -> bool:
        return self.status == "diverged" or "diverged at step" in (self.message or "")

    @property
    def live(self) -> bool:
        return self.status in ("preparing", "running", "paused", "diverged")

    @property
    def training(self) -> bool:
        """Steps are being taken now (not paused, not waiting after a divergence)."""
        return self.status in ("preparing", "running")

    @property
    def wasserstein(self) -> bool:
        return self.cfg is not None and self.cfg.model.g_loss == "wasserstein"

    @property
    def conditional(self) -> bool:
        return self.cfg is not None and is_conditional(self.cfg)

    def eta_seconds(self) -> float | None:
        if not self.metrics or not self.cfg or not self.metrics[-1].get("images_per_s"):
            return None
        return (self.total - self.step) * self.cfg.batch_size / self.metrics[-1]["images_per_s"]


def load_view(run_id: str, manager: JobManager) -> RunView:
    """The live job's snapshot when this process runs it, else what the run folder says."""
    job = manager.get(run_id)
    if job is not None:
        snap = job.snapshot()
        failed_before_folder = snap.status == "failed" and not (manager.store.root / run_id).exists()
        if snap.live or failed_before_folder:
            return RunView(run_id, job.cfg, snap.status, snap.step, snap.total, snap.metrics,
                           snap.latest_png, snap.latest_png_step, snap.message, snap.detail, snap.live,
                           quality=snap.quality, quality_floor=snap.quality_floor)
    return view_from_disk(run_id, manager.store)


def view_from_disk(run_id: str, store: RunStore) -> RunView:
    run = store.open(run_id)  # RunError for unknown / malformed ids
    cfg = run.config()
    st = run.status()
    samples = run.sample_files()
    png = samples[-1].read_bytes() if samples else None
    png_step = int(samples[-1].stem.split("_")[1]) if samples else 0
    return RunView(run_id, cfg, st.get("status", "unknown"), int(st.get("step", 0)),
                   int(st.get("total", cfg.steps)), run.metrics(), png, png_step,
                   st.get("message"), None, False, st.get("fits_batch_size"), run.quality(),
                   run.quality_floor())


__all__ = ["RunView", "load_view", "view_from_disk", "RunError"]
