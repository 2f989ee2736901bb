"""An exponential moving average of the generator's weights (g_ema_decay), as StudioGAN and
BigGAN sample from: after each generator update, ema <- decay * ema + (1 - decay) * weights.

The average smooths out the step-to-step wobble of adversarial training, so its samples are
usually cleaner than the raw generator's at the same step. Pictures and quality measurements use
it when it is on; checkpoints keep it beside the raw weights under CHECKPOINT_KEY.

The decay warms up as TensorFlow's ExponentialMovingAverage does with num_updates:
min(decay, (1 + t) / (10 + t)) after t updates, so an average started from the initial weights
does not lag thousands of steps behind a short run (0.999 alone remembers ~1,000 steps).
Updates are on the device with foreach kernels: no value is read back to the host.
"""
from __future__ import annotations

import copy

import torch

from ..sampling.checkpoints import EMA_KEY as CHECKPOINT_KEY  # the averaged weights' state_dict
UPDATES_KEY = "generator_ema_updates"  # how many updates went into it (the warm-up's t)


def warmed_decay(decay: float, updates: int) -> float:
    """The decay used for update number `updates` (0-based)."""
    return min(decay, (1.0 + updates) / (10.0 + updates))


class GeneratorEMA:
    """Holds `model`, an eval-mode copy of the generator whose parameters are the running average
    and whose buffers (BatchNorm statistics, spectral-norm vectors) are the generator's latest."""

    def __init__(self, generator: torch.nn.Module, decay: float):
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(generator).eval().requires_grad_(False)
        self._ema_params, self._ema_buffers = list(self.model.parameters()), list(self.model.buffers())
        self._source = None  # (generator, its parameters, its buffers): listed once, not every step

    def _tensors_of(self, generator: torch.nn.Module) -> tuple[list, list]:
        if self._source is None or self._source[0] is not generator:
            self._source = (generator, list(generator.parameters()), list(generator.buffers()))
        return self._source[1], self._source[2]

    @torch.no_grad()
    def update(self, generator: torch.nn.Module) -> None:
        """One step of the average towards `generator`'s current weights (same architecture)."""
        weight = 1.0 - warmed_decay(self.decay, self.updates)  # a host float: no sync
        params, buffers = self._tensors_of(generator)
        # lerp_(ema, w, 1 - d) = ema + (1 - d) (w - ema) = d ema + (1 - d) w; weight 1 copies exactly
        torch._foreach_lerp_(self._ema_params, params, weight)
        if buffers:  # running statistics are not averaged: the latest describe the latest weights
            torch._foreach_copy_(self._ema_buffers, buffers)
        self.updates += 1

    def state(self) -> dict:
        """What a checkpoint keeps: plain tensors and an int (torch.load(weights_only=True))."""
        return {CHECKPOINT_KEY: self.model.state_dict(), UPDATES_KEY: self.updates}

    def load(self, checkpoint: dict, generator: torch.nn.Module) -> None:
        """Continue the average a checkpoint kept; a checkpoint without one (an older run, or a
        fork that turns the average on) starts it from `generator`'s weights, warm-up and all."""
        if isinstance(checkpoint.get(CHECKPOINT_KEY), dict):
            self.model.load_state_dict(checkpoint[CHECKPOINT_KEY])
            self.updates = int(checkpoint.get(UPDATES_KEY, 0))
        else:
            self.model.load_state_dict(generator.state_dict())
            self.updates = 0
