"""What "quality" means for a run's data, as one callable: generator -> a flat dict of numbers.

- 2D Gaussian mixtures (ring8, grid25): mode coverage by the PacGAN protocol.
- Labelled images (MNIST, Fashion-MNIST, glyphs, labelled folders): metrics in the feature space of
  a small classifier trained once on the real data (its "judge"), with the real-vs-real floor.
- Anything else (spiral, moons, unlabelled images): nothing to measure, `measure_for` gives None.
"""
from __future__ import annotations

from typing import Callable

import torch

from ..config import TrainConfig
from ..data import Dataset
from ..sampling import sample, to_raw_points
from .modes import PACGAN_SAMPLES, mode_coverage

IMAGE_SAMPLES = 2000  # per evaluation: the metrics' noise is ~1 % at this size, and it takes ~1-2 s on a CPU


class Measure:
    """`measure(generator)` -> {metric: value}; `floor()` -> the same metrics for real data
    against real data (what a perfect generator would get), or None where that means nothing."""

    kind = "none"

    def prepare(self) -> None:
        """One-off set-up that may be slow (training a judge); called before the first use."""

    def __call__(self, generator: torch.nn.Module) -> dict:
        raise NotImplementedError

    def floor(self) -> dict | None:
        return None


class ModeCoverageMeasure(Measure):
    kind = "modes"

    def __init__(self, data: Dataset, cfg: TrainConfig, seed: int = 0):
        self.data, self.info, self.cfg, self.seed = data, data.info, cfg, seed

    def __call__(self, generator: torch.nn.Module) -> dict:
        points, _ = sample(generator, self.info, self.cfg, PACGAN_SAMPLES, seed=self.seed)
        cov = mode_coverage(to_raw_points(points, self.info).numpy(), self.info.mode_means, self.info.mode_sigma)
        return cov.to_dict()

    def floor(self) -> dict | None:
        """Real points scored the same way (what a perfect generator gets: in 2D, ~98.9 % lie within 3 sigma)."""
        real = to_raw_points(self.data.x[:PACGAN_SAMPLES].float().cpu(), self.info).numpy()
        return mode_coverage(real, self.info.mode_means, self.info.mode_sigma).to_dict()


class ClassifierFeatureMeasure(Measure):
    """FCD, classifier score, precision / recall, density / coverage (and label accuracy for
    conditional runs) against the dataset's judge. The judge is trained on first use (then cached
    on disk), so building this object is cheap and the first call may be slow."""

    kind = "images"

    def __init__(self, data: Dataset, conditional: bool, device, seed: int = 0, samples: int = IMAGE_SAMPLES):
        self.data, self.conditional, self.device, self.seed, self.samples = data, conditional, device, seed, samples
        self._judge = None

    def prepare(self) -> None:
        self.judge()

    def judge(self):
        from .judges import judge_for

        if self._judge is None:
            self._judge = judge_for(self.data, device=self.device)
        return self._judge

    def __call__(self, generator: torch.nn.Module) -> dict:
        from .images import evaluate_images

        return evaluate_images(generator, self.judge(), self.conditional, n=self.samples, seed=self.seed).to_dict()

    def floor(self) -> dict | None:
        from .images import real_floor

        return {**real_floor(self.judge(), n=self.samples).to_dict(),
                "judge_holdout_accuracy": self.judge().holdout_accuracy}


def quality_kind(cfg: TrainConfig) -> str | None:
    """"modes", "images" or None: what measure_for will give for this config's data, known
    without loading it (a labelled image folder may still turn out to have one class)."""
    from ..data.registry import get_dataset_spec
    from ..data.toy2d import GAUSSIAN_MIXTURES

    spec = get_dataset_spec(cfg.data.dataset)
    if spec.kind == "points":
        return "modes" if cfg.data.dataset in GAUSSIAN_MIXTURES else None
    return "images" if spec.labelled else None


def measure_for(cfg: TrainConfig, data: Dataset, conditional: bool, device) -> Measure | None:
    """The measure that fits this data, or None when there is nothing meaningful to measure."""
    info = data.info
    if info.kind == "points":
        return ModeCoverageMeasure(data, cfg) if info.mode_means else None
    if data.y is not None and info.num_classes >= 2:
        return ClassifierFeatureMeasure(data, conditional, device)
    return None


MeasureFactory = Callable[[TrainConfig, Dataset, bool, torch.device], "Measure | None"]
