"""One run as the pages see it, whether this process is training it (live job) or not (disk)."""
from __future__ import annotations

from gancore import RunError, RunStore
from gancore.runs.fork import parent_records
from gancore.runs.jobs import JobManager
from gancore.runs.state import RunView, Status


def load_view(run_id: str, manager: JobManager) -> RunView:
    """The live job's snapshot when this process runs it, else what the run folder says."""
    job = manager.get(run_id)
    if job is not None:
        view = job.snapshot()
        failed_before_folder = view.status == Status.FAILED and not (manager.store.root / run_id).exists()
        if view.live or failed_before_folder:
            return view
    return view_from_disk(run_id, manager.store)


def view_from_disk(run_id: str, store: RunStore) -> RunView:
    run = store.open(run_id)  # RunError for unknown / malformed ids
    cfg = run.config()
    samples = run.sample_files()
    png = samples[-1].read_bytes() if samples else None
    png_step = int(samples[-1].stem.split("_")[1]) if samples else 0
    state = run.state(cfg)
    # A fork's curves start with its parent's, up to the fork (a live fork's job history does too)
    metrics = parent_records(store, state.meta) + run.metrics()
    return RunView.of(state, metrics=metrics, quality=run.quality(),
                      quality_floor=run.quality_floor(), png=png, png_step=png_step)


__all__ = ["RunView", "load_view", "view_from_disk", "RunError"]
