"""Torch's CPU threads for helper threads (the quality evaluator): run their ops inline.

Why: PyTorch's CPU ops run on OpenMP, and every Python thread that runs a parallel op gets an
OpenMP team of its own. libgomp counts the threads of all teams; once they outnumber the CPUs it
cuts the spin-wait of every team from ~3 ms to ~1000 iterations, so the training thread's workers
fall asleep between ops and each op pays a futex wake-up. Measured on the 2-core machine: vanilla
on ring8 trained at 85k img/s until the evaluator thread first measured, then at 42k img/s for the
rest of the run; cdcgan on MNIST went from 2,200 to 1,700 img/s. A helper thread whose torch ops
run inline (one thread) makes no team, and training keeps its speed.
"""
from __future__ import annotations

import ctypes
import functools

import torch


@functools.lru_cache(maxsize=1)
def _omp_set_num_threads():
    """omp_set_num_threads of the OpenMP runtime torch loaded (libgomp, or libiomp), or None
    where it cannot be found (no /proc, another runtime): then nothing is changed."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "libgomp" in line or "libiomp" in line})
    except OSError:
        return None
    for path in paths:
        try:
            return ctypes.CDLL(path).omp_set_num_threads
        except (OSError, AttributeError):
            continue
    return None


def run_torch_inline_in_this_thread() -> bool:
    """From now on, torch's CPU ops called by this thread run on this thread alone, without an
    OpenMP team; other threads keep their own count. True when that took effect."""
    torch.get_num_threads()  # torch sets a thread's OpenMP count on its first use: let it, then override
    setter = _omp_set_num_threads()
    if setter is None:
        return False
    setter(1)
    return torch.get_num_threads() == 1
