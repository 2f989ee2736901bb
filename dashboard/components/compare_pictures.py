"""The runs' pictures side by side at one step, with one scrubber for all: each run shows its
latest picture at or before that step (gancore.runs.compare.pictures_at), captioned with its
label and the step the picture is from."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from gancore.runs.compare import picture_caption, picture_steps, pictures_at

PER_ROW = 3  # pictures side by side: wide enough to see a grid's cells


def show_pictures(files: dict[str, list[Path]], labels: dict[str, str]) -> None:
    """`files`: run id -> its saved pictures (compare.sample_files), in the order picked."""
    steps = picture_steps(files)
    if not steps:
        st.caption("None of these runs has saved a picture yet.")
        return
    at = steps[-1]
    if len(steps) > 1:
        at = st.select_slider("Step", steps, value=steps[-1], key="compare-step",
                              format_func=lambda s: f"{s:,}",
                              help="every step at which any of these runs saved a picture")
    matched = pictures_at(files, at)
    for start in range(0, len(matched), PER_ROW):
        for column, pic in zip(st.columns(PER_ROW), matched[start:start + PER_ROW]):
            words = picture_caption(labels.get(pic.run_id, pic.run_id), pic.step, at)
            if pic.path is None:
                column.caption(words)
            else:
                # bytes, not the path: the run keeps saving pictures, and a path read later could
                # be a newer file under the same name after a resume
                column.image(pic.path.read_bytes(), caption=words, width="stretch")
