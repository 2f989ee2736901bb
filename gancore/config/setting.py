"""One setting, declared once beside its dataclass field, and the check of one value against it.

`setting(default, label, help, ...)` is a dataclass `field` whose metadata holds a `Setting`:
the CLI builds its flags from it, the Train form its widgets, and `value_error` judges a value
with it, so a range or a help line is written in one place only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

KEY = "setting"  # the dataclass field's metadata key
TYPE_WORDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


@dataclass(frozen=True)
class Setting:
    label: str  # the setting in words, as its widget shows it
    help: str  # one plain line: CLI --help and the widget's tooltip
    range: tuple | None = None  # (lowest, highest) allowed number, both inclusive
    above: bool = False  # the lowest number itself is refused (a learning rate of 0 learns nothing)
    choices: tuple = ()  # the allowed values; a nullable setting also takes None (= the default)
    words: dict = field(default_factory=dict)  # how a choice reads: {1: "gray"}; None: the default
    choices_by_variant: bool = False  # the variant lists the allowed values (VariantSpec.choices)
    owner: str | None = None  # "variant": matters only to variants naming it in their `settings`
    needs_labels: bool = False  # matters only on a dataset with labels
    needs_noise: bool = False  # matters only to a generator that reads noise (VariantSpec.reads)
    needs_quality: bool = False  # matters only to a run whose quality is measured (quality_kind)
    picked: bool = False  # a registry name (variant, dataset): the page's own picker chooses it
    main: bool = False  # the Train form shows it up front, else under "Advanced settings"
    fmt: str | None = None  # a float's format in the form ("%.5f")
    # shapes the networks or the data they were built for: a fork (runs/fork.py) continues the
    # parent's weights, so it cannot change it
    architecture: bool = False
    # Filled in from the dataclass field (sections.SETTINGS):
    name: str = ""
    type: type = str
    nullable: bool = False  # None is allowed and means "the source's or variant's own"
    section: str = ""  # "train", "model" or "data"

    def bound(self, name: str, type_: type, nullable: bool, section: str) -> "Setting":
        return replace(self, name=name, type=type_, nullable=nullable, section=section)

    def choice_words(self, value) -> str:
        """A choice in words for a picker ("gray"; None: "the dataset's own")."""
        return self.words.get(value, "default" if value is None else str(value))

    def value_words(self, value) -> str:
        """A value as the Train form words it, for tables (Compare, reports): choices by their
        words, None as what it means ("the dataset's own"), yes / no, numbers without float noise."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if value is None or self.words:
            return self.choice_words(value)
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)


def setting(default: Any = None, label: str = "", help: str = "", **declared):
    """A dataclass field with its setting declared: `batch_size: int = setting(64, "Batch size",
    "examples per update", range=(1, 65_536), main=True)`."""
    return field(default=default, metadata={KEY: Setting(label, help, **declared)})


def type_error(s: Setting, value) -> str | None:
    """Why `value` has the wrong type for `s`, or None (an int passes for a float)."""
    if value is None and s.nullable:
        return None
    if s.type is float and isinstance(value, int) and not isinstance(value, bool):
        return None
    if (isinstance(value, bool) and s.type is not bool) or not isinstance(value, s.type):
        return f"must be {TYPE_WORDS[s.type]}, got {value!r}"
    return None


def value_error(s: Setting, value) -> str | None:
    """Why a well-typed `value` is outside the declared range or choices of `s`, or None."""
    if value is None:
        return None
    if s.range is not None:
        lo, hi = s.range
        if s.type is int and not lo <= value <= hi:
            return f"must be between {lo:,} and {hi:,}, got {value:,}"
        if s.type is float and (not math.isfinite(value) or (value <= lo if s.above else value < lo)
                                or value > hi):
            return f"must be {'above' if s.above else 'at least'} {lo:g} and at most {hi:g}, got {value!r}"
    if s.choices and value not in s.choices:
        return f"must be {allowed_words(s)}, got {value!r}"
    return None


def allowed_words(s: Setting) -> str:
    """'one of auto, cpu, cuda' or, for choices with words, '1 (gray) or 3 (RGB)'."""
    values = [c for c in s.choices if c is not None]
    if any(c in s.words for c in values):
        return " or ".join(f"{c} ({s.words[c]})" if c in s.words else str(c) for c in values)
    return f"one of {', '.join(map(str, values))}"
