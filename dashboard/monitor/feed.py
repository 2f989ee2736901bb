"""The live feed: GET <base>/api/live/<run id> answers, as JSON, what a live run's Monitor page
shows now (live_part.py: the parts as HTML while the run trains; the page key always); the page's
browser polls it (feed_view.py). The one live path: dashboard/app.py, the server entry, mounts
`routes()`.

Why: drawing the live part through a Streamlit rerun every two seconds cost the viewer's browser
about 0.1 s of CPU each time (React redraws the page around it), and on a small machine running
the training too that CPU came out of training (docs/BENCHMARKS.md). Answering a small request
and swapping a few pieces of HTML costs a fraction of that.
Read-only: it never starts, stops or writes anything (GET only). It shows a run only to whom the
page would (dashboard/access.py): when watching needs the owner password, a request must carry the
token the page hands a session that unlocked. Imports only starlette and dashboard.access (the
standard library) at the top: the server entry imports this module before it listens.
"""
from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard import access

LOG = logging.getLogger(__name__)


def base_path() -> str:
    """Streamlit's server.baseUrlPath ('' or '/prefix'): its own routes live under it, and
    st.App's user routes are mounted as given, so the feed adds it itself."""
    from streamlit import config
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def url(run_id: str) -> str:
    return f"{base_path()}/api/live/{run_id}"


def routes() -> list[Route]:
    """The feed's routes, for st.App (dashboard/app.py)."""
    return [Route(f"{base_path()}/api/live/{{run_id}}", endpoint, methods=["GET"])]


def snapshot(run_id: str, viewer: str, shown_picture: int, shown_quality: int, every: float) -> dict:
    # Imported here, not at the top: these load torch, and the server imports this module
    # before it listens; the first request comes later, from a page that loaded them already.
    from dashboard.components.run_view import load_view
    from dashboard.monitor.live_part import live_state
    from dashboard.state import audience, live_figures, manager

    view = load_view(run_id, manager())
    viewers = 0
    if view.live:
        audience().seen(viewer, run_id, every)
        viewers = audience().count(run_id)
    return live_state(view, viewers, live_figures(), shown_picture, shown_quality)


def refusal(query) -> JSONResponse | None:
    """403 with the reason, before anything about the run is read (even whether it exists), when
    this request may not watch; None when it may."""
    try:
        settings = access.read_access()
    except access.AccessError as exc:
        return JSONResponse({"error": f"This server's settings need fixing by whoever runs it: {exc}"},
                            status_code=403)
    if settings.watch_needs_password and not access.feed_token_valid(query.get("viewer", ""),
                                                                     query.get("token", "")):
        return JSONResponse({"error": "Watching runs on this server needs the owner password: open "
                                      "the run's page in a browser and unlock it under Owner."},
                            status_code=403)
    return None


def endpoint(request: Request) -> JSONResponse:
    """A plain (sync) function: Starlette runs it on its thread pool, off the event loop."""
    from gancore import GanError, validate_run_id

    run_id = request.path_params["run_id"]
    query = request.query_params
    refused = refusal(query)
    if refused is not None:
        return refused
    try:
        validate_run_id(run_id)
        viewer = query.get("viewer", "")[:64] or "anonymous"
        shown_picture = int(query.get("picture_step", "-1"))
        shown_quality = int(query.get("quality_count", "-1"))
        every = min(max(float(query.get("every", "2")), 0.25), 60.0)
    except (GanError, ValueError) as exc:
        return JSONResponse({"error": f"Bad request: {exc}. Expected /api/live/<run id>?viewer=<id>"
                                      "&picture_step=<int>&quality_count=<int>&every=<seconds>."}, status_code=400)
    try:
        return JSONResponse(snapshot(run_id, viewer, shown_picture, shown_quality, every),
                            headers={"Cache-Control": "no-store"})
    except GanError as exc:  # no such run (deleted meanwhile), unreadable folder
        return JSONResponse({"error": str(exc)}, status_code=404)
    except Exception as exc:  # noqa: BLE001  (the page keeps polling; the log has the details)
        LOG.exception("live feed for %s failed", run_id)
        return JSONResponse({"error": f"The live numbers could not be read ({type(exc).__name__})."},
                            status_code=500)
