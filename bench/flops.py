"""Achieved TFLOP/s: the floating-point work of one training step, counted with torch's own FLOP
formulas (matmuls and convolutions, forward and backward, every critic step), times steps/s.

Used by the throughput benchmark for the GPU goal "dcgan's achieved TFLOP/s at batch 1024 as a
fraction of the card's bf16 peak".
"""
from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

# Dense bf16 tensor-core peaks (no sparsity), TFLOP/s, from the vendors' data sheets; matched
# against torch.cuda.get_device_name() in order, so the more specific names come first.
BF16_PEAK_TFLOPS = (
    ("H200", 989.0), ("H100 PCIe", 756.0), ("H100", 989.0), ("A100", 312.0), ("L40S", 362.0),
    ("L4", 121.0),
)


class _CountFlops(TorchDispatchMode):
    """Adds up torch's own FLOP formulas (torch.utils.flop_counter.flop_registry: matmuls,
    convolutions and their backward ops) over every op run inside. Not FlopCounterMode itself:
    it tracks modules with backward hooks, which fail inside the gradient penalty's autograd.grad."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        formula = flop_registry.get(func._overloadpacket)
        if formula is not None:
            self.total += formula(*args, **kwargs, out_val=out)
        return out


def step_flops(trainer) -> int:
    """FLOPs of one training step of `trainer` (a gancore Trainer): both phases, n_critic D
    updates. Runs that step for real (the trainer's weights move by one step)."""
    with _CountFlops() as counter:
        trainer.train_step()
    return counter.total


def bf16_peak_tflops(device: torch.device) -> float | None:
    """The card's dense bf16 peak, or None for a CPU or a card not in the table."""
    if device.type != "cuda":
        return None
    return peak_for_card(torch.cuda.get_device_name(device))


def peak_for_card(name: str) -> float | None:
    """"NVIDIA H100 80GB HBM3" -> 989.0; None for a card not in BF16_PEAK_TFLOPS."""
    return next((peak for key, peak in BF16_PEAK_TFLOPS if key in name), None)


def achieved_tflops(flops_per_step: int, images_per_s: float, batch_size: int) -> float:
    return flops_per_step * (images_per_s / batch_size) / 1e12
