"""The 2D Lab's own data and links: points a person drew become a dataset, and a lab's settings
(with its drawn points, never its weights) travel as a few URL query parameters.

Drawn points live in PAD_BOX (the drawing pad's square, raw coordinates). In a link each point is
two bytes (its coordinates on a 256-step lattice of the pad, about 0.016 apart), base64url: 400
points make a link of about 1,100 characters.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

from .config import make_config
from .data.drawn import DRAWN, PAD_BOX, check_points, drawn_dataset
from .errors import ConfigError
from .lab2d import Lab2D
from .lab_knobs import LOSSES, OPTIMIZERS, Knobs, check, restart, variant_and_settings

BASE_DATASET = "ring8"  # the config a drawing's lab starts from (its defaults for 2D points)


def drawn_lab(points, variant: str = "vanilla", seed: int = 0) -> Lab2D:
    """A fresh lab that learns the drawing. Conditional variants refuse it (a drawing has no labels)."""
    cfg = make_config(variant, BASE_DATASET, device="cpu", seed=seed)
    lab = Lab2D(cfg, dataset=drawn_dataset(points, seed))
    lab.bounds = PAD_BOX + PAD_BOX  # the pad's own square, so the picture frames the drawing as drawn
    return lab


def encode_points(points) -> str:
    arr = check_points(points)
    lo, hi = PAD_BOX
    q = np.rint((arr - lo) / (hi - lo) * 255).astype(np.uint8)  # (P, 2) on the lattice
    return base64.urlsafe_b64encode(q.tobytes()).decode().rstrip("=")


def decode_points(text: str) -> np.ndarray:
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError):
        raise ConfigError("pts", "the drawing in the link is damaged (not base64url)") from None
    if len(raw) % 2:
        raise ConfigError("pts", "the drawing in the link is damaged (an odd number of bytes)")
    lo, hi = PAD_BOX
    q = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2).astype(np.float64)  # (P, 2) lattice steps
    try:
        return check_points(lo + q / 255 * (hi - lo))
    except ConfigError as exc:  # the link's parameter is what the person can see and fix
        raise ConfigError("pts", f"the drawing in the link: {exc.message}") from None


@dataclass(frozen=True)
class LabLink:
    """What a link restores: the variant and data, the knobs and k_D / k_G. Not the weights."""

    variant: str
    dataset: str  # a built-in 2D dataset's name, or DRAWN
    points: np.ndarray | None  # (P, 2) the drawing, when dataset == DRAWN
    knobs: Knobs
    k_d: int
    k_g: int


def link_params(lab: Lab2D, knobs: Knobs, k_d: int, k_g: int, points=None) -> dict[str, str]:
    """Query parameters that rebuild this lab's settings (`points`: its drawing, if any)."""
    params = {"lab": lab.cfg.model.variant, "data": DRAWN if points is not None else lab.cfg.data.dataset,
              "lr_d": f"{knobs.lr_d:g}", "lr_g": f"{knobs.lr_g:g}", "opt": knobs.optimizer,
              "loss": LOSSES[knobs.loss], "z": str(knobs.latent_dim), "kd": str(k_d), "kg": str(k_g)}
    if points is not None:
        params["pts"] = encode_points(points)
    return params


def parse_link(params) -> LabLink:
    """The settings from a link's query parameters (a mapping of str -> str). A missing or bad
    one raises ConfigError naming the parameter and what it may be."""
    def get(name: str) -> str:
        value = params.get(name)
        if value is None or value == "":
            raise ConfigError(name, "is missing from the lab link")
        return str(value)

    def number(name: str, kind):
        try:
            return kind(get(name))
        except ValueError:
            raise ConfigError(name, f"must be a {'whole ' if kind is int else ''}number, got {get(name)!r}") from None

    by_name = {name: shown for shown, name in LOSSES.items()}
    loss = get("loss")
    if loss not in by_name:
        raise ConfigError("loss", f"must be one of {', '.join(by_name)}, got {loss!r}")
    optimizer = get("opt")
    if optimizer not in OPTIMIZERS:
        raise ConfigError("opt", f"must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    knobs = check(Knobs(lr_d=number("lr_d", float), lr_g=number("lr_g", float), optimizer=optimizer,
                        loss=by_name[loss], latent_dim=number("z", int)))
    k_d, k_g = number("kd", int), number("kg", int)
    for name, k in (("kd", k_d), ("kg", k_g)):
        if not 1 <= k <= 20:
            raise ConfigError(name, f"must be a whole number from 1 to 20, got {k}")
    dataset = get("data")
    points = decode_points(get("pts")) if dataset == DRAWN else None
    return LabLink(get("lab"), dataset, points, knobs, k_d, k_g)


def lab_from_link(link: LabLink) -> Lab2D:
    """A fresh lab with the link's settings (fresh weights: a link never carries them)."""
    if link.points is not None:
        base = drawn_lab(link.points, link.variant)
    else:
        base = Lab2D(make_config(link.variant, link.dataset, device="cpu"))
    return restart(base, link.knobs)


__all__ = ["DRAWN", "LabLink", "PAD_BOX", "check_points", "decode_points", "drawn_dataset",
           "drawn_lab", "encode_points", "lab_from_link", "link_params", "parse_link", "run_config"]


def run_config(lab: Lab2D, knobs: Knobs, k_d: int, drawing_dir: str | None = None):
    """The TrainConfig of a background run with this lab's settings (its variant and data, rates,
    loss, noise size; k_D as the run's n_critic), for "save this lab as a run". The run trains
    fresh networks with Adam (runs know no SGD). A drawn lab's run loads its drawing from
    `drawing_dir` (data/drawn.py's save_drawing), like any dataset by name and folder."""
    check(knobs)
    variant, overrides = variant_and_settings(lab, knobs)
    if lab.info.name == DRAWN:
        if not drawing_dir:
            raise ConfigError("data_dir", "a drawn lab's run needs its drawing saved first (save_drawing)")
        return make_config(variant, DRAWN, n_critic=int(k_d), data_dir=drawing_dir, **overrides)
    return make_config(variant, lab.cfg.data.dataset, n_critic=int(k_d), **overrides)
