"""Learning rates scaled with the batch size (lr_batch_scaling), relative to the variant's own.

A larger batch gives a less noisy gradient, so a step can go further: linear scaling (Goyal et
al. 2017) multiplies the rates by new / default batch size, sqrt scaling (Krizhevsky 2014; the
usual rule for Adam) by its square root. The reference is the batch size the variant's defaults
give for this dataset (config.make.default_values), so a run at that size trains as set.
"""
from __future__ import annotations

import math

RULES = {"off": lambda ratio: 1.0, "sqrt": math.sqrt, "linear": lambda ratio: ratio}


def lr_factor(cfg) -> float:
    """What lr_g and lr_d are multiplied by: 1.0 when off or at the variant's default batch."""
    if cfg.lr_batch_scaling == "off":
        return 1.0
    from ..config.make import default_values

    reference = default_values(cfg.model.variant, cfg.data.dataset)["batch_size"]
    return RULES[cfg.lr_batch_scaling](cfg.batch_size / reference)


def scaled_rates(cfg) -> tuple[float, float]:
    """(lr_g, lr_d) the optimizers start from."""
    factor = lr_factor(cfg)
    return cfg.lr_g * factor, cfg.lr_d * factor


def rates_words(cfg) -> str | None:
    """The scaled rates in words for a caption, or None when the rates are used as set."""
    factor = lr_factor(cfg)
    if factor == 1.0:
        return None
    lr_g, lr_d = scaled_rates(cfg)
    return (f"learning rates scaled x{factor:.3g} for batch size {cfg.batch_size:,} "
            f"({cfg.lr_batch_scaling}): generator {lr_g:.3g}, discriminator {lr_d:.3g}")
