"""Metric records -> charts: interactive plotly figures, and light SVG drawings for a run while it
trains (components/svg_chart.py says why). Pure: no streamlit, bounded size whatever the run's length.
Which of the two the Monitor draws: dashboard/monitor/drawing.py."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components.svg_chart import Guide, Line, step_range, svg_line_chart

MAX_POINTS = 400  # per line: what the browser receives stays bounded however long the run

# Distinct colours, matching the sample pictures: red is the generator / generated data.
BLUE, RED, SLATE = "#2563eb", "#dc2626", "#334155"

# (record key, legend name, colour) of each chart's lines, for both kinds of drawing; a variant's
# own loss terms (loss_content, loss_adv, ...) join the losses chart in TERM_COLOURS, in turn.
LOSS_LINES = (("loss_d", "discriminator loss (loss_d)", BLUE), ("loss_g", "generator loss (loss_g)", RED))
TERM_COLOURS = ("#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d")
SCORE_LINES = (("d_real", "D(x): score of real data", SLATE), ("d_fake", "D(G(z)): score of generated data", RED))
LOSS_TITLE, SCORE_TITLE = "Losses", "Real vs fake scores"
HALF_LABEL = "0.5: D cannot tell"
WAITING = "waiting for the first numbers"  # an SVG chart before the first numbers


def _score_axis(wasserstein: bool) -> str:
    return "critic score" if wasserstein else "probability 'real'"


def downsample(records: list[dict], max_points: int = MAX_POINTS) -> list[dict]:
    """Every k-th record so at most `max_points` remain; the latest record is always kept."""
    if len(records) <= max_points:
        return records
    stride = -(-len(records) // (max_points - 1))
    return records[::stride][: max_points - 1] + [records[-1]]


def loss_lines(records: list[dict]) -> tuple[tuple[str, str, str], ...]:
    """LOSS_LINES and a line for each other loss_<name> the records hold (a variant's own terms),
    in the order they first appear."""
    base = {key for key, _, _ in LOSS_LINES}
    terms = list(dict.fromkeys(key for r in records for key in r if key.startswith("loss_") and key not in base))
    return LOSS_LINES + tuple((key, f"{key[5:].replace('_', ' ')} term ({key})", TERM_COLOURS[i % len(TERM_COLOURS)])
                              for i, key in enumerate(terms))


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
        return go.Figure(data=data, layout=_layout(SCORE_TITLE, _score_axis(True), steps))
    half = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=0.5, y1=0.5,
                line=dict(dash="dot", color="gray"))
    note = dict(text=HALF_LABEL, xref="paper", x=1, xanchor="right", yref="y", y=0.5,
                yanchor="top", showarrow=False)
    return go.Figure(data=data, layout=_layout(SCORE_TITLE, _score_axis(False), steps,
                                               shapes=[half], annotations=[note]) | {
        "yaxis": dict(title=dict(text=_score_axis(False)), range=[0, 1])})


def _svg_lines(records: list[dict], specs) -> list[Line]:
    pts = downsample(records)
    steps = [r["step"] for r in pts]
    return [Line(name, colour, steps, [r.get(key) for r in pts]) for key, name, colour in specs]


def loss_svg(records: list[dict]) -> str:
    """The losses chart as SVG text, for a run while it trains."""
    lines = loss_lines(records)
    log = len(lines) > len(LOSS_LINES)  # as loss_figure: a variant's small terms on a log axis
    return svg_line_chart(LOSS_TITLE, _svg_lines(records, lines), "loss (log scale)" if log else "loss",
                          log_y=log, empty_note=WAITING)


NO_SCORES_YET = "the discriminator has not joined yet"  # records without scores: content-only steps


def score_svg(records: list[dict], wasserstein: bool) -> str:
    """D(x) and D(G(z)) as SVG text; probabilities on 0..1 with the dotted 0.5 line."""
    lines = _svg_lines(records, SCORE_LINES)
    note = NO_SCORES_YET if records else WAITING
    if wasserstein:
        return svg_line_chart(SCORE_TITLE, lines, _score_axis(True), empty_note=note)
    return svg_line_chart(SCORE_TITLE, lines, _score_axis(False), y_range=(0.0, 1.0),
                          guides=[Guide(0.5, HALF_LABEL)], empty_note=note)


def marked_at(fig: go.Figure, step: int, text: str) -> go.Figure:
    """A copy of `fig` with a dotted vertical line at `step` (a fork's start), labelled `text`.
    A copy: a live run's figures are shared between viewers (monitor/figures.py)."""
    marked = go.Figure(fig)
    marked.add_vline(x=step, line=dict(dash="dot", color="gray"), annotation_text=text,
                     annotation_position="top left")
    return marked
