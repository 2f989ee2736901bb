"""The 2D Lab's knobs: rates, optimizer and a BCE generator's loss change in place (weights kept);
the noise size and a move to or from Wasserstein need new networks (restart); bad values name
the knob and what is allowed."""
import dataclasses

import pytest
import torch

from gancore import ConfigError, make_config
from gancore.lab2d import Lab2D
from gancore.lab_knobs import check, knobs_of, needs_restart, restart, tune
from gancore.training.losses import G_LOSSES


def _lab(variant="vanilla") -> Lab2D:
    return Lab2D(make_config(variant, "ring8", device="cpu", num_samples=2000))


def test_knobs_read_the_running_lab():
    k = knobs_of(_lab())
    assert (k.optimizer, k.loss, k.latent_dim) == ("Adam", "non-saturating", 2)
    assert knobs_of(_lab("wgan_gp")).loss == "Wasserstein + GP"


def test_rates_optimizer_and_loss_change_in_place_and_the_lab_trains_on():
    lab = _lab()
    lab.step(iterations=2)
    weights = [p.detach().clone() for p in lab.gan.generator.parameters()]
    knobs = dataclasses.replace(knobs_of(lab), lr_d=0.02, lr_g=0.005, optimizer="SGD", loss="minimax")
    assert needs_restart(lab, knobs) == []
    tune(lab, knobs)
    assert all(torch.equal(a, b) for a, b in zip(weights, lab.gan.generator.parameters())), "weights kept"
    assert isinstance(lab.opt_d, torch.optim.SGD) and lab.step_fn.opt_d is lab.opt_d
    assert lab.opt_d.param_groups[0]["lr"] == 0.02 and lab.opt_g.param_groups[0]["lr"] == 0.005
    assert lab.step_fn.g_loss is G_LOSSES["minimax"] and knobs_of(lab) == knobs
    calls = []
    lab.opt_g.register_step_post_hook(lambda *_: calls.append(1))
    record = lab.step(iterations=3)
    assert len(calls) == 3 and record["iteration"] == 5 and not lab.diverged


def test_noise_size_and_wasserstein_need_a_restart_on_the_same_data():
    lab = _lab()
    knobs = dataclasses.replace(knobs_of(lab), latent_dim=4, loss="Wasserstein + GP", lr_d=3e-4)
    assert needs_restart(lab, knobs) == ["noise size 2 -> 4", "loss non-saturating -> Wasserstein + GP"]
    tune(lab, knobs)  # the in-place part only: the lab keeps its networks and its loss
    assert lab.gan.generator.latent_dim == 2 and lab.score_kind == "probability"
    fresh = restart(lab, knobs)
    assert fresh.cfg.model.variant == "wgan_gp" and fresh.score_kind == "critic"
    assert fresh.gan.generator.latent_dim == 4 and fresh.iteration == 0 and fresh.data is not lab.data
    assert torch.equal(fresh.data.x, lab.data.x) and fresh.bounds == lab.bounds
    assert knobs_of(fresh) == knobs and needs_restart(fresh, knobs) == []
    back = restart(fresh, dataclasses.replace(knobs, loss="minimax"))
    assert back.cfg.model.variant == "vanilla" and back.gan.g_loss == "minimax"


@pytest.mark.parametrize("change,field", [(dict(lr_d=0.0), "lr_d"), (dict(lr_g=5.0), "lr_g"),
                                          (dict(optimizer="RMSprop"), "optimizer"),
                                          (dict(loss="hinge"), "loss"), (dict(latent_dim=0), "latent_dim"),
                                          (dict(latent_dim=2.5), "latent_dim")])
def test_a_bad_knob_is_refused_by_name(change, field):
    with pytest.raises(ConfigError) as err:
        check(dataclasses.replace(knobs_of(_lab()), **change))
    assert err.value.field == field and ("between" in err.value.message or "one of" in err.value.message
                                         or "whole number" in err.value.message)
