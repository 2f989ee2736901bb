"""The Monitor's run below its controls, drawn as drawing.py says: a training run's live part by
the browser script from the feed; a paused or ended run's by Streamlit, once, with interactive
charts, and (paused) the script watching the feed for a change."""
from __future__ import annotations

import streamlit as st

from dashboard.components.charts import marked_at
from dashboard.components.run_view import RunView
from dashboard.monitor.drawing import (FIRST_PICTURE_NOTE, NO_NUMBERS_NOTE, chart_explanations, charts_note,
                                       drawing_for, samples_caption, shows_charts)
from dashboard.monitor.feed import url
from dashboard.monitor.feed_view import show_feed
from dashboard.monitor.history import picking_chart
from dashboard.monitor.figures import quality_charts, run_charts
from dashboard.monitor.live_part import NOTHING_SHOWN, explanations_block, live_state
from dashboard.monitor.quality_part import show_quality
from dashboard.monitor.readout import run_readout
from dashboard.state import live_figures, viewer_id


def show_run(view: RunView, viewers: int) -> None:
    """`viewers`: the run's viewers as counted when the page was drawn (they are in its key)."""
    drawing = drawing_for(view)
    if not drawing.by_feed:
        show_still(view)
    if drawing.polls:
        state = live_state(view, viewers, live_figures(), NOTHING_SHOWN, NOTHING_SHOWN)
        show_feed(view.run_id, url(view.run_id), viewer_id(), state,
                  explanations_block(view) if drawing.by_feed else None)


def show_still(view: RunView) -> None:
    """Readout, charts, picture, explanations and quality as Streamlit elements, drawn once."""
    st.markdown(run_readout(view), unsafe_allow_html=True)
    charts, picture = st.columns([3, 2])
    with charts:
        if shows_charts(view):
            note = charts_note(view)
            if note:
                st.caption(note)
            losses, scores = run_charts(view, live_figures())
            for key, fig in (("losses", losses), ("scores", scores)):
                if view.meta.forked:  # the parent's curve comes first: where the fork begins
                    fig = marked_at(fig, view.meta.fork_step, "fork")
                picking_chart(st, fig, key, view.run_id)
        else:
            st.info(NO_NUMBERS_NOTE)
    with picture:
        if view.png:
            st.image(view.png, caption=samples_caption(view), output_format="PNG")
        else:
            st.info(FIRST_PICTURE_NOTE)
    if shows_charts(view):
        # One element, not three: every element on the page costs the browser a little.
        st.columns([3, 2])[0].caption(chart_explanations(view))
    show_quality(view, quality_charts(view, live_figures()))
