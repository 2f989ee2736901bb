"""Data sources by name. A source is one module with one `@register_dataset(...)` loader."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import DataConfig
    from .base import Dataset


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    kind: str  # "points" or "image"
    labelled: bool
    description: str  # one plain sentence for people who don't program
    loader: Callable[["DataConfig", int], "Dataset"]  # (cfg, seed) -> Dataset on the CPU
    # Returns None when the source can be loaded now, else a ConfigError naming the setting in
    # the way and why (field "dataset": "MNIST downloads 11 MB on first use; no connection").
    availability: Callable[["DataConfig"], ConfigError | None] = lambda cfg: None
    native_size: int | None = None  # image side in pixels when the source has one (28 for digits)
    native_channels: int | None = None
    # The DataConfig fields this source reads beyond `dataset` (forms show only these).
    fields: tuple[str, ...] = ()
    uploads: bool = False  # the app may offer an upload box that fills data_dir
    # Its own cross-checks, each flat config -> {field: message}, run after the generic ones.
    checks: tuple[Callable[[dict], dict[str, str]], ...] = ()


_DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(name: str, *, kind: str, labelled: bool, description: str,
                     availability=None, native_size=None, native_channels=None, fields=(),
                     uploads=False, checks=()):
    def wrap(loader):
        if name in _DATASETS:
            raise ValueError(f"dataset {name!r} registered twice")
        _DATASETS[name] = DatasetSpec(name, kind, labelled, description, loader,
                                      availability or (lambda cfg: None), native_size,
                                      native_channels, tuple(fields), uploads, tuple(checks))
        return loader
    return wrap


def list_datasets() -> list[str]:
    return sorted(_DATASETS)


def get_dataset_spec(name: str) -> DatasetSpec:
    if name not in _DATASETS:
        raise ConfigError("dataset", f"unknown dataset {name!r}; choose one of: {', '.join(list_datasets())}")
    return _DATASETS[name]


def load_dataset(cfg: "DataConfig", seed: int = 0) -> "Dataset":
    """Load the dataset `cfg` names, on the CPU. Raises DataError/ConfigError with a clear message."""
    return get_dataset_spec(cfg.dataset).loader(cfg, seed)
