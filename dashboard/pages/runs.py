"""Runs: every run on disk, with status and last numbers; open, resume or delete one."""
import time

import streamlit as st

from components import wording
from components.errors import friendly_errors
from components.runs_table import runs_rows
from state import READ_ONLY, READ_ONLY_NOTE, manager

st.title("Runs")
st.write("Every run in the runs folder, whether started here or from the command line.")

summaries = manager().store.summaries()
live_here = {j.run_id for j in manager().jobs() if j.snapshot().live}
if not summaries:
    st.info("No runs yet. Start one on the Train page.")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/play_circle:")
    st.stop()

st.dataframe(runs_rows(summaries), hide_index=True, width="stretch")

st.subheader("A run")
ids = [s.run_id for s in summaries]
run_id = st.selectbox("Run", ids, key="runs-run")
summary = next(s for s in summaries if s.run_id == run_id)
st.markdown(f"Status: {wording.status_label(summary.status)} · step {summary.step:,} of {summary.total:,}")

c1, c2, c3 = st.columns(3)
c1.page_link("pages/monitor.py", label="Open in Monitor", icon=":material/monitoring:",
             query_params={"run": run_id})
c2.page_link("pages/generate.py", label="Open in Generate", icon=":material/auto_awesome:",
             query_params={"run": run_id})

if READ_ONLY:
    st.info(READ_ONLY_NOTE)
    st.stop()

with c3:
    if summary.status in ("stopped", "interrupted", "finished", "failed") and run_id not in live_here:
        more = None
        if summary.step >= summary.total:
            more = st.number_input("More steps", 1, 10_000_000, max(summary.total // 2, 100))
        if st.button("Resume training", icon=":material/play_arrow:"):
            with friendly_errors("This run cannot be resumed"):
                manager().resume(run_id, int(more) if more else None)
                st.switch_page("pages/monitor.py", query_params={"run": run_id})

with st.expander("Delete this run"):
    st.write("This removes the run's folder: its checkpoints, pictures and numbers. It cannot be undone.")
    sure = st.checkbox(f"Yes, delete {run_id}", key=f"confirm-{run_id}")
    if st.button("Delete", type="primary", disabled=not sure, icon=":material/delete:"):
        with friendly_errors("This run cannot be deleted"):
            manager().forget(run_id)
            manager().store.delete(run_id)
            st.success(f"Deleted {run_id}.")
            time.sleep(0.5)
            st.rerun()
