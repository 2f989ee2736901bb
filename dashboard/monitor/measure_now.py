"""'Measure quality now': the Monitor's way to measure a run that ended without a quality
measurement (stopped before its first one, or while it was still running), from its latest
checkpoint, and record the result as the trainer does, so the Quality part shows it.
Pure: no streamlit (quality_part.py draws the button).
"""
from __future__ import annotations

import threading
import time

from gancore import Event, RunError, RunStore
from gancore.quality.evaluate import evaluate_run
from gancore.runs.state import quality_record
from gancore.runs.store import atomic_write_json

_measuring: set[str] = set()  # run ids being measured by this server now, any session
_lock = threading.Lock()


def measure_latest(store: RunStore, run_id: str, device: str = "auto") -> dict:
    """Measure `run_id`'s checkpoints/latest.pt against its own data and record it: a line in
    quality.jsonl, real-vs-real in quality_floor.json and, for a run that ended (not one
    interrupted), the last measurement in status.json. Returns the quality record.
    Refused (RunError, in words) while the run trains, or while another viewer measures it."""
    run = store.open(run_id)
    if run.state().live:
        raise RunError(f"run {run_id} is training: its trainer measures it every few thousand steps; "
                       "stop it first to measure it now")
    with _lock:
        if run_id in _measuring:
            raise RunError(f"run {run_id} is being measured already (someone else pressed the button); "
                           "its measurement shows here when it is done")
        _measuring.add(run_id)
    try:
        started = time.perf_counter()
        result = evaluate_run(run, "latest.pt", device)
        if run.state().live:  # resumed meanwhile: its trainer owns quality.jsonl again
            raise RunError(f"run {run_id} was resumed while it was measured; its trainer measures it now")
        data = {"metrics": result["metrics"], "seconds": time.perf_counter() - started}
        if result.get("floor"):
            data["floor"] = result["floor"]
        event = Event("quality", result["step"], data)
        if run.state().status.final:
            run.record(event)  # status.json's last measurement too, which the Runs table shows
        else:  # interrupted: status.json names the gone trainer; rewriting it would make this server its owner
            if "floor" in data:
                atomic_write_json(run.path / "quality_floor.json", data["floor"])
            run.append_quality(quality_record(event))
        return run.quality()[-1]
    finally:
        with _lock:
            _measuring.discard(run_id)
