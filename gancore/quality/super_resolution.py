"""The quality of a super-resolution generator: PSNR and SSIM (sr_metrics.py) of its upscaled
images against the originals, as SR papers report them; and for 28 x 28 digits of 10 classes,
whether the project's digit classifier still reads the upscaled digit as its label.

The floor is plain bicubic upscaling of the same low-resolution images: the line a trained SR
generator must beat (not a ceiling: identical images would score inf dB and SSIM 1).
Registered as "super_resolution"; no data picks it by itself: an SR variant names it.
"""
from __future__ import annotations

import torch

from ..data.base import Dataset
from ..errors import GanError
from ..sampling.tiles import upscale_tiled
from .judges import judge_for
from .measures import Measure, register_measure
from .sr_metrics import SSIM_SIDE, psnr, ssim

EVAL_IMAGES = 256  # images of data.x measured when the dataset holds no held-out images
EVAL_BATCH = 64  # images per generator call: bounds activations for 96-pixel images at x4
# An image the generator reproduces exactly has infinite PSNR; each image counts as at most this
# many dB in the mean, so one exact image cannot make the mean of a set inf.
PSNR_CAP = 100.0
DIGITS = (10, (28, 28))  # classes and side of the data the digit classifier reads


def _resample():
    """The resampling functions every side uses (imported when first measured)."""
    from ..data.resample import crop_to_multiple, downscale, upscale
    return crop_to_multiple, downscale, upscale


def reads_digits(data: Dataset) -> bool:
    """True for labelled 28 x 28 images of 10 classes: the digit classifier can judge them."""
    info = data.info
    return (data.y is not None and info.kind == "image" and info.num_classes == DIGITS[0]
            and tuple(info.shape[1:]) == DIGITS[1])


def border_for(side: int, scale: int) -> int:
    """Pixels cropped from each side: `scale`, as papers crop, or fewer when that would leave less
    than SSIM's 11-pixel window (16-pixel images at x4 keep a border of 2)."""
    if side < SSIM_SIDE:
        raise GanError(f"images of {side} pixels are too small to measure: SSIM needs at least "
                       f"{SSIM_SIDE} pixels a side")
    return min(scale, (side - SSIM_SIDE) // 2)


@register_measure(
    "super_resolution", applies_to=lambda info: False, applies_to_source=lambda spec: False,
    description="PSNR (dB) and SSIM of the upscaled images against the originals, as super-resolution "
                "papers report them; for digits also the share the digit classifier reads as their label.",
    how=("Each image is shrunk by the run's upscaling factor (antialiased bicubic) and upscaled again "
         "by the generator; PSNR and SSIM are taken on the brightness (Y) channel of the 8-bit images, "
         "a border as wide as the factor left out. Measured on the dataset's held-out images when it "
         "has them (each whole, in tiles when large), else on a fixed set of 256 of its images. "
         "The floor is plain bicubic upscaling: the line to beat."),
    first_note=("for digits, the first run on a dataset also trains its classifier once, about a "
                "minute on a CPU; it is cached"),
    floor_words="bicubic (to beat)",
    metrics=("psnr", "ssim"))  # label_accuracy too, but only for digits: not a target
class SuperResolutionMeasure(Measure):
    """`measure(generator)` -> {"psnr", "ssim"[, "label_accuracy"]}, means over the evaluation
    images; generator(lr) must return images cfg.model.scale times larger. Images are prepared
    on first use, so building this object is cheap."""

    def __init__(self, cfg, data: Dataset, conditional: bool, device, seed: int = 0,
                 samples: int = EVAL_IMAGES):
        self.data, self.device, self.seed, self.samples = data, torch.device(device), seed, samples
        self.scale = int(cfg.model.scale)
        self._sets: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]] | None = None
        self._classifier = None
        self._floor: dict | None = None

    def prepare(self) -> None:
        self._eval_sets()
        self._reader()

    def __call__(self, generator: torch.nn.Module) -> dict:
        return self._score(lambda lr: upscale_tiled(generator, lr))

    def floor(self) -> dict | None:
        if self._floor is None:
            _, _, upscale = _resample()
            self._floor = self._score(lambda lr: upscale(lr, self.scale, mode="bicubic"))
        return dict(self._floor)  # a copy: callers may edit theirs

    # ---- the images ---------------------------------------------------------------------------
    def _eval_sets(self) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]:
        """Batches of (hr (n, C, H, W), lr (n, C, H/s, W/s), labels (n,) or None) on the device:
        each held-out image alone (their sizes differ), else a seeded draw from data.x."""
        if self._sets is None:
            crop_to_multiple, downscale, _ = _resample()
            held = getattr(self.data, "held_out", None)
            if held:
                batches = [(img.unsqueeze(0), None) for img in held]  # (1, C, H, W) each
            else:
                n = min(self.samples, len(self.data))
                order = torch.randperm(len(self.data), generator=torch.Generator().manual_seed(self.seed))[:n]
                x = self.data.x[order.to(self.data.x.device)]
                y = self.data.y[order.to(self.data.y.device)] if reads_digits(self.data) else None
                batches = [(x[i:i + EVAL_BATCH], None if y is None else y[i:i + EVAL_BATCH])
                           for i in range(0, n, EVAL_BATCH)]
            sets = []
            for hr, y in batches:
                hr = crop_to_multiple(hr.detach().float().to(self.device), self.scale)
                border_for(min(hr.shape[2:]), self.scale)  # too small to measure: say so now
                sets.append((hr, downscale(hr, self.scale), None if y is None else y.to(self.device)))
            self._sets = sets
        return self._sets

    def _reader(self):
        """The digit classifier (trained on this data once, then cached), or None."""
        if self._classifier is None and reads_digits(self.data) and not getattr(self.data, "held_out", None):
            self._classifier = judge_for(self.data, device=self.device).classifier
        return self._classifier

    # ---- the numbers --------------------------------------------------------------------------
    def _score(self, upscale) -> dict:
        """upscale: lr (n, C, h, w) -> sr (n, C, h s, w s). Means over every evaluation image."""
        psnrs, ssims, hits = [], [], []
        reader, sets = self._reader(), self._eval_sets()  # outside no_grad: the reader may train first
        with torch.no_grad():
            for hr, lr, labels in sets:
                sr = upscale(lr).to(hr.device)
                border = border_for(min(hr.shape[2:]), self.scale)
                psnrs.append(psnr(sr, hr, border).clamp(max=PSNR_CAP).cpu())
                ssims.append(ssim(sr, hr, border).cpu())
                if labels is not None and reader is not None:
                    hits.append((reader(sr.clamp(-1, 1)).argmax(1) == labels).cpu())
        out = {"psnr": float(torch.cat(psnrs).mean()), "ssim": float(torch.cat(ssims).mean())}
        if hits:
            out["label_accuracy"] = float(torch.cat(hits).double().mean())
        return out
