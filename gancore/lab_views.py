"""What the 2D Lab shows besides its snapshot: the divergence between real and generated points
(as GAN Lab plots it), G's manifold (a latent grid bent by G into the data plane), and the
recent frames a scrubber looks back at. Pure numpy / torch; no streamlit.
"""
from __future__ import annotations

from collections import deque

import numpy as np
import torch

HIST_BINS = 20  # side of the histogram lattice the divergence is measured on
MESH_SIDE = 15  # latent grid lines of the manifold in each direction
MESH_REACH = 2.5  # the latent grid spans [-MESH_REACH, MESH_REACH]: almost all of N(0, 1)'s mass
FRAMES = 200  # snapshots the scrubber can look back at


def js_divergence(real: np.ndarray, fake: np.ndarray, bounds: tuple[float, float, float, float],
                  bins: int = HIST_BINS) -> float:
    """Jensen-Shannon divergence (natural log, in [0, ln 2]) between the histograms of (R, 2)
    real and (N, 2) generated points on a bins x bins lattice over `bounds` (x0, x1, y0, y1).
    Points outside the box land in the edge cells (clipped), so none is lost. 0: the same
    histogram; ln 2 = 0.693: no cell shared. Empty or non-finite input gives NaN."""
    if not len(real) or not len(fake) or not (np.isfinite(real).all() and np.isfinite(fake).all()):
        return float("nan")
    x0, x1, y0, y1 = bounds

    def hist(points: np.ndarray) -> np.ndarray:
        xs = np.clip(points[:, 0], x0, x1)
        ys = np.clip(points[:, 1], y0, y1)
        h, _, _ = np.histogram2d(xs, ys, bins=bins, range=[[x0, x1], [y0, y1]])  # (bins, bins)
        return h.ravel() / h.sum()

    p, q = hist(real), hist(fake)
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        inside = a > 0  # 0 log 0 = 0; m > 0 wherever a > 0
        return float(np.sum(a[inside] * np.log(a[inside] / m[inside])))

    return max(0.0, (kl(p) + kl(q)) / 2)


def latent_mesh(generator, latent_dim: int, y: torch.Tensor | None, side: int = MESH_SIDE,
                reach: float = MESH_REACH) -> np.ndarray:
    """G applied to a side x side grid of latent points -> (side, side, 2) in G's output
    coordinates (scaled data). mesh[i, j] = G(z) with z_1 = u[j], z_2 = u[i], u spanning
    [-reach, reach]; for a latent of more than 2 dimensions the other coordinates are 0 (a 2-d
    slice through the mean of the noise). `y`: a (1,) label for conditional generators, or None.
    Call in eval mode, under no_grad."""
    device = next(generator.parameters()).device
    u = torch.linspace(-reach, reach, side, device=device)  # (side,)
    vv, uu = torch.meshgrid(u, u, indexing="ij")  # (side, side) each; row i = second coordinate
    z = torch.zeros(side * side, latent_dim, device=device)  # (side*side, latent)
    z[:, 0] = uu.reshape(-1)
    if latent_dim > 1:
        z[:, 1] = vv.reshape(-1)
    labels = None if y is None else y.expand(side * side)
    return generator(z, labels).float().reshape(side, side, 2).cpu().numpy()


class Frames:
    """The lab's recent snapshots, oldest first, one per distinct iteration (a redraw at the same
    iteration replaces it, so toggling the arrows does not fill the scrubber). Capped at `cap`."""

    def __init__(self, cap: int = FRAMES):
        self._frames: deque = deque(maxlen=cap)

    def add(self, snap) -> None:
        if self._frames and self._frames[-1].iteration == snap.iteration:
            self._frames[-1] = snap
        else:
            self._frames.append(snap)

    def iterations(self) -> list[int]:
        return [f.iteration for f in self._frames]

    def at(self, iteration: int):
        """The frame taken at `iteration`, or the latest one before it (None if there is none)."""
        best = None
        for frame in self._frames:
            if frame.iteration <= iteration:
                best = frame
        return best

    def divergence(self) -> tuple[list[int], list[float]]:
        """(iterations, JS divergence) of the frames kept: GAN Lab's divergence curve."""
        return [f.iteration for f in self._frames], [f.js for f in self._frames]

    def __len__(self) -> int:
        return len(self._frames)


__all__ = ["Frames", "js_divergence", "latent_mesh"]
