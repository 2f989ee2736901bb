"""Every number the health detectors judge by, with the reason for it. The one place to change them.

Steps count training steps; "records" count metric records (one per `log_every` steps); pictures
count the progress pictures (one per `sample_every`). docs/RELIABILITY.md ("Health alerts") shows
what the broken and the healthy default runs logged against these lines.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressMargin:
    """How much a quality metric must move to count as a change (smaller moves are noise: the
    measures use 2,000-2,500 samples)."""

    higher_is_better: bool
    margin: float
    relative: bool = False  # the margin is a share of the best value so far, not an amount


@dataclass(frozen=True)
class Thresholds:
    # Early training is allowed to look odd: an untrained G makes nearly one output, and D wins
    # its first rounds. Nothing but NaN and explosions is judged before this many steps, or this
    # share of the run, whichever is more.
    warmup_steps: int = 500
    warmup_share: float = 0.1

    # The discriminator wins: D(x) above `d_wins_real` and D(G(z)) below `d_wins_fake` at every
    # record for `d_wins_steps` steps. With D that sure, log(1 - D(G(z))) is flat and G learns
    # little (Goodfellow et al. 2014, section 3). Healthy runs cross these lines for a few
    # hundred steps at most; only probability scores (BCE) are judged, and only where the
    # adversarial term is G's whole signal (a content loss still teaches G when D wins).
    d_wins_real: float = 0.95
    d_wins_fake: float = 0.05
    d_wins_steps: int = 1000

    # The loss explodes: a loss or gradient norm `explode_factor` times its early level (two
    # orders of magnitude), where the early level is the median of the first `baseline_records`
    # records and at least `explode_floor` (so a loss that starts near 0 is not judged against 0);
    # or above `explode_absolute` at any record, for a run that explodes in its first steps (its
    # early level is no guide then). ganhacks (tip 17) treats a gradient norm over 100 as trouble,
    # but healthy conv discriminators pass 100 on MNIST early on, so 100 alone would cry wolf;
    # 1e4 is two orders of magnitude above that.
    baseline_records: int = 5
    explode_factor: float = 100.0
    explode_floor: float = 1.0
    explode_absolute: float = 1e4

    # Vanishing generator gradient: G's gradient norm below `vanish_factor` of its early level
    # (and below `vanish_floor`) at `vanish_records` records in a row: G has stopped learning.
    vanish_factor: float = 1e-3
    vanish_floor: float = 1e-3
    vanish_records: int = 5

    # Mode collapse, live: the fixed-noise samples' spread against the real data's (1 = as
    # varied; a collapsed G maps all noise to a few outputs, ~0) below `collapse_spread` at
    # `collapse_pictures` pictures in a row.
    collapse_spread: float = 0.25
    collapse_pictures: int = 2
    # Mode collapse, measured: a variety metric (modes captured, recall, coverage) at most
    # `collapse_fall` of its best value so far, the best having been at least `collapse_min_best`
    # of the floor (real vs real), at `collapse_measurements` measurements in a row; or, for modes,
    # at most `collapse_modes_share` of the mixture's modes after the warm-up.
    collapse_fall: float = 0.5
    collapse_min_best: float = 0.2
    collapse_measurements: int = 2
    collapse_modes_share: float = 0.25

    # No progress: the last `stall_measurements` measurements all worse than the best before
    # them (a regression), or no measurement better than the first (after at least
    # `stall_measurements` + 1). A plateau after improving is convergence, not an alarm.
    stall_measurements: int = 4

    # An alert closes after its condition has been false at `close_records` checks in a row, so
    # a condition that flickers at its line does not open and close at every record.
    close_records: int = 3

    # Each measure's progress metric and how much it must move (metric names, from quality/).
    progress_margins: tuple[tuple[str, ProgressMargin], ...] = (
        ("high_quality", ProgressMargin(True, 0.05)),  # 5 points of the samples
        ("fcd", ProgressMargin(False, 0.10, relative=True)),  # 10 % of the best distance
        ("psnr", ProgressMargin(True, 0.25)),  # a quarter dB; +1 dB is clearly visible
    )

    def margin(self, metric: str) -> ProgressMargin | None:
        return dict(self.progress_margins).get(metric)

    def warmup(self, total_steps: int) -> int:
        return max(self.warmup_steps, int(self.warmup_share * total_steps))


THRESHOLDS = Thresholds()
