"""The health watch: feeds each logged record to every detector, and turns their findings into
alerts that open and close. The trainer owns one and emits its changes as "alert" events; the
same records replayed (`replay`, on a resume) give the same alerts, since alerts are a function
of the records alone.
"""
from __future__ import annotations

from dataclasses import replace

from .alerts import Alert
from .detectors import DETECTORS, Detector, HealthContext


class HealthWatch:
    def __init__(self, ctx: HealthContext):
        self.ctx = ctx
        self.detectors: list[Detector] = [cls(ctx) for cls in DETECTORS]
        self.open: dict[str, Alert] = {}  # kind -> its open alert
        self._clear_checks: dict[str, int] = {}  # kind -> judged records in a row without a finding
        self.floor: dict | None = None

    def observe_metrics(self, record: dict) -> list[Alert]:
        """A metric record (trainer._log's) -> the alerts it opened or closed."""
        return self._settle([d for d in self.detectors if d.metrics(record)], record["step"])

    def observe_quality(self, record: dict, floor: dict | None = None) -> list[Alert]:
        """A measurement ({"step", metric: value, ...}; one with "error" is skipped)."""
        if floor is not None:
            self.floor = floor
        if "error" in record:
            return []
        return self._settle([d for d in self.detectors if d.quality(record, self.floor)], record["step"])

    def _settle(self, judged: list[Detector], step: int) -> list[Alert]:
        changes = []
        for d in judged:
            current = self.open.get(d.kind)
            if d.finding is not None:
                self._clear_checks[d.kind] = 0
                if current is None:
                    alert = Alert(d.kind, d.finding.since, d.finding.what)
                    self.open[d.kind] = alert
                    changes.append(replace(alert))
            elif current is not None and not d.sticky:
                self._clear_checks[d.kind] = self._clear_checks.get(d.kind, 0) + 1
                if self._clear_checks[d.kind] >= self.ctx.thresholds.close_records:
                    current.open, current.closed_at = False, step
                    del self.open[d.kind]
                    changes.append(replace(current))
        return changes

    def replay(self, metrics: list[dict], quality: list[dict], floor: dict | None = None) -> list[Alert]:
        """Feed a run's recorded history, in step order (metrics before a measurement of the same
        step); returns every change, oldest first."""
        self.floor = floor
        events = [(r.get("step", 0), 0, r) for r in metrics] + [(q.get("step", 0), 1, q) for q in quality]
        changes = []
        for _, source, record in sorted(events, key=lambda e: (e[0], e[1])):
            changes += self.observe_metrics(record) if source == 0 else self.observe_quality(record)
        return changes
