"""The Compare page's charts: each part of the comparison (gancore.runs.compare.Part) drawn on one
axis for all the runs, or, where the runs' numbers mean different things, the reason in words and
one chart per group of runs that agree."""
from __future__ import annotations

import streamlit as st

from dashboard.components.charts import SCORE_LINES
from dashboard.components.compare_charts import curve_figure, quality_figure
from dashboard.components.quality import comparable_metrics
from dashboard.components.wording import plain
from gancore.quality.measures import get_measure_spec, quality_kind
from gancore.runs.compare import DEFAULT_SMOOTHING, Compared, Part, probability_scores

SCORE_KEYS = {key for key, _, _ in SCORE_LINES}
PER_ROW = 3  # charts side by side when a part splits into groups


def smoothing_slider() -> float:
    return st.slider("Smoothing", 0.0, 0.99, DEFAULT_SMOOTHING, 0.01, key="compare-smoothing",
                     help="exponential moving average, as in TensorBoard and Weights & Biases: 0 "
                          "draws the numbers as logged; towards 0.99 the lines show the trend. "
                          "The raw line stays faint behind the smoothed one.")


def _in_rows(groups: tuple, draw) -> None:
    """draw(group) for each group, PER_ROW charts to a row."""
    for start in range(0, len(groups), PER_ROW):
        for column, group in zip(st.columns(PER_ROW), groups[start:start + PER_ROW]):
            with column:
                draw(group)


def _split_note(part: Part, said: str = "") -> None:
    """Why the part's runs are on separate charts, unless the part before said the same."""
    if not part.compares and part.why_not != said:
        st.info(part.why_not, icon=":material/call_split:")


def show_curves(parts: list[Part], data: Compared, weight: float) -> None:
    """Every curve part in turn (losses, the variants' own terms, D(x), D(G(z)))."""
    said = ""
    for part in parts:
        if part.curve:
            show_curve(part, data, weight, said)
            said = part.why_not


def show_curve(part: Part, data: Compared, weight: float, said: str = "") -> None:
    """One metrics key (a loss, a loss term, D(x) or D(G(z))) of the runs that have it;
    `said`: the note already shown just above."""
    _split_note(part, said)

    def draw(group):
        probability = part.key in SCORE_KEYS and probability_scores(data.configs[group[0]])
        y_title = ("loss" if part.key not in SCORE_KEYS else
                   "probability 'real'" if probability else "critic score")
        fig = curve_figure({i: data.metrics[i] for i in group}, part.key, part.title, y_title, weight,
                           data.colours, data.labels, probability=probability)
        st.plotly_chart(fig, key=f"compare-{part.key}-{group[0]}")

    if part.compares and part.groups:
        draw(part.groups[0])
    else:
        _in_rows(part.groups, draw)


def show_quality(part: Part, data: Compared) -> None:
    """Each measure the runs have, one chart per group of runs on the same data."""
    _split_note(part)
    for group in part.groups:
        series = {i: data.quality[i] for i in group}
        keys = comparable_metrics(series)
        if not part.compares:
            st.markdown("**" + ", ".join(plain(data.labels[i]) for i in group) + "**")
        if not keys:
            st.caption("No quality measurements in " + ("this run" if len(group) == 1 else "these runs")
                       + " yet (each is measured every *Measure quality every N steps* steps, "
                         "when that is on).")
            continue
        floor = next((data.floors[i] for i in group if data.floors[i]), None)
        kind = quality_kind(data.configs[group[0]])
        floor_words = get_measure_spec(kind).floor_words if kind else "real vs real"

        def draw(key, series=series, floor=floor, floor_words=floor_words, first=group[0]):
            st.plotly_chart(quality_figure(series, key, data.colours, data.labels, floor, floor_words),
                            key=f"compare-quality-{key}-{first}")

        _in_rows(tuple(keys), draw)
