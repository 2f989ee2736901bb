"""The quality of an image-to-image translation (pix2pix) on pairs it never trained on: how close
each translation is to its real target (L1, PSNR, SSIM), and for digits whether the project's
digit classifier reads the translation as the digit it was sketched from.

PSNR here is over every colour channel of the 8-bit images: a colourisation's whole point is the
colour, which the brightness-only PSNR of super-resolution papers would not see (a grey input
already has the right brightness). SSIM compares structure on brightness (sr_metrics.ssim).

The floor is the input itself, taken as the answer (a grey input repeated to colour): the line a
translation must beat. For the classifier it is the real targets: what it reads on real digits.
Registered as "translation"; no data picks it by itself: an image-to-image variant names it.
"""
from __future__ import annotations

import torch

from ..data.base import DataInfo, Dataset, Pairs
from ..errors import GanError
from .judges import judge_for
from .measures import Measure, register_measure
from .sr_metrics import SSIM_SIDE, quantise, ssim

EVAL_PAIRS = 500  # pairs measured when the dataset keeps none out (its first ones)
EVAL_BATCH = 100
PSNR_CAP = 100.0  # dB one exact image counts as, so the mean of a set stays finite
DIGITS = (10, (28, 28))  # classes and side of the images the digit classifier reads


def psnr_rgb(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) pairs in [-1, 1] -> (N,) PSNR in dB over every channel of the 8-bit images."""
    a, b = quantise(out), quantise(target.to(out.device))
    mse = (a - b).pow(2).mean((1, 2, 3))
    return (10 * torch.log10(255.0 ** 2 / mse)).clamp(max=PSNR_CAP)


def as_output(inputs: torch.Tensor, channels: int) -> torch.Tensor:
    """Inputs (N, C_in, H, W) taken as the answer: a grey input repeated to `channels`; an input
    of more channels than the target (an RGB picture for grey targets) averaged to grey."""
    if inputs.shape[1] == channels:
        return inputs
    if inputs.shape[1] == 1:
        return inputs.expand(-1, channels, -1, -1)
    return inputs.mean(1, keepdim=True).expand(-1, channels, -1, -1)


def evaluation_pairs(data: Dataset) -> Pairs:
    """The held-out pairs, else the dataset's first EVAL_PAIRS (then the numbers are on pairs it
    trained on, which the Monitor's words say)."""
    held = getattr(data, "held_out_pairs", None)
    if held is not None and len(held):
        return held
    n = min(EVAL_PAIRS, len(data))
    labels = None if data.target_labels is None else data.target_labels[:n]
    return Pairs(data.y[:n], data.x[:n], labels)


def reads_digits(data: Dataset, pairs: Pairs) -> bool:
    """True for 28 x 28 targets of 10 classes with labels on both sides: the classifier applies."""
    info = data.info
    return (pairs.labels is not None and data.target_labels is not None
            and len(info.class_names) == DIGITS[0] and tuple(info.shape[1:]) == DIGITS[1])


@register_measure(
    "translation", applies_to=lambda info: False, applies_to_source=lambda spec: False,
    description="How close the translations of inputs it never trained on are to their real targets "
                "(L1, PSNR, SSIM); for digits also the share the digit classifier reads as the digit sketched.",
    how=("Each held-out input is translated by the generator (in evaluation mode, so dropout is off) and "
         "compared with its target: L1 is the mean absolute difference on a 0-1 scale, PSNR is taken "
         "on every colour of the 8-bit images, SSIM on brightness. The floor is the input itself taken "
         "as the answer (the line to beat); for the classifier, the real targets."),
    first_note=("for digits, the first run on a dataset also trains its classifier once, about a "
                "minute on a CPU; it is cached"),
    floor_words="the input itself (to beat)",
    metrics=("l1", "psnr", "ssim"))  # label_accuracy too, but only for digits: not a target
class TranslationMeasure(Measure):
    """`measure(generator)` -> {"l1", "psnr", "ssim"[, "label_accuracy"]}, means over the held-out
    pairs; generator(inputs) returns images of the targets' shape."""

    def __init__(self, cfg, data: Dataset, conditional: bool, device, seed: int = 0):
        self.data, self.device = data, torch.device(device)
        self.pairs = evaluation_pairs(data)
        if min(data.info.shape[1:]) < SSIM_SIDE:
            raise GanError(f"images of {min(data.info.shape[1:])} pixels are too small to measure: SSIM "
                           f"needs at least {SSIM_SIDE} pixels a side")
        self._classifier = None
        self._floor: dict | None = None

    def prepare(self) -> None:
        self._reader()

    def __call__(self, generator: torch.nn.Module) -> dict:
        from ..sampling.draw import generate
        return self._score(lambda inputs: generate(generator, inputs.to(self.device), None, EVAL_BATCH))

    def floor(self) -> dict | None:
        if self._floor is None:
            channels = self.data.info.shape[0]
            scores = self._score(lambda inputs: as_output(inputs, channels), classify=False)
            if self._reader() is not None:
                scores["label_accuracy"] = self._accuracy(self.pairs.targets)
            self._floor = scores
        return dict(self._floor)  # a copy: callers may edit theirs

    def _reader(self):
        """The digit classifier, trained once on the training targets and cached; or None."""
        if self._classifier is None and reads_digits(self.data, self.pairs):
            info = self.data.info
            targets = Dataset(self.data.x, self.data.target_labels,
                              DataInfo(f"{info.name}-targets", "image", info.shape, DIGITS[0],
                                       list(info.class_names)))
            self._classifier = judge_for(targets, device=self.device).classifier
        return self._classifier

    def _accuracy(self, images: torch.Tensor) -> float:
        reader = self._reader()
        with torch.no_grad():
            hits = [(reader(images[i:i + EVAL_BATCH].to(self.device).float().clamp(-1, 1)).argmax(1).cpu()
                     == self.pairs.labels[i:i + EVAL_BATCH].cpu()) for i in range(0, len(images), EVAL_BATCH)]
        return float(torch.cat(hits).double().mean())

    def _score(self, translate, classify: bool = True) -> dict:
        """translate: inputs (n, C_in, H, W) -> outputs (n, C, H, W). Means over every pair."""
        l1s, psnrs, ssims, outputs = [], [], [], []
        with torch.no_grad():
            for i in range(0, len(self.pairs), EVAL_BATCH):
                inputs = self.pairs.inputs[i:i + EVAL_BATCH]
                target = self.pairs.targets[i:i + EVAL_BATCH].float().cpu()
                out = translate(inputs).float().cpu().clamp(-1, 1)
                l1s.append((out - target).abs().mean((1, 2, 3)) / 2)  # on a 0-1 scale
                psnrs.append(psnr_rgb(out, target))
                ssims.append(ssim(out, target).float())
                outputs.append(out)
        scores = {"l1": float(torch.cat(l1s).mean()), "psnr": float(torch.cat(psnrs).mean()),
                  "ssim": float(torch.cat(ssims).mean())}
        if classify and self._reader() is not None:
            scores["label_accuracy"] = self._accuracy(torch.cat(outputs))
        return scores
