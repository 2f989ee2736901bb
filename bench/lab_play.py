"""What the 2D Lab's Play costs and gives: frames a second in Chromium at each speed, the server's
time per frame by part, and the images/s of a ring8 run trained by the CLI beside it, against
the same run alone (bench/dashboard_overhead.py's pairing: A B, then B A).

A frame is one rerun of the lab's fragment (lab_player.py): `speed` iterations, one snapshot, two
figures. Frames a second = (steps advanced / speed) / seconds, read off the page's Step counter
at both ends of a window.

Writes the "2D Lab: Play" section of docs/BENCHMARKS.md (between its <!-- lab play --> markers).
Usage: python bench/lab_play.py [--steps 6000] [--reps 2] [--window 15]   (--reps 0: frames/s only, printed)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dashboard_overhead import CHROMIUM_ARGS, REPO, Server, steady_rate, two_levels, windows

SPEEDS = (1, 5, 20)
MARK = "<!-- lab play -->"


def lab_step(page) -> int:
    value = page.get_by_test_id("stMetric").filter(has_text="Step").first.get_by_test_id("stMetricValue")
    return int(value.inner_text().replace(",", ""))


def set_speed(page, speed: int) -> None:
    """The speed slider, moved with the keyboard to `speed` (its options: lab_player.SPEEDS)."""
    from dashboard.components.lab_player import SPEEDS as ALL
    thumb = page.get_by_role("slider", name="Speed (iterations per frame)")
    thumb.focus()
    thumb.press("Home")
    for _ in range(ALL.index(speed)):
        thumb.press("ArrowRight")
    page.wait_for_timeout(1500)  # the page redraws with the new speed


def frames_per_second(page, speed: int, seconds: float) -> float:
    """Play for `seconds` (after 2 s to settle) and count frames by the steps advanced."""
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(2000)
    s0, t0 = lab_step(page), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    s1, t1 = lab_step(page), time.perf_counter()
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    return (s1 - s0) / speed / (t1 - t0)


def server_frame_parts(reps: int = 30) -> dict[str, float]:
    """Milliseconds of each part of a frame in this process (one thread, as the lab runs)."""
    from dashboard.components.lab_figure import lab_figure
    from dashboard.components.lab_history import lab_history_figure, lab_history_svgs
    from dashboard.components.lab_player import GRID, POINTS
    from gancore import make_config
    from gancore.lab2d import Lab2D

    lab = Lab2D(make_config("vanilla", "ring8", device="cpu"))
    lab.step(iterations=20)
    parts = {"5 iterations": [], "snapshot (with manifold)": [], "picture figure": [],
             "history as SVG (playing)": [], "history figure (Plotly, paused)": []}
    for _ in range(reps):
        t = time.perf_counter()
        lab.step(iterations=5)
        parts["5 iterations"].append(time.perf_counter() - t)
        t = time.perf_counter()
        snap = lab.snapshot(grid=GRID, n_points=POINTS, manifold=True)
        parts["snapshot (with manifold)"].append(time.perf_counter() - t)
        lab.frames.add(snap)
        t = time.perf_counter()
        lab_figure(snap).to_json()
        parts["picture figure"].append(time.perf_counter() - t)
        t = time.perf_counter()
        lab_history_svgs(list(lab.history), *lab.frames.divergence())
        parts["history as SVG (playing)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        lab_history_figure(list(lab.history), *lab.frames.divergence()).to_json()
        parts["history figure (Plotly, paused)"].append(time.perf_counter() - t)
    return {name: 1000 * statistics.median(v) for name, v in parts.items()}


def cli_run(steps: int, runs: Path, run_id: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gancore", "train", "--variant", "vanilla", "--dataset",
                             "ring8", "--steps", str(steps), "--runs-dir", str(runs), "--run-id", run_id,
                             "--quiet"], cwd=REPO)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--window", type=float, default=15.0)
    parser.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="gs-lab-"))
    load = [os.getloadavg()[0]]  # other work on this shared machine: said beside the numbers
    parts = server_frame_parts()
    print("server ms per frame part:", {k: round(v, 1) for k, v in parts.items()}, flush=True)
    fps, alone, beside, beside_fps = {}, [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # the runs train in the folder the app shows, as a run started there (or by the CLI in
        # the app's folder) does: the lab sees it training and plays slower (lab_player.py)
        runs = tmp / "app-runs"
        server = Server(runs)
        try:
            page.goto(server.url + "/lab")
            page.get_by_role("button", name="Start a fresh lab").click()
            page.get_by_role("button", name="Play").wait_for(timeout=60_000)
            for speed in SPEEDS:
                set_speed(page, speed)
                fps[speed] = frames_per_second(page, speed, args.window)
                print(f"speed {speed}: {fps[speed]:.1f} frames/s", flush=True)
            set_speed(page, 5)
            if not args.reps:  # frames a second only (a quick A/B of a drawing change): nothing written
                return

            def headless(rep: int) -> None:
                cli_run(args.steps, runs, f"alone{rep}").wait()
                alone.append(runs / f"alone{rep}")

            def with_lab(rep: int) -> None:  # the lab playing at speed 5 the whole run long
                proc = cli_run(args.steps, runs, f"beside{rep}")
                page.get_by_role("button", name="Play").click()
                s0, t0 = lab_step(page), time.perf_counter()
                proc.wait()
                s1, t1 = lab_step(page), time.perf_counter()
                page.get_by_role("button", name="Pause").click()
                page.get_by_role("button", name="Play").wait_for(timeout=30_000)
                beside.append(runs / f"beside{rep}")
                beside_fps.append((s1 - s0) / 5 / (t1 - t0))

            for rep in range(args.reps):
                for side in (headless, with_lab) if rep % 2 == 0 else (with_lab, headless):
                    side(rep)
                print(f"rep {rep}: alone {steady_rate(alone[-1]):,.0f} img/s, beside the lab "
                      f"{steady_rate(beside[-1]):,.0f} img/s, lab {beside_fps[-1]:.1f} frames/s", flush=True)
        finally:
            server.close()
            browser.close()
    load.append(os.getloadavg()[0])
    write(args, parts, fps, alone, beside, beside_fps, load)


def write(args, parts, fps, alone, beside, beside_fps, load) -> None:
    a_rates, b_rates = [steady_rate(d) for d in alone], [steady_rate(d) for d in beside]
    a_w, b_w = windows(alone), windows(beside)
    cut = two_levels(a_w + b_w)
    levels = []
    for name, keep in (("slow", lambda x: x < cut), ("fast", lambda x: x >= cut)):
        a, b = [x for x in a_w if keep(x)], [x for x in b_w if keep(x)]
        levels.append((name, a, b, statistics.median(b) / statistics.median(a) if a and b else float("nan")))
    section = [
        "## 2D Lab: Play", "",
        f"Command: `python bench/lab_play.py --steps {args.steps} --reps {args.reps} --window {args.window:g}`. "
        "The server as the README starts it, the 2D Lab open in Chromium on a fresh vanilla ring8 lab; a "
        "frame is one rerun of the lab's fragment (`speed` iterations, one snapshot with D's 60 x 60 "
        "lattice, 500 points and their arrows, the picture and the history figures), asked for every "
        "0.1 s. Frames a second: steps advanced / speed / seconds, off the page's Step counter. "
        f"The machine's 1-minute load average was {load[0]:.1f} at the start and {load[1]:.1f} at the end "
        "(2 cores: above 2, other work was competing for them).", "",
        "| speed (iterations a frame) | frames/s, no run beside it |", "|---:|---:|",
        *[f"| {s} | **{f:.1f}** |" for s, f in fps.items()], "",
        "The server's time per frame, by part (median of 30, this process, one thread as the lab runs): "
        + ", ".join(f"{k} {v:.1f} ms" for k, v in parts.items()) + ".", "",
        f"A ring8 run (vanilla, batch 256, {args.steps:,} steps, `python -m gancore train`) alone and with the "
        "lab playing at speed 5 beside it, in pairs whose order alternates. The windows of 100 steps split at "
        f"{cut:,.0f} img/s into this machine's two speed levels (as in Dashboard overhead):", "",
        "| machine speed level | alone windows | alone median img/s | beside windows | beside median img/s | beside / alone |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {name} | {len(a)} | {statistics.median(a) if a else float('nan'):,.0f} | {len(b)} | "
          f"{statistics.median(b) if b else float('nan'):,.0f} | **{r:.3f}** |" for name, a, b, r in levels], "",
        f"Whole runs: alone {', '.join(f'{r:,.0f}' for r in a_rates)} img/s; beside the lab "
        f"{', '.join(f'{r:,.0f}' for r in b_rates)} img/s (ratio of the medians "
        f"{statistics.median(b_rates) / statistics.median(a_rates):.3f}). The lab meanwhile drew "
        f"{', '.join(f'{f:.1f}' for f in beside_fps)} frames/s.", ""]
    out = Path(args.out)
    text = out.read_text() if out.exists() else ""
    if text.count(MARK) < 2:
        text += f"\n{MARK}\n{MARK}\n"
    before, _, after = text.split(MARK, 2)
    out.write_text(before + MARK + "\n\n" + "\n".join(section) + "\n" + MARK + after)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
