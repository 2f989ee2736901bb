"""Monitor: one run, live. Progress, losses, D(x) vs D(G(z)), the latest samples, quality,
controls, and every earlier picture. Everything it is made of lives in dashboard/monitor/; how it draws a run (live from the
feed while training, interactive when paused or ended) is decided once, in monitor/drawing.py."""
import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.run_picker import pick_run
from dashboard.components.owner import may_control
from dashboard.components.run_naming import name_and_note_editor
from dashboard.components.run_view import load_view
from dashboard.monitor.controls import show_controls
from dashboard.monitor.history import show_history
from dashboard.monitor.page import show_run
from dashboard.state import audience, manager, viewer_id

st.title("Monitor")
run_id = pick_run("monitor")
if run_id is None:
    st.stop()

view = None
with friendly_errors("This run cannot be shown"):
    view = load_view(run_id, manager())
if view is None:
    st.stop()

# A live run's viewers share one refresh budget (monitor/audience.py): this page counts as one.
if view.live:
    audience().seen(viewer_id(), run_id, 1.0)
viewers = audience().count(run_id) if view.live else 0

show_controls(run_id, viewers)
if may_control() and (manager().store.root / run_id).is_dir():
    with st.expander("Name and note"):
        name_and_note_editor(manager().store.open(run_id), "monitor")
show_run(view, viewers)
with friendly_errors("The run's earlier pictures cannot be shown"):
    show_history(run_id)
