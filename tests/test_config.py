"""Every validation rule: a bad field gives one message naming the field and what is allowed."""
import json

import pytest

from gancore import ConfigError, TrainConfig, config_errors, list_variants, make_config


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
    ("image_size", 30, "16, 28, 32, 64"),
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
