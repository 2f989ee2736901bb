"""A user's own small folder on defaults (issue 21): 100 face photos, dcgan at 32x32.

The faces are scikit-image's bundled `lfw_subset` (its first 100 images; the other 100 are not
faces), written as PNGs into a temporary folder and read by the "folder" dataset, as an upload
would be. Each arm trains dcgan on them through gancore's Trainer with no run folder:
  today      the small-data techniques off (diffaugment, R1, spectral norm, EMA as before issue 21);
  defaults   the variant's defaults for a folder, whatever they are now.
Reported per arm: D(x) and D(G(z)) over the last 10 % of the records (the goal: D(x) < 0.95 and
D(G(z)) > 0.05), the first step from which D(x) stayed above 0.99, and whether the samples read
as faces, in the feature space of a face-vs-not-face classifier trained on all 200 lfw_subset
images (the project's DigitClassifier): the share it calls a face, and FCD / precision / recall
of 50 samples against 50 real faces, beside the same measures between the two halves of the real
faces (real vs real). Writes docs/img/small_folder_faces.png (one row of samples per arm over the
real faces) and the "## A small folder: 100 faces" section of docs/QUALITY.md.
Usage: python bench/small_folder.py [--arms today defaults] [--steps N] [--seed 0] [--no-write]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from bench.doc_sections import replace_section
from gancore import make_config
from gancore.data.folder import load_folder
from gancore.quality.classifier import train_classifier
from gancore.quality.images import evaluate_images, real_floor
from gancore.quality.judges import Judge
from gancore.sampling import generate, noise
from gancore.sampling.pictures import image_grid, to_uint8
from gancore.training.trainer import train

REPO = Path(__file__).resolve().parents[1]
QUALITY_MD = REPO / "docs" / "QUALITY.md"
GRID_PNG = REPO / "docs" / "img" / "small_folder_faces.png"
SECTION = "## A small folder: 100 faces"
FACES = 100  # lfw_subset: images 0-99 are faces, 100-199 are not
SIDE = 32
HALF = FACES // 2  # real vs real compares the two halves of the faces
# "today": every technique issue 21 added at its off value, and the learning rates before it
# (diffaugment "" is off; None would mean the folder's default, which is on)
TODAY = dict(diffaugment="", r1_gamma=0.0, spectral_norm=False, g_ema_decay=0.0, loss="bce",
             lr_g=2e-4, lr_d=2e-4)


def write_lfw(root: Path) -> tuple[Path, Path]:
    """root/faces/*.png (the 100 faces, unlabelled: images straight in the folder) and
    root/judge/{face,other}/*.png (all 200, two classes for the judge)."""
    from skimage.data import lfw_subset

    images = (lfw_subset() * 255).round().astype(np.uint8)  # (200, 25, 25) gray
    faces, judge = root / "faces", root / "judge"
    for folder in (faces, judge / "face", judge / "other"):
        folder.mkdir(parents=True)
    for i, image in enumerate(images):
        picture = Image.fromarray(image)
        if i < FACES:
            picture.save(faces / f"{i:03d}.png")
        picture.save(judge / ("face" if i < FACES else "other") / f"{i:03d}.png")
    return faces, judge


def face_judge(judge_dir: Path, faces) -> Judge:
    """A face-vs-other classifier on all 200 images (label 0 = face), whose real side is the faces."""
    cfg = make_config("dcgan", "folder", data_dir=str(judge_dir), image_size=SIDE, device="cpu")
    data = load_folder(cfg.data, 0)
    model, accuracy = train_classifier(data, epochs=40, batch_size=32, holdout=0.2, seed=0)
    model.requires_grad_(False)
    real_u8 = to_uint8(faces.x)  # (100, 3, 32, 32): half 0 and half 1 of the judge's real side
    return Judge(model, float(accuracy), data.info, "lfw_subset faces", real_u8,
                 torch.zeros(FACES, dtype=torch.long))


def face_share(generator, judge: Judge, n: int = 500) -> float:
    images = generate(generator, noise(generator, n, 1, "cpu"), None)
    return float((judge.embed(images).probs.argmax(1) == 0).float().mean())


def run_arm(name: str, faces_dir: Path, faces, steps: int | None, seed: int, judge: Judge,
            extra: dict) -> dict:
    settings = TODAY if name == "today" else extra
    cfg = make_config("dcgan", "folder", data_dir=str(faces_dir), image_size=SIDE, device="cpu",
                      seed=seed, steps=steps, eval_every=0, **settings)
    started = time.perf_counter()
    trainer, records = train(cfg, faces)
    seconds = time.perf_counter() - started
    tail = records[-max(1, len(records) // 10):]
    won = None  # the first step from which every record has D(x) > 0.99
    for record in reversed(records):
        if record["d_real"] <= 0.99:
            break
        won = record["step"]
    generator = trainer.sampler
    quality = evaluate_images(generator, judge, conditional=False, n=HALF)
    row = dict(arm=name, steps=cfg.steps, seconds=seconds, settings=_technique_words(cfg),
               d_real=float(np.mean([r["d_real"] for r in tail])), d_fake=float(np.mean([r["d_fake"] for r in tail])),
               d_won_from=won, face_share=face_share(generator, judge), fcd=quality.fcd,
               precision=quality.precision, recall=quality.recall,
               samples=to_uint8(generate(generator, noise(generator, 16, 7, "cpu"), None)))
    print(f"{name}: {cfg.steps} steps in {seconds:.0f} s; D(x) {row['d_real']:.3f}, D(G(z)) {row['d_fake']:.3f}, "
          f"D(x) > 0.99 from step {won}; faces {row['face_share']:.2f}, FCD {quality.fcd:.2f}, "
          f"precision {quality.precision:.2f}, recall {quality.recall:.2f}", flush=True)
    return row


def _technique_words(cfg) -> str:
    flat = cfg.flat()
    on = [f"{k}={flat[k]}" for k in ("diffaugment", "r1_gamma", "spectral_norm", "g_ema_decay", "loss")
          if flat[k] not in (None, "", 0.0, False, "bce")]
    return ", ".join(on) or "none"


def section(command: str, rows: list[dict], floor, judge: Judge, loads) -> list[str]:
    lines = [SECTION, "", f"Command: `{command}` (CPU, {torch.get_num_threads()} torch threads; load average "
             f"{loads[0]:.2f} at the start, {loads[1]:.2f} at the end). bench/small_folder.py: scikit-image's "
             "`lfw_subset` faces (100, gray, 25x25, read as colour at 32x32) as a folder; dcgan; D(x) and D(G(z)) "
             "averaged over the last 10 % of the records. Faces: the share of 500 samples a face-vs-not-face "
             f"classifier (trained on all 200 lfw_subset images, held-out accuracy {judge.holdout_accuracy:.2f}) "
             "calls a face; FCD / precision / recall of 50 samples against 50 real faces in its feature space.", "",
             "| run | techniques on | steps | seconds | D(x) | D(G(z)) | D(x) > 0.99 from step | faces | FCD | precision | recall |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| dcgan, {r['arm']} | {r['settings']} | {r['steps']:,} | {r['seconds']:.0f} | {r['d_real']:.3f} | "
                     f"{r['d_fake']:.3f} | {r['d_won_from'] if r['d_won_from'] is not None else 'never'} | "
                     f"{r['face_share']:.2f} | {r['fcd']:.2f} | {r['precision']:.2f} | {r['recall']:.2f} |")
    lines.append(f"| real vs real (50 vs 50 faces) | | | | | | | 1.00 | {floor.fcd:.2f} | {floor.precision:.2f} | "
                 f"{floor.recall:.2f} |")
    lines += ["", f"![samples of each run, then real faces]({GRID_PNG.relative_to(QUALITY_MD.parent).as_posix()})", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", nargs="+", default=["today", "defaults"], choices=["today", "defaults"])
    parser.add_argument("--steps", type=int, default=None, help="default: the variant's own")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", default="{}", help="JSON settings on top of the defaults arm, to try some")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        faces_dir, judge_dir = write_lfw(Path(tmp))
        faces = load_folder(make_config("dcgan", "folder", data_dir=str(faces_dir), image_size=SIDE).data, 0)
        judge = face_judge(judge_dir, faces)
        print(f"face judge: held-out accuracy {judge.holdout_accuracy:.3f}", flush=True)
        rows = [run_arm(arm, faces_dir, faces, args.steps, args.seed, judge, json.loads(args.set))
                for arm in args.arms]
    floor = real_floor(judge, n=HALF)
    print(f"real vs real: FCD {floor.fcd:.2f}, precision {floor.precision:.2f}, recall {floor.recall:.2f}")
    command = "python bench/small_folder.py " + " ".join(
        [f"--arms {' '.join(args.arms)}"] + ([f"--set '{args.set}'"] if args.set != "{}" else []) + ([f"--steps {args.steps}"] if args.steps else []) + [f"--seed {args.seed}"])
    lines = section(command, rows, floor, judge, (load_start, os.getloadavg()[0]))
    print("\n".join(lines))
    if not args.no_write:
        GRID_PNG.parent.mkdir(exist_ok=True)
        grid = torch.cat([r["samples"] for r in rows] + [to_uint8(faces.x[:16])])
        image_grid(grid, nrow=16, upscale=3).save(GRID_PNG)
        replace_section(QUALITY_MD, SECTION, lines)


if __name__ == "__main__":
    main()
