"""Which settings the Train page shows for a (variant, dataset), and how each is edited. Pure.

Ranges are not enforced by the widgets: gancore.config_errors judges every value, so a bad one
gets the same message here as on the command line, shown beside its field.
"""
from __future__ import annotations

from dataclasses import dataclass

from gancore import get_dataset_spec, get_variant_spec
from gancore.config import AMP_MODES, DEVICES, FIELD_HELP, IMAGE_SIZES, SPLITS, SWITCHES

LABELS = {
    "variant": "GAN variant", "dataset": "Dataset",
    "steps": "Training steps", "batch_size": "Batch size", "lr_g": "Generator learning rate",
    "lr_d": "Discriminator learning rate", "seed": "Random seed", "g_loss": "Generator loss",
    "conditional": "Conditional (use the class labels)", "n_critic": "Critic steps per generator step",
    "data_dir": "Data folder", "split": "Split", "image_size": "Image size (pixels)",
    "channels": "Colour", "num_samples": "Examples to generate", "latent_dim": "Noise size (latent_dim)",
    "hidden_dim": "Hidden units (MLP)", "hidden_layers": "Hidden layers (MLP)",
    "base_channels": "Conv width (base_channels)", "beta1": "Adam beta1", "beta2": "Adam beta2",
    "gp_lambda": "Gradient penalty weight", "lr_decay": "Decay learning rates to 0",
    "device": "Device", "log_every": "Record metrics every N steps",
    "sample_every": "Picture every N steps",
    "eval_every": "Measure quality every N steps", "checkpoint_every": "Checkpoint every N steps",
    "keep_checkpoints": "Older checkpoints kept", "download": "Allow download",
    "amp": "Mixed precision (GPU)", "channels_last": "Channels-last layout",
    "compile": "Compile the networks (torch.compile)",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    help: str
    kind: str  # "int", "float", "bool", "text", "choice"
    options: tuple = ()  # for "choice"
    fmt: str | None = None  # number format for floats


def _spec(name: str, variant: str, dataset: str) -> FieldSpec:
    label, help_ = field_label(name), FIELD_HELP.get(name, "")
    choices = {
        "g_loss": get_variant_spec(variant).g_losses,
        "split": SPLITS,
        "device": DEVICES,
        "image_size": (None,) + IMAGE_SIZES,
        "channels": (None, 1, 3),
        "amp": AMP_MODES,
        "channels_last": SWITCHES,
    }
    if name in choices:
        return FieldSpec(name, label, help_, "choice", tuple(choices[name]))
    if name in ("lr_g", "lr_d"):
        return FieldSpec(name, label, help_, "float", fmt="%.5f")
    if name in ("beta1", "beta2", "gp_lambda"):
        return FieldSpec(name, label, help_, "float", fmt="%.3f")
    if name in ("conditional", "lr_decay", "download", "compile"):
        return FieldSpec(name, label, help_, "bool")
    if name == "data_dir":
        return FieldSpec(name, label, help_, "text")
    return FieldSpec(name, label, help_, "int")


def main_fields(variant: str, dataset: str) -> list[FieldSpec]:
    """The few settings everyone may want; the rest go in the "advanced" expander."""
    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    names = ["steps", "batch_size", "lr_g", "lr_d", "seed"]
    if len(vspec.g_losses) > 1:
        names.append("g_loss")
    if vspec.conditional == "optional" and dspec.labelled:
        names.append("conditional")
    names += [f for f in ("data_dir", "split", "image_size", "channels") if f in dspec.fields]
    return [_spec(n, variant, dataset) for n in names]


ADVANCED = ("n_critic", "latent_dim", "hidden_dim", "hidden_layers", "base_channels", "beta1",
            "beta2", "gp_lambda", "lr_decay", "num_samples", "device", "log_every", "sample_every",
            "eval_every", "checkpoint_every", "keep_checkpoints", "download", "amp", "channels_last",
            "compile")


DATA_FIELDS = ("num_samples", "download")  # shown only for the sources that read them


def advanced_fields(variant: str, dataset: str) -> list[FieldSpec]:
    shown = {f.name for f in main_fields(variant, dataset)}
    source_reads = get_dataset_spec(dataset).fields
    return [_spec(n, variant, dataset) for n in ADVANCED
            if n not in shown and (n not in DATA_FIELDS or n in source_reads)]


def field_label(name: str) -> str:
    """A setting's name in words, as its widget shows it ("lr_g" -> "Generator learning rate")."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def choice_label(name: str, value) -> str:
    if value is None:
        return {"image_size": "the dataset's own", "channels": "the dataset's own"}.get(name, "default")
    if name == "channels":
        return {1: "gray", 3: "colour (RGB)"}[value]
    return str(value)
