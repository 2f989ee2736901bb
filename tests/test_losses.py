"""Each loss against values computed by hand."""
import math

import pytest
import torch

from gancore.training import losses


def test_bce_discriminator_loss_matches_the_formula():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    sig = lambda s: 1 / (1 + math.exp(-s))  # noqa: E731
    expected = (-(math.log(sig(2.0)) + math.log(sig(-1.0))) / 2
                - (math.log(1 - sig(0.5)) + math.log(1 - sig(-3.0))) / 2)
    assert losses.d_loss_bce(real, fake).item() == pytest.approx(expected, rel=1e-6)


def test_generator_losses_match_the_formulas():
    fake = torch.tensor([0.0, 1.5])
    sig = lambda s: 1 / (1 + math.exp(-s))  # noqa: E731
    nonsat = -(math.log(sig(0.0)) + math.log(sig(1.5))) / 2
    minimax = (math.log(1 - sig(0.0)) + math.log(1 - sig(1.5))) / 2
    assert losses.g_loss_nonsaturating(fake).item() == pytest.approx(nonsat, rel=1e-6)
    assert losses.g_loss_minimax(fake).item() == pytest.approx(minimax, rel=1e-6)


def test_bce_is_stable_for_extreme_scores():
    big = torch.tensor([1e4, -1e4])
    for value in (losses.d_loss_bce(big, big), losses.g_loss_nonsaturating(big), losses.g_loss_minimax(big)):
        assert torch.isfinite(value)


def test_wasserstein_losses():
    real, fake = torch.tensor([3.0, 1.0]), torch.tensor([-1.0, 0.0])
    assert losses.d_loss_wasserstein(real, fake).item() == pytest.approx(-0.5 - 2.0)
    assert losses.g_loss_wasserstein(fake).item() == pytest.approx(0.5)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic_and_positive_otherwise():
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    unit = lambda x, y=None: x @ torch.tensor([0.6, 0.8])  # noqa: E731  |grad| = 1 everywhere
    steep = lambda x, y=None: x @ torch.tensor([3.0, 4.0])  # noqa: E731  |grad| = 5 -> (5-1)^2
    assert losses.gradient_penalty(unit, real, fake, None).item() == pytest.approx(0.0, abs=1e-10)
    assert losses.gradient_penalty(steep, real, fake, None).item() == pytest.approx(16.0, rel=1e-5)


def test_score_readout_is_probability_for_bce_and_raw_for_wasserstein():
    s = torch.tensor([0.0, 2.0])
    assert losses.SCORE_READOUT["bce"](s).tolist() == pytest.approx([0.5, 1 / (1 + math.exp(-2))])
    assert losses.SCORE_READOUT["wasserstein"](s).tolist() == [0.0, 2.0]
