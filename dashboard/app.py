"""GAN Studio's server, the one entry: python -m streamlit run dashboard/app.py

An st.App around the pages (navigation.py) with what the process does once:
- its lifespan starts torch's one-time costs (gancore/training/warmup.py) when the server starts,
  before anyone connects, so a quick first Start click does not wait on them;
- its routes serve the Monitor's live feed (monitor/feed.py), which a live run's page polls
  instead of rerunning every few seconds.
Imports nothing heavy at the top: the server says "You can now view" at once.
"""
import threading
from contextlib import asynccontextmanager

import streamlit as st

from dashboard.monitor import feed


def _warm_up() -> None:
    # Imported here, in the thread: importing gancore loads torch, which would otherwise hold up
    # the server's first "You can now view" by as long.
    from gancore.training.warmup import warm_up
    warm_up()


@asynccontextmanager
async def lifespan(_app):
    # A daemon thread: the server accepts connections at once while the warm-up runs beside it.
    threading.Thread(target=_warm_up, name="torch-warm-up", daemon=True).start()
    yield


app = st.App("navigation.py", lifespan=lifespan, routes=feed.routes())
