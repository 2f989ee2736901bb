"""The Generate page for generators that translate a picture (pix2pix): draw an input on a pad, pick
an example kept out of training (beside its real target) or upload a picture, and see the
translation beside what the generator read, enlarged, with a download; then a grid of held-out
examples, input | translation | target."""
from __future__ import annotations

from dataclasses import asdict

import streamlit as st
import torch
from PIL import Image

from dashboard.components.errors import friendly_errors
from dashboard.components.owner import may_control
from dashboard.components.sketch_pad import sketch_pad
from gancore import DataConfig, GanError, load_dataset
from gancore.sampling.pictures import image_grid, png_bytes, to_pil, to_uint8
from gancore.sampling.previews import side_by_side
from gancore.sampling.translation import (MAX_SOURCE_SIDE, model_side, prepare_input, read_input,
                                          translate)

DRAW, HELD_OUT, OWN = "draw it", "an example kept out of training", "my own picture (PNG or JPEG)"
SHOWN_SIDE = 224  # pixels on screen a picture's longer side is enlarged to (blocky: 8 x for 28 pixels)
GRID_ROWS = 8


@st.cache_resource(max_entries=4, show_spinner="Loading the examples kept out of training...")
def held_out_pairs(data_items: tuple, seed: int):
    """The run's dataset's pairs kept out of training (gancore.data.base.Pairs), or None when it
    keeps none. Read-only: shared between sessions."""
    pairs = load_dataset(DataConfig(**dict(data_items)), seed).held_out_pairs
    return pairs.to("cpu") if pairs is not None and len(pairs) else None


def enlarged(image: torch.Tensor) -> Image.Image:
    """(1, C, H, W) in [-1, 1] -> a PIL image enlarged by a whole factor (repeated pixels, so each
    pixel stays a sharp square) until its longer side is about SHOWN_SIDE."""
    picture = to_pil(image)
    factor = max(1, SHOWN_SIDE // max(picture.size))
    return picture.resize((picture.width * factor, picture.height * factor), Image.NEAREST)


def _show_result(generator, inputs: torch.Tensor, name: str, key: str,
                 target: torch.Tensor | None = None, columns=None) -> None:
    """What the generator read, its translation, and the real target when there is one, side by
    side, with the translation's download (at its own size, as the generator made it)."""
    outputs = translate(generator, inputs)
    shown = [("what the generator reads", inputs), ("its translation", outputs)]
    if target is not None:
        shown.append(("the real target", target))
    columns = columns or st.columns(len(shown))
    for column, (caption, image) in zip(columns, shown):
        column.image(png_bytes(enlarged(image)),
                     caption=f"{caption} ({image.shape[3]} x {image.shape[2]})", output_format="PNG")
    columns[1].download_button("Download the translation (PNG)", png_bytes(to_pil(outputs)),
                               file_name=f"{name}-translated.png", mime="image/png",
                               icon=":material/download:", key=f"{key}-download")


@st.fragment
def _drawn(generator, side: int, name: str) -> None:
    """The pad and the translation of the latest drawing. A fragment: each finished stroke reruns
    only this, not the page (the held-out grid below stays as it is)."""
    pad, read, result = st.columns([3, 2, 2])
    with pad:
        drawing = None
        with friendly_errors("The drawing cannot be translated"):
            drawing = sketch_pad(side, key="translate-pad")
        st.caption("Draw with the mouse, a finger or a pen, white on black. The pen starts about two "
                   "pixels wide in the picture the generator reads, as thin as a sketch's lines.")
    if drawing is None:
        result.info("Draw on the black square: the translation appears here each time you lift the pen.",
                    icon=":material/draw:")
        return
    with friendly_errors("The drawing could not be translated"):
        _show_result(generator, drawing, f"{name}-drawing", "drawn", columns=[read, result])


def _held_out(generator, cfg, name: str) -> None:
    pairs = None
    with friendly_errors("The examples kept out of training cannot be loaded"):
        pairs = held_out_pairs(tuple(asdict(cfg.data).items()), cfg.seed)
        if pairs is None:
            st.info("This run's dataset keeps no examples out of training.")
    if pairs is None:
        return
    index = st.number_input(f"Example (1 to {len(pairs)})", 1, len(pairs), 1,
                            help="examples the generator never saw while it trained") - 1
    with friendly_errors("The example could not be translated"):
        _show_result(generator, pairs.inputs[index:index + 1], f"{name}-example{index + 1}", "held",
                     target=pairs.targets[index:index + 1])


def _learned_from_dark(cfg) -> bool:
    """Whether the generator's inputs were mostly dark (light lines on black, as sketches), from its
    examples kept out of training; False when they cannot be loaded."""
    try:
        pairs = held_out_pairs(tuple(asdict(cfg.data).items()), cfg.seed)
    except GanError:
        return False
    return pairs is not None and float(pairs.inputs.mean()) < -0.5


def _own(generator, info, cfg, side: int, name: str) -> None:
    upload = st.file_uploader(f"A picture (PNG or JPEG, at most {MAX_SOURCE_SIDE} pixels a side)",
                              type=["png", "jpg", "jpeg"])
    if upload is None:
        return
    with friendly_errors("This picture cannot be translated"):
        inputs, resized = read_input(upload.getvalue(), generator, info)
        h, w = inputs.shape[-2:]
        if not resized and (h, w) != (side, side):  # it could go either way: the person chooses
            own = f"its own size ({w} x {h})"
            at = st.radio("Translate it at", [own, f"the size the generator learned at ({side} x {side})"],
                          horizontal=True, help="A picture at the scale of the generator's examples (say, "
                          "a few of them side by side) reads best at its own size; one large picture of a "
                          "single thing reads best made small.")
            if at != own:
                inputs, resized = prepare_input(inputs, generator, info, own_size=False)
        if float(inputs.mean()) > 0 and _learned_from_dark(cfg):  # dark lines on paper, for a sketch model?
            st.info("Your picture is mostly light, and this generator learned from light lines on black: "
                    "dark lines on white paper read better swapped.", icon=":material/contrast:")
            if st.checkbox("Swap black and white"):
                inputs = -inputs
        if resized:
            st.caption(f"Made {side} x {side}, the size the generator learned at, its shape kept by a "
                       "border of its own edge colour.")
        _show_result(generator, inputs, f"{name}-upload", "own")


def _grid(generator, cfg, side: int) -> None:
    try:
        pairs = held_out_pairs(tuple(asdict(cfg.data).items()), cfg.seed)
    except GanError as exc:  # its data is not on this server (an uploaded checkpoint): a note, not an alarm
        st.caption(f"The examples kept out of training cannot be shown here: {exc}")
        return
    if pairs is None:
        return
    st.subheader("Examples kept out of training")
    st.caption("Each row: the input, the generator's translation, and the real target. A good "
               "generator's middle column looks like the right-hand one.")
    with friendly_errors("The examples could not be translated"):
        inputs, targets = pairs.inputs[:GRID_ROWS], pairs.targets[:GRID_ROWS]
        outputs = translate(generator, inputs)
        rows = side_by_side([inputs, outputs, targets])  # (R * 3, C, H, W), row-major
        grid = image_grid(to_uint8(rows), nrow=3, upscale=max(1, 128 // side))
        st.image(png_bytes(grid), output_format="PNG")


def show_translation(generator, info, cfg, run_id: str) -> None:
    side = model_side(info)
    teaches = info.teaches or "turns an input picture into its finished version."
    st.write(f"This generator {teaches}")
    ways = ([DRAW] if info.drawable else []) + [HELD_OUT]  # the pad draws strokes: sketch inputs
    ways += [OWN] if may_control() else []  # an upload is a control (components/owner.py)
    way = st.radio("What to translate", ways, horizontal=True)
    if way == DRAW:
        _drawn(generator, side, run_id)
    elif way == HELD_OUT:
        _held_out(generator, cfg, run_id)
    else:
        _own(generator, info, cfg, side, run_id)
    _grid(generator, cfg, side)
