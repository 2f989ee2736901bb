"""Quality measurements (quality.jsonl records) -> interactive plotly figures. What each measure
means, the table in words and the SVG drawings are gancore/charts/quality.py's (re-exported here
for the pages). Pure: no streamlit."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboard.components.charts import BLUE, RED, SLATE, downsample, step_axis
from gancore.charts.quality import (  # noqa: F401  (re-exported: the pages' one place for quality)
    BY_KEY, FLOOR_LINE, METRICS, SHARES, QualityMetric, comparable_metrics, measured, phase_end, quality_rows,
    measured_points, quality_svgs)
from gancore.charts.svg_chart import log_label, log_ticks


def _layout(title: str, y_title: str, steps: list, **extra) -> dict:
    return dict(title=dict(text=title), height=300, margin=dict(l=10, r=10, t=40, b=10),
                xaxis=step_axis(steps), yaxis=dict(title=dict(text=y_title)),
                legend=dict(orientation="h", y=-0.25), uirevision="keep", **extra)


def log_axis(values: list[float], title: str) -> dict:
    """A Plotly log y axis with a few readable labels (svg_chart.log_ticks), not Plotly's own,
    which label every 2, 3, ... 9 and crowd a short chart. Its range: the values with a little
    room (log10 units, as Plotly's log axes take them)."""
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return dict(title=dict(text=title), type="log")
    lo, hi = math.log10(min(positive)), math.log10(max(positive))
    pad = max(0.05 * (hi - lo), 0.1)
    ticks = log_ticks(10 ** (lo - pad), 10 ** (hi + pad))
    return dict(title=dict(text=title), type="log", range=[lo - pad, hi + pad],
                tickvals=ticks, ticktext=[log_label(t) for t in ticks])


def _series(records: list[dict], key: str, name: str, colour: str, scale: float = 1.0, **line) -> dict:
    xs, ys = measured_points(records, key, scale)
    return dict(type="scatter", mode="lines+markers", x=xs, y=ys, name=name, line=dict(color=colour, **line),
                marker=dict(size=5))


def quality_figures(records: list[dict], floor: dict | None = None,
                    floor_words: str = FLOOR_LINE) -> list[go.Figure]:
    """The charts of one run: modes for 2D mixtures; fidelity / variety shares and FCD for images.
    Dotted lines: the real-vs-real values, what a perfect generator would get."""
    pts = downsample(measured(records))
    if not pts:
        return []
    latest, steps = pts[-1], [r["step"] for r in pts]
    if "modes" in latest:
        # Two scales on one chart: modes (0..K) on the left, high-quality share (%) on the right.
        hq = _series(pts, "high_quality", "high-quality samples (%)", RED, 100.0) | {"yaxis": "y2"}
        layout = _layout("Mode coverage", "modes captured", steps) | {
            "yaxis": dict(title=dict(text=f"modes captured (of {latest['total_modes']})"),
                          range=[0, latest["total_modes"] + 0.5]),
            "yaxis2": dict(title=dict(text="high-quality samples (%)"), overlaying="y", side="right",
                           range=[0, 102], showgrid=False)}
        return [go.Figure(data=[_series(pts, "modes", "modes captured", BLUE), hq], layout=layout)]
    if "psnr" in latest:
        return [_against_floor_figure(pts, key, floor, steps, floor_words) for key in ("psnr", "ssim")]
    share_lines = [_series(pts, key, BY_KEY[key].label.lower(), colour, 100.0)
                   for key, colour in SHARES if key in latest]
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=100 * floor[key], y1=100 * floor[key],
                   line=dict(dash="dot", color=colour, width=1))
              for key, colour in SHARES if floor and floor.get(key) is not None and key in latest]
    fidelity = go.Figure(data=share_lines, layout=_layout(
        "Fidelity and variety (%)", "%", steps, shapes=shapes) | {"yaxis": dict(title=dict(text="%"), range=[0, 102])})
    fcd_shapes = ([dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=floor["fcd"], y1=floor["fcd"],
                        line=dict(dash="dot", color="gray", width=1))] if floor and floor.get("fcd") else [])
    fcd_values = measured_points(pts, "fcd", 1.0)[1] + ([floor["fcd"]] if fcd_shapes else [])
    fcd = go.Figure(data=[_series(pts, "fcd", "Frechet classifier distance", SLATE)],
                    layout=_layout("Frechet classifier distance (lower is better)", "FCD", steps,
                                   shapes=fcd_shapes) | {"yaxis": log_axis(fcd_values, "FCD")})
    return [fidelity, fcd]


def _against_floor_figure(pts: list[dict], key: str, floor: dict | None, steps: list,
                          floor_words: str = FLOOR_LINE) -> go.Figure:
    """One measure over steps, with the plain method's value (floor) dotted: PSNR, SSIM."""
    metric = BY_KEY[key]
    shapes, notes = [], []
    if floor and floor.get(key) is not None:
        shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=floor[key], y1=floor[key],
                       line=dict(dash="dot", color="gray"))]
        notes = [dict(text=floor_words, xref="paper", x=1, xanchor="right", yref="y", y=floor[key],
                      yanchor="bottom", showarrow=False)]
    return go.Figure(data=[_series(pts, key, metric.label, RED)],
                     layout=_layout(f"{metric.label}: {metric.better} is better", metric.label, steps,
                                    shapes=shapes, annotations=notes))
