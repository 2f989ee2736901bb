"""The 2D Lab in a real browser (Debian's Chromium through Playwright, the server as
test_browser.py runs it): Play advances the frames (the step counter and the picture change),
the manifold toggles on, and a drawn distribution pulls the generated points towards it.
Waits on conditions with generous deadlines, never on a clock. Skips where Chromium is missing
(test_browser.py's rule)."""
import math

import pytest

from test_browser import CHROMIUM_ARGS, CHROMIUM, _screenshot, _serving, _wait_until

from playwright.sync_api import sync_playwright  # noqa: E402  (requirements-dev.txt)

# JS: the traces of the lab's picture (the first plotly chart on the page), by name, as plain
# arrays (plotly keeps numbers as typed arrays; a NaN is a break in a line)
ALL_TRACE_NAMES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(p => (p._fullData || []).map(t => t.name))"""
TRACES = """() => { const plot = document.querySelectorAll('.js-plotly-plot')[0];
  if (!plot || !plot._fullData) return null;
  const out = {};
  for (const t of plot._fullData) out[t.name] = {x: Array.from(t.x || []), y: Array.from(t.y || [])};
  return out; }"""


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory):
    with _serving(tmp_path_factory.mktemp("lab-runs")) as base, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(f"{base}/lab")
        yield page
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("lab-shots")


def _step(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Step").first
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def _generated(page) -> list[tuple[float, float]]:
    traces = page.evaluate(TRACES) or {}
    fake = traces.get("generated") or {"x": [], "y": []}
    return list(zip(fake["x"], fake["y"]))


def _check(page, label: str) -> None:
    """Tick a checkbox until it stays ticked: a click that lands while the page is still redrawing
    after Pause can be lost with the old element."""
    widget = page.get_by_test_id("stCheckbox").filter(has_text=label)
    box = widget.locator("input[type=checkbox]")

    def ticked() -> bool:
        if not box.is_checked():
            widget.get_by_text(label).click()
            page.wait_for_timeout(500)
        return box.is_checked()

    _wait_until(ticked, timeout=60, what=f"{label!r} ticked")


def test_play_advances_frames_and_the_manifold_toggles(lab_page, shots):
    page = lab_page
    page.get_by_role("button", name="Start a fresh lab").click()
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    _wait_until(lambda: _generated(page), what="the first picture")
    first_step, first_points = _step(page), _generated(page)
    page.get_by_role("button", name="Play").click()
    seen = set()

    def advanced() -> bool:
        seen.add(_step(page))
        return len(seen) >= 4 and _generated(page) != first_points

    _wait_until(advanced, timeout=60, what="frames advancing while playing")
    assert max(seen) > first_step
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    # ticked right after Pause, while the last played frame may still be finishing
    _check(page, "Show G's manifold")
    try:
        _wait_until(lambda: "G's manifold (latent grid)" in (page.evaluate(TRACES) or {}), timeout=90,
                    what="the manifold")
    except AssertionError:
        page.screenshot(path="/tmp/lab_manifold_fail.png", full_page=True)
        raise AssertionError(f"no manifold drawn; the plots' traces: {page.evaluate(ALL_TRACE_NAMES)}") from None
    mesh = page.evaluate(TRACES)["G's manifold (latent grid)"]
    assert sum(v is not None and math.isfinite(v) for v in mesh["x"]) == 2 * 15 * 15, \
        "15 rows and 15 columns of 15 points"
    assert page.get_by_test_id("stException").count() == 0
    _screenshot(page, shots, "lab_playing")


def test_a_drawn_distribution_pulls_the_generated_points(lab_page, shots):
    page = lab_page
    page.goto(page.url.split("?")[0])  # a new session, whatever the test before left: "Start a lab" open
    page.get_by_text("data you draw").click()
    canvas = page.locator("canvas").first
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    # a blob in the pad's upper right: raw (1, 1) is 3/4 across and 1/4 down the [-2, 2] pad
    cx, cy = box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"]
    page.mouse.move(cx - 10, cy - 10)
    page.mouse.down()
    for i in range(40):
        page.mouse.move(cx - 10 + (i % 5) * 5, cy - 10 + (i // 8) * 5)
    page.mouse.up()
    page.get_by_role("button", name="Train on these points").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=60_000)  # it plays at once
    assert "drawn" in page.get_by_test_id("stMarkdown").filter(has_text="The lab:").first.inner_text()

    def distance() -> float:
        points = _generated(page)
        mx = sum(p[0] for p in points) / len(points)
        my = sum(p[1] for p in points) / len(points)
        return math.hypot(mx - 1.0, my - 1.0)

    _wait_until(lambda: _generated(page), what="the drawn lab's picture")
    start = distance()
    _wait_until(lambda: distance() < 0.5 * start and distance() < 0.4, timeout=120,
                what="the generated points moving onto the drawing")
    page.get_by_role("button", name="Pause").click()
    assert page.get_by_test_id("stException").count() == 0
    _screenshot(page, shots, "lab_drawn")
