"""Configuration: three dataclasses (data / model / train), each setting declared once beside its
field (sections.py), and every validation rule (checks.py).

Build a config with `make_config(variant, dataset, **overrides)`: it starts from the variant's
and the dataset kind's defaults, applies the overrides and validates the result. The CLI flags
and the dashboard's Train form are generated from `SETTINGS`.
"""
from .checks import check_data_fits, config_errors, validate
from .make import default_values, make_config
from .sections import SETTINGS, DataConfig, ModelConfig, TrainConfig, field_types, from_flat
from .setting import TYPE_WORDS, Setting

__all__ = ["SETTINGS", "TYPE_WORDS", "DataConfig", "ModelConfig", "Setting", "TrainConfig",
           "check_data_fits", "config_errors", "default_values", "field_types", "from_flat",
           "make_config", "validate"]
