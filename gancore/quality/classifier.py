"""A small CNN trained on real labelled images, the judge of generated ones: "asked for a 7, did
G draw something a classifier reads as 7?" (label accuracy)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data.base import Dataset
from ..sampling import generate, noise


class DigitClassifier(nn.Module):
    """(B, C, S, S) in [-1, 1] -> (B, K) logits; `features` gives the (B, 128) penultimate layer."""

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        # Three 3x3 convs, the two wide ones after pooling (a 32-channel conv at full resolution
        # would triple the work), so a CPU trains it in seconds and reads thousands per second.
        self.body = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x S/2 x S/2
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),  # 64 x S/4 x S/4
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(7), nn.Flatten(),  # 64 * 7 * 7, whatever the side
            nn.Linear(64 * 49, 128), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(128, num_classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _jitter(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random shifts of up to 2 px: a classifier that tolerates them judges generated digits
    (which are rarely centred exactly like the data) more fairly."""
    dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=gen))
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


def train_classifier(data: Dataset, epochs: int = 6, batch_size: int = 128, holdout: float = 0.1,
                     seed: int = 0, device="cpu") -> tuple[DigitClassifier, float]:
    """Train on (1 - holdout) of `data`; returns the model (eval mode) and its holdout accuracy."""
    if data.y is None:
        raise ValueError("a classifier needs labelled data")
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(data), generator=gen)
    n_hold = max(1, int(len(data) * holdout))
    hold, train = order[:n_hold], order[n_hold:]
    x, y = data.x.to(device), data.y.to(device)
    model = _seeded_init(DigitClassifier(data.info.shape[0], data.info.num_classes), gen).to(device)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    steps_per_epoch = -(-len(train) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * steps_per_epoch)
    for _ in range(epochs):
        perm = train[torch.randperm(len(train), generator=gen)]
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size].to(device)
            loss = F.cross_entropy(model(_jitter(x[idx], gen)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model, accuracy(model, x[hold.to(device)], y[hold.to(device)])


@torch.no_grad()
def _seeded_init(model: nn.Module, gen: torch.Generator) -> nn.Module:
    """PyTorch's default init for convs and linears, drawn from `gen`: never `torch.manual_seed`,
    which would reset the global RNG of a training run when a judge is trained beside it."""
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
            bound = 1 / math.sqrt(layer.weight[0].numel())  # 1 / sqrt(fan_in)
            nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return model


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    preds = torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, len(x), batch)])
    return float((preds == y).float().mean())


@torch.no_grad()
def label_accuracy(generator, classifier: nn.Module, num_classes: int, per_class: int = 100,
                   seed: int = 0) -> tuple[float, list[float]]:
    """Share of samples asked for class k that the classifier reads as k: overall and per class."""
    device = next(generator.parameters()).device
    y = torch.arange(num_classes, device=device).repeat_interleave(per_class)  # (K * per_class,)
    images = generate(generator, noise(generator, len(y), seed, device), y)
    preds = classifier(images.to(next(classifier.parameters()).device)).argmax(1).cpu()
    overall, per = class_accuracy(preds, y.cpu(), num_classes)
    return overall, [float(a) for a in per]


def class_accuracy(preds: torch.Tensor, labels: torch.Tensor, num_classes: int) -> tuple[float, list[float | None]]:
    """preds, labels: (N,) class indices. Share read right overall, and per class (None for a
    class with no samples)."""
    hits = (preds == labels).double()
    total = torch.bincount(labels, minlength=num_classes).double()  # (K,)
    right = torch.bincount(labels, weights=hits, minlength=num_classes)  # (K,)
    per = [float(r / t) if t > 0 else None for r, t in zip(right.tolist(), total.tolist())]
    return float(hits.mean()), per
