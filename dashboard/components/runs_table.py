"""Run summaries turned into table rows. Pure."""
from __future__ import annotations

import time



def _fmt(value) -> str:
    return "" if value is None else f"{value:.3f}"


def runs_rows(summaries) -> list[dict]:
    rows = []
    for s in summaries:
        last = s.last or {}
        rows.append({
            "run": s.run_id,
            "status": s.status,
            "variant": s.variant,
            "dataset": s.dataset,
            "step": f"{s.step:,} / {s.total:,}",
            "loss D": _fmt(last.get("loss_d")),
            "loss G": _fmt(last.get("loss_g")),
            "D(x)": _fmt(last.get("d_real")),
            "D(G(z))": _fmt(last.get("d_fake")),
            "updated": time.strftime("%Y-%m-%d %H:%M", time.localtime(s.updated)) if s.updated else "",
        })
    return rows
