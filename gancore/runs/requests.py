"""Pause, resume and stop for a run trained by another process (the command line, torchrun's
ranks): the asker writes the run folder's requests.json, and the trainer's process takes it at
its next log step (rank 0 under torchrun, which passes it on to every rank), or within a second
while paused. A request is taken once: reading it removes the file.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..errors import RunError
from .store import atomic_write_json

REQUESTS = "requests.json"
ACTIONS = ("pause", "resume", "stop")


def ask(run_path: Path, action: str) -> None:
    """Leave `action` for the process that trains the run in `run_path` (the latest ask wins)."""
    if action not in ACTIONS:
        raise RunError(f"action: must be one of {', '.join(ACTIONS)}, got {action!r}")
    atomic_write_json(Path(run_path) / REQUESTS, {"action": action, "asked": time.time()})


def take(run_path: Path) -> str | None:
    """The action asked for since the last take, or None; a file that is not a request is dropped."""
    path = Path(run_path) / REQUESTS
    try:
        text = path.read_text()
        os.unlink(path)
    except OSError:  # none asked (the common case: one failed stat per log step)
        return None
    try:
        action = json.loads(text).get("action")
    except (ValueError, AttributeError):
        return None
    return action if action in ACTIONS else None


def pending(run_path: Path) -> str | None:
    """The action asked for and not yet taken (for a page to say "asked: stop"), or None."""
    try:
        action = json.loads((Path(run_path) / REQUESTS).read_text()).get("action")
    except (OSError, ValueError, AttributeError):
        return None
    return action if action in ACTIONS else None
