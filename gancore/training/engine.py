"""Engine options: how the step runs on a device, never what it computes.

Each option is switchable in the config and measured on its own in docs/BENCHMARKS.md:
- amp: bf16 autocast of the forward passes (no GradScaler needed for bf16);
- channels_last: NHWC memory layout for conv networks and image data (cuDNN's and oneDNN's fast path);
- compile: torch.compile of both networks (fused kernels; no CUDA graphs, see prepare_networks).
"auto" resolves to what measured fastest for the device and keeps results correct: on a GPU all
but compile; on a CPU channels_last for conv networks, and neither bf16 (it changes the numbers)
nor compile. The measurements are in docs/BENCHMARKS.md.
Independently of the options, cudnn.benchmark is on for CUDA.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass(frozen=True)
class Engine:
    device: torch.device
    amp_dtype: torch.dtype | None
    channels_last: bool
    compile: bool

    def autocast(self):
        if self.amp_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)


def has_conv(module: nn.Module) -> bool:
    return any(isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) for m in module.modules())


def resolve_engine(cfg, device: torch.device, networks: list[nn.Module]) -> Engine:
    cuda = device.type == "cuda"
    conv = any(has_conv(n) for n in networks)
    amp = {"auto": torch.bfloat16 if cuda else None, "bf16": torch.bfloat16, "off": None}[cfg.amp]
    channels_last = {"auto": conv, "on": conv, "off": False}[cfg.channels_last]
    if cuda:
        torch.backends.cudnn.benchmark = True  # fixed shapes every step: let cuDNN pick kernels
    return Engine(device, amp, channels_last, bool(cfg.compile))


def prepare_networks(engine: Engine, *networks: nn.Module) -> list[nn.Module]:
    """Apply the layout option in place; return the modules to call (compiled when asked).
    The originals keep their parameters: optimizers and state_dicts use them."""
    out = []
    for net in networks:
        if engine.channels_last:
            net.to(memory_format=torch.channels_last)
        # The default mode, not "reduce-overhead": its CUDA graphs reuse their output buffers at
        # later calls, but the step keeps G's `fake` from the D phase for the G phase, and on an
        # H200 it was found overwritten there ("accessing tensor output of CUDAGraphs that has
        # been overwritten", docs/BENCHMARKS.md). On a CPU the two modes are the same.
        out.append(torch.compile(net) if engine.compile else net)
    return out


def prepare_data(engine: Engine, x: torch.Tensor) -> torch.Tensor:
    if engine.channels_last and x.dim() == 4:
        return x.contiguous(memory_format=torch.channels_last)
    return x
