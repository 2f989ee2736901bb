"""The training loop: metrics, determinism, events, and pause / resume / stop from another thread."""
import threading
import time

import pytest
import torch

from gancore import Trainer, create_gan, make_config, train
from gancore.training.step import TwoPhaseStep
from tiny_data import tiny_images, tiny_points

METRIC_KEYS = {"step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g",
               "images_per_s", "wall_time"}


def _cfg(**kw):
    base = dict(steps=40, batch_size=32, log_every=10, sample_every=20, checkpoint_every=20, device="cpu")
    base.update(kw)
    return make_config(kw.pop("variant", "vanilla"), "ring8", **{k: v for k, v in base.items() if k != "variant"})


def test_metrics_are_recorded_every_log_every_steps_with_every_field():
    _, records = train(_cfg(), tiny_points())
    assert [r["step"] for r in records] == [10, 20, 30, 40]
    for r in records:
        assert METRIC_KEYS <= set(r)
        assert 0.0 <= r["d_real"] <= 1.0 and 0.0 <= r["d_fake"] <= 1.0, "BCE scores are probabilities"
        assert r["images_per_s"] > 0


def test_a_fresh_run_logs_early_once_so_the_first_chart_point_comes_soon():
    _, records = train(_cfg(steps=60, log_every=25), tiny_points())
    assert [r["step"] for r in records] == [10, 25, 50, 60]
    # the early window covers steps 1-10, the next one steps 11-25: every step counted once
    assert records[1]["images_per_s"] > 0


def test_wgan_scores_are_raw_critic_values():
    """D(x) is logged as the critic's own mean score, not squashed into a probability."""
    cfg, data = _cfg(variant="wgan_gp"), tiny_points()
    _, records = train(cfg, data)
    assert records and all({"d_real", "d_fake"} <= set(r) for r in records)
    torch.manual_seed(0)
    gan = create_gan(cfg, data.info)
    last = [m for m in gan.discriminator.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        last.bias.fill_(5.0)  # scores far outside (0, 1): a probability could not be 5
    real, _ = data.batch(32, torch.Generator().manual_seed(1))
    with torch.no_grad():
        raw = gan.discriminator(real, None).mean().item()
    step = TwoPhaseStep(gan, torch.optim.SGD(gan.generator.parameters(), 0.0),
                        torch.optim.SGD(gan.discriminator.parameters(), 0.0), 1, cfg.model.gp_lambda)
    _, d_real, _, _ = step.d_step(real, None, torch.Generator().manual_seed(2))
    assert raw > 2 and d_real.item() == pytest.approx(raw, rel=1e-5)


def test_same_seed_on_cpu_gives_the_same_metrics():
    a = train(_cfg(seed=3), tiny_points())[1]
    b = train(_cfg(seed=3), tiny_points())[1]
    c = train(_cfg(seed=4), tiny_points())[1]
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("images_per_s", "wall_time")} for r in rs]  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_events_come_in_order_and_samples_are_pngs():
    trainer = Trainer(_cfg(), tiny_points())
    kinds = []
    trainer.subscribe(lambda e: kinds.append((e.kind, e.step, e.data)))
    assert trainer.run() == "finished"
    names = [k for k, _, _ in kinds]
    assert names[0] == "started" and names[-1] == "finished"
    pngs = [d["png"] for k, _, d in kinds if k == "samples"]
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert [s for k, s, _ in kinds if k == "samples"] == [10, 20, 40], "a first picture at the first log"
    assert [s for k, s, _ in kinds if k == "checkpoint"] == [20, 40]


def test_conditional_preview_has_one_row_per_class():
    from PIL import Image
    import io

    data = tiny_images(classes=10)
    cfg = make_config("cdcgan", "glyphs", steps=1, batch_size=8, base_channels=8, device="cpu")
    trainer = Trainer(cfg, data)
    pngs = []
    trainer.subscribe(lambda e: pngs.append(e.data["png"]) if e.kind == "samples" else None)
    trainer.run()
    img = Image.open(io.BytesIO(pngs[0]))
    # 10 rows of 10 images of 28 px (+2 px padding), drawn at 2x
    assert img.size == (2 * (10 * 30 + 2), 2 * (10 * 30 + 2))


def _run_in_thread(trainer):
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    return thread


def _wait_for(predicate, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_pause_resume_and_stop_take_effect_within_one_step():
    trainer = Trainer(_cfg(steps=1_000_000, log_every=1000), tiny_points())
    steps_seen = []
    trainer.subscribe(lambda e: steps_seen.append((e.kind, e.step)))
    thread = _run_in_thread(trainer)
    assert _wait_for(lambda: trainer.step > 5)

    trainer.pause()
    assert _wait_for(lambda: trainer.status == "paused")
    paused_at = trainer.step
    time.sleep(0.2)
    assert trainer.step == paused_at, "no step runs while paused"

    trainer.resume()
    assert _wait_for(lambda: trainer.step > paused_at)
    requested_at = trainer.step
    trainer.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert trainer.status == "stopped"
    assert trainer.step <= requested_at + 1, "stop lands within one step"
    assert ("checkpoint", trainer.step) in steps_seen, "a stop saves a checkpoint first"


def test_stop_while_paused_ends_the_run():
    trainer = Trainer(_cfg(steps=1_000_000, log_every=1000), tiny_points())
    thread = _run_in_thread(trainer)
    trainer.pause()
    assert _wait_for(lambda: trainer.status == "paused")
    trainer.stop()
    thread.join(timeout=20)
    assert trainer.status == "stopped"


def test_a_failure_is_reported_as_an_event_then_raised():
    trainer = Trainer(_cfg(), tiny_points())
    events = []
    trainer.subscribe(lambda e: events.append(e))

    def broken(*_):
        raise RuntimeError("boom")
    trainer.step_fn = broken
    with pytest.raises(RuntimeError):
        trainer.run()
    assert events[-1].kind == "failed" and "boom" in events[-1].data["message"]


def test_checkpoint_state_is_plain_data_loadable_with_weights_only(tmp_path):
    trainer = Trainer(_cfg(), tiny_points())
    trainer.run()
    torch.save(trainer.checkpoint_state(), tmp_path / "c.pt")
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state["step"] == 40 and state["config"]["model"]["variant"] == "vanilla"
    again = Trainer(_cfg(steps=60), tiny_points(), checkpoint=state)
    assert again.step == 40
    for a, b in zip(again.gan.generator.parameters(), trainer.gan.generator.parameters()):
        assert torch.equal(a, b)
