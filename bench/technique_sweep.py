"""Training techniques one at a time (issue 21): how each changes the seconds to a good generator.

Each arm is the variant as it was before issue 21 (BEFORE: DCGAN's Adam 2e-4 for cdcgan, no weight
average) with one setting changed, trained through gancore's Trainer (bench/time_to_quality.py's
Ours) for a fixed budget of training seconds, measuring not counted, and judged at the marks:
  mnist: cdcgan on the MNIST test split, label accuracy of 2,000 samples by the project's judge;
  ring8: vanilla, modes and the high-quality share by the PacGAN protocol (2,500 samples).
The last arm of each task is today's defaults. One process, one arm after another, one seed: a
screen for what to keep, whose choices bench/time_to_quality.py then measures over 3 seeds.
Writes "## Training techniques one at a time" in docs/BENCHMARKS.md.
Usage: python bench/technique_sweep.py [--tasks mnist ring8] [--seed 0] [--no-write]
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch

from bench import reference_cgan
from bench.doc_sections import replace_section
from bench.time_to_quality import Ours, mnist_measure, ring8_measure

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = REPO / "docs" / "BENCHMARKS.md"
SECTION = "## Training techniques one at a time"
DEFAULTS = "today's defaults"
# task -> (variant, the settings before issue 21, [(arm, settings on top of those)])
TASKS = {
    "mnist": ("cdcgan", dict(lr_g=2e-4, lr_d=2e-4, g_ema_decay=0.0), [
        ("before issue 21", {}),
        ("weight average (EMA 0.999)", dict(g_ema_decay=0.999)),
        ("Adam 1e-3 for both", dict(lr_g=1e-3, lr_d=1e-3)),
        ("two time-scales (G 1e-4, D 4e-4)", dict(lr_g=1e-4, lr_d=4e-4)),
        ("hinge loss", dict(loss="hinge")),
        ("spectral norm in D", dict(spectral_norm=True)),
        ("R1, gamma 10", dict(r1_gamma=10.0)),
        ("batch 128, rates x sqrt(2)", dict(batch_size=128, lr_batch_scaling="sqrt")),
        ("DiffAugment (color, translation, cutout)", dict(diffaugment="color,translation,cutout")),
        (DEFAULTS, None)]),
    "ring8": ("vanilla", dict(g_ema_decay=0.0), [
        ("before issue 21", {}),
        ("weight average (EMA 0.999)", dict(g_ema_decay=0.999)),
        ("two time-scales (G 5e-4, D 2e-3)", dict(lr_g=5e-4, lr_d=2e-3)),
        ("hinge loss", dict(loss="hinge")),
        ("spectral norm in D", dict(spectral_norm=True)),
        ("R1, gamma 0.1", dict(r1_gamma=0.1)),
        ("batch 1024, rates x 2 (sqrt)", dict(batch_size=1024, lr_batch_scaling="sqrt")),
        (DEFAULTS, None)]),
}
MARKS = {"mnist": (5, 10, 15, 20, 25, 30, 40, 50, 60), "ring8": (2.5, 5, 7.5, 10, 12.5, 15, 20, 30)}
LEVEL = {"mnist": 0.95, "ring8": 0.90}  # 95 % label accuracy; 8/8 modes with >= 90 % high quality


def mnist_arm(seed: int, settings: dict):
    data = reference_cgan.mnist_test(reference_cgan.MNIST_DIR)
    ours = Ours("cdcgan", "mnist", seed, data, data_dir=str(reference_cgan.MNIST_DIR), split="test", **settings)
    return ours, mnist_measure(data)


def ring8_arm(seed: int, settings: dict):
    ours = Ours("vanilla", "ring8", seed, None, **settings)
    return ours, ring8_measure(ours)


ARMS = {"mnist": mnist_arm, "ring8": ring8_arm}


def run_arm(task: str, seed: int, settings: dict) -> tuple[list[float], float]:
    """The measured value at each mark (None past the run's end) and the steps per second."""
    ours, measure = ARMS[task](seed, settings)
    values = []
    for mark in MARKS[task]:
        if ours.finished:
            values.append(None)
            continue
        ours.train_for(mark - ours.seconds)
        with torch.no_grad():
            values.append(measure(ours.sampler())[0])
    return values, ours.steps / max(ours.seconds, 1e-9)


def first_mark(task: str, values: list) -> str:
    hit = next((m for m, v in zip(MARKS[task], values) if v is not None and v >= LEVEL[task]), None)
    return f"{hit:g}" if hit is not None else f"> {MARKS[task][-1]:g}"


def task_lines(task: str, seed: int) -> list[str]:
    variant, before, arms = TASKS[task]
    marks = MARKS[task]
    level = "95 % label accuracy" if task == "mnist" else "8/8 modes with >= 90 % high quality"
    what = "label accuracy" if task == "mnist" else "high-quality share with 8/8 modes (0 when fewer)"
    lines = [f"{variant} on {task}: {what} at each mark of training seconds; the last column, the first mark "
             f"at {level}.", "",
             "| arm | steps/s | " + " | ".join(f"{m:g} s" for m in marks) + " | to the level (s) |",
             "|---|---:|" + "---:|" * len(marks) + "---:|"]
    for name, change in arms:
        settings = {} if change is None else {**before, **change}
        started = time.perf_counter()
        values, rate = run_arm(task, seed, settings)
        cells = " | ".join("-" if v is None else f"{v:.3f}" for v in values)
        lines.append(f"| {name} | {rate:,.0f} | {cells} | {first_mark(task, values)} |")
        print(lines[-1], f"({time.perf_counter() - started:.0f} s)", flush=True)
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    body = [line for task in args.tasks for line in task_lines(task, args.seed)]
    lines = [SECTION, "", f"Command: `python bench/technique_sweep.py --tasks {' '.join(args.tasks)} --seed "
             f"{args.seed}` ({os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads; one process, one "
             f"arm after another; load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end). "
             "Each arm is the variant as before issue 21 with one setting changed; the last is today's defaults. "
             "Seconds are training seconds, measuring not counted; one seed, so a screen, not a verdict: "
             "the defaults' times over 3 seeds are in \"Time to a good generator\".", ""] + body
    print("\n".join(lines), flush=True)
    if not args.no_write:
        replace_section(BENCHMARKS_MD, SECTION, lines)


if __name__ == "__main__":
    main()
