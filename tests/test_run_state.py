"""The run state: one Status vocabulary, one reducer, and the job, status.json and the page's view
agreeing on it; a listing of runs reads status.json, never a run's history."""
import json
import pathlib
from dataclasses import replace

import pytest

from gancore import RunStore, make_config
from gancore.cli import main as cli_main
from gancore.runs.jobs import Job
from gancore.runs.state import RunState, RunView, Status, reduce
from gancore.training.trainer import Event, Trainer

FLOOR = {"modes": 8, "total_modes": 8, "high_quality": 0.99, "reverse_kl": 0.01}
MEASURED = {"modes": 6, "total_modes": 8, "high_quality": 0.7, "reverse_kl": 0.2}
OOM = "ran out of memory at batch size 64; batch size 8 fits: resume with --batch-size 8"
DIVERGED = "diverged at step 30: a loss became NaN or infinite"


def _record(step, loss_d=1.3):
    return {"step": step, "loss_d": loss_d, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4,
            "images_per_s": 1000.0}


# every event kind the trainer emits, in an order a run can take
EVENTS = [
    Event("started", 0, {"total": 100}),
    Event("metrics", 10, {"record": _record(10)}),
    Event("samples", 10, {"png": b"\x89PNG-10"}),
    Event("quality", 10, {"metrics": MEASURED, "seconds": 0.51, "floor": FLOOR}),
    Event("checkpoint", 20, {"state": {"step": 20}}),
    Event("paused", 20, {"message": None}),
    Event("resumed", 20, {}),
    Event("metrics", 30, {"record": _record(30, loss_d=float("nan"))}),
    Event("quality", 20, {"error": "the measure failed"}),
    Event("diverged", 30, {"message": DIVERGED}),
    Event("stopped", 30, {"message": DIVERGED}),
]


def _cfg(**kw):
    return make_config("vanilla", "ring8", device="cpu", **dict(dict(steps=100), **kw))


# ---- Status ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status,live,training,resumable,final", [
    ("created", False, False, False, False),
    ("preparing", True, True, False, False),
    ("running", True, True, False, False),
    ("paused", True, False, False, False),
    ("diverged", True, False, False, False),
    ("stopped", False, False, True, True),
    ("interrupted", False, False, True, False),
    ("finished", False, False, False, True),
    ("failed", False, False, False, True),
    ("unknown", False, False, False, False),
])
def test_each_status_answers_what_pages_ask(status, live, training, resumable, final):
    s = Status(status)
    assert (s.live, s.training, s.resumable, s.final) == (live, training, resumable, final)


def test_statuses_are_plain_strings_to_compare_format_and_store():
    assert Status.PAUSED == "paused" and f"{Status.RUNNING:<9}|" == "running  |"
    assert json.dumps({"status": Status.FAILED}) == '{"status": "failed"}'
    assert Status.parse("no such status") == Status.UNKNOWN and Status.parse(None) == Status.UNKNOWN
    assert RunState("r", "paused").status is Status.PAUSED, "a string is taken as its Status"


def test_every_status_has_words_on_the_pages():
    from dashboard.components import wording

    for status in Status:
        assert wording.status_label(status) != status.value, status
        assert wording.status_label(status.value) == wording.status_label(status)


# ---- the reducer -----------------------------------------------------------------------------
def test_each_event_kind_gives_its_state():
    state = RunState("r", Status.PREPARING, total=5)
    seen = []
    for event in EVENTS:
        state = reduce(state, event)
        seen.append((state.status, state.step, state.total, state.message))
    assert seen == [
        ("running", 0, 100, None),    # started: the total comes from the trainer
        ("running", 10, 100, None),   # metrics
        ("running", 10, 100, None),   # samples
        ("running", 10, 100, None),   # quality: its step is the measured one, not the trainer's
        ("running", 20, 100, None),   # checkpoint
        ("paused", 20, 100, None),
        ("running", 20, 100, None),   # resumed
        ("running", 30, 100, None),   # metrics
        ("running", 30, 100, None),   # a failed measurement
        ("diverged", 30, 100, DIVERGED),
        ("stopped", 30, 100, DIVERGED),
    ]
    assert state.last_metrics["step"] == 30
    assert state.last_quality == {"step": 10, "seconds": 0.51, **MEASURED}, "failed ones are skipped"
    assert state.diverged and not state.live


def test_the_reducer_is_pure_and_keeps_what_an_event_does_not_say():
    before = RunState("r", Status.RUNNING, step=5, total=100, last_metrics=_record(5))
    after = reduce(before, Event("samples", 6, {"png": b""}))
    assert (before.step, after.step, after.last_metrics) == (5, 6, _record(5))


def test_stopping_out_of_memory_keeps_the_batch_size_that_fits_until_the_next_start():
    state = reduce(RunState("r", Status.RUNNING), Event("stopped", 0, {"message": OOM, "fits_batch_size": 8}))
    assert (state.status, state.fits_batch_size, state.message) == ("stopped", 8, OOM)
    state = reduce(state, Event("started", 0, {"total": 20}))
    assert (state.status, state.fits_batch_size, state.message) == ("running", None, None)


def test_a_failure_carries_its_message_and_details():
    state = reduce(RunState("r", Status.RUNNING, step=3),
                   Event("failed", 3, {"message": "boom", "detail": "Traceback ..."}))
    assert (state.status, state.message, state.detail, state.live) == ("failed", "boom", "Traceback ...", False)


# ---- one sequence, three readers -------------------------------------------------------------
FACTS = ("status", "step", "total", "message", "detail", "fits_batch_size", "last_metrics",
         "last_quality")


def _facts(state) -> tuple:
    return tuple(json.dumps(getattr(state, name)) for name in FACTS)  # NaN == NaN as text


def test_the_job_status_json_and_the_view_agree_after_every_event(tmp_path):
    from dashboard.components.run_view import view_from_disk

    cfg = _cfg()
    store = RunStore(tmp_path)
    run = store.create(cfg, "r")
    job = Job("r", cfg)
    assert job.snapshot().status == "preparing" and run.state().status == "created"
    for event in EVENTS + [Event("started", 30, {"total": 120}),
                           Event("stopped", 30, {"message": OOM, "fits_batch_size": 8})]:
        job.on_event(event)
        run.record(event)
        from_job, on_disk, view = job.snapshot(), run.state(cfg), view_from_disk("r", store)
        assert _facts(from_job) == _facts(on_disk) == _facts(view), event.kind
        assert from_job.controllable == from_job.live and not view.controllable
    assert [m["step"] for m in view.metrics] == [m["step"] for m in job.snapshot().metrics] == [10, 30]
    assert view.quality == job.snapshot().quality and view.quality_floor == FLOOR
    assert (view.png, view.png_step) == (job.snapshot().png, job.snapshot().png_step) == (b"\x89PNG-10", 10)


def test_a_resumed_job_starts_from_the_history_on_disk(tmp_path):
    trainer_cfg = _cfg(steps=40, log_every=10, checkpoint_every=20, sample_every=1000)
    from gancore.runs.launch import start_run
    from gancore.runs.jobs import JobManager

    trainer, run = start_run(trainer_cfg, RunStore(tmp_path), "r")
    trainer.subscribe(lambda e: trainer.stop() if e.kind == "checkpoint" and e.step == 20 else None)
    assert trainer.run() == Status.STOPPED and isinstance(trainer.status, Status)
    job = JobManager(RunStore(tmp_path)).resume("r")
    job.thread.join(timeout=60)
    snap = job.snapshot()
    assert (snap.status, snap.step, snap.last_metrics["step"]) == ("finished", 40, 40)
    assert _facts(snap) == _facts(run.state(trainer_cfg))


def test_the_trainer_speaks_the_same_statuses():
    trainer = Trainer(_cfg(steps=10, log_every=5))
    assert trainer.status is Status.CREATED
    assert trainer.run() is Status.FINISHED and trainer.status is Status.FINISHED


# ---- listing runs ----------------------------------------------------------------------------
def _recorded_run(store, run_id, events=EVENTS):
    run = store.create(_cfg(), run_id)
    for event in events:
        run.record(event)
    return run


@pytest.fixture
def no_history_reads(monkeypatch):
    """Any read of a metrics.jsonl or quality.jsonl fails the test."""
    read_text, path_open, builtin_open = pathlib.Path.read_text, pathlib.Path.open, open
    history = ("metrics.jsonl", "quality.jsonl")

    def refuse(name):
        if str(name).endswith(history):
            raise AssertionError(f"a listing read {name}")

    def guarded_read_text(self, *a, **k):
        refuse(self)
        return read_text(self, *a, **k)

    def guarded_path_open(self, *a, **k):
        refuse(self)
        return path_open(self, *a, **k)

    def guarded_open(file, *a, **k):
        refuse(file)
        return builtin_open(file, *a, **k)
    monkeypatch.setattr(pathlib.Path, "read_text", guarded_read_text)
    monkeypatch.setattr(pathlib.Path, "open", guarded_path_open)
    monkeypatch.setattr("builtins.open", guarded_open)


def test_listing_shows_the_last_numbers_without_reading_any_history(tmp_path, no_history_reads):
    from dashboard.components.runs_table import runs_rows

    store = RunStore(tmp_path)
    _recorded_run(store, "a", EVENTS[:4])
    with pytest.raises(AssertionError, match="a listing read"):
        store.open("a").metrics()  # the guard works
    [state] = store.states()
    assert (state.run_id, state.status, state.variant, state.dataset) == ("a", "running", "vanilla", "ring8")
    assert state.last_metrics["loss_d"] == 1.3 and state.last_quality["modes"] == 6
    [row] = runs_rows(store.states())
    assert (row["status"], row["loss D"], row["quality (last measured)"]) == (
        "running", "1.300", "6/8 modes, 70 % high quality")


def test_the_cli_list_prints_the_last_losses_from_status_json(tmp_path, no_history_reads, capsys):
    _recorded_run(RunStore(tmp_path), "a", EVENTS[:2])  # recorded by this process: still running
    assert cli_main(["list", "--runs-dir", str(tmp_path)]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.split()[:3] == ["a", "running", "vanilla"] and line.split()[-2:] == ["1.300", "0.700"]


def test_the_run_picker_lists_without_reading_any_history(tmp_path, monkeypatch, no_history_reads):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    from dashboard.components.run_picker import known_run_ids

    store = RunStore(tmp_path)
    _recorded_run(store, "older", EVENTS[:2])
    _recorded_run(store, "newer", EVENTS[:2])
    assert known_run_ids() == ["newer", "older"]


def test_an_older_status_json_without_the_last_numbers_lists_with_blanks(tmp_path, capsys):
    from dashboard.components.runs_table import runs_rows

    store = RunStore(tmp_path)
    run = _recorded_run(store, "old", EVENTS[:4])
    (run.path / "status.json").write_text(json.dumps({"status": "finished", "step": 20, "total": 20,
                                                      "message": None, "updated": 1.0}))
    [state] = store.states()
    assert (state.status, state.step, state.last_metrics, state.last_quality) == ("finished", 20, {}, {})
    [row] = runs_rows([state])
    assert (row["loss D"], row["D(x)"], row["quality (last measured)"]) == ("", "", "")
    assert cli_main(["list", "--runs-dir", str(tmp_path)]) == 0
    assert "finished" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["[1, 2]", '{"status": "weird", "step": "x"}', "not json", ""])
def test_an_unreadable_status_json_lists_as_unknown(tmp_path, text):
    store = RunStore(tmp_path)
    run = store.create(_cfg(), "bad")
    (run.path / "status.json").write_text(text)
    [state] = store.states()
    assert (state.status, state.total) == ("unknown", 100)


def test_resume_cuts_the_last_numbers_back_with_the_history(tmp_path):
    store = RunStore(tmp_path)
    run = _recorded_run(store, "r", EVENTS[:4] + [Event("metrics", 30, {"record": _record(30)}),
                                                  Event("quality", 30, {"metrics": MEASURED, "seconds": 1.0})])
    assert (run.state().last_metrics["step"], run.state().last_quality["step"]) == (30, 30)
    run.truncate_after(20)
    assert (run.state().last_metrics["step"], run.state().last_quality["step"]) == (10, 10)


def test_a_view_is_the_state_with_its_histories():
    state = RunState("r", Status.RUNNING, step=50, total=100, cfg=_cfg(batch_size=10))
    view = RunView.of(state, metrics=[_record(50)], controllable=True)
    assert view.eta_seconds() == pytest.approx(50 * 10 / 1000.0)
    assert (view.run_id, view.live, view.training, view.raw_scores, view.conditional) == (
        "r", True, True, False, False)
    assert replace(view, status=Status.PAUSED).training is False
