"""The Monitor's live feed: what it sends (monitor/live_part.py), how it answers good and bad
requests (monitor/feed.py), and the Monitor page using it while a run trains."""
import json
import time
from pathlib import Path

import pytest
from starlette.requests import Request
from streamlit.testing.v1 import AppTest

from gancore import make_config

REPO = Path(__file__).resolve().parents[1]

from dashboard.components.run_view import RunView  # noqa: E402
from dashboard.monitor import feed  # noqa: E402
from dashboard.monitor.drawing import FIRST_NUMBERS_NOTE, FIRST_PICTURE_NOTE, page_key  # noqa: E402
from dashboard.monitor.figures import LiveFigures  # noqa: E402
from dashboard.monitor.live_part import NOTHING_SHOWN, live_state  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n-not-a-real-picture-"


def _view(status="running", metrics=3, png_step=100, quality=0) -> RunView:
    records = [{"step": 10 * (i + 1), "loss_d": 1.3, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4,
                "images_per_s": 5000.0} for i in range(metrics)]
    return RunView(run_id="r1", cfg=make_config("vanilla", "ring8", device="cpu", steps=1000), status=status,
                   step=10 * metrics, total=1000, metrics=records, png=PNG if png_step >= 0 else None,
                   png_step=max(png_step, 0), message=None, detail=None, controllable=True,
                   quality=[{"step": 100}] * quality)


def test_the_state_holds_the_readout_both_charts_and_the_picture_once():
    view = _view()
    first = live_state(view, viewers=1, figures=LiveFigures(), shown_picture=NOTHING_SHOWN,
                       shown_quality=NOTHING_SHOWN)
    assert json.loads(json.dumps(first)) == first, "JSON-ready"
    assert 'class="gs-readout" data-step="30" data-total="1000"' in first["readout"]
    assert first["charts"].count('<svg class="gs-chart"') == 2 and 'data-points="6"' in first["charts"]  # 3 records, 2 lines
    assert 'class="gs-picture" data-step="100"' in first["picture"] and "data:image/png;base64," in first["picture"]
    assert first["every"] == 2.0 and first["picture_step"] == 100
    again = live_state(view, viewers=1, figures=LiveFigures(), shown_picture=100,
                       shown_quality=0)
    assert again["picture"] is None, "a picture the page shows already is not sent again"
    assert again["quality"] is None, "nor the quality part the page shows"


def test_before_the_first_numbers_and_picture_the_state_says_what_is_coming():
    state = live_state(_view(metrics=0, png_step=-1), 1, LiveFigures(), NOTHING_SHOWN, NOTHING_SHOWN)
    assert state["every"] == 0.25, "fast until the first numbers come"
    assert FIRST_NUMBERS_NOTE in state["charts"] and 'data-points="0"' in state["charts"]
    assert FIRST_PICTURE_NOTE in state["picture"] and state["picture_step"] == -1
    assert "The first measurement comes after step 1,000." in state["quality"]


def test_the_page_key_changes_with_what_only_a_page_redraw_shows():
    key = page_key(_view(), 1)
    assert page_key(_view(metrics=5), 1) == key, "new numbers are the feed's job, not a redraw's"
    assert page_key(_view(status="paused"), 1) != key
    assert page_key(_view(), 2) != key
    assert page_key(_view(quality=1), 1) == key, "a quality measurement too: the feed swaps it in"


def _get(path_params: dict, query: str = "") -> tuple[int, dict]:
    request = Request({"type": "http", "method": "GET", "path": "/api/live", "headers": [],
                       "query_string": query.encode(), "path_params": path_params})
    response = feed.endpoint(request)
    return response.status_code, json.loads(response.body)


@pytest.fixture
def live_job(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    from dashboard import state

    job = state.manager().start(make_config("vanilla", "ring8", device="cpu", steps=200_000, log_every=20))
    deadline = time.time() + 60
    while not (job.snapshot().metrics and job.snapshot().png) and time.time() < deadline:
        time.sleep(0.2)
    yield job
    job.stop()
    job.thread.join(timeout=30)


def test_the_feed_answers_a_live_run_and_counts_its_viewer(live_job):
    status, state = _get({"run_id": live_job.run_id}, "viewer=v1&picture_step=-2&every=2")
    assert status == 200
    assert state["key"] == "running|1" and state["every"] == 2.0
    assert state["readout"].startswith('<div class="gs-readout"') and state["charts"].count("gs-chart") == 2
    assert state["picture"] and state["picture_step"] >= 0
    status, again = _get({"run_id": live_job.run_id}, f"viewer=v1&picture_step={state['picture_step']}")
    assert status == 200 and (again["picture"] is None or again["picture_step"] > state["picture_step"])
    _, two = _get({"run_id": live_job.run_id}, "viewer=v2")
    assert two["key"] == "running|2", "a second viewer is counted (and so shares the refresh budget)"


@pytest.mark.parametrize("params, query, code, words", [
    ({"run_id": "../etc"}, "", 400, "run id '../etc' is not allowed"),
    ({"run_id": "ok-id"}, "picture_step=abc", 400, "Expected /api/live/<run id>"),
    ({"run_id": "no-such-run"}, "", 404, "no-such-run"),
])
def test_bad_requests_get_a_plain_message_and_no_traceback(tmp_path, monkeypatch, params, query, code, words):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    status, body = _get(params, query)
    assert status == code and words in body["error"] and "Traceback" not in body["error"]


def test_a_failure_inside_the_feed_is_a_short_message_and_the_page_keeps_polling(monkeypatch):
    def broken(*args):
        raise KeyError("images_per_s")
    monkeypatch.setattr(feed, "snapshot", broken)
    status, body = _get({"run_id": "r1"})
    assert status == 500 and body == {"error": "The live numbers could not be read (KeyError)."}


def test_the_monitor_hands_a_training_run_to_the_feed(live_job):
    at = AppTest.from_file(str(REPO / "dashboard" / "navigation.py"), default_timeout=60)
    at.query_params["run"] = live_job.run_id
    at.run()
    at.switch_page("views/monitor.py")
    at.run()
    assert not at.exception
    texts = "\n".join(m.value for m in at.markdown)
    assert "gs-readout" not in texts and "gs-chart" not in texts, "drawn by the feed's component, not by markdown"
    assert [b.label for b in at.button][:2] == ["Pause", "Stop"], "the controls stay Streamlit's"


def test_a_quality_measurement_arrives_as_html_with_its_table_and_chart():
    view = _view()
    view.quality = [{"step": 1000, "modes": 6, "total_modes": 8, "high_quality": 0.5, "reverse_kl": 0.3},
                    {"step": 2000, "modes": 8, "total_modes": 8, "high_quality": 0.7, "reverse_kl": 0.1}]
    state = live_state(view, 1, LiveFigures(), shown_picture=100, shown_quality=1)
    quality = state["quality"]
    assert state["quality_count"] == 2 and "Quality</h3>" in quality and "At step 2,000." in quality
    assert '<table class="gs-quality-table"' in quality and "<td" in quality and "8 of 8" in quality
    assert quality.count('<svg class="gs-chart"') == 1, "one chart (modes and high-quality share)"
    failed = _view()
    failed.quality = [{"step": 1000, "error": "out of <memory>"}]
    text = live_state(failed, 1, LiveFigures(), 100, 0)["quality"]
    assert "Quality could not be measured: out of &lt;memory&gt;" in text, "escaped, in a warning box"


def test_our_wording_becomes_escaped_html():
    from dashboard.monitor.html_text import paragraphs_html

    out = paragraphs_html("**D(x)** is how sure it is that *real* data is real <b>.\n\nRun `gancore eval`.")
    assert "<strong>D(x)</strong>" in out and "<em>real</em>" in out and "&lt;b&gt;" in out
    assert out.count("<p ") == 2 and "<code>gancore eval</code>" in out


@pytest.fixture
def watching_needs_password(monkeypatch):
    from dashboard import access

    monkeypatch.setenv(access.PASSWORD_ENV, "owner-pw")
    monkeypatch.setenv(access.WATCH_ENV, "password")
    return "owner-pw"


def test_when_watching_needs_the_password_a_direct_request_without_the_token_is_refused(
        live_job, watching_needs_password):
    from dashboard import access

    for query in ("viewer=v1", f"viewer=v2&token={access.feed_token('v1')}", "viewer=v1&token=guess"):
        status, body = _get({"run_id": live_job.run_id}, query)
        assert status == 403 and "needs the owner password" in body["error"], query
        assert set(body) == {"error"}, "nothing of the run"
    status, _ = _get({"run_id": "no-such-run"}, "viewer=v1")
    assert status == 403, "not even whether a run exists"
    status, state = _get({"run_id": live_job.run_id}, f"viewer=v1&token={access.feed_token('v1')}")
    assert status == 200 and state["readout"]


def test_the_monitor_hands_only_an_unlocked_session_the_feed_token_and_the_feed_takes_it(
        live_job, watching_needs_password):
    at = AppTest.from_file(str(REPO / "dashboard" / "navigation.py"), default_timeout=60)
    at.query_params["run"] = live_job.run_id
    at.run()
    at.switch_page("views/monitor.py").run()
    assert not at.get("bidi_component"), "locked: no page, no browser script, no token"
    at.text_input(key="owner-password").input(watching_needs_password)
    next(b for b in at.button if b.label == "Unlock").click().run()
    data = json.loads(at.get("bidi_component")[0].proto.json)
    assert data["token"] and data["viewer"] == at.session_state["viewer_id"]
    status, state = _get({"run_id": live_job.run_id}, f"viewer={data['viewer']}&token={data['token']}")
    assert status == 200 and state["readout"]
