"""The Monitor's one rule for how it draws a run (monitor/drawing.py), and the three places that
follow it: the feed's state (live_part.py), the page (AppTest) and the browser script's data."""
import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.run_view import RunView
from dashboard.monitor.drawing import (FIRST_NUMBERS_NOTE, NO_NUMBERS_NOTE, Drawing, chart_explanations,
                                       charts_note, drawing_for, page_key, poll_seconds, shows_charts)
from dashboard.monitor.figures import LiveFigures, run_charts
from dashboard.monitor.live_part import NOTHING_SHOWN, live_state
from gancore import make_config

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "navigation.py")


def _view(status: str, metrics: int = 3, quality: int = 0) -> RunView:
    records = [{"step": 10 * (i + 1), "loss_d": 1.3, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4,
                "images_per_s": 5000.0} for i in range(metrics)]
    return RunView(run_id="r1", cfg=make_config("vanilla", "ring8", device="cpu", steps=1000), status=status,
                   step=10 * metrics, total=1000, metrics=records, png=None, png_step=0, message=None,
                   detail=None, controllable=False, quality=[{"step": 100}] * quality)


@pytest.mark.parametrize("status, drawing", [
    ("preparing", Drawing.LIVE), ("running", Drawing.LIVE),
    ("paused", Drawing.WATCHED), ("diverged", Drawing.WATCHED),
    ("finished", Drawing.STILL), ("stopped", Drawing.STILL), ("failed", Drawing.STILL),
    ("interrupted", Drawing.STILL),
])
def test_a_run_is_drawn_live_while_it_trains_watched_while_paused_and_still_when_ended(status, drawing):
    assert drawing_for(_view(status)) is drawing


def test_what_each_drawing_means():
    assert (Drawing.LIVE.by_feed, Drawing.LIVE.polls, Drawing.LIVE.interactive) == (True, True, False)
    assert (Drawing.WATCHED.by_feed, Drawing.WATCHED.polls, Drawing.WATCHED.interactive) == (False, True, True)
    assert (Drawing.STILL.by_feed, Drawing.STILL.polls, Drawing.STILL.interactive) == (False, False, True)


@pytest.mark.parametrize("status, svg", [("running", True), ("paused", False), ("finished", False)])
def test_the_charts_are_svg_while_training_and_plotly_otherwise(status, svg):
    losses, scores = run_charts(_view(status), LiveFigures())
    assert all(isinstance(chart, str) == svg for chart in (losses, scores))
    assert ("interactive (zoom, hover)" in chart_explanations(_view(status))) == svg, "said only when it is not"


def test_the_waiting_notes_are_the_same_words_wherever_they_are_drawn():
    assert charts_note(_view("running", metrics=0)) == charts_note(_view("paused", metrics=0)) == FIRST_NUMBERS_NOTE
    assert charts_note(_view("running")) is None and charts_note(_view("finished", metrics=0)) is None
    assert shows_charts(_view("paused", metrics=0)) and not shows_charts(_view("stopped", metrics=0))
    state = live_state(_view("running", metrics=0), 1, LiveFigures(), NOTHING_SHOWN, NOTHING_SHOWN)
    assert FIRST_NUMBERS_NOTE in state["charts"]
    assert NO_NUMBERS_NOTE == "This run stopped before it logged any numbers."


def test_the_feed_sends_html_only_for_a_run_it_draws():
    training = live_state(_view("running"), 1, LiveFigures(), NOTHING_SHOWN, NOTHING_SHOWN)
    assert all(training[part] for part in ("readout", "charts", "picture", "quality"))
    paused = live_state(_view("paused"), 1, LiveFigures(), NOTHING_SHOWN, NOTHING_SHOWN)
    assert [paused[part] for part in ("readout", "charts", "picture", "quality")] == [None] * 4, \
        "a paused page is Streamlit's: the feed builds nothing for it, only its key"
    assert paused["key"] == page_key(_view("paused"), 1) and paused["every"] == 2.0


def test_a_paused_page_is_redrawn_for_what_only_a_redraw_shows():
    assert page_key(_view("paused", quality=1), 1) != page_key(_view("paused"), 1), "a late measurement"
    assert page_key(_view("running", quality=1), 1) == page_key(_view("running"), 1), "the feed swaps it in"
    assert page_key(_view("running"), 1) != page_key(_view("paused"), 1)


def test_the_poll_interval_is_fast_only_while_a_training_run_waits_for_its_first_numbers():
    assert poll_seconds(_view("running", metrics=0), 1) == 0.25
    assert poll_seconds(_view("paused", metrics=0), 1) == poll_seconds(_view("running"), 1) == 2.0
    assert poll_seconds(_view("running"), 10) == 5.0, "ten viewers share the budget"


def _feed_data(at) -> dict | None:
    """The data the page gave its browser script, if the page has one."""
    found = [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name.endswith("gs_live_feed")]
    return found[0] if found else None


def test_the_page_follows_the_rule_training_paused_and_ended(job):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = job.run_id
    at.run()
    at.switch_page("views/monitor.py").run()
    data = _feed_data(at)
    assert data and data["state"]["charts"].count('<svg class="gs-chart"') == 2 and data["explanations"]
    assert not at.get("plotly_chart"), "training: the browser script draws the live part"

    job.pause()
    deadline = time.time() + 30
    while job.snapshot().status != "paused" and time.time() < deadline:
        time.sleep(0.2)
    at.run()
    data = _feed_data(at)
    assert len(at.get("plotly_chart")) == 2, "paused: interactive charts, drawn by Streamlit"
    assert data and data["state"]["readout"] is None and data["explanations"] is None, \
        "and the script only watches the feed for a change"
    assert data["state"]["key"].startswith("paused|")

    job.stop()
    job.thread.join(timeout=30)
    at.run()
    assert len(at.get("plotly_chart")) == 2 and _feed_data(at) is None, "ended: nothing polls"
