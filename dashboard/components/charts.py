"""Metric records -> plotly figures. Pure: no streamlit, bounded size whatever the run's length."""
from __future__ import annotations

import plotly.graph_objects as go

MAX_POINTS = 400  # per line: what the browser receives stays bounded however long the run

# Distinct colours, matching the sample pictures: red is the generator / generated data.
BLUE, RED, SLATE = "#2563eb", "#dc2626", "#334155"


def downsample(records: list[dict], max_points: int = MAX_POINTS) -> list[dict]:
    """Every k-th record so at most `max_points` remain; the latest record is always kept."""
    if len(records) <= max_points:
        return records
    stride = -(-len(records) // (max_points - 1))
    return records[::stride][: max_points - 1] + [records[-1]]


def _figure(title: str, y_title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, height=300, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis_title="step", yaxis_title=y_title, legend=dict(orientation="h", y=-0.25),
                      uirevision="keep")  # keeps zoom across live refreshes
    return fig


def loss_figure(records: list[dict]) -> go.Figure:
    pts = downsample(records)
    steps = [r["step"] for r in pts]
    fig = _figure("Losses", "loss")
    fig.add_scatter(x=steps, y=[r["loss_d"] for r in pts], name="discriminator loss (loss_d)", mode="lines",
                    line_color=BLUE)
    fig.add_scatter(x=steps, y=[r["loss_g"] for r in pts], name="generator loss (loss_g)", mode="lines",
                    line_color=RED)
    return fig


def score_figure(records: list[dict], wasserstein: bool) -> go.Figure:
    """D(x) and D(G(z)); for probability scores a dotted 0.5 line: "D cannot tell"."""
    pts = downsample(records)
    steps = [r["step"] for r in pts]
    fig = _figure("Real vs fake scores", "critic score" if wasserstein else "probability 'real'")
    fig.add_scatter(x=steps, y=[r["d_real"] for r in pts], name="D(x): score of real data", mode="lines",
                    line_color=SLATE)
    fig.add_scatter(x=steps, y=[r["d_fake"] for r in pts], name="D(G(z)): score of generated data",
                    mode="lines", line_color=RED)
    if not wasserstein:
        fig.add_hline(y=0.5, line_dash="dot", line_color="gray",
                      annotation_text="0.5: D cannot tell", annotation_position="bottom right")
        fig.update_yaxes(range=[0, 1])
    return fig
