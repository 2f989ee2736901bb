"""Measuring what a generator learned: mode coverage on 2D toys, a digit classifier for images."""
from .modes import ModeCoverage, mode_coverage
from .classifier import DigitClassifier, label_accuracy, train_classifier

__all__ = ["ModeCoverage", "mode_coverage", "DigitClassifier", "label_accuracy", "train_classifier"]
