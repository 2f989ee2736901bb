"""GAN Studio's server: the app (app.py) plus what the process does once, when it starts.

Run: python -m streamlit run dashboard/server.py

Why a second entry file, st.App around app.py:
- its lifespan runs when the server starts: torch's one-time costs (gancore/warmup.py) are paid
  before anyone connects, not after the first page view, when a quick Start click waited on them;
- its routes serve the Monitor's live feed (live_feed.py), which the browser polls instead of
  rerunning the page every two seconds.
`streamlit run dashboard/app.py` still works: it warms up at the first page view instead, and
its Monitor refreshes itself through Streamlit reruns.
"""
import sys
import threading
from contextlib import asynccontextmanager
from pathlib import Path

# Same reason as in app.py: gancore lives in the repository root, which Streamlit does not add.
# dashboard/ itself: Streamlit adds it; a test that loads this file by path does not.
HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import streamlit as st  # noqa: E402

from dashboard import live_feed  # noqa: E402  (starlette only; the pages import it under the same name)


def _warm_up() -> None:
    # Imported here, in the thread: importing gancore loads torch (~2 s), which would otherwise
    # hold up the server's first "You can now view" by as much.
    from gancore.training.warmup import warm_up
    warm_up()


@asynccontextmanager
async def lifespan(_app):
    # A daemon thread: the server accepts connections at once while the warm-up runs beside it.
    threading.Thread(target=_warm_up, name="torch-warm-up", daemon=True).start()
    yield


app = st.App("app.py", lifespan=lifespan, routes=live_feed.routes())
