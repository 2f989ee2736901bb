"""Where the dashboard's cost goes: one ring8 run started from the Train page, watched on its
Monitor page and then with the same tab on about:blank, each for a window of seconds. Prints, per
window, the run's images/s (median of its logged windows), the CPU of all Chromium processes and
of the Streamlit server (training included), in % of one core. A diagnosis, not a table: see
"What the dashboard costs a run" in docs/BENCHMARKS.md.

Usage: python bench/dashboard_cpu_split.py [--seconds 30] [--pairs 1]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.dashboard_overhead import CHROMIUM_ARGS, Server, start_from_browser

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int | str) -> int:
    """utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def chromium_ticks() -> int:
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if "chrom" in f.read():
                    total += cpu_ticks(pid)
        except OSError:
            continue  # a process that ended meanwhile
    return total


def window(label: str, seconds: float, server_pid: int, run_dir: Path) -> tuple[float, float]:
    """(median images/s, Chromium % of a core) over one window."""
    records = lambda: (run_dir / "metrics.jsonl").read_text().splitlines()  # noqa: E731
    n0, s0, c0 = len(records()), cpu_ticks(server_pid), chromium_ticks()
    time.sleep(seconds)
    lines, s1, c1 = records(), cpu_ticks(server_pid), chromium_ticks()
    rates = [json.loads(line)["images_per_s"] for line in lines[n0 + 1:]]  # the first may straddle
    pct = lambda ticks: 100 * ticks / TICKS / seconds  # noqa: E731
    print(f"{label:>8}: {statistics.median(rates):,.0f} img/s; Chromium {pct(c1 - c0):.1f} % of a core; "
          f"server (training included) {pct(s1 - s0):.0f} %", flush=True)
    return statistics.median(rates), pct(c1 - c0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pairs", type=int, default=1,
                        help="Monitor / about:blank windows, alternating; more pairs average out "
                             "the machine's own speed changes")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="gs-cpu-split-"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        server = Server(tmp / "runs")
        try:
            run_id, first = start_from_browser(page, server.url, 10_000_000)
            print(f"start click to first chart point: {first:.2f} s", flush=True)
            run_dir = tmp / "runs" / run_id
            time.sleep(5)  # past the warm-up
            ratios, chromium = [], []
            for n in range(args.pairs):
                if n:  # back to the run's Monitor, as a viewer opening its link
                    page.goto(f"{server.url}/monitor?run={run_id}")
                    page.locator(".gs-readout").first.wait_for(timeout=60_000)
                    time.sleep(3)
                monitor, cpu = window("Monitor", args.seconds, server.proc.pid, run_dir)
                page.goto("about:blank")
                time.sleep(3)
                blank, _ = window("blank", args.seconds, server.proc.pid, run_dir)
                ratios.append(monitor / blank)
                chromium.append(cpu)
            print(f"Monitor / about:blank images/s, median of {args.pairs} pairs: {statistics.median(ratios):.3f} "
                  f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)}); Chromium with the Monitor open: "
                  f"median {statistics.median(chromium):.1f} % of a core", flush=True)
        finally:
            server.close()
            browser.close()


if __name__ == "__main__":
    main()
