"""PSNR / SSIM as SR papers report them (against skimage.metrics on the same 8-bit Y arrays), and
the "super_resolution" quality measure on stand-in generators that upscale by fixed rules."""
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn as nn

from gancore.config import TrainConfig
from gancore.data.base import DataInfo, Dataset
from gancore.data.resample import upscale
from gancore.quality.measures import get_measure_spec
from gancore.quality.sr_metrics import psnr, ssim, to_y
from gancore.quality.super_resolution import SuperResolutionMeasure, border_for
from tiny_data import tiny_images

skm = pytest.importorskip("skimage.metrics")


# ---- the reference: numpy and skimage only ------------------------------------------------------
def _y_reference(img: torch.Tensor, border: int) -> np.ndarray:
    """(C, H, W) in [-1, 1] -> the 8-bit image's Y channel as BasicSR's to_y_channel, cropped."""
    x = np.round((np.clip(img.double().numpy(), -1, 1) + 1) * 127.5)  # the saved PNG's values
    if x.shape[0] == 3:
        r, g, b = x / 255.0
        x = (16.0 + 65.481 * r + 128.553 * g + 24.966 * b)[None]
    x = x[0]
    return x[border:x.shape[0] - border, border:x.shape[1] - border]


def _skimage(sr, hr, border):
    p, s = [], []
    for a, b in zip(sr, hr):
        ya, yb = _y_reference(a, border), _y_reference(b, border)
        p.append(skm.peak_signal_noise_ratio(yb, ya, data_range=255))
        s.append(skm.structural_similarity(ya, yb, gaussian_weights=True, sigma=1.5,
                                           use_sample_covariance=False, data_range=255))
    return np.array(p), np.array(s)


def _structured(n, c, h, w, gen):
    """Gradients, a checkerboard and a blurred disc: the edges and flat areas SR is judged on."""
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    base = torch.stack([xx, (yy * 8).floor().remainder(2) * 2 - 1 + 0 * xx,
                        torch.tanh(4 * (0.6 - (xx ** 2 + yy ** 2).sqrt()))])  # (3, h, w)
    hr = base[:c].expand(n, c, h, w) * torch.rand(n, 1, 1, 1, generator=gen)
    return hr, (hr + 0.15 * torch.randn(hr.shape, generator=gen)).clamp(-1, 1)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kind", ["random", "structured"])
@pytest.mark.parametrize("border", [0, 4])
def test_psnr_and_ssim_equal_skimage(channels, kind, border):
    gen = torch.Generator().manual_seed(channels * 10 + border)
    if kind == "random":
        hr = torch.rand(3, channels, 29, 40, generator=gen) * 2 - 1
        sr = (hr + 0.2 * torch.randn(hr.shape, generator=gen)).clamp(-1, 1)
    else:
        hr, sr = _structured(3, channels, 32, 27, gen)
    want_p, want_s = _skimage(sr, hr, border)
    got_p, got_s = psnr(sr, hr, border), ssim(sr, hr, border)
    assert got_p.shape == got_s.shape == (3,)
    assert np.abs(got_p.numpy() - want_p).max() < 1e-3
    assert np.abs(got_s.numpy() - want_s).max() < 1e-4


def test_values_are_quantised_first():
    """Changes below half a grey level vanish in the 8-bit image: identical after rounding."""
    hr = torch.rand(2, 3, 16, 16) * 2 - 1
    hr = ((hr + 1) * 127.5).round() / 127.5 - 1  # exactly on 8-bit levels
    sr = hr + 0.3 / 127.5  # 0.3 of a level
    assert torch.isinf(psnr(sr, hr)).all() and bool((ssim(sr, hr) == 1).all())


def test_identical_images_give_inf_and_one():
    hr = torch.rand(2, 3, 24, 24) * 2 - 1
    assert psnr(hr, hr, 2).tolist() == [math.inf, math.inf]
    assert torch.allclose(ssim(hr, hr, 2), torch.ones(2, dtype=torch.float64))


def test_to_y():
    white, black = torch.ones(1, 3, 2, 2), -torch.ones(1, 3, 2, 2)
    assert torch.allclose(to_y(white), torch.full((1, 1, 2, 2), 235.0, dtype=torch.float64))
    assert torch.allclose(to_y(black), torch.full((1, 1, 2, 2), 16.0, dtype=torch.float64))
    grey = torch.tensor([-1.0, 0.0, 1.0]).view(1, 1, 1, 3)
    assert to_y(grey).flatten().tolist() == [0.0, 127.5, 255.0]
    with pytest.raises(ValueError):
        to_y(torch.zeros(1, 2, 4, 4))


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(torch.zeros(1, 1, 12, 12), torch.zeros(1, 1, 12, 13))
    with pytest.raises(ValueError, match="at least 11"):
        ssim(torch.zeros(1, 1, 16, 16), torch.zeros(1, 1, 16, 16), border=3)
    assert border_for(28, 4) == 4 and border_for(16, 4) == 2 and border_for(12, 4) == 0


# ---- the measure ------------------------------------------------------------------------------
class FixedUpscaler(nn.Module):
    """A stand-in SR generator: enlarges by a fixed rule (bicubic or nearest)."""

    def __init__(self, scale, mode):
        super().__init__()
        self.scale, self.mode = scale, mode
        self.anchor = nn.Parameter(torch.zeros(()))  # says which device it runs on

    def forward(self, lr):
        return upscale(lr, self.scale, self.mode)


def _cfg(scale):
    cfg = TrainConfig()
    cfg.model.scale = scale
    return cfg


def _smooth_colour(n=40, side=32, seed=0) -> Dataset:
    """Unlabelled colour images with smooth structure (bicubic beats nearest on them clearly)."""
    gen = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, side // 8, side // 8, generator=gen) * 2 - 1
    x = torch.nn.functional.interpolate(coarse, size=(side, side), mode="bilinear", align_corners=False)
    return Dataset(x, None, DataInfo("smooth", "image", (3, side, side)))


@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_generator_scores_its_floor_and_nearest_less(scale):
    m = SuperResolutionMeasure(_cfg(scale), _smooth_colour(), False, "cpu")
    floor = m.floor()
    assert set(floor) == {"psnr", "ssim"}
    assert m(FixedUpscaler(scale, "bicubic")) == floor
    nearest = m(FixedUpscaler(scale, "nearest"))
    assert nearest["psnr"] < floor["psnr"] and nearest["ssim"] < floor["ssim"]


def test_held_out_images_are_measured_whole():
    data = _smooth_colour(8)
    gen = torch.Generator().manual_seed(1)
    data.held_out = [torch.rand(3, h, w, generator=gen) * 2 - 1 for h, w in ((30, 45), (64, 21))]
    m = SuperResolutionMeasure(_cfg(2), data, False, "cpu")
    sets = m._eval_sets()
    assert [tuple(hr.shape) for hr, _, _ in sets] == [(1, 3, 30, 44), (1, 3, 64, 20)]  # cropped to even
    floor = m.floor()
    assert m(FixedUpscaler(2, "bicubic")) == floor


class BrightnessReader(nn.Module):
    """A stand-in digit classifier: class k is the image whose mean is closest to LEVELS[k]."""

    def forward(self, x):
        return -(x.mean((1, 2, 3))[:, None] - LEVELS[None]).abs()  # (n, 10) logits


LEVELS = torch.linspace(-0.9, 0.9, 10)


def test_digits_add_label_accuracy(monkeypatch):
    import gancore.quality.super_resolution as sr_measure

    data = tiny_images(n=150, size=28, channels=1, classes=10)
    gen = torch.Generator().manual_seed(2)
    data.x = LEVELS[data.y].view(-1, 1, 1, 1) + 0.02 * torch.randn(data.x.shape, generator=gen)
    reader = SimpleNamespace(classifier=BrightnessReader())  # stands in for the trained judge
    monkeypatch.setattr(sr_measure, "judge_for", lambda d, device: reader)
    m = SuperResolutionMeasure(_cfg(4), data, False, "cpu", samples=100)  # two batches of images
    got, floor = m(FixedUpscaler(4, "bicubic")), m.floor()
    assert set(got) == {"psnr", "ssim", "label_accuracy"} and got == floor
    assert got["label_accuracy"] == 1.0  # the labels stay with their own images
    flat = m(BrightnessFlattener())
    assert flat["label_accuracy"] < 0.5


class BrightnessFlattener(FixedUpscaler):
    """Upscales every image to mid-grey: the reader then says one class for all of them."""

    def __init__(self):
        super().__init__(4, "nearest")

    def forward(self, lr):
        return torch.zeros_like(super().forward(lr))


def test_registered_but_never_picked_by_the_data():
    spec = get_measure_spec("super_resolution")
    assert spec.measure is SuperResolutionMeasure
    assert not spec.applies_to(tiny_images(n=4).info)
    assert "256" in spec.how
