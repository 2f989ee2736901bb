"""Run states (a listing: status.json, never the histories) turned into table rows. Pure."""
from __future__ import annotations

import time

from dashboard.components.wording import origin_words


def quality_summary(q: dict) -> str:
    """The last quality measurement in a few words: what the Runs table compares at a glance."""
    if not q:
        return ""
    if "modes" in q:
        return f"{q['modes']}/{q['total_modes']} modes, {100 * q['high_quality']:.0f} % high quality"
    parts = [f"FCD {q['fcd']:.2f}"] if q.get("fcd") is not None else []
    if q.get("label_accuracy") is not None:
        parts.append(f"label accuracy {100 * q['label_accuracy']:.1f} %")
    if q.get("precision") is not None and q.get("recall") is not None:
        parts.append(f"precision {100 * q['precision']:.0f} % / recall {100 * q['recall']:.0f} %")
    return ", ".join(parts)


def _fmt(value) -> str:
    return "" if value is None else f"{value:.3f}"


def runs_rows(states) -> list[dict]:
    """One row per run; its lineage (a fork's parent, an import's origin) by the parent's name."""
    names = {s.run_id: s.name or s.run_id for s in states}
    rows = []
    for s in states:
        last = s.last_metrics or {}
        rows.append({
            "name": s.name,
            "run": s.run_id,
            "origin": origin_words(s.meta, names),
            "status": s.status_words,
            "warnings": s.warnings,
            "variant": s.variant,
            "dataset": s.dataset,
            "step": f"{s.step:,} / {s.total:,}",
            "loss D": _fmt(last.get("loss_d")),
            "loss G": _fmt(last.get("loss_g")),
            "D(x)": _fmt(last.get("d_real")),
            "D(G(z))": _fmt(last.get("d_fake")),
            "quality (last measured)": quality_summary(s.last_quality),
            "updated": time.strftime("%Y-%m-%d %H:%M", time.localtime(s.updated)) if s.updated else "",
        })
    return rows
