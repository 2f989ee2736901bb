"""What "quality" means for a run's data: measures by name, each registered with the data it
applies to. A measure is one callable, generator -> a flat dict of numbers.

A new measure is one class with `@register_measure(name, applies_to=..., applies_to_source=...)`
in a module of this package that `quality/__init__.py` imports; `measure_for` (the trainer and
`gancore eval`) and `quality_kind` (the Monitor, before any data is loaded) find it here.
Registered today: "modes" (modes.py) and "images" (images.py). Data no measure applies to
(spiral, moons, unlabelled images) is judged by its pictures: `measure_for` gives None.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import torch

if TYPE_CHECKING:
    from ..config import TrainConfig
    from ..data import DataInfo, Dataset, DatasetSpec


class Measure:
    """`measure(generator)` -> {metric: value}; `floor()` -> the same metrics for real data
    against real data (what a perfect generator would get), or None where that means nothing.
    A registered measure is built as `cls(cfg, data, conditional, device)`."""

    kind = "none"  # the name it is registered under

    def prepare(self) -> None:
        """One-off set-up that may be slow (training a judge); called before the first use."""

    def __call__(self, generator: torch.nn.Module) -> dict:
        raise NotImplementedError

    def floor(self) -> dict | None:
        return None


@dataclass(frozen=True)
class MeasureSpec:
    name: str
    measure: type[Measure]
    applies_to: Callable[["DataInfo"], bool]  # the loaded data's facts -> does it apply
    # The same question before loading, from the source's registration (the Monitor asks it for
    # every run it draws); it may say yes where the loaded data turns out to say no.
    applies_to_source: Callable[["DatasetSpec"], bool]
    description: str  # one plain sentence: what it measures
    how: str  # plain words for the Monitor: how and on what it is measured
    first_note: str = ""  # what the first measurement of a run also does, when it takes longer
    # What floor() measures, in words (the column beside "now"): real data against real data, or
    # the plain method a generator must beat (bicubic upscaling).
    floor_words: str = "real vs real"
    # The metrics every measurement has (gancore/charts/quality.py METRICS names them), and those
    # it has only for a conditional run: what a quality target (quality/target.py) may name.
    metrics: tuple[str, ...] = ()
    conditional_metrics: tuple[str, ...] = ()


_MEASURES: dict[str, MeasureSpec] = {}


def register_measure(name: str, *, applies_to, applies_to_source, description: str, how: str,
                     first_note: str = "", floor_words: str = "real vs real", metrics: tuple = (),
                     conditional_metrics: tuple = ()):
    """Class decorator; `applies_to` and `applies_to_source` should never both hold for two
    measures (the first registered that applies is used)."""
    def wrap(cls: type[Measure]) -> type[Measure]:
        if name in _MEASURES:
            raise ValueError(f"quality measure {name!r} registered twice")
        cls.kind = name
        _MEASURES[name] = MeasureSpec(name, cls, applies_to, applies_to_source, description, how,
                                      first_note, floor_words, tuple(metrics), tuple(conditional_metrics))
        return cls
    return wrap


def list_measures() -> list[str]:
    return list(_MEASURES)  # registration order: the order measure_for asks them in


def get_measure_spec(name: str) -> MeasureSpec:
    if name not in _MEASURES:
        raise KeyError(f"unknown quality measure {name!r}; registered: {', '.join(_MEASURES)}")
    return _MEASURES[name]


def _variant_measure(cfg: "TrainConfig") -> str | None:
    """The measure the run's variant names (VariantSpec.quality), which comes before the data's."""
    from ..registry import get_variant_spec

    return get_variant_spec(cfg.model.variant).quality


def quality_kind(cfg: "TrainConfig") -> str | None:
    """The name of the measure measure_for will give for this config, known without loading its
    data (a labelled image folder may still turn out to have one class), or None."""
    return measure_kind(cfg.model.variant, cfg.data.dataset)


def measure_kind(variant: str, dataset: str) -> str | None:
    """quality_kind by the variant's and the dataset's names (the Train form asks before a config
    exists)."""
    from ..data.registry import get_dataset_spec
    from ..registry import get_variant_spec

    own = get_variant_spec(variant).quality
    if own:
        return own
    source = get_dataset_spec(dataset)
    return next((spec.name for spec in _MEASURES.values() if spec.applies_to_source(source)), None)


def target_metrics(cfg: "TrainConfig") -> tuple[str, ...]:
    """The metrics every measurement of this run has (empty when it has no measure)."""
    from ..registry import is_conditional

    return measured_metrics(cfg.model.variant, cfg.data.dataset, is_conditional(cfg))


def measured_metrics(variant: str, dataset: str, conditional: bool) -> tuple[str, ...]:
    """target_metrics by names (validation asks before the config is known to be whole)."""
    kind = measure_kind(variant, dataset)
    if kind is None:
        return ()
    spec = get_measure_spec(kind)
    return spec.metrics + (spec.conditional_metrics if conditional else ())


def measure_for(cfg: "TrainConfig", data: "Dataset", conditional: bool, device) -> Measure | None:
    """The measure the variant names, else the one that fits this data, or None when there is
    nothing meaningful to measure."""
    if _variant_measure(cfg):
        return get_measure_spec(_variant_measure(cfg)).measure(cfg, data, conditional, device)
    for spec in _MEASURES.values():
        if spec.applies_to(data.info):
            return spec.measure(cfg, data, conditional, device)
    return None
