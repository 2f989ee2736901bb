"""The Train page's "Processes" choice, under Advanced settings: one process (a run trained in
the server, as usual), or torchrun with several (all GPUs when there are several; 2 CPU
processes to try distributed training). A way to launch, not a training setting."""
from __future__ import annotations

import streamlit as st
import torch

from gancore.runs.torchrun_launch import process_choices


def pick_processes(key: str) -> int:
    choices = process_choices(torch.cuda.device_count() if torch.cuda.is_available() else 0)
    return st.selectbox(
        "Processes", list(choices), format_func=choices.__getitem__, key=key,
        help="more than one: torchrun trains the run on several processes with PyTorch's "
             "DistributedDataParallel; the batch size is per process, so each step sees batch "
             "size x processes examples (docs/SCALING.md). The Monitor follows and controls it.")
