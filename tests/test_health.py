"""Health alerts (gancore/health): each detector on made-up records, then purposely broken real
runs (their alerts appear, recorded in the run folder, listed, printed), and the recorded
numbers of healthy default runs of every variant (no alert)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gancore import RunStore, make_config
from gancore.cli import main as cli_main
from gancore.health import THRESHOLDS, Alert, HealthContext, HealthWatch, KINDS
from gancore.registry import list_variants
from gancore.runs.launch import resume_run, start_run
from gancore.runs.remedies import remedies_for
from gancore.runs.state import RunState, Status, reduce
from gancore.training.trainer import Event

HEALTHY = Path(__file__).parent / "data" / "healthy_default_runs.json"
STEPS = 10_000
CTX = HealthContext(STEPS, probability_scores=True, adversarial_only=True)


def _rec(step, d_real=0.55, d_fake=0.45, loss_d=1.3, loss_g=0.8, gd=2.0, gg=3.0, **more):
    return {"step": step, "loss_d": loss_d, "loss_g": loss_g, "d_real": d_real, "d_fake": d_fake,
            "grad_norm_d": gd, "grad_norm_g": gg, **more}


def _feed(records, ctx=CTX, quality=()):
    watch = HealthWatch(ctx)
    return watch, watch.replay(records, list(quality))


def _opened(changes) -> set[str]:
    return {c.kind for c in changes if c.open}


def healthy(steps=range(50, STEPS + 1, 50)):
    return [_rec(s) for s in steps]


def test_a_healthy_run_raises_nothing():
    assert _feed(healthy())[1] == []


def test_the_discriminator_wins_only_when_sustained_and_closes_when_it_stops():
    ctx_warm = CTX.warmup
    records = [_rec(s, 0.99, 0.01) if ctx_warm <= s < ctx_warm + THRESHOLDS.d_wins_steps // 2 else _rec(s)
               for s in range(50, STEPS + 1, 50)]
    assert _feed(records)[1] == [], "a short win is part of a healthy run"
    start, end = 3000, 6000
    records = [_rec(s, 0.99, 0.01) if start <= s < end else _rec(s) for s in range(50, STEPS + 1, 50)]
    watch, changes = _feed(records)
    opened = [c for c in changes if c.open]
    assert [c.kind for c in opened] == ["d_wins"] and opened[0].since == start
    assert "D(x) 0.990" in opened[0].what
    closed = [c for c in changes if not c.open]
    assert closed and closed[0].closed_at == end + 50 * (THRESHOLDS.close_records - 1)


def test_the_discriminator_winning_is_not_judged_on_critic_scores_or_beside_a_content_loss():
    records = [_rec(s, 0.99, 0.01) for s in range(50, STEPS + 1, 50)]
    for ctx in (HealthContext(STEPS, False, True), HealthContext(STEPS, True, False)):
        assert "d_wins" not in _opened(_feed(records, ctx)[1])


def test_an_explosion_against_the_early_level_and_from_the_first_step():
    records = healthy(range(50, 2001, 50)) + [_rec(2050, loss_g=150.0)] + healthy(range(2100, 3001, 50))
    changes = _feed(records)[1]
    assert _opened(changes) == {"explosion"}
    assert "loss_g 150" in changes[0].what and changes[0].since == 2050
    assert not changes[-1].open, "it closes once the numbers are back"
    from_start = [_rec(s, loss_g=3e10, gg=2e6) for s in range(10, 500, 10)]
    changes = _feed(from_start)[1]
    assert _opened(changes) == {"explosion"} and changes[0].since == 10


def test_a_vanishing_generator_gradient():
    records = healthy(range(50, 2001, 50)) + [_rec(s, gg=1e-7) for s in range(2050, 3001, 50)]
    changes = _feed(records)[1]
    assert _opened(changes) == {"vanishing_gradient"}
    assert changes[0].since == 2050


def test_mode_collapse_from_the_live_spread_and_from_the_measured_modes():
    records = [_rec(s, spread=(1.0 if s < 3000 else 0.02)) if s % 500 == 0 else _rec(s)
               for s in range(50, 5001, 50)]
    changes = _feed(records)[1]
    assert _opened(changes) == {"mode_collapse"} and changes[0].since == 3000
    quality = [{"step": s, "modes": m, "total_modes": 8, "high_quality": 0.9}
               for s, m in ((1000, 8), (2000, 8), (3000, 3), (4000, 3))]
    changes = _feed(healthy(range(50, 4001, 50)), quality=quality)[1]
    assert _opened(changes) == {"mode_collapse"}
    assert changes[0].since == 3000 and "modes 3, down from 8" in changes[0].what


def test_no_progress_is_a_regression_or_a_flat_start_never_a_plateau():
    def run(values, metric="fcd"):
        quality = [{"step": 1000 * (i + 1), metric: v} for i, v in enumerate(values)]
        return _opened(_feed(healthy(range(50, 1000 * len(values) + 1, 50)), quality=quality)[1])
    assert run([100, 40, 20, 12, 12.2, 11.9, 12.1]) == set(), "a plateau after improving is convergence"
    assert run([100, 40, 20, 30, 31, 35, 40]) == {"no_progress"}, "worse than its best, four times"
    assert run([100, 99, 101, 98, 100, 99]) == {"no_progress"}, "never better than the first"
    assert run([0.5, 0.52, 0.51, 0.5, 0.53, 0.5], "high_quality") == {"no_progress"}
    assert run([0.6, 0.98, 0.98, 0.98, 0.98, 0.98], "high_quality") == set()


def test_a_nan_alert_never_closes():
    records = healthy(range(50, 1001, 50)) + [_rec(1050, loss_g=float("nan"), nonfinite=True)] + healthy(range(1100, 2001, 50))
    changes = _feed(records)[1]
    assert [(c.kind, c.open) for c in changes] == [("nonfinite", True)]


def test_alerts_are_a_function_of_the_records_live_or_replayed():
    records = [_rec(s, 0.99, 0.01) if s >= 3000 else _rec(s) for s in range(50, 6001, 50)]
    live = HealthWatch(CTX)
    changes = [c for r in records for c in live.observe_metrics(r)]
    assert changes == _feed(records)[1] and live.open.keys() == {"d_wins"}


def test_every_alert_has_words_and_its_record_round_trips():
    for kind, words in KINDS.items():
        assert words.title and words.why and words.advice, kind
        alert = Alert(kind, 10, "numbers")
        assert Alert.from_dict(json.loads(json.dumps(alert.to_dict()))) == alert
    assert Alert.from_dict({"kind": "no such kind", "since": 1}) is None


def test_a_finished_run_with_an_open_alert_is_finished_with_warnings():
    alert = Alert("d_wins", 10, "D(x) 1.000").to_dict()
    state = reduce(RunState("r", Status.RUNNING), Event("alert", 20, {"alert": alert}))
    state = reduce(state, Event("finished", 30, {}))
    assert state.status_words == "finished with warnings" and state.warnings == "the discriminator wins"
    closed = dict(alert, open=False, closed_at=25)
    assert reduce(state, Event("alert", 30, {"alert": closed})).status_words == "finished"
    again = RunState.from_json("r", state.to_json())
    assert again.alerts == state.alerts


# ---- real runs, purposely broken ------------------------------------------------------------
def _broken(tmp_path, run_id, **settings):
    # small networks: the alerts come from the learning rates, and the test stays quick
    cfg = make_config("vanilla", "ring8", device="cpu", log_every=50, sample_every=250,
                      checkpoint_every=500, eval_every=0, hidden_dim=32, hidden_layers=2,
                      batch_size=32, **settings)
    trainer, run = start_run(cfg, RunStore(tmp_path), run_id)
    trainer.run()
    return run


def test_learning_rate_1_on_ring8_explodes_and_collapses(tmp_path, capsys):
    run = _broken(tmp_path, "lr1", lr_g=1.0, lr_d=1.0, steps=1500)
    state = run.state()
    assert {"explosion", "mode_collapse"} <= {a["kind"] for a in state.alerts}
    assert "mode_collapse" in {a["kind"] for a in state.alerts if a["open"]}
    assert state.status == Status.FINISHED and state.status_words == "finished with warnings"
    lines = (run.path / "alerts.jsonl").read_text().splitlines()
    assert lines and all(json.loads(line)["kind"] in KINDS for line in lines)

    assert cli_main(["list", "--runs-dir", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "finished with warnings" in listing and "mode collapse" in listing
    assert cli_main(["alerts", "--run", str(run.path)]) == 0
    printed = capsys.readouterr().out
    assert "OPEN   mode collapse from step" in printed and "why it matters" in printed
    assert "the loss explodes from step 10" in printed
    assert "python -m gancore train --variant wgan_gp" in printed


def test_a_discriminator_far_faster_than_the_generator_wins_and_a_roll_back_undoes_it(tmp_path):
    run = _broken(tmp_path, "fast-d", lr_d=0.02, lr_g=1e-6, steps=2000)
    opened = {a["kind"]: a for a in run.state().alerts if a["open"]}
    assert "d_wins" in opened and opened["d_wins"]["since"] >= THRESHOLDS.warmup(2000)
    names = [r.name for r in remedies_for(run, Alert.from_dict(opened["d_wins"]))]
    assert names == ["slower_discriminator", "stable_loss"]

    # the roll-back to a checkpoint from before the alert opened: what came after it goes
    trainer, run = resume_run(run, extra_steps=100, lr_scale=0.5, checkpoint="step_0001000.pt")
    assert trainer.step == 1000 and trainer.cfg.lr_d == pytest.approx(0.01)
    assert opened["d_wins"] not in run.state().alerts, "it opened after step 1,000"
    assert max(int(p.stem[5:]) for p in run.sample_files()) <= 1000
    assert [p.name for p in run.checkpoint_files()] == ["step_0001000.pt"]
    assert max(r["step"] for r in run.metrics()) <= 1000
    trainer.run()
    assert run.state().status == Status.FINISHED and trainer.step == 1100


# ---- healthy default runs: their recorded numbers raise nothing -----------------------------
def _healthy_runs():
    return json.loads(HEALTHY.read_text())


def test_the_recorded_healthy_runs_cover_every_variant():
    assert {r["variant"] for r in _healthy_runs()} == set(list_variants())


@pytest.mark.parametrize("recorded", _healthy_runs(), ids=lambda r: r["name"])
def test_a_healthy_default_run_raises_no_alert(recorded):
    ctx = HealthContext(recorded["steps"], recorded["probability_scores"], recorded["adversarial_only"])
    watch = HealthWatch(ctx)
    changes = watch.replay(recorded["metrics"], recorded["quality"], recorded["floor"])
    assert [c.summary() for c in changes] == []
