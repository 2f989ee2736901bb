"""The Quality part of the Monitor page: latest measurements beside real-vs-real, and their charts.

`quality_blocks` decides what the part says (pure); two renderers draw it, as drawing.py says:
`show_quality` with Streamlit elements (a paused or ended run's page), `quality_html` as one piece
of HTML (a training run's live part, live_part.py, which the browser swaps in when a measurement
arrives instead of redrawing the whole page).
"""
from __future__ import annotations

import html
from typing import Callable

from dashboard.components.quality import measured, phase_end, quality_figures, quality_rows
from dashboard.components.run_view import RunView
from dashboard.monitor.html_text import paragraphs_html
from gancore.quality.measures import get_measure_spec, quality_kind
from gancore.quality.target import target_of


MEASURE_NOW = "Measure quality now"
MEASURE_LATER = (f"To measure its latest checkpoint: press **{MEASURE_NOW}** (shown to whoever may control "
                 "runs), or run `python -m gancore eval --run <the run's folder>` in a terminal (that "
                 "prints the numbers without recording them).")


def unmeasured_reason(view: RunView) -> str:
    """Why an ended run that measures quality has no measurement, in one sentence."""
    every = view.cfg.eval_every
    if view.step < every:
        return (f"No quality measurements: this run stopped at step {view.step:,}, before its first "
                f"measurement at step {every:,}.")
    return (f"No quality measurements: this run stopped at step {view.step:,} while its first "
            f"measurement (of step {every:,}) was still running, so it was not recorded.")


def quality_blocks(view: RunView, figures: Callable[[list[dict], dict | None, str], list]) -> list[tuple[str, object]]:
    """What the part shows, in order, below its heading: ("caption" | "info" | "warning", text),
    ("table", rows), ("charts", figures or SVG drawings) and, for an ended run not measured,
    ("measure", the button's label)."""
    cfg = view.cfg
    kind = quality_kind(cfg)
    if kind is None:
        return [("caption", "Quality is measured for the 2D mixtures (ring8, grid25) and for labelled images; "
                            f"{cfg.data.dataset} is neither, so judge this run by its pictures.")]
    errors = [r for r in view.quality if "error" in r]
    done = measured(view.quality)
    if not done:
        if errors:
            return [("warning", f"Quality could not be measured: {errors[-1]['error']}")]
        afterwards = [] if view.live else [("measure", MEASURE_NOW)]  # quality_part draws the button
        if cfg.eval_every == 0 or cfg.steps < cfg.eval_every:
            why = ("measurement is off (Measure quality every N steps = 0)" if cfg.eval_every == 0 else
                   f"the run is shorter than one measuring interval ({cfg.eval_every:,} steps)")
            return [("caption", f"This run's quality is not measured while it trains: {why}. {MEASURE_LATER}")
                    ] + afterwards
        if view.live:
            first = f"The first measurement comes after step {cfg.eval_every:,}"
            note = get_measure_spec(kind).first_note
            return [("info", first + (f" ({note})" if note else "") + ".")]
        return [("info", f"{unmeasured_reason(view)} {MEASURE_LATER}")] + afterwards
    latest = done[-1]
    about = f"At step {latest['step']:,}. {get_measure_spec(kind).how}"
    if cfg.g_ema_decay > 0:
        about += (f" Measured on the generator's averaged weights (EMA, decay {cfg.g_ema_decay:g}), "
                  "as its pictures are drawn.")
    floor = view.quality_floor
    if floor and floor.get("judge_holdout_accuracy") is not None:
        about += (f"\n\nThe classifier reads {100 * floor['judge_holdout_accuracy']:.1f} % of held-out "
                  "real images correctly. *Real vs real*: the same measures between two halves of "
                  "the real data, what a perfect generator would get.")
    end = phase_end(view.quality)
    earlier = (f"end of {end['phase']} (step {end['step']:,})", end) if end else None
    blocks = _target_blocks(cfg, latest) + [("caption", about), ("table", quality_rows(latest, floor, get_measure_spec(kind).floor_words, earlier))]
    per_class = latest.get("per_class_accuracy")
    if per_class:
        blocks.append(("caption", "Label accuracy per class: " + ", ".join(
            f"class {k}: {100 * acc:.0f} %" for k, acc in enumerate(per_class))))
    charts = figures(view.quality, floor, get_measure_spec(kind).floor_words)
    if charts:
        blocks.append(("charts", charts))
    return blocks


def _target_blocks(cfg, latest: dict) -> list[tuple[str, str]]:
    """How close the latest measurement is to the run's quality target, when it has one."""
    try:
        target = target_of(cfg)
    except ValueError:  # a config from before the target's rules: say nothing rather than fail
        return []
    if target is None:
        return []
    return [("info", f"Quality target: {target.distance_words(latest)}.")]


def show_quality(view: RunView, figures: Callable[[list[dict], dict | None, str], list] = quality_figures) -> None:
    """`figures` builds the charts (figures.quality_charts: Plotly figures, shared by a live run's
    viewers)."""
    import streamlit as st  # only this renderer needs it: the HTML one runs in the live feed too

    from dashboard.monitor.history import picking_chart

    st.subheader("Quality")
    for kind, content in quality_blocks(view, figures):
        if kind == "caption":
            st.caption(content)  # one element: on a live page every element costs the browser
        elif kind == "info":
            st.info(content)
        elif kind == "warning":
            st.warning(content)
        elif kind == "table":
            st.table(content, hide_index=True, border="horizontal")
        elif kind == "measure":
            measure_button(view, content)
        else:
            # at least two columns: a lone chart is as wide as one of a pair, not the whole page
            for i, (column, fig) in enumerate(zip(st.columns(max(2, len(content))), content)):
                picking_chart(column, fig, f"quality-{i}", view.run_id)


def measure_button(view: RunView, label: str) -> None:
    """The button that measures the run's latest checkpoint (measure_now.py), for a session that
    may control runs; the page is redrawn with the measurement."""
    import streamlit as st

    from dashboard.components.errors import friendly_errors
    from dashboard.components.owner import may_control
    from dashboard.monitor.measure_now import measure_latest
    from dashboard.state import store

    if not may_control():
        return
    if not store().open(view.run_id).checkpoint_files():
        st.caption("This run has no checkpoint yet, so there is nothing to measure.")
        return
    if st.button(label, icon=":material/straighten:", key="measure-quality-now",
                 help="measure the latest checkpoint against the run's own data and record it"):
        note = get_measure_spec(quality_kind(view.cfg)).first_note
        measured_now = None
        with st.spinner("Measuring the latest checkpoint" + (f" ({note})" if note else "") + "..."):
            with friendly_errors("The quality could not be measured"):
                measured_now = measure_latest(store(), view.run_id)
        if measured_now is not None:
            st.rerun()


MUTED = "color: rgba(49, 51, 63, 0.6); font-size: 0.875rem"
BOXES = {"info": "background: rgba(28, 131, 225, 0.1); color: rgb(0, 66, 128)",
         "warning": "background: rgba(255, 193, 7, 0.15); color: rgb(146, 108, 5)"}
CELL = "padding: 0.5rem 0.75rem; border-bottom: 1px solid rgba(49, 51, 63, 0.1); text-align: left"


def quality_html(view: RunView, figures: Callable[[list[dict], dict | None, str], list]) -> str:
    """The same part as one piece of HTML, below its heading; `figures` must give SVG text."""
    pieces = []
    for kind, content in quality_blocks(view, figures):
        if kind == "caption":
            pieces.append(f'<div style="{MUTED}">{paragraphs_html(content)}</div>')
        elif kind in BOXES:
            pieces.append(f'<div style="{BOXES[kind]}; padding: 1rem; border-radius: 0.5rem; '
                          f'margin-bottom: 1rem">{paragraphs_html(content)}</div>')
        elif kind == "table":
            head = "".join(f'<th style="{CELL}; {MUTED}; font-weight: normal">{html.escape(k)}</th>'
                           for k in content[0]) if content else ""
            # short cells stay on one line; the last ("what it means") wraps
            rows = "".join("<tr>" + "".join(
                f'<td style="{CELL}{"" if i == len(row) - 1 else "; white-space: nowrap"}">{html.escape(str(v))}</td>'
                for i, v in enumerate(row.values())) + "</tr>" for row in content)
            pieces.append(f'<table class="gs-quality-table" style="border-collapse: collapse; width: 100%; '
                          f'font-size: 0.875rem; margin: 0.5rem 0 1rem"><thead><tr>{head}</tr></thead>'
                          f'<tbody>{rows}</tbody></table>')
        elif kind == "measure":
            continue  # a button: only a page Streamlit draws (an ended run's) has it
        else:
            cells = "".join(f'<div style="flex: 1 1 0; min-width: 0">{svg}</div>' for svg in content)
            cells += '<div style="flex: 1 1 0"></div>' * (2 - len(content))  # a lone chart: half width
            pieces.append(f'<div style="display: flex; gap: 1rem">{cells}</div>')
    return "\n".join(pieces)
