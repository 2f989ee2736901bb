"""Validation: each value against its declaration, then what the variant and dataset say.

`config_errors` returns every problem (for a form that marks each field); `validate` raises the
first one (for the CLI's one clear line). Both read the registries through their public functions
only; a variant's or dataset's own rules come from its spec (`checks`, and the fields the generic
rules below read).
"""
from __future__ import annotations

from .sections import SETTINGS, TrainConfig
from .setting import type_error, value_error
from ..errors import ConfigError


def config_errors(cfg: TrainConfig) -> dict[str, str]:
    """Every problem with `cfg`, as {flat field name: plain-words message}. Empty when valid."""
    flat = cfg.flat()
    errors = {name: why for name, why in ((n, type_error(SETTINGS[n], v)) for n, v in flat.items()) if why}
    if errors:  # ranges and combinations mean nothing until every value has its type
        return errors
    errors = {name: why for name, why in ((n, value_error(SETTINGS[n], v)) for n, v in flat.items()) if why}
    _add_registry_errors(flat, errors)
    return errors


def _add_registry_errors(flat: dict, errors: dict[str, str]) -> None:
    """What the variant and dataset specs refuse; a combination's message replaces a field's own
    (it says more: "dcgan supports image sizes ..."), a registrant's own check adds to them."""
    from ..data.registry import get_dataset_spec, list_datasets
    from ..registry import get_variant_spec, list_variants

    variant, dataset = flat["variant"], flat["dataset"]
    if variant not in list_variants():
        errors["variant"] = f"unknown variant {variant!r}; choose one of: {', '.join(list_variants())}"
    if dataset not in list_datasets():
        errors["dataset"] = f"unknown dataset {dataset!r}; choose one of: {', '.join(list_datasets())}"
    if "variant" in errors or "dataset" in errors:
        return

    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    datasets = [get_dataset_spec(name) for name in list_datasets()]
    if dspec.kind not in vspec.data_kinds:
        fits = [s.name for s in datasets if s.kind in vspec.data_kinds]
        errors["dataset"] = (f"{variant} cannot train on {dspec.kind} data ({dataset}); "
                             f"choose one of: {', '.join(fits)}")
    if vspec.conditional == "never" and flat["conditional"]:
        labelled = [n for n in list_variants() if get_variant_spec(n).conditional != "never"]
        errors["conditional"] = f"{variant} is unconditional; for labels use one of: {', '.join(labelled)}"
    conditional = vspec.conditional == "always" or (vspec.conditional == "optional" and flat["conditional"])
    if conditional and not dspec.labelled:
        fits = [s.name for s in datasets if s.labelled and s.kind in vspec.data_kinds]
        errors["dataset"] = (f"{variant} is conditional and needs labels, but {dataset} has none; "
                             f"choose one of: {', '.join(fits)}")
    for name, s in SETTINGS.items():
        allowed = vspec.choices(name) if s.choices_by_variant else None
        if allowed is not None and flat[name] not in allowed:
            errors[name] = f"{variant} allows {', '.join(map(str, allowed))}, got {flat[name]!r}"
    size = flat["image_size"] or dspec.native_size
    if dspec.kind == "image" and vspec.image_sizes and size not in vspec.image_sizes:
        errors["image_size"] = f"{variant} supports image sizes {', '.join(map(str, vspec.image_sizes))}, got {size}"
    if flat["stop_at_quality"] is not None:
        why = _target_error(flat, conditional)
        if why:
            errors["stop_at_quality"] = why
    for name, message in _technique_errors(flat, dspec.kind).items():
        errors.setdefault(name, message)
    for check in vspec.checks + dspec.checks:  # a registrant's own rules; the generic ones speak first
        for name, message in check(flat).items():
            errors.setdefault(name, message)


def _technique_errors(flat: dict, data_kind: str) -> dict[str, str]:
    """The training techniques any variant may use, against the data and the engine."""
    from ..training.augment import parse_policy

    errors = {}
    try:
        policy = parse_policy(flat["diffaugment"])
    except ValueError as exc:
        errors["diffaugment"] = str(exc)
    else:
        if policy and data_kind != "image":  # shifts and cutouts of a point or of an image pair
            errors["diffaugment"] = (f"augments images the discriminator judges alone, and this run's "
                                     f"data is {data_kind}: leave it empty")
    if flat["r1_gamma"] and flat["compile"]:
        errors["r1_gamma"] = ("the R1 penalty differentiates twice, which torch.compile does not "
                              "support: set r1_gamma to 0 or turn compile off")
    return errors


def _target_error(flat: dict, conditional: bool) -> str | None:
    """What is wrong with the quality target (quality/target.py), or None; it is checked at each
    quality measurement, so a run that measures none could never reach it."""
    from ..quality import measures, target

    try:
        target.parse_target(flat["stop_at_quality"],
                            measures.measured_metrics(flat["variant"], flat["dataset"], conditional))
    except ValueError as exc:
        return str(exc)
    if flat["eval_every"] == 0:
        return "is checked at each quality measurement, and measuring is off (eval_every 0): set eval_every"
    if flat["steps"] < flat["eval_every"]:
        return (f"is checked at each quality measurement, every {flat['eval_every']:,} steps (eval_every), "
                f"but the run has {flat['steps']:,}: lower eval_every")
    return None


def validate(cfg: TrainConfig) -> TrainConfig:
    """Raise ConfigError naming the first bad field and what is allowed; return cfg when valid."""
    errors = config_errors(cfg)
    if errors:
        name, message = next(iter(errors.items()))
        raise ConfigError(name, message)
    return cfg


def check_data_fits(cfg: TrainConfig, info) -> None:
    """Checks only the loaded data can answer: a folder of images may turn out to have no class
    subfolders, and then a conditional variant has no labels to learn from."""
    from ..registry import is_conditional

    if is_conditional(cfg) and not info.labelled:
        raise ConfigError("dataset", f"{cfg.model.variant} is conditional and needs labels, but "
                          f"{info.name} has none (for a folder: put each class in its own "
                          "subfolder); or choose an unconditional variant")
    if is_conditional(cfg) and info.num_classes < 2:
        raise ConfigError("dataset", f"{cfg.model.variant} is conditional and needs at least two "
                          f"classes, but {info.name} has one ({', '.join(info.class_names)}); add "
                          "a folder per class, or choose an unconditional variant")
