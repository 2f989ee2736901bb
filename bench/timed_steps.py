"""Training a reference implementation for a slice of wall-clock time (bench/time_to_quality.py):
whole steps until the slice has passed, so both references are timed the same way."""
from __future__ import annotations

import time
from typing import Callable


def train_for(state, seconds: float, step: Callable) -> float:
    """step(state) until `seconds` of wall time have passed (the last step may run over), with
    both networks in training mode; returns the seconds spent, also added to state.seconds."""
    state.generator.train()
    state.discriminator.train()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step(state)
    spent = time.perf_counter() - start
    state.seconds += spent
    return spent
