"""What a run's charts draw, for every kind of drawing: the lines of the losses and scores charts
(record key, legend name, colour), the thinning of long runs, and the light SVG versions (the
Monitor while a run trains, and the HTML reports). Pure: no streamlit, no plotly; bounded size
whatever the run's length. The interactive plotly figures are dashboard/components/charts.py's."""
from __future__ import annotations

from .svg_chart import Guide, Line, svg_line_chart

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
# One colour per compared run, the same on every chart: D3's first six distinct hues (blue,
# orange, green, red, purple, brown), as TensorBoard and Plotly draw several series.
RUN_COLOURS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B")
WAITING = "waiting for the first numbers"  # an SVG chart before the first numbers


def score_axis(wasserstein: bool) -> str:
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
        return svg_line_chart(SCORE_TITLE, lines, score_axis(True), empty_note=note)
    return svg_line_chart(SCORE_TITLE, lines, score_axis(False), y_range=(0.0, 1.0),
                          guides=[Guide(0.5, HALF_LABEL)], empty_note=note)


def run_colours(run_ids: list[str]) -> dict[str, str]:
    """Run id -> its colour, by its place among the compared runs."""
    return {run_id: RUN_COLOURS[i % len(RUN_COLOURS)] for i, run_id in enumerate(run_ids)}
