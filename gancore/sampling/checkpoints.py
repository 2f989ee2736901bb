"""Rebuilding a generator from a checkpoint: the run's own file, or an upload (hostile until read
with weights_only=True)."""
from __future__ import annotations

import io
import pickle

import torch

from ..config import TrainConfig
from ..data.base import DataInfo
from ..errors import GanError, RunError
from ..registry import create_gan

# A checkpoint's averaged generator weights (training/ema.py), beside "generator", the raw ones
EMA_KEY = "generator_ema"
# Which of a checkpoint's generator weights to use: the running average the run kept
# (g_ema_decay), or the weights as trained. In words for pickers and errors.
WEIGHTS = {"ema": "averaged weights (EMA)", "raw": "raw weights"}

PICK_EARLIER = "pick an earlier checkpoint"
PART_WORDS = {EMA_KEY: "averaged generator"}  # a checkpoint part in an error; others by their key


def check_finite_weights(state: dict, parts=("generator",), advice: str = PICK_EARLIER) -> None:
    """Refuse a checkpoint whose networks hold NaN or infinite weights (a diverged run saved them;
    they would draw NaN samples or train on from NaN). `parts` are the state's state_dicts to
    check. One host sync for all of them: the per-tensor verdicts are stacked and read once."""
    verdicts, names = [], []
    for part in parts:
        weights = state.get(part)
        tensors = [t for t in weights.values() if torch.is_tensor(t) and t.is_floating_point()
                   ] if isinstance(weights, dict) else []  # a malformed part is load_generator's to word
        if tensors:
            verdicts.append(torch.stack([torch.isfinite(t).all() for t in tensors]).all())
            names.append(part)
    if not verdicts:
        return
    bad = [name for name, ok in zip(names, torch.stack(verdicts).tolist()) if not ok]
    if bad:
        words = " and ".join(PART_WORDS.get(name, name) for name in bad)
        raise RunError(f"the checkpoint's {words} weights contain NaN or infinite values (from a "
                       f"diverged run?); {advice}")


def weight_choices(state: dict) -> list[str]:
    """The generator weights a checkpoint holds, the one to use by default first: ["ema", "raw"]
    when its run kept an average, else ["raw"]."""
    return ["ema", "raw"] if isinstance(state.get(EMA_KEY), dict) else ["raw"]


def load_generator(state: dict, device="cpu", weights: str | None = None):
    """Rebuild the generator a checkpoint state was saved from (its config and data facts are in
    the checkpoint as plain data). `weights`: "ema" or "raw" (WEIGHTS); None: the average when
    the checkpoint has one. Returns (generator in eval mode, info, cfg)."""
    choices = weight_choices(state) if isinstance(state, dict) else ["raw"]
    if weights is not None and weights not in WEIGHTS:
        raise RunError(f"weights: must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    if weights is not None and weights not in choices:
        raise RunError("this checkpoint has no averaged (EMA) weights: its run trained without "
                       "generator weight averaging (g_ema_decay 0); use the raw weights")
    key = EMA_KEY if (weights or choices[0]) == "ema" else "generator"
    try:
        cfg = TrainConfig.from_dict(state["config"])
        info = DataInfo.from_dict(state["data_info"])
        generator = create_gan(cfg, info).generator
    except (KeyError, TypeError, ValueError, GanError) as exc:
        raise RunError(f"this is not a gancore checkpoint (its config cannot be read: {exc})") from exc
    try:
        generator.load_state_dict(state[key])
    except (KeyError, RuntimeError) as exc:
        detail = str(exc).strip().splitlines()
        raise RunError(f"the checkpoint's weights do not fit a {cfg.model.variant} generator for "
                       f"{info.name} ({detail[1].strip() if len(detail) > 1 else detail[0]})") from exc
    check_finite_weights({"generator": generator.state_dict()})
    return generator.to(device).eval(), info, cfg


def load_checkpoint_bytes(data: bytes, max_mb: float = 200.0) -> dict:
    """An uploaded checkpoint, read as plain data and tensors only: a pickled object inside is
    refused by weights_only=True without ever being run."""
    if len(data) > max_mb * 2**20:
        raise RunError(f"the checkpoint is {len(data) / 2**20:.0f} MB; the limit is {max_mb:g} MB")
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # torch's message advises weights_only=False, exactly what must not be done with a file
        # from outside: say what the file is instead
        if "GLOBAL" not in str(exc):  # no reference to a Python object: not a pickle of plain data
            raise RunError("this file cannot be loaded safely as a checkpoint (it is not a PyTorch "
                           "checkpoint file)") from exc
        raise RunError("this file holds Python objects besides plain weights (code could run if it "
                       "were opened the unsafe way), so it is not loaded") from exc
    except Exception as exc:  # a truncated file, not a checkpoint at all
        raise RunError("this file cannot be loaded safely as a checkpoint "
                       f"({str(exc).strip().splitlines()[0][:200]})") from exc
    if not isinstance(state, dict) or "generator" not in state:
        raise RunError("this file is not a gancore checkpoint (no generator weights in it)")
    check_finite_weights(state, ("generator", "discriminator", EMA_KEY))
    return state


