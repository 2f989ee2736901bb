"""Torch's CPU threads for helper threads (the quality evaluator): run their ops inline.

Why: each Python thread that runs a parallel torch op gets an OpenMP team of its own, and once the
teams outnumber the CPUs libgomp shortens every team's spin-wait, which slows the training thread.
"""
from __future__ import annotations

import torch
from threadpoolctl import threadpool_limits


def run_torch_inline_in_this_thread() -> bool:
    """From now on, torch's CPU ops called by this thread run on this thread alone, without an
    OpenMP team; other threads keep their own count. True when that took effect."""
    torch.get_num_threads()  # torch sets a thread's OpenMP count on its first use: let it, then override
    # omp_set_num_threads, which threadpoolctl calls for user_api="openmp", sets the calling
    # thread's count only. Never restored: the limit lasts as long as this thread.
    threadpool_limits(limits=1, user_api="openmp")
    return torch.get_num_threads() == 1
