"""How large a report is: trains one run at its variant's defaults for --steps (10,000 by
default), then writes its HTML report and the comparison of it with a copy of itself, and prints
their sizes and what fills them (the pictures, as base64 PNGs, and the rest).

Usage: python bench/report_size.py [--variant cdcgan] [--dataset glyphs] [--steps 10000]
The figures are in docs/BENCHMARKS.md ("Report size").
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from gancore import RunStore, make_config
from gancore.report import comparison_report, run_report
from gancore.runs.launch import start_run


def sizes(page: str) -> str:
    pictures = sum(len(m) for m in re.findall(r'data:image/png;base64,[A-Za-z0-9+/=]+', page))
    charts = sum(len(m) for m in re.findall(r"<svg .*?</svg>", page, flags=re.S))
    return (f"{len(page) / 2**20:.2f} MB: pictures {pictures / 2**20:.2f} MB, charts {charts / 2**10:.0f} KB, "
            f"the rest {(len(page) - pictures - charts) / 2**10:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="cdcgan")
    parser.add_argument("--dataset", default="glyphs")
    parser.add_argument("--steps", type=int, default=10_000)
    args = parser.parse_args()
    store = RunStore(Path(tempfile.mkdtemp(prefix="gs-report-size-")))
    start = time.perf_counter()
    cfg = make_config(args.variant, args.dataset, steps=args.steps, device="cpu")
    trainer, run = start_run(cfg, store, "a")
    trainer.run()
    twin, copy = start_run(cfg.replace(seed=cfg.seed + 1), store, "b")
    twin.run()
    print(f"trained 2 x {args.steps:,} steps of {args.variant} on {args.dataset} in "
          f"{time.perf_counter() - start:.0f} s; {len(run.sample_files())} pictures, "
          f"{len(run.metrics())} metric records, {len(run.quality())} quality records each")
    print(f"run report: {sizes(run_report(run))}")
    print(f"comparison of two such runs: {sizes(comparison_report([run, copy]))}")


if __name__ == "__main__":
    main()
