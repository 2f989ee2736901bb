"""The dashboard's pages under Streamlit's AppTest, opened as a browser would open a link."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "navigation.py")  # the pages app.py serves


def open_app(page: str | None = None, run: str | None = None) -> AppTest:
    """The app with `?run=<run>` in its address, switched to `page` (views/<name>.py) when given."""
    at = AppTest.from_file(APP, default_timeout=60)
    if run is not None:
        at.query_params["run"] = run
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at
