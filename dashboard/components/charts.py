"""Metric records -> interactive plotly figures. The lines they draw, the thinning of long runs
and the light SVG versions are gancore/charts/lines.py's (re-exported here for the pages).
Pure: no streamlit. Which of the two the Monitor draws: dashboard/monitor/drawing.py."""
from __future__ import annotations

import plotly.graph_objects as go

from gancore.charts.lines import (  # noqa: F401  (re-exported: the pages' one place for charts)
    BLUE, HALF_LABEL, LOSS_LINES, LOSS_TITLE, MAX_POINTS, NO_SCORES_YET, RED, SCORE_LINES, SCORE_TITLE, SLATE,
    TERM_COLOURS, WAITING, downsample, loss_lines, loss_svg, score_axis, score_svg)
from gancore.charts.svg_chart import step_range


def _line(steps: list, records: list[dict], key: str, name: str, colour: str) -> dict:
    # .get: a record of a phase without this number (no D scores in content-only steps) leaves a gap
    return dict(type="scatter", mode="lines", x=steps, y=[r.get(key) for r in records], name=name,
                line=dict(color=colour))


def step_axis(steps: list) -> dict:
    """A Plotly x axis over steps: whole steps only (never 1,000.5), and a single step (one
    record) on a range from 0 to it (svg_chart.step_range), not Plotly's 999 ... 1,001."""
    axis = dict(title=dict(text="step"), tickformat=",d")
    if steps:
        lo, hi = step_range(steps)
        if min(steps) == max(steps):
            axis["range"] = [lo, hi + 0.04 * (hi - lo)]  # the lone point a little inside the edge
        elif hi - lo < 5:
            axis["dtick"] = 1  # a few steps apart: one tick per step, no fractions
    return axis


def _layout(title: str, y_title: str, steps: list, **extra) -> dict:
    # uirevision keeps the user's zoom across live refreshes.
    return dict(title=dict(text=title), height=300, margin=dict(l=10, r=10, t=40, b=10),
                xaxis=step_axis(steps), yaxis=dict(title=dict(text=y_title)),
                legend=dict(orientation="h", y=-0.25), uirevision="keep", **extra)


def loss_figure(records: list[dict]) -> go.Figure:
    pts = downsample(records)
    steps = [r["step"] for r in pts]
    lines = loss_lines(pts)
    # A variant's own terms can be 100x smaller than the adversarial losses (a pixel loss of 0.01
    # beside a D loss of 1.4): a log axis shows them all. They are positive by construction.
    log = {"yaxis": dict(title=dict(text="loss (log scale)"), type="log")} if len(lines) > len(LOSS_LINES) else {}
    return go.Figure(data=[_line(steps, pts, *spec) for spec in lines],
                     layout=_layout(LOSS_TITLE, "loss", steps) | log)


def score_figure(records: list[dict], wasserstein: bool) -> go.Figure:
    """D(x) and D(G(z)); for probability scores a dotted 0.5 line: "D cannot tell"."""
    pts = downsample(records)
    steps = [r["step"] for r in pts]
    data = [_line(steps, pts, *spec) for spec in SCORE_LINES]
    if wasserstein:
        return go.Figure(data=data, layout=_layout(SCORE_TITLE, score_axis(True), steps))
    half = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=0.5, y1=0.5,
                line=dict(dash="dot", color="gray"))
    note = dict(text=HALF_LABEL, xref="paper", x=1, xanchor="right", yref="y", y=0.5,
                yanchor="top", showarrow=False)
    return go.Figure(data=data, layout=_layout(SCORE_TITLE, score_axis(False), steps,
                                               shapes=[half], annotations=[note]) | {
        "yaxis": dict(title=dict(text=score_axis(False)), range=[0, 1])})


def marked_at(fig: go.Figure, step: int, text: str) -> go.Figure:
    """A copy of `fig` with a dotted vertical line at `step` (a fork's start), labelled `text`.
    A copy: a live run's figures are shared between viewers (monitor/figures.py)."""
    marked = go.Figure(fig)
    marked.add_vline(x=step, line=dict(dash="dot", color="gray"), annotation_text=text,
                     annotation_position="top left")
    return marked
