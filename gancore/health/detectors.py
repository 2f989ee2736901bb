"""Detectors: each reads the logged numbers (metric records, quality measurements), never the
training step, and keeps `finding` up to date: what is wrong now, from which step, or None.

A detector's `metrics(record)` / `quality(record)` returns whether it judged that record (a record
from before the warm-up, or without the numbers it reads, is not judged); watch.py opens and
closes alerts from the judged ones. Every number compared against is in thresholds.py.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from .thresholds import THRESHOLDS, Thresholds

GRAD_NORMS = ("grad_norm_d", "grad_norm_g")
VARIETY_METRICS = ("modes", "recall", "coverage")  # falling = fewer kinds of output


@dataclass(frozen=True)
class HealthContext:
    """What the detectors need to know about a run, none of it a variant's name."""

    total_steps: int
    probability_scores: bool  # D(x), D(G(z)) are probabilities (BCE), not critic values
    adversarial_only: bool  # G's loss is the adversarial term alone (no content loss beside it)
    thresholds: Thresholds = THRESHOLDS

    @classmethod
    def of(cls, total_steps: int, gan) -> HealthContext:
        """From a variant's built GAN (registry.GAN): its D loss and its own G terms."""
        from ..training.losses import PROBABILITY_SCORES

        return cls(total_steps, gan.d_loss in PROBABILITY_SCORES, gan.g_terms is None)

    @property
    def warmup(self) -> int:
        return self.thresholds.warmup(self.total_steps)


@dataclass(frozen=True)
class Finding:
    since: int
    what: str


def _n(value: float) -> str:
    """A number for a sentence: 0.998, 41.2, 8.1e+10."""
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2g}"


class Detector:
    kind = ""
    sticky = False  # once found, never closes (a NaN leaves broken weights behind)

    def __init__(self, ctx: HealthContext):
        self.ctx, self.t = ctx, ctx.thresholds
        self.finding: Finding | None = None

    def metrics(self, record: dict) -> bool:
        return False

    def quality(self, record: dict, floor: dict | None) -> bool:
        return False


class NonFinite(Detector):
    kind, sticky = "nonfinite", True

    def metrics(self, record: dict) -> bool:
        if record.get("nonfinite") and self.finding is None:
            bad = [k for k, v in record.items() if isinstance(v, float) and not math.isfinite(v)]
            self.finding = Finding(record["step"], f"{', '.join(bad) or 'a logged value'} at step {record['step']:,}")
        return True


class DiscriminatorWins(Detector):
    kind = "d_wins"

    def __init__(self, ctx: HealthContext):
        super().__init__(ctx)
        self.streak_from: int | None = None

    def metrics(self, record: dict) -> bool:
        if not (self.ctx.probability_scores and self.ctx.adversarial_only) or "d_real" not in record \
                or record["step"] < self.ctx.warmup:
            return False
        real, fake, step = record["d_real"], record["d_fake"], record["step"]
        if real > self.t.d_wins_real and fake < self.t.d_wins_fake:
            self.streak_from = step if self.streak_from is None else self.streak_from
        else:
            self.streak_from = None
        sustained = self.streak_from is not None and step - self.streak_from >= self.t.d_wins_steps
        self.finding = Finding(self.streak_from, f"D(x) {real:.3f} and D(G(z)) {fake:.3f}, beyond "
                               f"{self.t.d_wins_real} and {self.t.d_wins_fake} at every record since "
                               f"step {self.streak_from:,}") if sustained else None
        return True


class Explosion(Detector):
    """Every loss_* and gradient norm against its own early level."""

    kind = "explosion"

    def __init__(self, ctx: HealthContext):
        super().__init__(ctx)
        self.early: dict[str, list[float]] = {}

    def _level(self, key: str, value: float) -> float | None:
        """The key's early level (None while its first records are still being collected)."""
        seen = self.early.setdefault(key, [])
        if len(seen) < self.t.baseline_records:
            seen.append(abs(value))
            return None
        return max(statistics.median(seen), self.t.explode_floor)

    def metrics(self, record: dict) -> bool:
        if record.get("nonfinite"):
            return False  # NonFinite's
        worst = None
        for key, value in record.items():
            if not (key.startswith("loss_") or key in GRAD_NORMS) or not isinstance(value, (int, float)):
                continue
            level = self._level(key, value)
            if abs(value) > self.t.explode_absolute:
                what = f"{key} {_n(value)}, above {_n(self.t.explode_absolute)}"
            elif level is not None and abs(value) > self.t.explode_factor * level:
                what = f"{key} {_n(value)} against {_n(level)} early on"
            else:
                continue
            ratio = abs(value) / (level or self.t.explode_floor)
            if worst is None or ratio > worst[0]:
                worst = (ratio, what)
        if worst is None:
            self.finding = None
        elif self.finding is None:
            self.finding = Finding(record["step"], worst[1])
        else:
            self.finding = Finding(self.finding.since, worst[1])
        return True


class VanishingGradient(Detector):
    kind = "vanishing_gradient"

    def __init__(self, ctx: HealthContext):
        super().__init__(ctx)
        self.early: list[float] = []
        self.streak_from: int | None = None
        self.streak = 0

    def metrics(self, record: dict) -> bool:
        norm = record.get("grad_norm_g")
        if norm is None or "d_real" not in record or record.get("nonfinite"):
            return False
        if len(self.early) < self.t.baseline_records:
            self.early.append(norm)
            return False
        if record["step"] < self.ctx.warmup:
            return False
        base = statistics.median(self.early)
        if norm < self.t.vanish_floor and norm < self.t.vanish_factor * base:
            self.streak += 1
            self.streak_from = record["step"] if self.streak_from is None else self.streak_from
        else:
            self.streak, self.streak_from = 0, None
        self.finding = Finding(self.streak_from, f"G's gradient norm {_n(norm)} against {_n(base)} "
                               "early on") if self.streak >= self.t.vanish_records else None
        return True


class ModeCollapse(Detector):
    """From the live spread of the fixed-noise samples, and from the variety metrics measured."""

    kind = "mode_collapse"

    def __init__(self, ctx: HealthContext):
        super().__init__(ctx)
        self.low_pictures: list[int] = []  # steps of the latest run of low-spread pictures
        self.low_measures: list[int] = []
        self.best: dict[str, float] = {}
        self.live: Finding | None = None
        self.measured: Finding | None = None

    def _update(self) -> None:
        self.finding = self.live or self.measured

    def metrics(self, record: dict) -> bool:
        spread = record.get("spread")
        if spread is None or record["step"] < self.ctx.warmup:
            return False
        self.low_pictures = self.low_pictures + [record["step"]] if spread < self.t.collapse_spread else []
        self.live = Finding(self.low_pictures[0], f"the fixed-noise samples are {100 * spread:.0f} % as "
                            "spread out as the real data") \
            if len(self.low_pictures) >= self.t.collapse_pictures else None
        self._update()
        return True

    def quality(self, record: dict, floor: dict | None) -> bool:
        present = [k for k in VARIETY_METRICS if isinstance(record.get(k), (int, float))]
        for key in present:  # the best so far counts from the first measurement
            self.best[key] = max(self.best.get(key, record[key]), record[key])
        if not present or record["step"] < self.ctx.warmup:
            return False
        fallen = None
        for key in present:
            value, best = record[key], self.best[key]
            real = (floor or {}).get(key) or 1.0
            if best >= self.t.collapse_min_best * real and value <= self.t.collapse_fall * best:
                fallen = f"{key} {_n(value)}, down from {_n(best)}"
        total = record.get("total_modes")
        if fallen is None and "modes" in present and total \
                and record["modes"] <= self.t.collapse_modes_share * total:
            fallen = f"{record['modes']} of {total} modes captured"
        self.low_measures = self.low_measures + [record["step"]] if fallen else []
        self.measured = Finding(self.low_measures[0], fallen) \
            if len(self.low_measures) >= self.t.collapse_measurements else None
        self._update()
        return True


class NoProgress(Detector):
    """The progress metric (the first of thresholds.progress_margins a record has), per phase:
    a variant's adversarial phase trades one kind of quality for another (SRGAN: PSNR for
    realism), so it is judged against its own measurements."""

    kind = "no_progress"

    def __init__(self, ctx: HealthContext):
        super().__init__(ctx)
        self.values: list[tuple[int, float]] = []
        self.phase = None

    def quality(self, record: dict, floor: dict | None) -> bool:
        metric = next((k for k, _ in self.t.progress_margins if isinstance(record.get(k), (int, float))), None)
        if metric is None:
            return False
        if record.get("phase") != self.phase:
            self.phase, self.values = record.get("phase"), []
        margin = self.t.margin(metric)
        self.values.append((record["step"], float(record[metric])))
        k = self.t.stall_measurements
        if len(self.values) <= k:
            return False
        sign = 1 if margin.higher_is_better else -1

        def better(a: float, b: float) -> bool:  # a beats b by more than the margin
            amount = margin.margin * abs(b) if margin.relative else margin.margin
            return sign * (a - b) > amount

        steps, vals = zip(*self.values)
        real = (floor or {}).get(metric)
        if real is not None and not better(real, vals[-1]):
            self.finding = None  # as good as real data already (or the floor is not to beat)
            return True
        best_before = max(vals[:-k], key=lambda v: sign * v)
        if all(better(best_before, v) for v in vals[-k:]):
            self.finding = Finding(steps[-k], f"{metric} {_n(vals[-1])}, below its best {_n(best_before)} "
                                   f"at the last {k} measurements")
        elif not any(better(v, vals[0]) for v in vals[1:]):
            self.finding = Finding(steps[0], f"{metric} {_n(vals[-1])}, no better than the first "
                                   f"measurement ({_n(vals[0])}) in {len(vals)}")
        else:
            self.finding = None
        return True


DETECTORS = (NonFinite, DiscriminatorWins, Explosion, VanishingGradient, ModeCollapse, NoProgress)
