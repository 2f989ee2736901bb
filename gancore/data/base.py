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
    kind: str  # "points" (2D toys) or "image"
    shape: tuple[int, ...]  # one sample: (2,) for points, (C, H, W) for images
    num_classes: int = 0  # 0 = unlabelled
    class_names: list[str] = field(default_factory=list)
    # Points are stored as raw / scale so networks see roughly unit-range data; multiply back.
    scale: float = 1.0
    # 2D toys only: the mixture means (raw coordinates) and their std, for the PacGAN metrics.
    mode_means: list[list[float]] | None = None
    mode_sigma: float | None = None
    skipped_files: int = 0  # folder sources: files that could not be read as images

    @property
    def labelled(self) -> bool:
        return self.num_classes > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["shape"] = list(self.shape)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DataInfo":
        d = dict(d)
        d["shape"] = tuple(d["shape"])
        return cls(**d)


@dataclass
class Dataset:
    """x: (N, *info.shape) float32, images in [-1, 1], points scaled by 1/info.scale.
    y: (N,) int64 labels in [0, num_classes), or None when unlabelled.
    held_out: whole images kept out of x for evaluation only, each (C, H, W) in [-1, 1] at its
    own size (photos for super-resolution), or None."""

    x: torch.Tensor
    y: torch.Tensor | None
    info: DataInfo
    held_out: list[torch.Tensor] | None = None

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device | str) -> "Dataset":
        y = None if self.y is None else self.y.to(device)
        held = None if self.held_out is None else [img.to(device) for img in self.held_out]
        return Dataset(self.x.to(device), y, self.info, held)

    def batch(self, batch_size: int, generator: torch.Generator | None = None):
        """A random batch drawn with replacement, on the data's device, with no host sync.
        Returns x: (B, *shape) and y: (B,) or None."""
        idx = torch.randint(len(self), (batch_size,), device=self.x.device, generator=generator)
        return self.x[idx], (None if self.y is None else self.y[idx])
