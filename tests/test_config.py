"""Every validation rule: a bad field gives one message naming the field and what is allowed."""
import dataclasses
import json
import math

import pytest

from gancore import (ConfigError, TrainConfig, config_errors, get_dataset_spec, get_variant_spec,
                     list_datasets, list_variants, make_config)
from gancore.config import SETTINGS, default_values, from_flat


def _error(**overrides):
    with pytest.raises(ConfigError) as info:
        make_config(overrides.pop("variant", "vanilla"), overrides.pop("dataset", "ring8"), **overrides)
    return info.value


@pytest.mark.parametrize("field,value,words", [
    ("batch_size", 0, "between 1"),
    ("batch_size", "64", "whole number"),
    ("batch_size", True, "whole number"),
    ("steps", -5, "between 1"),
    ("lr_g", 0.0, "above 0"),
    ("lr_d", float("nan"), "above 0"),
    ("lr_d", 5.0, "at most 1"),
    ("beta1", -0.1, "at least 0"),
    ("beta2", 1.0, "at most"),
    ("n_critic", 0, "between 1"),
    ("latent_dim", 0, "between 1"),
    ("hidden_layers", 20, "between 1"),
    ("seed", -1, "between 0"),
    ("log_every", 0, "between 1"),
    ("gp_lambda", -1.0, "at least 0"),
    ("device", "tpu", "auto, cpu, cuda, mps"),
    ("split", "valid", "train, test"),
    ("image_size", 30, "16, 28, 32, 48, 64, 96"),
    ("channels", 2, "1 (gray) or 3 (RGB)"),
    ("g_loss", "hinge", "nonsaturating, minimax"),
    ("lr_decay", "yes", "true or false"),
])
def test_each_bad_field_is_named_with_what_is_allowed(field, value, words):
    err = _error(**{field: value})
    assert err.field == field
    assert words in err.message


def test_unknown_names_list_the_valid_choices():
    err = _error(variant="stylegan")
    assert err.field == "variant" and all(v in err.message for v in list_variants())
    err = _error(dataset="imagenet")
    assert err.field == "dataset" and "ring8" in err.message
    err = _error(learning_rate=0.1)
    assert err.field == "learning_rate" and "lr_g" in err.message


def test_combinations_that_cannot_work_are_refused_with_the_valid_choices():
    err = _error(variant="dcgan", dataset="ring8")
    assert err.field == "dataset" and "points" in err.message and "glyphs" in err.message
    err = _error(variant="wgan_gp", g_loss="minimax")
    assert err.field == "g_loss" and "wasserstein" in err.message
    err = _error(variant="vanilla", conditional=True)
    assert err.field == "conditional" and "cgan" in err.message


def test_config_errors_lists_every_bad_field_for_a_form():
    cfg = make_config("vanilla", "ring8")
    errors = config_errors(TrainConfig.from_dict({**cfg.to_dict(), "batch_size": 0, "lr_g": -1.0}))
    assert set(errors) == {"batch_size", "lr_g"}


def test_variant_defaults_are_applied_and_json_round_trips():
    cfg = make_config("wgan_gp", "spiral")
    assert (cfg.n_critic, cfg.lr_g, cfg.beta1, cfg.beta2, cfg.model.g_loss, cfg.model.gp_lambda) == \
        (5, 1e-4, 0.0, 0.9, "wasserstein", 10.0)
    # The Gaussian mixtures layer their tuned settings over the paper's (bench/quality_points.py).
    ring = make_config("wgan_gp", "ring8")
    assert (ring.n_critic, ring.lr_g, ring.beta1, ring.model.gp_lambda, ring.model.latent_dim, ring.lr_decay) == \
        (5, 1e-3, 0.5, 1.0, 2, True)
    assert make_config("wgan_gp", "grid25").steps == 9000
    again = TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    assert make_config("vanilla", "ring8", batch_size=None).batch_size == cfg.batch_size  # None = default


def test_from_dict_refuses_unknown_keys():
    d = make_config().to_dict()
    d["model"]["depth"] = 3
    with pytest.raises(ConfigError, match="model.depth"):
        TrainConfig.from_dict(d)


def test_a_conditional_variant_on_data_that_turns_out_unlabelled_is_refused():
    from gancore import Trainer
    from tiny_data import tiny_images

    data = tiny_images()
    data.y, data.info.num_classes, data.info.class_names = None, 0, []
    with pytest.raises(ConfigError) as info:
        Trainer(make_config("cdcgan", "glyphs"), dataset=data)
    assert info.value.field == "dataset" and "labels" in info.value.message


# ---- generated from the declarations: every setting, its range or choices, its messages ----
_NUMBERS = [n for n, s in SETTINGS.items() if s.range]
_CHOICES = [n for n, s in SETTINGS.items() if s.choices]


def _errors_with(name, value, variant="vanilla", dataset="ring8"):
    return config_errors(from_flat({**default_values(variant, dataset), name: value}))


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_setting_declares_a_label_a_help_line_and_what_it_allows(name):
    s = SETTINGS[name]
    assert s.label and s.help, name
    assert s.range or s.choices or s.choices_by_variant or s.picked or s.type in (bool, str), name
    assert not (s.range and s.choices), f"{name}: a range or choices, not both"
    assert s.type in (int, float) or not s.range, name


def _past(s, bound, direction):
    return bound + direction if s.type is int else math.nextafter(bound, direction * math.inf)


@pytest.mark.parametrize("name", _NUMBERS)
def test_every_range_bound_is_accepted_and_one_past_it_refused_naming_the_field(name):
    s = SETTINGS[name]
    lo, hi = (s.type(b) for b in s.range)
    lowest = _past(s, lo, +1) if s.above else lo
    for value in (lowest, hi):
        assert name not in _errors_with(name, value), (name, value)
    for value in (_past(s, lowest, -1), _past(s, hi, +1)):
        err = _error(**{name: value})
        assert err.field == name and ("between" in err.message or "at most" in err.message), err.message
    if s.type is float:
        assert _errors_with(name, math.nan)[name].startswith("must be")


@pytest.mark.parametrize("name", _CHOICES)
def test_every_choice_is_accepted_and_anything_else_refused_with_the_choices(name):
    s = SETTINGS[name]
    for value in s.choices:
        assert name not in _errors_with(name, value), (name, value)
    outside = "not-a-choice" if s.type is str else max(c for c in s.choices if c is not None) + 1
    err = _error(**{name: outside})
    assert err.field == name
    assert all(str(c) in err.message for c in s.choices if c is not None), err.message


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_setting_refuses_a_value_of_the_wrong_type_naming_the_field(name):
    s = SETTINGS[name]
    wrong = {int: "1", float: "0.5", bool: "yes", str: 1}[s.type]
    errors = _errors_with(name, wrong)
    assert set(errors) == {name} and errors[name].startswith("must be"), errors


def _datasets_for(variant):
    spec = get_variant_spec(variant)
    return [d for d in list_datasets() if get_dataset_spec(d).kind in spec.data_kinds
            and (spec.conditional != "always" or get_dataset_spec(d).labelled)]


@pytest.mark.parametrize("variant", list_variants())
def test_a_variant_narrows_the_choices_it_declares(variant):
    spec, dataset = get_variant_spec(variant), _datasets_for(variant)[0]
    for name in (n for n, s in SETTINGS.items() if s.choices_by_variant):
        for value in spec.choices(name):
            assert name not in _errors_with(name, value, variant, dataset)
        err = _errors_with(name, "not-a-choice", variant, dataset)[name]
        assert variant in err and all(v in err for v in spec.choices(name)), err


@pytest.mark.parametrize("variant", list_variants())
def test_a_variants_own_settings_are_declared_as_variant_settings(variant):
    owned = {n for n, s in SETTINGS.items() if s.owner == "variant"}
    assert set(get_variant_spec(variant).settings) <= owned
    assert ("conditional" in get_variant_spec(variant).settings) == (get_variant_spec(variant).conditional == "optional")


@pytest.mark.parametrize("dataset", list_datasets())
def test_a_dataset_reads_only_declared_data_settings(dataset):
    data = {n for n, s in SETTINGS.items() if s.section == "data" and not s.picked}
    assert set(get_dataset_spec(dataset).fields) <= data


def test_a_variants_and_a_datasets_own_checks_are_asked_after_the_generic_ones(monkeypatch):
    from gancore import registry
    from gancore.data import registry as data_registry

    def no_wide_latents(flat):
        return {"latent_dim": "this variant keeps latent_dim at most 32"} if flat["latent_dim"] > 32 else {}

    def no_odd_counts(flat):
        return {"num_samples": "must be even here"} if flat["num_samples"] % 2 else {}

    monkeypatch.setitem(registry._VARIANTS, "vanilla",
                        dataclasses.replace(get_variant_spec("vanilla"), checks=(no_wide_latents,)))
    monkeypatch.setitem(data_registry._DATASETS, "ring8",
                        dataclasses.replace(get_dataset_spec("ring8"), checks=(no_odd_counts,)))
    assert make_config("vanilla", "ring8", latent_dim=32, num_samples=10)
    err = _error(latent_dim=33)
    assert (err.field, err.message) == ("latent_dim", "this variant keeps latent_dim at most 32")
    assert _errors_with("num_samples", 11) == {"num_samples": "must be even here"}
    # a value outside its declared range gets the declared message, not the registrant's
    assert "between" in _errors_with("latent_dim", 5000)["latent_dim"]
