"""How long Pause, Resume and Stop take to show on the Monitor page: the time from the click to
the status line saying the new status (with the matching button), in Chromium driven by
Playwright against the real server, on a long ring8 run started from the Train page.

Prints one line per press and the medians (docs/BENCHMARKS.md, "Pause, Resume and Stop on the page").
Usage: python bench/press_latency.py [--reps 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(runs: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env=dict(os.environ, GANCORE_RUNS_DIR=runs),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not become healthy")


def _timed_press(page, button: str, shown_status: str, shown_button: str) -> float:
    """Seconds from the click on `button` to the status line reading `shown_status` with
    `shown_button` on the page (polled every animation frame in the page itself)."""
    page.get_by_role("button", name=button).wait_for(timeout=60_000)
    start = time.perf_counter()
    page.get_by_role("button", name=button).click()
    page.wait_for_function(
        """([status, button]) => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
             .some(el => el.innerText.includes('status: ' + status)) &&
           [...document.querySelectorAll('button')].some(b => b.innerText.trim().endsWith(button))""",
        arg=[shown_status, shown_button], polling="raf", timeout=60_000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as runs:
        proc, base = _serve(runs)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/")
                steps = page.get_by_role("textbox", name="Training steps")
                steps.fill("1000000")
                steps.press("Tab")
                page.wait_for_timeout(500)
                page.get_by_role("button", name="Start training").click()
                page.get_by_text("status: Running").first.wait_for(timeout=60_000)
                page.wait_for_timeout(5000)  # past the first numbers and the warm-up
                times = {"pause": [], "resume": [], "stop": []}
                for rep in range(args.reps):
                    times["pause"].append(_timed_press(page, "Pause", "Paused", "Resume"))
                    page.wait_for_timeout(1500)
                    times["resume"].append(_timed_press(page, "Resume", "Running", "Pause"))
                    page.wait_for_timeout(2500)
                    print(f"rep {rep}: pause {times['pause'][-1]:.2f} s, resume {times['resume'][-1]:.2f} s",
                          flush=True)
                times["stop"].append(_timed_press(page, "Stop", "Stopped", "Resume training"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    for action, values in times.items():
        print(f"{action}: median {statistics.median(values):.2f} s, max {max(values):.2f} s "
              f"over {len(values)} ({', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
