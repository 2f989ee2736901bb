"""The translation measure (gancore/quality/translation.py): closeness to the held-out targets,
over every colour, beside the input itself as the floor."""
import math

import torch

from gancore import make_config
from gancore.data.base import DataInfo, Dataset, Pairs
from gancore.quality.measures import measure_for
from gancore.quality.translation import TranslationMeasure, as_output, psnr_rgb


class Copy(torch.nn.Module):
    """A 'generator' that returns its input, repeated to `channels`: the floor's own answer."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels, self.p = channels, torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return as_output(x, self.channels)


def _colour_pairs(n: int = 12, side: int = 16) -> Dataset:
    """Grey inputs of colour targets: the grey is the mean of the target's channels."""
    g = torch.Generator().manual_seed(0)
    targets = torch.rand(n, 3, side, side, generator=g) * 2 - 1
    inputs = targets.mean(1, keepdim=True)
    info = DataInfo("grey2colour", "paired", (3, side, side), input_shape=(1, side, side))
    return Dataset(targets, inputs, info, held_out_pairs=Pairs(inputs[:6], targets[:6]))


def test_psnr_is_over_every_colour_and_capped_for_identical_images():
    a = torch.zeros(2, 3, 8, 8)
    b = a.clone()
    b[:, 0] = 1.0  # only the red channel differs: a brightness-only PSNR would hide some of it
    assert psnr_rgb(a, a).tolist() == [100.0, 100.0]
    mse = (127 ** 2) / 3  # one whole channel at 255 against 128 (0 is 127.5, rounded to 128), over 3
    expected = 10 * math.log10(255.0 ** 2 / mse)
    assert [round(v, 3) for v in psnr_rgb(b, a).tolist()] == [round(expected, 3)] * 2


def test_the_floor_is_the_input_itself_and_a_copying_generator_scores_it_exactly():
    data = _colour_pairs()
    cfg = make_config("pix2pix", "grey2colour", device="cpu")
    measure = TranslationMeasure(cfg, data, False, "cpu")
    floor, copied = measure.floor(), measure(Copy(3))
    assert set(floor) == {"l1", "psnr", "ssim"}, "no classes: no classifier"
    assert copied == floor
    assert measure(Copy(3)) != measure(torch.nn.Sequential(Copy(3), torch.nn.Tanh())), "it reads the output"


def test_a_perfect_translation_beats_the_floor_on_every_number():
    data = _colour_pairs()
    cfg = make_config("pix2pix", "grey2colour", device="cpu")
    measure = TranslationMeasure(cfg, data, False, "cpu")
    lookup = {tuple(i.flatten().tolist()[:4]): t for i, t in zip(data.held_out_pairs.inputs, data.held_out_pairs.targets)}

    class Oracle(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return torch.stack([lookup[tuple(i.flatten().tolist()[:4])] for i in x])

    best, floor = measure(Oracle()), measure.floor()
    assert best["l1"] == 0 and best["psnr"] == 100.0 and best["ssim"] > 0.999
    assert best["l1"] < floor["l1"] and best["psnr"] > floor["psnr"]


def test_pix2pix_runs_are_measured_by_translation_whatever_their_data():
    data = _colour_pairs()
    cfg = make_config("pix2pix", "grey2colour", device="cpu")
    assert isinstance(measure_for(cfg, data, False, "cpu"), TranslationMeasure)
