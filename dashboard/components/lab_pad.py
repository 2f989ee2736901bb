"""The 2D Lab's drawing pad (st.components.v2, in the page, nothing fetched): press and drag to
spray points; "Train on these points" hands them to Python, which starts a lab that learns them
(gancore.lab_share.drawn_lab). The drawing survives page redraws on its element.
"""
from __future__ import annotations

import streamlit as st

from gancore.data.drawn import MAX_DRAWN, MIN_DRAWN, PAD_BOX

HTML = """<div class="gs-pad">
<canvas width="360" height="360" style="border: 1px solid #d1d5db; border-radius: 6px;
  touch-action: none; cursor: crosshair; background: #fff"></canvas>
<div style="display: flex; gap: .5rem; align-items: center; margin-top: .4rem">
<button type="button" class="gs-pad-train">Train on these points</button>
<button type="button" class="gs-pad-clear">Clear</button>
<span class="gs-pad-count" style="color: #4b5563; font-size: .9rem"></span>
</div></div>"""

CSS = """.gs-pad button { border: 1px solid #d1d5db; border-radius: 6px; padding: .3rem .8rem;
  background: #fff; cursor: pointer; font: inherit }
.gs-pad button.gs-pad-train { background: #ff4b4b; color: #fff; border-color: #ff4b4b }
.gs-pad button:disabled { opacity: .5; cursor: default }"""

# Pixel (px, py) on the 360 px canvas <-> raw (x, y) in the pad's box [lo, hi]^2, y upwards.
JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const canvas = parentElement.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const count = parentElement.querySelector(".gs-pad-count");
  const train = parentElement.querySelector(".gs-pad-train");
  const { lo, hi, min, max } = data;
  const size = canvas.width;
  const toRaw = (p) => lo + (p / size) * (hi - lo);
  const toPx = (v) => ((v - lo) / (hi - lo)) * size;
  // the drawing lives on the element, so a page redraw (new data) does not wipe it
  if (!parentElement.gsPoints) parentElement.gsPoints = (data.points || []).map((p) => [...p]);
  const points = parentElement.gsPoints;
  const paint = () => {
    ctx.clearRect(0, 0, size, size);
    ctx.strokeStyle = "#e5e7eb";
    for (let v = Math.ceil(lo); v <= hi; v++) {  // a line at every whole unit, the axes darker
      ctx.strokeStyle = v === 0 ? "#9ca3af" : "#e5e7eb";
      ctx.beginPath(); ctx.moveTo(toPx(v), 0); ctx.lineTo(toPx(v), size); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(0, size - toPx(v)); ctx.lineTo(size, size - toPx(v)); ctx.stroke();
    }
    ctx.fillStyle = "#4b5563";
    for (const [x, y] of points) {
      ctx.beginPath(); ctx.arc(toPx(x), size - toPx(y), 3, 0, 2 * Math.PI); ctx.fill();
    }
    count.textContent = points.length + " of " + max + " points" +
      (points.length < min ? " (draw at least " + min + ")" : "");
    train.disabled = points.length < min;
  };
  // a spray: a few points scattered within 12 px of the pointer, each inside the pad
  const spray = (event) => {
    const box = canvas.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * size;
    const py = ((event.clientY - box.top) / box.height) * size;
    for (let i = 0; i < 2 && points.length < max; i++) {
      const r = 12 * Math.sqrt(Math.random()), a = 2 * Math.PI * Math.random();
      const qx = Math.min(size, Math.max(0, px + r * Math.cos(a)));
      const qy = Math.min(size, Math.max(0, py + r * Math.sin(a)));
      points.push([toRaw(qx), toRaw(size - qy)]);
    }
    paint();
  };
  let down = false;
  canvas.onpointerdown = (e) => { down = true; canvas.setPointerCapture(e.pointerId); spray(e); };
  canvas.onpointermove = (e) => { if (down) spray(e); };
  canvas.onpointerup = () => { down = false; };
  parentElement.querySelector(".gs-pad-clear").onclick = () => { points.length = 0; paint(); };
  train.onclick = () => setTriggerValue("points", points.map(([x, y]) => [x, y]));
  paint();
}
"""

_pad = st.components.v2.component("gs_lab_pad", html=HTML, css=CSS, js=JS, isolate_styles=True)


def drawing_pad(points: list | None, on_points) -> None:
    """The pad, showing `points` ((P, 2) raw, the current drawing) at first. `on_points(points)`
    is called with the list of [x, y] pairs when the person presses "Train on these points"."""
    lo, hi = PAD_BOX

    def handed_over() -> None:
        value = st.session_state.get("lab-pad")
        drawn = value.get("points") if isinstance(value, dict) else getattr(value, "points", None)
        if drawn is not None:
            on_points(drawn)

    _pad(data={"lo": lo, "hi": hi, "min": MIN_DRAWN, "max": MAX_DRAWN,
               "points": None if points is None else [[float(x), float(y)] for x, y in points]},
         key="lab-pad", on_points_change=handed_over)
