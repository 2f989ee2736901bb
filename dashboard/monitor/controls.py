"""The Monitor's status line, messages and buttons: Pause, Resume, Stop, and the ways back after a
divergence, running out of memory or a stop. A fragment, redrawn on its own buttons' clicks; the
whole page is redrawn when the status changes (the feed's page key, drawing.py)."""
from __future__ import annotations

import streamlit as st

from dashboard.components import wording
from dashboard.components.errors import friendly_errors, show_error
from dashboard.components.run_view import RunView, load_view
from dashboard.components.lineage import parent_label
from dashboard.components.owner import locked_note, may_control
from dashboard.monitor.alerts_part import show_alerts
from dashboard.monitor.audience import refresh_seconds
from dashboard.state import manager
from gancore.runs import requests

# How long a press waits for the trainer to take it before the page is redrawn. It takes one
# between two steps; a longer wait (a checkpoint being written, a measurement finishing) is not
# held up for: the page then says "pausing..." and redraws when the feed sees the new status.
ANSWER_SECONDS = 2.0
ASKED_WORDS = {"pause": "pausing...", "resume": "resuming...", "stop": "stopping..."}


def press(job, action: str) -> None:
    """Ask the job for Pause / Resume / Stop, wait until its status shows it (or ANSWER_SECONDS),
    then redraw the page: it draws the new status, not the one before the press."""
    getattr(job, action)()
    job.wait_taken(ANSWER_SECONDS)
    st.rerun(scope="app")


def ask_elsewhere(view: RunView, action: str) -> None:
    """Leave Pause / Resume / Stop for the process that trains the run (the command line,
    torchrun's ranks), which takes it at its next log step; the page says it is asked."""
    with friendly_errors("The request could not be left for the run"):
        requests.ask(manager().store.open(view.run_id).path, action)
    st.rerun(scope="app")


def asked_note(run_id: str) -> str:
    """The status line's ending while a press waits for the trainer (" · pausing..."), else empty."""
    job = manager().get(run_id)
    asked = job.requested if job is not None else requests.pending(manager().store.root / run_id)
    return f" · {ASKED_WORDS[asked]}" if asked in ASKED_WORDS else ""


def control_row(view: RunView, act) -> None:
    """Pause or Resume, and Stop; `act(action)` carries a press out."""
    row = st.container(horizontal=True)
    if view.status == "paused":
        if row.button("Resume", icon=":material/play_arrow:", help="continue training"):
            act("resume")
    # a diverged run is held already: its ways on are Stop and the roll-back
    elif row.button("Pause", icon=":material/pause:", disabled=view.status in ("preparing", "diverged"),
                    help="hold training here; Resume continues from the same step"):
        act("pause")
    if row.button("Stop", icon=":material/stop:", help="stop after the current step and save a checkpoint"):
        act("stop")


def recovery_buttons(view: RunView) -> None:
    """The way back, one click: roll back after a divergence, resume with the batch size that
    fits after running out of memory, or simply resume a stopped or interrupted run."""
    if not may_control() or view.cfg is None or view.meta.imported:  # imported: nothing to train on
        return
    run_id = view.run_id
    if view.diverged and st.button("Roll back to the last healthy checkpoint with half the learning rate",
                                   icon=":material/undo:", type="primary"):
        with friendly_errors("The roll-back did not start"):
            manager().rollback(run_id, lr_scale=0.5)
            st.rerun(scope="app")
    if view.fits_batch_size and not view.live:
        if st.button(f"Resume with batch size {view.fits_batch_size}", icon=":material/play_arrow:",
                     type="primary"):
            with friendly_errors("The run could not be resumed"):
                manager().resume(run_id, batch_size=view.fits_batch_size)
                st.rerun(scope="app")
    elif (view.status in ("stopped", "interrupted") and not view.diverged and view.step < view.total
          and st.button("Resume training", icon=":material/play_arrow:",
                        help="continue from the last checkpoint up to the planned number of steps")):
        with friendly_errors("The run could not be resumed"):
            manager().resume(run_id)
            st.rerun(scope="app")


@st.fragment
def show_controls(run_id: str, viewers: int) -> None:
    """`viewers`: the run's viewers when the page was drawn; more than one: the page says why it
    refreshes less often."""
    view = load_view(run_id, manager())
    cfg = view.cfg
    st.markdown(f"**{wording.plain(view.label)}** · {cfg.model.variant} on {cfg.data.dataset} · "
                f"status: {wording.run_status_label(view)}{asked_note(run_id)}")
    if view.meta.imported:
        st.caption(f"Imported: read-only (exported from run {wording.plain(view.meta.source or '?')}); "
                   "its bundle holds the generator only, so it cannot be trained further.")
    if view.meta.forked:
        origin = wording.origin_words(view.meta, parent_label(manager().store, view.meta))
        st.caption(f"A {wording.plain(origin)}: its curves up to step "
                   f"{view.meta.fork_step:,} are the parent's.")
    if view.status == "failed":
        show_error(f"Training failed: {view.message}", view.detail)
    elif view.message and view.status != "interrupted":
        (st.warning if view.diverged or view.fits_batch_size else st.caption)(view.message)
    show_alerts(view)
    recovery_buttons(view)
    if viewers > 1:
        # The shared interval, also while the first numbers are awaited.
        st.caption(wording.audience_note(viewers, refresh_seconds(viewers)))
    if view.controllable and may_control():
        job = manager().get(run_id)
        control_row(view, lambda action: press(job, action))
    elif view.live and not view.controllable:
        reach = (" Its buttons reach that process at its next log step (every rank of a torchrun run)."
                 if may_control() else "")
        st.caption("Another process (the command line, or torchrun's processes) is training this run; "
                   f"this page follows what it writes to disk.{reach}")
        if may_control():
            control_row(view, lambda action: ask_elsewhere(view, action))
    if locked_note():
        st.caption(locked_note())
