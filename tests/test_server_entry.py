"""dashboard/server.py, the README's entry: Streamlit runs it as an st.App, the app's lifespan
starts torch's warm-up when the server starts, before any page view (gancore/warmup.py), and its
routes serve the Monitor's live feed (live_feed.py)."""
import asyncio
import importlib.util
import threading
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

SERVER = Path(__file__).resolve().parents[1] / "dashboard" / "server.py"


@pytest.fixture
def server(monkeypatch):
    """server.py loaded as Streamlit loads it; the feed's `mounted` flag is put back afterwards,
    so the other tests' pages keep their own refresh."""
    from dashboard import live_feed
    monkeypatch.setattr(live_feed, "mounted", live_feed.mounted)
    spec = importlib.util.spec_from_file_location("gs_server_entry", SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_streamlit_run_finds_the_app_in_the_server_entry():
    found = discover_asgi_app(SERVER)
    assert found.is_asgi_app and found.import_string.endswith(":app")


def test_the_server_mounts_the_live_feed(server):
    from dashboard import live_feed
    # st.App keeps the routes it was given until it starts (no public accessor in 1.67)
    assert [r.path for r in server.app._user_routes] == ["/api/live/{run_id}"]
    assert live_feed.mounted, "the Monitor knows it can hand a training run to the feed"


def test_the_warm_up_starts_with_the_server_on_its_own_thread(server, monkeypatch):
    started = threading.Event()
    threads = []

    def record():
        threads.append(threading.current_thread())
        started.set()
    monkeypatch.setattr(server, "_warm_up", record)

    async def enter_and_leave():
        async with server.lifespan(server.app):
            pass  # the server would serve here: the lifespan does not wait for the warm-up

    asyncio.run(enter_and_leave())
    assert started.wait(timeout=10), "the lifespan started no warm-up"
    assert threads[0].name == "torch-warm-up" and threads[0].daemon, "a daemon: it never holds the server's exit"


def test_the_warm_up_itself_runs(server):
    server._warm_up()  # imports gancore and builds one optimizer; raises if anything is missing
