"""Self-contained HTML reports, for mailing to someone who doesn't program: one run
(run_report.py) or 2-6 runs side by side (compare_report.py), each one file that opens offline
in any browser (page.py says how)."""
from __future__ import annotations

from ..errors import RunError
from ..runs.compare import MAX_RUNS
from ..runs.store import Run
from .compare_report import comparison_report
from .run_report import run_report


def report(runs: list[Run]) -> str:
    """One run's report, or the comparison of 2-6 runs."""
    if len(runs) == 1:
        return run_report(runs[0])
    if not 2 <= len(runs) <= MAX_RUNS:
        raise RunError(f"runs: a report shows 1 run or compares 2 to {MAX_RUNS}, got {len(runs)}")
    return comparison_report(runs)


__all__ = ["comparison_report", "report", "run_report"]
