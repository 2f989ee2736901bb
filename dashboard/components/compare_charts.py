"""Several runs on one step axis: plotly figures for the Compare page. Pure: no streamlit.

One colour per run, the same on every chart (gancore.charts.lines.run_colours). Losses and scores are drawn as
TensorBoard draws them: the smoothed line (gancore.runs.compare.smooth) over the raw one, faint.
Quality measures are few points each (one every eval_every steps), drawn as measured.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from dashboard.components.charts import HALF_LABEL, downsample, step_axis
from dashboard.components.quality import BY_KEY, measured
from gancore.charts.svg_chart import FAINT_OPACITY
from gancore.runs.compare import smoothed_points

RAW_OPACITY = FAINT_OPACITY  # the unsmoothed line behind the smoothed one, as TensorBoard draws it


def _legend(labels: dict[str, str], run_id: str) -> str:
    # a run's name is typed by a person: escaped, as Plotly reads legend text as a little HTML
    return html.escape(labels.get(run_id, run_id))


def _layout(title: str, y_title: str, steps: list) -> dict:
    return dict(title=dict(text=title), height=320, margin=dict(l=10, r=10, t=40, b=10),
                xaxis=step_axis(steps), yaxis=dict(title=dict(text=y_title)),
                legend=dict(orientation="h", y=-0.25), hovermode="x unified")


def curve_figure(series: dict[str, list[dict]], key: str, title: str, y_title: str, weight: float,
                 colours: dict[str, str], labels: dict[str, str], probability: bool = False) -> go.Figure:
    """One metric (a metrics.jsonl key) of several runs: `series` run id -> its records.
    weight: the smoothing (0: the raw lines only). probability: scores on 0..1 with the dotted
    0.5 line, "D cannot tell"."""
    data, steps = [], []
    for run_id, records in series.items():
        pts = smoothed_points(records, key, weight)
        xs = [p["step"] for p in pts]
        steps += xs
        name, colour = _legend(labels, run_id), colours[run_id]
        if weight > 0:  # the raw line first, so the smoothed one is drawn over it
            data.append(dict(type="scatter", mode="lines", x=xs, y=[p["raw"] for p in pts], name=name,
                             legendgroup=run_id, showlegend=False, hoverinfo="skip", opacity=RAW_OPACITY,
                             line=dict(color=colour, width=1)))
        data.append(dict(type="scatter", mode="lines", x=xs, y=[p["smooth"] for p in pts], name=name,
                         legendgroup=run_id, line=dict(color=colour, width=2)))
    layout = _layout(title, y_title, steps)
    if probability:
        layout["yaxis"] = dict(title=dict(text=y_title), range=[0, 1])
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=0.5, y1=0.5,
                                 line=dict(dash="dot", color="gray"))]
        layout["annotations"] = [dict(text=HALF_LABEL, xref="paper", x=1, xanchor="right", yref="y",
                                      y=0.5, yanchor="top", showarrow=False)]
    return go.Figure(data=data, layout=layout)


def quality_figure(series: dict[str, list[dict]], key: str, colours: dict[str, str],
                   labels: dict[str, str], floor: dict | None = None,
                   floor_words: str = "real vs real") -> go.Figure:
    """One quality measure of several runs on the same data (quality.jsonl records each);
    `floor`: that data's line to compare with (real vs real, or the plain method to beat:
    `floor_words`), dotted grey."""
    metric = BY_KEY[key]
    scale = 100.0 if metric.percent else 1.0
    data, steps = [], []
    for run_id, records in series.items():
        pts = [r for r in downsample(measured(records)) if r.get(key) is not None]
        xs = [r["step"] for r in pts]
        steps += xs
        data.append(dict(type="scatter", mode="lines+markers", x=xs, y=[scale * r[key] for r in pts],
                         name=_legend(labels, run_id), line=dict(color=colours[run_id], width=2),
                         marker=dict(size=6)))
    unit = " (%)" if metric.percent else ""
    layout = _layout(f"{metric.label}{unit}: {metric.better} is better", metric.label + unit, steps)
    if floor and floor.get(key) is not None:
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=scale * floor[key],
                                 y1=scale * floor[key], line=dict(dash="dot", color="gray"))]
        layout["annotations"] = [dict(text=floor_words, xref="paper", x=1, xanchor="right", yref="y",
                                      y=scale * floor[key], yanchor="bottom", showarrow=False)]
    return go.Figure(data=data, layout=layout)


def colour_key_html(colours: dict[str, str], labels: dict[str, str]) -> str:
    """One line naming each run in its colour: the key to every chart below (st.html)."""
    items = [f'<span style="white-space:nowrap"><span style="color:{colour};font-size:1.4em">&#9679;</span> '
             f"{_legend(labels, run_id)}</span>" for run_id, colour in colours.items()]
    return '<div class="gs-compare-key" style="display:flex;flex-wrap:wrap;gap:0.4em 1.6em">' + "".join(items) + "</div>"
