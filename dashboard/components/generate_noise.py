"""The Generate page for generators that read noise: samples (by class when conditional), one
row per class, and a walk between two seeds."""
from dataclasses import asdict

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.generator_cache import real_points
from gancore import is_conditional
from gancore.sampling import class_grid, interpolate, picture, png_bytes, sample
from gancore.sampling.files import check_label


def show_noise_samples(generator, info, cfg, run_id: str) -> None:
    conditional = is_conditional(cfg)

    c1, c2, c3 = st.columns(3)
    n = c1.number_input("Number of samples", 1, 2500 if info.kind == "points" else 256,
                        2500 if info.kind == "points" else 64)
    seed = c2.number_input("Seed", 0, 2**31 - 1, 0)
    label = None
    if conditional:
        names_ = info.class_names or [str(k) for k in range(info.num_classes)]
        choice = c3.selectbox("Class", ["every class"] + names_)
        label = None if choice == "every class" else names_.index(choice)

    with friendly_errors("Samples could not be drawn"):
        check_label(label, cfg, info)
        samples, _ = sample(generator, info, cfg, int(n), seed=int(seed), label=label)
        real = real_points(tuple(asdict(cfg.data).items()), cfg.seed) if info.kind == "points" else None
        img = picture(samples, info, real, nrow=max(1, round(int(n) ** 0.5)))
        what = f"class {info.class_names[label]}" if label is not None and info.class_names else "samples"
        st.image(png_bytes(img), caption=f"{int(n)} {what}, seed {int(seed)}", output_format="PNG")
        st.download_button("Download PNG", png_bytes(img), file_name=f"{run_id}-seed{int(seed)}.png",
                           mime="image/png", icon=":material/download:")

    if conditional and info.kind == "image":
        st.subheader("One row per class")
        with friendly_errors("The class grid could not be drawn"):
            grid = class_grid(generator, info, per_class=10, seed=int(seed))
            st.image(png_bytes(grid), caption="Each row asks for one class; each column uses the same noise.", output_format="PNG")
            st.download_button("Download class grid", png_bytes(grid), file_name=f"{run_id}-classes.png",
                               mime="image/png", key="grid-download")

    if info.kind == "image":
        st.subheader("Walk between two seeds")
        st.caption("The noise moves in a straight line from one seed's to the other's: smooth changes "
                   "mean the generator learned a continuous space, not a lookup table.")
        a, b = st.columns(2)
        seed_a = a.number_input("From seed", 0, 2**31 - 1, 1)
        seed_b = b.number_input("To seed", 0, 2**31 - 1, 2)
        with friendly_errors("The interpolation could not be drawn"):
            strip = picture(interpolate(generator, info, int(seed_a), int(seed_b), steps=10, label=label),
                            info, nrow=10)
            st.image(png_bytes(strip), output_format="PNG")
            st.download_button("Download strip", png_bytes(strip), file_name=f"{run_id}-walk.png",
                               mime="image/png", key="walk-download")
