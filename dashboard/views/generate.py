"""Generate: use any run's checkpoint (or an uploaded one) as its variant's generator reads:
samples from noise, by class for conditional runs; upscaled pictures for super-resolution;
translated drawings and pictures for image-to-image translation."""
import re

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.generator_cache import (checkpoint_generators, checkpoint_label, checkpoint_names,
                                                  pick_weights, uploaded_generators)
from dashboard.components.run_picker import pick_run
from dashboard.components.generate_noise import show_noise_samples
from dashboard.components.generate_translate import show_translation
from dashboard.components.generate_upscale import show_upscaling
from gancore import get_variant_spec
from dashboard.components.owner import may_control
from dashboard.state import store

st.title("Generate")
st.write("Use a trained generator: draw new samples (the same seed always gives the same ones), "
         "upscale a picture with a super-resolution run, or translate a drawing into a finished "
         "picture with an image-to-image run.")

loaded, name = None, None
# An uploaded checkpoint is hostile input, read on this server: it is a control (components/owner.py).
source = st.radio("Generate from", ["a run", "an uploaded checkpoint (.pt)"],
                  horizontal=True) if may_control() else "a run"
if source == "a run":
    run_id = pick_run("generate")
    if run_id is None:
        st.stop()
    run = store().open(run_id)
    names = checkpoint_names(run)
    if not names:
        st.info("This run has no checkpoint yet: one is saved every few thousand steps and when it stops.")
        st.stop()
    with friendly_errors("This checkpoint cannot be used"):
        checkpoint = st.selectbox("Checkpoint", names, format_func=lambda n: checkpoint_label(run, n),
                                  help="the newest first; older ones are kept as 'Older checkpoints kept' says")
        loaded, name = pick_weights(checkpoint_generators(run, checkpoint), "generate-weights"), run_id
else:
    upload = st.file_uploader("A checkpoint saved by GAN Studio (runs/<id>/checkpoints/*.pt)",
                              type=["pt"])
    if upload is None:
        st.stop()
    with friendly_errors("This checkpoint cannot be used"):
        loaded = pick_weights(uploaded_generators(upload.getvalue()), "generate-upload-weights")
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", upload.name.rsplit(".", 1)[0])[:60] or "uploaded"
if loaded is None:
    st.stop()
generator, info, cfg = loaded
# What the page asks for is what the generator reads (VariantSpec.reads).
SHOW_BY_INPUT = {"noise": show_noise_samples, "low_res_image": show_upscaling, "paired_image": show_translation}
SHOW_BY_INPUT[get_variant_spec(cfg.model.variant).reads](generator, info, cfg, name)
