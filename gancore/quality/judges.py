"""The judge of a labelled image dataset: a DigitClassifier trained once on the real images, whose
128-d penultimate features and softmax the image metrics (images.py) are computed in.

Training one takes a while on a CPU (docs/BENCHMARKS.md), so a judge is kept twice:
- in memory, per (data fingerprint, device), for the life of the process (thread-safe: two
  threads asking for the same judge train it once);
- on disk under `$GANCORE_CACHE_DIR/judges` (default `~/.cache/gancore/judges`), one file per
  dataset fingerprint holding the state_dict and plain data only, so it loads with
  `torch.load(weights_only=True)`. A file that cannot be read, or that describes other data or
  another training recipe, is never trusted: the judge is trained again and the file rewritten.

The fingerprint is a SHA-256 of N, the shape, every label and the bytes of a fixed, evenly spread
subset of the images: cheap (~10 ms for MNIST), and different for any other data set or split.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..data.base import DataInfo, Dataset
from ..errors import GanError
from .classifier import DigitClassifier, train_classifier

FORMAT = 1
# How every judge is trained; part of the fingerprint, so changing it retrains cached judges.
RECIPE = {"epochs": 6, "batch_size": 128, "holdout": 0.1, "seed": 0}
FINGERPRINT_IMAGES = 2048  # images whose bytes enter the fingerprint, evenly spread over the set
MAX_HALF = 5000  # real images per half kept for the metrics (evaluations use up to this many)
EMBED_BATCH = 1000


@dataclass
class FeatureSet:
    """Images seen through a judge. features: (n, 128) penultimate activations; probs: (n, K)
    softmax; labels: (n,) or None. All float32 / int64 on the CPU."""

    features: torch.Tensor
    probs: torch.Tensor
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.features.shape[0]


@dataclass(eq=False)
class Judge:
    """A trained classifier (eval mode, no gradients) and the real images it compares against.

    real_u8 is a fixed shuffle of (up to 2 * MAX_HALF) real images as uint8 (4x smaller than
    float; exact for 8-bit sources like MNIST): the first half is what generated images are
    compared to, the second half the "other real sample" of the floor."""

    classifier: DigitClassifier
    holdout_accuracy: float
    info: DataInfo
    fingerprint: str
    real_u8: torch.Tensor  # (M, C, H, W) uint8, CPU
    real_y: torch.Tensor  # (M,) int64, CPU
    from_cache: bool = False  # read from disk rather than trained in this call
    train_seconds: float = 0.0  # how long training took (when it was trained)
    _memo: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def num_classes(self) -> int:
        return self.info.num_classes

    @property
    def device(self) -> torch.device:
        return next(self.classifier.parameters()).device

    @property
    def max_half(self) -> int:
        """The most real images one half holds: evaluations of more samples use this many."""
        return self.real_u8.shape[0] // 2

    @torch.no_grad()
    def embed(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> FeatureSet:
        """(n, C, H, W) in [-1, 1] (float) or [0, 255] (uint8) -> features and softmax, on the CPU."""
        feats, probs = [], []
        for i in range(0, images.shape[0], EMBED_BATCH):
            x = images[i:i + EMBED_BATCH].to(self.device)
            x = x.float() / 127.5 - 1 if x.dtype == torch.uint8 else x.float()
            f = self.classifier.features(x)  # (b, 128)
            feats.append(f.float().cpu())
            probs.append(self.classifier.head(f).float().softmax(1).cpu())  # (b, K); dropout is off in eval
        return FeatureSet(torch.cat(feats), torch.cat(probs), None if labels is None else labels.cpu())

    def real_features(self, half: int, n: int) -> FeatureSet:
        """The first n real images of half 0 or 1 (disjoint), embedded once and kept."""
        if half not in (0, 1) or not 1 <= n <= self.max_half:
            raise ValueError(f"half must be 0 or 1 and n in [1, {self.max_half}], got {half}, {n}")
        start = half * self.max_half
        return self.memo(("real", half, n), lambda: self.embed(self.real_u8[start:start + n],
                                                               self.real_y[start:start + n]))

    def memo(self, key, compute):
        """compute() once per key for the life of this judge (e.g. statistics of the real side);
        thread-safe, and a second caller waits rather than computing it again."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]


# ---- finding a judge ------------------------------------------------------------------------
_MEMORY: dict[tuple[str, str], Judge] = {}
_KEY_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_MEMORY_LOCK = threading.Lock()


def judge_for(dataset: Dataset, device="cpu") -> Judge:
    """The judge of this labelled image dataset: from memory, else from the disk cache, else
    trained now and saved for next time."""
    check_judgeable(dataset)
    fp = fingerprint(dataset)
    key = (fp, str(torch.device(device)))
    with _MEMORY_LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
        key_lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:  # one thread trains; the others wait for its judge
        with _MEMORY_LOCK:
            if key in _MEMORY:
                return _MEMORY[key]
        judge = _load_or_train(dataset, fp, device)
        with _MEMORY_LOCK:
            _MEMORY[key] = judge
        return judge


def clear_memory_cache() -> None:
    """Forget the judges held in memory (the disk cache stays): frees memory, and lets tests
    see the disk cache at work."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def check_judgeable(dataset: Dataset) -> None:
    info = dataset.info
    if info.kind != "image":
        raise GanError(f"{info.name} is a set of points, not images: image quality needs labelled "
                       "images (points are measured by mode coverage)")
    if dataset.y is None or info.num_classes < 2:
        raise GanError(f"{info.name} has no class labels, so no classifier can be trained to judge "
                       "its images: image quality needs labelled images with at least two classes")
    if len(dataset) < 20:
        raise GanError(f"{info.name} has only {len(dataset)} images; judging generated images needs "
                       "at least 20 labelled real ones")


def fingerprint(dataset: Dataset) -> str:
    """SHA-256 (hex) of N, shape, classes, the recipe, every label and a fixed subset of x."""
    x, n = dataset.x, len(dataset)
    head = {"n": n, "shape": list(x.shape[1:]), "num_classes": dataset.info.num_classes,
            "recipe": RECIPE, "format": FORMAT}
    idx = torch.linspace(0, n - 1, min(n, FINGERPRINT_IMAGES)).round().long()  # fixed, spread evenly
    h = hashlib.sha256(json.dumps(head, sort_keys=True).encode())
    h.update(x[idx.to(x.device)].detach().float().cpu().contiguous().numpy().tobytes())
    h.update(dataset.y.detach().long().cpu().numpy().tobytes())
    return h.hexdigest()


def cache_dir() -> Path:
    root = os.environ.get("GANCORE_CACHE_DIR") or Path.home() / ".cache" / "gancore"
    return Path(root).expanduser() / "judges"


def cache_path(info: DataInfo, fp: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", info.name)[:40] or "data"
    return cache_dir() / f"{name}-{fp[:24]}.pt"


def _load_or_train(dataset: Dataset, fp: str, device) -> Judge:
    info, path = dataset.info, cache_path(dataset.info, fp)
    model = DigitClassifier(info.shape[0], info.num_classes)
    saved = _read_judge_file(path, fp, info, model)
    if saved is not None:
        acc, seconds, from_cache = saved, 0.0, True
        model = model.to(device)
    else:
        start = time.perf_counter()
        model, acc = train_classifier(dataset, epochs=RECIPE["epochs"], batch_size=RECIPE["batch_size"],
                                      holdout=RECIPE["holdout"], seed=RECIPE["seed"], device=device)
        seconds, from_cache = time.perf_counter() - start, False
        _write_judge_file(path, model, acc, info, fp, len(dataset), seconds)
    model.eval().requires_grad_(False)
    real_u8, real_y = _real_subset(dataset)
    return Judge(model, float(acc), info, fp, real_u8, real_y, from_cache, seconds)


def _real_subset(dataset: Dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed shuffle of up to 2 * MAX_HALF real images as uint8, (M, C, H, W), and labels (M,)."""
    n = len(dataset)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(12345))[:2 * MAX_HALF]
    x = dataset.x[order.to(dataset.x.device)].detach().float().cpu()
    u8 = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return u8, dataset.y[order.to(dataset.y.device)].detach().long().cpu()


def _read_judge_file(path: Path, fp: str, info: DataInfo, model: DigitClassifier) -> float | None:
    """Load a cached judge's weights into `model`; its holdout accuracy, or None when the file is
    missing, unreadable, or not for exactly this data and recipe (then it must be retrained)."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        ok = (isinstance(state, dict) and state.get("format") == FORMAT and state.get("fingerprint") == fp
              and state.get("recipe") == RECIPE and state.get("num_classes") == info.num_classes
              and list(state.get("shape", ())) == list(info.shape)
              and isinstance(state.get("holdout_accuracy"), float))
        if not ok:
            return None
        model.load_state_dict(state["classifier"])
    except Exception:  # noqa: BLE001  (truncated, tampered, another format: retrain, never trust)
        return None
    return state["holdout_accuracy"]


def _write_judge_file(path: Path, model: DigitClassifier, acc: float, info: DataInfo, fp: str,
                      n: int, seconds: float) -> None:
    """Atomically: a temporary file in the same folder, then os.replace. A cache that cannot be
    written only costs retraining next time, so that is a warning, not an error."""
    state = {"format": FORMAT, "fingerprint": fp, "recipe": dict(RECIPE), "dataset": info.name,
             "shape": list(info.shape), "num_classes": info.num_classes, "samples": n,
             "holdout_accuracy": float(acc), "train_seconds": float(seconds),
             "classifier": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(f"the judge could not be cached in {path.parent} ({exc}); it will be "
                      "trained again next time (set GANCORE_CACHE_DIR to a writable folder)")
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
