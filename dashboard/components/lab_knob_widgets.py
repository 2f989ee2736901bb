"""The 2D Lab's knobs as widgets: what changes in place does so at once (even while playing);
what needs new networks waits for "Restart with these" (gancore.lab_knobs says which is which).
The widgets' values are set when a lab starts (lab_start.install), so they show that lab's.
"""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.lab_start import install
from gancore.lab2d import Lab2D
from gancore.lab_knobs import LATENT_RANGE, LOSSES, LR_RANGE, OPTIMIZERS, Knobs, needs_restart, restart, tune


def knob_widgets(lab: Lab2D) -> Knobs:
    """Draw the knobs; apply those that change in place; offer a restart for the rest."""
    row = st.container(horizontal=True, vertical_alignment="bottom")
    lo, hi = LR_RANGE
    lr_d = row.number_input("Learning rate D", lo, hi, key="lab-lr_d", step=1e-4, format="%.5f", width=150)
    lr_g = row.number_input("Learning rate G", lo, hi, key="lab-lr_g", step=1e-4, format="%.5f", width=150)
    optimizer = row.selectbox("Optimizer", OPTIMIZERS, key="lab-optimizer", width=110,
                              help="a change starts the new optimizer without momentum")
    loss = row.selectbox("Loss", list(LOSSES), key="lab-loss", width=180,
                         help="non-saturating and minimax change in place; Wasserstein + GP (a critic "
                              "instead of a classifier) needs new networks")
    latent = row.number_input("Noise size", *LATENT_RANGE, key="lab-latent", width=110,
                              help="dimensions of z; a change needs new networks. Above 2, G's "
                                   "manifold shows the slice through z's first two dimensions")
    knobs = Knobs(lr_d=float(lr_d), lr_g=float(lr_g), optimizer=optimizer, loss=loss, latent_dim=int(latent))
    with friendly_errors("The knobs could not be applied"):
        tune(lab, knobs)
    waiting = needs_restart(lab, knobs)
    if waiting:
        note = st.container(horizontal=True, vertical_alignment="center")
        note.warning(f"Needs new networks: {'; '.join(waiting)}. The lab runs on with the old ones "
                     "until you restart.")
        # a callback: it sets the knob widgets to the new lab's values, which only a callback may
        note.button("Restart with these", icon=":material/restart_alt:", key="lab-restart",
                    help="fresh networks with these knobs, on the same data", on_click=_restart, args=(lab, knobs))
    elif lab.cfg.n_critic > 1:  # the variant's own default (wgan_gp: 5), not a name
        st.caption(f"A critic usually trains {lab.cfg.n_critic} times per generator update: try k_D = "
                   f"{lab.cfg.n_critic}.")
    return knobs


def _restart(lab: Lab2D, knobs: Knobs) -> None:
    with friendly_errors("The lab could not restart"):
        install(restart(lab, knobs), drawn=st.session_state.get("lab-drawn"),
                k_d=st.session_state.get("lab-k_d"), k_g=st.session_state.get("lab-k_g"))
