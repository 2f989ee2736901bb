"""Configuration: three dataclasses (data / model / train) and every validation rule, in one place.

Field names are unique across the three sections, so the CLI flags (`--batch-size`), the
dashboard's form fields and error messages all use the same flat name (`batch_size`).
Build a config with `make_config(variant, dataset, **overrides)`: it starts from the variant's
and the dataset kind's defaults, applies the overrides and validates the result.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from .errors import ConfigError

SPLITS = ("train", "test")
DEVICES = ("auto", "cpu", "cuda", "mps")
AMP_MODES = ("auto", "bf16", "off")
SWITCHES = ("auto", "on", "off")
G_LOSSES_BCE = ("nonsaturating", "minimax")
IMAGE_SIZES = (16, 28, 32, 64)
CHANNELS = (1, 3)


@dataclass
class DataConfig:
    dataset: str = "ring8"
    data_dir: str | None = None  # IDX folder (mnist) or image folder (folder); None = cache/default
    split: str = "train"  # which IDX split to read: "train" or "test"
    image_size: int | None = None  # None = the source's own size (28 for digits, 32 for folders)
    channels: int | None = None  # folder images: 1 (gray) or 3 (RGB); None = the source's own
    num_samples: int = 0  # generated sources (toys, glyphs): how many; 0 = the source's default
    download: bool = True  # mnist / fashion_mnist: may download into the cache on first use


@dataclass
class ModelConfig:
    variant: str = "vanilla"
    latent_dim: int = 64
    hidden_dim: int = 256  # MLP variants: units per hidden layer
    hidden_layers: int = 3  # MLP variants: hidden layers in each network
    base_channels: int = 32  # conv variants: channels of the widest-resolution layer (ngf = ndf)
    g_loss: str = "nonsaturating"  # BCE variants: "nonsaturating" (-log D(G(z))) or "minimax"
    conditional: bool = False  # feed the label y to both networks (fixed by cgan/cdcgan)
    gp_lambda: float = 10.0  # gradient-penalty weight (wgan_gp only)


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    steps: int = 3000  # generator updates
    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    n_critic: int = 1  # discriminator updates per generator update
    lr_decay: bool = False  # decay both learning rates linearly to 0 over the run
    seed: int = 0
    device: str = "auto"
    log_every: int = 50  # record metrics every N steps (the only host sync of the loop)
    sample_every: int = 500  # fixed-noise sample grid every N steps
    eval_every: int = 1000  # measure quality every N steps beside training, and at the end (0 = never)
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3  # step_<n>.pt history kept beside latest.pt
    # engine options (see engine.py); "auto" picks what measured fastest for the device
    amp: str = "auto"  # "auto" (bf16 on CUDA), "bf16" or "off"
    channels_last: str = "auto"  # "auto" (on for conv networks), "on" or "off"
    compile: bool = False  # torch.compile(mode="reduce-overhead") of both networks

    # ---- flat access: one namespace for CLI flags, form fields and error messages ----
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Inverse of to_dict; unknown keys are refused (a config from a newer/other tool)."""
        d = dict(d)
        model, data = dict(d.pop("model", {})), dict(d.pop("data", {}))
        for section, cls_, given in (("model", ModelConfig, model), ("data", DataConfig, data),
                                     (None, TrainConfig, d)):
            names = {f.name for f in fields(cls_)} - {"model", "data"}
            for key in given:
                if key not in names:
                    where = f"{section}." if section else ""
                    raise ConfigError(f"{where}{key}", "unknown setting in config")
        return cls(model=ModelConfig(**model), data=DataConfig(**data), **d)

    def flat(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("model", "data")}
        out.update(asdict(self.model))
        out.update(asdict(self.data))
        return out

    def replace(self, **changes) -> "TrainConfig":
        """A copy with flat fields changed (`cfg.replace(batch_size=128, variant="dcgan")`)."""
        flat = self.flat()
        for key in changes:
            if key not in flat:
                raise ConfigError(key, f"unknown setting; allowed: {', '.join(sorted(flat))}")
        flat.update(changes)
        return from_flat(flat)


def _section_of(name: str) -> str:
    for section, cls_ in (("model", ModelConfig), ("data", DataConfig)):
        if name in {f.name for f in fields(cls_)}:
            return section
    return "train"


def field_types() -> dict[str, type]:
    """Flat field name -> the Python type a value must have (None allowed where the default is)."""
    out = {}
    for cls_ in (TrainConfig, ModelConfig, DataConfig):
        for f in fields(cls_):
            if f.name in ("model", "data"):
                continue
            base = str(f.type).split("|")[0].strip()  # "int | None" -> "int"
            out[f.name] = {"int": int, "float": float, "str": str, "bool": bool}[base]
    return out


def from_flat(flat: dict) -> TrainConfig:
    parts: dict[str, dict] = {"model": {}, "data": {}, "train": {}}
    for key, value in flat.items():
        parts[_section_of(key)][key] = value
    return TrainConfig(model=ModelConfig(**parts["model"]), data=DataConfig(**parts["data"]),
                       **parts["train"])


def default_values(variant: str, dataset: str) -> dict:
    """The flat defaults for this variant on this dataset (before the user's overrides)."""
    from .data.registry import get_dataset_spec
    from .registry import get_variant_spec

    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    flat = TrainConfig().flat()
    flat.update(vspec.defaults.get("any", {}))
    flat.update(vspec.defaults.get(dspec.kind, {}))
    flat.update(vspec.defaults.get(dataset, {}))
    flat["variant"], flat["dataset"] = variant, dataset
    return flat


def make_config(variant: str = "vanilla", dataset: str = "ring8", **overrides) -> TrainConfig:
    """Defaults for (variant, dataset), then `overrides` (flat names; None means "default")."""
    from .registry import get_variant_spec

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


# ------------------------------------------------------------------------------------------------
# Validation: every rule lives here. `config_errors` returns all problems (for a form that marks
# each field); `validate` raises the first one (for the CLI's one clear line).

_INT_RANGES = {  # field: (min, max) inclusive
    "latent_dim": (1, 1024), "hidden_dim": (4, 4096), "hidden_layers": (1, 8),
    "base_channels": (4, 512), "steps": (1, 10_000_000), "batch_size": (1, 65_536),
    "n_critic": (1, 100), "seed": (0, 2**31 - 1), "log_every": (1, 1_000_000),
    "sample_every": (1, 10_000_000), "eval_every": (0, 10_000_000), "checkpoint_every": (1, 10_000_000),
    "keep_checkpoints": (0, 1000), "num_samples": (0, 10_000_000),
}
_FLOAT_RANGES = {  # field: (min exclusive?, min, max)
    "lr_g": (True, 0.0, 1.0), "lr_d": (True, 0.0, 1.0), "beta1": (False, 0.0, 0.999999),
    "beta2": (False, 0.0, 0.999999), "gp_lambda": (False, 0.0, 1000.0),
}


_TYPE_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _check_types(flat: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    types = field_types()
    nullable = {"data_dir", "image_size", "channels"}
    for name, value in flat.items():
        want = types[name]
        if value is None and name in nullable:
            continue
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        is_bool_as_number = isinstance(value, bool) and want is not bool
        if is_bool_as_number or not isinstance(value, want):
            errors[name] = f"must be {_TYPE_WORDS[want]}, got {value!r}"
    return errors


def config_errors(cfg: TrainConfig) -> dict[str, str]:
    """Every problem with `cfg`, as {flat field name: plain-words message}. Empty when valid."""
    from .data.registry import _DATASETS
    from .registry import _VARIANTS

    flat = cfg.flat()
    errors = _check_types(flat)
    if errors:
        return errors

    for name, (lo, hi) in _INT_RANGES.items():
        if not lo <= flat[name] <= hi:
            errors[name] = f"must be between {lo:,} and {hi:,}, got {flat[name]:,}"
    for name, (exclusive, lo, hi) in _FLOAT_RANGES.items():
        v = flat[name]
        if not math.isfinite(v) or (v <= lo if exclusive else v < lo) or v > hi:
            errors[name] = f"must be {'above' if exclusive else 'at least'} {lo:g} and at most {hi:g}, got {v!r}"
    if flat["split"] not in SPLITS:
        errors["split"] = f"must be one of {', '.join(SPLITS)}, got {flat['split']!r}"
    if flat["device"] not in DEVICES:
        errors["device"] = f"must be one of {', '.join(DEVICES)}, got {flat['device']!r}"
    if flat["amp"] not in AMP_MODES:
        errors["amp"] = f"must be one of {', '.join(AMP_MODES)}, got {flat['amp']!r}"
    if flat["channels_last"] not in SWITCHES:
        errors["channels_last"] = f"must be one of {', '.join(SWITCHES)}, got {flat['channels_last']!r}"
    if flat["image_size"] is not None and flat["image_size"] not in IMAGE_SIZES:
        errors["image_size"] = f"must be one of {', '.join(map(str, IMAGE_SIZES))}, got {flat['image_size']!r}"
    if flat["channels"] is not None and flat["channels"] not in CHANNELS:
        errors["channels"] = f"must be 1 (gray) or 3 (RGB), got {flat['channels']!r}"

    variant, dataset = flat["variant"], flat["dataset"]
    if variant not in _VARIANTS:
        errors["variant"] = f"unknown variant {variant!r}; choose one of: {', '.join(sorted(_VARIANTS))}"
    if dataset not in _DATASETS:
        errors["dataset"] = f"unknown dataset {dataset!r}; choose one of: {', '.join(sorted(_DATASETS))}"
    if "variant" in errors or "dataset" in errors:
        return errors

    vspec, dspec = _VARIANTS[variant], _DATASETS[dataset]
    if dspec.kind not in vspec.data_kinds:
        fits = sorted(n for n, s in _DATASETS.items() if s.kind in vspec.data_kinds)
        errors["dataset"] = (f"{variant} cannot train on {dspec.kind} data ({dataset}); "
                             f"choose one of: {', '.join(fits)}")
    conditional = vspec.conditional == "always" or (vspec.conditional == "optional" and flat["conditional"])
    if vspec.conditional == "never" and flat["conditional"]:
        errors["conditional"] = f"{variant} is unconditional; for labels use one of: {', '.join(sorted(n for n, s in _VARIANTS.items() if s.conditional != 'never'))}"
    if conditional and not dspec.labelled:
        fits = sorted(n for n, s in _DATASETS.items() if s.labelled and s.kind in vspec.data_kinds)
        errors["dataset"] = (f"{variant} is conditional and needs labels, but {dataset} has none; "
                             f"choose one of: {', '.join(fits)}")
    if flat["compile"] and not vspec.supports_compile:
        errors["compile"] = (f"{variant} cannot be compiled: its gradient penalty differentiates "
                             "twice, which torch.compile does not support; turn compile off")
    allowed_losses = vspec.g_losses
    if flat["g_loss"] not in allowed_losses:
        errors["g_loss"] = f"{variant} allows {', '.join(allowed_losses)}, got {flat['g_loss']!r}"
    size = flat["image_size"] or dspec.native_size
    if dspec.kind == "image" and vspec.image_sizes and size not in vspec.image_sizes:
        errors["image_size"] = f"{variant} supports image sizes {', '.join(map(str, vspec.image_sizes))}, got {size}"
    return errors


def check_data_fits(cfg: TrainConfig, info) -> None:
    """Checks only the loaded data can answer: a folder of images may turn out to have no class
    subfolders, and then a conditional variant has no labels to learn from."""
    from .registry import is_conditional

    if is_conditional(cfg) and not info.labelled:
        raise ConfigError("dataset", f"{cfg.model.variant} is conditional and needs labels, but "
                          f"{info.name} has none (for a folder: put each class in its own "
                          "subfolder); or choose an unconditional variant")
    if is_conditional(cfg) and info.num_classes < 2:
        raise ConfigError("dataset", f"{cfg.model.variant} is conditional and needs at least two "
                          f"classes, but {info.name} has one ({', '.join(info.class_names)}); add "
                          "a folder per class, or choose an unconditional variant")


def validate(cfg: TrainConfig) -> TrainConfig:
    """Raise ConfigError naming the first bad field and what is allowed; return cfg when valid."""
    errors = config_errors(cfg)
    if errors:
        name, message = next(iter(errors.items()))
        raise ConfigError(name, message)
    return cfg


# One line per field in plain words: CLI --help and the dashboard's field tooltips read this.
FIELD_HELP = {
    "variant": "which GAN to train",
    "dataset": "what it learns to imitate",
    "data_dir": "folder with the dataset's files (IDX files for mnist, images for folder)",
    "split": "which part of an IDX dataset to read: train or test",
    "image_size": "image side in pixels (16, 28, 32 or 64); empty = the dataset's own",
    "channels": "folder images: 1 for gray, 3 for colour",
    "num_samples": "how many examples a generated dataset makes (0 = its default)",
    "download": "allow downloading MNIST-style datasets on first use",
    "latent_dim": "size of the random noise vector the generator starts from",
    "hidden_dim": "width of each hidden layer (MLP variants)",
    "hidden_layers": "number of hidden layers in each network (MLP variants)",
    "base_channels": "width of the convolutional networks (conv variants)",
    "g_loss": "generator loss: nonsaturating (-log D(G(z))), minimax (log(1 - D(G(z)))) or wasserstein",
    "conditional": "feed the class label to both networks (wgan_gp; cgan and cdcgan always do)",
    "gp_lambda": "weight of the gradient penalty (wgan_gp)",
    "steps": "how many generator updates to train for",
    "batch_size": "examples per update",
    "lr_g": "generator learning rate",
    "lr_d": "discriminator learning rate",
    "beta1": "Adam's first momentum coefficient",
    "beta2": "Adam's second momentum coefficient",
    "n_critic": "discriminator updates per generator update",
    "lr_decay": "lower both learning rates linearly to zero over the run",
    "seed": "random seed: the same seed on CPU gives the same run",
    "device": "auto (GPU when there is one), cpu, cuda or mps",
    "log_every": "record losses and scores every N steps",
    "sample_every": "save a picture of the generator's progress every N steps",
    "eval_every": ("measure the quality of the samples every N steps, beside training, and at the end "
                   "(0: never; runs shorter than N steps are not measured)"),
    "checkpoint_every": "save a checkpoint every N steps",
    "keep_checkpoints": "how many older checkpoints to keep beside the latest",
    "amp": "mixed precision: auto (bf16 on a GPU), bf16 or off",
    "channels_last": "channels-last memory layout for conv networks (faster on a CPU and a GPU): auto (on), on or off",
    "compile": "compile both networks with torch.compile (slow start, faster steps)",
}
