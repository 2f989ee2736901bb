"""A short quality check on a GPU: the same runs and scores as docs/QUALITY.md, on another device,
beside the CPU numbers there.

1. vanilla on ring8, seed 0, its defaults, trained through the CLI (bench/quality_points.py's
   `run_seed`: the PacGAN protocol, 2,500 samples of the final checkpoint): modes captured,
   high-quality share, reverse KL, seconds (the CLI timed from outside, Python's start included).
2. cdcgan on the MNIST test split, seed 0, its defaults (bench/quality.py's `mnist_config` and
   `train_measured`: quality measured beside training, then `evaluate_run` of the final
   checkpoint): every image metric, seconds, training images/s.

Usage: python bench/gpu_quality.py --device cuda --out FILE.md [--data-dir DIR]
                                   [--points-steps N] [--mnist-steps N] (a quick try: fewer steps)
Writes FILE.md (and FILE.json beside it) after each part, so a run cut short keeps the first.
Imports neither streamlit nor plotly.
"""
from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]

from bench.quality import IMAGE_METRICS, MNIST_DIR, _cell, mnist_config, train_measured
from bench.quality_points import run_seed
from gancore.config import default_values
from gancore.data import load_dataset
from gancore.quality.judges import judge_for
from gancore.training.device import resolve_device

# docs/QUALITY.md (python bench/quality.py, x86_64, 2 cores, torch 2.13.0+cpu, 2026-11-23), seed 0.
CPU_RING8 = {"modes": 8, "total_modes": 8, "high_quality": 0.983, "reverse_kl": 0.020, "seconds": 90}
CPU_CDCGAN = {"label_accuracy": 0.982, "fcd": 12.604, "classifier_score": 9.611, "precision": 0.908,
              "recall": 0.880, "density": 0.861, "coverage": 0.887, "seconds": 265}
CPU_FLOOR = {"label_accuracy": 0.992, "fcd": 5.978, "classifier_score": 9.576, "precision": 0.948,
             "recall": 0.960, "density": 1.006, "coverage": 0.972}


def machine(device: torch.device) -> str:
    if device.type == "cuda":
        name = f"{torch.cuda.get_device_name(device)}, CUDA {torch.version.cuda}"
    else:
        name = f"{platform.machine()} CPU, {torch.get_num_threads()} threads"
    return f"{name}, torch {torch.__version__}, python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"


def ring8_part(device: str, runs: Path, steps: int | None) -> dict:
    flags = {"device": device, **({"steps": steps} if steps else {})}
    row = run_seed("vanilla", "ring8", 0, runs, flags=flags)
    row["steps"] = steps or default_values("vanilla", "ring8")["steps"]
    print(f"ring8 vanilla seed 0 on {device}: {row}", flush=True)
    return row


def mnist_part(device: str, data_dir: Path, runs: Path, steps: int | None) -> dict:
    cfg = mnist_config("cdcgan", data_dir=data_dir, device=device, **({"steps": steps} if steps else {}))
    start = time.perf_counter()
    judge = judge_for(load_dataset(cfg.data, 0), device=device)  # what evaluate_run will use
    judge_s = time.perf_counter() - start
    start = time.perf_counter()
    result, rate = train_measured(cfg, runs, device=device)
    seconds = time.perf_counter() - start
    out = {"steps": cfg.steps, "batch_size": cfg.batch_size, "seconds": seconds, "train_images_per_s": rate,
           "metrics": result["metrics"], "floor": result["floor"],
           "judge": {"holdout_accuracy": judge.holdout_accuracy, "from_cache": judge.from_cache,
                     "seconds": judge_s}}
    print(f"mnist cdcgan on {device}: {result['metrics']} in {seconds:.0f} s ({rate:,.0f} img/s)", flush=True)
    return out


def markdown(device: torch.device, results: dict, command: str) -> list[str]:
    lines = [f"Machine: {machine(device)}.", f"Command: `{command}`.", ""]
    r = results.get("ring8")
    if r is not None:
        lines += [
            f"vanilla on ring8, seed 0, defaults ({r['steps']:,} steps; `python -m gancore train --variant "
            f"vanilla --dataset ring8 --seed 0 --device {device.type}`), 2,500 samples scored by the PacGAN "
            "protocol (bench/quality_points.py):", "",
            "| device | modes | high-quality % | reverse KL | s/run |", "|---|---:|---:|---:|---:|",
            f"| CPU (docs/QUALITY.md) | {CPU_RING8['modes']} of {CPU_RING8['total_modes']} | "
            f"{100 * CPU_RING8['high_quality']:.1f} | {CPU_RING8['reverse_kl']:.3f} | {CPU_RING8['seconds']} |",
            f"| {device.type.upper()} | {r['modes']} of {r['total_modes']} | {100 * r['high_quality']:.1f} | "
            f"{r['reverse_kl']:.3f} | {r['seconds']:.0f} |", ""]
    m = results.get("mnist")
    if m is not None:
        judge = m["judge"]
        origin = "the CPU-trained judge, read from its cache" if judge["from_cache"] else \
            f"trained on this device in {judge['seconds']:.0f} s"
        header = "| device | steps | " + " | ".join(name for _, name, _ in IMAGE_METRICS) + " | s/run |"
        cpu = " | ".join(_cell(CPU_CDCGAN.get(k), share) for k, _, share in IMAGE_METRICS)
        ours = " | ".join(_cell(m["metrics"].get(k), share) for k, _, share in IMAGE_METRICS)
        cpu_floor = " | ".join(_cell(CPU_FLOOR.get(k), share) for k, _, share in IMAGE_METRICS)
        floor = " | ".join(_cell((m["floor"] or {}).get(k), share) for k, _, share in IMAGE_METRICS)
        lines += [
            f"cdcgan on MNIST (test split), seed 0, defaults ({m['steps']:,} steps, batch {m['batch_size']}), "
            f"quality measured as bench/quality.py does (judge: {100 * judge['holdout_accuracy']:.2f} % "
            f"held-out accuracy, {origin}):", "",
            header, "|" + "---|" * (len(IMAGE_METRICS) + 3),
            f"| CPU (docs/QUALITY.md) | 8,000 | {cpu} | {CPU_CDCGAN['seconds']} |",
            f"| {device.type.upper()} | {m['steps']:,} | {ours} | {m['seconds']:.0f} |",
            f"| *real vs real (floor), CPU (docs/QUALITY.md)* | | {cpu_floor} | |",
            f"| *real vs real (floor), {device.type.upper()}* | | {floor} | |", "",
            "The two floors show how much the judge alone moves the numbers: the same real-vs-real "
            "comparison, seen by docs/QUALITY.md's judge and by this run's.", "",
            f"Training on {device.type.upper()}: {m['train_images_per_s']:,.0f} images/s (steps x batch / "
            "training wall time, measurements beside training included).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--out", required=True)
    parser.add_argument("--data-dir", default=str(MNIST_DIR), help="folder with the MNIST test split's .gz files")
    parser.add_argument("--points-steps", type=int, default=None, help="default: the variant's own")
    parser.add_argument("--mnist-steps", type=int, default=None, help="default: the variant's own")
    parser.add_argument("--skip-points", action="store_true")
    parser.add_argument("--skip-mnist", action="store_true")
    args = parser.parse_args()
    device = resolve_device(args.device)
    out = Path(args.out)
    command = "python bench/gpu_quality.py --device " + args.device + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in (("points_steps", args.points_steps),
                                                      ("mnist_steps", args.mnist_steps)) if v)
    runs = Path(tempfile.mkdtemp(prefix="gs-gpu-quality-"))
    results: dict = {"machine": machine(device)}

    def write() -> None:
        out.write_text("\n".join(markdown(device, results, command)) + "\n")
        out.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {out}", flush=True)

    if not args.skip_points:
        results["ring8"] = ring8_part(device.type, runs / "points", args.points_steps)
        write()
    if not args.skip_mnist:
        results["mnist"] = mnist_part(device.type, Path(args.data_dir), runs / "mnist", args.mnist_steps)
        write()


if __name__ == "__main__":
    main()
