"""Monitor: one run, live. Progress, losses, D(x) vs D(G(z)), the latest samples, and controls."""
import streamlit as st

from components import wording
from components.audience import refresh_seconds
from components.charts import loss_figure, score_figure
from components.errors import friendly_errors, show_error
from components.quality import quality_figures
from components.quality_panel import show_quality
from components.run_picker import pick_run
from components.run_view import load_view
from gancore import get_dataset_spec
from state import READ_ONLY, audience, live_figures, manager, viewer_id

st.title("Monitor")
run_id = pick_run("monitor")
if run_id is None:
    st.stop()

first = None
with friendly_errors("This run cannot be shown"):
    first = load_view(run_id, manager())
if first is None:
    st.stop()


def recovery_buttons(view) -> None:
    """The way back, one click: roll back after a divergence, resume with the batch size that
    fits after running out of memory, or simply resume a stopped or interrupted run."""
    if READ_ONLY or view.cfg is None:
        return
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


# A live run is refreshed on a timer shared by all its viewers (see components/audience.py):
# the more people watch, the less often each page refreshes, so training keeps its speed.
if first.live:
    audience().seen(viewer_id(), run_id, 1.0)


def refresh_for(view) -> float | None:
    """This page's refresh interval: none for a finished run; else shared by the run's viewers."""
    if not view.live:
        return None
    return refresh_seconds(audience().count(run_id), first_numbers_due=not view.metrics)


refresh = refresh_for(first)


def charts_of(view):
    """The two figures; a live run's are shared with its other viewers and at most 1 s old."""
    if not view.live:
        return loss_figure(view.metrics), score_figure(view.metrics, view.wasserstein)
    figures = live_figures()
    return (figures.get(run_id, "losses", view.metrics, loss_figure),
            figures.get(run_id, "scores", view.metrics,
                        lambda records: score_figure(records, view.wasserstein)))


def shared_quality_figures(records, floor):
    return live_figures().get(run_id, "quality", records, lambda r: quality_figures(r, floor))


@st.fragment(run_every=refresh)
def live_panel():
    view = load_view(run_id, manager())
    if view.live != first.live:
        st.rerun()  # finished (or restarted): redraw the page once, without the timer
    if view.live:
        audience().seen(viewer_id(), run_id, refresh)
        viewers = audience().count(run_id)
        if refresh_for(view) != refresh:
            st.rerun()  # someone came or left, or the first numbers came: start again with the new interval

    cfg = view.cfg
    st.markdown(f"**{run_id}** · {cfg.model.variant} on {cfg.data.dataset} · "
                f"status: {wording.status_label(view.status)}")
    if view.status == "failed":
        show_error(f"Training failed: {view.message}", view.detail)
    elif view.message and view.status != "interrupted":
        (st.warning if view.diverged or view.fits_batch_size else st.caption)(view.message)
    recovery_buttons(view)

    fraction = min(view.step / max(view.total, 1), 1.0)
    rate = view.metrics[-1]["images_per_s"] if view.metrics else None
    eta = wording.format_eta(view.eta_seconds()) if view.live else "-"
    st.progress(fraction, text=f"step {view.step:,} of {view.total:,}")
    if view.live and viewers > 1:
        # The shared interval, also while the first numbers are awaited (a second or two at 0.5 s).
        st.caption(wording.audience_note(viewers, refresh_seconds(viewers)))
    c1, c2, c3 = st.columns(3)
    c1.metric("Step", f"{view.step:,} / {view.total:,}")
    c2.metric("Speed", f"{rate:,.0f} images/s" if rate else "-")
    c3.metric("Time left", eta)

    if view.controllable and not READ_ONLY:
        job = manager().get(run_id)
        row = st.container(horizontal=True)
        if view.status == "paused":
            if row.button("Resume", icon=":material/play_arrow:", help="continue training"):
                job.resume()
                st.rerun(scope="fragment")
        elif row.button("Pause", icon=":material/pause:", disabled=view.status == "preparing",
                        help="hold training here; Resume continues from the same step"):
            job.pause()
            st.rerun(scope="fragment")
        if row.button("Stop", icon=":material/stop:", help="stop after the current step and save a checkpoint"):
            job.stop()
            st.rerun(scope="fragment")
    elif view.live:
        st.caption("Another process (for example the command line) is training this run; "
                   "this page follows what it writes to disk.")

    charts, picture = st.columns([3, 2])
    with charts:
        if view.metrics or view.live:  # a live run's charts show at once, empty until the first numbers
            if not view.metrics:
                st.caption("The first numbers appear after the first few steps.")
            losses, scores = charts_of(view)
            st.plotly_chart(losses, key="losses")
            st.caption(wording.LOSSES)
            st.plotly_chart(scores, key="scores")
            st.caption(wording.SCORES_WASSERSTEIN if view.wasserstein else wording.SCORES_BCE)
        else:
            st.info("This run stopped before it logged any numbers.")
    with picture:
        if view.png:
            points = get_dataset_spec(cfg.data.dataset).kind == "points"
            st.image(view.png, caption=f"Samples at step {view.png_step:,}", output_format="PNG")
            if view.conditional and not points:
                st.caption("Fixed noise, one row per class: the same inputs each time, so you see "
                           "the same samples improve.")
            elif points:
                st.caption("Gray: real data. Red: what the generator makes from fixed noise.")
            else:
                st.caption("Fixed noise: the same inputs each time, so you see the same samples improve.")
        else:
            st.info("The first picture appears at the first sample step.")

    show_quality(view, shared_quality_figures if view.live else quality_figures)


live_panel()
