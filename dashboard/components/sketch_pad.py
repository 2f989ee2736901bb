"""A drawing pad for a generator that reads a grey picture (st.components.v2, in the page, nothing
fetched): white ink on a black square, as the training sketches are (gancore/data/sketches.py),
with a pen width, Undo and Clear.

How the drawing reaches Python: when a stroke ends (pointerup), and on Undo and Clear, the pad
sets its state value "drawing" to {"png": the whole canvas as a PNG data URL, "strokes": the pen
paths}. A state value (not a trigger) stays in the session, so any later rerun still finds the
latest drawing (kept under a key of ours too, for runs that do not show the pad), and the strokes
come back in `data` to redraw the pad when it is shown again.
Python then decodes the PNG as any outside picture (it comes from the browser: hostile until
decoded) and averages it down to the model's side with antialiasing (translation.prepare_drawing).
"""
from __future__ import annotations

import base64
import binascii

import streamlit as st
import torch

from gancore.data.image_input import decode_image
from gancore.data.uploads import UploadError
from gancore.sampling.translation import prepare_drawing

CANVAS = 280  # pixels of the canvas a side: 10 canvas pixels to one model pixel at 28
# The pen's width in *model* pixels: min, max, step, default. A training sketch carries about two
# pixels' worth of ink across its stroke (a one-pixel skeleton, or two for half of them, plus a
# faint edge), and a pen w pixels wide, averaged down, carries w: so 2 by default.
PEN_WIDTHS = (1.0, 5.0, 0.5, 2.0)
MAX_DATA_URL = 2_000_000  # characters: a 280 x 280 PNG of strokes is a few tens of kB at most
PREFIX = "data:image/png;base64,"

HTML = """<div class="gs-sketch">
<canvas width="280" height="280"></canvas>
<div class="gs-sketch-tools">
<label>Pen width <input type="range" class="gs-sketch-pen"></label>
<button type="button" class="gs-sketch-undo">Undo</button>
<button type="button" class="gs-sketch-clear">Clear</button>
</div></div>"""

CSS = """.gs-sketch canvas { width: 280px; height: 280px; background: #000; border-radius: 6px;
  border: 1px solid #d1d5db; touch-action: none; cursor: crosshair; display: block }
.gs-sketch-tools { display: flex; gap: .5rem; align-items: center; margin-top: .4rem;
  font: inherit; color: var(--st-text-color, #31333f) }
.gs-sketch-tools label { display: flex; gap: .3rem; align-items: center; margin-right: .3rem }
.gs-sketch-tools input { width: 90px }
.gs-sketch button { border: 1px solid #d1d5db; border-radius: 6px; padding: .25rem .8rem;
  background: #fff; color: #31333f; cursor: pointer; font: inherit }
.gs-sketch button:disabled { opacity: .5; cursor: default }"""

# Strokes are {w: pen width in canvas pixels, p: [[x, y], ...] in canvas pixels}; the canvas is
# repainted from them (Undo drops the last), and sent as a PNG after each change.
JS = """
export default function ({ parentElement, data, setStateValue }) {
  const canvas = parentElement.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const pen = parentElement.querySelector(".gs-sketch-pen");
  const undo = parentElement.querySelector(".gs-sketch-undo");
  const clear = parentElement.querySelector(".gs-sketch-clear");
  const size = canvas.width, perPixel = size / data.side;  // canvas pixels per model pixel
  // The drawing, and the stroke being drawn, live on the element: this function runs again on
  // every rerun (each handed-over stroke causes one), maybe in the middle of the next stroke, and
  // must carry on with it. A fresh element (the pad shown again) starts from the strokes Python kept.
  if (!parentElement.gsPad) {
    parentElement.gsPad = {
      strokes: (data.strokes || []).map((s) => ({ w: s.w, p: s.p.map((q) => [...q]) })), current: null };
    [pen.min, pen.max, pen.step] = data.pen;
    pen.value = data.penDefault;
  }
  const pad = parentElement.gsPad, strokes = pad.strokes;
  const line = (s) => {
    ctx.lineWidth = s.w;
    ctx.beginPath();
    ctx.moveTo(s.p[0][0], s.p[0][1]);
    // one point: a dot, drawn as a zero-length round-capped line
    for (const [x, y] of (s.p.length > 1 ? s.p.slice(1) : s.p)) ctx.lineTo(x, y);
    ctx.stroke();
  };
  const paint = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "#fff";
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    strokes.forEach(line);
    undo.disabled = clear.disabled = strokes.length === 0;
  };
  const send = () => setStateValue("drawing", strokes.length
    ? { png: canvas.toDataURL("image/png"), strokes: strokes }
    : { png: null, strokes: [] });
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    const r = (v) => Math.round(v * 10) / 10;
    return [r(((e.clientX - box.left) / box.width) * size), r(((e.clientY - box.top) / box.height) * size)];
  };
  canvas.onpointerdown = (e) => {
    canvas.setPointerCapture(e.pointerId);
    pad.current = { w: Number(pen.value) * perPixel, p: [at(e)] };
    strokes.push(pad.current);
    paint();
  };
  canvas.onpointermove = (e) => {
    if (!pad.current) return;
    pad.current.p.push(at(e));
    paint();
  };
  canvas.onpointerup = canvas.onpointercancel = () => {
    if (!pad.current) return;
    pad.current = null;
    send();
  };
  undo.onclick = () => { strokes.pop(); paint(); send(); };
  clear.onclick = () => { strokes.length = 0; paint(); send(); };
  paint();
}
"""

_pad = st.components.v2.component("gs_sketch_pad", html=HTML, css=CSS, js=JS, isolate_styles=True)


def _drawing(key: str) -> dict | None:
    """The latest drawing the pad handed over in this session ({"png", "strokes"}), or None.
    Streamlit forgets a widget's state after a run that did not show it (another way of input
    chosen), so each drawing is also kept under a key of our own, and the pad, shown again, is
    redrawn from that copy."""
    value = st.session_state.get(key)
    drawing = value.get("drawing") if isinstance(value, dict) else getattr(value, "drawing", None)
    if isinstance(drawing, dict):  # handed over since the pad was last shown (Clear too: png None)
        st.session_state[f"{key}-kept"] = drawing
        return drawing
    return st.session_state.get(f"{key}-kept")


def drawing_tensor(drawing: dict | None, side: int) -> torch.Tensor | None:
    """A drawing as the pad hands it over -> (1, 1, side, side) in [-1, 1], or None while the pad
    is empty. Raises UploadError for anything that is not a PNG of the pad."""
    png = drawing.get("png") if isinstance(drawing, dict) else None
    if not png:
        return None
    refused = "the drawing did not arrive as a picture; press Clear and draw again"
    if not isinstance(png, str) or not png.startswith(PREFIX) or len(png) > MAX_DATA_URL:
        raise UploadError(refused)
    try:
        image = decode_image(base64.b64decode(png[len(PREFIX):], validate=True), 1, 4 * CANVAS)
    except (binascii.Error, ValueError, UploadError) as exc:
        raise UploadError(refused) from exc
    return prepare_drawing(image, side)


def sketch_pad(side: int, key: str = "sketch-pad") -> torch.Tensor | None:
    """The pad, for a generator that reads (1, 1, side, side) pictures. Returns the latest drawing
    as (1, 1, side, side) in [-1, 1] (averaged down from the canvas), or None while it is empty."""
    kept = _drawing(key)
    strokes = kept.get("strokes") if kept and isinstance(kept.get("strokes"), list) else []
    lo, hi, step, default = PEN_WIDTHS
    _pad(data={"side": side, "pen": [lo, hi, step], "penDefault": default, "strokes": strokes},
         key=key, on_drawing_change=lambda: None, width="content")
    return drawing_tensor(kept, side)
