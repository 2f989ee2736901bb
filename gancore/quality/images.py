"""Image quality in a judge's feature space (judges.py): generated images against real ones.

- FCD, the Frechet classifier distance: FID's formula (Heusel et al. 2017) on the judge's 128-d
  penultimate features instead of Inception's; 0 for identical Gaussians, lower is better.
- Classifier score: the Inception Score's formula exp(E_x KL(p(y|x) || p(y))) on the judge's
  softmax (one split); between 1 (one class, or unsure) and K (sure and balanced over K classes).
- Precision / recall (Kynkaanniemi et al. 2019): the share of generated samples inside the real
  k-NN manifold, and of real samples inside the generated one; k = 5.
- Density / coverage (Naeem et al. 2020): how many real k-NN balls hold a generated sample, on
  average / 1; and the share of real balls holding at least one.
- Label accuracy, for conditional generators: samples asked for class k that the judge reads as k.

Real-vs-real (`real_floor`) is what a perfect generator would score on the same sample size: FCD
is biased upwards at finite n, and precision / recall are ~0.9, not 1, at k = 5.
Registered as the "images" measure of labelled images with at least two classes.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..data.base import Dataset
from ..errors import GanError
from ..sampling import generate, noise
from .classifier import class_accuracy
from .judges import FeatureSet, Judge, judge_for
from .measures import Measure, register_measure

K_NEAREST = 5
DIST_CHUNK = 1024  # rows of a distance matrix at a time: (1024, n) float32, 8 MB for n = 2,000
IMAGE_SAMPLES = 2000  # per evaluation: small noise in the metrics, and quick enough to run beside training


@dataclass
class ImageQuality:
    fcd: float
    classifier_score: float
    precision: float
    recall: float
    density: float
    coverage: float
    label_accuracy: float | None  # None for unconditional generators
    per_class_accuracy: list[float | None] | None  # per class k (None: no sample of k)
    samples: int  # generated (or second-half real) images measured

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("fcd", "classifier_score", "precision", "recall", "density", "coverage", "label_accuracy"):
            d[key] = None if d[key] is None else float(d[key])
        d["samples"] = int(self.samples)
        return d


# ---- the public measures --------------------------------------------------------------------
@torch.no_grad()
def evaluate_images(generator, judge: Judge, conditional: bool, n: int = 2000, seed: int = 0) -> ImageQuality:
    """n samples of `generator` (equal numbers per class when conditional; G is put in eval mode
    and given back in its own mode) against n real images, in `judge`'s feature space. n is capped
    at `judge.max_half` (half the real images, at most 5,000); `samples` says how many were used."""
    k = judge.num_classes
    n = min(n, judge.max_half)
    per_class = max(1, n // k)
    y = torch.arange(k).repeat_interleave(per_class) if conditional else None  # (K * per_class,)
    m = len(y) if conditional else n
    device = next(generator.parameters()).device
    images = generate(generator, noise(generator, m, seed, device), None if y is None else y.to(device))
    if tuple(images.shape[1:]) != tuple(judge.info.shape):
        raise GanError(f"the generator makes images of shape {tuple(images.shape[1:])}, but the judge "
                       f"of {judge.info.name} was trained on {tuple(judge.info.shape)}")
    fake = judge.embed(images, y)
    quality = compare(_reference(judge, min(m, judge.max_half)), fake)
    if conditional:
        quality.label_accuracy, quality.per_class_accuracy = class_accuracy(fake.probs.argmax(1), y, k)
    return quality


def real_floor(judge: Judge, n: int = 2000) -> ImageQuality:
    """The same measures between two disjoint halves of the real images (n each): what a perfect
    generator would get. Label accuracy: the judge on the second half's real images."""
    n = min(n, judge.max_half)

    def compute() -> ImageQuality:
        other = judge.real_features(1, n)
        quality = compare(_reference(judge, n), other)
        quality.label_accuracy, quality.per_class_accuracy = class_accuracy(
            other.probs.argmax(1), other.labels, judge.num_classes)
        return quality

    return copy.deepcopy(judge.memo(("floor", n), compute))  # a copy: callers may edit theirs


@register_measure("images", applies_to=lambda info: info.kind != "points" and info.num_classes >= 2,
                  applies_to_source=lambda source: source.kind != "points" and source.labelled,
                  description="FCD, classifier score, precision / recall and density / coverage "
                              "in the feature space of a classifier trained on the real images.",
                  how=("Measured on 2,000 samples in the feature space of a small classifier trained once "
                       "on the real images (its accuracy on held-out real images is shown), beside "
                       "training: training never waits, and measuring takes at most about 5 % of the time."),
                  first_note=("the first run on a dataset also trains its classifier once, about a minute "
                              "on a CPU; it is cached"),
                  metrics=("fcd", "classifier_score", "precision", "recall", "density", "coverage"),
                  conditional_metrics=("label_accuracy",))
class ClassifierFeatureMeasure(Measure):
    """FCD, classifier score, precision / recall, density / coverage (and label accuracy for
    conditional runs) against the dataset's judge. The judge is trained on first use (then cached
    on disk), so building this object is cheap and the first call may be slow."""

    def __init__(self, cfg, data: Dataset, conditional: bool, device, seed: int = 0, samples: int = IMAGE_SAMPLES):
        self.data, self.conditional, self.device, self.seed, self.samples = data, conditional, device, seed, samples
        self._judge = None

    def prepare(self) -> None:
        self.judge()

    def judge(self) -> Judge:
        if self._judge is None:
            self._judge = judge_for(self.data, device=self.device)
        return self._judge

    def __call__(self, generator: torch.nn.Module) -> dict:
        return evaluate_images(generator, self.judge(), self.conditional, n=self.samples, seed=self.seed).to_dict()

    def floor(self) -> dict | None:
        return {**real_floor(self.judge(), n=self.samples).to_dict(),
                "judge_holdout_accuracy": self.judge().holdout_accuracy}


# ---- the real side, computed once per judge and sample size ----------------------------------
@dataclass
class Reference:
    """The real half a sample is compared to: its features (n, d), k-NN radii (n,) and Gaussian."""

    features: torch.Tensor
    radii: torch.Tensor
    mean: np.ndarray  # (d,) float64
    cov: np.ndarray  # (d, d) float64
    cov_sqrt: np.ndarray  # (d, d) float64, the PSD square root of cov


def _reference(judge: Judge, n: int) -> Reference:
    def compute() -> Reference:
        real = judge.real_features(0, n).features
        mean, cov = gaussian(real)
        return Reference(real, knn_radii(real, K_NEAREST), mean, cov, psd_sqrt(cov))

    return judge.memo(("reference", n), compute)


def compare(ref: Reference, fake: FeatureSet) -> ImageQuality:
    """Every unconditional measure of `fake` against `ref` (label accuracy left None)."""
    mean, cov = gaussian(fake.features)
    fcd = frechet_distance(ref.mean, ref.cov, mean, cov, ref.cov_sqrt)
    precision, recall, density, coverage = manifold_measures(
        ref.features, ref.radii, fake.features, knn_radii(fake.features, K_NEAREST))
    return ImageQuality(fcd, classifier_score(fake.probs), precision, recall, density, coverage,
                        None, None, len(fake))


# ---- the formulas, on plain tensors ----------------------------------------------------------
def gaussian(features: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(n, d) -> mean (d,) and covariance (d, d), float64 (n - 1 in the denominator)."""
    f = features.double().cpu().numpy()
    return f.mean(0), np.cov(f, rowvar=False)


def psd_sqrt(mat: np.ndarray) -> np.ndarray:
    """The symmetric PSD square root, by eigendecomposition; rounding's tiny negative eigenvalues
    (covariances of dead ReLU units are singular) are clipped to 0."""
    w, v = np.linalg.eigh((mat + mat.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(mu1, cov1, mu2, cov2, cov1_sqrt=None) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)). S1 S2 is similar to S1^(1/2) S2 S1^(1/2),
    which is symmetric PSD, so the trace of the root is the sum of the roots of its eigenvalues:
    stable in float64 with no scipy.linalg.sqrtm and no complex parts to discard."""
    s1 = psd_sqrt(cov1) if cov1_sqrt is None else cov1_sqrt
    mid = s1 @ cov2 @ s1
    tr_root = np.sqrt(np.clip(np.linalg.eigvalsh((mid + mid.T) / 2), 0, None)).sum()
    diff = np.asarray(mu1, np.float64) - np.asarray(mu2, np.float64)
    return max(0.0, float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * tr_root))


def classifier_score(probs: torch.Tensor) -> float:
    """probs: (n, K) softmax rows -> exp(mean_x KL(p(y|x) || p(y))), p(y) the mean row."""
    p = probs.double().clamp_min(1e-12)
    marginal = p.mean(0, keepdim=True)  # (1, K)
    kl = (p * (p.log() - marginal.log())).sum(1)  # (n,)
    return float(kl.mean().exp())


def knn_radii(features: torch.Tensor, k: int = K_NEAREST) -> torch.Tensor:
    """(n, d) -> (n,): each point's distance to its k-th nearest other point of the same set."""
    k = min(k, features.shape[0] - 1)
    if k < 1:
        raise GanError("precision and recall need at least two samples on each side")
    out = []
    for i in range(0, features.shape[0], DIST_CHUNK):
        d = torch.cdist(features[i:i + DIST_CHUNK], features)  # (c, n)
        out.append(d.kthvalue(k + 1, dim=1).values)  # k + 1: a point is its own nearest, at 0
    return torch.cat(out)


def manifold_measures(real: torch.Tensor, real_radii: torch.Tensor, fake: torch.Tensor,
                      fake_radii: torch.Tensor, k: int = K_NEAREST) -> tuple[float, float, float, float]:
    """Precision, recall, density, coverage of fake (m, d) against real (n, d), given each set's
    k-NN radii; one pass over (chunk, n) distance blocks, strict "<" as in the papers' code."""
    n, m = real.shape[0], fake.shape[0]
    in_real_ball = torch.zeros(m, dtype=torch.bool)  # precision: fake j inside some real ball
    balls_hit = torch.zeros((), dtype=torch.float64)  # density: sum over fakes of real balls around it
    real_in_fake_ball = torch.zeros(n, dtype=torch.bool)  # recall: real i inside some fake ball
    nearest_fake = torch.full((n,), float("inf"))  # coverage: real i's nearest fake
    for i in range(0, m, DIST_CHUNK):
        d = torch.cdist(fake[i:i + DIST_CHUNK], real)  # (c, n)
        inside = d < real_radii[None, :]  # (c, n): fake j in real i's ball
        in_real_ball[i:i + DIST_CHUNK] = inside.any(1)
        balls_hit += inside.sum()
        real_in_fake_ball |= (d < fake_radii[i:i + DIST_CHUNK, None]).any(0)
        nearest_fake = torch.minimum(nearest_fake, d.min(0).values)
    k = min(k, n - 1)
    return (float(in_real_ball.double().mean()), float(real_in_fake_ball.double().mean()),
            float(balls_hit) / (k * m), float((nearest_fake < real_radii).double().mean()))
