"""Issue-2 target: cdcgan on MNIST (the 10k test split in ../shared/data/mnist) trained on the CPU
in <= 10 minutes draws the digit it is asked for, judged by a CNN trained on the real digits, and
its one-row-per-class grid reads 0 to 9.

Writes docs/quality_cdcgan_mnist.md and docs/cdcgan_mnist_grid.png.
Usage: python bench/cdcgan_mnist.py [--data-dir ../shared/data/mnist] [--steps N] [--seed S]
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]

from gancore import load_dataset, make_config, train
from gancore.quality import judge_for, label_accuracy
from gancore.sampling import class_grid, generate, noise


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--steps", type=int, default=None, help="default: the variant's default")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    cfg = make_config("cdcgan", "mnist", data_dir=args.data_dir, split="test", steps=args.steps,
                      seed=args.seed, device="cpu")
    data = load_dataset(cfg.data, cfg.seed)
    start = time.perf_counter()
    trainer, records = train(cfg, data)
    train_s = time.perf_counter() - start
    print(f"trained {cfg.steps} steps in {train_s:.0f} s; last {records[-1]}", flush=True)

    # The same cached judge as the live metrics and bench/quality.py, so the numbers agree.
    found = judge_for(data)
    judge, holdout_acc = found.classifier, found.holdout_accuracy
    print(f"classifier holdout accuracy {holdout_acc:.4f}", flush=True)
    g = trainer.gan.generator
    overall, per_class = label_accuracy(g, judge, data.info.num_classes, per_class=200, seed=1)

    # the grid: one row per class, same noise down each column; each row read by the judge
    grid = class_grid(g, data.info, per_class=10, seed=2)
    grid_path = REPO / "docs" / "cdcgan_mnist_grid.png"
    grid.save(grid_path)
    z = noise(g, 10, 2, "cpu").repeat(10, 1)
    y = torch.arange(10).repeat_interleave(10)
    rows = judge(generate(g, z, y)).argmax(1).view(10, 10).mode(1).values.tolist()
    print(f"label accuracy {overall:.4f}; grid rows read as {rows}", flush=True)

    lines = [
        "# cdcgan on MNIST (test split, CPU): does it draw the digit it is asked for?", "",
        f"Reproduce: `python bench/cdcgan_mnist.py --seed {args.seed}"
        + (f" --steps {args.steps}" if args.steps else "") + "` (cdcgan's defaults otherwise)", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads. Data: the 10,000-image MNIST test split (only split here).", "",
        f"- training: {cfg.steps} steps, batch {cfg.batch_size}, base_channels {cfg.model.base_channels}: "
        f"**{train_s:.0f} s** (target <= 600 s)",
        f"- judge: gancore's cached judge, a small CNN trained on 90 % of the same real digits, holdout accuracy **{100 * holdout_acc:.2f} %**",
        f"- label accuracy (200 samples asked for each digit, read by the judge): **{100 * overall:.2f} %**",
        "- per class: " + ", ".join(f"{k}: {100 * a:.1f} %" for k, a in enumerate(per_class)),
        f"- one-row-per-class grid, each row's majority reading: {rows} (should be 0..9)", "",
        "![class grid](cdcgan_mnist_grid.png)", ""]
    out = REPO / "docs" / "quality_cdcgan_mnist.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
