"""The Monitor's charts of a run, light or interactive as drawing.py says, built once for all of
the run's viewers.

Every viewer of a live run redraws on its own clock; `LiveFigures` builds a run's figures at most
once per `max_age` seconds and hands the same objects to all of them, so ten viewers cost the
server one figure build a second, not ten (building is the dearest part of a redraw).
Pure: no streamlit.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

from dashboard.components.charts import loss_figure, loss_svg, score_figure, score_svg
from dashboard.components.quality import quality_figures, quality_svgs
from dashboard.components.run_view import RunView
from dashboard.monitor.drawing import drawing_for


class LiveFigures:
    """The latest figures (plotly figures or SVG text) of each run, shared by every viewer and
    rebuilt at most once per `max_age` seconds (or when the run's history is a different one).
    Thread-safe; holds the figures of the `max_runs` most recently shown runs, so memory stays
    bounded."""

    def __init__(self, max_age: float = 1.0, max_runs: int = 16, clock: Callable[[], float] = time.monotonic):
        self.max_age, self.max_runs, self.clock = max_age, max_runs, clock
        self.builds = 0  # how many figures were built: what the sharing saves is measurable
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[float, tuple, object]] = OrderedDict()

    def get(self, run_id: str, name: str, records: list[dict], build: Callable[[list[dict]], object]) -> object:
        # A history that is not a continuation of the cached one (a resumed run cut back, another
        # run under the same id) is rebuilt at once: first step and length identify it.
        identity = (records[0]["step"] if records else None,)
        progress = (len(records), records[-1]["step"] if records else None)
        now = self.clock()
        with self._lock:
            entry = self._entries.get((run_id, name))
            if entry is not None:
                built_at, (ident, prog), fig = entry
                if ident == identity and (prog == progress or now - built_at < self.max_age):
                    self._entries.move_to_end((run_id, name))
                    return fig
        fig = build(records)  # outside the lock: other runs' viewers do not wait for this one
        with self._lock:
            self.builds += 1
            self._entries[(run_id, name)] = (now, (identity, progress), fig)
            self._entries.move_to_end((run_id, name))
            while len(self._entries) > 2 * self.max_runs:
                self._entries.popitem(last=False)
        return fig


def _drawn(view: RunView, figures: LiveFigures, name: str, records: list[dict], plotly_build, svg_build):
    """One chart: SVG text or a Plotly figure (drawing.py); a live run's from the shared cache,
    at most `max_age` old; an ended run's built as it is, once per page."""
    interactive = drawing_for(view).interactive
    build = plotly_build if interactive else svg_build
    if not view.live:
        return build(records)
    return figures.get(view.run_id, name if interactive else f"{name}-svg", records, build)


def run_charts(view: RunView, figures: LiveFigures) -> tuple[object, object]:
    """(losses, scores) of the run."""
    losses = _drawn(view, figures, "losses", view.metrics, loss_figure, loss_svg)
    scores = _drawn(view, figures, "scores", view.metrics, lambda r: score_figure(r, view.raw_scores),
                    lambda r: score_svg(r, view.raw_scores))
    return losses, scores


def quality_charts(view: RunView, figures: LiveFigures) -> Callable[[list[dict], dict | None, str], list]:
    """The Quality part's chart builder (records, floor, the floor's name) -> charts, by the same rule."""
    return lambda records, floor, words: _drawn(view, figures, "quality", records,
                                                lambda r: quality_figures(r, floor, words),
                                                lambda r: quality_svgs(r, floor, words))
