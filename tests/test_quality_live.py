"""Quality measured beside training: the side evaluator, the trainer's quality events, the run
folder's quality.jsonl, `gancore eval`, and resume cutting measurements back."""
import json
import threading

import pytest
import torch

from gancore import RunStore, make_config
from gancore.cli import main as cli_main
from gancore.runs.launch import resume_run, start_run
from gancore.quality.live import SideEvaluator
from gancore.quality.measures import Measure, quality_kind
from gancore.training.threads import run_torch_inline_in_this_thread


class BlockingMeasure(Measure):
    """Returns the generator's first weight; waits for `release` so a test controls the timing."""

    def __init__(self):
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, generator):
        self.release.wait(timeout=10)
        self.calls += 1
        return {"w": float(next(generator.parameters()).flatten()[0])}

    def floor(self):
        return {"w": 0.0}


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_offers_never_wait_and_are_declined_while_an_evaluation_runs():
    net = torch.nn.Linear(2, 2)
    measure = BlockingMeasure()
    ev = SideEvaluator(measure, net)
    try:
        with torch.no_grad():
            net.weight.fill_(1.0)
        assert ev.offer(10, net)  # returns while the measure is still blocked
        with torch.no_grad():
            net.weight.fill_(2.0)  # training goes on: the evaluator must use its own copy
        assert not ev.offer(20, net), "busy: declined, never queued behind"
        measure.release.set()
        ev.wait_idle(timeout=10)
        (result,) = ev.results()
        assert result["step"] == 10 and result["metrics"] == {"w": 1.0}, "the weights as offered"
        assert result["floor"] == {"w": 0.0}
        assert ev.results() == []
    finally:
        measure.release.set()
        ev.close()


class ThreadCountMeasure(Measure):
    """Records how many CPU threads torch uses inside the evaluator thread."""

    def __call__(self, generator):
        return {"threads": torch.get_num_threads()}


@pytest.mark.skipif(torch.get_num_threads() < 2, reason="needs a multi-threaded torch to tell the counts apart")
def test_the_evaluator_runs_torch_inline_and_leaves_the_training_thread_its_threads():
    """A second OpenMP team would slow the training thread's team for the rest of the run
    (gancore/training/threads.py): the evaluator's ops run on its own thread alone."""
    before = torch.get_num_threads()
    ev = SideEvaluator(ThreadCountMeasure(), torch.nn.Linear(2, 2))
    try:
        assert ev.offer(1, torch.nn.Linear(2, 2))
        ev.wait_idle(timeout=10)
        (result,) = ev.results()
        assert result["metrics"] == {"threads": 1}
    finally:
        ev.close()
    assert torch.get_num_threads() == before
    seen = []
    fresh = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    fresh.start()
    fresh.join()
    assert seen == [before], "a new thread (the next run's) still gets every thread"


@pytest.mark.skipif(torch.get_num_threads() < 2, reason="needs a multi-threaded torch to tell the counts apart")
def test_a_helper_thread_runs_torch_inline_while_the_main_thread_keeps_its_count():
    before = torch.get_num_threads()
    seen = {}

    def helper():
        seen["took effect"] = run_torch_inline_in_this_thread()
        seen["threads"] = torch.get_num_threads()
        seen["sum"] = float((torch.ones(256, 256) @ torch.ones(256, 256)).sum())  # still computes

    thread = threading.Thread(target=helper)
    thread.start()
    thread.join()
    assert seen == {"took effect": True, "threads": 1, "sum": 256.0 ** 3}
    assert torch.get_num_threads() == before, "the calling thread's limit is its own"


def test_evaluations_take_at_most_their_share_of_the_time():
    clock = FakeClock()

    class TimedMeasure(Measure):
        def __call__(self, generator):
            clock.now += 2.0  # an evaluation "takes" 2 s
            return {"ok": 1}

    ev = SideEvaluator(TimedMeasure(), torch.nn.Linear(2, 2), max_share=0.05, clock=clock)
    try:
        assert ev.offer(1, torch.nn.Linear(2, 2))
        ev.wait_idle(timeout=10)
        clock.now += 30.0  # 2 s of work every 32 s would be over 5 %
        assert not ev.offer(2, torch.nn.Linear(2, 2))
        clock.now += 10.0  # 2 / (2 + 40) < 5 %: allowed again
        assert ev.offer(3, torch.nn.Linear(2, 2))
        ev.wait_idle(timeout=10)
        assert ev.offer(4, torch.nn.Linear(2, 2), force=True), "the final measurement is never skipped"
        ev.wait_idle(timeout=10)
        assert [r["step"] for r in ev.results()] == [1, 3, 4]
    finally:
        ev.close()


def test_a_failing_measure_is_reported_and_training_goes_on():
    class Broken(Measure):
        def __call__(self, generator):
            raise ValueError("no judge for this data")

    ev = SideEvaluator(Broken(), torch.nn.Linear(2, 2))
    try:
        ev.offer(5, torch.nn.Linear(2, 2))
        ev.wait_idle(timeout=10)
        (result,) = ev.results()
        assert result["step"] == 5 and "no judge for this data" in result["error"]
    finally:
        ev.close()


def _ring8(tmp_path, **kw):
    settings = dict(device="cpu", steps=300, log_every=50, eval_every=100, sample_every=1000,
                    checkpoint_every=100) | kw
    cfg = make_config("vanilla", "ring8", **settings)
    return start_run(cfg, RunStore(tmp_path))


def test_a_run_measures_mode_coverage_beside_training_and_always_at_the_end(tmp_path):
    trainer, run = _ring8(tmp_path)
    threads = set()
    trainer.subscribe(lambda e: threads.add(threading.get_ident()) if e.kind == "quality" else None)
    trainer.run()
    records = run.quality()
    assert records and records[-1]["step"] == 300, "the finished generator is always measured"
    assert all(r["step"] % 100 == 0 for r in records)
    assert {"modes", "total_modes", "high_quality", "reverse_kl", "seconds"} <= set(records[-1])
    assert records[-1]["total_modes"] == 8
    floor = run.quality_floor()
    assert floor["modes"] == 8 and floor["high_quality"] > 0.97, "real data scored the same way"
    assert threads == {threading.get_ident()}, "quality events come from the training thread"
    summary = RunStore(tmp_path).states()[0]
    assert summary.last_quality["step"] == 300


def test_measurement_can_be_turned_off(tmp_path):
    trainer, run = _ring8(tmp_path, eval_every=0)
    trainer.run()
    assert run.quality() == [] and run.quality_floor() is None


def test_resume_cuts_measurements_back_to_the_checkpoint(tmp_path):
    trainer, run = _ring8(tmp_path)
    trainer.run()
    (run.path / "quality.jsonl").write_text(
        (run.path / "quality.jsonl").read_text() + json.dumps({"step": 900, "modes": 1}) + "\n")
    trainer2, _ = resume_run(run, extra_steps=100)
    assert all(r["step"] <= 300 for r in run.quality()), "measurements past the checkpoint are dropped"
    trainer2.run()
    assert run.quality()[-1]["step"] == 400


def test_gancore_eval_prints_the_run_s_quality_as_json(tmp_path, capsys):
    trainer, run = _ring8(tmp_path)
    trainer.run()
    assert cli_main(["eval", "--run", str(run.path), "--device", "cpu"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["kind"], out["step"], out["dataset"]) == ("modes", 300, "ring8")
    assert out["metrics"]["total_modes"] == 8 and out["floor"]["modes"] == 8
    assert out["history"][-1]["step"] == 300


def test_gancore_eval_says_when_nothing_can_be_measured(tmp_path, capsys):
    cfg = make_config("vanilla", "spiral", device="cpu", steps=20, log_every=10)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    assert run.quality() == [], "no measure for the spiral: nothing measured, nothing fails"
    assert cli_main(["eval", "--run", str(run.path)]) == 2
    assert "no quality measure for spiral" in capsys.readouterr().err


@pytest.mark.parametrize("variant,dataset,kind", [("vanilla", "ring8", "modes"), ("vanilla", "grid25", "modes"),
                                                  ("vanilla", "moons", None), ("dcgan", "glyphs", "images"),
                                                  ("cdcgan", "mnist", "images")])
def test_quality_kind_is_known_before_loading_data(variant, dataset, kind):
    assert quality_kind(make_config(variant, dataset)) == kind


def test_an_image_run_measures_classifier_feature_quality_beside_training(tmp_path):
    from gancore.training.trainer import Trainer
    from tiny_data import tiny_images

    data = tiny_images(n=240, size=16, classes=4)
    cfg = make_config("cdcgan", "glyphs", device="cpu", steps=30, batch_size=16, log_every=10,
                      eval_every=10, sample_every=1000, checkpoint_every=1000, image_size=16)
    trainer = Trainer(cfg, data)
    events = []
    trainer.subscribe(lambda e: events.append(e) if e.kind == "quality" else None)
    trainer.run()
    assert events and events[-1].step == 30, "the end is always measured"
    metrics = events[-1].data["metrics"]
    assert {"fcd", "classifier_score", "precision", "recall", "density", "coverage"} <= set(metrics)
    assert 0.0 <= metrics["label_accuracy"] <= 1.0 and len(metrics["per_class_accuracy"]) == 4
    floor = events[0].data["floor"]
    assert floor["fcd"] >= 0 and 0.0 <= floor["judge_holdout_accuracy"] <= 1.0


def test_a_run_shorter_than_one_interval_is_not_held_up_by_measuring(tmp_path):
    trainer, run = _ring8(tmp_path, steps=50, eval_every=100)
    trainer.run()
    assert run.quality() == [], "`gancore eval` measures it afterwards"
