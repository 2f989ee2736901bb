"""The run store: folder layout, atomic writes, round trips, resume, and interrupted runs."""
import json
import os
import subprocess
import sys

import pytest
import torch

from gancore import RunError, RunStore, make_config, resume_run, validate_run_id
from gancore.runs.launch import start_run
from gancore.training.trainer import Trainer


def _cfg(**kw):
    base = dict(steps=60, batch_size=32, log_every=10, sample_every=30, checkpoint_every=20,
                keep_checkpoints=2, device="cpu", num_samples=2000)
    base.update(kw)
    return make_config("vanilla", "ring8", **base)


def _start(store, cfg, run_id=None):
    trainer = Trainer(cfg)  # ring8 from its source (2,000 points), as resume will load it
    run = store.create(cfg, run_id)
    run.attach(trainer)
    return trainer, run


def test_a_run_folder_holds_config_status_metrics_samples_and_checkpoints(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(), "r1")
    trainer.run()
    assert json.loads((run.path / "config.json").read_text()) == _cfg().to_dict()
    assert run.config() == _cfg()
    st = run.status()
    assert (st["status"], st["step"], st["total"]) == ("finished", 60, 60)
    assert [r["step"] for r in run.metrics()] == [10, 20, 30, 40, 50, 60]
    assert [p.name for p in run.sample_files()] == ["step_0000010.png", "step_0000030.png", "step_0000060.png"]
    assert [p.name for p in run.checkpoint_files()] == ["step_0000040.pt", "step_0000060.pt"], \
        "a bounded history: keep_checkpoints=2"
    latest = run.load_checkpoint()
    assert latest["step"] == 60
    assert not [p for p in run.path.rglob(".*")], "no temp files left behind"


def test_checkpoints_load_only_as_weights(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=20), "r1")
    trainer.run()

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))
    torch.save({"step": 1, "evil": Payload()}, run.checkpoints_dir / "evil.pt")
    with pytest.raises(RunError, match="cannot be loaded safely"):
        run.load_checkpoint("evil.pt")
    assert not (tmp_path / "pwned").exists(), "the pickle payload never ran"
    with pytest.raises(RunError, match="not allowed"):
        run.load_checkpoint("../config.json")


def test_a_crash_while_saving_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=20), "r1")
    trainer.run()
    before = run.load_checkpoint()["step"]

    def crash(obj, f, *a, **k):
        with open(f, "wb") as fh:
            fh.write(b"half a checkpoint")
        raise OSError("disk full")
    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError):
        run.save_checkpoint({"step": 999}, keep=2)
    assert run.load_checkpoint()["step"] == before


@pytest.mark.parametrize("keep", [0, 1, 3, 5])
def test_older_checkpoints_kept_keeps_that_many(tmp_path, keep):
    run = RunStore(tmp_path).create(_cfg(steps=20), "r1")
    for step in range(1, 5):
        run.save_checkpoint({"step": step}, keep=keep)
        assert len(run.checkpoint_files()) == min(step, keep), (keep, step)
    assert run.load_checkpoint()["step"] == 4, "latest.pt is the newest, whatever is kept beside it"


def test_torn_metrics_line_is_ignored(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=20), "r1")
    trainer.run()
    with open(run.path / "metrics.jsonl", "a") as f:
        f.write('{"step": 30, "loss_d"')  # a crash mid-append
    assert [r["step"] for r in run.metrics()] == [10, 20]


def test_resume_continues_steps_metrics_and_matches_an_uninterrupted_run(tmp_path):
    store = RunStore(tmp_path)
    # lr_decay off: with it, the schedule depends on the total, which the resume changes
    trainer, run = _start(store, _cfg(steps=40, lr_decay=False), "a")
    trainer.run()
    run.append_metrics({"step": 45, "loss_d": 0.0})  # logged after the checkpoint: must go
    trainer2, run2 = resume_run(store.open("a"), extra_steps=20)
    assert trainer2.step == 40
    assert trainer2.run() == "finished"
    steps = [r["step"] for r in run2.metrics()]
    assert steps == [10, 20, 30, 40, 50, 60]
    assert run2.status()["step"] == 60 and run2.config().steps == 60

    straight, _ = _start(store, _cfg(steps=60, lr_decay=False), "b")
    straight.run()
    for a, b in zip(straight.gan.generator.parameters(), trainer2.gan.generator.parameters()):
        assert torch.allclose(a, b, atol=1e-6), "resume continues exactly where it stopped"


def test_resume_a_finished_run_without_more_steps_says_how(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=20), "a")
    trainer.run()
    with pytest.raises(RunError, match="--steps N"):
        resume_run(run)


def test_a_run_whose_process_died_shows_as_interrupted(tmp_path):
    store = RunStore(tmp_path)
    run = store.create(_cfg(), "dead")
    code = ("import sys; from gancore.runs import Run; "
            f"Run({str(run.path)!r}).write_status('running', 7)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd())
    st = run.status()
    assert st["status"] == "interrupted" and "step 7" in st["message"]
    run.write_status("running", 8)  # this process is alive: running
    assert run.status()["status"] == "running"


@pytest.mark.parametrize("bad", ["../x", "../../etc", "/abs", "a/b", "", ".hidden", "a..b", "x" * 81, "a b"])
def test_run_ids_from_urls_and_forms_are_validated(tmp_path, bad):
    with pytest.raises(RunError, match="not allowed"):
        validate_run_id(bad)
    with pytest.raises(RunError):
        RunStore(tmp_path).open(bad)


def test_create_refuses_an_existing_id_and_leaves_nothing_half_made(tmp_path):
    store = RunStore(tmp_path)
    store.create(_cfg(), "same")
    with pytest.raises(RunError, match="already exists"):
        store.create(_cfg(), "same")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same"]


def test_start_run_with_bad_data_leaves_no_folder(tmp_path):
    from gancore import ConfigError

    cfg = make_config("dcgan", "mnist", data_dir=str(tmp_path / "nowhere"), download=False)
    with pytest.raises(ConfigError):
        start_run(cfg, RunStore(tmp_path / "runs"))
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_listing_and_delete(tmp_path):
    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=20), "one")
    trainer.run()
    (tmp_path / "junk").mkdir()  # not a run: skipped
    [summary] = store.states()
    assert (summary.run_id, summary.status, summary.step, summary.variant) == ("one", "finished", 20, "vanilla")
    assert summary.last_metrics["step"] == 20
    store.delete("one")
    assert store.states() == []


def test_a_checkpoint_for_another_architecture_gives_a_clear_message(tmp_path):
    from gancore.sampling import load_checkpoint_bytes, load_generator

    store = RunStore(tmp_path)
    trainer, run = _start(store, _cfg(steps=10), "a")
    trainer.run()
    state = run.load_checkpoint()
    state["config"]["model"]["hidden_dim"] = 64  # the weights were made for 128 units
    with pytest.raises(RunError, match="do not fit a vanilla generator for ring8"):
        load_generator(state)
    with pytest.raises(RunError, match="not a gancore checkpoint"):
        load_generator({"config": {"nonsense": 1}, "generator": {}})

    import io
    buf = io.BytesIO()
    torch.save(run.load_checkpoint(), buf)
    assert load_checkpoint_bytes(buf.getvalue())["step"] == 10
    with pytest.raises(RunError, match="cannot be loaded safely"):
        load_checkpoint_bytes(b"not a checkpoint")


def test_an_uploaded_checkpoint_with_a_pickle_payload_is_refused_without_running_it(tmp_path):
    import io
    from gancore.sampling import load_checkpoint_bytes

    marker = tmp_path / "payload-ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    buf = io.BytesIO()
    torch.save({"generator": {}, "x": Payload()}, buf)
    with pytest.raises(RunError, match="holds Python objects besides plain weights"):
        load_checkpoint_bytes(buf.getvalue())
    assert not marker.exists()
