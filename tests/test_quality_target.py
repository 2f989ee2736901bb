"""A quality target (stop_at_quality, gancore/quality/target.py): what the checks allow and say,
a run that reaches it ends early as finished, one that does not runs all its steps, and the
Monitor says how close the latest measurement is."""
import re

import pytest
import torch

from dashboard.components.form_spec import form_fields
from dashboard.components.run_view import RunView
from dashboard.monitor.quality_part import quality_blocks
from gancore import ConfigError, Trainer, make_config
from gancore.config import TrainConfig, config_errors
from gancore.quality.target import QualityTarget, parse_target
from tiny_data import tiny_points


def _errors(variant="vanilla", dataset="ring8", **kw) -> dict:
    """The problems of a config as a form hands it over, not yet validated."""
    return config_errors(TrainConfig().replace(variant=variant, dataset=dataset, **kw))


# ---- what the checks allow and say ----------------------------------------------------------
def test_targets_the_runs_measure_produces_are_allowed():
    assert not _errors(stop_at_quality="modes>=8")
    assert not _errors(stop_at_quality=" high_quality >= 90% ")
    assert not _errors(stop_at_quality="reverse_kl<=0.1")
    assert not _errors("cdcgan", "mnist", stop_at_quality="label_accuracy>=0.95")
    assert not _errors("dcgan", "mnist", stop_at_quality="fcd<=2")
    assert not _errors("srgan", "mnist", stop_at_quality="psnr>=20")


@pytest.mark.parametrize("text, words", [
    ("label_accuracy>=0.95", "this run measures modes, high_quality, reverse_kl, not 'label_accuracy'; "
                             "write one of: modes>=X, high_quality>=X, reverse_kl<=X"),
    ("modes<=3", "modes captured is better higher, so its target reads modes>=X"),
    ("modes 8", "must read like modes>=...; for this run one of: modes>=X, high_quality>=X, reverse_kl<=X"),
    ("high_quality>=95", "high-quality samples is a share: write it from 0 to 1 (0.95) or as a percentage (95%)"),
    ("modes>=8%", "modes captured is not a percentage: leave out the %"),
])
def test_a_bad_target_is_refused_with_what_is_allowed(text, words):
    assert words in _errors(stop_at_quality=text)["stop_at_quality"]


def test_label_accuracy_is_a_target_only_for_conditional_runs():
    why = _errors("dcgan", "mnist", stop_at_quality="label_accuracy>=0.9")["stop_at_quality"]
    assert "not 'label_accuracy'" in why and "fcd<=X" in why


def test_a_run_without_a_quality_measure_cannot_have_a_target():
    why = _errors(dataset="moons", stop_at_quality="modes>=8")["stop_at_quality"]
    assert "not measured" in why and "leave it empty" in why


def test_a_target_needs_measurements_to_be_checked_against():
    assert "measuring is off" in _errors(stop_at_quality="modes>=8", eval_every=0)["stop_at_quality"]
    why = _errors(stop_at_quality="modes>=8", steps=500, eval_every=1000)["stop_at_quality"]
    assert "lower eval_every" in why
    with pytest.raises(ConfigError, match="stop_at_quality"):
        make_config("vanilla", "ring8", stop_at_quality="modes>=8", eval_every=0)


def test_a_target_reads_its_metrics_direction_and_percentages():
    target = parse_target("label_accuracy>=95%", ("label_accuracy", "fcd"))
    assert target == QualityTarget("label_accuracy", 0.95)
    assert target.met({"label_accuracy": 0.95}) and not target.met({"label_accuracy": 0.949})
    assert not target.met({"fcd": 1.0}), "a measurement without the metric does not reach it"
    fcd = parse_target("fcd<=2", ("label_accuracy", "fcd"))
    assert fcd.met({"fcd": 1.5}) and not fcd.met({"fcd": 2.5}) and not fcd.met({"fcd": float("nan")})
    assert target.distance_words({"label_accuracy": 0.91}) == "label accuracy 91.0 %, target 95 %"
    assert target.reached_words({"label_accuracy": 0.961}, 1800) == (
        "reached label accuracy 96.1 % (target 95 %) at step 1,800")


def test_the_train_form_shows_the_target_only_for_runs_with_a_quality_measure():
    assert "stop_at_quality" in [f.name for f in form_fields("vanilla", "ring8")]
    assert "stop_at_quality" in [f.name for f in form_fields("cdcgan", "mnist")]
    assert "stop_at_quality" not in [f.name for f in form_fields("vanilla", "moons")]


# ---- the run --------------------------------------------------------------------------------
def _run(target: str, steps: int):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=steps, batch_size=32, log_every=10,
                      sample_every=1000, checkpoint_every=100_000, eval_every=50, hidden_dim=16,
                      stop_at_quality=target)
    trainer = Trainer(cfg, tiny_points())
    events = []
    trainer.subscribe(events.append)  # a listener: quality is measured only for someone
    return trainer, trainer.run(), events


def test_a_target_met_ends_the_run_early_as_finished_with_a_checkpoint():
    # modes >= 0 holds at the first measurement, whatever the generator learned by then
    trainer, status, events = _run("modes>=0", steps=1_000_000)
    assert status.value == "finished" and trainer.step < 1_000_000
    end = events[-1]
    assert end.kind == "finished"
    measured_at = next(e.step for e in events if e.kind == "quality" and "metrics" in e.data)
    assert re.fullmatch(rf"reached modes captured \d \(target 0\) at step {measured_at:,}", end.data["message"])
    saved = [e for e in events if e.kind == "checkpoint"]
    assert saved and saved[-1].step == trainer.step, "the generator it ended with is saved"
    weights = trainer.gan.generator.state_dict()
    assert all(torch.equal(v, weights[k]) for k, v in saved[-1].data["state"]["generator"].items())
    assert any(e.kind == "samples" and e.step == trainer.step for e in events), "a last picture"


def test_a_target_never_met_runs_all_the_steps():
    trainer, status, events = _run("modes>=9", steps=120)  # ring8 has 8 modes
    assert status.value == "finished" and trainer.step == 120
    assert "message" not in events[-1].data
    assert any(e.kind == "quality" and "metrics" in e.data for e in events), "it was checked"


# ---- the Monitor ----------------------------------------------------------------------------
def _view(**kw) -> RunView:
    cfg = make_config("cdcgan", "mnist", device="cpu", steps=3000, **kw)
    return RunView(run_id="r1", cfg=cfg, status="running", step=1200, total=3000, metrics=[],
                   quality=[{"step": 1000, "label_accuracy": 0.91, "fcd": 3.2}])


def _no_charts(records, floor, words):
    return []


def test_the_monitor_says_how_close_the_latest_measurement_is():
    blocks = quality_blocks(_view(stop_at_quality="label_accuracy>=95%"), _no_charts)
    assert ("info", "Quality target: label accuracy 91.0 %, target 95 %.") in blocks
    met = quality_blocks(_view(stop_at_quality="fcd<=4"), _no_charts)
    assert ("info", "Quality target: Frechet classifier distance 3.200, target 4.000: reached.") in met
    assert not [c for k, c in quality_blocks(_view(), _no_charts) if "target" in str(c)]


def test_the_monitor_says_the_measurements_use_the_averaged_weights():
    caption = [c for k, c in quality_blocks(_view(g_ema_decay=0.999), _no_charts) if k == "caption"][0]
    assert "averaged weights (EMA, decay 0.999)" in caption
    plain = [c for k, c in quality_blocks(_view(g_ema_decay=0.0), _no_charts) if k == "caption"][0]
    assert "averaged" not in plain
