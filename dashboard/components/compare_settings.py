"""The settings of the compared runs as a table: only those that differ (gancore.runs.compare.
differing_settings), one column per run, and the shared ones behind an expander."""
from __future__ import annotations

import streamlit as st

from gancore import TrainConfig
from gancore.config import SETTINGS
from gancore.runs.compare import differing_settings, same_settings

NOT_USED = "not used"  # a variant's own setting in a run of another variant


def value_words(name: str, value) -> str:
    """A setting's value as the Train form words it: choices by their words, None as what it
    means ("the dataset's own"), yes / no, numbers without float noise."""
    s = SETTINGS[name]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or s.words:
        return s.choice_words(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def settings_rows(configs: dict[str, TrainConfig], labels: dict[str, str]) -> list[dict]:
    """One row per differing setting: its label, then each run's value under its label."""
    rows = []
    for d in differing_settings(configs):
        row = {"setting": d["label"]}
        for run_id, value in d["values"].items():
            row[labels.get(run_id, run_id)] = value_words(d["name"], value) if d["used"][run_id] else NOT_USED
        rows.append(row)
    return rows


def shared_rows(configs: dict[str, TrainConfig]) -> list[dict]:
    """The settings all the runs share, with their value."""
    return [{"setting": d["label"], "value": value_words(d["name"], d["value"])} for d in same_settings(configs)]


def show_settings(configs: dict[str, TrainConfig], labels: dict[str, str]) -> None:
    rows = settings_rows(configs, labels)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.info("No setting differs: these runs were started with the same settings, the seed too.")
    shared = shared_rows(configs)
    if shared and rows:
        with st.expander(f"The {len(shared)} settings they share"):
            st.dataframe(shared, hide_index=True, width="stretch")
    elif shared:
        with st.expander("Their settings"):
            st.dataframe(shared, hide_index=True, width="stretch")
