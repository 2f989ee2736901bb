"""The 2D Lab session: snapshot shapes, which network a step updates and how often, learning on
ring8, the arrows' direction, and opening a real run's checkpoint without changing it."""
import numpy as np
import pytest
import torch

from gancore import ConfigError, RunError, RunStore, make_config, train
from gancore.data.toy2d import ring8_means
from gancore.lab2d import Lab2D
from gancore.runs.launch import start_run


def _lab(variant="vanilla", dataset="ring8", **kw) -> Lab2D:
    return Lab2D(make_config(variant, dataset, device="cpu", num_samples=4000, **kw))


def _params(module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def _same(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def _count_steps(opt) -> list[int]:
    calls = [0]
    opt.register_step_post_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    return calls


@pytest.mark.parametrize("variant,kind", [("vanilla", "probability"), ("wgan_gp", "critic"),
                                          ("cgan", "probability")])
def test_snapshot_shapes_and_kinds(variant, kind):
    lab = _lab(variant)
    snap = lab.snapshot(grid=30, n_points=200)
    n = len(snap.fake)
    assert snap.real.shape[1] == 2 and snap.fake.shape == (n, 2)
    assert snap.gradient.shape == snap.arrows.shape == (n, 2)
    assert snap.grid_x.shape == snap.grid_y.shape == (30,) and snap.scores.shape == (30, 30)
    assert snap.score_kind == kind
    if variant == "cgan":  # one class at a time: 200 of the fixed batch cycle over 8 classes
        assert snap.label == 0 and snap.label_name == "mode 0" and 0 < n <= 200
    else:
        assert snap.label is None and n == 200 and len(snap.real) == 200
    if kind == "probability":
        assert 0 <= snap.scores.min() and snap.scores.max() <= 1 and snap.score_mid == 0.5
    x0, x1, y0, y1 = snap.bounds
    assert x0 < -1 and x1 > 1 and y0 < -1 and y1 > 1, "ring8 (radius 1) lies inside the lattice"
    assert np.isclose(x1 - x0, y1 - y0), "a square box: equal scale on both axes"
    assert np.all(np.isfinite(snap.arrows))


def test_snapshot_uses_fixed_points_and_changes_nothing():
    lab = _lab()
    lab.step(iterations=2)
    lab.gan.discriminator.eval()  # a mode that is not the default, to see it restored as it was
    grads = [p.grad.clone() for p in lab.gan.discriminator.parameters()]
    before_d, before_g = _params(lab.gan.discriminator), _params(lab.gan.generator)
    a, b = lab.snapshot(), lab.snapshot()
    np.testing.assert_array_equal(a.fake, b.fake)  # the same noise batch every time
    np.testing.assert_array_equal(a.real, b.real)
    assert _same(before_d, _params(lab.gan.discriminator)) and _same(before_g, _params(lab.gan.generator))
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, lab.gan.discriminator.parameters()))
    assert all(p.requires_grad for p in lab.gan.discriminator.parameters())
    assert not lab.gan.discriminator.training and lab.gan.generator.training


def test_a_d_step_changes_only_d_and_a_g_step_only_g():
    lab = _lab()
    d0, g0 = _params(lab.gan.discriminator), _params(lab.gan.generator)
    record = lab.step(train_d=True, train_g=False)
    assert not _same(d0, _params(lab.gan.discriminator)) and _same(g0, _params(lab.gan.generator))
    assert record["loss_g"] is None and record["loss_d"] > 0 and 0 <= record["d_real"] <= 1
    d1 = _params(lab.gan.discriminator)
    record = lab.step(train_d=False, train_g=True)
    assert _same(d1, _params(lab.gan.discriminator)) and not _same(g0, _params(lab.gan.generator))
    assert record["loss_d"] is None and record["loss_g"] > 0
    assert (lab.iteration, lab.d_updates, lab.g_updates) == (2, 1, 1)


def test_k_d_and_k_g_are_honoured():
    lab = _lab()
    d_calls, g_calls = _count_steps(lab.opt_d), _count_steps(lab.opt_g)
    lab.step(True, True, k_d=3, k_g=2, iterations=4)
    assert (d_calls[0], g_calls[0]) == (12, 8)
    lab.step(True, False, k_d=5, k_g=7)
    assert (d_calls[0], g_calls[0]) == (17, 8)
    lab.step(False, True, k_d=5, k_g=7)
    assert (d_calls[0], g_calls[0]) == (17, 15)
    assert (lab.d_updates, lab.g_updates, lab.iteration) == (17, 15, 6)
    assert len(lab.history) == 6 and lab.history[-1]["g_updates"] == 15


def test_bad_step_input_is_a_clear_error():
    lab = _lab()
    with pytest.raises(ConfigError, match="choose the discriminator"):
        lab.step(False, False)
    with pytest.raises(ConfigError, match="k_d"):
        lab.step(k_d=0)
    with pytest.raises(ConfigError, match="label"):
        _lab("cgan").snapshot(label=8)


def test_a_lab_iteration_is_the_trainers_step():
    """k_D = k_G = 1 with both on is exactly one Trainer step: the same math, not a copy of it."""
    cfg = make_config("vanilla", "ring8", device="cpu", num_samples=4000, lr_decay=False, steps=5,
                      log_every=5, hidden_dim=32)
    trainer, _ = train(cfg)
    lab = Lab2D(cfg)
    lab.step(iterations=5)
    assert _same(_params(trainer.gan.generator), _params(lab.gan.generator))
    assert _same(_params(trainer.gan.discriminator), _params(lab.gan.discriminator))


def _distance_to_modes(points: np.ndarray) -> float:
    means = ring8_means().numpy()  # (8, 2)
    return float(np.linalg.norm(points[:, None] - means[None], axis=2).min(1).mean())


def test_training_both_moves_generated_points_to_the_ring8_modes():
    lab = _lab()
    before = _distance_to_modes(lab.snapshot().fake)
    lab.step(True, True, iterations=300)
    after = _distance_to_modes(lab.snapshot().fake)
    assert after < 0.5 * before, (before, after)


@pytest.mark.parametrize("variant,g_loss", [("vanilla", "nonsaturating"), ("vanilla", "minimax"),
                                            ("wgan_gp", "wasserstein")])
def test_arrows_point_where_d_says_more_real(variant, g_loss):
    """-d loss_G / dx points up D's slope: a small move along the arrow raises D(x) (finite
    difference), for every loss in which G wants to look real."""
    lab = _lab(variant, g_loss=g_loss)
    lab.step(True, True, iterations=20)
    snap = lab.snapshot(n_points=300)
    strong = np.linalg.norm(snap.gradient, axis=1) > 1e-6
    unit = snap.gradient[strong] / np.linalg.norm(snap.gradient[strong], axis=1, keepdims=True)
    x, eps = snap.fake[strong], 1e-3
    rise = lab.scores(x + eps * unit) - lab.scores(x - eps * unit)
    assert strong.mean() > 0.9 and (rise > 0).mean() > 0.95
    # and arrows are the same directions, only rescaled for display
    cos = (snap.arrows[strong] * unit).sum(1) / np.linalg.norm(snap.arrows[strong], axis=1)
    assert np.allclose(cos, 1, atol=1e-5)


def test_opening_a_real_runs_checkpoint_continues_it_and_leaves_the_run_alone(tmp_path):
    cfg = make_config("vanilla", "ring8", device="cpu", num_samples=4000, steps=40, log_every=20,
                      checkpoint_every=40, hidden_dim=32, eval_every=0)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    files = {p: p.stat().st_mtime_ns for p in run.path.rglob("*")}
    lab = Lab2D.from_run(run)
    assert lab.start_step == 40 and "continued from step 40" in lab.describe()
    assert _same(_params(trainer.gan.generator), _params(lab.gan.generator))
    assert lab.opt_g.param_groups[0]["lr"] == cfg.lr_g, "the config's rate, not the decayed one (0)"
    g0 = _params(lab.gan.generator)
    lab.step(iterations=3)
    assert not _same(g0, _params(lab.gan.generator))
    assert files == {p: p.stat().st_mtime_ns for p in run.path.rglob("*")}, "no file written"


def test_an_image_checkpoint_is_refused_in_words():
    cfg = make_config("dcgan", "glyphs", device="cpu")
    state = {"config": cfg.to_dict(), "step": 1,
             "data_info": {"name": "glyphs", "kind": "image", "shape": [1, 28, 28]}}
    with pytest.raises(RunError, match="2D points"):
        Lab2D.from_checkpoint(state)
    with pytest.raises(RunError, match="not a gancore checkpoint"):
        Lab2D.from_checkpoint({"generator": {}})
