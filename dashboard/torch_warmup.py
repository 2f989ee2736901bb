"""Pay torch's one-time start-up costs before the first run needs them.

Why: a process's first `torch.optim.Adam(...)` imports torch._dynamo, most of the time from a
Start click to the first chart point (docs/BENCHMARKS.md). The server starts this warm-up as it
starts, while nobody has clicked anything yet; a run started meanwhile simply waits on the same
import (Python's import lock), so nothing is paid twice.

It imports torch and nothing of gancore: the warm-up thread runs while the pages' script thread
imports gancore, and one package imported from two threads at once can be met half-initialised
(a thread finds `gancore` in sys.modules before its other thread has finished running it), which
ends in an ImportError on the page. Only the script thread imports gancore.
"""
from __future__ import annotations

import threading

import torch


def warm_up() -> None:
    """Build one optimizer on a one-element tensor: no parallel op runs, so no OpenMP team."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def warm_up_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="torch-warm-up", daemon=True)
    thread.start()
    return thread
