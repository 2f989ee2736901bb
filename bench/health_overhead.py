"""What the health detectors cost training: images/s of the same run with the detectors on and
with them replaced by a watch that judges nothing, alternating A B A B in one process.

The worst case is the smallest step (vanilla on ring8: the step is cheapest, so the per-record
work of the detectors weighs most); the spread of the fixed-noise samples is measured in both
arms (the picture it comes with is drawn either way). Writes nothing: the numbers go in
docs/BENCHMARKS.md by hand.

Usage: python bench/health_overhead.py [--steps 3000] [--pairs 3]
"""
from __future__ import annotations

import argparse
import statistics

import torch

from gancore import load_dataset, make_config
from gancore.training.trainer import Trainer


class QuietWatch:
    """Judges nothing: the B arm."""

    def observe_metrics(self, record):
        return []

    def observe_quality(self, record, floor=None):
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    cfg = make_config("vanilla", "ring8", device="cpu", steps=args.steps, eval_every=0)
    data = load_dataset(cfg.data, cfg.seed)
    on, off = [], []
    for _ in range(args.pairs):
        for detectors, into in ((True, on), (False, off)):
            records = []
            trainer = Trainer(cfg, data)
            if not detectors:
                trainer.health = QuietWatch()
            trainer.subscribe(lambda e: records.append(e.data["record"]) if e.kind == "metrics" else None)
            trainer.run()
            into.append(cfg.steps * cfg.batch_size / records[-1]["wall_time"])
    ratio = statistics.median(a / b for a, b in zip(on, off))
    print(f"vanilla ring8, {args.steps:,} steps, batch {cfg.batch_size}, log_every {cfg.log_every}: "
          f"detectors on {statistics.median(on):,.0f} pts/s, off {statistics.median(off):,.0f} pts/s, "
          f"on/off {ratio:.3f} (median of {args.pairs} pairs, alternating)")


if __name__ == "__main__":
    main()
