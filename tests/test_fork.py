"""Runs as experiments: names and notes, and forks from a kept checkpoint with changed settings
(their lineage, what they may change, and that they continue the parent exactly)."""
from __future__ import annotations

import json
import time

import pytest
import torch

from app_pages import open_app
from gancore import ConfigError, RunError, RunStore, make_config
from gancore.cli import main
from gancore.runs.fork import parent_records, plan_fork, start_fork
from gancore.runs.launch import start_run
from gancore.runs.meta import MAX_NAME, RunMeta

LOSSES = ("loss_d", "loss_g", "d_real", "d_fake")


def _cfg(**kw):
    base = dict(device="cpu", steps=300, batch_size=32, log_every=25, sample_every=100,
                checkpoint_every=100, keep_checkpoints=5, eval_every=0, hidden_dim=32)
    return make_config("vanilla", "ring8", **(base | kw))


@pytest.fixture
def parent(tmp_path):
    trainer, run = start_run(_cfg(), RunStore(tmp_path), "parent", meta=RunMeta(name="first try"))
    trainer.run()
    return run


def _losses(records, after=0):
    return [(r["step"], *(round(r[k], 5) for k in LOSSES)) for r in records if r["step"] > after]


def test_a_fork_records_its_lineage_and_changed_settings_and_leaves_its_parent_alone(parent, tmp_path):
    before = (parent.metrics(), [p.name for p in parent.checkpoint_files()])
    plan = plan_fork(parent, "step_0000100.pt", {"lr_d": 1e-4, "n_critic": 2, "steps": 400})
    trainer, fork = start_fork(plan, RunStore(tmp_path), meta=plan.meta("slower D", "half the D rate"))
    assert trainer.step == 100, "the fork continues the parent's step count"
    trainer.run()
    meta = fork.meta()
    assert (meta.parent, meta.fork_step, meta.fork_checkpoint) == ("parent", 100, "step_0000100.pt")
    assert (meta.name, meta.note) == ("slower D", "half the D rate")
    cfg = fork.config()
    assert (cfg.lr_d, cfg.n_critic, cfg.steps) == (1e-4, 2, 400)
    assert (cfg.lr_g, cfg.model.hidden_dim) == (parent.config().lr_g, 32), "the rest is the parent's"
    assert [r["step"] for r in fork.metrics()][0] == 125, "its own records start after the fork"
    assert fork.state().status == "finished" and fork.state().step == 400
    assert (parent.metrics(), [p.name for p in parent.checkpoint_files()]) == before
    assert [r["step"] for r in parent_records(RunStore(tmp_path), meta)] == [10, 25, 50, 75, 100]


def test_a_fork_with_nothing_changed_continues_its_parent_exactly(parent, tmp_path):
    """Weights, optimizer state and the batch/noise stream all come from the checkpoint: on
    CPU the fork's losses after step 100 are the parent's, to the last digit logged."""
    plan = plan_fork(parent, "step_0000100.pt", {})
    trainer, fork = start_fork(plan, RunStore(tmp_path))
    trainer.run()
    assert _losses(fork.metrics()) == _losses(parent.metrics(), after=100)


def test_a_changed_seed_gives_the_fork_its_own_batches(parent, tmp_path):
    plan = plan_fork(parent, "step_0000100.pt", {"seed": 7})
    trainer, fork = start_fork(plan, RunStore(tmp_path))
    trainer.run()
    assert _losses(fork.metrics()) != _losses(parent.metrics(), after=100)


def test_changed_betas_reach_the_optimizers(parent, tmp_path):
    plan = plan_fork(parent, "latest.pt", {"beta1": 0.0, "beta2": 0.9, "steps": 350})
    trainer, _ = start_fork(plan, RunStore(tmp_path))
    assert {g["betas"] for opt in (trainer.opt_g, trainer.opt_d) for g in opt.param_groups} == {(0.0, 0.9)}
    trainer.stop()
    trainer.run()


@pytest.mark.parametrize("changes, field, words", [
    ({"latent_dim": 8}, "latent_dim", "cannot change noise size"),
    ({"hidden_dim": 64}, "hidden_dim", "start a new run for that"),
    ({"variant": "wgan_gp"}, "variant", "cannot change gan variant"),
    ({"dataset": "grid25"}, "dataset", "cannot change dataset"),
    ({"steps": 100}, "steps", "must plan more steps than that"),
    ({"lr_g": 5.0}, "lr_g", "at most 1"),
    ({"colour": 3}, "colour", "unknown setting"),
])
def test_a_refused_fork_says_why_and_creates_nothing(parent, tmp_path, changes, field, words):
    with pytest.raises(ConfigError) as caught:
        plan_fork(parent, "step_0000100.pt", changes)
    assert caught.value.field == field and words in caught.value.message.lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parent"]


def test_a_fork_from_broken_weights_or_an_imported_run_is_refused(parent):
    state = parent.load_checkpoint("step_0000200.pt")
    next(iter(state["discriminator"].values())).fill_(float("nan"))
    torch.save(state, parent.checkpoints_dir / "step_0000200.pt")
    with pytest.raises(RunError, match="NaN or infinite.*pick an earlier checkpoint"):
        plan_fork(parent, "step_0000200.pt")
    (parent.path / "meta.json").write_text(json.dumps({"imported": True, "source": "elsewhere"}))
    with pytest.raises(RunError, match="imported from a bundle.*cannot be trained further or forked"):
        plan_fork(parent)


def test_names_and_notes_are_checked_and_shown_in_listings(parent, tmp_path):
    assert parent.state().label == "first try (parent)"
    with pytest.raises(RunError, match=f"at most {MAX_NAME} characters"):
        parent.edit_meta(name="x" * (MAX_NAME + 1))
    with pytest.raises(RunError, match="one line"):
        parent.edit_meta(name="two\nlines")
    assert parent.meta().name == "first try", "a refused name changes nothing"
    parent.edit_meta(name="  digits, take 2 ", note="lower D rate next")
    [state] = RunStore(tmp_path).states()
    assert (state.name, state.meta.note) == ("digits, take 2", "lower D rate next")
    (parent.path / "meta.json").write_text("{not json")
    assert RunStore(tmp_path).states()[0].label == "parent", "an unreadable meta.json: unnamed"


def test_the_cli_names_runs_forks_them_and_refuses_architecture_changes(tmp_path, capsys):
    flags = ["--runs-dir", str(tmp_path), "--variant", "vanilla", "--dataset", "ring8", "--steps", "200",
             "--checkpoint-every", "100", "--eval-every", "0", "--hidden-dim", "16", "--quiet",
             "--device", "cpu", "--run-id", "p"]
    assert main(["train", *flags, "--name", "cli run"]) == 0
    assert main(["fork", "--run", str(tmp_path / "p"), "--checkpoint", "step_0000100.pt",
                 "--lr-g", "0.0001", "--steps", "250", "--name", "cli fork", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["fork", "--run", str(tmp_path / "p"), "--base-channels", "64"]) == 2
    assert "--base-channels: a fork continues its parent's networks" in capsys.readouterr().err
    assert main(["list", "--runs-dir", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "cli run (p)" in listing and "cli fork (" in listing
    [fork] = [s for s in RunStore(tmp_path).states() if s.meta.forked]
    assert (fork.meta.parent, fork.meta.fork_step, fork.cfg.lr_g, fork.step) == ("p", 100, 1e-4, 250)


def _wait_for(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    return condition()


def test_the_runs_page_names_forks_and_shows_lineage(parent, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/runs.py", run="parent")
    assert not at.exception
    row = at.dataframe[0].value.iloc[0]
    assert (row["name"], row["run"], row["origin"]) == ("first try", "parent", "")

    at.text_input(key="fork-parent-300-name").set_value("faster G")
    at.text_input(key="fork-parent-300-lr_g").set_value("0.0004")
    at.text_input(key="fork-parent-300-steps").set_value("350")
    at.button(key="fork-parent-300-go").click().run()
    assert not at.exception
    assert _wait_for(lambda: [s for s in RunStore(tmp_path).states() if s.meta.forked
                              and s.status.final]), "the fork trained to its end"
    [fork] = [s for s in RunStore(tmp_path).states() if s.meta.forked]
    assert (fork.name, fork.cfg.lr_g, fork.meta.fork_step) == ("faster G", 4e-4, 300)

    at = open_app("views/runs.py", run="parent")
    table = at.dataframe[0].value
    assert table[table["run"] == fork.run_id].iloc[0]["origin"] == "fork of first try at step 300"
    assert any("Forked from it: faster G" in m for m in (e.value for e in at.markdown))

    at = open_app("views/monitor.py", run=fork.run_id)
    assert not at.exception
    assert any("faster G" in m for m in (e.value for e in at.markdown))
    assert any("curves up to step 300 are the parent's" in c.value for c in at.caption)


def test_a_refused_fork_setting_is_said_beside_its_field(parent, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/runs.py", run="parent")
    at.text_input(key="fork-parent-300-lr_d").set_value("3")
    at.button(key="fork-parent-300-go").click().run()
    assert not at.exception
    assert any("at most 1" in e.value for e in at.error)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["parent"]


def test_the_name_and_note_editor_saves_and_refuses_in_words(parent, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/monitor.py", run="parent")
    [name] = [t for t in at.text_input if t.label == "Name"]
    name.set_value("ring, small nets")
    [note] = [t for t in at.text_area if t.label == "Note"]
    note.set_value("[a link](http://example.com) stays text")
    [save] = [b for b in at.button if b.label == "Save name and note"]
    save.click().run()
    assert not at.exception
    assert (parent.meta().name, parent.meta().note) == ("ring, small nets", "[a link](http://example.com) stays text")
    at = open_app("views/runs.py", run="parent")
    assert any(t.value == "Note: [a link](http://example.com) stays text" for t in at.text), \
        "a note is shown as typed, never as markdown"
