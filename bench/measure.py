"""Throughput: gancore's trainer vs the reference loop vs the floor, in one process, alternating
(A B C A B C ...), warm-up excluded, median of the timed repetitions. Used by
`python -m gancore bench` and bench/throughput.py (which writes docs/BENCHMARKS.md)."""
from __future__ import annotations

import platform
import statistics
from dataclasses import dataclass

import torch

from bench.loops import floor_loop, quiet_trainer, reference_loop, trainer_loop
from gancore.config import make_config
from gancore.data import load_dataset
from gancore.training.engine import has_conv
from bench.flops import achieved_tflops, step_flops
from gancore.registry import create_gan

LOOPS = {"trainer": trainer_loop, "reference": reference_loop, "floor": floor_loop}
VARIANTS = ("vanilla", "cgan", "dcgan", "cdcgan", "wgan_gp")
BATCH_SIZES = (64, 256, 1024)
MLP_MIN_STEPS = 200


@dataclass
class Row:
    variant: str
    batch_size: int
    steps: int  # timed steps per repetition
    reps: int
    rates: dict  # loop name -> median images/s
    flops_per_step: int = 0  # counted by flops.step_flops (the same models for every loop)

    def ratio(self, a: str, b: str) -> float:
        return self.rates[a] / self.rates[b]

    def tflops(self) -> float:
        """The trainer's (the reference loop does more work a step: G's graph in every critic step)."""
        return achieved_tflops(self.flops_per_step, self.rates["trainer"], self.batch_size)


def steps_for(variant: str, batch_size: int, device: torch.device, conv: bool) -> int:
    """>= 200 steps, except for conv variants on a CPU, where ~6,000 images per repetition
    (stated in the table) keep the whole benchmark within minutes."""
    if device.type != "cpu" or not conv:
        return MLP_MIN_STEPS
    budget = 1500 if variant == "wgan_gp" else 6000  # wgan_gp: 5 critic steps per G step
    return max(3, budget // batch_size)


def measure(variant: str, batch_size: int, device="cpu", reps: int = 5, warmup: int = 5,
            steps: int | None = None, dataset: str = "glyphs", options: dict | None = None,
            loops=("trainer", "reference", "floor")) -> Row:
    device = torch.device(device)
    cfg = make_config(variant, dataset, batch_size=batch_size, device=str(device), seed=0,
                      **(options or {}))
    data = load_dataset(cfg.data, 0)
    gan = create_gan(cfg, data.info)
    conv = has_conv(gan.generator) or has_conv(gan.discriminator)
    steps = steps or steps_for(variant, batch_size, device, conv)
    samples: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(reps):
        for name in loops:  # alternate, so drift in the machine's speed hits every loop alike
            seconds = LOOPS[name](cfg, data, steps, warmup=warmup, device=device)
            samples[name].append(steps * batch_size / seconds)
    return Row(variant, batch_size, steps, reps, {k: statistics.median(v) for k, v in samples.items()},
               count_step_flops(cfg, data, device))


def count_step_flops(cfg, data, device) -> int:
    """FLOPs of one step of a throwaway trainer on these models and this batch size."""
    return step_flops(quiet_trainer(cfg, data, 1, device))


def machine() -> str:
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}"
    return (f"{platform.machine()} CPU, {torch.get_num_threads()} threads, torch {torch.__version__}, "
            f"Python {platform.python_version()}")


def table(rows: list[Row]) -> list[str]:
    lines = ["| variant | batch | timed steps x reps | trainer img/s | reference img/s | floor img/s "
             "| trainer / reference | trainer / floor | trainer TFLOP/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r.variant} | {r.batch_size} | {r.steps} x {r.reps} | {r.rates['trainer']:,.0f} "
                     f"| {r.rates['reference']:,.0f} | {r.rates['floor']:,.0f} "
                     f"| {r.ratio('trainer', 'reference'):.2f}x | {r.ratio('trainer', 'floor'):.2f}x "
                     f"| {r.tflops():.3g} |")
    return lines
