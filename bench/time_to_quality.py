"""Seconds of training to a good generator, ours against the reference implementations (issue 21).

In one process, the two sides take turns in short slices of wall-clock training time (so a change
in the machine's load hits both alike); at fixed marks of each side's own training time, measuring
not counted, each is judged by the project's own measures:
  mnist: cdcgan at its defaults against PyTorch-GAN's cgan (bench/reference_cgan.py), the MNIST
         test split; label accuracy (2,000 samples, 200 per digit) read by the project's judge;
  ring8: vanilla at its defaults against a pytorch/examples-style loop (bench/reference_ring8.py);
         modes captured and the high-quality share by the PacGAN protocol (2,500 samples).
Our side is gancore's Trainer driven step by step (with its learning-rate schedule, as run() does)
and stops where its default run ends; a side also stops once it reached every level.
Writes "## Time to a good generator" in docs/BENCHMARKS.md: medians over seeds.
Usage: python bench/time_to_quality.py [--tasks mnist ring8] [--seeds 0 1 2] [--budget 360] [--no-write]
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from bench import reference_cgan, reference_ring8
from bench.doc_sections import replace_section
from bench.time_to_quality_table import LevelResult, goal_verdict, seconds_to_level, table_lines
from gancore import make_config
from gancore.quality.classifier import label_accuracy
from gancore.quality.judges import judge_for
from gancore.quality.modes import ModeCoverageMeasure
from gancore.training.trainer import Trainer

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "docs" / "BENCHMARKS.md"
SECTION = "## Time to a good generator"
MARKS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360)
# task -> its levels: (name in the table, threshold on the measured value)
LEVELS = {"mnist": [("90 % label accuracy", 0.90), ("95 % label accuracy", 0.95), ("97 % label accuracy", 0.97)],
          "ring8": [("8/8 modes, >= 90 % high quality", 0.90)]}
TASK_NAMES = {"mnist": "MNIST: cdcgan vs PyTorch-GAN cgan", "ring8": "ring8: vanilla vs pytorch/examples-style loop"}
# (task, level) -> goal: (at most this many seconds, at most this share of the reference's time)
GOALS = {("mnist", "95 % label accuracy"): (30, 1 / 8), ("ring8", "8/8 modes, >= 90 % high quality"): (15, None)}


class Ours:
    """gancore's Trainer at the task's defaults, behind the references' interface."""

    def __init__(self, variant: str, dataset: str, seed: int, data, **settings):
        self.cfg = make_config(variant, dataset, seed=seed, device="cpu", **settings)
        self.trainer = Trainer(self.cfg, data)
        self.seconds = 0.0

    @property
    def steps(self) -> int:
        return self.trainer.step

    @property
    def finished(self) -> bool:
        return self.trainer.step >= self.cfg.steps

    def train_for(self, seconds: float) -> float:
        t, start = self.trainer, time.perf_counter()
        while time.perf_counter() - start < seconds and not self.finished:
            if self.cfg.lr_decay:  # what run() does before each step
                t._set_lr()
            t.train_step()
            t.step += 1
        spent = time.perf_counter() - start
        self.seconds += spent
        return spent

    def sampler(self):
        return self.trainer.sampler  # the averaged generator when the defaults average one


class Reference:
    """A reference module's build / train_for / sampler as one object like Ours."""

    finished = False  # a reference loop trains for as long as it is asked

    def __init__(self, module, seed: int, data):
        self.module, self.state = module, module.build(seed, data)

    @property
    def seconds(self) -> float:
        return self.state.seconds

    @property
    def steps(self) -> int:
        return self.state.steps

    def train_for(self, seconds: float) -> float:
        return self.module.train_for(self.state, seconds)

    def sampler(self):
        return self.module.sampler(self.state)


@dataclass
class Side:
    name: str
    trainer: object  # Ours or Reference
    points: list = field(default_factory=list)  # (seconds, value, steps) at each mark
    done: bool = False


def mnist_measure(data):
    """measure(generator) -> (label accuracy of 2,000 samples by the MNIST judge, words)."""
    judge = judge_for(data)  # trained once, then cached on disk: before any clock starts
    print(f"mnist judge: holdout accuracy {judge.holdout_accuracy:.4f}", flush=True)

    def measure(generator) -> tuple[float, str]:
        accuracy = label_accuracy(generator, judge.classifier, 10, per_class=200, seed=0)[0]
        return accuracy, f"label accuracy {accuracy:.4f}"

    return measure


def ring8_measure(ours: Ours):
    """measure(generator) -> (the high-quality share when all 8 modes are captured, else 0, words):
    one number whose level 0.9 is "8/8 modes with >= 90 % high quality"."""
    modes = ModeCoverageMeasure(ours.cfg, ours.trainer.source_data, False, "cpu")

    def measure(generator) -> tuple[float, str]:
        found = modes(generator)
        value = found["high_quality"] if found["modes"] == found["total_modes"] else 0.0
        return value, f"modes {found['modes']}/{found['total_modes']}, high quality {found['high_quality']:.3f}"

    return measure


def mnist_task(seed: int, data_dir: Path):
    data = reference_cgan.mnist_test(data_dir)
    measure = mnist_measure(data)
    ours = Ours("cdcgan", "mnist", seed, data, data_dir=str(data_dir), split="test")
    return [Side("ours", ours), Side("reference", Reference(reference_cgan, seed, data))], measure


def ring8_task(seed: int, data_dir: Path):
    ours = Ours("vanilla", "ring8", seed, None)
    data = ours.trainer.source_data  # 50,000 points drawn from the seed: the same for both sides
    return [Side("ours", ours), Side("reference", Reference(reference_ring8, seed, data))], ring8_measure(ours)


TASKS = {"mnist": mnist_task, "ring8": ring8_task}


def race(sides: list[Side], measure, marks: list[float], slice_s: float, top_level: float) -> None:
    """Train the sides in turns of at most slice_s up to each mark, then measure each there
    (measure(generator) -> (value, words to print)). A side is done when it reached top_level or
    its run ended (measured once more at its end)."""
    for mark in marks:
        while True:
            behind = [s for s in sides if not s.done and not s.trainer.finished and s.trainer.seconds < mark]
            if not behind:
                break
            for side in behind:
                side.trainer.train_for(min(slice_s, mark - side.trainer.seconds))
        for side in sides:
            if side.done:
                continue
            with torch.no_grad():
                value, words = measure(side.trainer.sampler())
            # at the mark: a side trains up to it and passes it by less than one step, which is
            # not time the level took (a side whose run ended early is seen at its end)
            side.points.append((min(side.trainer.seconds, mark), value, side.trainer.steps))
            print(f"  {side.name:9} {side.trainer.seconds:6.1f} s  step {side.trainer.steps:6d}  {words}", flush=True)
            side.done = value >= top_level or side.trainer.finished
        if all(s.done for s in sides):
            return


def marks_up_to(budget: float) -> list[float]:
    """The training-time marks a side is measured at: MARKS below the budget, and the budget."""
    return sorted({m for m in MARKS if m < budget} | {budget})


def run_task(task: str, seeds: list[int], budget: float, slice_s: float, data_dir: Path) -> list[LevelResult]:
    marks = marks_up_to(budget)
    levels = LEVELS[task]
    results = [LevelResult(TASK_NAMES[task], name, [], [], [], []) for name, _ in levels]
    for seed in seeds:
        print(f"{task} seed {seed} (load {os.getloadavg()[0]:.2f})", flush=True)
        sides, measure = TASKS[task](seed, data_dir)
        race(sides, measure, marks, slice_s, max(level for _, level in levels))
        ours, reference = sides
        for result, (_, level) in zip(results, levels):
            for side, seconds, trained in ((ours, result.ours, result.ours_trained),
                                           (reference, result.reference, result.reference_trained)):
                seconds.append(seconds_to_level([(s, v) for s, v, _ in side.points], level))
                trained.append(side.trainer.seconds)
        for side in sides:
            print(f"  {side.name}: {side.trainer.steps} steps in {side.trainer.seconds:.0f} s "
                  f"({side.trainer.steps / max(side.trainer.seconds, 1e-9):.0f} steps/s)", flush=True)
    return results


def goal_lines(task: str, results: list[LevelResult]) -> list[str]:
    lines = []
    for r in results:
        goal = GOALS.get((task, r.level))
        if goal is not None:
            verdict = goal_verdict(r.ours_median, r.reference_median, goal[0], goal[1], max(r.reference_trained))
            share = f" and <= 1/{round(1 / goal[1])} of the reference's" if goal[1] else ""
            lines.append(f"- {task}, {r.level} in <= {goal[0]} s{share}: {verdict}")
    return lines


def section(command: str, results: dict[str, list[LevelResult]], budget: float, loads, seeds) -> list[str]:
    lines = [SECTION, "", f"Command: `{command}` ({os.cpu_count()} CPU cores, {torch.get_num_threads()} torch "
             f"threads; one process; load average {loads[0]:.2f} at the start, {loads[1]:.2f} at the end).", "",
             "Seconds of training (measuring not counted) until each side first measures at or above the level, "
             f"medians over seeds {', '.join(map(str, seeds))}; up to {budget:g} s per side per seed, in alternating "
             "slices. Only the marks are seen (" + ", ".join(f"{m:g}" for m in marks_up_to(budget)) + " s), so a time "
             "is the first mark past the level. Ours: the variant's defaults through gancore's Trainer, which stops "
             "where its default run ends. The references: bench/reference_cgan.py (PyTorch-GAN's cgan, img_size 28) "
             "and bench/reference_ring8.py (pytorch/examples' recipe on the vanilla MLPs). Judged by the project's "
             "measures: label accuracy by the MNIST judge (2,000 samples); modes and high-quality share by the "
             "PacGAN protocol (2,500 samples).", ""]
    lines += table_lines([r for task in results for r in results[task]], budget)
    lines += ["", "Goals (issue 21):"] + [line for task in results for line in goal_lines(task, results[task])] + [""]
    lines += ["What was tried to get there, one technique at a time, and why today's defaults are what they are: "
              "\"Training techniques one at a time\" below (bench/technique_sweep.py).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--budget", type=float, default=360.0, help="training seconds per side per seed")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds a side trains before the other's turn")
    parser.add_argument("--data-dir", type=Path, default=reference_cgan.MNIST_DIR)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md")
    args = parser.parse_args()
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    results = {task: run_task(task, args.seeds, args.budget, args.slice, args.data_dir) for task in args.tasks}
    loads = (load_start, os.getloadavg()[0])
    command = (f"python bench/time_to_quality.py --tasks {' '.join(args.tasks)} --seeds "
               f"{' '.join(map(str, args.seeds))} --budget {args.budget:g} --slice {args.slice:g}")
    lines = section(command, results, args.budget, loads, args.seeds)
    print("\n".join(lines), flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s", flush=True)
    if not args.no_write:
        replace_section(BENCHMARKS_MD, SECTION, lines)


if __name__ == "__main__":
    main()
