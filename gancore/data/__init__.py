"""Data sources. Importing this package registers each one (one module per source)."""
from . import folder, glyphs, idx, toy2d  # noqa: F401  (registration)
from . import colour, drawn, holes, paired_folder, photos, sketches  # noqa: F401  (registration)
from .base import DataInfo, Dataset, Pairs
from .registry import DatasetSpec, get_dataset_spec, list_datasets, load_dataset, register_dataset

__all__ = ["DataInfo", "Dataset", "Pairs", "DatasetSpec", "get_dataset_spec", "list_datasets",
           "load_dataset", "register_dataset"]
