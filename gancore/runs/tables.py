"""A run's numbers as CSV, for a spreadsheet: its metrics (metrics.jsonl) or its quality
measurements (quality.jsonl), one row per record. The CLI's `export --out FILE.csv` and the Runs
page's buttons write the same text."""
from __future__ import annotations

import csv
import io

from ..errors import RunError
from .store import Run

TABLES = ("metrics", "quality")


def _columns(record: dict) -> dict:
    """A list value (quality's per_class_accuracy) spread over key_0, key_1, ...: one number a cell."""
    out = {}
    for key, value in record.items():
        if isinstance(value, (list, tuple)):
            out.update({f"{key}_{i}": item for i, item in enumerate(value)})
        else:
            out[key] = value
    return out


def records_csv(records: list[dict]) -> str:
    """A header of every key in the order first seen, step first, then one row per record; a
    missing or None value is an empty cell, NaN and infinities read nan / inf / -inf."""
    rows = [_columns(r) for r in records]
    header = list(dict.fromkeys(["step", *(key for row in rows for key in row)]))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def table_records(run: Run, table: str) -> list[dict]:
    """The records of one of the run's TABLES."""
    if table not in TABLES:
        raise RunError(f"table: must be one of {', '.join(TABLES)}, got {table!r}")
    return run.metrics() if table == "metrics" else run.quality()


def run_csv(run: Run, table: str) -> str:
    """One of the run's TABLES ("metrics" or "quality") as CSV text."""
    return records_csv(table_records(run, table))
