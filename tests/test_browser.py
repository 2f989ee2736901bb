"""One real browser against the real server: Playwright driving Debian's Chromium.

Open a link to a page first, start a ring8 run, watch the step counter and charts advance,
reload and find the same run still running, stop it, generate samples, download the PNG. On a
server with an owner password, a second browser watches a run but cannot stop it; the owner can. Takes
a screenshot of each page into a temporary folder, or into docs/screenshots/ when
GANSTUDIO_REFRESH_SCREENSHOTS=1 (so a plain test run leaves the checkout clean). In CI (CI=true)
it must run; elsewhere it skips only when Chromium is missing.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS_SHOTS = REPO / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

if not CHROMIUM:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but no chromium found: .ci/run must apt-get install chromium")
    pytest.skip("no Chromium found (apt-get install -y chromium); skipping the browser test",
                allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402  (requirements-dev.txt)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OWNER_PASSWORD = "owner-pw-for-the-test"


@contextmanager
def _serving(runs: Path, **settings):
    """The real server (dashboard/app.py) on a free local port, with `settings` in its environment."""
    port = _free_port()
    env = dict(os.environ, GANCORE_RUNS_DIR=str(runs), **settings)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not become healthy: " + proc.stdout.read().decode()[-2000:])
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with _serving(tmp_path_factory.mktemp("browser-runs")) as base:
        yield base


@pytest.fixture(scope="module")
def owned_server(tmp_path_factory):
    """A server whose controls need the owner password (dashboard/access.py)."""
    with _serving(tmp_path_factory.mktemp("owned-runs"), GANSTUDIO_PASSWORD=OWNER_PASSWORD) as base:
        yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """The folder screenshots go to: docs/screenshots/ only when asked to refresh them."""
    if os.environ.get("GANSTUDIO_REFRESH_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser():
    # One Playwright for the module: its sync API cannot be started twice at once in one thread.
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield context.new_page()
    context.close()


def _step(page) -> int:
    """The step the Monitor's readout shows (monitor/readout.py); 0 before it is drawn."""
    readout = page.locator(".gs-readout")
    return int(readout.first.get_attribute("data-step")) if readout.count() else 0


def _screenshot(page, shots: Path, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so a full-page screenshot alone
    stops at the window; grow the window to the content first. The mouse moves away first so no
    tooltip is left open on the picture."""
    page.mouse.move(1390, 990)  # the bottom right corner: nothing there to hover
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
                           " return m ? m.scrollHeight + 80 : 0; }")
    page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height), 4000))})
    page.wait_for_timeout(800)  # charts re-layout to the new size
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _wait_until(predicate, timeout=60.0, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001  (element not there yet)
            pass
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_train_watch_reload_stop_generate_download(server, page, shots):
    # the fresh server's first request is a link to a page, not the root: the app's navigation
    # still applies (Train, Monitor, ...), and its link leads on to Train
    page.goto(f"{server}/runs")
    page.get_by_text("No runs yet").wait_for(timeout=60_000)
    nav = page.get_by_test_id("stSidebarNav").inner_text().split()  # icon names and titles
    assert {"Train", "Monitor", "Lab", "Generate", "Runs"} <= set(nav) and "app" not in nav, nav
    page.get_by_text("Go to Train").click()
    page.get_by_text("Train a GAN").wait_for(timeout=60_000)
    page.get_by_text("Training will run on").wait_for(timeout=30_000)
    _screenshot(page, shots, "train")  # the defaults, as a first visitor sees them
    steps = page.get_by_role("textbox", name="Training steps")
    steps.fill("200000")  # long enough to still be running during every check below
    steps.press("Tab")
    page.wait_for_timeout(500)

    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r".*/monitor\?run=.+"), timeout=30_000)
    run_id = re.search(r"run=([^&]+)", page.url).group(1)
    _wait_until(lambda: _step(page) > 0, what="the first steps")
    first = _step(page)
    _wait_until(lambda: _step(page) > first, what="the step counter to advance")
    # the charts show at once and fill with the first numbers: wait for drawn data, not a frame
    # (while a run trains they are light SVG drawings: gancore/charts/svg_chart.py)
    page.wait_for_function("""() => [...document.querySelectorAll('svg.gs-chart')]
        .filter(svg => +svg.dataset.points > 0).length >= 2""", timeout=30_000)
    # quality is measured beside training: the first measurement after step 1,000
    page.get_by_text("Modes captured").first.wait_for(timeout=90_000)
    try:  # a few hundred steps of history make a more telling picture; not required
        _wait_until(lambda: _step(page) >= 2500, timeout=15, what="some history")
    except AssertionError:
        pass
    _screenshot(page, shots, "monitor")

    # a reload (or a second viewer) finds the same run, still running
    page.reload()
    page.get_by_text(run_id).first.wait_for(timeout=30_000)
    page.get_by_text("Running").first.wait_for(timeout=30_000)
    after_reload = _step(page)
    _wait_until(lambda: _step(page) > after_reload, what="steps after the reload")

    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped").first.wait_for(timeout=30_000)
    # stopped: the charts are Plotly's again, interactive, with the run's history in them
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .filter(gd => (gd.data || []).some(trace => trace.x && trace.x.length > 0)).length >= 2""",
                           timeout=30_000)

    page.goto(f"{server}/generate?run={run_id}")
    page.get_by_role("button", name="Download PNG").wait_for(timeout=60_000)
    page.get_by_test_id("stImage").first.wait_for(timeout=30_000)
    _screenshot(page, shots, "generate")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PNG").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000

    page.goto(f"{server}/runs")
    page.get_by_text("Open in Monitor").wait_for(timeout=30_000)
    assert page.get_by_text(f"Yes, delete {run_id}").count() == 1, "the run is listed and selectable"
    _screenshot(page, shots, "runs")

    # the 2D Lab: a fresh GAN, played past step 50 then paused, drawn with D's heatmap and G's
    # arrows (tests/test_lab_browser.py tries the rest of the lab)
    page.goto(f"{server}/lab")
    page.get_by_role("button", name="Start a fresh lab").click()
    page.get_by_role("button", name="Play").click()
    lab_step = page.get_by_test_id("stMetric").filter(has_text="Step").first.get_by_test_id("stMetricValue")
    _wait_until(lambda: int(lab_step.inner_text().replace(",", "")) >= 50, what="the lab past step 50")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    _screenshot(page, shots, "lab")


def test_without_the_password_a_browser_watches_but_cannot_stop_and_the_owner_can(owned_server, browser):
    owner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    owner.goto(owned_server)  # Train, the default page
    owner.get_by_text("Training will run on").wait_for(timeout=60_000)
    assert owner.get_by_role("button", name="Start training").count() == 0
    owner.get_by_label("Owner password").fill(OWNER_PASSWORD)
    owner.get_by_role("button", name="Unlock").click()
    owner.get_by_role("button", name="Start training").wait_for(timeout=30_000)
    steps = owner.get_by_label("Training steps", exact=True)
    steps.fill("200000")  # still running while the other browser watches
    steps.press("Tab")
    owner.wait_for_timeout(500)
    owner.get_by_role("button", name="Start training").click()
    owner.wait_for_url(re.compile(r".*/monitor\?run=.+"), timeout=30_000)
    run_id = re.search(r"run=([^&]+)", owner.url).group(1)

    # the link, opened by someone without the password: the run's numbers, live, and no Stop
    viewer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    viewer.goto(f"{owned_server}/monitor?run={run_id}")
    _wait_until(lambda: _step(viewer) > 0, what="the watcher's first steps")
    first = _step(viewer)
    _wait_until(lambda: _step(viewer) > first, what="the watcher's step counter to advance")
    viewer.get_by_text("need the owner password").first.wait_for(timeout=30_000)
    assert viewer.get_by_role("button", name="Stop").count() == 0
    assert viewer.get_by_role("button", name="Pause").count() == 0

    owner.get_by_role("button", name="Stop").click()
    owner.get_by_text("Stopped").first.wait_for(timeout=30_000)
    viewer.get_by_text("Stopped").first.wait_for(timeout=30_000)  # the watcher sees it stop


def test_a_super_resolution_run_upscales_an_uploaded_picture_and_downloads_it(tmp_path, browser, shots):
    """A short srgan run on photos trained here (the server reads it from disk, as a CLI run), then
    on its Generate page: a held-out photo beside the real one, an uploaded piece of a photo beside
    plain enlarging, downloaded twice as large; a broken file gets one message."""
    import io

    import numpy as np
    from PIL import Image

    from gancore import RunStore, make_config
    from gancore.runs.launch import start_run

    from gancore.data.photos import PHOTOS, photo_dir

    runs = tmp_path / "runs"
    cfg = make_config("srgan", "photos", scale=2, steps=20, pretrain_steps=10, num_samples=100, image_size=32,
                      base_channels=8, res_blocks=1, eval_every=0, log_every=10, device="cpu")
    trainer, run = start_run(cfg, RunStore(runs))
    trainer.run()
    small = tmp_path / "small.png"  # a 60 x 40 piece of a photo the run kept out of training
    with Image.open(photo_dir() / PHOTOS["coffee"]) as photo:
        photo.convert("RGB").resize((120, 80)).crop((30, 20, 90, 60)).save(small)

    with _serving(runs) as base:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
        page.goto(f"{base}/generate?run={run.run_id}")
        page.get_by_text("2 times larger").first.wait_for(timeout=60_000)
        page.get_by_text("the real image").first.wait_for(timeout=60_000)  # a held-out image first
        page.get_by_text("my own small picture (PNG or JPEG)").click()
        page.locator("input[type=file]").set_input_files(str(small))
        page.get_by_text("the generator (120 x 80)").first.wait_for(timeout=60_000)
        assert page.get_by_text("the real image").count() == 0, "an upload has no real image to compare"
        _screenshot(page, shots, "generate_upscale")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the upscaled picture (PNG)").click()
        got = Image.open(io.BytesIO(Path(download_info.value.path()).read_bytes()))
        assert got.size == (120, 80)

        broken = tmp_path / "broken.png"
        broken.write_bytes(b"not a picture")
        page.locator("input[type=file]").set_input_files(str(broken))
        page.get_by_text("this file is not a picture").first.wait_for(timeout=30_000)
        assert page.get_by_test_id("stException").count() == 0


def test_a_comparison_downloads_as_a_report_that_opens_offline(tmp_path, browser, shots):
    """Two tiny runs on the Compare page; the comparison downloaded as a report and opened from
    disk in a browser: its charts and pictures render, its slider moves every run's picture, and
    the page asks the network for nothing."""
    from gancore import RunStore, make_config
    from gancore.runs.launch import start_run
    from gancore.runs.meta import RunMeta

    runs = tmp_path / "runs"
    for run_id, name, lr_g in (("slow", "G at 2e-4", 2e-4), ("fast", "G at 1e-3", 1e-3)):
        cfg = make_config("vanilla", "ring8", steps=200, batch_size=32, log_every=20, sample_every=50,
                          eval_every=100, num_samples=2000, hidden_dim=16, lr_g=lr_g, device="cpu")
        trainer, _ = start_run(cfg, RunStore(runs), run_id, meta=RunMeta(name=name))
        trainer.run()

    with _serving(runs) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base}/compare?runs=slow,fast")
        page.get_by_text("Settings that differ").first.wait_for(timeout=60_000)
        page.locator("svg.main-svg").first.wait_for(timeout=60_000)  # the plotly charts
        assert page.get_by_test_id("stException").count() == 0
        _screenshot(page, shots, "compare")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download this comparison as a report (.html)").click()
        report = tmp_path / "report.html"
        shutil.copy(download_info.value.path(), report)
        context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    page = context.new_page()
    page.goto(report.as_uri())
    charts = page.locator("svg.gs-chart")
    assert charts.count() >= 5, "losses, terms, both scores and quality"
    assert all(charts.nth(i).bounding_box()["width"] > 200 for i in range(charts.count())), "drawn, not empty"
    assert page.evaluate("() => document.images.length > 0 && Array.from(document.images)"
                         ".every(i => i.complete && i.naturalWidth > 0)"), "every picture decodes"
    shown = page.locator(".frame:not([hidden]) figcaption")
    assert shown.all_inner_texts() == ["G at 2e-4 · step 200", "G at 1e-3 · step 200"]
    page.locator("input[type=range]").fill("1")  # the slider's second position: step 50
    assert shown.all_inner_texts() == ["G at 2e-4 · step 50", "G at 1e-3 · step 50"]
    page.set_viewport_size({"width": 1280, "height": min(page.evaluate("document.body.scrollHeight"), 4000)})
    page.screenshot(path=str(shots / "report.png"))
    assert [url for url in asked if not url.startswith(("file:", "data:"))] == [], "the report fetched nothing"
    context.close()
