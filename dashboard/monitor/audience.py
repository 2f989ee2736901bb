"""Who watches which live run, and how often each of their pages asks the live feed.

Every poll costs the server a little work (holding the GIL the training thread needs) and costs
that viewer's browser a swap of the live part; on a small server many viewers polling every second
took CPU from training. So a run gets a refresh budget, `REFRESHES_PER_S` in all, shared by its
viewers: alone, a page polls every two seconds; with ten viewers, every five seconds. Not faster
than every two seconds even alone: a browser on the same small machine as training takes its CPU
from training at each swap (docs/BENCHMARKS.md), and two seconds still reads as live.
Pure: no streamlit, a clock can be injected for tests.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Callable

REFRESHES_PER_S = 2.0  # page refreshes per second per live run, all of its viewers together
FASTEST_REFRESH_S = 2.0  # the browser's CPU per second, against two seconds still reading as live
# Until a live run logs its first numbers, its pages refresh this often: those first points are
# what a person who just pressed Start waits for, and the wait lasts a second or two.
FIRST_POINT_REFRESH_S = 0.25


def refresh_seconds(viewers: int, first_numbers_due: bool = False) -> float:
    """Seconds between two refreshes of one viewer's page: whole seconds, at least two; a quarter
    of a second while a just-started run has logged nothing yet."""
    if first_numbers_due:
        return FIRST_POINT_REFRESH_S
    return max(FASTEST_REFRESH_S, float(math.ceil(max(viewers, 1) / REFRESHES_PER_S)))


class Audience:
    """Viewers of each run, as last seen by their pages' polls. A viewer who has not polled for
    two of its intervals (plus slack) has left: closed the tab or moved on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, float, float]] = {}  # viewer -> (run_id, when, interval)

    def seen(self, viewer: str, run_id: str, interval: float) -> None:
        with self._lock:
            self._seen[viewer] = (run_id, self.clock(), interval)

    def count(self, run_id: str) -> int:
        now = self.clock()
        with self._lock:
            gone = [v for v, (_, when, interval) in self._seen.items() if now - when > 2 * interval + 2.0]
            for viewer in gone:
                del self._seen[viewer]
            return sum(1 for watched, _, _ in self._seen.values() if watched == run_id)
