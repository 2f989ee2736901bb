"""The Runs page's "Fork from a checkpoint": a new run that continues one of this run's kept
checkpoints with changed settings (gancore/runs/fork.py judges them).

Only the settings a fork may change are offered; the architecture ones (the networks' shape and
their data) are listed as kept from the parent, so there is nothing to refuse on this page. A
value the checks refuse is said beside its field, as on the Train page.
"""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.form_spec import advanced_fields, form_fields, main_fields
from dashboard.components.train_form import render_fields
from dashboard.state import manager
from gancore import ConfigError
from gancore.config import SETTINGS
from gancore.runs.fork import default_fork_steps
from gancore.runs.meta import MAX_NAME
from gancore.runs.store import Run, step_of


def _forkable(specs):
    return [f for f in specs if not SETTINGS[f.name].architecture]


def kept_words(flat: dict, variant: str, dataset: str) -> str:
    """The architecture settings this pair uses, kept by the fork, in words ("noise size
    (latent_dim) 2, ...")."""
    kept = [f.name for f in form_fields(variant, dataset) if SETTINGS[f.name].architecture]
    parts = [f"{SETTINGS[name].label.lower()} "
             f"{({True: 'yes', False: 'no'} if isinstance(flat[name], bool) else {}).get(flat[name], flat[name])}"
             for name in kept]
    return f"{variant} on {dataset}" + (f", {', '.join(parts)}" if parts else "")


def fork_form(run: Run) -> None:
    checkpoints = list(reversed(run.checkpoint_files()))  # newest first
    if not checkpoints:
        st.caption("This run has no kept checkpoint yet (the first is saved at its first "
                   "checkpoint step), so there is nothing to fork from.")
        return
    cfg = run.config()
    variant, dataset = cfg.model.variant, cfg.data.dataset
    chosen = st.selectbox("Start from", checkpoints, format_func=lambda p: f"step {step_of(p):,}",
                          key=f"fork-from-{run.run_id}",
                          help="one of the run's kept checkpoints; the fork continues its weights, "
                               "optimizer state and step count")
    step = step_of(chosen)
    flat = cfg.flat() | {"steps": default_fork_steps(cfg, step)}
    st.caption(f"The fork keeps the parent's networks: {kept_words(flat, variant, dataset)}. "
               "To change those, start a new run on the Train page.")
    prefix = f"fork-{run.run_id}-{step}"
    values, slots = render_fields(_forkable(main_fields(variant, dataset)), flat, prefix)
    with st.expander("Advanced settings"):
        more, more_slots = render_fields(_forkable(advanced_fields(variant, dataset)), flat, prefix)
    values |= more
    slots |= more_slots
    name = st.text_input("Name of the fork", max_chars=MAX_NAME, key=f"{prefix}-name",
                         placeholder="e.g. half the discriminator's rate")
    if st.button("Start the fork", type="primary", icon=":material/call_split:", key=f"{prefix}-go"):
        changes = {k: v for k, v in values.items() if v != flat.get(k)} | {"steps": values["steps"]}
        with friendly_errors("The fork did not start"):
            try:
                job = manager().fork(run.run_id, chosen.name, changes, name=name)
            except ConfigError as exc:
                if exc.field not in slots:
                    raise  # not one of the fields shown: friendly_errors says it
                slots[exc.field].error(exc.message)
                st.error("A setting needs changing before the fork can start (see the red note above).")
                return
            st.switch_page("views/monitor.py", query_params={"run": job.run_id})
