"""Translating a drawing in a real browser (Debian's Chromium through Playwright, the server as
test_browser.py runs it): a short pix2pix run on sketch2glyphs trained here, its Generate page,
a digit drawn on the pad with the mouse in two strokes, the translation drawn beside it, and its
download. Waits on conditions with generous deadlines, never on a clock. Skips where Chromium is
missing, and fails instead when CI=true (test_browser.py's rule)."""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from test_browser import CHROMIUM, CHROMIUM_ARGS, _screenshot, _serving, _wait_until

from playwright.sync_api import sync_playwright  # noqa: E402  (requirements-dev.txt)

# A 4 in two strokes, in fractions of the pad: an open triangle, then the down stroke, which the
# test holds half drawn until the page has rerun for the first stroke: it must still arrive whole.
TRIANGLE = [(0.55, 0.2), (0.3, 0.6), (0.72, 0.6)]
DOWN = [(0.58, 0.35), (0.58, 0.5), (0.58, 0.82)]


@pytest.fixture(scope="module")
def translate_page(tmp_path_factory):
    from gancore import RunStore, make_config
    from gancore.runs.launch import start_run

    runs = tmp_path_factory.mktemp("translate-runs")
    cfg = make_config("pix2pix", "sketch2glyphs", steps=300, eval_every=0, device="cpu")
    trainer, run = start_run(cfg, RunStore(runs), "sketches")
    trainer.run()
    with _serving(runs) as base, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
        page.goto(f"{base}/generate?run={run.run_id}")
        yield page
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("translate-shots")


def _picture(page, caption: str) -> np.ndarray | None:
    """The grey pixels (H, W) of the picture shown above `caption`, as the browser fetched it."""
    img = page.get_by_test_id("stImage").filter(has_text=caption).locator("img")
    if not img.count():
        return None
    data = page.request.get(img.first.get_attribute("src")).body()
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def test_a_drawn_digit_is_translated_live_and_downloads_as_a_png(translate_page, shots):
    page = translate_page
    page.get_by_text("draw it", exact=True).click()
    canvas = page.locator("canvas").first
    canvas.wait_for(timeout=60_000)
    page.get_by_text("Draw on the black square").wait_for(timeout=60_000)
    box = canvas.bounding_box()

    def pen_to(x: float, y: float) -> None:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8)

    pen_to(*TRIANGLE[0])
    page.mouse.down()
    for point in TRIANGLE[1:]:
        pen_to(*point)
    page.mouse.up()
    pen_to(*DOWN[0])
    page.mouse.down()
    pen_to(*DOWN[1])
    _wait_until(lambda: _picture(page, "what the generator reads") is not None, timeout=90,
                what="the first stroke read by the generator")
    pen_to(*DOWN[2])
    page.mouse.up()

    def reads_both_strokes() -> bool:
        # what the generator reads, enlarged to 224 pixels: the down stroke's lower end is below
        # the triangle, so it is there only when the second stroke arrived whole
        reads = _picture(page, "what the generator reads")
        if reads is None:
            return False
        h, w = reads.shape
        end = reads[int(0.7 * h):int(0.8 * h), int(0.54 * w):int(0.62 * w)]
        return int(end.max()) > 128

    _wait_until(reads_both_strokes, timeout=90, what="the drawing, both strokes, read by the generator")
    _wait_until(lambda: _picture(page, "its translation") is not None, timeout=90, what="the translation")
    out = _picture(page, "its translation")
    assert out.shape == (224, 224), "28 pixels enlarged 8 times"
    assert int(out.max()) - int(out.min()) > 100, "not all one colour"
    assert (out > 200).mean() > 0.02, "some bright pixels: ink where the digit is"
    assert page.get_by_test_id("stException").count() == 0
    _screenshot(page, shots, "generate_translate")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the translation (PNG)").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).size == (28, 28), "the translation as the generator made it"
