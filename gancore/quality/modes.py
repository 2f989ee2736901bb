"""Mode coverage on 2D Gaussian mixtures by the PacGAN protocol (Lin et al. 2018, section 5):
draw 2,500 samples; a sample is high quality when within 3 sigma of its nearest mode's mean; a
mode is captured when at least one high-quality sample is nearest to it. The reverse KL of the
high-quality samples' mode histogram to the uniform distribution tells how evenly they spread.
Registered as the "modes" measure of 2D Gaussian mixtures (ring8, grid25)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..config import TrainConfig
from ..data.base import Dataset
from ..data.toy2d import GAUSSIAN_MIXTURES
from ..sampling import sample, to_raw_points
from .measures import Measure, register_measure

PACGAN_SAMPLES = 2500


@dataclass
class ModeCoverage:
    modes: int  # modes captured
    total_modes: int
    high_quality: float  # share of samples within 3 sigma of the nearest mean
    reverse_kl: float  # KL(high-quality mode histogram || uniform); 0 = perfectly even

    def to_dict(self) -> dict:
        return asdict(self)


def mode_coverage(points: np.ndarray, means, sigma: float) -> ModeCoverage:
    """points: (N, 2) in the dataset's own coordinates; means: (K, 2)."""
    means = np.asarray(means, dtype=np.float64)
    dist = np.linalg.norm(points[:, None, :].astype(np.float64) - means[None], axis=2)  # (N, K)
    nearest, near_dist = dist.argmin(1), dist.min(1)
    hq = near_dist < 3 * sigma
    counts = np.bincount(nearest[hq], minlength=len(means)).astype(np.float64)
    kl = math.inf
    if counts.sum() > 0:
        p = counts / counts.sum()
        nz = p > 0
        kl = float((p[nz] * np.log(p[nz] * len(means))).sum())
    return ModeCoverage(int((counts > 0).sum()), len(means), float(hq.mean()), kl)


@register_measure("modes", applies_to=lambda info: info.kind == "points" and bool(info.mode_means),
                  applies_to_source=lambda source: source.kind == "points" and source.name in GAUSSIAN_MIXTURES,
                  description="Modes captured, the share of high-quality samples, and how evenly they spread.",
                  how="Measured on 2,500 samples by the PacGAN protocol, beside training (training never waits).",
                  metrics=("modes", "high_quality", "reverse_kl"))
class ModeCoverageMeasure(Measure):
    def __init__(self, cfg: TrainConfig, data: Dataset, conditional: bool, device, seed: int = 0):
        self.data, self.info, self.cfg, self.seed = data, data.info, cfg, seed

    def __call__(self, generator: torch.nn.Module) -> dict:
        points, _ = sample(generator, self.info, self.cfg, PACGAN_SAMPLES, seed=self.seed)
        cov = mode_coverage(to_raw_points(points, self.info).numpy(), self.info.mode_means, self.info.mode_sigma)
        return cov.to_dict()

    def floor(self) -> dict | None:
        """Real points scored the same way (what a perfect generator gets: in 2D, ~98.9 % lie within 3 sigma)."""
        real = to_raw_points(self.data.x[:PACGAN_SAMPLES].float().cpu(), self.info).numpy()
        return mode_coverage(real, self.info.mode_means, self.info.mode_sigma).to_dict()
