"""The Monitor's "Pictures over time": every progress picture the run saved, one step at a time
or two side by side, the whole run as an animated GIF, and its report (.html) to send. A
fragment: moving the slider redraws only this part, also while the run trains (each redraw reads
the pictures saved so far)."""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.report_button import report_button
from dashboard.state import store
from gancore import RunError
from gancore.report import run_report
from gancore.sampling.animation import MAX_FRAMES, animation_gif, step_of

COMPARE = "Two steps side by side"


def _pick_key(run_id: str) -> str:
    return f"history-pick-{run_id}"


def pick_step(run_id: str, step) -> None:
    """Show the saved picture nearest `step` (a click on a chart) when the pictures are drawn next."""
    if isinstance(step, (int, float)):
        st.session_state[_pick_key(run_id)] = step


def picking_chart(where, fig, key: str, run_id: str) -> None:
    """A Plotly chart on a step axis where clicking a point shows that step's picture."""
    def picked() -> None:
        points = st.session_state[key].selection.points
        if points:
            pick_step(run_id, points[0].get("x"))
    # "x unified": a click anywhere above a step picks it (and hovering shows every line there),
    # not only a click right on a line; idempotent, so a figure shared between viewers is fine
    fig.update_layout(hovermode="x unified")
    # Plotly selects only marked points: small markers on the lines, the picked one larger, and
    # the others left as they are (not faded)
    fig.update_traces(mode="lines+markers", marker=dict(size=3), selected=dict(marker=dict(size=9)),
                      unselected=dict(marker=dict(opacity=1)), selector=dict(mode="lines"))
    where.plotly_chart(fig, key=key, on_select=picked, selection_mode="points")


@st.fragment
def show_history(run_id: str) -> None:
    try:
        files = store().open(run_id).sample_files()
    except RunError:
        return  # a run still preparing has no folder yet: nothing saved to look back on
    if len(files) < 2:
        return  # one picture is the one shown above
    by_step = {step_of(path): path for path in files}
    steps = list(by_step)
    picked = st.session_state.pop(_pick_key(run_id), None)
    if picked is not None:  # a click on a chart: its nearest picture, in the one-step view
        st.session_state[f"history-compare-{run_id}"] = False
        st.session_state[f"history-{run_id}"] = min(steps, key=lambda s: abs(s - picked))
    st.subheader("Pictures over time")
    st.caption(f"Every picture this run has saved ({len(steps):,} so far): pick a step, or click "
               "a point on a chart above, to see what the generator made then.")
    side_by_side = st.toggle(COMPARE, key=f"history-compare-{run_id}")
    if side_by_side:
        left, right = st.columns(2)
        first = left.select_slider("Step", steps, value=steps[0], format_func=lambda s: f"{s:,}",
                                   key=f"history-a-{run_id}")
        second = right.select_slider("Step", steps, value=steps[-1], format_func=lambda s: f"{s:,}",
                                     key=f"history-b-{run_id}")
        left.image(by_step[first].read_bytes(), caption=f"step {first:,}", output_format="PNG")
        right.image(by_step[second].read_bytes(), caption=f"step {second:,}", output_format="PNG")
    else:
        chosen = st.select_slider("Step", steps, value=steps[-1], format_func=lambda s: f"{s:,}",
                                  key=f"history-{run_id}")
        st.columns([2, 3])[0].image(by_step[chosen].read_bytes(), caption=f"step {chosen:,}",
                                    output_format="PNG")
    made = st.session_state.get(f"history-gif-{run_id}")
    if st.button("Make an animation of the run", icon=":material/movie:",
                 help=f"an animated GIF of the pictures, the step written on each "
                      f"(at most {MAX_FRAMES} frames, evenly spread over the run)"):
        with friendly_errors("The animation could not be made"), st.spinner("Making the animation..."):
            made = (len(steps), animation_gif(files))
            st.session_state[f"history-gif-{run_id}"] = made
    if made is not None:
        st.download_button(f"Download the animation (GIF, {made[0]:,} pictures)", made[1],
                           file_name=f"{run_id}.gif", mime="image/gif", icon=":material/download:")
    report_button(st, lambda: run_report(store().open(run_id)), "Download a report of this run (.html)",
                  f"{run_id}-report.html", key=f"history-report-{run_id}")
