"""A quality target (the stop_at_quality setting): "label_accuracy>=0.95", "modes>=8", "fcd<=2".

The trainer checks it against each quality measurement as it comes back (quality/live.py); when
one reaches it, the run ends as finished. `steps` stays the upper bound. The comparison must be
the metric's better direction (gancore/charts/quality.py METRICS), so ">=" for label accuracy and
"<=" for FCD; a share may be written as a percentage ("95%").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..charts.quality import BY_KEY, metric_text

_FORM = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=)\s*([0-9.eE+-]+)\s*(%?)\s*$")
EXAMPLE = "label_accuracy>=0.95"


_NAMES = {"Frechet"}  # a label's first word that keeps its capital inside a sentence


def metric_words(key: str) -> str:
    """A metric's label inside a sentence: "label accuracy", "PSNR (dB)", "Frechet ..."."""
    label = BY_KEY[key].label
    keep = label[:2].isupper() or label.split()[0] in _NAMES
    return label if keep else label[0].lower() + label[1:]


def _wanted(key: str) -> str:
    """How a target for `key` is written: "label_accuracy>=X"."""
    return f"{key}{'>=' if BY_KEY[key].better == 'higher' else '<='}X"


@dataclass(frozen=True)
class QualityTarget:
    metric: str  # a key of METRICS
    value: float  # in the metric's own units (a share as 0-1)

    @property
    def higher(self) -> bool:
        return BY_KEY[self.metric].better == "higher"

    def met(self, metrics: dict) -> bool:
        """Whether a measurement's {metric: value} reaches the target."""
        got = metrics.get(self.metric)
        if not isinstance(got, (int, float)) or not math.isfinite(got):
            return False
        return got >= self.value if self.higher else got <= self.value

    def target_text(self) -> str:
        """The target's value as the Monitor words values: "95 %", "8", "2.000"."""
        if BY_KEY[self.metric].percent:
            return f"{round(100 * self.value, 6):g} %"
        return metric_text(self.metric, self.value)

    def reached_words(self, metrics: dict, step: int) -> str:
        """The finished run's message."""
        return (f"reached {metric_words(self.metric)} {metric_text(self.metric, metrics[self.metric])} "
                f"(target {self.target_text()}) at step {step:,}")

    def distance_words(self, metrics: dict) -> str:
        """How close a measurement is: "label accuracy 91.0 %, target 95 %"."""
        got = metrics.get(self.metric)
        words = f"{metric_words(self.metric)} {metric_text(self.metric, got)}, target {self.target_text()}"
        return words + (": reached" if self.met(metrics) else "")


def target_of(cfg) -> QualityTarget | None:
    """The target of a validated TrainConfig, or None when it has none."""
    from .measures import target_metrics

    return parse_target(cfg.stop_at_quality, target_metrics(cfg)) if cfg.stop_at_quality else None


def parse_target(text: str, allowed: tuple[str, ...]) -> QualityTarget:
    """The target `text` names, or ValueError saying in words what is allowed; `allowed`: the
    metrics the run's measure produces (measures.target_metrics)."""
    forms = ", ".join(_wanted(k) for k in allowed)
    if not allowed:
        raise ValueError("this run's quality is not measured (its data has no quality measure), so "
                         "it cannot stop at a quality: leave it empty")
    found = _FORM.match(text or "")
    if not found:
        raise ValueError(f"must read like {_wanted(allowed[0]).replace('X', '...')}; for this run one of: "
                         f"{forms}, got {text!r}")
    key, op, number, percent = found.groups()
    if key not in allowed:
        raise ValueError(f"this run measures {', '.join(allowed)}, not {key!r}; write one of: {forms}")
    metric = BY_KEY[key]
    if (op == ">=") != (metric.better == "higher"):
        raise ValueError(f"{metric_words(key)} is better {metric.better}, so its target reads "
                         f"{_wanted(key)}, got {text!r}")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{number!r} is not a number; write e.g. {_wanted(key).replace('X', '0.95')}") from None
    if not math.isfinite(value):
        raise ValueError(f"the target must be a finite number, got {number!r}")
    if percent:
        if not metric.percent:
            raise ValueError(f"{metric_words(key)} is not a percentage: leave out the %")
        value /= 100
    if metric.percent and not 0 <= value <= 1:
        raise ValueError(f"{metric_words(key)} is a share: write it from 0 to 1 (0.95) or as a "
                         f"percentage (95%), got {text!r}")
    return QualityTarget(key, value)
