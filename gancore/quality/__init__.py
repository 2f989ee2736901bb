"""Measuring what a generator learned: mode coverage on 2D toys; for labelled images, metrics in
the feature space of a classifier trained once on the real data (its judge)."""
from .modes import ModeCoverage, mode_coverage
from .classifier import DigitClassifier, class_accuracy, label_accuracy, train_classifier
from .judges import FeatureSet, Judge, clear_memory_cache, judge_for
from .images import ImageQuality, evaluate_images, real_floor

__all__ = ["ModeCoverage", "mode_coverage", "DigitClassifier", "class_accuracy", "label_accuracy",
           "train_classifier", "FeatureSet", "Judge", "clear_memory_cache", "judge_for", "ImageQuality",
           "evaluate_images", "real_floor"]
