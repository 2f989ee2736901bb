"""2D Gaussian mixtures in the form of PacGAN's Table 1 (Lin et al. 2018): mode coverage of each
variant at its defaults, over several seeds, beside the published rows.

Per (variant, dataset, seed): the real CLI command with defaults only (what a user gets),
  python -m gancore train --variant V --dataset D --seed S --runs-dir DIR --run-id ID --quiet
timed from outside (so s/run includes starting Python), then 2,500 samples of the final checkpoint
scored by the PacGAN protocol: high quality = within 3 sigma of the nearest mode's mean; a mode is
captured when it has one high-quality sample; reverse KL of the high-quality mode histogram to
uniform. Mean and standard error (stdev / sqrt(n)) over the seeds.

Usage: python bench/quality_points.py [--seeds 0 1 2 3 4] [--variants ...] [--datasets ...]
bench/quality.py imports `points_table` and `markdown` from here.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from gancore.config import default_values
from gancore.quality.modes import PACGAN_SAMPLES, mode_coverage
from gancore.registry import get_variant_spec
from gancore.runs.store import RunStore
from gancore.sampling import load_generator, sample, to_raw_points

# Published rows, only the numbers we have; None = not reported there ("-").
# (label, dataset, modes, high-quality share, reverse KL)
PAPER_ROWS = [
    ("GAN (PacGAN Table 1)", "ring8", 6.3, 0.982, 0.45),
    ("GAN (PacGAN Table 1)", "grid25", 17.3, 0.948, 0.70),
    ("WGAN-GP (Elfeki et al. 2019)", "ring8", 6.8, None, None),
    ("WGAN-GP (Elfeki et al. 2019)", "grid25", 24.2, None, None),
]
# The settings worth showing under the table (all of them are kept in each row's "config").
CONFIG_KEYS = ("steps", "batch_size", "n_critic", "lr_g", "lr_d", "beta1", "beta2", "lr_decay",
               "latent_dim", "hidden_dim", "hidden_layers", "gp_lambda")
SAMPLE_SEED = 10_000  # sampling noise seed = SAMPLE_SEED + training seed (as bench/ring8_modes.py)


def run_seed(variant: str, dataset: str, seed: int, runs_dir: Path, flags: dict | None = None) -> dict:
    """Train one seed through the CLI with defaults only, then score its final checkpoint.
    `flags` adds CLI settings ({"device": "cuda"} -> --device cuda); none for the table."""
    run_id, n = f"{variant}-{dataset}-seed{seed}", 1
    while (runs_dir / run_id).exists():  # a reused runs_dir: never train over an earlier run
        n += 1
        run_id = f"{variant}-{dataset}-seed{seed}-{n}"
    cmd = [sys.executable, "-m", "gancore", "train", "--variant", variant, "--dataset", dataset,
           "--seed", str(seed), "--runs-dir", str(runs_dir), "--run-id", run_id, "--quiet"]
    for key, value in (flags or {}).items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    generator, info, cfg = load_generator(RunStore(runs_dir).open(run_id).load_checkpoint())
    points, _ = sample(generator, info, cfg, PACGAN_SAMPLES, seed=SAMPLE_SEED + seed)
    cov = mode_coverage(to_raw_points(points, info).numpy(), info.mode_means, info.mode_sigma)
    return {"seed": seed, "seconds": seconds, "load_before": load, **cov.to_dict()}


def mean_se(values: list[float]) -> tuple[float, float | None]:
    """Mean and standard error; s.e. is None for one value or when a value is infinite."""
    if any(math.isinf(v) for v in values):
        return math.inf, None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    return mean, statistics.stdev(values) / math.sqrt(len(values))


def summarise(variant: str, dataset: str, seed_rows: list[dict]) -> dict:
    row = {"variant": variant, "dataset": dataset, "total_modes": seed_rows[0]["total_modes"],
           "n_seeds": len(seed_rows), "config": default_values(variant, dataset), "seeds": seed_rows}
    for key in ("modes", "high_quality", "reverse_kl", "seconds"):
        row[f"{key}_mean"], row[f"{key}_se"] = mean_se([float(r[key]) for r in seed_rows])
    return row


def points_table(variants=("vanilla", "wgan_gp"), datasets=("ring8", "grid25"), seeds=(0, 1, 2, 3, 4),
                 runs_dir=None) -> list[dict]:
    """One row per (variant, dataset): mean and s.e. over `seeds` of modes captured, high-quality
    share, reverse KL and seconds per run; "config" (the defaults trained with) and "seeds" (the
    per-seed rows). Run folders go to `runs_dir`, or to a temporary folder removed afterwards."""
    if runs_dir is None:
        with tempfile.TemporaryDirectory(prefix="gs-points-") as tmp:
            return points_table(variants, datasets, seeds, Path(tmp))
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for variant in variants:
        for dataset in datasets:
            seed_rows = [run_seed(variant, dataset, seed, runs_dir) for seed in seeds]
            rows.append(summarise(variant, dataset, seed_rows))
    return rows


def _sets(variant: str, key: str) -> bool:
    """Does the variant's own defaults mention `key` (gp_lambda means nothing to a BCE variant)?"""
    return any(key in d for d in get_variant_spec(variant).defaults.values())


def _pm(mean: float, se: float | None, fmt: str) -> str:
    if math.isinf(mean):
        return "inf"
    text = format(mean, fmt)
    return text if se is None else f"{text} ± {format(se, fmt)}"


def markdown(rows: list[dict]) -> str:
    """PacGAN Table 1's columns; per dataset the published rows (italic), then ours."""
    lines = ["| variant | dataset | modes (mean ± s.e.) | high-quality % (mean ± s.e.) | reverse KL | s/run | seeds |",
             "|---|---|---:|---:|---:|---:|---:|"]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    for dataset in datasets:  # per dataset: the published rows, then ours
        for label, paper_dataset, modes, hq, kl in PAPER_ROWS:
            if paper_dataset == dataset:
                cells = [f"{modes:g}", "-" if hq is None else f"{100 * hq:.1f}", "-" if kl is None else f"{kl:.2f}"]
                lines.append(f"| *{label}* | {dataset} | {' | '.join(cells)} | - | - |")
        for r in rows:
            if r["dataset"] != dataset:
                continue
            hq_se = None if r["high_quality_se"] is None else 100 * r["high_quality_se"]
            lines.append(
                f"| {r['variant']} (ours) | {dataset} | {_pm(r['modes_mean'], r['modes_se'], '.1f')} "
                f"of {r['total_modes']} | {_pm(100 * r['high_quality_mean'], hq_se, '.1f')} | "
                f"{_pm(r['reverse_kl_mean'], r['reverse_kl_se'], '.3f')} | {r['seconds_mean']:.0f} | "
                f"{', '.join(str(s['seed']) for s in r['seeds'])} |")
    lines += ["", "Per seed (modes / high quality / reverse KL / seconds; load = 1-minute load average "
              "before the run):", ""]
    for r in rows:
        per_seed = "; ".join(f"seed {s['seed']}: {s['modes']} / {100 * s['high_quality']:.1f} % / "
                             f"{s['reverse_kl']:.3f} / {s['seconds']:.0f} s (load {s['load_before']:.1f})"
                             for s in r["seeds"])
        lines.append(f"- {r['variant']} {r['dataset']}: {per_seed}")
    lines += ["", "Defaults trained with (`python -m gancore train --variant V --dataset D --seed S`, "
              "nothing else):", ""]
    for r in rows:
        shown = [k for k in CONFIG_KEYS if k != "gp_lambda" or _sets(r["variant"], "gp_lambda")]
        settings = ", ".join(f"{k}={r['config'][k]}" for k in shown)
        lines.append(f"- {r['variant']} {r['dataset']}: {settings}")
    return "\n".join(lines)


# The issue's goals: (variant, dataset, least average modes, least average high-quality share)
GOALS = [("vanilla", "ring8", 7.5, 0.95), ("wgan_gp", "grid25", 24.5, None)]


def goal_lines(rows: list[dict]) -> list[str]:
    """One line per goal whose row was measured: met or not, with the measured means."""
    lines = []
    for variant, dataset, modes, hq in GOALS:
        r = next((r for r in rows if (r["variant"], r["dataset"]) == (variant, dataset)), None)
        if r is None:
            continue
        met = r["modes_mean"] >= modes and (hq is None or r["high_quality_mean"] >= hq)
        wanted = f">= {modes:g} modes" + ("" if hq is None else f" and >= {100 * hq:.0f} % high quality")
        got = f"{r['modes_mean']:.1f} modes" + ("" if hq is None else f", {100 * r['high_quality_mean']:.1f} %")
        lines.append(f"- Goal: {variant} on {dataset} {wanted}: **{'met' if met else 'not met'}** ({got}).")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--variants", nargs="+", default=["vanilla", "wgan_gp"])
    parser.add_argument("--datasets", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--runs-dir", default=None, help="keep the run folders here (default: a temporary folder)")
    args = parser.parse_args()
    rows = points_table(tuple(args.variants), tuple(args.datasets), tuple(args.seeds), args.runs_dir)
    print(markdown(rows))


if __name__ == "__main__":
    main()
