"""A run's name and note, edited where the run is shown (Runs, Monitor). The run id stays the
folder's and the URL's; the name is what lists show (gancore/runs/meta.py)."""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from gancore.runs.meta import MAX_NAME, MAX_NOTE
from gancore.runs.store import Run


def name_and_note_editor(run: Run, key: str) -> None:
    """Two fields and a Save button; a refused name (too long, two lines) is said in words and
    nothing is written. Keyed by the run, so switching runs shows the other run's text."""
    meta = run.meta()
    with st.form(f"{key}-naming-{run.run_id}", border=False):
        name = st.text_input("Name", meta.name, max_chars=MAX_NAME, placeholder=run.run_id,
                             help="shown wherever the run is listed; the run's id does not change")
        note = st.text_area("Note", meta.note, max_chars=MAX_NOTE, height=90,
                            placeholder="what you tried and what you saw")
        if st.form_submit_button("Save name and note", icon=":material/save:"):
            with friendly_errors("The name and note were not saved"):
                run.edit_meta(name=name, note=note)
                st.toast("Saved.")
                st.rerun()
