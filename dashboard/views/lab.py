"""2D Lab: step a GAN on 2D points by hand and look inside after every step (after GAN Lab).

The Lab2D object lives in this browser session's st.session_state: it is interactive, belongs to
one person, and is in memory only (it never writes a run folder). Still a control: it trains
on this server's CPU, so viewer mode turns it off and a set owner password locks it.
"""
import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.generator_cache import checkpoint_names
from dashboard.components.lab_figure import lab_figure
from gancore import GanError, get_dataset_spec, get_variant_spec, list_datasets, list_variants, make_config
from gancore.lab2d import Lab2D
from dashboard.components.owner import locked_note, may_control
from dashboard.components.run_picker import pick_run
from dashboard.state import store

GRID, POINTS = 60, 500  # heatmap lattice side; real and generated points shown
MANY = 50  # iterations of the "Run 50 iterations" button

st.title("2D Lab")
st.write("Watch a GAN learn a 2D shape one step at a time, and see what each network is "
         "thinking. Train the **discriminator** (D), the **generator** (G), or both, and look at "
         "how D's opinion of the plane and G's points change.")
st.caption("The lab trains only in this browser tab's memory. It never writes or changes a run "
           "folder, so opening a run here leaves the run as it was; the lab is gone when you close "
           "the tab.")
if not may_control():
    # The lab writes nothing, but it trains on this server's CPU: an audience clicking "Run 50
    # iterations" would take that CPU from the live run everyone came to watch.
    if locked_note():
        st.info("The 2D Lab needs the owner password, because training in it uses this server's "
                "computer: unlock it under **Owner** in the sidebar.")
    else:
        st.info("Viewer mode: the lab is turned off here, because training in it would use the "
                "computer that is training the run being shown. Run the app yourself to use the lab.")
    st.stop()

POINT_VARIANTS = [v for v in list_variants() if "points" in get_variant_spec(v).data_kinds]
POINT_DATASETS = [d for d in list_datasets() if get_dataset_spec(d).kind == "points"]


def point_runs() -> list[str]:
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
            st.session_state["lab"] = Lab2D(make_config(variant, dataset, device="cpu"))


def start_from_run() -> None:
    ids = point_runs()
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
            st.session_state["lab"] = Lab2D.from_run(run, name)


lab = st.session_state.get("lab")
with st.expander("Start a lab" if lab is None else "Start a different lab", expanded=lab is None):
    source = st.radio("Start from", ["a fresh GAN", "a trained run"], horizontal=True, key="lab-source",
                      index=1 if st.query_params.get("run") else 0)  # a link names a run: open it
    if source == "a fresh GAN":
        start_fresh()
    else:
        start_from_run()
lab = st.session_state.get("lab")
if lab is None:
    st.info("Start a lab above: a fresh GAN learns from scratch; a trained run continues from "
            "its checkpoint.")
    st.stop()

st.markdown(f"**The lab:** {lab.describe()}")
controls = st.container(horizontal=True, vertical_alignment="bottom")
k_d = controls.number_input("k_D", 1, 20, 1, key="lab-k_d", width=120,
                            help="discriminator updates in one step")
k_g = controls.number_input("k_G", 1, 20, 1, key="lab-k_g", width=120,
                            help="generator updates in one step")
asked = None  # (train D, train G, iterations)
if controls.button("Train D (one step)", help="k_D updates of the discriminator; the generator stays as it is"):
    asked = (True, False, 1)
if controls.button("Train G (one step)", help="k_G updates of the generator; the discriminator stays as it is"):
    asked = (False, True, 1)
if controls.button("Train both (one step)", help="k_D discriminator updates, then k_G generator updates"):
    asked = (True, True, 1)
if controls.button(f"Run {MANY} iterations", type="primary", icon=":material/fast_forward:",
                   help=f"{MANY} times: k_D discriminator updates, then k_G generator updates"):
    asked = (True, True, MANY)
if asked is not None:
    with friendly_errors("The step did not run"):
        lab.step(train_d=asked[0], train_g=asked[1], k_d=int(k_d), k_g=int(k_g), iterations=asked[2])
if lab.cfg.n_critic > 1:  # the variant's own default (wgan_gp: 5), not a name
    st.caption(f"{lab.cfg.model.variant} usually trains its critic {lab.cfg.n_critic} times per generator "
               f"update: try k_D = {lab.cfg.n_critic}.")
if lab.diverged:
    st.warning("The numbers became infinite (the networks broke). Start a fresh lab, or open the "
               "run again.")

label = None
options = st.container(horizontal=True, vertical_alignment="bottom")
if lab.conditional:
    names = lab.info.class_names or [str(k) for k in range(lab.info.num_classes)]
    label = names.index(options.selectbox("Class", names, key="lab-class",
                                          help="a conditional GAN: D judges points as this class"))
arrows = options.checkbox("Show G's arrows", value=True, key="lab-arrows")

snap = None
with friendly_errors("The picture could not be drawn"):
    snap = lab.snapshot(grid=GRID, n_points=POINTS, label=label)
if snap is None:
    st.stop()

m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Step", f"{snap.iteration:,}", help="steps taken in this lab")
m2.metric("D updates", f"{snap.d_updates:,}")
m3.metric("G updates", f"{snap.g_updates:,}")
m4.metric("D(x), real", f"{snap.d_real:.2f}", help="D's average verdict on the real points shown")
m5.metric("D(G(z)), generated", f"{snap.d_fake:.2f}",
          help="D's average verdict on the generated points shown")

st.plotly_chart(lab_figure(snap, show_arrows=arrows), key="lab-figure")
if snap.score_kind == "probability":
    heat = ("The background is the **discriminator's** opinion of every spot on the plane: "
            "**green** where it thinks a point there would be real, **purple** where it thinks it "
            "would be fake, white where it cannot tell (probability 0.5).")
else:
    heat = ("The background is the **critic's** score of every spot on the plane: **green** for "
            "higher scores (looks real), **purple** for lower (looks fake), white halfway between "
            "its average score of the real and the generated points. Only differences matter.")
st.caption(
    f"{heat} **Gray dots** are real data; **red dots** are what the **generator** makes from "
    "the same fixed noise every time, so you can follow each point as it moves. Each **arrow** "
    "shows where the generator would like to move its point to fool the discriminator (the "
    "direction that lowers the generator's loss); longer arrows mean a stronger push. Training D "
    "repaints the background; training G moves the red dots along their arrows.")
