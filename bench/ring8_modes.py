"""Issue-2 target: `python -m gancore train --variant vanilla --dataset ring8` (defaults only) on
the CPU in <= 2 minutes reaches >= 7 of 8 modes and >= 90 % high-quality samples (PacGAN protocol).

Runs the real CLI command per seed, times it, scores 2,500 samples of the final checkpoint, and
writes docs/quality_ring8.md.   Usage: python bench/ring8_modes.py [--seeds 0 1 2 3 4]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gancore.quality import mode_coverage  # noqa: E402
from gancore.quality.modes import PACGAN_SAMPLES  # noqa: E402
from gancore.runs import RunStore  # noqa: E402
from gancore.sampling import load_generator, sample, to_raw_points  # noqa: E402


def run_seed(seed: int, runs_dir: Path) -> dict:
    cmd = [sys.executable, "-m", "gancore", "train", "--variant", "vanilla", "--dataset", "ring8",
           "--seed", str(seed), "--runs-dir", str(runs_dir), "--run-id", f"seed{seed}", "--quiet"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    run = RunStore(runs_dir).open(f"seed{seed}")
    generator, info, cfg = load_generator(run.load_checkpoint())
    points, _ = sample(generator, info, cfg, PACGAN_SAMPLES, seed=10_000 + seed)
    cov = mode_coverage(to_raw_points(points, info).numpy(), info.mode_means, info.mode_sigma)
    return {"seed": seed, "seconds": seconds, **cov.to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=str(REPO / "docs" / "quality_ring8.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run_seed(s, Path(tmp)) for s in args.seeds]
    for r in rows:
        print(r, flush=True)
    mean = lambda k: statistics.fmean(r[k] for r in rows)  # noqa: E731
    lines = [
        "# vanilla GAN on ring8: mode coverage (PacGAN protocol)", "",
        "Command per seed: `python -m gancore train --variant vanilla --dataset ring8 --seed S`",
        "(all defaults), then 2,500 samples of the final checkpoint; high quality = within 3 sigma",
        "(sigma 0.01) of the nearest mean; a mode is captured when it has one high-quality sample.", "",
        f"Reproduce: `python bench/ring8_modes.py --seeds {' '.join(map(str, args.seeds))}`", "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads.", "",
        "| seed | wall time (s) | modes (of 8) | high quality | reverse KL |",
        "|---:|---:|---:|---:|---:|",
        *[f"| {r['seed']} | {r['seconds']:.1f} | {r['modes']} | {100 * r['high_quality']:.1f} % | "
          f"{r['reverse_kl']:.3f} |" for r in rows],
        f"| mean | {mean('seconds'):.1f} | {mean('modes'):.2f} | {100 * mean('high_quality'):.1f} % | "
        f"{mean('reverse_kl'):.3f} |", "",
        "Target (issue 2): <= 120 s on 2 CPU cores, >= 7 modes, >= 90 % high quality.", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
