"""bench/time_to_quality.py: its reference loops train and can be judged by the project's
measures, its race alternates and stops where it should, and its table arithmetic; no timings."""
import math

import torch

from bench import reference_cgan, reference_ring8
from bench.time_to_quality import Ours, Side, race
from bench.time_to_quality_table import (NEVER, LevelResult, goal_verdict, median, ratio_cell,
                                         seconds_cell, seconds_to_level, table_lines)
from gancore.quality.classifier import DigitClassifier, label_accuracy
from gancore.quality.modes import mode_coverage
from gancore.sampling import generate, noise
from tiny_data import tiny_images, tiny_points


def test_the_reference_cgan_trains_and_its_sampler_draws_labelled_28x28_digits():
    state = reference_cgan.build(0, tiny_images(n=100))
    reference_cgan.step(state)
    reference_cgan.step(state)
    assert state.steps == 2 and len(state.log) == 2 and all(map(math.isfinite, state.log[-1]))
    g = reference_cgan.sampler(state)
    y = torch.arange(10).repeat_interleave(2)
    images = generate(g, noise(g, len(y), 0, "cpu"), y)
    assert images.shape == (20, 1, 28, 28) and images.abs().max() <= 1
    accuracy, per_class = label_accuracy(g, DigitClassifier(1, 10).eval(), 10, per_class=3)
    assert 0 <= accuracy <= 1 and len(per_class) == 10


def test_the_reference_ring8_loop_trains_and_its_sampler_draws_points_the_modes_measure_reads():
    data = tiny_points()
    state = reference_ring8.build(0, data)
    assert reference_ring8.train_for(state, 0.0) >= 0 and state.steps == 0
    reference_ring8.step(state)
    reference_ring8.step(state)
    assert state.steps == 2 and all(map(math.isfinite, state.log[-1]))
    g = reference_ring8.sampler(state)
    points = generate(g, noise(g, 100, 0, "cpu"), None)
    assert points.shape == (100, 2)
    found = mode_coverage(points.numpy(), data.info.mode_means, data.info.mode_sigma)
    assert 0 <= found.modes <= 8 and 0 <= found.high_quality <= 1


def test_our_side_trains_the_default_run_and_stops_at_its_last_step():
    ours = Ours("vanilla", "ring8", 0, tiny_points(), steps=3)
    ours.train_for(60)
    assert ours.finished and ours.steps == 3 and ours.seconds < 60


class _Clock:
    """A stand-in side: train_for advances its clock by exactly what is asked, with no real time."""

    finished = False

    def __init__(self, rate: float):
        self.rate, self.seconds, self.steps, self.turns = rate, 0.0, 0, []

    def train_for(self, seconds):
        self.turns.append(seconds)
        self.seconds += seconds
        self.steps += 1
        return seconds

    def sampler(self):
        return self


def test_the_race_alternates_in_slices_measures_at_each_mark_and_stops_a_side_at_the_top_level():
    fast, slow = _Clock(rate=0.1), _Clock(rate=0.01)
    sides = [Side("ours", fast), Side("reference", slow)]
    race(sides, lambda clock: (min(1.0, clock.rate * clock.seconds), ""), [5, 10, 20, 30], slice_s=5, top_level=0.97)
    assert [round(s) for s, _, _ in sides[0].points] == [5, 10] and sides[0].done  # 1.0 at 10 s
    assert [round(s) for s, _, _ in sides[1].points] == [5, 10, 20, 30] and not sides[1].done
    assert max(slow.turns) <= 5 and len(slow.turns) == 6  # 5 + 5 + (5 + 5) + (5 + 5)


class _Overshooting(_Clock):
    """A side whose last step ends past the time it was given, as a real step does."""

    def train_for(self, seconds):
        return super().train_for(seconds + 0.02)


def test_a_side_is_seen_at_the_mark_not_where_its_last_step_ended():
    side = Side("ours", _Overshooting(rate=0.1))
    race([side], lambda clock: (min(1.0, clock.rate * clock.seconds), ""), [5, 10], slice_s=5, top_level=0.97)
    assert [s for s, _, _ in side.points] == [5, 10] and side.trainer.seconds > 10


def test_seconds_to_a_level_is_the_first_point_at_or_above_it_else_never():
    points = [(5.2, 0.40), (10.1, 0.91), (15.0, 0.89), (20.3, 0.96)]
    assert seconds_to_level(points, 0.90) == 10.1
    assert seconds_to_level(points, 0.95) == 20.3
    assert seconds_to_level(points, 0.97) == NEVER and seconds_to_level([], 0.5) == NEVER


def test_medians_count_never_as_infinite():
    assert median([10.0, 30.0, NEVER]) == 30.0
    assert median([10.0, NEVER, NEVER]) == NEVER
    assert median([12.0]) == 12.0


def test_cells_say_budget_run_end_and_bounded_ratios():
    assert seconds_cell(45.4, [360], 360) == "45" and seconds_cell(4.46, [360], 360) == "4.5"
    assert seconds_cell(NEVER, [360, 360], 360) == "> budget"
    assert seconds_cell(NEVER, [55.2, 56.0], 360) == "> 56 (run ended)"
    assert ratio_cell(30, 360, 360, 360) == "0.08x"
    assert ratio_cell(30, NEVER, 360, 360) == "< 0.08x"
    assert ratio_cell(NEVER, 20, 60, 360) == "> 3.00x"
    assert ratio_cell(NEVER, NEVER, 60, 360) == "-"


def test_goal_verdicts_say_by_how_much_a_goal_is_missed():
    assert goal_verdict(20, 360, 30, 1 / 8, 360) == "met"
    assert "15 s over the 30 s goal" in goal_verdict(45, 400, 30, 1 / 8, 400)
    slow = goal_verdict(25, 100, 30, 1 / 8, 360)
    assert slow.startswith("missed") and "0.25x the reference's time, goal 1/8 (2.0x too slow)" in slow
    assert "not reached" in goal_verdict(NEVER, 100, 15, None, 360)


def test_the_table_has_a_row_per_level_with_medians_and_per_seed_values():
    results = [LevelResult("MNIST", "95 % label accuracy", [40, 60, NEVER], [300, 360, NEVER],
                           [90, 90, 90], [360, 360, 360])]
    lines = table_lines(results, 360)
    assert lines[2] == "| MNIST | 95 % label accuracy | 60 | 360 | 0.17x | 40, 60, - | 300, 360, - |"
