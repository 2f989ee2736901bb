"""The Runs page's tables for a spreadsheet: "Numbers (.csv)" (every logged step) and "Quality
(.csv)" (every measurement) for the chosen run, built on the click (gancore/runs/tables.py)."""
from __future__ import annotations

from gancore import Run
from gancore.quality.measures import quality_kind
from gancore.runs.state import RunState
from gancore.runs.tables import run_csv


def _why_no_quality(state: RunState) -> str:
    if state.cfg is not None and quality_kind(state.cfg) is None:
        return "no quality measurement: there is no quality measure for this run's data"
    return "no quality measurement yet: the Monitor's *Measure quality now* makes one"


def csv_buttons(where, run: Run, state: RunState) -> None:
    """Both buttons in `where` (a container, e.g. the Open row); the quality one is disabled,
    saying why, while the run has no measurement."""
    where.download_button("Numbers (.csv)", data=lambda: run_csv(run, "metrics").encode("utf-8"),
                          file_name=f"{state.run_id}-metrics.csv", mime="text/csv", icon=":material/table:",
                          on_click="ignore", key=f"csv-metrics-{state.run_id}",
                          help="the losses and scores, one row per logged step, for a spreadsheet")
    measured = bool(state.last_quality)
    where.download_button("Quality (.csv)", data=lambda: run_csv(run, "quality").encode("utf-8"),
                          file_name=f"{state.run_id}-quality.csv", mime="text/csv", icon=":material/table:",
                          on_click="ignore", key=f"csv-quality-{state.run_id}", disabled=not measured,
                          help="the quality measurements, one row per measurement, for a spreadsheet"
                               if measured else _why_no_quality(state))
