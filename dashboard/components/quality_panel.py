"""The Quality part of the Monitor page: latest measurements beside real-vs-real, and their charts."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components.quality import measured, quality_figures, quality_rows
from components.run_view import RunView
from gancore.quality.measures import quality_kind

ABOUT = {
    "modes": "Measured on 2,500 samples by the PacGAN protocol, beside training (training never waits).",
    "images": ("Measured on 2,000 samples in the feature space of a small classifier trained once on "
               "the real images (its accuracy on held-out real images is shown), beside training: "
               "training never waits, and measuring takes at most about 5 % of the time."),
}


def show_quality(view: RunView, figures: Callable[[list[dict], dict | None], list] = quality_figures) -> None:
    """`figures` builds the charts (plotly figures, or SVG text while the run trains); the live
    page passes a shared, cached builder."""
    cfg = view.cfg
    kind = quality_kind(cfg)
    st.subheader("Quality")
    if kind is None:
        st.caption("Quality is measured for the 2D mixtures (ring8, grid25) and for labelled images; "
                   f"{cfg.data.dataset} is neither, so judge this run by its pictures.")
        return
    errors = [r for r in view.quality if "error" in r]
    done = measured(view.quality)
    if not done:
        if errors:
            st.warning(f"Quality could not be measured: {errors[-1]['error']}")
        elif cfg.eval_every == 0 or cfg.steps < cfg.eval_every:
            why = ("measurement is off (Measure quality every N steps = 0)" if cfg.eval_every == 0 else
                   f"the run is shorter than one measuring interval ({cfg.eval_every:,} steps)")
            st.caption(f"This run's quality is not measured: {why}. "
                       "`python -m gancore eval --run <folder>` measures a run afterwards.")
        elif view.live:
            first = f"The first measurement comes after step {cfg.eval_every:,}"
            extra = (" (the first run on a dataset also trains its classifier once, about a minute "
                     "on a CPU; it is cached)") if kind == "images" else ""
            st.info(first + extra + ".")
        else:
            st.caption("This run has no quality measurements.")
        return
    latest = done[-1]
    about = f"At step {latest['step']:,}. {ABOUT[kind]}"
    floor = view.quality_floor
    if floor and floor.get("judge_holdout_accuracy") is not None:
        about += (f"\n\nThe classifier reads {100 * floor['judge_holdout_accuracy']:.1f} % of held-out "
                  "real images correctly. *Real vs real*: the same measures between two halves of "
                  "the real data, what a perfect generator would get.")
    st.caption(about)  # one element: on a live page every element costs the browser at each refresh
    st.table(quality_rows(latest, floor), hide_index=True, border="horizontal")
    per_class = latest.get("per_class_accuracy")
    if per_class:
        st.caption("Label accuracy per class: " + ", ".join(
            f"class {k}: {100 * acc:.0f} %" for k, acc in enumerate(per_class)))
    charts = figures(view.quality, floor)
    if charts:
        # at least two columns: a lone chart is as wide as one of a pair, not the whole page
        for i, (column, fig) in enumerate(zip(st.columns(max(2, len(charts))), charts)):
            if isinstance(fig, str):  # an SVG drawing, while the run trains
                column.markdown(fig, unsafe_allow_html=True)
            else:
                column.plotly_chart(fig, key=f"quality-{i}")
