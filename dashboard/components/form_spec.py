"""Which settings the Train page shows for a (variant, dataset), and how each is edited. Pure.

Everything here is read from the settings' declarations (gancore.config.SETTINGS) and the
variant's and dataset's specs. Ranges are not enforced by the widgets: gancore.config_errors
judges every value, so a bad one gets the same message here as on the command line, shown beside
its field.
"""
from __future__ import annotations

from dataclasses import dataclass

from gancore import get_dataset_spec, get_variant_spec
from gancore.config import SETTINGS, Setting


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    help: str
    kind: str  # "int", "float", "bool", "text", "choice"
    options: tuple = ()  # for "choice"
    fmt: str | None = None  # number format for floats


def _field(s: Setting, vspec) -> FieldSpec:
    options = vspec.choices(s.name) if s.choices_by_variant else s.choices
    if options:
        kind = "choice"
    else:
        kind = {bool: "bool", str: "text", float: "float", int: "int"}[s.type]
    return FieldSpec(s.name, s.label, s.help, kind, tuple(options), s.fmt)


def _shown(s: Setting, vspec, dspec) -> bool:
    """Whether this run reads the setting and leaves the user something to choose."""
    if s.picked:  # the page's own pickers choose the variant and the dataset
        return False
    if s.section == "data":
        return s.name in dspec.fields
    if s.owner == "variant" and s.name not in vspec.settings:
        return False
    if s.needs_labels and not dspec.labelled:
        return False
    return not s.choices_by_variant or len(vspec.choices(s.name)) > 1


def form_fields(variant: str, dataset: str) -> list[FieldSpec]:
    """Every setting the form shows for this pair, in the declarations' order."""
    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    return [_field(s, vspec) for s in SETTINGS.values() if _shown(s, vspec, dspec)]


def main_fields(variant: str, dataset: str) -> list[FieldSpec]:
    """The few settings everyone may want (declared `main`); the rest go under "Advanced"."""
    return [f for f in form_fields(variant, dataset) if SETTINGS[f.name].main]


def advanced_fields(variant: str, dataset: str) -> list[FieldSpec]:
    return [f for f in form_fields(variant, dataset) if not SETTINGS[f.name].main]


def field_label(name: str) -> str:
    """A setting's name in words, as its widget shows it ("lr_g" -> "Generator learning rate")."""
    return SETTINGS[name].label if name in SETTINGS else name.replace("_", " ").capitalize()


def choice_label(name: str, value) -> str:
    return SETTINGS[name].choice_words(value)
