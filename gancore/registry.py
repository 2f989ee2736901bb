"""Variants by name: `@register_variant(...)` on a builder, `create_gan(cfg, info)`, `list_variants()`.

Adding a variant is one module in `variants/` with one decorator: the CLI, the dashboard and the
tests (parametrised over `list_variants()`) pick it up from here. No if/elif chain anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import torch.nn as nn

from .errors import ConfigError

if TYPE_CHECKING:
    from .config import TrainConfig
    from .data.base import DataInfo


@dataclass
class GAN:
    """What a variant hands the trainer: two networks and the names of its loss pair.

    generator.make_inputs(real, y, rng) -> args for generator(*args) (noise, and y when conditional);
    discriminator(x, y) -> (B,) raw scores (logits for BCE losses, critic values for Wasserstein).
    """

    generator: nn.Module
    discriminator: nn.Module
    d_loss: str  # key of losses.D_LOSSES
    g_loss: str  # key of losses.G_LOSSES
    penalty: str | None = None  # key of losses.PENALTIES, added to the D loss
    conditional: bool = False


@dataclass(frozen=True)
class VariantSpec:
    name: str
    description: str  # one plain sentence for the dashboard and `list`
    builder: Callable[["TrainConfig", "DataInfo"], GAN]
    data_kinds: tuple[str, ...]  # "points" and/or "image"
    conditional: str  # "never", "always" or "optional"
    g_losses: tuple[str, ...]  # generator losses the user may choose (first = default)
    image_sizes: tuple[int, ...] = ()  # conv variants: supported sides; () = any
    # Flat config defaults: keys "any", a data kind ("points"/"image") or a dataset name; later
    # keys win, so {"any": {...}, "points": {...}, "ring8": {...}} narrows step by step.
    defaults: dict = field(default_factory=dict)
    # The settings declared `owner="variant"` that this variant reads (the form shows only these);
    # "conditional" is one when it is optional.
    settings: tuple[str, ...] = ()
    # Its own cross-checks, each flat config -> {field: message}, run after the generic ones.
    checks: tuple[Callable[[dict], dict[str, str]], ...] = ()

    def choices(self, name: str) -> tuple | None:
        """The values this variant allows for a setting declared `choices_by_variant`."""
        return {"g_loss": self.g_losses}.get(name)


_VARIANTS: dict[str, VariantSpec] = {}


def register_variant(name: str, *, description: str, data_kinds, conditional: str = "never",
                     g_losses=("nonsaturating", "minimax"), image_sizes=(), defaults=None,
                     settings=(), checks=()):
    if conditional not in ("never", "always", "optional"):
        raise ValueError(f"conditional must be never/always/optional, got {conditional!r}")
    settings = tuple(settings) + (("conditional",) if conditional == "optional" else ())

    def wrap(builder):
        if name in _VARIANTS:
            raise ValueError(f"variant {name!r} registered twice")
        _VARIANTS[name] = VariantSpec(name, description, builder, tuple(data_kinds), conditional,
                                      tuple(g_losses), tuple(image_sizes),
                                      dict(defaults or {}), settings, tuple(checks))
        return builder
    return wrap


def list_variants() -> list[str]:
    return sorted(_VARIANTS)


def get_variant_spec(name: str) -> VariantSpec:
    if name not in _VARIANTS:
        raise ConfigError("variant", f"unknown variant {name!r}; choose one of: {', '.join(list_variants())}")
    return _VARIANTS[name]


def create_gan(cfg: "TrainConfig", info: "DataInfo") -> GAN:
    """Build the networks for a validated config and the dataset it trains on (CPU, fresh init)."""
    return get_variant_spec(cfg.model.variant).builder(cfg, info)


def is_conditional(cfg: "TrainConfig") -> bool:
    spec = get_variant_spec(cfg.model.variant)
    return spec.conditional == "always" or (spec.conditional == "optional" and cfg.model.conditional)
