"""Which settings the Train page shows for a (variant, dataset), and how each is edited. Pure.

Everything here is read from the settings' declarations (gancore.config.SETTINGS) and the
variant's and dataset's specs. Ranges are not enforced by the widgets: numbers are typed as text
and read by `read_number`, so whatever was typed (1e20, "ten") reaches gancore.config_errors,
which judges every value: a bad one gets the same message here as on the command line, shown
beside its field (a number widget would silently keep its old value past its built-in limits).
"""
from __future__ import annotations

from dataclasses import dataclass

from gancore import get_dataset_spec, get_variant_spec
from gancore.config import SETTINGS, Setting
from gancore.quality.measures import measure_kind


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
    if s.needs_noise and vspec.reads != "noise":  # an upscaler or a translator reads an image
        return False
    if s.needs_quality and measure_kind(vspec.name, dspec.name) is None:  # judged by its pictures
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


def number_text(spec: FieldSpec, value) -> str:
    """How a number field first shows its default ("%.5f" for a learning rate: 0.00020)."""
    if spec.kind == "float":
        return spec.fmt % value if spec.fmt else f"{value:g}"
    return str(value)


def read_number(spec: FieldSpec, text: str):
    """What was typed into a number field: an int for a whole-number setting ("1e3" reads 1000,
    "1e20" 10**20), a float for a number; text that reads as neither is returned as it is, so
    the checks refuse it in words ("must be a whole number, got 'ten'"). Empty: None, which a
    nullable setting takes as its default and any other refuses."""
    text = text.strip()
    if not text:
        return None if SETTINGS[spec.name].nullable else text
    try:
        number = float(text)
    except ValueError:
        return text
    if spec.kind == "float":
        return number
    try:
        return int(text)  # exact for long integers, which a float would round
    except ValueError:
        return int(number) if number.is_integer() else number  # 2.5: "must be a whole number"


def field_label(name: str) -> str:
    """A setting's name in words, as its widget shows it ("lr_g" -> "Generator learning rate")."""
    return SETTINGS[name].label if name in SETTINGS else name.replace("_", " ").capitalize()


def choice_label(name: str, value) -> str:
    return SETTINGS[name].choice_words(value)
