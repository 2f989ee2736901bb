"""Choosing a run: the one in the URL (?run=<id>), else a picker of live jobs and runs on disk.

A link naming no run here (mistyped, malformed, or from another server) says so and selects
nothing: quietly showing the newest run instead would show someone else's run as the linked one.
"""
from __future__ import annotations

import streamlit as st

from dashboard.state import manager, remember_run, run_id_from_url


def shown_text(raw: str, limit: int = 80) -> str:
    """Text from a URL, safe to put in a message: one line, cut to `limit` characters, inside a
    code span (Markdown draws no links, pictures or web addresses there); its own backticks,
    which would close the span, become quotes."""
    line = " ".join(raw.split()).replace("`", "'")
    return f"`{line if len(line) <= limit else line[:limit] + '...'}`"


def missing_run_note(raw: str) -> str:
    return f"This link names a run that does not exist here ({shown_text(raw)}). Pick a run below."


def known_runs() -> dict[str, str]:
    """Run id -> how it reads (its name and id: RunState.label). Live jobs of this process
    first (a new run may not have a folder yet), then disk, newest first."""
    known = {j.run_id: j.state.label for j in manager().jobs() if j.live}
    for state in manager().store.states():
        known.setdefault(state.run_id, state.label)
    return known


def known_run_ids() -> list[str]:
    return list(known_runs())


def open_run(page: str, run_id: str) -> None:
    """Go to views/<page>.py showing `run_id`, also from that page itself (its picker remembers
    the run it showed, so the picker is told too)."""
    st.session_state[f"{page}-run"] = run_id
    st.switch_page(f"views/{page}.py", query_params={"run": run_id})


def pick_run(page: str, ids: list[str] | None = None, label: str = "Run",
             unfit: str = "") -> str | None:
    """The run this page shows: the URL's when it is one of `ids` (default: every known run),
    else the user's pick. A link to a run not in `ids` selects nothing until the user picks;
    `unfit` says why a run that exists is not among `ids` ("it does not train on 2D points")."""
    labels = known_runs()
    ids = list(labels) if ids is None else ids
    linked = st.query_params.get("run")
    wanted = run_id_from_url()
    note = st.empty()  # cleared once the user picks a run
    if linked and wanted not in ids:
        exists = unfit and wanted in labels
        note.warning(f"The run this link names ({shown_text(linked)}) cannot be opened here: "
                   f"{unfit}. Pick a run below." if exists else missing_run_note(linked),
                   icon=":material/link_off:")
        wanted = None
    if not ids:
        st.info("No runs yet. Start one on the Train page.")
        st.page_link("views/train.py", label="Go to Train", icon=":material/play_circle:")
        return None
    index = ids.index(wanted) if wanted else (None if linked else 0)
    chosen = st.selectbox(label, ids, index=index, key=f"{page}-run", placeholder="Pick a run",
                          format_func=lambda run_id: labels.get(run_id, run_id))
    if chosen is not None and chosen != linked:
        note.empty()
        remember_run(chosen)
    return chosen
