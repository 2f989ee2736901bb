"""The report of 2-6 runs side by side: what the Compare page shows (gancore/runs/compare.py decides
what shares an axis, and says why where it does not), as one HTML file."""
from __future__ import annotations

from ..charts.lines import HALF_LABEL, SCORE_LINES, score_axis
from ..charts.quality import BY_KEY, comparable_metrics, measured, measured_points, quality_rows
from ..charts.svg_chart import Guide, Line, svg_line_chart
from ..health.alerts import warning_words
from ..quality.measures import get_measure_spec, quality_kind
from ..runs.compare import (DEFAULT_SMOOTHING, Compared, Part, compare_parts,
                            picture_caption, picture_steps, pictures_at, probability_scores, sample_files,
                            settings_rows, smoothed_points)
from ..runs.store import Run
from . import captions
from .page import charts, document, esc, paragraph, scrubber, section, spread_evenly, table

# Pictures in one comparison, all runs together: each scrubber position holds one of every run,
# so more runs get fewer positions (2 runs: 16, 6 runs: 5), and the file stays about the size of
# one run's report (docs/BENCHMARKS.md, "Report size").
MAX_PICTURES = 32
SCORE_KEYS = {key for key, _, _ in SCORE_LINES}


def comparison_report(runs: list[Run], weight: float = DEFAULT_SMOOTHING) -> str:
    """The whole page for 2-6 runs, as HTML text; `weight`: the curves' smoothing."""
    data = Compared(runs)
    parts = compare_parts(data.configs, data.labels)
    curves = curves_html([p for p in parts if p.curve], data, weight)
    quality = next(p for p in parts if p.key == "quality")
    body = [runs_section(data),
            section("Losses and scores", paragraph(captions.COMPARE_CURVES.format(weight=weight) if weight > 0
                                                  else captions.COMPARE_CURVES_RAW, "caption"),
                    *curves),
            quality_section(quality, data),
            pictures_section(data),
            settings_section(data)]
    return document("Comparison: " + ", ".join(data.labels[i] for i in data.ids), body)


def _key(data: Compared) -> str:
    return '<p class="key">' + "".join(
        f'<span><span style="color:{data.colours[i]};font-size:1.4em">&#9679;</span> {esc(data.labels[i])}</span>'
        for i in data.ids) + "</p>"


def runs_section(data: Compared) -> str:
    rows = []
    for i in data.ids:
        state, cfg = data.states[i], data.configs[i]
        rows.append({"run": data.labels[i], "id": i, "variant": cfg.model.variant, "data": cfg.data.dataset,
                     "status": state.status_words, "steps": f"{state.step:,} of {state.total:,}",
                     "open alerts": warning_words(state.alerts) or "none", "note": state.meta.note})
    return section("The runs", _key(data), table(rows))


def _split(part: Part, said: str = "") -> str:
    """Why the part's runs are on separate charts, unless the note just above said the same."""
    return "" if part.compares or part.why_not == said else paragraph(part.why_not, "note")


def curves_html(curve_parts: list[Part], data: Compared, weight: float) -> list[str]:
    """The charts side by side, each note on why runs are apart above the charts it explains;
    a part split for the same reason as the one before (D(x), then D(G(z))) says it once."""
    out, figures, said = [], [], ""
    for part in curve_parts:
        note = _split(part, said)
        if note:
            out += [charts(*figures), note] if figures else [note]
            figures = []
        figures += curve_figures(part, data, weight)
        said = part.why_not
    return out + [charts(*figures)]


def curve_figures(part: Part, data: Compared, weight: float) -> list[tuple[str, str]]:
    """One logged number (a loss, a term, D(x) or D(G(z))) of every run that has it: one chart,
    or one per group of runs whose numbers mean the same; (svg, caption) each."""
    figures = []
    for group in part.groups:
        probability = part.key in SCORE_KEYS and probability_scores(data.configs[group[0]])
        lines = []
        for run_id in group:
            pts = smoothed_points(data.metrics[run_id], part.key, weight)
            xs = [p["step"] for p in pts]
            if weight > 0:
                lines.append(Line(data.labels[run_id], data.colours[run_id], xs, [p["raw"] for p in pts], faint=True))
            lines.append(Line(data.labels[run_id], data.colours[run_id], xs, [p["smooth"] for p in pts]))
        y_title = score_axis(not probability) if part.key in SCORE_KEYS else "loss"
        svg = svg_line_chart(part.title, lines, y_title, y_range=(0.0, 1.0) if probability else None,
                             guides=[Guide(0.5, HALF_LABEL)] if probability else ())
        figures.append((svg, "" if part.compares else ", ".join(data.labels[i] for i in group)))
    return figures


def quality_section(part: Part, data: Compared) -> str:
    """Per group of runs on the same data: the latest measurements side by side (with the line to
    compare with), and each measure over the steps."""
    out = [_split(part)]
    for group in part.groups:
        series = {i: data.quality[i] for i in group}
        keys = comparable_metrics(series)
        if not part.compares:
            out.append(f"<h3>{esc(', '.join(data.labels[i] for i in group))}</h3>")
        if not keys:
            out.append(paragraph(captions.NO_QUALITY))
            continue
        kind = quality_kind(data.configs[group[0]])
        floor_words = get_measure_spec(kind).floor_words if kind else "real vs real"
        floor = next((data.floors[i] for i in group if data.floors[i]), None)
        out.append(table(_latest_rows(group, data, floor, floor_words)))
        out.append(charts(*[(_quality_chart(key, series, data, floor, floor_words), BY_KEY[key].meaning)
                            for key in keys]))
    return section("Quality", *out)


def _latest_rows(group, data: Compared, floor: dict | None, floor_words: str) -> list[dict]:
    """One row per measure: each run's latest value, then the floor."""
    latest = {i: (measured(data.quality[i]) or [{}])[-1] for i in group}
    rows: dict[str, dict] = {}
    for run_id in group:
        for row in quality_rows(latest[run_id], floor, floor_words):
            rows.setdefault(row["measure"], {"measure": row["measure"]})[data.labels[run_id]] = row["now"]
            rows[row["measure"]][floor_words] = row[floor_words]
    return [{"measure": m, **{data.labels[i]: r.get(data.labels[i], "-") for i in group},
             floor_words: r[floor_words]} for m, r in rows.items()]


def _quality_chart(key: str, series: dict, data: Compared, floor: dict | None, floor_words: str) -> str:
    metric = BY_KEY[key]
    scale = 100.0 if metric.percent else 1.0
    lines = [Line(data.labels[i], data.colours[i], *measured_points(measured(records), key, scale), markers=True)
             for i, records in series.items()]
    unit = " (%)" if metric.percent else ""
    guides = [Guide(scale * floor[key], floor_words)] if floor and floor.get(key) is not None else []
    return svg_line_chart(f"{metric.label}{unit}: {metric.better} is better", lines, metric.label + unit,
                          guides=guides)


def pictures_section(data: Compared) -> str:
    files = sample_files(data.runs)
    steps = spread_evenly(picture_steps(files), max(2, MAX_PICTURES // len(data.runs)))
    if not steps:
        return section("Pictures at the same step", paragraph(captions.NO_PICTURES))
    frames = {i: [] for i in data.ids}
    for at in steps:
        for pic in pictures_at(files, at):
            words = picture_caption(data.labels[pic.run_id], pic.step, at)
            frames[pic.run_id].append((pic.path.read_bytes() if pic.path else None, words))
    return section("Pictures at the same step",
                   paragraph("One slider for all the runs: each shows its latest picture at or before "
                             "that step.", "caption"),
                   scrubber(steps, [(data.labels[i], frames[i]) for i in data.ids]))


def settings_section(data: Compared) -> str:
    rows = settings_rows(data.configs, data.labels)
    if not rows:
        return section("Settings that differ", paragraph("None: these runs were started with the same settings."))
    return section("Settings that differ", table(rows))
