"""SRGAN's quality goals (issue 14): on the CPU, each in at most 10 minutes of training, SR against
plain bicubic upscaling, for both phases (the content-only SRResNet stage and the adversarial one):

  photos x2: PSNR >= bicubic + 1.0 dB and SSIM above bicubic (the held-out photos);
  photos x4: PSNR >= bicubic + 0.5 dB and SSIM above bicubic;
  mnist x4 (7 x 7 -> 28 x 28): PSNR >= bicubic + 2 dB, and the digit classifier reads the SR
  digits at least as well as the bicubic ones (the MNIST test split's last 1,000 images are kept
  out of training and judged).

Each case trains with the variant's defaults (and the flags below), measured with the project's
own evaluator (quality/super_resolution.py, PSNR/SSIM equal to skimage's) at the end of each phase.
Writes the "Super-resolution (SRGAN)" section of docs/QUALITY.md.
Usage: python bench/sr_quality.py [--cases photos-x2 photos-x4 mnist-x4] [--minutes 10] [--seed 0]
"""
from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import torch

from bench.doc_sections import replace_section
from gancore import load_dataset, make_config
from gancore.data.base import Dataset
from gancore.quality.super_resolution import SuperResolutionMeasure
from gancore.training.trainer import Trainer

REPO = Path(__file__).resolve().parents[1]
MNIST = REPO.parent / "shared" / "data" / "mnist"
QUALITY_MD = REPO / "docs" / "QUALITY.md"
SECTION = "## Super-resolution (SRGAN)"
HELD_OUT_DIGITS = 1000
# case -> (dataset, settings, goal: PSNR margin over bicubic in dB)
CASES = {
    "photos-x2": ("photos", dict(scale=2), 1.0),
    "photos-x4": ("photos", dict(scale=4), 0.5),
    "mnist-x4": ("mnist", dict(scale=4, data_dir=str(MNIST), split="test"), 2.0),
}


def _split_digits(data: Dataset) -> tuple[Dataset, Dataset]:
    """(training digits, the last HELD_OUT_DIGITS kept out: the measure judges 256 of them)."""
    n = len(data) - HELD_OUT_DIGITS
    return (Dataset(data.x[:n], data.y[:n], data.info), Dataset(data.x[n:], data.y[n:], data.info))


def measure(cfg, judged: Dataset, generator) -> tuple[dict, dict]:
    m = SuperResolutionMeasure(cfg, judged, False, "cpu")
    m.prepare()
    with torch.no_grad():
        return m(copy.deepcopy(generator).eval()), m.floor()


def run_case(name: str, minutes: float, seed: int, overrides: dict) -> dict:
    dataset, settings, margin = CASES[name]
    cfg = make_config("srgan", dataset, device="cpu", seed=seed, eval_every=0, **settings, **overrides)
    data = load_dataset(cfg.data, cfg.seed)
    judged = data
    if data.held_out is None and data.y is not None:
        data, judged = _split_digits(data)
    trainer = Trainer(cfg, data)
    budget = minutes * 60
    # Train by steps, as a user would, but stop at the budget whatever the step count.
    phases, start = {}, time.perf_counter()
    while trainer.step < cfg.steps and time.perf_counter() - start < budget:
        trainer.train_step()
        trainer.step += 1
        if trainer.step == cfg.model.pretrain_steps:
            phases["content only"] = (trainer.step, time.perf_counter() - start,
                                      *measure(cfg, judged, trainer.gan.generator))
    phases["adversarial" if trainer.step > cfg.model.pretrain_steps else "content only"] = (
        trainer.step, time.perf_counter() - start, *measure(cfg, judged, trainer.gan.generator))
    result = {"case": name, "margin": margin, "settings": {k: v for k, v in cfg.flat().items()
                                                           if k in ("scale", "res_blocks", "base_channels",
                                                                    "batch_size", "steps", "pretrain_steps",
                                                                    "image_size", "lr_g", "adv_weight")},
              "phases": {}}
    for phase, (step, seconds, sr, bicubic) in phases.items():
        result["phases"][phase] = {"step": step, "seconds": round(seconds), "sr": sr, "bicubic": bicubic}
        print(f"{name} {phase}: step {step} at {seconds:.0f} s  SR {json.dumps(sr)}  bicubic {json.dumps(bicubic)}",
              flush=True)
    return result


def _row(result: dict, phase: str, entry: dict) -> str:
    sr, bi = entry["sr"], entry["bicubic"]
    gain = sr["psnr"] - bi["psnr"]
    met = gain >= result["margin"] and sr["ssim"] > bi["ssim"]
    if "label_accuracy" in sr:
        met = met and sr["label_accuracy"] >= bi["label_accuracy"]
    digits = (f" | {100 * sr['label_accuracy']:.1f} % / {100 * bi['label_accuracy']:.1f} %"
              if "label_accuracy" in sr else " | -")
    return (f"| {result['case']} | {phase} | {entry['step']:,} | {entry['seconds']} | {sr['psnr']:.2f} | "
            f"{bi['psnr']:.2f} | **{gain:+.2f}** (goal +{result['margin']:.1f}) | {sr['ssim']:.4f} | "
            f"{bi['ssim']:.4f}{digits} | {'yes' if met else 'no'} |")


def write_section(results: list[dict], command: str) -> None:
    lines = [SECTION, "", f"Command: `{command}` (2 CPU cores; one process, cases one after another).", "",
             "PSNR (dB) and SSIM on the Y channel with `scale` pixels of border cropped, as SR papers "
             "report them (gancore/quality/sr_metrics.py, equal to skimage.metrics: "
             "tests/test_sr_metrics.py). Photos: the held-out photos, whole (gancore/data/photos.py "
             "names them). MNIST: 256 of the test split's last 1,000 digits, kept out of training; "
             "the digit classifier is the one the Monitor uses.", "",
             "| case | phase | step | s | SR PSNR | bicubic PSNR | gain | SR SSIM | bicubic SSIM | "
             "digits read (SR / bicubic) | goal met |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for result in results:
        for phase, entry in result["phases"].items():
            lines.append(_row(result, phase, entry))
    lines += ["", "Settings: " + "; ".join(f"{r['case']}: " + ", ".join(f"{k} {v}" for k, v in r["settings"].items())
                                          for r in results), ""]
    replace_section(QUALITY_MD, SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget per case")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="settings to change from the variant's defaults (e.g. steps=3000)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/QUALITY.md")
    args = parser.parse_args()
    overrides = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:  # numbers and true/false as JSON, anything else as text
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    results = [run_case(name, args.minutes, args.seed, overrides) for name in args.cases]
    if not args.no_write:
        command = "python bench/sr_quality.py " + " ".join(
            [f"--cases {' '.join(args.cases)}", f"--minutes {args.minutes:g}", f"--seed {args.seed}"]
            + ([f"--set {' '.join(args.set)}"] if args.set else []))
        write_section(results, command)


if __name__ == "__main__":
    main()
