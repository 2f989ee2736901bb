"""Generated from the measure registry: a new quality measure is tested the moment it is registered.

Each measure needs a small run it applies to (RUNS below); the tests check it is the one chosen
for that data and for its source before loading, that it measures a stand-in generator to finite
numbers with the keys its real-vs-real floor has, and the same numbers twice.
"""
import json
import math

import pytest
import torch
import torch.nn as nn

import torch.nn.functional as F

from gancore import get_dataset_spec, get_variant_spec, is_conditional, load_dataset, make_config
from gancore.data.base import DataInfo, Dataset
from gancore.quality import measures
from gancore.quality.measures import Measure, get_measure_spec, list_measures, measure_for, quality_kind, register_measure
from tiny_data import tiny_images, tiny_pairs, tiny_points

CPU = torch.device("cpu")

# name -> () -> (config, data): a small run of the kind the measure claims
RUNS = {
    "modes": lambda: (make_config("vanilla", "ring8", device="cpu"), tiny_points()),
    "images": lambda: (make_config("cdcgan", "glyphs", device="cpu", image_size=16),
                       tiny_images(n=240, size=16, classes=4)),
    # named by its variant (srgan), not chosen by the data, which the "images" measure claims
    "super_resolution": lambda: (make_config("srgan", "glyphs", device="cpu", image_size=16),
                                 tiny_images(n=40, size=16, classes=4)),
    # named by its variant (pix2pix): paired data has no measure of its own
    "translation": lambda: (make_config("pix2pix", "sketch2glyphs", device="cpu", image_size=16),
                            tiny_pairs(size=16)),
}


def _run(name):
    assert name in RUNS, (f"the quality measure {name!r} has no small run to be tested on: add one "
                          "to RUNS in tests/test_quality_measures.py")
    return RUNS[name]()


class DataDrawer(nn.Module):
    """A stand-in generator that draws real samples (of the class asked for, when given one):
    z[:, 0] picks which. It scores like real data, so every measure gives finite numbers."""

    def __init__(self, data: Dataset):
        super().__init__()
        self.x, self.y = data.x, data.y
        self.latent_dim = 1
        self.anchor = nn.Parameter(torch.zeros(1))  # gives it a device, as a real generator has

    def forward(self, z, y=None):
        u = torch.special.ndtr(z[:, 0].cpu())  # (n,) uniform in [0, 1]
        if y is None:
            return self.x[(u * len(self.x)).long().clamp(max=len(self.x) - 1)]
        picks = []
        for label, share in zip(y.cpu().tolist(), u.tolist()):
            (of_class,) = torch.nonzero(self.y == label, as_tuple=True)
            picks.append(of_class[min(int(share * len(of_class)), len(of_class) - 1)])
        return self.x[torch.stack(picks)]


class Enlarger(nn.Module):
    """A stand-in super-resolution generator: bicubic enlarging, as sharp as the floor it is
    measured against."""

    def __init__(self, scale: int):
        super().__init__()
        self.scale, self.num_classes = scale, 0
        self.anchor = nn.Parameter(torch.zeros(1))

    def forward(self, lr):
        return F.interpolate(lr, scale_factor=self.scale, mode="bicubic", align_corners=False).clamp(-1, 1)


class Copier(nn.Module):
    """A stand-in translator: returns its input, as the floor (the input itself) answers."""

    def __init__(self):
        super().__init__()
        self.anchor = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x


def _stand_in(cfg, data) -> nn.Module:
    """A generator of the kind the run's variant reads for: images from noise, enlargements, or
    translations."""
    reads = get_variant_spec(cfg.model.variant).reads
    if reads == "low_res_image":
        return Enlarger(cfg.model.scale)
    return Copier() if reads == "paired_image" else DataDrawer(data)


def _numbers(value):
    """Every number in a measurement's value (lists flattened, None skipped)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    assert isinstance(value, (int, float)) and not isinstance(value, bool), f"not a number: {value!r}"
    return [value]


@pytest.mark.parametrize("name", list_measures())
def test_a_measure_is_chosen_for_the_data_it_claims_and_no_other_is(name):
    cfg, data = _run(name)
    spec = get_measure_spec(name)
    measure = measure_for(cfg, data, is_conditional(cfg), CPU)
    assert isinstance(measure, spec.measure) and measure.kind == name
    assert quality_kind(cfg) == name, "known from the source before loading, and the same"
    assert spec.description
    if get_variant_spec(cfg.model.variant).quality == name:
        return  # the variant names it: it comes before whatever measure the data has
    source = get_dataset_spec(cfg.data.dataset)
    others = [get_measure_spec(n) for n in list_measures() if n != name]
    assert not [o.name for o in others if o.applies_to(data.info) or o.applies_to_source(source)]


@pytest.mark.parametrize("name", list_measures())
def test_a_measure_gives_finite_numbers_with_the_keys_of_its_floor(name):
    cfg, data = _run(name)
    measure = measure_for(cfg, data, is_conditional(cfg), CPU)
    measure.prepare()
    generator = _stand_in(cfg, data)
    metrics, floor = measure(generator), measure.floor()
    assert isinstance(metrics, dict) and metrics
    missing = set(measures.target_metrics(cfg)) - set(metrics)
    assert not missing, f"declared (a quality target may name them) but not measured: {sorted(missing)}"
    if floor is not None:
        assert set(metrics) <= set(floor), f"no real-vs-real value for {sorted(set(metrics) - set(floor))}"
    for key, value in list(metrics.items()) + list((floor or {}).items()):
        assert all(math.isfinite(n) for n in _numbers(value)), (key, value)
    json.dumps([metrics, floor], allow_nan=False)  # what quality.jsonl and `gancore eval` write
    assert measure(generator) == metrics, "seeded: the same generator measures the same twice"


@pytest.mark.parametrize("dataset", ["spiral", "moons"])
def test_points_without_known_modes_get_no_measure(dataset):
    cfg = make_config("vanilla", dataset, device="cpu", num_samples=200)
    assert measure_for(cfg, load_dataset(cfg.data, 0), False, CPU) is None and quality_kind(cfg) is None


def test_unlabelled_or_one_class_images_get_no_measure():
    cfg, _ = _run("images")
    images = torch.zeros(30, 1, 16, 16)
    unlabelled = Dataset(images, None, DataInfo("folder", "image", (1, 16, 16)))
    one_class = Dataset(images, torch.zeros(30, dtype=torch.long), DataInfo("folder", "image", (1, 16, 16), 1, ["a"]))
    assert measure_for(cfg, unlabelled, False, CPU) is None and measure_for(cfg, one_class, False, CPU) is None


def test_a_registered_measure_is_found_and_a_name_registers_once(monkeypatch):
    monkeypatch.setattr(measures, "_MEASURES", dict(measures._MEASURES))  # undone after the test

    @register_measure("spread", applies_to=lambda info: info.name == "spiral",
                      applies_to_source=lambda source: source.name == "spiral", description="How wide.",
                      how="Measured on the fixed noise.")
    class Spread(Measure):
        def __init__(self, cfg, data, conditional, device):
            self.data = data

        def __call__(self, generator):
            return {"spread": 1.0}

    cfg = make_config("vanilla", "spiral", device="cpu", num_samples=200)
    found = measure_for(cfg, load_dataset(cfg.data, 0), False, CPU)
    assert isinstance(found, Spread) and found.kind == "spread" and quality_kind(cfg) == "spread"
    with pytest.raises(ValueError, match="registered twice"):
        register_measure("spread", applies_to=bool, applies_to_source=bool, description="", how="")(Spread)


def test_every_measure_says_in_words_how_it_is_measured():
    """The Monitor's Quality part reads these; a new measure needs no change there."""
    for name in list_measures():
        spec = get_measure_spec(name)
        assert spec.description.strip() and spec.how.strip(), name
