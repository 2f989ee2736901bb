"""Process-wide state shared by every browser session: one JobManager over one RunStore, and the
run id carried in the URL (?run=<id>) so reloads, second viewers and links find the same run."""
from __future__ import annotations

import uuid

import streamlit as st

from dashboard.monitor.audience import Audience
from dashboard.monitor.figures import LiveFigures

from gancore import RunError, RunStore, validate_run_id
from gancore.runs.jobs import JobManager
from gancore.runs.store import default_runs_dir
from dashboard.torch_warmup import warm_up_in_background


@st.cache_resource(show_spinner=False)
def _manager(runs_dir: str) -> JobManager:
    # cache_resource objects are shared across sessions and threads: JobManager is thread-safe.
    # torch's one-time imports, before the first Start click needs them. app.py's lifespan starts
    # them with the server already; this covers hosts that skip it (AppTest), and repeating a
    # finished warm-up costs microseconds.
    warm_up_in_background()
    return JobManager(RunStore(runs_dir))


def manager() -> JobManager:
    return _manager(str(default_runs_dir()))


@st.cache_resource(show_spinner=False)
def audience() -> Audience:
    """Who watches which live run, for every session of this server (thread-safe)."""
    return Audience()


@st.cache_resource(show_spinner=False)
def live_figures() -> LiveFigures:
    """Live runs' chart figures, built once a second and shared by all their viewers (thread-safe)."""
    return LiveFigures()


def viewer_id() -> str:
    """This browser session's own id, for counting who watches a run."""
    return st.session_state.setdefault("viewer_id", uuid.uuid4().hex)


def store() -> RunStore:
    return manager().store


def run_id_from_url() -> str | None:
    """The ?run=<id> of the URL when it is a well-formed run id, else None: a malformed one is
    never used as a path (components/run_picker.py says the link names no run here)."""
    raw = st.query_params.get("run")
    if not raw:
        return None
    try:
        return validate_run_id(raw)
    except RunError:
        return None


def remember_run(run_id: str) -> None:
    st.query_params["run"] = run_id
