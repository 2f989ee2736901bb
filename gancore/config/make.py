"""A config from a variant's and a dataset kind's defaults plus the user's overrides."""
from __future__ import annotations

from .checks import validate
from .sections import TrainConfig, from_flat
from ..errors import ConfigError


def default_values(variant: str, dataset: str) -> dict:
    """The flat defaults for this variant on this dataset (before the user's overrides)."""
    from ..data.registry import get_dataset_spec
    from ..registry import get_variant_spec

    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    flat = TrainConfig().flat()
    flat.update(vspec.defaults.get("any", {}))
    flat.update(vspec.defaults.get(dspec.kind, {}))
    flat.update(vspec.defaults.get(dataset, {}))
    flat["variant"], flat["dataset"] = variant, dataset
    return flat


def make_config(variant: str = "vanilla", dataset: str = "ring8", **overrides) -> TrainConfig:
    """Defaults for (variant, dataset), then `overrides` (flat names; None means "default")."""
    from ..registry import get_variant_spec

    get_variant_spec(variant)  # unknown names fail first, with the list of valid ones
    flat = default_values(variant, dataset)
    for key, value in overrides.items():
        if key not in flat:
            raise ConfigError(key, f"unknown setting; allowed: {', '.join(sorted(flat))}")
        if value is not None:
            flat[key] = value
    cfg = from_flat(flat)
    validate(cfg)
    return cfg
