"""Writes docs/BENCHMARKS.md: images/s of gancore's trainer, the reference loop (DataLoader with
2 workers, default Adam, .item() every step) and the floor (the math alone), for every variant
at batch 64, 256 and 1024 on this machine's device; then each engine option on its own.

Usage: python bench/throughput.py [--reps 5] [--batch-sizes 64 256 1024] [--skip-options]
Writes its section of docs/BENCHMARKS.md (between <!-- throughput --> and <!-- dashboard overhead -->),
keeping the rest of the file.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]

from bench import flops, measure
from bench.loops import trainer_loop
from gancore.config import make_config
from gancore.data import load_dataset
from gancore.registry import list_variants
from gancore.training.device import resolve_device

# (option, value on, variant, batch): each measured against the same run with the option off
OPTIONS = [("channels_last", "on", "dcgan", 64), ("amp", "bf16", "dcgan", 64),
           ("compile", True, "vanilla", 64), ("compile", True, "dcgan", 64)]
OFF = {"channels_last": "off", "amp": "off", "compile": False}


def option_row(option, on, variant, batch, device, reps):
    cfg_on = make_config(variant, "glyphs", batch_size=batch, device=str(device), **{option: on})
    cfg_off = cfg_on.replace(**{option: OFF[option]})
    data = load_dataset(cfg_on.data, 0)
    steps = measure.steps_for(variant, batch, device, conv=variant != "vanilla")
    rates = {"on": [], "off": []}
    for _ in range(reps):
        for key, cfg in (("off", cfg_off), ("on", cfg_on)):
            rates[key].append(steps * batch / trainer_loop(cfg, data, steps, warmup=5, device=device))
    on_, off_ = statistics.median(rates["on"]), statistics.median(rates["off"])
    return f"| {option}={on} | {variant} | {batch} | {off_:,.0f} | {on_:,.0f} | {on_ / off_:.2f}x |"


def goal_lines(rows: list[measure.Row], device: torch.device) -> list[str]:
    """The issue's goals, read off the table: on a CPU every variant at batch 64; on a GPU
    vanilla and dcgan at batch 64, and dcgan's TFLOP/s at its largest batch against the card's peak."""
    at64 = [r for r in rows if r.batch_size == 64]
    lines = []
    if at64 and device.type == "cpu":
        lines += [
            "- trainer >= 1.1x the reference at batch 64 on every variant: "
            + ", ".join(f"{r.variant} {r.ratio('trainer', 'reference'):.2f}x" for r in at64),
            "- trainer >= 0.97x the floor at batch 64: "
            + ", ".join(f"{r.variant} {r.ratio('trainer', 'floor'):.2f}x" for r in at64)]
    elif at64:
        lines.append("- trainer >= 3x the reference at batch 64 for vanilla and dcgan: " + ", ".join(
            f"{r.variant} {r.ratio('trainer', 'reference'):.2f}x" for r in at64 if r.variant in ("vanilla", "dcgan")))
    dcgan = [r for r in rows if r.variant == "dcgan"]
    if dcgan:
        r = max(dcgan, key=lambda row: row.batch_size)
        peak = flops.bf16_peak_tflops(device)
        share = (f", {r.tflops() / peak:.1%} of the card's dense bf16 peak ({peak:g} TFLOP/s)" if peak
                 else "; no bf16 peak known for this device")
        lines.append(f"- dcgan at batch {r.batch_size}: {r.tflops():.3g} TFLOP/s achieved "
                     f"({r.flops_per_step / 1e9:.3g} GFLOP a step, counted with torch's FLOP formulas){share}")
    return lines + [""] if lines else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=list(measure.BATCH_SIZES))
    parser.add_argument("--variants", nargs="+", default=list(measure.VARIANTS), choices=list_variants(),
                        metavar="VARIANT", help="default: every benchmarked variant")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed steps per repetition (default: 200; fewer for conv nets on a CPU)")
    parser.add_argument("--skip-options", action="store_true")
    args = parser.parse_args()
    if args.reps < 1 or (args.steps is not None and args.steps < 1):
        parser.error("--reps and --steps must be at least 1")
    device = resolve_device(args.device)
    started = time.time()
    rows = []
    for variant in args.variants:
        for batch in args.batch_sizes:
            rows.append(measure.measure(variant, batch, device, reps=args.reps, steps=args.steps))
            print(measure.table([rows[-1]])[-1], flush=True)
    option_lines = []
    for option, on, variant, batch in [] if args.skip_options else OPTIONS:
        option_lines.append(option_row(option, on, variant, batch, device, args.reps))
        print(option_lines[-1], flush=True)

    sizes = " ".join(map(str, args.batch_sizes))
    lines = [
        "<!-- throughput -->", "",
        f"## Trainer vs reference vs floor, batch {', '.join(map(str, args.batch_sizes))} ({device.type.upper()})", "",
        f"Machine: {measure.machine()}. Device: {device}.",
        f"Command: `python bench/throughput.py --reps {args.reps} --batch-sizes {sizes}"
        f"{' --skip-options' if args.skip_options else ''}`; took {(time.time() - started) / 60:.0f} min. "
        "Loops, data and repetitions as described above.", "",
        *measure.table(rows), ""]
    lines += goal_lines(rows, device)
    if option_lines:
        lines += [
            "## Engine options, each on its own", "",
            "The trainer with one option on vs the same run with it off (alternating, medians).", "",
            "| option | variant | batch | off img/s | on img/s | on / off |", "|---|---|---:|---:|---:|---:|",
            *option_lines, "",
            "`auto` turns channels_last on for conv networks on every device, and bf16 autocast with "
            "cudnn.benchmark on for CUDA; compile stays off unless asked for. On a CPU bf16 is left off "
            "although it measured faster here: it changes the numbers, and this CPU has no bf16 "
            "instructions to make that trade worth checking.", ""]
    out = Path(args.out)
    old = out.read_text() if out.exists() else "<!-- dashboard overhead -->\n"
    before = old.split("<!-- throughput -->", 1)[0] if "<!-- throughput -->" in old else ""
    after = old[old.index("<!-- dashboard overhead -->"):] if "<!-- dashboard overhead -->" in old else ""
    out.write_text(before + "\n".join(lines) + "\n" + after)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
