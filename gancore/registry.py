"""Variants by name: `@register_variant(...)` on a builder, `create_gan(cfg, info)`, `list_variants()`.

Adding a variant is one module in `variants/` with one decorator: the CLI, the dashboard and the
tests (parametrised over `list_variants()`) pick it up from here. No if/elif chain anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import torch
import torch.nn as nn

from .errors import ConfigError

if TYPE_CHECKING:
    from .config import TrainConfig
    from .data.base import DataInfo


@dataclass
class GAN:
    """What a variant hands the trainer: two networks, the names of its loss pair, and its own
    terms of the generator's loss.

    generator.make_inputs(real, y, rng) -> args for generator(*args): what it reads, made from a
    real batch (noise; noise and y when conditional; a low-resolution copy of `real` for SRGAN);
    discriminator(x, y) -> (B,) raw scores (logits for BCE losses, critic values for Wasserstein),
    or (B, ...) scores per patch (a PatchGAN), which the losses and D(x) readouts average.
    For paired data, y is each sample's input image (the "label" slot carries it).
    """

    generator: nn.Module
    discriminator: nn.Module
    d_loss: str  # key of losses.D_LOSSES
    g_loss: str  # key of losses.G_LOSSES
    penalty: str | None = None  # key of losses.PENALTIES, added to the D loss
    conditional: bool = False
    # The variant's own terms of the G loss, (fake (B, *shape), real (B, *shape)) -> {name: device
    # scalar}, each already weighted; summed with adv_weight x the adversarial term, and each logged
    # and charted as loss_<name> (VariantSpec.loss_terms says what it means in words).
    g_terms: Callable[[torch.Tensor, torch.Tensor], dict[str, torch.Tensor]] | None = None
    adv_weight: float = 1.0
    pretrain_steps: int = 0  # content-only steps first: G minimises g_terms alone, D does not train


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
    # What its generator reads, which is what the Generate page asks for: "noise" (and a class,
    # when conditional), "low_res_image" (super-resolution) or "paired_image" (image-to-image).
    reads: str = "noise"
    # Its own terms of the G loss (GAN.g_terms) in plain words, by name: logged as loss_<name>.
    loss_terms: dict[str, str] = field(default_factory=dict)
    # The progress picture: built as preview(generator, data, conditional, device, seed), then
    # .png(generator) (sampling/previews.py); None: NoisePreview.
    preview: Callable | None = None
    # The quality measure it is judged by (quality/measures.py), or None: the data's own.
    quality: str | None = None

    def choices(self, name: str) -> tuple | None:
        """The values this variant allows for a setting declared `choices_by_variant`."""
        return {"g_loss": self.g_losses}.get(name)


_VARIANTS: dict[str, VariantSpec] = {}


READS = ("noise", "low_res_image", "paired_image")


def register_variant(name: str, *, description: str, data_kinds, conditional: str = "never",
                     g_losses=("nonsaturating", "minimax"), image_sizes=(), defaults=None,
                     settings=(), checks=(), reads="noise", loss_terms=None, preview=None,
                     quality=None):
    if conditional not in ("never", "always", "optional"):
        raise ValueError(f"conditional must be never/always/optional, got {conditional!r}")
    if reads not in READS:
        raise ValueError(f"reads must be one of {', '.join(READS)}, got {reads!r}")
    if preview is None:
        from .sampling.previews import NoisePreview
        preview = NoisePreview
    settings = tuple(settings) + (("conditional",) if conditional == "optional" else ())

    def wrap(builder):
        if name in _VARIANTS:
            raise ValueError(f"variant {name!r} registered twice")
        _VARIANTS[name] = VariantSpec(name, description, builder, tuple(data_kinds), conditional,
                                      tuple(g_losses), tuple(image_sizes),
                                      dict(defaults or {}), settings, tuple(checks), reads,
                                      dict(loss_terms or {}), preview, quality)
        return builder
    return wrap


def list_variants() -> list[str]:
    return sorted(_VARIANTS)


def get_variant_spec(name: str) -> VariantSpec:
    if name not in _VARIANTS:
        raise ConfigError("variant", f"unknown variant {name!r}; choose one of: {', '.join(list_variants())}")
    return _VARIANTS[name]


def create_gan(cfg: "TrainConfig", info: "DataInfo") -> GAN:
    """Build the networks for a validated config and the dataset it trains on (CPU, fresh init).
    Techniques that reshape D for any variant are applied here, so every rebuild (a checkpoint's,
    the Generate page's) has the parameter names the saved weights were written with."""
    gan = get_variant_spec(cfg.model.variant).builder(cfg, info)
    if cfg.model.spectral_norm:
        from .training.spectral import spectral_normalise
        spectral_normalise(gan.discriminator)
    return gan


def d_loss_name(cfg: "TrainConfig") -> str:
    """The D loss a config trains with (a key of losses.D_LOSSES), without building networks:
    a G loss named like a D loss pairs with it (Wasserstein); a variant offering the `loss`
    setting takes its value; the others train BCE."""
    from .training.losses import D_LOSSES

    if cfg.model.g_loss in D_LOSSES:
        return cfg.model.g_loss
    return cfg.model.loss if "loss" in get_variant_spec(cfg.model.variant).settings else "bce"


def is_conditional(cfg: "TrainConfig") -> bool:
    spec = get_variant_spec(cfg.model.variant)
    return spec.conditional == "always" or (spec.conditional == "optional" and cfg.model.conditional)
