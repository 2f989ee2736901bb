"""PyTorch-GAN's conditional GAN (eriklindernoren/PyTorch-GAN, implementations/cgan/cgan.py),
rewritten over MNIST held as tensors: the reference the time-to-quality benchmark races on MNIST.

Kept as the original has it, with its defaults: an MLP generator and discriminator, each reading
a learned 10-d label embedding beside its input; the LSGAN loss (MSE to 1 for real, 0 for fake);
Adam(lr 2e-4, betas (0.5, 0.999)) for both; batch 64 from a shuffled DataLoader (no workers, last
batch kept); latent_dim 100; per step the generator first, then the discriminator on the same
(detached) fakes; `.item()` on both losses every step (the original prints them). BatchNorm1d(n,
0.8) is kept too: the 0.8 lands on eps, not momentum, in the original.

Changed, each in the reference's favour or neutral:
- img_size 28, not its default 32: the project's judge reads MNIST at 28 x 28, and the 32 default
  is only a bilinear Resize of the same 28 x 28 digits; at 28 the last layer is 1024 -> 784
  rather than 1024 -> 1024, so each reference step is slightly cheaper;
- the images come from gancore's IDX loader as one tensor in [-1, 1] (torchvision's MNIST with
  ToTensor and Normalize(0.5, 0.5) gives the same values), so no per-image PIL transform runs;
- noise and labels come from a seeded torch.Generator instead of np.random, and nothing is saved
  or printed (no sample grids, no TensorBoard).

Interface shared with bench/reference_ring8.py: build(seed) -> state, train_for(state, seconds),
sampler(state) -> the generator the project's measures judge (reads `latent_dim`, called G(z, y)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from bench import timed_steps
from gancore import load_dataset, make_config
from gancore.data.base import Dataset

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
LATENT_DIM, N_CLASSES, IMG_SHAPE = 100, 10, (1, 28, 28)
BATCH_SIZE, LR, BETAS = 64, 2e-4, (0.5, 0.999)


def mnist_test(data_dir: Path = MNIST_DIR) -> Dataset:
    """The MNIST test split (the only one here): (10000, 1, 28, 28) float in [-1, 1], labels (10000,)."""
    cfg = make_config("cdcgan", "mnist", data_dir=str(data_dir), split="test", device="cpu")
    return load_dataset(cfg.data)


class Generator(nn.Module):
    """(z (B, 100), labels (B,)) -> images (B, 1, 28, 28) in [-1, 1]."""

    def __init__(self, img_shape=IMG_SHAPE, latent_dim: int = LATENT_DIM, n_classes: int = N_CLASSES):
        super().__init__()
        self.img_shape, self.latent_dim, self.num_classes = tuple(img_shape), latent_dim, n_classes
        self.label_emb = nn.Embedding(n_classes, n_classes)

        def block(n_in: int, n_out: int, normalize: bool = True) -> list[nn.Module]:
            layers: list[nn.Module] = [nn.Linear(n_in, n_out)]
            if normalize:
                layers.append(nn.BatchNorm1d(n_out, 0.8))  # eps = 0.8, as in the original
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim + n_classes, 128, normalize=False),
            *block(128, 256), *block(256, 512), *block(512, 1024),
            nn.Linear(1024, int(torch.tensor(img_shape).prod())), nn.Tanh())

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        x = torch.cat((self.label_emb(labels), z), -1)  # (B, 10 + 100)
        return self.model(x).view(x.size(0), *self.img_shape)


class Discriminator(nn.Module):
    """(images (B, 1, 28, 28), labels (B,)) -> (B, 1) scores, unbounded (the LSGAN target is 1 or 0)."""

    def __init__(self, img_shape=IMG_SHAPE, n_classes: int = N_CLASSES):
        super().__init__()
        self.label_embedding = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(
            nn.Linear(n_classes + int(torch.tensor(img_shape).prod()), 512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 512), nn.Dropout(0.4), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 512), nn.Dropout(0.4), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1))

    def forward(self, img: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.model(torch.cat((img.view(img.size(0), -1), self.label_embedding(labels)), -1))


@dataclass
class State:
    generator: Generator
    discriminator: Discriminator
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    loader: DataLoader
    rng: torch.Generator  # noise and generated labels
    batches: object = None  # the current epoch's iterator
    steps: int = 0
    seconds: float = 0.0  # wall time spent in train_for so far
    log: list = field(default_factory=list)  # the losses the original prints: (d_loss, g_loss) per step


def build(seed: int, data: Dataset | None = None) -> State:
    """Fresh networks and optimizers as the original builds them, seeded; `data` defaults to the
    MNIST test split (tests pass a tiny labelled image set of the same shape)."""
    data = mnist_test() if data is None else data
    torch.manual_seed(seed)  # the networks' init, as the original would with a seed
    shape = tuple(data.x.shape[1:])
    g, d = Generator(shape), Discriminator(shape)
    loader = DataLoader(TensorDataset(data.x.cpu().float(), data.y.cpu()), batch_size=BATCH_SIZE,
                        shuffle=True, generator=torch.Generator().manual_seed(seed))
    return State(g, d, torch.optim.Adam(g.parameters(), lr=LR, betas=BETAS),
                 torch.optim.Adam(d.parameters(), lr=LR, betas=BETAS), loader,
                 torch.Generator().manual_seed(seed + 1))


def _next_batch(state: State) -> tuple[torch.Tensor, torch.Tensor]:
    """The next (images, labels) batch; a new shuffled epoch when one ends."""
    if state.batches is not None:
        batch = next(state.batches, None)
        if batch is not None:
            return batch
    state.batches = iter(state.loader)
    return next(state.batches)


def step(state: State) -> None:
    """One iteration of the original's inner loop."""
    g, d, mse = state.generator, state.discriminator, nn.functional.mse_loss
    real, labels = _next_batch(state)
    b = real.shape[0]
    valid, fake = torch.ones(b, 1), torch.zeros(b, 1)

    # (1) the generator: fresh noise and random labels; fool D into scoring 1
    state.opt_g.zero_grad()
    z = torch.randn(b, g.latent_dim, generator=state.rng)  # (B, 100)
    gen_labels = torch.randint(0, g.num_classes, (b,), generator=state.rng)
    gen_imgs = g(z, gen_labels)
    g_loss = mse(d(gen_imgs, gen_labels), valid)
    g_loss.backward()
    state.opt_g.step()

    # (2) the discriminator: real with their labels to 1, the same fakes (detached) to 0, averaged
    state.opt_d.zero_grad()
    d_loss = (mse(d(real, labels), valid) + mse(d(gen_imgs.detach(), gen_labels), fake)) / 2
    d_loss.backward()
    state.opt_d.step()
    state.log.append((d_loss.item(), g_loss.item()))
    state.steps += 1


def train_for(state: State, seconds: float) -> float:
    """Train whole steps for about `seconds` of wall time (timed_steps.train_for)."""
    return timed_steps.train_for(state, seconds, step)


def sampler(state: State) -> Generator:
    """The generator to judge: the measures call G(z, y) in eval mode (BatchNorm's running
    statistics), as the project judges its own generators."""
    return state.generator
