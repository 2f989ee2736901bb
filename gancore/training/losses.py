"""Loss functions as small pure functions, chosen by name (StudioGAN style).

Discriminators return raw scores (B,): logits for the BCE pair, critic values for Wasserstein,
unbounded margins for hinge.
Writing BCE with softplus on logits is the same math as sigmoid + BCE, without its log(0):
  -log sigmoid(s) = softplus(-s)        -log(1 - sigmoid(s)) = softplus(s)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


# ---- BCE (Goodfellow et al. 2014) --------------------------------------------------------------
def d_loss_bce(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """D maximises log D(x) + log(1 - D(G(z))); we minimise the negative."""
    return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()


def g_loss_nonsaturating(fake_scores: torch.Tensor) -> torch.Tensor:
    """G minimises -log D(G(z)): strong gradients early, when D rejects every fake."""
    return F.softplus(-fake_scores).mean()


def g_loss_minimax(fake_scores: torch.Tensor) -> torch.Tensor:
    """G minimises log(1 - D(G(z))), the original game; saturates when D wins."""
    return -F.softplus(fake_scores).mean()


# ---- Wasserstein (Arjovsky et al. 2017; Gulrajani et al. 2017) ---------------------------------
def d_loss_wasserstein(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """The critic maximises E[C(x)] - E[C(G(z))]."""
    return fake_scores.mean() - real_scores.mean()


def g_loss_wasserstein(fake_scores: torch.Tensor) -> torch.Tensor:
    return -fake_scores.mean()


# ---- hinge (Lim & Ye 2017; Miyato et al. 2018; SAGAN, BigGAN) ---------------------------------
def d_loss_hinge(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """D pushes real scores above +1 and fake scores below -1; past the margin a sample adds no
    loss, so D stops sharpening what it already tells apart."""
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


def g_loss_hinge(fake_scores: torch.Tensor) -> torch.Tensor:
    """G raises D's score of its fakes, without a margin (the same form as the Wasserstein G)."""
    return -fake_scores.mean()


# ---- penalties on D, added to its loss ------------------------------------------------------------
def gradient_penalty(discriminator, real: torch.Tensor, fake: torch.Tensor,
                     labels: torch.Tensor | None) -> torch.Tensor:
    """E[(||grad_x C(x_hat)||_2 - 1)^2] at x_hat on random lines between real and fake samples.
    real, fake: (B, *shape); the gradient is taken per sample over all of its dimensions."""
    alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = discriminator(x_hat, labels)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def r1_penalty(discriminator, real: torch.Tensor, fake: torch.Tensor,
               labels: torch.Tensor | None) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): E[||grad_x D(x)||^2] on real data only (`fake` is unused; the
    signature is the penalties'). The step weighs it by gamma / 2. real: (B, *shape)."""
    x = real.detach().requires_grad_(True)
    scores = discriminator(x, labels)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(dim=1).mean()


# ---- how D's raw score reads as "D(x)" in the metrics -------------------------------------------
def score_probability(scores: torch.Tensor) -> torch.Tensor:
    """BCE discriminators: D(x) is the probability that x is real."""
    return torch.sigmoid(scores)


def score_identity(scores: torch.Tensor) -> torch.Tensor:
    """Wasserstein critics and hinge discriminators: the raw score (higher = more real), unbounded."""
    return scores


D_LOSSES = {"bce": d_loss_bce, "wasserstein": d_loss_wasserstein, "hinge": d_loss_hinge}
G_LOSSES = {"nonsaturating": g_loss_nonsaturating, "minimax": g_loss_minimax,
            "wasserstein": g_loss_wasserstein, "hinge": g_loss_hinge}
PENALTIES = {"gp": gradient_penalty, "r1": r1_penalty}
SCORE_READOUT = {"bce": score_probability, "wasserstein": score_identity, "hinge": score_identity}
# D losses whose readout is a probability: D(x) near 1 means "sure it is real"
PROBABILITY_SCORES = frozenset(name for name, readout in SCORE_READOUT.items() if readout is score_probability)
