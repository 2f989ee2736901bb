"""Choosing a run: the one in the URL (?run=<id>), else a picker of live jobs and runs on disk."""
from __future__ import annotations

import streamlit as st

from dashboard.state import manager, remember_run, run_id_from_url


def known_run_ids() -> list[str]:
    """Live jobs of this process first (a new run may not have a folder yet), then disk, newest first."""
    live = [j.run_id for j in manager().jobs() if j.live]
    on_disk = [s.run_id for s in manager().store.states()]
    return live + [r for r in on_disk if r not in live]


def pick_run(page: str) -> str | None:
    ids = known_run_ids()
    wanted = run_id_from_url()
    if wanted and wanted not in ids:
        st.warning(f"There is no run called {wanted}. Pick one below, or start one on the Train page.")
        wanted = None
    if not ids:
        st.info("No runs yet. Start one on the Train page.")
        st.page_link("views/train.py", label="Go to Train", icon=":material/play_circle:")
        return None
    chosen = st.selectbox("Run", ids, index=ids.index(wanted) if wanted else 0, key=f"{page}-run")
    if chosen != st.query_params.get("run"):
        remember_run(chosen)
    return chosen
