"""Quality measurements (quality.jsonl records) -> plain-words tables, plotly figures, and SVG
drawings for a run while it trains (components/svg_chart.py says why). Pure."""
from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.components.charts import BLUE, RED, SLATE, downsample, step_axis
from dashboard.components.svg_chart import Guide, Line, log_label, log_ticks, svg_line_chart


@dataclass(frozen=True)
class QualityMetric:
    key: str
    label: str
    better: str  # "higher" or "lower"
    percent: bool = False  # a share in [0, 1], shown as a percentage
    meaning: str = ""


METRICS = [
    QualityMetric("modes", "Modes captured", "higher", meaning=(
        "mixture components with at least one generated point close to them (PacGAN protocol, "
        "2,500 samples)")),
    QualityMetric("high_quality", "High-quality samples", "higher", True,
                  "generated points within 3 standard deviations of a component's centre"),
    QualityMetric("reverse_kl", "Reverse KL to uniform", "lower", meaning=(
        "how unevenly the good points spread over the components; 0 is perfectly even")),
    QualityMetric("label_accuracy", "Label accuracy", "higher", True,
                  "samples asked for class k that a classifier reads as k"),
    QualityMetric("fcd", "Frechet classifier distance", "lower", meaning=(
        "distance between real and generated images in a classifier's feature space (the FID "
        "formula); 0 means indistinguishable")),
    QualityMetric("precision", "Precision", "higher", True,
                  "generated images that look like some real image (fidelity)"),
    QualityMetric("recall", "Recall", "higher", True,
                  "real images that some generated image resembles (variety)"),
    QualityMetric("density", "Density", "higher", meaning=(
        "how crowded real neighbourhoods are with generated images; about 1 for a perfect generator")),
    QualityMetric("coverage", "Coverage", "higher", True,
                  "real images with a generated image nearby (variety, robust to outliers)"),
    QualityMetric("classifier_score", "Classifier score", "higher", meaning=(
        "the Inception-score formula with the classifier: high when each image is clearly one "
        "class and all classes appear")),
    QualityMetric("psnr", "PSNR (dB)", "higher", meaning=(
        "peak signal-to-noise ratio of the upscaled images against the real ones, on brightness, "
        "as super-resolution papers report it; +1 dB is a clearly visible gain")),
    QualityMetric("ssim", "SSIM", "higher", meaning=(
        "structural similarity of the upscaled images to the real ones: edges and textures in "
        "the right places; 1 means identical")),
]
BY_KEY = {m.key: m for m in METRICS}


def measured(records: list[dict]) -> list[dict]:
    """The successful measurements (a failed one carries "error")."""
    return [r for r in records if "error" not in r]


def _fmt(metric: QualityMetric, value) -> str:
    if value is None:
        return "-"
    if metric.key == "modes":
        return f"{value:.0f}"
    if metric.key == "psnr":
        return f"{value:.2f} dB"
    return f"{100 * value:.1f} %" if metric.percent else f"{value:.3f}"


def quality_rows(latest: dict, floor: dict | None, floor_words: str = "real vs real",
                 earlier: tuple[str, dict] | None = None) -> list[dict]:
    """One row per metric the record has: its value now, the floor (real vs real, or the plain
    method to beat: `floor_words`), which way is better; `earlier`: (words, an earlier
    measurement) shown in a column before "now" (the end of a first phase)."""
    rows = []
    for m in METRICS:
        if m.key not in latest:
            continue
        value = f"{_fmt(m, latest[m.key])} of {latest['total_modes']}" if m.key == "modes" else _fmt(m, latest[m.key])
        row = {"measure": m.label}
        if earlier is not None:
            row[earlier[0]] = _fmt(m, earlier[1].get(m.key))
        rows.append(row | {"now": value, floor_words: _fmt(m, (floor or {}).get(m.key)) if floor else "-",
                           "better": m.better, "what it means": m.meaning})
    return rows


def phase_end(records: list[dict]) -> dict | None:
    """The last measurement of a first phase (records carry "phase" when the variant has two),
    once a later phase has been measured; else None."""
    done = measured(records)
    if not done or done[-1].get("phase") is None:
        return None
    first = done[0].get("phase")
    before = [r for r in done if r.get("phase") == first]
    return before[-1] if before and done[-1].get("phase") != first else None


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


def _points(records: list[dict], key: str, scale: float) -> tuple[list, list]:
    """(steps, scaled values) of the records that measured `key`."""
    pts = [r for r in records if r.get(key) is not None]
    return [r["step"] for r in pts], [scale * r[key] for r in pts]


def _series(records: list[dict], key: str, name: str, colour: str, scale: float = 1.0, **line) -> dict:
    xs, ys = _points(records, key, scale)
    return dict(type="scatter", mode="lines+markers", x=xs, y=ys, name=name, line=dict(color=colour, **line),
                marker=dict(size=5))


# The image shares drawn on one percent chart, with their colours.
SHARES = [("precision", SLATE), ("recall", BLUE), ("coverage", "#16a34a"), ("label_accuracy", RED)]


def quality_figures(records: list[dict], floor: dict | None = None) -> list[go.Figure]:
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
        return [_against_floor_figure(pts, key, floor, steps) for key in ("psnr", "ssim")]
    share_lines = [_series(pts, key, BY_KEY[key].label.lower(), colour, 100.0)
                   for key, colour in SHARES if key in latest]
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=100 * floor[key], y1=100 * floor[key],
                   line=dict(dash="dot", color=colour, width=1))
              for key, colour in SHARES if floor and floor.get(key) is not None and key in latest]
    fidelity = go.Figure(data=share_lines, layout=_layout(
        "Fidelity and variety (%)", "%", steps, shapes=shapes) | {"yaxis": dict(title=dict(text="%"), range=[0, 102])})
    fcd_shapes = ([dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=floor["fcd"], y1=floor["fcd"],
                        line=dict(dash="dot", color="gray", width=1))] if floor and floor.get("fcd") else [])
    fcd_values = _points(pts, "fcd", 1.0)[1] + ([floor["fcd"]] if fcd_shapes else [])
    fcd = go.Figure(data=[_series(pts, "fcd", "Frechet classifier distance", SLATE)],
                    layout=_layout("Frechet classifier distance (lower is better)", "FCD", steps,
                                   shapes=fcd_shapes) | {"yaxis": log_axis(fcd_values, "FCD")})
    return [fidelity, fcd]


FLOOR_LINE = "bicubic (to beat)"  # the dotted line of a measure against a plain method


def _against_floor_figure(pts: list[dict], key: str, floor: dict | None, steps: list) -> go.Figure:
    """One measure over steps, with the plain method's value (floor) dotted: PSNR, SSIM."""
    metric = BY_KEY[key]
    shapes, notes = [], []
    if floor and floor.get(key) is not None:
        shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=floor[key], y1=floor[key],
                       line=dict(dash="dot", color="gray"))]
        notes = [dict(text=FLOOR_LINE, xref="paper", x=1, xanchor="right", yref="y", y=floor[key],
                      yanchor="bottom", showarrow=False)]
    return go.Figure(data=[_series(pts, key, metric.label, RED)],
                     layout=_layout(f"{metric.label}: {metric.better} is better", metric.label, steps,
                                    shapes=shapes, annotations=notes))


def _svg_line(records: list[dict], key: str, name: str, colour: str, scale: float = 1.0) -> Line:
    return Line(name, colour, *_points(records, key, scale), markers=True)


def quality_svgs(records: list[dict], floor: dict | None = None) -> list[str]:
    """The same charts as `quality_figures`, as SVG text for a run while it trains. The mixtures'
    two scales become one: modes captured as a share of all modes, beside the high-quality share."""
    pts = downsample(measured(records))
    if not pts:
        return []
    latest = pts[-1]
    if "modes" in latest:
        total = latest["total_modes"]
        return [svg_line_chart("Mode coverage (%)", [
            _svg_line(pts, "modes", f"modes captured (% of {total})", BLUE, 100.0 / total),
            _svg_line(pts, "high_quality", "high-quality samples (%)", RED, 100.0)], "%", y_range=(0.0, 102.0))]
    if "psnr" in latest:
        return [svg_line_chart(f"{BY_KEY[key].label}: higher is better", [_svg_line(pts, key, BY_KEY[key].label, RED)],
                               BY_KEY[key].label,
                               guides=[Guide(floor[key], FLOOR_LINE)] if floor and floor.get(key) is not None else [])
                for key in ("psnr", "ssim")]
    shares = [_svg_line(pts, key, BY_KEY[key].label.lower(), colour, 100.0) for key, colour in SHARES if key in latest]
    floors = [Guide(100 * floor[key], colour=colour) for key, colour in SHARES
              if floor and floor.get(key) is not None and key in latest]
    fcd_floor = [Guide(floor["fcd"], "real vs real")] if floor and floor.get("fcd") else []
    return [svg_line_chart("Fidelity and variety (%)", shares, "%", y_range=(0.0, 102.0), guides=floors),
            svg_line_chart("Frechet classifier distance (lower is better)",
                           [_svg_line(pts, "fcd", "Frechet classifier distance", SLATE)], "FCD",
                           guides=fcd_floor, log_y=True)]


def compare_figure(series: dict[str, list[dict]], key: str) -> go.Figure:
    """One metric over steps for several runs, one line each."""
    metric = BY_KEY[key]
    scale = 100.0 if metric.percent else 1.0
    palette = [BLUE, RED, SLATE, "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04"]
    lines = [_series(downsample(measured(records)), key, run_id, palette[i % len(palette)], scale)
             for i, (run_id, records) in enumerate(series.items())]
    unit = " (%)" if metric.percent else ""
    steps = [x for line in lines for x in line["x"]]
    return go.Figure(data=lines, layout=_layout(f"{metric.label}{unit}: {metric.better} is better",
                                                metric.label + unit, steps))


def comparable_metrics(series: dict[str, list[dict]]) -> list[str]:
    """Metric keys present in at least one run's measurements, in display order."""
    present = {k for records in series.values() for r in measured(records) for k in r}
    return [m.key for m in METRICS if m.key in present]
