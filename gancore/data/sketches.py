"""Sketch to digit: pairs of a thin-stroke sketch of a digit (input) and the digit itself (target),
made here from MNIST (handwritten) or glyphs (the built-in font), for pix2pix.

A sketch is the digit's skeleton (skimage.morphology.skeletonize of the inked pixels): one pixel
wide, the shape of the stroke without its thickness, which is what the translation learns to put
back. What a person draws on the Generate page's pad is a stroke of a few pixels, antialiased, so
the sketches vary the same way: half are thickened by one pixel, and every one is softened a
little at its edges, so a drawn line reads like a training sketch rather than like nothing seen.
White ink on black, as the digits.
"""
from __future__ import annotations

from dataclasses import replace
import numpy as np
import torch
import torch.nn.functional as F

from ..errors import DataError
from .base import DataInfo, Dataset, Pairs
from .glyphs import cached_glyphs
from .idx import IDX_FIELDS, MNIST, check_availability, load_idx
from .registry import register_dataset

HELD_OUT = 500  # pairs kept out of training for the preview and the quality measure, at most
MIN_DIGITS = 50
THICKEN_SHARE = 0.5
SPLIT_SEED = 0
TEACHES = ("turns a thin sketch of a digit into a written digit: it learns how thick a stroke is "
           "and how its ends and joins look.")


def skimage_skeletonize():
    try:
        from skimage.morphology import skeletonize
    except ImportError as exc:  # a dependency of the project; said plainly if it is missing
        raise DataError("dataset", "sketches are made with scikit-image, which is not installed: "
                        "pip install scikit-image") from exc
    return skeletonize


def sketch_of(digits: torch.Tensor, seed: int) -> torch.Tensor:
    """(N, 1, H, W) digits in [-1, 1] -> (N, 1, H, W) sketches in [-1, 1]: each digit's skeleton,
    half of them thickened by one pixel (a 2 x 2 max), every one softened by a 3 x 3 blur mixed
    in at a quarter."""
    skeletonize = skimage_skeletonize()
    inked = (digits[:, 0] > 0).numpy()  # (N, H, W) bool: pixels above mid-grey
    bones = np.stack([skeletonize(img) for img in inked]) if len(inked) else inked
    sk = torch.from_numpy(bones.astype(np.float32))[:, None]  # (N, 1, H, W) in {0, 1}
    gen = torch.Generator().manual_seed(seed)
    thick = torch.rand(len(sk), generator=gen) < THICKEN_SHARE
    # pad right/bottom then a 2 x 2 max: the stroke grows by one pixel down and to the right
    grown = F.max_pool2d(F.pad(sk, (0, 1, 0, 1)), 2, stride=1)
    sk = torch.where(thick[:, None, None, None], grown, sk)
    soft = F.avg_pool2d(F.pad(sk, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    sk = torch.maximum(sk, 0.25 * soft / soft.amax(dim=(2, 3), keepdim=True).clamp(min=1e-6))
    return sk * 2 - 1


def paired_digits(name: str, digits: torch.Tensor, labels: torch.Tensor,
                  class_names: list[str]) -> Dataset:
    """A paired Dataset from labelled digits (N, 1, H, W): the first HELD_OUT (or a fifth, when
    fewer) after a fixed shuffle kept out as Dataset.held_out_pairs, the rest the training pairs. The shuffle and the
    sketches do not depend on the run's seed, so every run on a source is judged on the same pairs."""
    if len(digits) < MIN_DIGITS:
        raise DataError("num_samples", f"{name} needs at least {MIN_DIGITS} digits (a fifth, up to "
                        f"{HELD_OUT}, are kept out to test on); got {len(digits)}")
    held_out = min(HELD_OUT, len(digits) // 5)
    order = torch.randperm(len(digits), generator=torch.Generator().manual_seed(SPLIT_SEED))
    digits, labels = digits[order], labels[order]
    sketches = sketch_of(digits, SPLIT_SEED)  # 10,000 digits take well under a second
    held = Pairs(sketches[:held_out].clone(), digits[:held_out].clone(), labels[:held_out].clone())
    info = DataInfo(name, "paired", tuple(digits.shape[1:]), class_names=list(class_names),
                    input_shape=tuple(sketches.shape[1:]), teaches=TEACHES, drawable=True)
    return Dataset(digits[held_out:].clone(), sketches[held_out:].clone(), info,
                   held_out_pairs=held, target_labels=labels[held_out:].clone())


@register_dataset("sketch2digits", kind="paired", labelled=False, native_size=28, native_channels=1,
                  availability=lambda cfg: check_availability(MNIST, cfg), fields=IDX_FIELDS,
                  description="Sketch to digit: thin sketches of handwritten MNIST digits, to be turned "
                              "back into the digits (MNIST downloads 11 MB on first use).")
def load_sketch2digits(cfg, seed: int) -> Dataset:
    mnist = load_idx(MNIST, replace(cfg, image_size=None))
    data = paired_digits("sketch2digits", mnist.x, mnist.y, mnist.info.class_names)
    return _resized(data, cfg.image_size)


@register_dataset("sketch2glyphs", kind="paired", labelled=False, native_size=28, native_channels=1,
                  fields=("num_samples", "image_size"),
                  description="Sketch to digit, offline: thin sketches of the built-in font's digits, "
                              "to be turned back into the digits.")
def load_sketch2glyphs(cfg, seed: int) -> Dataset:
    from .glyphs import DEFAULT_SAMPLES
    n = cfg.num_samples or DEFAULT_SAMPLES
    digits, labels = cached_glyphs(n, None, seed)
    data = paired_digits("sketch2glyphs", digits, labels, [str(d) for d in range(10)])
    return _resized(data, cfg.image_size)


def _resized(data: Dataset, side: int | None) -> Dataset:
    """Both sides of every pair at `side` pixels (None: as made, 28)."""
    if side is None or side == data.info.shape[-1]:
        return data
    from .resize import resize_images
    held = data.held_out_pairs
    info = replace(data.info, shape=(data.info.shape[0], side, side),
                   input_shape=(data.info.input_shape[0], side, side))
    return Dataset(resize_images(data.x, side), resize_images(data.y, side), info,
                   held_out_pairs=Pairs(resize_images(held.inputs, side), resize_images(held.targets, side),
                                        held.labels),
                   target_labels=data.target_labels)
