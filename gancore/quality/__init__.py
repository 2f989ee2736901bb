"""Measuring what a generator learned: mode coverage on 2D toys; for labelled images, metrics in
the feature space of a classifier trained once on the real data (its judge); for super-resolution,
PSNR and SSIM against bicubic upscaling; for translation, closeness to the held-out targets. Importing this package registers each measure
(measures.py holds the registry)."""
from .measures import Measure, MeasureSpec, get_measure_spec, list_measures, measure_for, quality_kind, register_measure
from .modes import ModeCoverage, ModeCoverageMeasure, mode_coverage
from .classifier import DigitClassifier, class_accuracy, label_accuracy, train_classifier
from .judges import FeatureSet, Judge, clear_memory_cache, judge_for
from .images import ClassifierFeatureMeasure, ImageQuality, evaluate_images, real_floor
from .super_resolution import SuperResolutionMeasure
from .translation import TranslationMeasure

__all__ = ["Measure", "MeasureSpec", "get_measure_spec", "list_measures", "measure_for", "quality_kind",
           "register_measure", "ModeCoverage", "ModeCoverageMeasure", "mode_coverage", "DigitClassifier",
           "class_accuracy", "label_accuracy", "train_classifier", "FeatureSet", "Judge",
           "clear_memory_cache", "judge_for", "ClassifierFeatureMeasure", "ImageQuality",
           "evaluate_images", "real_floor", "SuperResolutionMeasure", "TranslationMeasure"]
