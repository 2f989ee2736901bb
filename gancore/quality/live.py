"""Quality measured beside training: a thread that evaluates copies of the generator.

The training thread calls `offer(step, generator)` every `eval_every` steps. That costs it one copy
of G's weights (no host sync on the CPU; a device-to-device copy on a GPU) and never a wait: when
an evaluation is still running, or when evaluating again now would take more than `max_share` of
the time (a 2 s image evaluation every 3 s would halve a CPU run's speed), the offer is declined.
Results are collected by the training thread with `results()`, so listeners still hear every event
from that one thread.
"""
from __future__ import annotations

import copy
import queue
import threading
import time
import traceback
from typing import Callable

import torch

from ..training.threads import run_torch_inline_in_this_thread
from .measures import Measure


class SideEvaluator:
    def __init__(self, measure: Measure, generator: torch.nn.Module, max_share: float = 0.05,
                 clock: Callable[[], float] = time.perf_counter):
        self.measure, self.max_share, self.clock = measure, max_share, clock
        # Our own generator: weights are copied into it, so training never shares a tensor with us.
        self._model = copy.deepcopy(generator).eval().requires_grad_(False)
        self._inbox: queue.Queue = queue.Queue(maxsize=1)
        self._outbox: queue.Queue = queue.Queue()
        self._busy = threading.Event()
        self._not_before = 0.0  # clock time before which a new evaluation would exceed max_share
        self._floor_sent = False
        self._thread = threading.Thread(target=self._work, name="quality-evaluator", daemon=True)
        self._thread.start()

    # ---- training thread ----------------------------------------------------------------------
    def offer(self, step: int, generator: torch.nn.Module, force: bool = False) -> bool:
        """Evaluate G as it is at `step`, unless busy or too soon (`force`: even if too soon);
        True when accepted."""
        if self._busy.is_set() or (self.clock() < self._not_before and not force):
            return False
        weights = {k: v.detach().clone() for k, v in generator.state_dict().items()}
        self._busy.set()
        self._inbox.put((step, weights))
        return True

    def results(self) -> list[dict]:
        """Finished evaluations since the last call: {"step", "metrics", "seconds"} or {"step",
        "error"}; the first one also carries "floor" (real vs real) when the measure has one."""
        out = []
        while True:
            try:
                out.append(self._outbox.get_nowait())
            except queue.Empty:
                return out

    def wait_idle(self, timeout: float | None = None) -> None:
        end = None if timeout is None else self.clock() + timeout
        while self._busy.is_set() and (end is None or self.clock() < end):
            time.sleep(0.01)

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=60)

    # ---- evaluator thread ---------------------------------------------------------------------
    def _work(self) -> None:
        # Inline torch ops: a second OpenMP team in the process would slow the training thread's
        # own team for the rest of the run (see training/threads.py). On a GPU the work is on the card.
        run_torch_inline_in_this_thread()
        while True:
            job = self._inbox.get()
            if job is None:
                return
            step, weights = job
            spent = 0.0
            try:
                floor = None
                if not self._floor_sent:  # one-off work (training the judge, the floor): not timed
                    self.measure.prepare()
                    floor = self.measure.floor()
                    self._floor_sent = True
                start = self.clock()
                self._model.load_state_dict(weights)
                with torch.no_grad():
                    result = {"step": step, "metrics": self.measure(self._model)}
                spent = self.clock() - start
                if floor is not None:
                    result["floor"] = floor
            except Exception as exc:  # noqa: BLE001  (a failed measurement must not stop training)
                result = {"step": step, "error": f"{type(exc).__name__}: {exc}",
                          "detail": traceback.format_exc()}
            result["seconds"] = spent
            # Idle long enough that evaluating takes at most max_share of the wall time.
            self._not_before = self.clock() + spent * (1.0 / self.max_share - 1.0)
            self._outbox.put(result)
            self._busy.clear()
