"""Runs: every run on disk, with status and last numbers; open, resume or delete one."""
import time

import streamlit as st

from dashboard.components import wording
from dashboard.components.bundle_box import download_bundle_button, import_bundle_box
from dashboard.components.csv_buttons import csv_buttons
from dashboard.components.report_button import report_button
from dashboard.components.errors import friendly_errors
from dashboard.components.compare_picker import compare_link
from dashboard.components.fork_form import fork_form
from dashboard.components.lineage import show_lineage
from dashboard.components.run_naming import name_and_note_editor
from dashboard.components.runs_table import runs_rows
from dashboard.components.run_picker import pick_run
from dashboard.components.owner import control_note, may_control
from dashboard.state import manager
from gancore.report import run_report

st.title("Runs")
st.write("Every run in the runs folder, whether started here or from the command line.")

import_bundle_box(manager().store)  # before the listing, which then shows the imported run
states = manager().store.states()
live_here = {j.run_id for j in manager().jobs() if j.live}
if not states:
    st.info("No runs yet. Start one on the Train page.")
    st.page_link("views/train.py", label="Go to Train", icon=":material/play_circle:")
    st.stop()

st.dataframe(runs_rows(states), hide_index=True, width="stretch")
compare_link(states)

st.subheader("Open, resume or delete a run")
run_id = pick_run("runs", [s.run_id for s in states])
if run_id is None:
    st.stop()
chosen = next(s for s in states if s.run_id == run_id)
st.markdown(f"Status: {wording.run_status_label(chosen)} · step {chosen.step:,} of {chosen.total:,}")
show_lineage(chosen, states)

row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
row.page_link("views/monitor.py", label="Open in Monitor", icon=":material/monitoring:",
              query_params={"run": run_id})
row.page_link("views/generate.py", label="Open in Generate", icon=":material/auto_awesome:",
              query_params={"run": run_id})
download_bundle_button(row, manager().store, chosen)
csv_buttons(row, manager().store.open(run_id), chosen)
report_button(row, lambda: run_report(manager().store.open(run_id)), "Report (.html)", f"{run_id}-report.html",
              key=f"report-{run_id}")

if not may_control():
    st.info(control_note())
    st.stop()

if (chosen.status.final or chosen.status.resumable) and run_id not in live_here \
        and not chosen.meta.imported:  # an imported run holds only its generator
    more = None
    if chosen.step >= chosen.total:
        more = row.number_input("More steps", 1, 10_000_000, max(chosen.total // 2, 100), width=160,
                                help="this run reached its planned steps: how many more to train")
    if row.button("Resume training", icon=":material/play_arrow:",
                  help="continue from the last checkpoint"):
        with friendly_errors("This run cannot be resumed"):
            manager().resume(run_id, int(more) if more else None)
            st.switch_page("views/monitor.py", query_params={"run": run_id})

with st.expander("Name and note"):
    name_and_note_editor(manager().store.open(run_id), "runs")
with st.expander("Fork from a checkpoint: a new run with changed settings"):
    fork_form(manager().store.open(run_id))

training = run_id in live_here or chosen.live
with st.expander("Delete this run"):
    st.write("This removes the run's folder: its checkpoints, pictures and numbers. It cannot be undone.")
    if training:
        st.caption("This run is still training: stop it on the Monitor page before deleting it.")
    sure = st.checkbox(f"Yes, delete {run_id}", key=f"confirm-{run_id}", disabled=training)
    if st.button("Delete", type="primary", disabled=training or not sure, icon=":material/delete:"):
        with friendly_errors("This run cannot be deleted"):
            manager().forget(run_id)
            manager().store.delete(run_id)
            st.success(f"Deleted {run_id}.")
            st.query_params.pop("run", None)  # the link would now name a run that is gone
            time.sleep(0.5)
            st.rerun()
