"""The Generate page for generators that read a low-resolution image (super-resolution): upscale
a held-out image (made small here, so the real one can be shown beside) or the user's own small
picture, beside repeated pixels and bicubic enlarging, with a zoomed view and a download."""
from __future__ import annotations

from dataclasses import asdict

import streamlit as st
import torch

from dashboard.components.errors import friendly_errors
from dashboard.components.owner import may_control
from gancore import DataConfig, load_dataset
from gancore.data.image_input import decode_image
from gancore.data.resample import crop_to_multiple, downscale
from gancore.sampling.pictures import png_bytes
from gancore.sampling.tiles import MAX_INPUT_SIDE
from gancore.sampling.upscaling import comparison, to_pil, zoomed

HELD_OUT, OWN = "an image kept out of training", "my own small picture (PNG or JPEG)"
HELD_OUT_SHOWN = 8  # from datasets without held-out photos: their first images


@st.cache_resource(max_entries=4, show_spinner="Loading the images kept out of training...")
def evaluation_images(data_items: tuple, seed: int) -> list[torch.Tensor]:
    """(C, H, W) images in [-1, 1] the run did not train on, when its dataset keeps some (the
    photos); otherwise its first images. Read-only: shared between sessions."""
    data = load_dataset(DataConfig(**dict(data_items)), seed)
    return list(data.held_out) if getattr(data, "held_out", None) else list(data.x[:HELD_OUT_SHOWN])


def _pick_input(info, cfg) -> tuple[torch.Tensor | None, torch.Tensor | None, str]:
    """(low-resolution input (1, C, h, w), the real high-resolution image or None, a name)."""
    ways = [HELD_OUT, OWN] if may_control() else [HELD_OUT]  # an upload is a control (owner.py)
    way = st.radio("Picture to upscale", ways, horizontal=True)
    scale = cfg.model.scale
    if way == HELD_OUT:
        images = evaluation_images(tuple(asdict(cfg.data).items()), cfg.seed)
        index = st.selectbox("Image", range(len(images)),
                             format_func=lambda i: f"image {i + 1} ({images[i].shape[2]} x {images[i].shape[1]})")
        hr = crop_to_multiple(images[index][None], scale)
        st.caption(f"Made {scale} times smaller here, so the generator's result can be set beside the real image.")
        return downscale(hr, scale), hr, f"image{index + 1}"
    upload = st.file_uploader(f"A small picture (PNG or JPEG, at most {MAX_INPUT_SIDE} pixels a side)",
                              type=["png", "jpg", "jpeg"])
    if upload is None:
        return None, None, ""
    lr = None
    with friendly_errors("This picture cannot be upscaled"):
        lr = decode_image(upload.getvalue(), info.shape[0], MAX_INPUT_SIDE)
    return lr, None, "upload"


def show_upscaling(generator, info, cfg, run_id: str) -> None:
    scale = cfg.model.scale
    st.write(f"This generator makes a picture **{scale} times larger** on each side. Compare it with "
             "plain enlarging: repeated pixels and bicubic smoothing.")
    lr, hr, name = _pick_input(info, cfg)
    if lr is None:
        return
    with friendly_errors("The picture could not be upscaled"):
        with st.spinner("Upscaling..."):
            results = comparison(generator, lr)
        if hr is not None:
            results["the real image"] = hr
        columns = st.columns(len(results))
        for column, (way, image) in zip(columns, results.items()):
            column.image(png_bytes(to_pil(image)), caption=f"{way} ({image.shape[3]} x {image.shape[2]})",
                         output_format="PNG", width="stretch")
        sr = results["the generator"]
        st.download_button("Download the upscaled picture (PNG)", png_bytes(to_pil(sr)),
                           file_name=f"{run_id}-{name}-x{scale}.png", mime="image/png",
                           icon=":material/download:")

        st.subheader("Zoom in")
        st.caption("The same small square of each, its pixels enlarged, to compare sharpness.")
        a, b, c = st.columns(3)
        x = a.slider("Across (%)", 0, 100, 50) / 100
        y = b.slider("Down (%)", 0, 100, 50) / 100
        side = c.select_slider("Square (pixels of the large picture)", [16, 32, 48, 64], value=32)
        zooms = st.columns(len(results))
        for column, (way, image) in zip(zooms, results.items()):
            column.image(png_bytes(zoomed(image, (x, y), side, max(1, 256 // side))), caption=way,
                         output_format="PNG")
