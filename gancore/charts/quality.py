"""Quality measurements (quality.jsonl records) in words and light drawings: what each measure
means and which way is better, the table of a run's latest measurement beside its floor (real vs
real, or the plain method to beat), and the SVG charts (a run while it trains; the HTML reports).
Pure: no streamlit, no plotly; the interactive figures are dashboard/components/quality.py's."""
from __future__ import annotations

from dataclasses import dataclass

from .lines import BLUE, RED, SLATE, downsample
from .svg_chart import Guide, Line, svg_line_chart


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
    QualityMetric("l1", "L1 distance", "lower", meaning=(
        "mean absolute difference of each translation from its real target, on a 0-1 scale; 0 "
        "means identical")),
    QualityMetric("psnr", "PSNR (dB)", "higher", meaning=(
        "peak signal-to-noise ratio of the generator's images against the real ones (upscaling: on "
        "brightness, as super-resolution papers report it; translation: on every colour); +1 dB is "
        "a clearly visible gain")),
    QualityMetric("ssim", "SSIM", "higher", meaning=(
        "structural similarity of the generator's images to the real ones: edges and textures in "
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


def metric_text(key: str, value) -> str:
    """One metric's value as the table shows it ("96.1 %", "8", "0.412")."""
    return _fmt(BY_KEY[key], value)


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


def measured_points(records: list[dict], key: str, scale: float) -> tuple[list, list]:
    """(steps, scaled values) of the records that measured `key`."""
    pts = [r for r in records if r.get(key) is not None]
    return [r["step"] for r in pts], [scale * r[key] for r in pts]


# The image shares drawn on one percent chart, with their colours.
SHARES = [("precision", SLATE), ("recall", BLUE), ("coverage", "#16a34a"), ("label_accuracy", RED)]


FLOOR_LINE = "bicubic (to beat)"  # the dotted line of a measure against a plain method


def _svg_line(records: list[dict], key: str, name: str, colour: str, scale: float = 1.0) -> Line:
    return Line(name, colour, *measured_points(records, key, scale), markers=True)


def quality_svgs(records: list[dict], floor: dict | None = None, floor_words: str = FLOOR_LINE) -> list[str]:
    """The same charts as `quality_figures`, as SVG text for a run while it trains. The mixtures'
    two scales become one: modes captured as a share of all modes, beside the high-quality share.
    `floor_words`: the dotted line's name where a measure is drawn against a plain method."""
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
                               guides=[Guide(floor[key], floor_words)] if floor and floor.get(key) is not None else [])
                for key in ("psnr", "ssim")]
    shares = [_svg_line(pts, key, BY_KEY[key].label.lower(), colour, 100.0) for key, colour in SHARES if key in latest]
    floors = [Guide(100 * floor[key], colour=colour) for key, colour in SHARES
              if floor and floor.get(key) is not None and key in latest]
    fcd_floor = [Guide(floor["fcd"], "real vs real")] if floor and floor.get("fcd") else []
    return [svg_line_chart("Fidelity and variety (%)", shares, "%", y_range=(0.0, 102.0), guides=floors),
            svg_line_chart("Frechet classifier distance (lower is better)",
                           [_svg_line(pts, "fcd", "Frechet classifier distance", SLATE)], "FCD",
                           guides=fcd_floor, log_y=True)]


def comparable_metrics(series: dict[str, list[dict]]) -> list[str]:
    """Metric keys present in at least one run's measurements, in display order."""
    present = {k for records in series.values() for r in measured(records) for k in r}
    return [m.key for m in METRICS if m.key in present]
