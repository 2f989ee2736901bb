"""dashboard/app.py, the one server entry: Streamlit runs it as an st.App around the pages
(navigation.py), its lifespan starts torch's warm-up when the server starts, before any page view
(dashboard/torch_warmup.py), and its routes serve the Monitor's live feed (monitor/feed.py)."""
import asyncio
import importlib.util
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

SERVER = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


@pytest.fixture
def server():
    """app.py loaded as Streamlit loads it."""
    spec = importlib.util.spec_from_file_location("gs_server_entry", SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_streamlit_run_finds_the_app_in_the_server_entry():
    found = discover_asgi_app(SERVER)
    assert found.is_asgi_app and found.import_string.endswith(":app")


def test_the_server_mounts_the_live_feed(server):
    from dashboard.monitor import feed
    # st.App keeps the routes it was given until it starts (no public accessor in 1.67)
    routes = server.app._user_routes
    assert [r.path for r in routes] == ["/api/live/{run_id}"] and routes[0].endpoint is feed.endpoint
    assert server.app._script_path.name == "navigation.py", "it serves the pages' navigation"
    assert not hasattr(feed, "mounted"), "no flag for the pages to read: the feed is the one live path"


def test_the_server_entry_loads_neither_torch_nor_the_pages():
    """So the server listens at once; the feed loads the rest at its first request."""
    code = ("import sys; import dashboard.app; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('dashboard.views', "
            "'dashboard.state', 'dashboard.components'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout


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


def test_the_warm_up_pays_for_the_optimizer_import():
    """In a fresh process (this one has imported everything already): after the entry's warm-up,
    torch's optimizer machinery (torch._dynamo) is loaded, so the first Start does not wait on it."""
    code = ("import importlib.util, sys; "
            f"spec = importlib.util.spec_from_file_location('entry', {str(SERVER)!r}); "
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
            "before = 'torch._dynamo' in sys.modules; module._warm_up(); "
            "print(before, 'torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"], out.stdout
