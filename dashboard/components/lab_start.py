"""The 2D Lab's ways to start: a fresh GAN on a built-in mixture, a trained run's checkpoint, a
drawing, or a shared link. Each puts a Lab2D in st.session_state["lab"] (with its drawing, if
any, in "lab-drawn") and sets the knob widgets to the new lab's values.
"""
from __future__ import annotations

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.generator_cache import checkpoint_names
from dashboard.components.lab_pad import drawing_pad
from dashboard.components.run_picker import pick_run
from dashboard.state import store
from gancore import GanError, get_dataset_spec, get_variant_spec, list_datasets, list_variants, make_config
from gancore.lab2d import Lab2D
from gancore.lab_knobs import knobs_of
from gancore.lab_share import drawn_lab, lab_from_link, parse_link

POINT_VARIANTS = [v for v in list_variants() if "points" in get_variant_spec(v).data_kinds]
POINT_DATASETS = [d for d in list_datasets() if get_dataset_spec(d).kind == "points"]
# unconditional variants only: a drawing has no labels
DRAW_VARIANTS = [v for v in POINT_VARIANTS if get_variant_spec(v).conditional != "always"]
LINK_KEYS = ("lab", "data", "pts", "lr_d", "lr_g", "opt", "loss", "z", "kd", "kg")


def install(lab: Lab2D, drawn=None, k_d: int | None = None, k_g: int | None = None) -> None:
    """Make `lab` the session's lab, and the knob widgets show its values."""
    st.session_state["lab"] = lab
    st.session_state["lab-drawn"] = None if drawn is None else [[float(x), float(y)] for x, y in drawn]
    knobs = knobs_of(lab)
    st.session_state.update({"lab-lr_d": knobs.lr_d, "lab-lr_g": knobs.lr_g, "lab-optimizer": knobs.optimizer,
                             "lab-loss": knobs.loss, "lab-latent": knobs.latent_dim, "lab-play": False})
    st.session_state.pop("lab-scrub", None)
    if k_d is not None:
        st.session_state["lab-k_d"], st.session_state["lab-k_g"] = k_d, k_g


def _point_runs() -> list[str]:
    """Runs on disk that train on 2D points, newest first (a dataset no longer known is skipped)."""
    ids = []
    for summary in store().states():
        try:
            if get_dataset_spec(summary.dataset).kind == "points":
                ids.append(summary.run_id)
        except GanError:
            continue
    return ids


def start_fresh() -> None:
    left, right = st.columns(2)
    variant = left.selectbox("GAN variant", POINT_VARIANTS, key="lab-variant",
                             index=POINT_VARIANTS.index("vanilla") if "vanilla" in POINT_VARIANTS else 0)
    left.caption(get_variant_spec(variant).description)
    dataset = right.selectbox("Dataset", POINT_DATASETS, key="lab-dataset",
                              index=POINT_DATASETS.index("ring8") if "ring8" in POINT_DATASETS else 0)
    right.caption(get_dataset_spec(dataset).description)
    if st.button("Start a fresh lab", type="primary", icon=":material/science:"):
        with friendly_errors("The lab could not start"):
            # the variant's own defaults for this dataset, on the CPU (small networks, fast steps)
            install(Lab2D(make_config(variant, dataset, device="cpu")))


def start_from_run() -> None:
    ids = _point_runs()
    if not ids:
        st.info("No runs on 2D points yet. Train one (for example vanilla on ring8) on the Train "
                "page, or start a fresh lab.")
        return
    run_id = pick_run("lab", ids, label="Run (2D points only)", unfit="it does not train on 2D points")
    if run_id is None:
        return
    run = store().open(run_id)
    names = checkpoint_names(run)
    if not names:
        st.info("This run has no checkpoint yet: one is saved every few thousand steps and when it stops.")
        return
    name = st.selectbox("Checkpoint", names, key="lab-checkpoint", help="latest.pt is the newest")
    if st.button("Open this run in the lab", type="primary", icon=":material/science:"):
        with friendly_errors("This run cannot be opened in the lab"):
            install(Lab2D.from_run(run, name))


def start_drawn() -> None:
    variant = st.selectbox("GAN variant", DRAW_VARIANTS, key="lab-draw-variant",
                           index=DRAW_VARIANTS.index("vanilla") if "vanilla" in DRAW_VARIANTS else 0)
    st.caption("Press and drag on the pad to spray points: they become the real data. Then press "
               "**Train on these points**: a fresh GAN starts learning them at once.")

    def learn(points) -> None:
        with friendly_errors("The lab could not learn this drawing"):
            install(drawn_lab(points, variant), drawn=points)
            st.session_state["lab-play"] = True  # it trains at once

    drawing_pad(st.session_state.get("lab-drawn"), learn)


def restore_from_link() -> None:
    """A link with the lab's settings (lab_share.link_params) starts that lab once per link."""
    params = {k: st.query_params.get(k) for k in LINK_KEYS if st.query_params.get(k) is not None}
    if "lab" not in params:
        return
    signature = tuple(sorted(params.items()))
    if st.session_state.get("lab-link") == signature:
        return  # this link's lab is already here (or failed): the person has moved on since
    st.session_state["lab-link"] = signature
    with friendly_errors("The lab link could not be opened"):
        link = parse_link(params)
        install(lab_from_link(link), drawn=link.points, k_d=link.k_d, k_g=link.k_g)
        st.toast("The lab's settings came from the link (its weights never travel: it starts fresh).")
