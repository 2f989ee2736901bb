"""pix2pix's quality goals (issue 19): on the CPU, each in at most 10 minutes of training, with the
variant's defaults, measured with the project's own evaluator (quality/translation.py) on the
pairs each dataset keeps out of training:

  sketch2digits: the digit classifier reads >= 95 % of the translated held-out sketches as the
  digit they were sketched from; also read on sketches drawn the way the Generate page's pad draws
  them (a round brush of a few pixels on a 10x larger canvas, shrunk with antialiasing), since
  what a person draws must translate well, not only the skeletons it trained on;
  grey2colour: PSNR (every colour) above the plain grey input's, on the held-out photo crops;
  inpaint: L1 and PSNR against the input with its hole, reported (no goal).

Each case is measured at fixed points of wall-clock training time (the measuring is not counted),
so the table says how soon a goal is met. Writes the "Image-to-image translation (pix2pix)"
section of docs/QUALITY.md.
Usage: python bench/pix2pix_quality.py [--cases sketch2digits grey2colour inpaint] [--minutes 10]
"""
from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from bench.doc_sections import replace_section
from gancore import load_dataset, make_config
from gancore.data.base import Pairs
from gancore.data.sketches import skimage_skeletonize
from gancore.quality.translation import TranslationMeasure
from gancore.training.trainer import Trainer

REPO = Path(__file__).resolve().parents[1]
MNIST = REPO.parent / "shared" / "data" / "mnist"
QUALITY_MD = REPO / "docs" / "QUALITY.md"
SECTION = "## Image-to-image translation (pix2pix)"
CASES = {
    "sketch2digits": dict(data_dir=str(MNIST), split="test"),
    "sketch2glyphs": {},
    "grey2colour": {},
    "inpaint": {},
}
CHECKPOINTS_S = (15, 30, 60, 120, 240, 420)  # training seconds at which quality is measured
PAD_ZOOM = 10  # the pad's canvas is this many times the model's side
BRUSHES = (10, 15, 25)  # brush widths in canvas pixels: 1, 1.5 and 2.5 pixels of the model's side


def brush_sketches(digits: torch.Tensor, brush: int) -> torch.Tensor:
    """(N, 1, S, S) digits in [-1, 1] -> sketches as a person would draw them on the pad: the
    digit's skeleton traced with a round brush `brush` pixels wide on a canvas PAD_ZOOM times
    larger (a line between the centres of every two touching skeleton pixels), then shrunk by
    area averaging, as the pad's drawing is."""
    skeletonize = skimage_skeletonize()
    side = digits.shape[-1]
    out = []
    for digit in digits:
        bones = skeletonize(digit[0].numpy() > 0)
        canvas = Image.new("L", (side * PAD_ZOOM, side * PAD_ZOOM), 0)
        pen = ImageDraw.Draw(canvas)
        centre = lambda i, j: (j * PAD_ZOOM + PAD_ZOOM / 2, i * PAD_ZOOM + PAD_ZOOM / 2)  # noqa: E731
        for i, j in zip(*bones.nonzero()):
            x, y = centre(i, j)
            pen.ellipse((x - brush / 2, y - brush / 2, x + brush / 2, y + brush / 2), fill=255)
            for di, dj in ((0, 1), (1, -1), (1, 0), (1, 1)):  # each touching pair once
                if 0 <= i + di < side and 0 <= j + dj < side and bones[i + di, j + dj]:
                    pen.line([centre(i, j), centre(i + di, j + dj)], fill=255, width=brush)
        out.append(torch.from_numpy(np.asarray(canvas.resize((side, side), Image.BOX), dtype=np.float32)))
    return torch.stack(out)[:, None] / 127.5 - 1


def measure(cfg, data, generator, pairs: Pairs | None = None) -> tuple[dict, dict]:
    """(scores, floor) of a copy of `generator` on the data's held-out pairs, or on `pairs`."""
    if pairs is not None:
        data = copy.copy(data)
        data.held_out_pairs = pairs
    m = TranslationMeasure(cfg, data, False, "cpu")
    m.prepare()
    return m(copy.deepcopy(generator).eval()), m.floor()


def run_case(name: str, minutes: float, seed: int) -> dict:
    cfg = make_config("pix2pix", name, device="cpu", seed=seed, eval_every=0, **CASES[name])
    data = load_dataset(cfg.data, cfg.seed)
    trainer = Trainer(cfg, data)
    budget = minutes * 60
    points, trained, floor = [], 0.0, None
    marks = [s for s in CHECKPOINTS_S if s < budget] + [budget]
    while trainer.step < cfg.steps and marks:
        start = time.perf_counter()
        trainer.train_step()
        trainer.step += 1
        trained += time.perf_counter() - start
        if trained >= marks[0] or trainer.step == cfg.steps:
            while marks and trained >= marks[0]:
                marks.pop(0)
            scores, floor = measure(cfg, data, trainer.gan.generator)
            points.append({"step": trainer.step, "seconds": round(trained), **scores})
            print(f"{name}: step {trainer.step} at {trained:.0f} s  {scores}", flush=True)
    result = {"case": name, "points": points, "floor": floor, "steps": cfg.steps,
              "settings": {k: v for k, v in cfg.flat().items()
                           if k in ("steps", "batch_size", "lr_g", "lr_d", "base_channels", "l1_weight",
                                    "image_size")}}
    held = data.held_out_pairs
    if held.labels is not None:  # digits: also sketches drawn as on the pad
        result["brushes"] = {}
        for brush in BRUSHES:
            drawn = Pairs(brush_sketches(held.targets, brush), held.targets, held.labels)
            scores, _ = measure(cfg, data, trainer.gan.generator, drawn)
            result["brushes"][brush] = scores["label_accuracy"]
            print(f"{name}: brush {brush} px: {scores}", flush=True)
    return result


def _fmt(scores: dict, key: str) -> str:
    if key not in scores:
        return "-"
    value = scores[key]
    return f"{100 * value:.1f} %" if key == "label_accuracy" else f"{value:.3f}" if key != "psnr" else f"{value:.2f}"


def write_section(results: list[dict], command: str) -> None:
    lines = [SECTION, "", f"Command: `{command}` (2 CPU cores; one process, cases one after another; "
             "seconds are training time, measuring not counted).", "",
             "Measured by gancore/quality/translation.py on the pairs each dataset keeps out of "
             "training: L1 on a 0-1 scale, PSNR (dB) over every colour of the 8-bit images, SSIM on "
             "brightness, and for digits the share the digit classifier (the Monitor's) reads as the "
             "digit sketched. *Input* is the floor: the input itself taken as the answer (for the "
             "classifier: the real digits).", "",
             "| case | step | s | L1 | PSNR | SSIM | digits read |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        for p in r["points"]:
            lines.append(f"| {r['case']} | {p['step']:,} | {p['seconds']} | {_fmt(p, 'l1')} | {_fmt(p, 'psnr')} | "
                         f"{_fmt(p, 'ssim')} | {_fmt(p, 'label_accuracy')} |")
        f = r["floor"]
        lines.append(f"| {r['case']}: input | | | {_fmt(f, 'l1')} | {_fmt(f, 'psnr')} | {_fmt(f, 'ssim')} | "
                     f"{_fmt(f, 'label_accuracy') + ' (real digits)' if 'label_accuracy' in f else '-'} |")
    lines += ["", "Goals:", ""]
    for r in results:
        last, f = r["points"][-1], r["floor"]
        if "label_accuracy" in last:
            first = next((p for p in r["points"] if p["label_accuracy"] >= 0.95), None)
            when = f"first at {first['seconds']} s (step {first['step']:,})" if first else "not reached"
            lines.append(f"- {r['case']}: digits read >= 95 %: **{'met' if first else 'missed'}**, {when}; "
                         f"at the end {100 * last['label_accuracy']:.1f} % (real digits: "
                         f"{100 * f['label_accuracy']:.1f} %).")
            brushes = ", ".join(f"{b / 10:g} px: {100 * acc:.1f} %" for b, acc in r["brushes"].items())
            lines.append(f"  Sketches drawn as on the pad (brush width at the model's side): {brushes}.")
        elif r["case"] == "grey2colour":
            gain = last["psnr"] - f["psnr"]
            lines.append(f"- grey2colour: PSNR above the grey input's: **{'met' if gain > 0 else 'missed'}** "
                         f"({last['psnr']:.2f} dB against {f['psnr']:.2f} dB, {gain:+.2f} dB).")
        else:
            lines.append(f"- {r['case']}: PSNR {last['psnr']:.2f} dB against the input's {f['psnr']:.2f} dB "
                         f"(no goal).")
    lines += ["", "Settings: " + "; ".join(f"{r['case']}: " + ", ".join(f"{k} {v}" for k, v in r["settings"].items())
                                          for r in results), ""]
    replace_section(QUALITY_MD, SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["sketch2digits", "grey2colour", "inpaint"],
                        choices=list(CASES))
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget per case")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/QUALITY.md")
    args = parser.parse_args()
    results = [run_case(name, args.minutes, args.seed) for name in args.cases]
    if not args.no_write:
        write_section(results, f"python bench/pix2pix_quality.py --cases {' '.join(args.cases)} "
                               f"--minutes {args.minutes:g} --seed {args.seed}")


if __name__ == "__main__":
    main()
