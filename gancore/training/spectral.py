"""Spectral normalisation of a discriminator (Miyato et al. 2018), for any variant.

Each Conv/Linear weight W is used as W / sigma(W), sigma its largest singular value, estimated by
one power iteration per forward pass in training mode (torch's parametrization). D then changes
by at most a bounded amount when its input changes, which keeps the gradients it gives G useful.
The parametrization renames the weight in the state_dict ("parametrizations.weight.original",
plus its "_u" / "_v" vectors), so a network is rebuilt with it before such weights load
(registry.create_gan does both, from the config).
"""
from __future__ import annotations

import torch.nn as nn
from torch.nn.utils.parametrizations import spectral_norm

LAYERS = (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear)


def spectral_normalise(module: nn.Module) -> nn.Module:
    """Put spectral normalisation on every Conv/Linear weight of `module`, in place; returns it.
    Embedding tables (a projection D's class vectors) are left as they are, as in the paper."""
    for layer in [m for m in module.modules() if isinstance(m, LAYERS)]:
        spectral_norm(layer)
    return module
