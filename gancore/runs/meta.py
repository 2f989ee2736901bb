"""What a person says about a run, and where it came from: meta.json in the run folder.

  {"name": "sharper digits", "note": "half the D rate", "parent": "<run id>", "fork_step": 2000,
   "fork_checkpoint": "step_0002000.pt", "imported": false, "source": null}

The run id stays the folder's name and the URL's `?run=`; the name is only what lists show. A
fork records its parent run and the step it started from; an imported run (runs/bundle.py) is
read-only and says which run it was exported from (`source`). A missing or unreadable meta.json
reads as an unnamed run made here, so every run folder written before names existed still opens.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..errors import RunError

META_FILE = "meta.json"
MAX_NAME = 80  # one line in a table or a picker
MAX_NOTE = 4000  # a paragraph or two


@dataclass(frozen=True)
class RunMeta:
    name: str = ""
    note: str = ""
    parent: str | None = None  # the run this one was forked from
    fork_step: int | None = None  # the parent's step the fork started from
    fork_checkpoint: str | None = None  # the parent's checkpoint it started from
    imported: bool = False  # brought in from a run bundle: read-only
    source: str | None = None  # imported: the id the run had where it was exported

    @property
    def forked(self) -> bool:
        return self.parent is not None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> RunMeta:
        """Tolerant of unknown keys and wrong types (a hand-edited or older file): what does
        not fit reads as its default."""
        if not isinstance(data, dict):
            return cls()
        kinds = {"name": str, "note": str, "parent": str, "fork_step": int, "fork_checkpoint": str,
                 "imported": bool, "source": str}
        known = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in known and isinstance(v, kinds[k])
                 and not (kinds[k] is int and isinstance(v, bool))}
        return cls(**clean)


def check_name(name: str) -> str:
    """A run's name, stripped: one line of at most MAX_NAME characters ("" = no name)."""
    if not isinstance(name, str):
        raise RunError(f"name: must be text, got {name!r}")
    name = name.strip()
    if "\n" in name or "\r" in name:
        raise RunError("name: must be one line (put longer text in the note)")
    if len(name) > MAX_NAME:
        raise RunError(f"name: at most {MAX_NAME} characters, got {len(name)}")
    return name


def check_note(note: str) -> str:
    if not isinstance(note, str):
        raise RunError(f"note: must be text, got {note!r}")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise RunError(f"note: at most {MAX_NOTE:,} characters, got {len(note):,}")
    return note


def read_meta(folder: Path) -> RunMeta:
    try:
        return RunMeta.from_json(json.loads((Path(folder) / META_FILE).read_text()))
    except (OSError, ValueError):
        return RunMeta()


def edited(meta: RunMeta, name: str | None = None, note: str | None = None) -> RunMeta:
    """`meta` with a new name and/or note (None: unchanged), both checked."""
    changes = {}
    if name is not None:
        changes["name"] = check_name(name)
    if note is not None:
        changes["note"] = check_note(note)
    return replace(meta, **changes)


def label(run_id: str, meta: RunMeta) -> str:
    """How a run reads in a list: its name and id ("sharper digits (2026...-a1b2)"), or the id."""
    return f"{meta.name} ({run_id})" if meta.name else run_id
