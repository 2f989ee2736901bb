"""Training: the two-phase step (step), loss pairs by name (losses), how the step runs on a device
(engine, device, threads), and the loop that emits events (trainer)."""
from .device import describe_device, resolve_device
from .trainer import Event, StepResult, Trainer, train

__all__ = ["describe_device", "resolve_device", "Event", "StepResult", "Trainer", "train"]
