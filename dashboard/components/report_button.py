""""Download ... report (.html)": a run's report or a comparison's, built on the click
(gancore/report: one file with charts, pictures, quality and settings that opens offline)."""
from __future__ import annotations

from typing import Callable

HELP = ("one HTML file with the charts, the pictures over time, the quality and the settings, in "
        "plain words: it opens offline in any browser, for sending to someone who doesn't program")


def report_button(where, make: Callable[[], str], label: str, file_name: str, key: str) -> None:
    """The button in `where` (a container, or st); `make`: gancore.report's run_report or
    comparison_report with its arguments, called only when the button is pressed."""
    where.download_button(label, data=lambda: make().encode("utf-8"), file_name=file_name, mime="text/html",
                          icon=":material/description:", on_click="ignore", help=HELP, key=key)
