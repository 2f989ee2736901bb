"""What the generators learn, measured: writes docs/QUALITY.md.

1. 2D mixtures in the form of PacGAN's Table 1: vanilla and wgan_gp on ring8 and grid25, five seeds,
   each variant's defaults (bench/quality_points.py), beside the published rows.
2. MNIST (the test split in ../shared/data/mnist): cgan, cdcgan and wgan_gp at their defaults, every
   image metric of gancore.quality at the end of training, beside the real-vs-real floor.
3. What measuring costs: images/s of the same run with quality measured every `eval_every` steps
   and with it off, alternating A B A B.

Usage: python bench/quality.py [--seeds 0 1 2 3 4] [--skip-points] [--skip-mnist] [--skip-overhead]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]

from gancore import RunStore, load_dataset, make_config
from gancore.runs.launch import start_run
from gancore.quality.evaluate import evaluate_run
from gancore.quality.judges import judge_for

MNIST_DIR = REPO.parent / "shared" / "data" / "mnist"
MNIST_VARIANTS = ("cgan", "cdcgan", "wgan_gp")
IMAGE_METRICS = [("label_accuracy", "label accuracy", True), ("fcd", "FCD (lower is better)", False),
                 ("classifier_score", "classifier score", False), ("precision", "precision", True),
                 ("recall", "recall", True), ("density", "density", False), ("coverage", "coverage", True)]


def machine() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
            f"python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")


def mnist_config(variant: str, data_dir=MNIST_DIR, device: str = "cpu", **overrides):
    return make_config(variant, "mnist", data_dir=str(data_dir), split="test", device=device, **overrides)


def train_measured(cfg, runs: Path, device: str = "cpu") -> tuple[dict, float]:
    """Train with quality measured beside training; the run's final quality and floor (measured
    on `device`), and the training images/s (steps x batch / training wall time: evaluation
    slowdowns count)."""
    trainer, run = start_run(cfg, RunStore(runs))
    trainer.run()
    wall = run.metrics()[-1]["wall_time"]
    return evaluate_run(run, device=device), cfg.steps * cfg.batch_size / wall


def _cell(value, share: bool) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f} %" if share else f"{value:.3f}"


def mnist_section(runs: Path) -> list[str]:
    data = load_dataset(mnist_config("cdcgan").data, 0)
    start = time.perf_counter()
    judge = judge_for(data)
    judge_s = time.perf_counter() - start
    judge_origin = "read from its cache" if judge_s < 1 else f"trained once, in {judge_s:.0f} s, then cached"
    rows, floor = [], None
    for variant in MNIST_VARIANTS:
        cfg = mnist_config(variant)
        start = time.perf_counter()
        result, rate = train_measured(cfg, runs)
        seconds = time.perf_counter() - start
        floor = result["floor"]
        rows.append((variant, cfg, result["metrics"], seconds, rate))
        print(f"mnist {variant}: {result['metrics']} in {seconds:.0f} s", flush=True)
    header = "| | steps | " + " | ".join(name for _, name, _ in IMAGE_METRICS) + " | s/run |"
    lines = [
        "## MNIST (test split, 10,000 images)", "",
        f"The judge: gancore's small CNN trained on 90 % of the split; **{100 * judge.holdout_accuracy:.2f} %** "
        f"accuracy on the other 10 % ({judge_origin}). Every metric on "
        "2,000 generated images against 2,000 real ones in its 128-d penultimate feature space; label "
        "accuracy on 2,000 samples asked for equal numbers of each class. Real vs real: two disjoint "
        "halves of the real images, what a perfect generator would get. Seed 0, each variant's defaults.", "",
        header, "|" + "---|" * (len(IMAGE_METRICS) + 3)]
    for variant, cfg, metrics, seconds, _ in rows:
        cells = " | ".join(_cell(metrics.get(k), share) for k, _, share in IMAGE_METRICS)
        lines.append(f"| {variant} | {cfg.steps:,} | {cells} | {seconds:.0f} |")
    cells = " | ".join(_cell((floor or {}).get(k), share) for k, _, share in IMAGE_METRICS)
    lines += [f"| *real vs real (floor)* | | {cells} | |", ""]
    cd = next(m for v, _, m, _, _ in rows if v == "cdcgan")
    per_class = ", ".join(f"{k}: {100 * a:.1f} %" for k, a in enumerate(cd.get("per_class_accuracy") or []))
    lines += [f"cdcgan label accuracy per class: {per_class}.", "",
              f"Goal: cdcgan label accuracy >= 97 %: **{'met' if cd['label_accuracy'] >= 0.97 else 'not met'}** "
              f"({100 * cd['label_accuracy']:.1f} %).", ""]
    return lines


def overhead_section(runs: Path, reps: int) -> list[str]:
    """A B A B: the same cdcgan MNIST run with quality measured every 500 steps, and without."""
    judge_for(load_dataset(mnist_config("cdcgan").data, 0))  # warm the judge cache first
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for rep in range(reps):
        for mode, every in (("on", 500), ("off", 0)):
            cfg = mnist_config("cdcgan", steps=2000, eval_every=every, seed=rep)
            trainer, run = start_run(cfg, RunStore(runs))
            trainer.run()
            rate = cfg.steps * cfg.batch_size / run.metrics()[-1]["wall_time"]
            rates[mode].append(rate)
            measured = len([q for q in run.quality() if q["step"] < cfg.steps])
            print(f"overhead rep {rep} {mode}: {rate:,.0f} img/s, {measured} measurements during training",
                  flush=True)
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    return [
        "## What measuring costs", "",
        f"cdcgan on MNIST, 2,000 steps, batch 64, CPU; quality every 500 steps (FCD, precision/recall, "
        f"density/coverage, classifier score, label accuracy on 2,000 samples each) vs off; {reps} "
        "repetitions alternating on/off; images/s = steps x batch / training wall time, so every "
        "slowdown from the evaluator thread counts. The evaluator declines a request while it is busy "
        "or when measuring again would take more than 5 % of the time, and always measures the end.", "",
        "| | images/s (median) | runs |", "|---|---:|---|",
        f"| quality off | {off:,.0f} | {', '.join(f'{r:,.0f}' for r in rates['off'])} |",
        f"| quality on | {on:,.0f} | {', '.join(f'{r:,.0f}' for r in rates['on'])} |",
        f"| on / off | **{on / off:.3f}** | goal >= 0.90 |", ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--overhead-reps", type=int, default=3)
    parser.add_argument("--skip-points", action="store_true")
    parser.add_argument("--skip-mnist", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--out", default=str(REPO / "docs" / "QUALITY.md"))
    args = parser.parse_args()
    runs = Path(tempfile.mkdtemp(prefix="gs-quality-"))
    out = Path(args.out)
    sections = _read_sections(out)
    # The quickest parts first, and the file rewritten after each, so a failure late in the
    # 25-minute points part keeps what was already measured.
    if not args.skip_mnist and MNIST_DIR.is_dir():
        sections["mnist"] = mnist_section(runs / "mnist")
        _write(out, sections, args.seeds)
    if not args.skip_overhead and MNIST_DIR.is_dir():
        sections["overhead"] = overhead_section(runs / "overhead", args.overhead_reps)
        _write(out, sections, args.seeds)
    if not args.skip_points:
        from bench.quality_points import goal_lines, markdown, points_table

        rows = points_table(seeds=tuple(args.seeds), runs_dir=runs / "points")
        sections["points"] = ["## 2D mixtures, in the form of PacGAN Table 1", "", markdown(rows), "", *goal_lines(rows), ""]
        _write(out, sections, args.seeds)


def _write(out: Path, sections: dict[str, list[str]], seeds: list[int]) -> None:
    text = ["# Quality", "",
            f"Command: `python bench/quality.py --seeds {' '.join(map(str, seeds))}`. Machine: {machine()}.",
            "Re-running one part (`--skip-...` the others) keeps the others' last results.", ""]
    # Measured parts, then any hand-written section of the earlier file (findings), kept as is.
    names = ["points", "mnist", "overhead"] + [n for n in sections if n not in ("points", "mnist", "overhead")]
    for name in names:
        body = sections.get(name, ["Pending: not run yet."])
        while body and not body[-1].strip():
            body = body[:-1]
        text += [f"<!-- {name} -->", *body, ""]
    out.write_text("\n".join(text))
    print(f"wrote {out}", flush=True)


def _read_sections(path: Path) -> dict[str, list[str]]:
    """The sections of an earlier QUALITY.md, so one part can be re-run alone."""
    if not path.exists():
        return {}
    sections, name = {}, None
    for line in path.read_text().splitlines():
        if line.startswith("<!-- ") and line.endswith(" -->"):
            name = line[5:-4]
            sections[name] = []
        elif name:
            sections[name].append(line)
    return sections


if __name__ == "__main__":
    main()
