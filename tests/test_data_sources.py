"""Generated from the data registry: a new source is tested the moment it is registered.

Each source loads small data the test makes (tiny_data.SOURCE_RECIPES: toy sizes, tiny IDX files,
a folder of a few images) and must return what its registration says: the kind, the sample
shape at its native size, images in [-1, 1], labels when labelled, and a DataInfo that survives
the trip through JSON that runs and checkpoints make.
"""
import dataclasses
import json

import pytest
import torch

from gancore import DataInfo, Dataset, get_dataset_spec, list_datasets, load_dataset
from tiny_data import source_config


@pytest.fixture(params=list_datasets())
def loaded(request, tmp_path):
    """(spec, cfg, dataset) for one registered source, loaded at seed 0 from small data."""
    spec = get_dataset_spec(request.param)
    cfg = source_config(request.param, tmp_path)
    return spec, cfg, load_dataset(cfg, seed=0)


def test_a_source_loads_what_its_registration_says(loaded):
    spec, cfg, data = loaded
    assert spec.description and spec.availability(cfg) is None, "loadable now: nothing in the way"
    assert isinstance(data, Dataset) and data.info.name == spec.name and data.info.kind == spec.kind
    assert len(data) > 0 and data.x.dtype == torch.float32
    assert tuple(data.x.shape) == (len(data), *data.info.shape)
    assert torch.isfinite(data.x).all()
    if cfg.num_samples:  # paired sources keep some of them out, as pairs to test on
        held = len(data.held_out_pairs) if data.held_out_pairs is not None else 0
        assert len(data) + held == cfg.num_samples
    if spec.kind == "points":
        assert data.info.shape == (2,) and data.x.abs().max() < 3, "roughly unit-range for the networks"
    else:
        channels, height, width = data.info.shape
        assert data.x.min() >= -1 and data.x.max() <= 1
        assert height == width == (spec.native_size or height), "square, at the source's own size"
        assert channels == (spec.native_channels or channels) and channels in (1, 3)


def test_a_labelled_source_gives_a_label_per_sample_and_a_name_per_class(loaded):
    spec, _, data = loaded
    info = data.info
    if spec.kind == "paired":
        assert info.num_classes == 0 and data.y.shape == (len(data), *info.input_shape)
        assert data.y.dtype == torch.float32 and data.y.min() >= -1 and data.y.max() <= 1
        held = data.held_out_pairs
        assert held is not None and len(held) > 0, "pairs kept out, to judge translations on"
        assert held.inputs.shape[1:] == info.input_shape and held.targets.shape[1:] == info.shape
        return
    if not spec.labelled:
        assert data.y is None and info.num_classes == 0
        return
    assert data.y is not None and data.y.dtype == torch.int64 and data.y.shape == (len(data),)
    assert info.num_classes >= 2 and len(info.class_names) == info.num_classes
    assert data.y.min() >= 0 and data.y.max() < info.num_classes


def test_a_source_is_deterministic_for_a_seed(loaded):
    spec, cfg, data = loaded
    again = load_dataset(cfg, seed=0)
    assert torch.equal(again.x, data.x) and again.info == data.info
    assert (again.y is None and data.y is None) or torch.equal(again.y, data.y)


def test_data_info_round_trips_through_json(loaded):
    info = loaded[2].info
    back = DataInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    assert back == info and isinstance(back.shape, tuple)


@pytest.mark.parametrize("name", [n for n in list_datasets() if "image_size" in get_dataset_spec(n).fields])
def test_a_source_that_reads_image_size_resizes_to_it(name, tmp_path):
    cfg = dataclasses.replace(source_config(name, tmp_path), image_size=16)
    data = load_dataset(cfg, seed=0)
    assert data.info.shape[1:] == (16, 16) and tuple(data.x.shape[2:]) == (16, 16)


def test_a_source_without_a_recipe_is_named(tmp_path):
    with pytest.raises(LookupError, match="'nowhere' has no small-data recipe"):
        source_config("nowhere", tmp_path)
