"""Pause, resume and stop for a Trainer: asked from any thread (the dashboard's buttons), from
other processes (runs/requests.py, polled through `take_requests_from`), and under torchrun
decided by rank 0 and taken by every rank at the same step (one small broadcast per log step).
"""
from __future__ import annotations

import threading
from typing import Callable

import torch

from .distributed import Ranks, broadcast_flags


class Control:
    def __init__(self, ranks: Ranks | None, device: torch.device):
        self.ranks, self.device = ranks, device
        self._pause = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()  # set whenever pause/resume/stop is asked for
        self._requests: Callable[[], str | None] | None = None

    @property
    def paused(self) -> bool:
        return self._pause.is_set() and not self._stop.is_set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def pause(self) -> None:
        self._pause.set()
        self._wake.set()

    def resume(self) -> None:
        self._pause.clear()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def take_requests_from(self, source: Callable[[], str | None]) -> None:
        """`source()`: "pause", "resume", "stop" or None, asked of this run by another process.
        Polled at each log step and every second while paused, by rank 0 alone."""
        self._requests = source

    def _take_requests(self) -> None:
        if self._requests is None or (self.ranks is not None and not self.ranks.main):
            return
        action = self._requests()
        if action is not None:
            getattr(self, action)()

    def _sync(self) -> None:
        """Every rank takes rank 0's pause and stop (a no-op when training alone)."""
        if self.ranks is None:
            return
        pause, stop = broadcast_flags([self._pause.is_set(), self._stop.is_set()], self.device)
        for flag, on in ((self._pause, pause), (self._stop, stop)):
            flag.set() if on else flag.clear()

    def due(self, step: int, log_every: int) -> bool:
        """Whether pause and stop are looked at before `step`: every step alone; with several
        ranks at every log step, after all of them have taken rank 0's requests, so that they all
        pause or stop at the same step."""
        at_log = step % log_every == 0
        if at_log:  # another process's asks: a file's stat per log step, never per step
            self._take_requests()
        if self.ranks is None:
            return True
        if not at_log:
            return False
        self._sync()
        return True

    def wait_while_paused(self) -> None:
        """Until resumed or stopped. With several ranks, rank 0 tells the others every second
        whether to go on waiting."""
        while True:
            self._take_requests()
            self._sync()
            if not self.paused:
                return
            if self.ranks is None or self.ranks.main:  # the others wait in the next broadcast
                self._wake.wait(timeout=1.0)
                self._wake.clear()
