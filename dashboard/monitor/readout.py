"""A training run's progress bar and its three numbers (step, speed, time left) as one HTML block.

Why not st.progress and three st.metric: the Monitor redraws this part on every refresh, and the
browser's cost of a refresh grows with the number of elements it redraws (each is a React
component with its own styles), so one block costs less than four (docs/BENCHMARKS.md). Pure: no streamlit; the
caller shows it with `st.markdown(html, unsafe_allow_html=True)`; all text is escaped here.
"""
from __future__ import annotations

import html

from dashboard.components import wording
from dashboard.components.run_view import RunView
from dashboard.monitor.drawing import data_kind

LABEL = "color: rgba(49, 51, 63, 0.6); font-size: 0.875rem"
VALUE = "font-size: 2.25rem; line-height: 1.3"
BAR = "#ff4b4b"  # Streamlit's primary colour, as its own progress bar


def readout_html(step: int, total: int, speed: str, time_left: str) -> str:
    """The block; its root carries data-step and data-total for tests and benchmarks."""
    fraction = min(step / max(total, 1), 1.0)
    numbers = "".join(
        f'<div style="flex: 1"><div style="{LABEL}">{label}</div><div style="{VALUE}">{html.escape(value)}</div></div>'
        for label, value in (("Step", f"{step:,} / {total:,}"), ("Speed", speed), ("Time left", time_left)))
    # The opening tag alone on the first line: Markdown then passes the whole block through as HTML.
    return (f'<div class="gs-readout" data-step="{step}" data-total="{total}">\n'
            f'<div style="font-size: 0.875rem">step {step:,} of {total:,}</div>'
            f'<div role="progressbar" aria-valuemin="0" aria-valuemax="{total}" aria-valuenow="{step}" '
            f'style="height: 0.5rem; border-radius: 0.25rem; background: #f0f2f6; margin: 0.25rem 0 1rem">'
            f'<div style="height: 100%; width: {100 * fraction:.2f}%; border-radius: 0.25rem; '
            f'background: {BAR}"></div></div>'
            f'<div style="display: flex; gap: 1rem">{numbers}</div></div>')


# The speed's unit follows the data (the record's key stays "images_per_s" for every kind).
SPEED_UNITS = {"points": "points/s", "image": "images/s"}


def time_left(view: RunView) -> str:
    """While it trains, an estimate; while it is held (paused, diverged), "paused": nothing
    counts down then; once it ended, "-"."""
    if view.training:
        return wording.format_eta(view.eta_seconds())
    return "paused" if view.live else "-"


def run_readout(view: RunView) -> str:
    """The block of a run: its speed from the latest window, its time left while it is live."""
    rate = view.metrics[-1]["images_per_s"] if view.metrics else None
    unit = SPEED_UNITS.get(data_kind(view), "images/s")
    return readout_html(view.step, view.total, f"{rate:,.0f} {unit}" if rate else "-", time_left(view))
