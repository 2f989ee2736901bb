"""What a new user tripped on in the Monitor and the 2D Lab: a press shows at once, time left
while paused, the speed's unit, charts of one measurement, a run stopped before its first
measurement, and the lab's colours and margins."""
import math
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.charts import loss_figure, step_axis
from dashboard.components.lab_figure import FAKE, REAL, lab_figure
from dashboard.components.quality import quality_figures, quality_svgs
from dashboard.components.run_view import RunView
from gancore.charts.svg_chart import MOST_LOG_LABELS, Line, log_ticks, svg_line_chart
from dashboard.monitor.measure_now import measure_latest
from dashboard.monitor.quality_part import MEASURE_NOW, quality_blocks
from dashboard.monitor.readout import run_readout
from gancore import Event, RunError, RunStore, make_config
from gancore.runs.jobs import Job
from gancore.runs.launch import start_run
from gancore.runs.state import Status

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "navigation.py")


def _view(status: str, dataset: str = "ring8", variant: str = "vanilla", step: int = 30, quality=()) -> RunView:
    records = [{"step": step, "loss_d": 1.3, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4, "images_per_s": 5000.0}]
    return RunView(run_id="r1", cfg=make_config(variant, dataset, device="cpu", steps=1000), status=status,
                   step=step, total=1000, metrics=records, quality=list(quality))


def _readout_numbers(html: str) -> list[str]:
    return re.findall(r'font-size: 2.25rem; line-height: 1.3">([^<]*)<', html)


# ---- a press shows at once ------------------------------------------------------------------
class _Trainer:
    """Takes a request on another thread after `delay` seconds, as a trainer between two steps."""

    def __init__(self, job: Job, delay: float = 0.05):
        self.job, self.delay = job, delay

    def _later(self, kind: str) -> None:
        timer = threading.Timer(self.delay, lambda: self.job.on_event(Event(kind, 10, {})))
        timer.daemon = True  # the one that never answers must not hold pytest open at exit
        timer.start()

    def pause(self):
        self._later("paused")

    def resume(self):
        self._later("resumed")

    def stop(self):
        self._later("stopped")


def test_a_job_says_when_the_trainer_has_taken_a_request():
    job = Job("r", make_config("vanilla", "ring8", device="cpu"))
    job.on_event(Event("started", 0, {"total": 1000}))
    job.trainer = _Trainer(job)
    job.pause()
    assert job.requested == "pause"
    assert job.wait_taken(30.0) and job.state.status == Status.PAUSED and job.requested is None
    job.trainer = _Trainer(job, delay=3600)  # a trainer that does not answer (a long checkpoint)
    job.resume()
    assert not job.wait_taken(0.05) and job.requested == "resume", "the page then says 'resuming...'"
    job.on_event(Event("resumed", 10, {}))
    assert job.requested is None and job.wait_taken(0.0)


def _status_line(at) -> str:
    return next(m.value for m in at.markdown if "status:" in m.value)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_pause_resume_and_stop_show_on_the_page_they_were_pressed_on(job):
    """The page redrawn by the press shows the new status: it waited for the trainer, so no feed
    poll (the browser script's next tick) is needed to show it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = job.run_id
    at.run()
    at.switch_page("views/monitor.py").run()
    assert "Running" in _status_line(at)
    _button(at, "Pause").click().run()
    assert "Paused" in _status_line(at) and len(at.get("plotly_chart")) == 2, "drawn as a paused run"
    assert "paused" in _readout_numbers(next(m.value for m in at.markdown if "gs-readout" in m.value))
    _button(at, "Resume").click().run()
    assert "Running" in _status_line(at) and not at.get("plotly_chart")
    _button(at, "Stop").click().run()
    assert "Stopped" in _status_line(at) and not at.exception


# ---- the readout ----------------------------------------------------------------------------
@pytest.mark.parametrize("status, time_left", [("running", "0 s"), ("paused", "paused"), ("diverged", "paused"),
                                               ("stopped", "-")])
def test_time_left_counts_down_only_while_steps_are_taken(status, time_left):
    view = _view(status, step=990)
    assert _readout_numbers(run_readout(view))[2] == time_left
    assert (view.eta_seconds() is None) == (status != "running"), "nothing counts down while held"


@pytest.mark.parametrize("variant, dataset, unit", [("vanilla", "ring8", "points/s"), ("vanilla", "moons", "points/s"),
                                                    ("dcgan", "mnist", "images/s"), ("dcgan", "folder", "images/s")])
def test_the_speed_unit_follows_the_kind_of_data(variant, dataset, unit):
    view = _view("running", dataset, variant)
    assert _readout_numbers(run_readout(view))[1] == f"5,000 {unit}"
    assert "images_per_s" in view.metrics[-1], "the logged key stays as it is"


# ---- charts of one measurement, the log axis ------------------------------------------------
ONE_IMAGE_MEASUREMENT = [{"step": 1000, "fcd": 45.0, "precision": 0.5, "recall": 0.4, "coverage": 0.3,
                          "label_accuracy": 0.8}]


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


def test_one_measurement_gets_an_axis_from_0_to_its_step():
    fidelity, fcd = quality_figures(ONE_IMAGE_MEASUREMENT, {"fcd": 3.0})
    for fig in (fidelity, fcd, quality_figures([{"step": 1000, "modes": 5, "total_modes": 8, "high_quality": 0.5}])[0]):
        lo, hi = fig.layout.xaxis.range
        assert lo == 0 and 1000 <= hi <= 1100 and fig.layout.xaxis.tickformat == ",d"
    for svg in quality_svgs(ONE_IMAGE_MEASUREMENT):
        labels = _svg_texts(svg)
        assert "0" in labels and "1,000" in labels and not any(".0" in t for t in labels if t[0].isdigit())
    assert loss_figure([{"step": 10, "loss_d": 1.0, "loss_g": 1.0}]).layout.xaxis.range[0] == 0, "charts.py too"


def test_steps_never_get_fractional_ticks():
    svg = svg_line_chart("t", [Line("a", "#000", [1000, 1001, 1003], [1.0, 2.0, 3.0])], "y")
    assert [t for t in _svg_texts(svg) if t.startswith("1,00")] == ["1,000", "1,001", "1,002", "1,003"]
    assert step_axis([1000, 1003])["dtick"] == 1


@pytest.mark.parametrize("lo, hi", [(2.4, 57.0), (31.0, 66.0), (45.0, 47.0), (0.5, 1.5), (1.0, 1e6), (1e-3, 1e9),
                                    (6.0, 500.0)])
def test_a_log_axis_has_a_handful_of_labels(lo, hi):
    ticks = log_ticks(lo, hi)
    assert 2 <= len(ticks) <= MOST_LOG_LABELS
    assert all(lo <= t <= hi for t in ticks) and ticks == sorted(ticks)


def test_the_fcd_charts_label_their_log_axis_themselves():
    fcd = quality_figures(ONE_IMAGE_MEASUREMENT, {"fcd": 3.0})[1]
    axis = fcd.layout.yaxis
    assert axis.type == "log" and 2 <= len(axis.tickvals) <= MOST_LOG_LABELS
    lo, hi = axis.range
    assert 10 ** lo <= 3.0 and 45.0 <= 10 ** hi, "the data and the real-vs-real line are inside it"
    assert list(axis.ticktext) == ["5", "10", "20", "50"]
    svg = quality_svgs(ONE_IMAGE_MEASUREMENT, {"fcd": 3.0})[1]
    assert 2 <= sum(t in ("2", "5", "10", "20", "50", "100") for t in _svg_texts(svg)) <= MOST_LOG_LABELS


# ---- a run stopped before its first measurement ---------------------------------------------
def _no_charts(records, floor):
    return []


def test_an_ended_run_without_a_measurement_says_why_and_offers_one():
    early = quality_blocks(_view("stopped", step=300), _no_charts)
    assert early[0][0] == "info" and "stopped at step 300, before its first measurement at step 1,000" in early[0][1]
    assert "python -m gancore eval --run" in early[0][1] and early[-1] == ("measure", MEASURE_NOW)
    late = quality_blocks(_view("stopped", step=1200), _no_charts)
    assert "was still running" in late[0][1] and late[-1] == ("measure", MEASURE_NOW)
    live = quality_blocks(_view("running", step=300), _no_charts)
    assert all(kind != "measure" for kind, _ in live), "a live run is measured by its trainer"


def _stopped_run(root: Path, steps_before_stop: int = 40) -> str:
    """A ring8 run stopped at about `steps_before_stop`, before its first measurement (step 1,000)."""
    trainer, run = start_run(make_config("vanilla", "ring8", device="cpu", steps=5000, log_every=20),
                             RunStore(root))

    def stop_soon(event):
        if event.kind == "metrics" and event.step >= steps_before_stop:
            trainer.stop()

    trainer.subscribe(stop_soon)
    assert trainer.run() == Status.STOPPED
    return run.run_id


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error")
                     for e in at.get(kind))


def test_the_monitor_measures_a_stopped_run_on_request(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    run_id = _stopped_run(tmp_path)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["run"] = run_id
    at.run()
    at.switch_page("views/monitor.py").run()
    assert "before its first measurement at step 1,000" in _texts(at)
    _button(at, MEASURE_NOW).click().run()
    assert not at.exception and not at.error
    assert "Modes captured" in str([t.value for t in at.table]), "the Quality part shows the measurement"
    assert MEASURE_NOW not in [b.label for b in at.button]
    records = RunStore(tmp_path).open(run_id).quality()
    assert len(records) == 1 and records[0]["step"] == RunStore(tmp_path).open(run_id).load_checkpoint()["step"]
    assert (tmp_path / run_id / "quality_floor.json").is_file()
    assert RunStore(tmp_path).open(run_id).state().last_quality["modes"] == records[0]["modes"]


def test_viewers_get_the_words_but_not_the_button(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("GANSTUDIO_READ_ONLY", "1")
    run_id = _stopped_run(tmp_path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = run_id
    at.run()
    at.switch_page("views/monitor.py").run()
    assert "before its first measurement" in _texts(at) and MEASURE_NOW not in [b.label for b in at.button]


def test_a_live_run_is_not_measured_from_outside(tmp_path):
    store = RunStore(tmp_path)
    run = store.create(make_config("vanilla", "ring8", device="cpu"))
    run.write_status("running", 10)
    with pytest.raises(RunError, match="is training"):
        measure_latest(store, run.run_id)


# ---- the 2D Lab's figure --------------------------------------------------------------------
class _Snap:
    score_kind, score_mid, variant, dataset, iteration, label = "probability", 0.5, "vanilla", "ring8", 3, None
    grid_x = grid_y = np.linspace(-2, 2, 5)
    scores = np.full((5, 5), 0.5)
    real = np.zeros((4, 2))
    fake = np.ones((4, 2))
    arrows = np.full((4, 2), 0.1)
    bounds = (-2.0, 2.0, -2.0, 2.0)
    mesh = None  # G's manifold: not asked for


def _lightness(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return (max(r, g, b) + min(r, g, b)) / 2


def test_the_lab_draws_real_points_on_top_in_the_monitors_colours_with_room_for_its_ticks():
    fig = lab_figure(_Snap())
    names = [trace.name for trace in fig.data]
    assert names[-1] == "real data" and names.index("generated") < names.index("where G pushes its points")
    real, fake = fig.data[-1], fig.data[names.index("generated")]
    assert real.marker.line.color == "white" and real.marker.size <= fake.marker.size
    red = lambda c: int(c[1:3], 16) > 1.5 * max(int(c[3:5], 16), int(c[5:7], 16))  # noqa: E731
    assert red(FAKE) and red(fig.data[names.index("where G pushes its points")].line.color), "red, as the Monitor's"
    assert abs(int(REAL[1:3], 16) - int(REAL[5:7], 16)) < 40, "gray, as the Monitor's"
    assert all(_lightness(c) > 0.25 for c in (REAL, FAKE)), "no colour that reads as black"
    assert fig.layout.margin.b >= 50, "the x tick labels and the legend below them are not clipped"
    assert not math.isnan(fig.layout.xaxis.range[0])
