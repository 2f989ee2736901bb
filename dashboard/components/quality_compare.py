"""The Runs page's comparison: one quality measure over training steps, several runs side by side."""
from __future__ import annotations

import streamlit as st

from dashboard.components.quality import BY_KEY, compare_figure, comparable_metrics
from gancore import RunError, RunStore


def compare_quality(store: RunStore, measured_ids: list[str]) -> None:
    """`measured_ids`: runs with at least one quality measurement, newest first."""
    if not measured_ids:
        return
    st.subheader("Compare quality")
    chosen = st.multiselect("Runs to compare", measured_ids, default=measured_ids[:3], key="compare-runs",
                            help="runs with quality measurements; the newest three to begin with")
    if not chosen:
        st.caption("Pick one or more runs to see their quality side by side.")
        return
    series = {}
    for run_id in chosen:
        try:
            series[run_id] = store.open(run_id).quality()
        except RunError:
            continue  # deleted meanwhile: compare the others
    keys = comparable_metrics(series)
    if not keys:
        return
    key = st.selectbox("Measure", keys, format_func=lambda k: BY_KEY[k].label, key="compare-metric")
    st.plotly_chart(compare_figure(series, key), key="compare-chart")
    st.caption(f"{BY_KEY[key].label}: {BY_KEY[key].meaning}.")
