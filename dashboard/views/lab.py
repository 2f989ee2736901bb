"""2D Lab: train a GAN on 2D points, continuously or a step at a time, and look inside (after GAN
Lab): D's verdict as a heatmap, G's arrows and manifold, the history of losses, scores and
divergence. The data: a built-in mixture, a trained run's checkpoint, or points drawn by hand.

The Lab2D object lives in this browser session's st.session_state: it is interactive, belongs to
one person, and is in memory only (it never writes a run folder; "save as a run" starts a new,
separate one). Still a control: it trains on this server's CPU, so viewer mode turns it off and
a set owner password locks it.
"""
from urllib.parse import urlencode

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.lab_knob_widgets import knob_widgets
from dashboard.components.lab_player import SPEEDS, View, lab_player
from dashboard.components.lab_start import restore_from_link, start_drawn, start_fresh, start_from_run
from dashboard.components.owner import locked_note, may_control
from dashboard.state import manager
from gancore.data.drawn import save_drawing
from gancore.data.uploads import default_uploads_dir
from gancore.lab_share import link_params, run_config

st.title("2D Lab")
st.write("Watch a GAN learn a 2D shape, continuously or one step at a time, and see what each "
         "network is thinking. Train the **discriminator** (D), the **generator** (G), or both, "
         "change their knobs while they run, and draw your own data.")
st.caption("The lab trains only in this browser tab's memory. It never writes or changes a run "
           "folder, so opening a run here leaves the run as it was; the lab is gone when you close "
           "the tab.")
if not may_control():
    # The lab writes nothing, but it trains on this server's CPU: an audience pressing Play would
    # take that CPU from the live run everyone came to watch.
    if locked_note():
        st.info("The 2D Lab needs the owner password, because training in it uses this server's "
                "computer: unlock it under **Owner** in the sidebar.")
    else:
        st.info("Viewer mode: the lab is turned off here, because training in it would use the "
                "computer that is training the run being shown. Run the app yourself to use the lab.")
    st.stop()

restore_from_link()
lab = st.session_state.get("lab")
with st.expander("Start a lab" if lab is None else "Start a different lab", expanded=lab is None):
    sources = ["a fresh GAN", "a trained run", "data you draw"]
    source = st.radio("Start from", sources, horizontal=True, key="lab-source",
                      index=1 if st.query_params.get("run") else 0)  # a link names a run: open it
    {"a fresh GAN": start_fresh, "a trained run": start_from_run, "data you draw": start_drawn}[source]()
lab = st.session_state.get("lab")
if lab is None:
    st.info("Start a lab above: a fresh GAN learns from scratch; a trained run continues from "
            "its checkpoint; or draw the data yourself.")
    st.stop()

st.markdown(f"**The lab:** {lab.describe()}")
knobs = knob_widgets(lab)

playing = bool(st.session_state.get("lab-play", False))
controls = st.container(horizontal=True, vertical_alignment="bottom")
controls.button("Pause" if playing else "Play", type="primary",
                icon=":material/pause:" if playing else ":material/play_arrow:", key="lab-play-button",
                on_click=lambda: st.session_state.update({"lab-play": not playing}),
                help="train continuously, redrawing up to 10 times a second")
speed = controls.select_slider("Speed (iterations per frame)", SPEEDS, value=5, key="lab-speed", width=220)
k_d = controls.number_input("k_D", 1, 20, key="lab-k_d", width=100, help="discriminator updates in one step")
k_g = controls.number_input("k_G", 1, 20, key="lab-k_g", width=100, help="generator updates in one step")
asked = None  # (train D, train G)
if controls.button("Train D (one step)", disabled=playing,
                   help="k_D updates of the discriminator; the generator stays as it is"):
    asked = (True, False)
if controls.button("Train G (one step)", disabled=playing,
                   help="k_G updates of the generator; the discriminator stays as it is"):
    asked = (False, True)
if controls.button("Train both (one step)", disabled=playing,
                   help="k_D discriminator updates, then k_G generator updates"):
    asked = (True, True)
if asked is not None:
    with friendly_errors("The step did not run"):
        lab.step(train_d=asked[0], train_g=asked[1], k_d=int(k_d), k_g=int(k_g))
    st.session_state.pop("lab-scrub", None)  # show the new frame, not the one looked back at

label = None
options = st.container(horizontal=True, vertical_alignment="bottom")
if lab.conditional:
    names = lab.info.class_names or [str(k) for k in range(lab.info.num_classes)]
    label = names.index(options.selectbox("Class", names, key="lab-class",
                                          help="a conditional GAN: D judges points as this class"))
arrows = options.checkbox("Show G's arrows", value=True, key="lab-arrows")
manifold = options.checkbox("Show G's manifold", value=False, key="lab-manifold",
                            help="a grid of noise values z, bent by G into the plane")
if playing:
    st.session_state.pop("lab-scrub", None)
lab_player(lab, View(playing=playing, speed=int(speed), k_d=int(k_d), k_g=int(k_g), label=label,
                     arrows=arrows, manifold=manifold))

if lab.score_kind == "probability":
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
    "direction that lowers the generator's loss); longer arrows mean a stronger push. The **blue "
    "mesh** is G's manifold: a square grid of noise values z, bent by G into the plane. Training D "
    "repaints the background; training G moves the red dots along their arrows.")

with st.expander("Share or keep this lab"):
    drawn = st.session_state.get("lab-drawn")
    with friendly_errors("No link could be made"):
        query = urlencode(link_params(lab, knobs, int(k_d), int(k_g), points=drawn))
        base = (st.context.url or "").split("?")[0] or "/lab"
        st.markdown("A link that restores these settings and the data (not the weights: it starts fresh):")
        st.code(f"{base}?{query}", language=None, wrap_lines=True)
    if st.button("Save this lab as a run", icon=":material/save:", key="lab-save-run",
                 help="a background run with these settings (fresh networks, Adam), on the Monitor page"
                      + ("; the drawing is kept in the uploads folder for it" if drawn is not None else "")):
        with friendly_errors("The run could not start"):
            folder = str(save_drawing(drawn, default_uploads_dir())) if drawn is not None else None
            job = manager().start(run_config(lab, knobs, int(k_d), folder), name=f"from the 2D Lab: {lab.describe()}")
            st.switch_page("views/monitor.py", query_params={"run": job.run_id})
