"""Measure a saved run: its checkpoint's generator against the run's own data, as plain data.
What `python -m gancore eval --run DIR` prints (as JSON)."""
from __future__ import annotations

from ..data import load_dataset
from ..training.device import resolve_device
from ..errors import GanError
from ..registry import is_conditional
from ..runs.store import Run
from ..sampling import load_generator
from .measures import get_measure_spec, measure_for


def evaluate_run(run: Run, checkpoint: str = "latest.pt", device: str = "auto") -> dict:
    """{"run", "variant", "dataset", "step", "kind", "metrics", "floor", "floor_is", "history"}:
    the checkpoint's quality now, the floor for reference ("floor_is" says what it is: real vs
    real, or bicubic upscaling for super-resolution), and what was measured while training."""
    dev = resolve_device(device)
    state = run.load_checkpoint(checkpoint)
    generator, info, cfg = load_generator(state, device=dev)
    step = int(state["step"])
    data = load_dataset(cfg.data, cfg.seed)
    measure = measure_for(cfg, data, is_conditional(cfg), dev)
    if measure is None:
        raise GanError(f"there is no quality measure for {cfg.data.dataset}: mode coverage needs a "
                       "Gaussian mixture (ring8, grid25) and the image metrics need labelled images")
    measure.prepare()
    return {"run": run.run_id, "variant": cfg.model.variant, "dataset": cfg.data.dataset, "step": step,
            "checkpoint": checkpoint, "kind": measure.kind, "metrics": measure(generator),
            "floor": measure.floor(), "floor_is": get_measure_spec(measure.kind).floor_words,
            "history": run.quality()}
