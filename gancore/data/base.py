"""What every data source returns: one tensor of samples (+ labels) and plain-data facts about it.

The whole dataset lives in one tensor on the training device, so a training step samples a batch
by index (`Dataset.batch`) with no DataLoader, no collate and no host-to-device copy.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch


@dataclass
class DataInfo:
    """Plain facts about a dataset, saved with runs and checkpoints (JSON-able, no tensors)."""

    name: str
    kind: str  # "points" (2D toys), "image", or "paired" (image-to-image: input and target images)
    shape: tuple[int, ...]  # one sample: (2,) for points, (C, H, W) for images (paired: the target's)
    num_classes: int = 0  # 0 = unlabelled
    class_names: list[str] = field(default_factory=list)
    # Points are stored as raw / scale so networks see roughly unit-range data; multiply back.
    scale: float = 1.0
    # 2D toys only: the mixture means (raw coordinates) and their std, for the PacGAN metrics.
    mode_means: list[list[float]] | None = None
    mode_sigma: float | None = None
    skipped_files: int = 0  # folder sources: files that could not be read as images
    # Paired data only: one input image's (C_in, H, W); the pairs' inputs travel in Dataset.y.
    input_shape: tuple[int, ...] | None = None
    # Paired data only: what the translation teaches, in one plain sentence (shown on screen).
    teaches: str = ""
    # Paired data only: its inputs are strokes a person can draw on a pad (white on black, grey).
    drawable: bool = False

    @property
    def labelled(self) -> bool:
        return self.num_classes > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["shape"] = list(self.shape)
        d["input_shape"] = None if self.input_shape is None else list(self.input_shape)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DataInfo":
        d = dict(d)
        d["shape"] = tuple(d["shape"])
        if d.get("input_shape") is not None:
            d["input_shape"] = tuple(d["input_shape"])
        return cls(**d)


@dataclass
class Pairs:
    """Image pairs kept out of training, for judging a translation: inputs (M, C_in, H, W) and
    targets (M, C, H, W) in [-1, 1]; labels (M,) int64 when the targets have classes (digits)."""

    inputs: torch.Tensor
    targets: torch.Tensor
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.inputs.shape[0]

    def to(self, device: torch.device | str) -> "Pairs":
        labels = None if self.labels is None else self.labels.to(device)
        return Pairs(self.inputs.to(device), self.targets.to(device), labels)


@dataclass
class Dataset:
    """x: (N, *info.shape) float32, images in [-1, 1], points scaled by 1/info.scale.
    y: (N,) int64 labels in [0, num_classes), or None when unlabelled. Paired data (info.kind
    "paired"): y is the input images (N, *info.input_shape) in [-1, 1], x their targets, so a
    batch keeps each pair together with no change to sampling.
    held_out: whole images kept out of x for evaluation only, each (C, H, W) in [-1, 1] at its
    own size (photos for super-resolution), or None.
    held_out_pairs: paired data's pairs kept out of x and y for evaluation only, or None.
    target_labels: paired data whose targets have classes: (N,) int64, the class of each x (the
    digit a sketch is of), for training the judge that reads translations; else None."""

    x: torch.Tensor
    y: torch.Tensor | None
    info: DataInfo
    held_out: list[torch.Tensor] | None = None
    held_out_pairs: Pairs | None = None
    target_labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device | str) -> "Dataset":
        y = None if self.y is None else self.y.to(device)
        held = None if self.held_out is None else [img.to(device) for img in self.held_out]
        pairs = None if self.held_out_pairs is None else self.held_out_pairs.to(device)
        return Dataset(self.x.to(device), y, self.info, held, pairs, self.target_labels)

    def batch(self, batch_size: int, generator: torch.Generator | None = None):
        """A random batch drawn with replacement, on the data's device, with no host sync.
        Returns x: (B, *shape) and y: (B,) or None."""
        idx = torch.randint(len(self), (batch_size,), device=self.x.device, generator=generator)
        return self.x[idx], (None if self.y is None else self.y[idx])
