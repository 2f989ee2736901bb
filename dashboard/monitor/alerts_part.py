"""The Monitor's health alerts (gancore/health): each open one in plain words (what, from which
step, why it matters, what to try) with a button per remedy; the ones that are over folded away.
Drawn inside the controls fragment; the page redraws when an alert opens or closes (drawing.py's
page key)."""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.owner import may_control
from dashboard.components.run_picker import open_run
from dashboard.components.run_view import RunView
from dashboard.state import manager
from gancore.health import Alert, parse_alerts
from gancore.runs.remedies import ROLL_BACK_LR_SCALE, Remedy, remedies_of

SEVERE = ("nonfinite", "explosion")  # broken weights or runaway steps: red, not orange


def alert_text(alert: Alert) -> str:
    """Markdown: the title and step, the numbers, why it matters and what to try."""
    return (f"**{alert.words.title.capitalize()}** from step {alert.since:,}: {alert.what}.  \n"
            f"*Why it matters:* {alert.words.why}.  \n*Try:* {alert.words.advice}.")


def _apply(view: RunView, remedy: Remedy) -> None:
    if remedy.config is None:
        manager().rollback(view.run_id, lr_scale=ROLL_BACK_LR_SCALE, checkpoint=remedy.checkpoint)
        st.rerun(scope="app")
    open_run("monitor", manager().start(remedy.config).run_id)


def show_alerts(view: RunView) -> None:
    alerts = parse_alerts(view.alerts)
    if not alerts:
        return
    opened = [a for a in alerts if a.open]
    for alert in opened:
        (st.error if alert.kind in SEVERE else st.warning)(alert_text(alert), icon=":material/warning:")
    remedies = remedies_of(manager().store.open(view.run_id), opened) if opened else []
    if remedies and may_control():
        row = st.container(horizontal=True)
        for remedy in remedies:
            if row.button(remedy.label, help=remedy.help, key=f"remedy-{remedy.name}"):
                with friendly_errors(f"{remedy.label} did not start"):
                    _apply(view, remedy)
    over = [a for a in alerts if not a.open]
    if over:
        with st.expander(f"Earlier alerts, now over ({len(over)})"):
            st.markdown("\n".join(f"- {a.summary()}" for a in over))
