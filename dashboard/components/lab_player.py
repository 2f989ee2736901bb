"""The 2D Lab's live part: while playing, an st.fragment reruns every FRAME_EVERY seconds, takes
`speed` lab iterations and redraws the numbers, the picture and the history; paused, it draws
once, with a scrubber over the frames kept (Lab2D.frames) to look back at an earlier one.
Played frames are computed on one niced worker thread (_lab_worker), so a run training beside
the lab keeps its share of the CPU.

Only this fragment reruns while playing: the knobs and buttons around it are not redrawn, so a
frame costs the lab's steps, one snapshot, the picture and three small SVG charts
(docs/BENCHMARKS.md has the rate).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.lab_figure import lab_figure
from dashboard.components.lab_history import lab_history_figure, lab_history_svgs
from dashboard.state import store
from gancore.lab2d import Lab2D
from gancore.runs.store import RunStore

FRAME_EVERY = 0.1  # seconds between frames while playing: at most 10 a second
# While a run trains in this app's runs folder: at most 2 frames a second. Most of a frame's CPU
# is the browser redrawing the figures (docs/BENCHMARKS.md, 2D Lab: Play), which no nice reaches,
# so fewer frames is what leaves a 2-core machine to the run.
BUSY_FRAME_EVERY = 0.5
BUSY_CHECK_S = 3  # how stale "a run is training" may be
SPEEDS = (1, 2, 5, 10, 20, 50)  # iterations per frame
GRID, POINTS = 60, 500  # heatmap lattice side; real and generated points shown
LAB_NICE = 10  # the lab's worker yields the CPU to training runs (10: about a tenth of a run's share)


def _yield_to_runs() -> None:
    """Lower the calling thread's CPU priority (Linux: nice is per thread). Playing the lab beside
    a run on a 2-core machine took half the run's speed at equal priority (docs/BENCHMARKS.md,
    2D Lab: Play); a niced lab gets the CPU a run leaves, and slows down instead. Raising one's
    own nice needs no privilege; where it is refused, nothing changes."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), LAB_NICE))
    except (AttributeError, OSError):  # no per-thread priority here (not Linux), or not allowed
        pass


@st.cache_resource(show_spinner=False)
def _lab_worker() -> ThreadPoolExecutor:
    """One niced thread, shared by every session's lab, that plays the frames. Not the script
    thread itself: a niced script thread would pass its priority on to any training thread it
    later starts (a thread inherits its creator's nice), and it cannot raise it back."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="gs-lab", initializer=_yield_to_runs)


def _advance(lab: Lab2D, view: "View"):
    """One frame's work, on the lab worker: `speed` iterations, then the snapshot."""
    lab.step(k_d=view.k_d, k_g=view.k_g, iterations=view.speed)
    return lab.snapshot(grid=GRID, n_points=POINTS, label=view.label, manifold=view.manifold)


@dataclass(frozen=True)
class View:
    """What the person asked to see and how to step (the widgets around the fragment)."""

    playing: bool
    speed: int  # iterations per frame while playing
    k_d: int
    k_g: int
    label: int | None  # the class, for conditional variants
    arrows: bool
    manifold: bool


@st.cache_data(ttl=BUSY_CHECK_S, show_spinner=False)
def a_run_is_training(runs_root: str) -> bool:
    """Whether a run in the runs folder is taking steps now (its status.json, any process)."""
    return any(state.status.training for state in RunStore(runs_root).states())


def lab_player(lab: Lab2D, view: View) -> None:
    busy = view.playing and a_run_is_training(str(store().root))
    if busy:
        st.caption("A run is training: the lab plays at most 2 frames a second, to leave it the CPU.")

    @st.fragment(run_every=(BUSY_FRAME_EVERY if busy else FRAME_EVERY) if view.playing else None)
    def frame() -> None:
        if view.playing and a_run_is_training(str(store().root)) != busy:
            st.rerun(scope="app")  # a run started or ended: play at the other rate
        snap = None
        if view.playing and not lab.diverged:
            with friendly_errors("The lab stopped"):
                snap = _lab_worker().submit(_advance, lab, view).result()
        if snap is None:
            # On the worker too: a played frame still running there (Pause pressed mid-frame)
            # finishes first, so the paused picture is the lab as it now is, and the lab's
            # networks are never read while another thread steps them.
            with friendly_errors("The picture could not be drawn"):
                snap = _lab_worker().submit(lab.snapshot, grid=GRID, n_points=POINTS, label=view.label,
                                            manifold=view.manifold).result()
        if snap is None:
            return
        lab.frames.add(snap)
        shown = snap
        iterations = lab.frames.iterations()
        if not view.playing and len(iterations) > 1:
            _follow_latest(iterations[-1])
            pick = st.select_slider("Look back at an earlier frame (iteration)", iterations,
                                    value=iterations[-1], key="lab-scrub",
                                    help="the picture as it was after that iteration; the charts mark it")
            shown = lab.frames.at(pick) or snap
        _numbers(shown)
        st.plotly_chart(lab_figure(shown, show_arrows=view.arrows), key="lab-figure")
        js_its, js = lab.frames.divergence()
        if view.playing:  # light SVG charts while frames come fast (lab_history.py says why)
            svgs = lab_history_svgs(list(lab.history), js_its, js, critic=lab.score_kind == "critic")
            for column, svg in zip(st.columns(3), svgs):
                column.markdown(svg, unsafe_allow_html=True)
        else:
            marked = shown.iteration if shown is not snap else None
            st.plotly_chart(lab_history_figure(list(lab.history), js_its, js, marked), key="lab-history")
        if lab.diverged:
            st.warning("The numbers became infinite (the networks broke). Start a fresh lab, or "
                       "restart with other knobs.")

    frame()


def _follow_latest(latest: int) -> None:
    """Move the scrubber to the newest frame whenever a new one has come since it was drawn: a
    scrubber left on the frame shown at Pause would otherwise keep showing that older frame (drawn
    without the manifold or arrows asked for since) after the lab has moved on."""
    if st.session_state.get("lab-scrub-latest") != latest:
        st.session_state["lab-scrub-latest"] = latest
        st.session_state.pop("lab-scrub", None)  # back to its default: the newest frame


def _numbers(snap) -> None:
    m1, m2, m3, m4, m5, m6 = st.columns(6)
    m1.metric("Step", f"{snap.iteration:,}", help="lab iterations so far (each: k_D updates of D, k_G of G)")
    m2.metric("D updates", f"{snap.d_updates:,}")
    m3.metric("G updates", f"{snap.g_updates:,}")
    m4.metric("D(x), real", f"{snap.d_real:.2f}", help="D's average verdict on the real points shown")
    m5.metric("D(G(z)), generated", f"{snap.d_fake:.2f}", help="D's average verdict on the generated points shown")
    m6.metric("JS divergence", f"{snap.js:.3f}",
              help="how far the generated points' histogram is from the real one's (20 x 20 cells): "
                   "0 = the same, 0.693 = nothing in common")
