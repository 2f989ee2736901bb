"""A 2D Lab snapshot -> one plotly figure, GAN Lab style. Pure: no streamlit.

Layers, bottom to top: D's output as a heatmap (green = "real", purple = "fake"), G's manifold
when asked for (a latent grid bent by G, blue lines), generated
points with one arrow each, then the real points: on top, smaller and outlined, so they stay
visible where the generated ones cover them (on a good run they do, everywhere). The points are
coloured as the Monitor's scatter is (gray real, red generated), in shades that stay clear on
both ends of the heatmap. The arrows, heads included, are one line trace (polylines separated by
NaN): one SVG path for all N arrows, where arrow-head markers made N more elements to redraw
every frame while the lab plays (docs/BENCHMARKS.md, 2D Lab: Play). The heatmap is smoothed by
the browser's canvas ("fast"), not per pixel in JS ("best"), for the same reason. Built from
dicts, as charts.py does.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# The Monitor's scatter colours (gancore/sampling/pictures.py): gray real, red generated; the
# arrows are the generated points' own red, a shade darker. The heatmap keeps GAN Lab's green
# ("real") to purple ("fake"), light enough under the points that neither reads as black.
REAL, FAKE, ARROW = "#4b5563", "#ef4444", "#b91c1c"
MESH = "#2563eb"  # G's manifold: blue, apart from the gray, red and the heatmap's green/purple
HEAT_OPACITY = 0.6
HEAT_SCALE = [[0.0, "#762a83"], [0.25, "#c2a5cf"], [0.5, "#f7f7f7"], [0.75, "#a6dba0"], [1.0, "#1b7837"]]


def _heat_range(snap) -> tuple[float, float, str]:
    """zmin, zmax and the colour bar's title. Probabilities span [0, 1]; a critic's scores are
    centred on its "cannot tell" level, so white always means "D cannot tell"."""
    if snap.score_kind == "probability":
        return 0.0, 1.0, "D's verdict:<br>probability 'real'"
    finite = snap.scores[np.isfinite(snap.scores)]
    spread = float(np.abs(finite - snap.score_mid).max()) if finite.size else 1.0
    spread = spread or 1.0
    return snap.score_mid - spread, snap.score_mid + spread, "critic score:<br>higher = 'real'"


def _arrow_xy(start: np.ndarray, vec: np.ndarray, head: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, 2) tails and (N, 2) vectors -> (6N,) x and y arrays drawing each arrow as one polyline:
    tail, tip, left barb, tip, right barb, NaN (a NaN breaks the line: it reaches the browser as
    null). The head is drawn with the line, not as markers: one SVG path for all N arrows.
    `head`: the longest barb, raw units; a short arrow gets a head 0.4 of its length."""
    length = np.linalg.norm(vec, axis=1, keepdims=True)  # (N, 1)
    unit = np.divide(vec, length, out=np.zeros_like(vec), where=length > 0)  # (N, 2)
    size = np.minimum(head, 0.4 * length)  # (N, 1)
    cos, sin = np.cos(np.radians(25)), np.sin(np.radians(25))
    back = -unit  # barbs: the arrow's direction reversed, turned 25 degrees either way
    left = np.stack([back[:, 0] * cos - back[:, 1] * sin, back[:, 0] * sin + back[:, 1] * cos], 1)
    right = np.stack([back[:, 0] * cos + back[:, 1] * sin, -back[:, 0] * sin + back[:, 1] * cos], 1)
    tip = start + vec
    gap = np.full_like(start, np.nan)
    path = np.stack([start, tip, tip + size * left, tip, tip + size * right, gap], 1)  # (N, 6, 2)
    flat = path.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def _mesh_xy(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M, M, 2) grid of points -> (2M (M + 1),) x and y arrays: the M rows, then the M columns,
    each ended by a NaN that breaks the line (so one trace draws the whole deformed mesh)."""
    lines = np.concatenate([mesh, mesh.transpose(1, 0, 2)])  # (2M, M, 2): 2M polylines
    gaps = np.full((len(lines), 1, 2), np.nan)
    flat = np.concatenate([lines, gaps], axis=1).reshape(-1, 2)  # (2M (M + 1), 2)
    return flat[:, 0], flat[:, 1]


def lab_figure(snap, height: int = 620, show_arrows: bool = True) -> go.Figure:
    zmin, zmax, bar_title = _heat_range(snap)
    kind_word = "P(real)" if snap.score_kind == "probability" else "critic score"
    data = [
        dict(type="heatmap", x=snap.grid_x, y=snap.grid_y, z=snap.scores,
             colorscale=HEAT_SCALE, zmin=zmin, zmax=zmax, opacity=HEAT_OPACITY, zsmooth="fast",
             colorbar=dict(title=dict(text=bar_title), thickness=14, len=0.8),
             hovertemplate=f"x %{{x:.2f}}, y %{{y:.2f}}<br>{kind_word} %{{z:.2f}}<extra></extra>",
             name="discriminator", showlegend=False),
    ]
    generated = dict(type="scatter", mode="markers", x=snap.fake[:, 0], y=snap.fake[:, 1],
                     name="generated", marker=dict(color=FAKE, size=6, opacity=0.85), hoverinfo="skip")
    real = dict(type="scatter", mode="markers", x=snap.real[:, 0], y=snap.real[:, 1],
                name="real data", marker=dict(color=REAL, size=6, line=dict(color="white", width=1)),
                hoverinfo="skip")
    if snap.mesh is not None:  # under the points: the mesh is context, the points are the subject
        xs, ys = _mesh_xy(snap.mesh)
        data.append(dict(type="scatter", mode="lines", x=xs, y=ys, name="G's manifold (latent grid)",
                         line=dict(color=MESH, width=1), opacity=0.7, hoverinfo="skip"))
    data.append(generated)
    if show_arrows and len(snap.fake):
        x0, x1, _, _ = snap.bounds
        xs, ys = _arrow_xy(snap.fake, snap.arrows, head=0.012 * (x1 - x0))
        data.append(dict(type="scatter", mode="lines", x=xs, y=ys, name="where G pushes its points",
                         line=dict(color=ARROW, width=1), connectgaps=False, hoverinfo="skip"))
    data.append(real)  # last: on top
    x0, x1, y0, y1 = snap.bounds
    what = f" · class {snap.label_name or snap.label}" if snap.label is not None else ""
    layout = dict(
        title=dict(text=f"{snap.variant} on {snap.dataset}{what} · iteration {snap.iteration:,}"),
        # room below for the x tick labels and the legend under them
        height=height, margin=dict(l=40, r=10, t=40, b=70),
        xaxis=dict(range=[x0, x1], constrain="domain", showgrid=False, zeroline=False),
        # equal scale: one unit is as long on y as on x, so circles look like circles
        yaxis=dict(range=[y0, y1], scaleanchor="x", scaleratio=1, constrain="domain",
                   showgrid=False, zeroline=False),
        legend=dict(orientation="h", yanchor="top", y=-0.06), plot_bgcolor="white",
        uirevision="lab",  # keep the user's zoom from click to click
    )
    return go.Figure(data=data, layout=layout)
