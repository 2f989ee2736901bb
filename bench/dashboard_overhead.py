"""What the dashboard costs a run: images/s of the same ring8 run trained headless by the CLI and
trained by the Streamlit server with the Monitor page open in Chromium (Playwright), alternating
A B A B; the time from the Start click to the first chart point, on that server and on fresh
ones; and the server's resident memory over a long live run with the Monitor open.

Writes the "Dashboard overhead" section of docs/BENCHMARKS.md.
Usage: python bench/dashboard_overhead.py [--steps 12000] [--reps 2] [--memory-minutes 20]
                                         [--cold-starts 3]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _records(run_dir: Path) -> list[dict]:
    """The run's log records after its first 10 % (warm-up)."""
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return records[len(records) // 10:]


def steady_rate(run_dir: Path) -> float:
    """Images/s over the run after warm-up: images trained over the training seconds. Not the
    median of the windows: this machine's speed jumps between two levels (~54k and ~79k img/s
    on ring8) every few seconds, and the median of such a mix lands on one level or the other."""
    records = _records(run_dir)
    batch = json.loads((run_dir / "config.json").read_text())["batch_size"]
    return ((records[-1]["step"] - records[0]["step"]) * batch
            / (records[-1]["wall_time"] - records[0]["wall_time"]))


def windows(run_dirs: list[Path]) -> list[float]:
    """images/s of every logged window (100 steps, ~0.4 s) of these runs, after warm-up."""
    return [r["images_per_s"] for d in run_dirs for r in _records(d)]


def two_levels(values: list[float]) -> float:
    """The cut that splits values into two groups with the least spread within them (Otsu's
    method, in one dimension): here, the machine's slow and fast speed levels."""
    xs = sorted(values)
    n, total, total_sq = len(xs), sum(xs), sum(x * x for x in xs)
    best, cut, below, below_sq = float("inf"), xs[0], 0.0, 0.0
    for i in range(1, n):
        below += xs[i - 1]
        below_sq += xs[i - 1] ** 2
        above, above_sq = total - below, total_sq - below_sq
        spread = (below_sq - below * below / i) + (above_sq - above * above / (n - i))
        if spread < best:
            best, cut = spread, (xs[i - 1] + xs[i]) / 2
    return cut


def share(part: list, whole: list) -> float:
    return len(part) / len(whole) if whole else float("nan")


def cli_run(steps: int, runs: Path, run_id: str) -> Path:
    subprocess.run([sys.executable, "-m", "gancore", "train", "--variant", "vanilla", "--dataset",
                    "ring8", "--steps", str(steps), "--runs-dir", str(runs), "--run-id", run_id,
                    "--quiet"], cwd=REPO, check=True)
    return runs / run_id


class Server:
    """The app as the README starts it."""

    def __init__(self, runs: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = dict(os.environ, GANCORE_RUNS_DIR=str(runs))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port",
             str(self.port), "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=2).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


# True once a chart on the page holds data: the SVG drawing of a training run (data-points), or
# a Plotly chart's traces (gd.data) when the run is paused or ended.
FIRST_POINT_JS = """() => [...document.querySelectorAll('svg.gs-chart')].some(svg => +svg.dataset.points > 0)
    || [...document.querySelectorAll('.js-plotly-plot')]
        .some(gd => (gd.data || []).some(trace => trace.x && trace.x.length > 0))"""


def start_from_browser(page, url: str, steps: int) -> tuple[str, float]:
    """Start a ring8 run from the Train page; returns (run id, seconds from click to first chart)."""
    page.goto(url)
    box = page.get_by_role("textbox", name="Training steps")
    box.wait_for(timeout=60_000)
    box.fill(str(steps))
    box.press("Tab")
    page.wait_for_timeout(800)
    clicked = time.perf_counter()
    page.get_by_role("button", name="Start training").click()
    # The charts show (empty) as soon as the Monitor opens; what counts is the first point in them.
    page.wait_for_function(FIRST_POINT_JS, timeout=60_000, polling=50)
    first_chart = time.perf_counter() - clicked
    run_id = page.url.split("run=")[1].split("&")[0]
    return run_id, first_chart


def cold_starts(page, tmp: Path, count: int) -> list[float]:
    """Start click to first chart on fresh servers: each started, its Train page opened and Start
    clicked as soon as the page allows, so torch's one-time start-up costs are still being paid."""
    times = []
    for n in range(count):
        server = Server(tmp / f"cold-runs{n}")
        try:
            times.append(start_from_browser(page, server.url, 300)[1])
        finally:
            server.close()
        print(f"fresh server {n}: first chart {times[-1]:.2f} s", flush=True)
    return times


def wait_finished(run_dir: Path, timeout: float) -> None:
    """Poll the run's status file, not the page: Playwright's own DOM polling would spend the
    CPU whose use by the page is what this benchmark measures."""
    end = time.time() + timeout
    while time.time() < end:
        if json.loads((run_dir / "status.json").read_text()).get("status") == "finished":
            return
        time.sleep(0.5)
    raise TimeoutError(f"{run_dir.name} did not finish in {timeout:.0f} s")


def overhead_section(args, cli_dirs: list[Path], app_dirs: list[Path], first_charts: list[float],
                     cold: list[float]) -> list[str]:
    cli_rates, app_rates = [steady_rate(d) for d in cli_dirs], [steady_rate(d) for d in app_dirs]
    pair_ratios = [a / c for a, c in zip(app_rates, cli_rates)]
    cli_w, app_w = windows(cli_dirs), windows(app_dirs)
    cut = two_levels(cli_w + app_w)
    levels = []
    for name, keep in (("slow", lambda x: x < cut), ("fast", lambda x: x >= cut)):
        c, a = [x for x in cli_w if keep(x)], [x for x in app_w if keep(x)]
        levels.append((name, c, a, statistics.median(a) / statistics.median(c) if a and c else float("nan")))
    worst = min(ratio for *_, ratio in levels)
    return [
        "## Dashboard overhead", "",
        f"Command: `python bench/dashboard_overhead.py --steps {args.steps} --reps {args.reps} "
        f"--memory-minutes 0 --cold-starts {args.cold_starts}`. The server runs as the README starts it "
        "(`python -m streamlit run dashboard/app.py`). The default ring8 run (vanilla, batch 256), the lightest "
        "and so the most sensitive to anything else the process does: headless CLI vs the Streamlit server with "
        "the Monitor page open in Chromium (refreshing every two seconds, as for one viewer), in pairs whose order "
        "alternates (CLI first, then app first).", "",
        "This machine trains at one of two speed levels and jumps between them every few seconds, in both "
        f"kinds of run alike, so whole runs differ by up to 1.5x for no reason of theirs. The windows of 100 steps "
        f"split at {cut:,.0f} img/s into the two levels (Otsu's cut over all windows), and at each level the app's "
        "windows are compared with the CLI's: the cost of the dashboard at the same machine speed.", "",
        "| machine speed level | CLI windows | CLI median img/s | app windows | app median img/s | dashboard / CLI |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| {name} | {len(c)} | {statistics.median(c):,.0f} | {len(a)} | {statistics.median(a):,.0f} "
          f"| **{ratio:.3f}** |" for name, c, a, ratio in levels], "",
        f"Dashboard / CLI at the same machine speed: **{worst:.3f}** at the worse level (goal >= 0.95). "
        f"Share of windows at the slow level: CLI {share(levels[0][1], cli_w):.0%}, app "
        f"{share(levels[0][2], app_w):.0%} (the level holds for seconds at a time, so a few runs' shares "
        "wander widely; the CLI runs, with nothing else training, show both levels too).", "",
        f"Whole runs (images over training seconds after the first 10 % of the log), {len(cli_rates)} pairs: "
        f"CLI median {statistics.median(cli_rates):,.0f} img/s, app median {statistics.median(app_rates):,.0f}, "
        f"ratio of the medians {statistics.median(app_rates) / statistics.median(cli_rates):.3f}, median of the "
        f"pairs' ratios {statistics.median(pair_ratios):.3f}; the pairs: "
        + ", ".join(f"{r:.2f}" for r in pair_ratios) + ".", "",
        f"Start click to first chart point (goal < 3 s): {', '.join(f'{t:.2f} s' for t in first_charts)} "
        "on the server above; on fresh servers, Start clicked 0.8 s after the Train page first "
        f"shows: {', '.join(f'{t:.2f} s' for t in cold) or 'not measured'}.", ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--memory-minutes", type=float, default=20.0)
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="gs-overhead-"))
    cli_dirs, app_dirs, first_charts = [], [], []
    memory: list[tuple[float, float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        cold = cold_starts(page, tmp, args.cold_starts) if args.reps else []
        server = Server(tmp / "app-runs")
        try:
            def headless(rep: int) -> None:
                cli_dirs.append(cli_run(args.steps, tmp / "cli-runs", f"cli{rep}"))

            def watched(rep: int) -> None:  # the same run started from the app, Monitor open
                run_id, first = start_from_browser(page, server.url, args.steps)
                first_charts.append(first)
                wait_finished(tmp / "app-runs" / run_id, timeout=600)
                app_dirs.append(tmp / "app-runs" / run_id)

            for rep in range(args.reps):
                # A B B A ...: each pair runs in the other order from the last, so a machine that
                # slows down (or speeds up) over the bench favours neither side
                for side in (headless, watched) if rep % 2 == 0 else (watched, headless):
                    side(rep)
                print(f"rep {rep}: cli {steady_rate(cli_dirs[-1]):,.0f} img/s, "
                      f"app {steady_rate(app_dirs[-1]):,.0f} img/s, "
                      f"first chart {first_charts[-1]:.2f} s", flush=True)
            if args.memory_minutes > 0:  # a long live run, Monitor open, server RSS every 10 s
                start_from_browser(page, server.url, 10_000_000)
                end = time.time() + args.memory_minutes * 60
                t0 = time.time()
                while time.time() < end:
                    memory.append(((time.time() - t0) / 60, rss_mb(server.proc.pid)))
                    time.sleep(10)
                page.get_by_role("button", name="Stop").click()
                print(f"memory: {memory[0][1]:.0f} MB -> {memory[-1][1]:.0f} MB", flush=True)
        finally:
            server.close()
            browser.close()

    after_1min = [m for t, m in memory if t >= 1.0] or [m for _, m in memory]
    section = overhead_section(args, cli_dirs, app_dirs, first_charts, cold) if cli_dirs else []
    if memory:
        section += [
            "## Server memory over a long live run", "",
            f"Command: `python bench/dashboard_overhead.py --reps 0 --memory-minutes {args.memory_minutes:g}`.",
            "",
            f"Server resident memory over a {args.memory_minutes:g}-minute live run with the Monitor "
            f"open: {memory[0][1]:.0f} MB at the start, {after_1min[0]:.0f} MB after 1 minute, "
            f"{memory[-1][1]:.0f} MB at the end: growth after warm-up **{memory[-1][1] - after_1min[0]:+.0f} MB** "
            "(goal < 100 MB).", "",
            "The job keeps at most 2,000 metric records and 500 quality records (halving the resolution "
            "as a run grows), charts get at most 400 points a line, and each live run's figures are "
            "shared by its viewers, so memory stays flat however long a run trains.", ""]
    out = Path(args.out)
    marker = "<!-- memory -->" if not cli_dirs else "<!-- dashboard overhead -->"
    text = out.read_text() if out.exists() else ""
    for m in ("<!-- dashboard overhead -->", "<!-- memory -->"):
        if m not in text:
            text += f"\n{m}\n"
    before, after = text.split(marker, 1)
    rest = after[after.index("<!-- memory -->"):] if marker == "<!-- dashboard overhead -->" else ""
    out.write_text(before + marker + "\n\n" + "\n".join(section) + "\n" + rest)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
