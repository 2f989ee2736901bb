"""GAN Studio's server, the one entry: python -m streamlit run dashboard/app.py

An st.App around the pages (navigation.py) with what the process does once:
- its lifespan starts torch's one-time costs (dashboard/torch_warmup.py) when the server starts,
  before anyone connects, so a quick first Start click does not wait on them;
- its routes serve the Monitor's live feed (monitor/feed.py), which a live run's page polls
  instead of rerunning every few seconds;
- its log says once, at start, when anyone who can reach the server may control runs (no owner
  password, listening beyond localhost: dashboard/access.py), or when a setting is wrong.
Imports nothing heavy at the top: the server says "You can now view" at once.
"""
import logging
import threading
from contextlib import asynccontextmanager

import streamlit as st
from streamlit import config

from dashboard import access
from dashboard.monitor import feed

LOG = logging.getLogger("dashboard")


def _warm_up() -> None:
    # Imported here, in the thread: importing torch would otherwise hold up the server's first
    # "You can now view" by as long. It imports no gancore (torch_warmup.py says why).
    from dashboard.torch_warmup import warm_up
    warm_up()


def _say_who_may_control() -> None:
    try:
        settings = access.read_access()
    except access.AccessError as exc:
        LOG.error("GAN Studio shows nothing until this is fixed: %s", exc)
        return
    warning = access.open_network_warning(settings, config.get_option("server.address"))
    if warning:
        LOG.warning(warning)


@asynccontextmanager
async def lifespan(_app):
    _say_who_may_control()
    # A daemon thread: the server accepts connections at once while the warm-up runs beside it.
    threading.Thread(target=_warm_up, name="torch-warm-up", daemon=True).start()
    yield


app = st.App("navigation.py", lifespan=lifespan, routes=feed.routes())
