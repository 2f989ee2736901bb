"""The settings of the compared runs as a table: only those that differ (gancore.runs.compare.
differing_settings), one column per run, and the shared ones behind an expander."""
from __future__ import annotations

import streamlit as st

from gancore import TrainConfig
from gancore.runs.compare import settings_rows, shared_rows


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
