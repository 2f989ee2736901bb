"""Monitor: one run, live. Progress, losses, D(x) vs D(G(z)), the latest samples, and controls.

The page is cut by how often each part changes, because every element a refresh redraws costs the
viewer's browser CPU, and on a small machine that CPU is taken from training (docs/BENCHMARKS.md,
"What the dashboard costs a run"):
- status, messages and buttons change on a click or a status change: a fragment redrawn then;
- the numbers, charts and picture change every few steps: while the run trains, the browser asks
  the live feed for them and swaps them in (components/live_feed_view.py: no page rerun at all);
  otherwise (paused, or a server started from app.py) they are the only part on a timer;
- the charts' explanations never change: drawn once;
- quality changes once per measurement: the live feed swaps it in while the run trains;
  otherwise the page is redrawn when one arrives.
"""
import streamlit as st

from dashboard.components import wording
from dashboard.components.audience import refresh_seconds
from dashboard.components.charts import loss_figure, loss_svg, score_figure, score_svg
from dashboard.components.errors import friendly_errors, show_error
from dashboard.components.live_feed_view import show_live_feed
from dashboard.components.live_panel import (FIRST_NUMBERS_NOTE, FIRST_PICTURE_NOTE, NOTHING_SHOWN, chart_explanations,
                                   explanations_block, live_state, page_key, picture_caption, readout_block)
from dashboard.components.quality import quality_figures, quality_svgs
from dashboard.components.quality_panel import show_quality
from dashboard.components.run_picker import pick_run
from dashboard.components.run_view import load_view
from dashboard.state import READ_ONLY, audience, live_figures, manager, viewer_id

from dashboard import live_feed

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


def watchers(view) -> int:
    return audience().count(run_id) if view.live else 0


# The page as last drawn in full; the timed part redraws the whole page when any of this changes.
viewers = watchers(first)
refresh = refresh_seconds(viewers, first_numbers_due=not first.metrics) if first.live else None


@st.fragment
def status_and_controls():
    """Redrawn on its own buttons' clicks; the whole page is redrawn when the status changes."""
    view = load_view(run_id, manager())
    cfg = view.cfg
    st.markdown(f"**{run_id}** · {cfg.model.variant} on {cfg.data.dataset} · "
                f"status: {wording.status_label(view.status)}")
    if view.status == "failed":
        show_error(f"Training failed: {view.message}", view.detail)
    elif view.message and view.status != "interrupted":
        (st.warning if view.diverged or view.fits_batch_size else st.caption)(view.message)
    recovery_buttons(view)
    if viewers > 1:
        # The shared interval, also while the first numbers are awaited (a second or two at 0.25 s).
        st.caption(wording.audience_note(viewers, refresh_seconds(viewers)))
    if view.controllable and not READ_ONLY:
        job = manager().get(run_id)
        row = st.container(horizontal=True)
        if view.status == "paused":
            if row.button("Resume", icon=":material/play_arrow:", help="continue training"):
                job.resume()
                st.rerun(scope="app")
        elif row.button("Pause", icon=":material/pause:", disabled=view.status == "preparing",
                        help="hold training here; Resume continues from the same step"):
            job.pause()
            st.rerun(scope="app")
        if row.button("Stop", icon=":material/stop:", help="stop after the current step and save a checkpoint"):
            job.stop()
            st.rerun(scope="app")
    elif view.live:
        st.caption("Another process (for example the command line) is training this run; "
                   "this page follows what it writes to disk.")


def drawing(view, name: str, records: list[dict], plotly_build, svg_build):
    """One chart of this run. While it trains: an SVG drawing (redrawing Plotly charts every
    refresh cost the browser a quarter of a core, taken from training when it runs on the same
    machine: components/svg_chart.py); paused or ended: the interactive Plotly figure. A live run's
    drawings are shared with its other viewers and at most 1 s old."""
    if not view.live:
        return plotly_build(records)
    if view.training:
        return live_figures().get(run_id, f"{name}-svg", records, svg_build)
    return live_figures().get(run_id, name, records, plotly_build)


def show_charts(view) -> None:
    """Losses and scores."""
    losses = drawing(view, "losses", view.metrics, loss_figure, loss_svg)
    scores = drawing(view, "scores", view.metrics, lambda records: score_figure(records, view.wasserstein),
                     lambda records: score_svg(records, view.wasserstein))
    if isinstance(losses, str):
        st.markdown(f"{losses}\n\n{scores}", unsafe_allow_html=True)  # one element: one redraw
    else:
        st.plotly_chart(losses, key="losses")
        st.plotly_chart(scores, key="scores")


@st.fragment(run_every=refresh)
def live_numbers():
    view = load_view(run_id, manager())
    if view.live:
        audience().seen(viewer_id(), run_id, refresh)
        if (page_key(view, watchers(view)) != page_key(first, viewers) or bool(view.metrics) != bool(first.metrics)
                or len(view.quality) != len(first.quality)):
            # The status changed, someone came or left, the first numbers came (this timer's
            # interval changes) or a quality measurement arrived: redraw the whole page once.
            st.rerun(scope="app")
    elif first.live:
        st.rerun(scope="app")  # finished: redraw the page once, without the timer

    st.markdown(readout_block(view), unsafe_allow_html=True)

    charts, picture = st.columns([3, 2])
    with charts:
        if view.metrics or view.live:  # a live run's charts show at once, empty until the first numbers
            if not view.metrics:
                st.caption(FIRST_NUMBERS_NOTE)
            show_charts(view)
        else:
            st.info("This run stopped before it logged any numbers.")
    with picture:
        if view.png:
            st.image(view.png, caption=f"Samples at step {view.png_step:,}. {picture_caption(view)}",
                     output_format="PNG")
        else:
            st.info(FIRST_PICTURE_NOTE)


def show_chart_explanations(view) -> None:
    """What the two charts mean, in plain words; drawn once, outside the timed part."""
    if view.metrics or view.live:
        # One element, not three: every element on the page costs the browser a little at each refresh.
        st.columns([3, 2])[0].caption(chart_explanations(view))


def quality_charts_for(view):
    """The quality charts' builder, by the same rule as the charts above."""
    return lambda records, floor: drawing(view, "quality", records, lambda r: quality_figures(r, floor),
                                          lambda r: quality_svgs(r, floor))


status_and_controls()
if first.training and live_feed.mounted:
    # Numbers, charts, picture, explanations and quality: drawn once here, then kept fresh by the
    # browser from the live feed (no timer on this page, no redraw when a measurement arrives).
    state = live_state(first, viewers, refresh, live_figures(), NOTHING_SHOWN, NOTHING_SHOWN)
    show_live_feed(live_feed.url(run_id), viewer_id(), state, explanations_block(first))
else:
    live_numbers()
    show_chart_explanations(first)
    show_quality(first, quality_charts_for(first))
