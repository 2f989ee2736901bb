"""A run's progress pictures as one animated GIF (Pillow's writer), the step written on each
frame: the whole story of what the generator made, to watch or to send."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from ..runs.store import step_of

MAX_FRAMES = 120  # a long run's grids are thinned evenly to this many (the first and last kept)
FRAME_MS = 150  # per frame; the last one is held longer, so the end is seen
LAST_FRAME_MS = 1500
BAND = 18  # pixels of the band the step is written in, above each picture


def thinned(files: list[Path], most: int = MAX_FRAMES) -> list[Path]:
    """At most `most` of `files`, evenly spread over them, the first and the last always in."""
    if len(files) <= most:
        return list(files)
    picks = sorted({round(i * (len(files) - 1) / (most - 1)) for i in range(most)})
    return [files[i] for i in picks]


def _frame(path: Path, size: tuple[int, int]) -> Image.Image:
    with Image.open(path) as img:
        picture = img.convert("RGB")
    if picture.size != size:  # a grid of another size (a changed preview): fit it, keep the frame
        picture = picture.resize(size, Image.NEAREST)
    frame = Image.new("RGB", (size[0], size[1] + BAND), (255, 255, 255))
    frame.paste(picture, (0, BAND))
    ImageDraw.Draw(frame).text((4, 3), f"step {step_of(path):,}", fill=(40, 40, 40))
    return frame


def animation_gif(files: list[Path], most: int = MAX_FRAMES) -> bytes:
    """The pictures `files` (samples/step_*.png, in step order) as an animated GIF that loops."""
    if not files:
        raise ValueError("no pictures yet: the first one is saved at the run's first sample step")
    chosen = thinned(files, most)
    with Image.open(chosen[0]) as first:
        size = first.size
    frames = [_frame(path, size) for path in chosen]
    out = io.BytesIO()
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, optimize=False)
    return out.getvalue()
