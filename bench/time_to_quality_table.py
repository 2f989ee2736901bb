"""The arithmetic and the words of bench/time_to_quality.py's table, on plain numbers: seconds to a
level from a side's measured points, medians over seeds where "never reached" counts as infinite,
and the cells, goal verdicts and section lines of docs/BENCHMARKS.md."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

NEVER = math.inf  # a level not reached within a side's time


def seconds_to_level(points: list[tuple[float, float]], level: float) -> float:
    """points: (training seconds, measured value) in time order -> the seconds of the first point
    whose value is >= level, or NEVER. Only the marks are seen, so this is the first mark at or
    past the moment the level was reached."""
    for seconds, value in points:
        if value >= level:
            return seconds
    return NEVER


def median(values: list[float]) -> float:
    """The median, NEVER included as infinite: reached by fewer than half the seeds -> NEVER."""
    return statistics.median(values)


@dataclass
class LevelResult:
    """One level of one task: per seed, each side's seconds (NEVER when not reached) and how long
    that side trained (its budget, or less when its default run ended first)."""

    task: str
    level: str
    ours: list[float]
    reference: list[float]
    ours_trained: list[float]
    reference_trained: list[float]

    @property
    def ours_median(self) -> float:
        return median(self.ours)

    @property
    def reference_median(self) -> float:
        return median(self.reference)


def seconds_cell(value: float, trained: list[float], budget: float) -> str:
    """A median in seconds, or "> budget" when not reached (or "> N s, run ended" when the side's
    default run stopped before the budget)."""
    if value != NEVER:
        return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    longest = max(trained) if trained else budget
    return "> budget" if longest >= budget - 1 else f"> {longest:.0f} (run ended)"


def ratio_cell(ours: float, reference: float, ours_limit: float, reference_limit: float) -> str:
    """ours / reference; a bound when one side never got there within its limit."""
    if ours != NEVER and reference != NEVER:
        return f"{ours / reference:.2f}x"
    if ours != NEVER:
        return f"< {ours / reference_limit:.2f}x"
    if reference != NEVER:
        return f"> {ours_limit / reference:.2f}x"
    return "-"


def goal_verdict(ours: float, reference: float, max_seconds: float, max_ratio: float | None,
                 reference_limit: float) -> str:
    """Whether ours <= max_seconds (and <= max_ratio of the reference), and if not by how much."""
    misses = []
    if ours == NEVER:
        misses.append(f"not reached (goal <= {max_seconds:g} s)")
    elif ours > max_seconds:
        misses.append(f"{ours:.0f} s, {ours - max_seconds:.0f} s over the {max_seconds:g} s goal "
                      f"({ours / max_seconds:.1f}x)")
    if max_ratio is not None and ours != NEVER:
        share = f"1/{round(1 / max_ratio)}"
        if reference != NEVER and ours > max_ratio * reference:
            misses.append(f"{ours / reference:.2f}x the reference's time, goal {share} "
                          f"({ours / (max_ratio * reference):.1f}x too slow)")
        elif reference == NEVER and ours > max_ratio * reference_limit:
            misses.append(f"the reference never got there in {reference_limit:.0f} s, so {share} of "
                          f"its time is unproven")
    return "met" if not misses else "missed: " + "; ".join(misses)


def table_lines(results: list[LevelResult], budget: float) -> list[str]:
    lines = ["| task | level | ours (s) | reference (s) | ours / reference | ours per seed | "
             "reference per seed |", "|---|---|---:|---:|---:|---|---|"]
    per_seed = lambda values: ", ".join("-" if v == NEVER else f"{v:.0f}" for v in values)  # noqa: E731
    for r in results:
        lines.append(
            f"| {r.task} | {r.level} | {seconds_cell(r.ours_median, r.ours_trained, budget)} | "
            f"{seconds_cell(r.reference_median, r.reference_trained, budget)} | "
            f"{ratio_cell(r.ours_median, r.reference_median, max(r.ours_trained), max(r.reference_trained))} | "
            f"{per_seed(r.ours)} | {per_seed(r.reference)} |")
    return lines
