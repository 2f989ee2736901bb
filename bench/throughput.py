"""Writes docs/BENCHMARKS.md: images/s of gancore's trainer, the reference loop (DataLoader with
2 workers, default Adam, .item() every step) and the floor (the math alone), for every variant
at batch 64, 256 and 1024 on this machine's device; then each engine option on its own.

Usage: python bench/throughput.py [--reps 5] [--out docs/BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gancore import benchmark  # noqa: E402
from gancore.bench_loops import trainer_loop  # noqa: E402
from gancore.config import make_config  # noqa: E402
from gancore.data import load_dataset  # noqa: E402
from gancore.device import resolve_device  # noqa: E402

# (option, value on, variant, batch): each measured against the same run with the option off
OPTIONS = [("channels_last", "on", "dcgan", 64), ("amp", "bf16", "dcgan", 64),
           ("compile", True, "vanilla", 64), ("compile", True, "dcgan", 64)]
OFF = {"channels_last": "off", "amp": "off", "compile": False}


def option_row(option, on, variant, batch, device, reps):
    cfg_on = make_config(variant, "glyphs", batch_size=batch, device=str(device), **{option: on})
    cfg_off = cfg_on.replace(**{option: OFF[option]})
    data = load_dataset(cfg_on.data, 0)
    steps = benchmark.steps_for(variant, batch, device, conv=variant != "vanilla")
    rates = {"on": [], "off": []}
    for _ in range(reps):
        for key, cfg in (("off", cfg_off), ("on", cfg_on)):
            rates[key].append(steps * batch / trainer_loop(cfg, data, steps, warmup=5, device=device))
    on_, off_ = statistics.median(rates["on"]), statistics.median(rates["off"])
    return f"| {option}={on} | {variant} | {batch} | {off_:,.0f} | {on_:,.0f} | {on_ / off_:.2f}x |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    started = time.time()
    rows = []
    for variant in benchmark.VARIANTS:
        for batch in benchmark.BATCH_SIZES:
            rows.append(benchmark.measure(variant, batch, device, reps=args.reps))
            print(benchmark.table([rows[-1]])[-1], flush=True)
    option_lines = []
    for option, on, variant, batch in OPTIONS:
        option_lines.append(option_row(option, on, variant, batch, device, args.reps))
        print(option_lines[-1], flush=True)

    at64 = [r for r in rows if r.batch_size == 64]
    lines = [
        "# Throughput benchmarks", "",
        f"Machine: {benchmark.machine()}. Device: {device}.",
        f"Command: `python bench/throughput.py --reps {args.reps}` (also `python -m gancore bench`); "
        f"took {(time.time() - started) / 60:.0f} min.", "",
        "Images/s (generator steps x batch per second). Data: glyphs, 28 x 28 digits. Every loop "
        "uses the very same model classes and losses. *trainer*: gancore's Trainer (data on the "
        "device, sampled by index, scalars read back every `log_every` steps, foreach Adam, "
        "D frozen during the G step, one joint D pass over real and fake when D has no "
        "BatchNorm). *reference*: the canonical examples' loop (DataLoader with shuffle, 2 workers "
        "and default collate, default Adam, `.item()` on the losses and on D(x), D(G(z)) every "
        "step). *floor*: the math alone (data on the device, no logging). One process, loops "
        f"alternating A B C, {5} warm-up steps excluded, median of {args.reps} timed repetitions; "
        "conv variants on the CPU run fewer steps per repetition, as the table says.", "",
        *benchmark.table(rows), "",
        "## Goals on this device", "",
        f"- trainer >= 1.1x the reference at batch 64 on every variant: "
        + ", ".join(f"{r.variant} {r.ratio('trainer', 'reference'):.2f}x" for r in at64),
        f"- trainer >= 0.97x the floor at batch 64: "
        + ", ".join(f"{r.variant} {r.ratio('trainer', 'floor'):.2f}x" for r in at64), "",
        "## Engine options, each on its own", "",
        "The trainer with one option on vs the same run with it off (alternating, medians).", "",
        "| option | variant | batch | off img/s | on img/s | on / off |", "|---|---|---:|---:|---:|---:|",
        *option_lines, "",
        "On a CPU, `auto` leaves all three off (none helps there, as measured above); on CUDA it "
        "turns bf16 autocast on and channels_last on for conv networks, and cudnn.benchmark is on.", "",
        "## GPU", "",
        "GPU rows are pending: this task had no GPU machine. On one, `python bench/throughput.py` "
        "writes the same tables for CUDA; the goals there are >= 3x the reference at batch 64 for "
        "vanilla and dcgan, and dcgan's achieved TFLOP/s at batch 1024 against the card's bf16 peak.", "",
        "<!-- dashboard overhead -->", ""]
    out = Path(args.out)
    old = out.read_text() if out.exists() else ""
    if "<!-- dashboard overhead -->" in old:  # keep the section bench/dashboard_overhead.py wrote
        lines[-2:] = ["<!-- dashboard overhead -->" + old.split("<!-- dashboard overhead -->", 1)[1]]
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
