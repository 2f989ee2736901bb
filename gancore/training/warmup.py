"""Pay torch's one-time start-up costs before the first run needs them.

Why: a process's first `torch.optim.Adam(...)` imports torch._dynamo, about 1.8 s on the 2-core
CPU (cProfile of `start_run`: 1.8 of its 1.8 s). In the dashboard that import landed between the
Start click and the first chart point. The server starts this warm-up as it starts
(dashboard/server.py's lifespan; as a fallback, when it first builds its job manager), while
nobody has clicked anything yet; a run started meanwhile simply waits on the same import
(Python's import lock), so nothing is paid twice.
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
