"""The generator's weight average (g_ema_decay, gancore/training/ema.py): its arithmetic, the
pictures and measurements drawn from it, checkpoints that keep it (and older ones without it),
the Generate page's choice of weights, and `gancore sample --weights`."""
import io

import numpy as np
import pytest
import torch
from torch import nn

from app_pages import open_app
from gancore import RunError, RunStore, Trainer, make_config
from gancore.cli import main
from gancore.quality.live import SideEvaluator
from gancore.runs.launch import start_run
from gancore.sampling import load_generator
from gancore.sampling.checkpoints import EMA_KEY, weight_choices
from gancore.training.ema import UPDATES_KEY, GeneratorEMA, warmed_decay
from tiny_data import tiny_points


def _cfg(**kw):
    base = dict(device="cpu", steps=40, batch_size=32, log_every=10, sample_every=20, checkpoint_every=20,
                hidden_dim=16, g_ema_decay=0.9)
    return make_config("vanilla", "ring8", **(base | kw))


def _set(net: nn.Module, value: float) -> None:
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(value)


def _params(net: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


# ---- the arithmetic -------------------------------------------------------------------------
def test_decay_zero_copies_the_weights_exactly():
    g = nn.Linear(3, 2)
    ema = GeneratorEMA(g, 0.0)
    with torch.no_grad():
        g.weight.mul_(3.7).add_(0.123)
    ema.update(g)
    assert all(torch.equal(a, b) for a, b in zip(_params(ema.model), _params(g)))


def test_the_decay_warms_up_then_holds():
    assert warmed_decay(0.999, 0) == pytest.approx(0.1)  # (1 + 0) / (10 + 0)
    assert warmed_decay(0.999, 990) == pytest.approx(0.991)  # 991 / 1000
    assert warmed_decay(0.9, 1000) == 0.9  # the warm-up's value has passed the decay


def test_known_values_after_three_updates():
    g = nn.Linear(2, 2)
    _set(g, 0.0)
    ema = GeneratorEMA(g, 0.5)
    expected = 0.0
    for t, w in enumerate([1.0, 2.0, 4.0]):
        _set(g, w)
        ema.update(g)
        d = min(0.5, (1 + t) / (10 + t))  # 0.1, 2/11, 0.25
        expected = d * expected + (1 - d) * w
    # by hand: 0.9; 0.9 * 2/11 + 2 * 9/11 = 1.8; 0.25 * 1.8 + 0.75 * 4 = 3.45
    assert expected == pytest.approx(3.45)
    for p in ema.model.parameters():
        assert torch.allclose(p, torch.full_like(p, 3.45))
    assert ema.updates == 3


def test_buffers_follow_the_generator_and_the_copy_never_trains():
    g = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4))
    ema = GeneratorEMA(g, 0.99)
    g(torch.randn(16, 2) * 5 + 3)  # train mode: moves the running statistics
    ema.update(g)
    assert torch.equal(ema.model[1].running_mean, g[1].running_mean)
    assert torch.equal(ema.model[1].num_batches_tracked, g[1].num_batches_tracked)
    assert not ema.model.training and not any(p.requires_grad for p in ema.model.parameters())


# ---- the trainer ----------------------------------------------------------------------------
def test_pictures_and_measurements_use_the_averaged_generator(monkeypatch):
    offered = []
    real_offer = SideEvaluator.offer
    monkeypatch.setattr(SideEvaluator, "offer", lambda self, step, g, force=False: (
        offered.append(g), real_offer(self, step, g, force))[1])
    trainer = Trainer(_cfg(steps=60, eval_every=20), tiny_points())
    drawn = []
    real_draw = trainer.preview.draw
    trainer.preview.draw = lambda g: (drawn.append(g), real_draw(g))[1]
    events = []
    trainer.subscribe(events.append)
    assert trainer.run().value == "finished"
    assert drawn and all(g is trainer.ema.model for g in drawn)
    assert offered and all(g is trainer.ema.model for g in offered)
    assert any(e.kind == "quality" and "metrics" in e.data for e in events)
    assert trainer.ema.updates == 60, "one update per generator step"
    differs = [not torch.equal(a, b) for a, b in zip(_params(trainer.ema.model), _params(trainer.gan.generator))]
    assert any(differs), "the average is not the last weights"


def test_without_averaging_the_trainer_samples_the_generator_itself():
    trainer = Trainer(_cfg(g_ema_decay=0.0), tiny_points())
    assert trainer.ema is None and trainer.sampler is trainer.gan.generator
    assert EMA_KEY not in trainer.checkpoint_state()


def test_checkpoint_keeps_the_average_and_resume_continues_it(tmp_path):
    trainer = Trainer(_cfg(), tiny_points())
    trainer.run()
    torch.save(trainer.checkpoint_state(), tmp_path / "c.pt")
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    assert state[UPDATES_KEY] == 40 and weight_choices(state) == ["ema", "raw"]
    again = Trainer(_cfg(steps=60), tiny_points(), checkpoint=state)
    assert again.ema.updates == 40
    assert all(torch.equal(a, b) for a, b in zip(_params(again.ema.model), _params(trainer.ema.model)))
    again.run()
    assert again.ema.updates == 60


def test_an_older_checkpoint_without_the_average_still_loads(tmp_path):
    trainer = Trainer(_cfg(g_ema_decay=0.0), tiny_points())
    trainer.run()
    state = trainer.checkpoint_state()
    again = Trainer(_cfg(steps=60), tiny_points(), checkpoint=state)  # averaging turned on now
    assert again.ema.updates == 0, "the average starts over, warm-up and all"
    assert all(torch.equal(a, b) for a, b in zip(_params(again.ema.model), _params(trainer.gan.generator)))
    generator, _, _ = load_generator(state)
    assert all(torch.equal(a, b) for a, b in zip(_params(generator), _params(trainer.gan.generator)))
    with pytest.raises(RunError, match="no averaged"):
        load_generator(state, weights="ema")


def test_load_generator_uses_the_average_unless_asked_for_the_raw_weights():
    trainer = Trainer(_cfg(), tiny_points())
    trainer.run()
    state = trainer.checkpoint_state()
    ema, _, _ = load_generator(state)
    raw, _, _ = load_generator(state, weights="raw")
    assert all(torch.equal(a, b) for a, b in zip(_params(ema), _params(trainer.ema.model)))
    assert all(torch.equal(a, b) for a, b in zip(_params(raw), _params(trainer.gan.generator)))


# ---- sample --weights and the Generate page -------------------------------------------------
@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    return tmp_path


def _finished(runs_dir, **kw) -> str:
    """A finished vanilla ring8 run, without the weight average unless kw turns it on."""
    base = dict(device="cpu", steps=30, log_every=10, hidden_dim=16, g_ema_decay=0.0)
    cfg = make_config("vanilla", "ring8", **(base | kw))
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.run()
    return run.run_id


def _sample(runs_dir, run_id, *weights) -> np.ndarray:
    out = runs_dir / f"s{'-'.join(weights)}.npy"
    assert main(["sample", "--run", str(runs_dir / run_id), "--n", "50", "--out", str(out), *weights]) == 0
    return np.load(io.BytesIO(out.read_bytes()))


def test_sample_weights_flag_picks_the_average_or_the_raw_weights(runs_dir, capsys):
    run_id = _finished(runs_dir, g_ema_decay=0.9)
    default, ema, raw = (_sample(runs_dir, run_id, *w) for w in ((), ("--weights", "ema"), ("--weights", "raw")))
    assert np.array_equal(default, ema), "the average by default"
    assert not np.array_equal(ema, raw)


def test_sample_weights_ema_on_a_run_without_the_average_says_so(runs_dir, capsys):
    run_id = _finished(runs_dir)
    code = main(["sample", "--run", str(runs_dir / run_id), "--out", str(runs_dir / "s.png"), "--weights", "ema"])
    assert code != 0
    assert "no averaged (EMA) weights" in capsys.readouterr().err


def test_generate_page_offers_averaged_or_raw_weights_when_the_checkpoint_has_both(runs_dir):
    run_id = _finished(runs_dir, g_ema_decay=0.9)
    at = open_app("views/generate.py", run=run_id)
    assert not at.exception
    choice = at.radio(key="generate-weights")
    assert choice.options == ["averaged weights (EMA)", "raw weights"] and choice.index == 0
    assert choice.value == "ema"
    choice.set_value("raw").run()
    assert not at.exception and not at.error and at.get("image"), "samples from the raw weights"
    assert at.radio(key="generate-weights").value == "raw"


def test_generate_page_asks_nothing_when_the_run_kept_no_average(runs_dir):
    run_id = _finished(runs_dir)
    at = open_app("views/generate.py", run=run_id)
    assert not at.exception and at.get("image")
    assert not [r for r in at.radio if r.label == "Generator weights"]


def test_a_bundle_carries_both_sets_of_weights(runs_dir):
    from gancore.runs.bundle import export_bundle, import_bundle

    store = RunStore(runs_dir)
    run_id = _finished(runs_dir, g_ema_decay=0.9)
    imported = import_bundle(export_bundle(store.open(run_id)), RunStore(runs_dir / "elsewhere"))
    state = imported.load_checkpoint("latest.pt")
    assert weight_choices(state) == ["ema", "raw"]
    original = store.open(run_id).load_checkpoint("latest.pt")
    assert all(torch.equal(v, original[EMA_KEY][k]) for k, v in state[EMA_KEY].items())


# ---- several processes ----------------------------------------------------------------------
def test_every_rank_keeps_the_same_average(tmp_path):
    """torchrun with 2 processes (tests/ddp_worker.py): the ranks hold one generator, so one average."""
    import subprocess
    import sys
    from pathlib import Path

    worker = str(Path(__file__).with_name("ddp_worker.py"))
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           worker, str(tmp_path), "vanilla", "g_ema_decay=0.9"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    a, b = ranks[0][EMA_KEY], ranks[1][EMA_KEY]
    assert all(torch.equal(a[k], b[k]) for k in a if "running_" not in k and "num_batches" not in k)
    assert any(not torch.equal(a[k], ranks[0]["generator"][k]) for k in a), "an average, not a copy"
