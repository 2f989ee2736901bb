"""Healthy default runs of every variant, and what the health detectors say about them: writes
tests/data/healthy_default_runs.json (their recorded numbers, which tests/test_health.py replays:
no alert may open) and prints the alerts per run (the false-alarm count, docs/RELIABILITY.md).

Each run is a variant at its defaults on a dataset it is made for (MNIST: the test split in
../shared/data/mnist). Runs already in --runs-dir are reused, so an interrupted session goes on.

Usage: python bench/healthy_runs.py [--runs-dir DIR] [--only NAME ...]  (--only: the other
records in the file are kept)
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from gancore import RunStore, make_config
from gancore.health import HealthContext, HealthWatch
from gancore.registry import create_gan
from gancore.runs.launch import start_run

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "healthy_default_runs.json"
MNIST = dict(data_dir=str(REPO.parent / "shared" / "data" / "mnist"), split="test")
CASES = {  # name: (variant, dataset, settings beyond the defaults: where the data is)
    "vanilla-ring8": ("vanilla", "ring8", {}),
    "vanilla-grid25": ("vanilla", "grid25", {}),
    "wgan_gp-ring8": ("wgan_gp", "ring8", {}),
    "wgan_gp-grid25": ("wgan_gp", "grid25", {}),
    "cgan-mnist": ("cgan", "mnist", MNIST),
    "cdcgan-mnist": ("cdcgan", "mnist", MNIST),
    "dcgan-mnist": ("dcgan", "mnist", MNIST),
    "wgan_gp-mnist": ("wgan_gp", "mnist", MNIST),
    "srgan-photos": ("srgan", "photos", {}),
    "pix2pix-sketch2digits": ("pix2pix", "sketch2digits", MNIST),
    # a user's own small folder: the 100 lfw_subset faces (bench/small_folder.py), written on first use
    "dcgan-faces": ("dcgan", "folder", dict(image_size=32)),
}
FACES_FOLDER = "lfw-faces"  # under the runs folder
KEPT = ("step", "loss_", "d_real", "d_fake", "grad_norm_", "spread", "nonfinite", "phase")


def _trimmed(record: dict) -> dict:
    """What the detectors read, rounded: the file stays small and its numbers stay the run's."""
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in record.items()
            if k.startswith(KEPT)}


def ensure_run(store: RunStore, name: str):
    variant, dataset, settings = CASES[name]
    if (store.root / name).is_dir() and store.open(name).state().status == "finished":
        return store.open(name)
    if dataset == "folder":
        settings = {**settings, "data_dir": str(_faces(store.root / FACES_FOLDER))}
    cfg = make_config(variant, dataset, device="cpu", **settings)
    started = time.perf_counter()
    trainer, run = start_run(cfg, store, name)
    trainer.run()
    print(f"trained {name}: {cfg.steps:,} steps in {time.perf_counter() - started:.0f} s", flush=True)
    return run


def _faces(folder: Path) -> Path:
    """The 100 lfw_subset faces as PNGs in folder/faces (written once)."""
    from bench.small_folder import write_lfw

    if not (folder / "faces").is_dir():
        write_lfw(folder)
    return folder / "faces"


def recorded(run) -> dict:
    cfg = run.config()
    ctx = HealthContext.of(cfg.steps, create_gan(cfg, _info(run)))
    return {"name": run.run_id, "variant": cfg.model.variant, "dataset": cfg.data.dataset,
            "steps": cfg.steps, "probability_scores": ctx.probability_scores,
            "adversarial_only": ctx.adversarial_only,
            "metrics": [_trimmed(r) for r in run.metrics()],
            "quality": [{k: v for k, v in q.items() if not isinstance(v, list)} for q in run.quality()],
            "floor": {k: v for k, v in (run.quality_floor() or {}).items() if not isinstance(v, list)} or None}


def _info(run):
    from gancore.data import DataInfo
    return DataInfo.from_dict(run.load_checkpoint()["data_info"])


def alerts_of(rec: dict) -> list[str]:
    watch = HealthWatch(HealthContext(rec["steps"], rec["probability_scores"], rec["adversarial_only"]))
    return [c.summary() for c in watch.replay(rec["metrics"], rec["quality"], rec["floor"]) if c.open]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", default=None, help="keep the runs here (default: a temporary folder)")
    parser.add_argument("--only", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    root = Path(args.runs_dir) if args.runs_dir else Path(tempfile.mkdtemp(prefix="healthy-runs-"))
    store = RunStore(root)
    records = [recorded(ensure_run(store, name)) for name in args.only]
    false_alarms = 0
    for rec in records:
        opened = alerts_of(rec)
        false_alarms += len(opened)
        print(f"{rec['name']:<16} {len(rec['metrics']):>4} records  {len(rec['quality']):>3} measurements  "
              f"alerts: {'; '.join(opened) or 'none'}")
    print(f"false alarms on {len(records)} healthy default runs: {false_alarms}")
    # --only some runs: the others' records stay as they were
    kept = [r for r in json.loads(GOLDEN.read_text()) if r["name"] not in args.only] if GOLDEN.is_file() else []
    GOLDEN.write_text(json.dumps(kept + records, separators=(",", ":")) + "\n")
    print(f"wrote {GOLDEN.relative_to(REPO)} ({GOLDEN.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
