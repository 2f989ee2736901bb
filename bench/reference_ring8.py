"""A plain GAN loop on ring8 in the style of pytorch/examples' dcgan/main.py: the reference the
time-to-quality benchmark races on ring8.

pytorch/examples has no 2D toy, so the networks are gancore's MLP classes at the sizes the vanilla
variant uses on ring8 today (latent 2, 3 hidden layers of 128, ReLU in G, LeakyReLU 0.2 in D),
built here with those sizes fixed: our defaults may change, the reference does not. What is the
examples' is the recipe: their defaults (Adam lr 2e-4, betas (0.5, 0.999), batch 64), a shuffled
DataLoader over the points, the two labelled phases with fake.detach() in phase 1, the BCE loss
with real label 1 and fake label 0 (d_loss_bce / g_loss_nonsaturating: the same math on logits),
and .item() on the losses, D(x) and D(G(z)) every step (the examples print them).

Interface shared with bench/reference_cgan.py: build(seed) -> state, train_for(state, seconds),
sampler(state) -> the generator the project's measures judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader, TensorDataset

from bench import timed_steps
from gancore import DataConfig, load_dataset
from gancore.data.base import Dataset
from gancore.training.losses import d_loss_bce, g_loss_nonsaturating
from gancore.variants.networks_mlp import MLPDiscriminator, MLPGenerator

# pytorch/examples dcgan/main.py's defaults: --batchSize 64, --lr 0.0002, --beta1 0.5 (beta2 Adam's 0.999)
BATCH_SIZE, LR, BETAS = 64, 2e-4, (0.5, 0.999)
LATENT_DIM, HIDDEN_DIM, HIDDEN_LAYERS = 2, 128, 3


@dataclass
class State:
    generator: MLPGenerator  # z (B, 2) -> points (B, 2)
    discriminator: MLPDiscriminator  # points (B, 2) -> logits (B,)
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    loader: DataLoader
    rng: torch.Generator  # noise
    batches: object = None
    steps: int = 0
    seconds: float = 0.0
    log: list = field(default_factory=list)  # (err_d, err_g, D(x), D(G(z))) per step


def build(seed: int, data: Dataset | None = None) -> State:
    """Fresh networks and Adam as the examples set them up; `data` defaults to ring8 (50,000 points)."""
    data = load_dataset(DataConfig(dataset="ring8"), seed) if data is None else data
    torch.manual_seed(seed)  # the networks' init
    g = MLPGenerator(LATENT_DIM, (2,), HIDDEN_DIM, HIDDEN_LAYERS, tanh=False)
    d = MLPDiscriminator((2,), HIDDEN_DIM, HIDDEN_LAYERS)
    loader = DataLoader(TensorDataset(data.x.cpu().float()), batch_size=BATCH_SIZE, shuffle=True,
                        drop_last=True, generator=torch.Generator().manual_seed(seed))
    return State(g, d, torch.optim.Adam(g.parameters(), lr=LR, betas=BETAS),
                 torch.optim.Adam(d.parameters(), lr=LR, betas=BETAS), loader,
                 torch.Generator().manual_seed(seed + 1))


def _next_batch(state: State) -> torch.Tensor:
    if state.batches is not None:
        batch = next(state.batches, None)
        if batch is not None:
            return batch[0]
    state.batches = iter(state.loader)  # a new shuffled epoch
    return next(state.batches)[0]


def step(state: State) -> None:
    g, d = state.generator, state.discriminator
    real = _next_batch(state)  # (64, 2)
    z = torch.randn(real.shape[0], g.latent_dim, generator=state.rng)
    # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
    fake = g(z)
    out_real, out_fake = d(real), d(fake.detach())
    err_d = d_loss_bce(out_real, out_fake)
    state.opt_d.zero_grad()
    err_d.backward()
    state.opt_d.step()
    # (2) update G: maximize log(D(G(z)))
    err_g = g_loss_nonsaturating(d(fake))
    state.opt_g.zero_grad()
    err_g.backward()
    state.opt_g.step()
    state.log.append((err_d.item(), err_g.item(), out_real.sigmoid().mean().item(),
                      out_fake.sigmoid().mean().item()))
    state.steps += 1


def train_for(state: State, seconds: float) -> float:
    """Train whole steps for about `seconds` of wall time (timed_steps.train_for)."""
    return timed_steps.train_for(state, seconds, step)


def sampler(state: State) -> MLPGenerator:
    """The generator to judge: the measures call G(z) in eval mode."""
    return state.generator
