"""The 2D Lab's history -> one plotly figure of three small charts side by side, as GAN Lab plots
them: the two losses, D's verdicts on real and generated points, and the JS divergence between
them. Paused: one Plotly figure (zoom, hover), a dotted line marking the frame the scrubber
shows; playing: three light SVG charts, as the Monitor draws a training run. Pure: no streamlit.
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboard.components.charts import BLUE, RED, SLATE, step_axis
from gancore.charts.svg_chart import Guide, Line, svg_line_chart

TITLES = ("Losses", "D(x) real, D(G(z)) generated", "JS divergence (real vs generated)")


def _values(records: list[dict], key: str) -> list:
    # None (that network did not train in the iteration) and NaN leave gaps in the line
    out = []
    for r in records:
        v = r.get(key)
        out.append(None if v is None or not math.isfinite(v) else v)
    return out


def _axes(col: int) -> tuple[str, str]:
    """Plotly's axis names for chart `col` (1..3): ("x", "y"), ("x2", "y2"), ..."""
    n = "" if col == 1 else str(col)
    return "x" + n, "y" + n


def lab_history_figure(records: list[dict], js_iterations: list[int], js: list[float],
                       marked: int | None = None, height: int = 240) -> go.Figure:
    """`records`: Lab2D.history (one per iteration); `js_iterations`, `js`: the frames' divergence
    (Frames.divergence); `marked`: the iteration of the frame shown, or None. Built from dicts in
    one go (not make_subplots and updates): it is redrawn every frame while the lab plays."""
    steps = [r["iteration"] for r in records]
    lines = [(1, "loss_d", "D loss", BLUE), (1, "loss_g", "G loss", RED),
             (2, "d_real", "D(x), real", SLATE), (2, "d_fake", "D(G(z)), generated", RED)]
    data = []
    mode = "lines+markers" if len(steps) < 30 else "lines"  # a lone first point shows as a dot
    for col, key, name, colour in lines:
        x, y = _axes(col)
        data.append(dict(type="scatter", x=steps, y=_values(records, key), mode=mode, name=name,
                         xaxis=x, yaxis=y, line=dict(color=colour, width=1.5), marker=dict(size=3),
                         connectgaps=False))
    data.append(dict(type="scatter", x=js_iterations, y=[None if not math.isfinite(v) else v for v in js],
                     mode="lines+markers", name="JS divergence", xaxis="x3", yaxis="y3",
                     line=dict(color="#7c3aed", width=1.5), marker=dict(size=3)))
    layout = dict(height=height, margin=dict(l=10, r=10, t=40, b=10), uirevision="lab-history",
                  legend=dict(orientation="h", y=-0.35), font=dict(size=11), annotations=[], shapes=[])
    width = 0.28  # three charts side by side, each this fraction of the paper wide
    for col, title in enumerate(TITLES, start=1):
        x, y = _axes(col)
        lo = (col - 1) * (width + (1 - 3 * width) / 2)
        # whole iterations only, and one lone point inside the edge (charts.step_axis)
        axis = step_axis(steps if col < 3 else js_iterations)
        layout["xaxis" + x[1:]] = {**axis, "domain": [lo, lo + width], "anchor": y, "title": dict(text="iteration")}
        layout["yaxis" + y[1:]] = dict(anchor=x)
        layout["annotations"].append(dict(text=title, x=lo + width / 2, y=1.0, xref="paper", yref="paper",
                                          yanchor="bottom", showarrow=False, font=dict(size=12)))
        if marked is not None:
            layout["shapes"].append(dict(type="line", x0=marked, x1=marked, xref=x, y0=0, y1=1,
                                         yref=f"{y} domain", line=dict(color="#111827", width=1, dash="dot")))
    layout["yaxis3"]["range"] = [0, math.log(2) * 1.05]  # JS lies in [0, ln 2]
    return go.Figure(data=data, layout=layout)


def lab_history_svgs(records: list[dict], js_iterations: list[int], js: list[float],
                     critic: bool = False) -> list[str]:
    """The same three charts as SVG text (gancore/charts/svg_chart.py), for while the lab plays:
    the browser redraws a few SVG paths for next to nothing, where redrawing the Plotly figure
    every frame halved the frames a second (docs/BENCHMARKS.md, 2D Lab: Play). `critic`: D's
    outputs are a WGAN critic's raw scores (no 0..1 range, no 0.5 line)."""
    steps = [r["iteration"] for r in records]
    losses = [Line("D loss", BLUE, steps, _values(records, "loss_d")),
              Line("G loss", RED, steps, _values(records, "loss_g"))]
    scores = [Line("D(x), real", SLATE, steps, _values(records, "d_real")),
              Line("D(G(z)), generated", RED, steps, _values(records, "d_fake"))]
    score_extra = {} if critic else dict(y_range=(0.0, 1.0), guides=[Guide(0.5, "D cannot tell")])
    divergence = [Line("JS divergence", "#7c3aed", js_iterations, js, markers=len(js) < 30)]
    return [svg_line_chart(TITLES[0], losses, "loss", x_title="iteration"),
            svg_line_chart(TITLES[1], scores, "critic score" if critic else "P(real)", x_title="iteration",
                           **score_extra),
            svg_line_chart(TITLES[2], divergence, "JS (nats)", x_title="iteration", y_range=(0.0, math.log(2)))]
