"""Generators rebuilt from checkpoints, cached across sessions (keyed by file and its mtime, so a
newer latest.pt is picked up), and the real points drawn beside 2D samples."""
from __future__ import annotations

import streamlit as st

from gancore import Run, load_dataset
from gancore.sampling import load_checkpoint_bytes, load_generator, to_raw_points
from gancore.sampling.checkpoints import WEIGHTS, weight_choices


def checkpoint_names(run: Run) -> list[str]:
    names = [p.name for p in reversed(run.checkpoint_files())]
    return (["latest.pt"] if (run.checkpoints_dir / "latest.pt").is_file() else []) + names


def checkpoint_label(run: Run, name: str) -> str:
    """A checkpoint by its step in words: "step 4,000", and "latest (step 6,500)" for latest.pt,
    which is a second link to the newest step file (runs/store.py), so its step is that file's."""
    def step_of(file_name: str) -> int | None:
        digits = file_name.removeprefix("step_").removesuffix(".pt")
        return int(digits) if digits.isdigit() else None

    if name != "latest.pt":
        step = step_of(name)
        return f"step {step:,}" if step is not None else name
    latest = run.checkpoints_dir / name
    same = [p for p in run.checkpoint_files() if latest.exists() and p.samefile(latest)]
    step = step_of(same[0].name) if same else None
    return f"latest (step {step:,})" if step is not None else "latest"


def _every_generator(state: dict) -> dict:
    """{weights: (generator, info, cfg)} for each set of weights the checkpoint holds (WEIGHTS),
    the default first: one read of the file for both."""
    return {w: load_generator(state, weights=w) for w in weight_choices(state)}


@st.cache_resource(max_entries=8, show_spinner="Loading the generator...")
def _load(path: str, name: str, mtime: float):
    # Eval mode and no_grad sampling only: safe to share between sessions.
    return _every_generator(Run(path).load_checkpoint(name))


def checkpoint_generators(run: Run, name: str) -> dict:
    """{"ema" | "raw": (generator, DataInfo, TrainConfig)} for a checkpoint of `run`, the
    averaged weights first when its run kept them."""
    mtime = (run.checkpoints_dir / name).stat().st_mtime if (run.checkpoints_dir / name).exists() else 0.0
    return _load(str(run.path), name, mtime)


@st.cache_resource(max_entries=4, show_spinner="Checking the checkpoint...")
def uploaded_generators(data: bytes) -> dict:
    """An uploaded checkpoint's generators as checkpoint_generators gives them: weights_only
    loading (a pickle payload is refused, never run)."""
    return _every_generator(load_checkpoint_bytes(data))


def pick_weights(generators: dict, key: str) -> tuple:
    """A radio between the averaged and the raw weights when the checkpoint has both (the
    average by default, as the run's pictures and measurements used it); the chosen
    (generator, info, cfg)."""
    if len(generators) < 2:
        return next(iter(generators.values()))
    choice = st.radio("Generator weights", list(generators), format_func=WEIGHTS.get, horizontal=True,
                      key=key, help="the run kept a moving average of the generator's weights: samples "
                                    "from the average are usually cleaner than from the weights as trained")
    return generators[choice]


@st.cache_data(max_entries=8, show_spinner=False)
def real_points(data_cfg_items: tuple, seed: int, n: int = 2500):
    """(n, 2) real points of a 2D toy, in its own coordinates: the backdrop of a scatter."""
    from gancore import DataConfig

    data = load_dataset(DataConfig(**dict(data_cfg_items)), seed)
    return to_raw_points(data.x[:n], data.info).numpy()
