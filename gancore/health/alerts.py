"""An alert: what is going wrong, from which step, why it matters and what to try, in plain words.

Alerts are plain data (dicts in status.json and alerts.jsonl): `Alert.to_dict()` and back. Each
kind's words live here once; detectors.py says when a kind opens and closes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

# Remedies a page can offer as a button: each one is a setting change (runs/remedies.py).
ROLL_BACK = "roll_back"            # continue from the last checkpoint before the alert, rates halved
LOWER_RATES = "lower_rates"        # a new run with both learning rates halved
SLOWER_D = "slower_discriminator"  # a new run with D's learning rate a quarter of G's
STABLE_LOSS = "stable_loss"        # a new run with the Wasserstein loss and gradient penalty


@dataclass(frozen=True)
class AlertKind:
    title: str  # a few words: what is happening
    why: str  # why it matters
    advice: str  # what to try
    remedies: tuple[str, ...] = ()


KINDS: dict[str, AlertKind] = {
    "nonfinite": AlertKind(
        "a loss became NaN or infinite",
        "the weights are broken from here on; nothing after this step can be trusted",
        "roll back to the last healthy checkpoint with lower learning rates",
        (ROLL_BACK, STABLE_LOSS)),
    "d_wins": AlertKind(
        "the discriminator wins",
        "it tells real from generated with near certainty, so the generator gets almost no "
        "signal to learn from",
        "slow the discriminator down (a lower learning rate for D than for G), or switch to the "
        "Wasserstein loss, which keeps giving G a signal when D is ahead",
        (SLOWER_D, STABLE_LOSS)),
    "explosion": AlertKind(
        "the loss explodes",
        "a loss or gradient orders of magnitude above its early level means the steps are far "
        "too large: the networks are thrown around rather than trained",
        "roll back to a checkpoint before it with lower learning rates, or switch to the "
        "Wasserstein loss with gradient penalty",
        (ROLL_BACK, LOWER_RATES, STABLE_LOSS)),
    "vanishing_gradient": AlertKind(
        "the generator's gradient has vanished",
        "the generator no longer changes, so the pictures will not improve however long it trains",
        "use the non-saturating generator loss, slow the discriminator down, or switch to the "
        "Wasserstein loss",
        (SLOWER_D, STABLE_LOSS)),
    "mode_collapse": AlertKind(
        "mode collapse",
        "the generator makes only a few kinds of output whatever its noise, so much of the real "
        "data is never generated",
        "lower the learning rates, or switch to the Wasserstein loss with gradient penalty, "
        "which is known to cover more modes",
        (ROLL_BACK, LOWER_RATES, STABLE_LOSS)),
    "no_progress": AlertKind(
        "no progress",
        "the quality measurements are flat or getting worse, so more training of this run is "
        "unlikely to help",
        "roll back to before it got worse with lower learning rates, or start again with lower "
        "learning rates",
        (ROLL_BACK, LOWER_RATES)),
}


@dataclass
class Alert:
    kind: str  # a key of KINDS
    since: int  # the step it was first seen at
    what: str  # the numbers behind it, e.g. "D(x) 0.998 and D(G(z)) 0.003"
    open: bool = True
    closed_at: int | None = None  # the step its condition was last seen false (when closed)

    @property
    def id(self) -> str:
        return f"{self.kind}@{self.since}"

    @property
    def words(self) -> AlertKind:
        return KINDS[self.kind]

    def summary(self) -> str:
        """One line: what, from which step, and whether it is over."""
        when = f"from step {self.since:,}" + ("" if self.open else f" to {self.closed_at:,}")
        return f"{self.words.title} {when}: {self.what}"

    @property
    def remedies(self) -> tuple[str, ...]:
        return self.words.remedies

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Alert | None:
        """None for a record that is not an alert this version knows (tolerant, like status.json)."""
        try:
            if d["kind"] not in KINDS:
                return None
            return cls(d["kind"], int(d["since"]), str(d.get("what", "")), bool(d.get("open", True)),
                       d.get("closed_at"))
        except (KeyError, TypeError, ValueError):
            return None


def parse_alerts(records: list[dict]) -> list[Alert]:
    """Alert records (status.json's, alerts.jsonl's) as Alerts; unknown ones are left out."""
    return [a for a in map(Alert.from_dict, records) if a is not None]


def open_alerts(records: list[dict]) -> list[Alert]:
    return [a for a in parse_alerts(records) if a.open]


def warning_words(alerts: list[dict]) -> str:
    """"the discriminator wins, mode collapse" for a run's open alerts; "" when none."""
    titles = list(dict.fromkeys(a.words.title for a in open_alerts(alerts)))
    return ", ".join(titles)
