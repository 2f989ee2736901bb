"""Faults: a loss that turns NaN pauses the run (never saves broken weights) and rolls back with a
lower learning rate; running out of GPU memory (injected, on the CPU) stops cleanly and says which
batch size fits; nothing else is lost."""
import math
import threading
import time

import torch

from gancore import RunStore, make_config, resume_run
from gancore.runs.jobs import JobManager
from gancore.training.step import TwoPhaseStep
from gancore.training.trainer import Trainer


def _cfg(**kw):
    base = dict(steps=100, batch_size=32, log_every=10, sample_every=1000, checkpoint_every=20,
                device="cpu", num_samples=2000, lr_decay=False)
    base.update(kw)
    return make_config("vanilla", "ring8", **base)


def _break_weights_after(trainer, step):
    """Simulate a blow-up: right after the checkpoint at `step`, D's weights become NaN."""
    def listener(event):
        if event.kind == "checkpoint" and event.step == step:
            with torch.no_grad():
                next(trainer.gan.discriminator.parameters()).fill_(float("nan"))
    trainer.subscribe(listener)


def _wait(predicate, timeout=30):
    end = time.time() + timeout
    while time.time() < end and not predicate():
        time.sleep(0.02)
    return predicate()


def test_nan_pauses_as_diverged_keeps_the_healthy_checkpoint_and_rolls_back(tmp_path):
    store = RunStore(tmp_path)
    trainer = Trainer(_cfg())
    run = store.create(trainer.cfg, "blowup")
    run.attach(trainer)
    _break_weights_after(trainer, 40)
    thread = threading.Thread(target=trainer.run, daemon=True)
    thread.start()
    assert _wait(lambda: trainer.status == "diverged"), "the run pauses, it does not crash"
    assert thread.is_alive()
    st = run.status()
    assert st["status"] == "diverged" and "diverged at step 50" in st["message"]
    assert any(not math.isfinite(r["loss_d"]) for r in run.metrics())
    trainer.stop()
    thread.join(timeout=30)
    assert run.status()["status"] == "stopped" and "diverged at step 50" in run.status()["message"]
    latest = run.load_checkpoint()
    assert latest["step"] == 40, "no checkpoint of broken weights"
    assert all(torch.isfinite(t).all() for t in latest["discriminator"].values())

    again, _ = resume_run(store.open("blowup"), lr_scale=0.5)
    assert again.step == 40 and again.opt_g.param_groups[0]["lr"] == trainer.cfg.lr_g * 0.5
    assert again.run() == "finished"
    assert run.status()["step"] == 100 and run.config().lr_d == trainer.cfg.lr_d * 0.5


def test_the_job_manager_rolls_back_a_diverged_run(tmp_path):
    manager = JobManager(RunStore(tmp_path))
    job = manager.start(_cfg(steps=60), run_id="j")
    assert _wait(lambda: job.trainer is not None)
    _break_weights_after(job.trainer, 20)
    assert _wait(lambda: job.snapshot().status == "diverged")
    assert "diverged at step 30" in job.snapshot().message
    new = manager.rollback("j", lr_scale=0.5)
    assert new is not job
    new.thread.join(timeout=60)
    snap = new.snapshot()
    assert snap.status == "finished" and snap.step == 60
    assert [m["step"] for m in snap.metrics][:2] == [10, 20], "the healthy history is kept"


class _OutOfMemoryStep(TwoPhaseStep):
    """Pretends to be a GPU with room for 8 samples: the real step always runs out of memory."""

    def __call__(self, sample_batch, rng, adversarial=True):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    def trial(self, real, labels):
        if real.shape[0] > 8:
            raise torch.OutOfMemoryError("CUDA out of memory")
        super().trial(real, labels)


def test_out_of_memory_stops_cleanly_and_says_which_batch_size_fits(tmp_path):
    store = RunStore(tmp_path)
    trainer = Trainer(_cfg(batch_size=64))
    run = store.create(trainer.cfg, "oom")
    run.attach(trainer)
    trainer.step_fn.__class__ = _OutOfMemoryStep
    assert trainer.run() == "stopped"
    st = run.status()
    assert st["status"] == "stopped"
    assert st["message"] == "ran out of memory at batch size 64; batch size 8 fits: resume with --batch-size 8"
    assert run.load_checkpoint()["step"] == 0, "the state at the failure is saved"

    again, _ = resume_run(store.open("oom"), extra_steps=20, batch_size=8)
    assert again.cfg.batch_size == 8 and again.run() == "finished"
