"""Which device to train on, and how to describe it to a person."""
from __future__ import annotations

import torch

from ..errors import ConfigError


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" picks cuda, then mps, then cpu. An explicit device that is absent is an error."""
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps and mps.is_available())
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device", "cuda was asked for but no CUDA GPU is available; use auto or cpu")
    if name == "mps" and not has_mps:
        raise ConfigError("device", "mps was asked for but no Apple GPU is available; use auto or cpu")
    return torch.device(name)


def describe_device(name: str = "auto") -> str:
    """"NVIDIA H100 80GB HBM3 (cuda)" or "CPU (2 threads)": what the dashboard shows before Start."""
    device = resolve_device(name)
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (GPU)"
    if device.type == "mps":
        return "Apple GPU (mps)"
    return f"CPU ({torch.get_num_threads()} threads)"
