"""gancore: GAN variants, data sources, a two-phase trainer, a run store and a CLI.

Never imports streamlit or plotly: it runs on GPU machines and in the CLI without them.
"""
from . import variants  # noqa: F401  (registers every variant)
from .config import DataConfig, ModelConfig, TrainConfig, config_errors, default_values, make_config, validate
from .data import Dataset, DataInfo, list_datasets, get_dataset_spec, load_dataset
from .training.device import describe_device, resolve_device
from .errors import ConfigError, DataError, GanError, RunError
from .runs.launch import resume_run, start_run
from .registry import GAN, create_gan, get_variant_spec, is_conditional, list_variants, register_variant
from .runs.store import Run, RunStore, validate_run_id
from .training.trainer import Event, Trainer, train

__all__ = [
    "DataConfig", "ModelConfig", "TrainConfig", "config_errors", "default_values", "make_config",
    "validate", "Dataset", "DataInfo", "list_datasets", "get_dataset_spec", "load_dataset",
    "describe_device", "resolve_device", "ConfigError", "DataError", "GanError", "RunError",
    "resume_run", "start_run", "GAN", "create_gan", "get_variant_spec", "is_conditional",
    "list_variants", "register_variant", "Run", "RunStore", "validate_run_id", "Event", "Trainer",
    "train",
]
