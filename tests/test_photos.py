"""The photos dataset: patches of scikit-image's bundled colour photos, some photos held out."""
import importlib.util
import sys

import pytest
import torch

from gancore import DataConfig
from gancore.data import get_dataset_spec, load_dataset, photos
from gancore.errors import DataError

# the photos come inside scikit-image; the GPU machine has none (the last test runs anyway)
needs_skimage = pytest.mark.skipif(importlib.util.find_spec("skimage") is None,
                                   reason="scikit-image is not installed")


def load(seed=0, **fields):
    return load_dataset(DataConfig(dataset="photos", **{"num_samples": 60, **fields}), seed)


@needs_skimage
def test_photos_load_as_patches_in_range():
    spec = get_dataset_spec("photos")
    assert spec.availability(DataConfig(dataset="photos")) is None
    data = load()
    assert data.x.shape == (60, 3, spec.native_size, spec.native_size) and data.y is None
    assert data.x.dtype == torch.float32 and data.x.min() >= -1 and data.x.max() <= 1
    assert data.info.shape == (3, spec.native_size, spec.native_size) and not data.info.labelled
    assert load(image_size=32).x.shape == (60, 3, 32, 32)


@needs_skimage
def test_the_seed_decides_the_patches():
    a, b = load(seed=3), load(seed=3)
    assert torch.equal(a.x, b.x)
    assert not torch.equal(a.x, load(seed=4).x)
    a.x.zero_()
    assert not torch.equal(a.x, load(seed=3).x), "a caller's edits must not reach the cache"


@needs_skimage
def test_held_out_photos_are_whole_and_not_trained_on():
    assert photos.HELD_OUT and not set(photos.HELD_OUT) & set(photos.TRAIN)
    assert set(photos.HELD_OUT) | set(photos.TRAIN) == set(photos.PHOTOS)
    held = load().held_out
    assert len(held) == len(photos.HELD_OUT)
    for img in held:
        c, h, w = img.shape
        assert c == 3 and h % 4 == 0 and w % 4 == 0 and max(h, w) <= photos.HELD_OUT_LONG_SIDE
        assert img.min() >= -1 and img.max() <= 1
    assert load().to("cpu").held_out is not None, "moving the dataset keeps them"


def test_a_missing_scikit_image_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage", None)  # import skimage now raises ImportError
    problem = get_dataset_spec("photos").availability(DataConfig(dataset="photos"))
    assert isinstance(problem, DataError) and "pip install scikit-image" in str(problem)
    with pytest.raises(DataError, match="pip install scikit-image"):
        load()
