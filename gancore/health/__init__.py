"""Health alerts in plain words: detectors over a run's logged numbers (never the training step),
an alert per problem with its remedies, and the thresholds in one place."""
from .alerts import KINDS, Alert, open_alerts, parse_alerts, warning_words
from .detectors import HealthContext
from .thresholds import THRESHOLDS, Thresholds
from .watch import HealthWatch

__all__ = ["KINDS", "THRESHOLDS", "Alert", "HealthContext", "HealthWatch", "Thresholds",
           "open_alerts", "parse_alerts", "warning_words"]
