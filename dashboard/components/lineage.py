"""Where a run came from and what came of it: its parent (a fork), its source (an import), and
the runs forked from it, each a link to the Monitor."""
from __future__ import annotations

import streamlit as st

from gancore import GanError

from dashboard.components.wording import origin_words, plain


def forks_of(run_id: str, states) -> list:
    return [s for s in states if s.meta.parent == run_id]


def show_lineage(state, states) -> None:
    """`states`: every run listed (RunStore.states()), to name the parent and find the forks."""
    labels = {s.run_id: s.label for s in states}
    if state.meta.note:
        st.text(f"Note: {state.meta.note}")  # as typed: never markdown
    origin = plain(origin_words(state.meta, labels))  # names and ids as typed, never markdown
    forks = forks_of(state.run_id, states)
    if not origin and not forks:
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    if origin:
        row.markdown(f"This run is a {origin}." if state.meta.forked else f"This run was {origin}.")
        if state.meta.parent in labels:
            row.page_link("views/monitor.py", label="Open the parent", icon=":material/north_west:",
                          query_params={"run": state.meta.parent})
    if forks:
        row.markdown(f"Forked from it: {', '.join(plain(s.label) for s in forks)}.")


def parent_label(store, meta) -> dict[str, str]:
    """{parent id: its label} for origin_words, or {} (not a fork, or the parent is gone)."""
    if not meta.forked:
        return {}
    try:
        return {meta.parent: store.open(meta.parent).state().label}
    except GanError:
        return {}
