"""Several processes training one run: torch.distributed with DistributedDataParallel, as torchrun
launches it (one machine or several, through torchrun's rendezvous; nothing here differs).

  torchrun --nproc_per_node N -m gancore train ...      (docs/SCALING.md has the exact lines)

Each process (rank) holds both networks and its own copy of the dataset on its device, draws its
own batches from its own rank-seeded generator, and DDP averages the gradients of every backward
over the ranks, so a step trains on batch_size x world_size examples. Rank 0 alone writes the run
folder and decides pause and stop; the others follow at the same step (Trainer._sync_control).
NCCL on GPUs, gloo on CPUs. On GPUs BatchNorm becomes SyncBatchNorm (statistics over the global
batch); SyncBatchNorm needs CUDA, so on CPUs each rank normalises over its own batch, and DDP
copies rank 0's running statistics to the others at every forward pass.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

# How long a collective waits for a rank that does not answer before it fails: a dead or stuck
# rank ends the others within this bound (torchrun usually ends them sooner, at once).
COLLECTIVE_TIMEOUT_S = 120
RANK_SEED_STRIDE = 1_000_003  # a prime: each rank's batch stream starts far from the others'


@dataclass(frozen=True)
class Ranks:
    """Where this process stands in the group torchrun started."""

    rank: int
    world_size: int
    local_rank: int  # the rank within its machine: which GPU it uses

    @property
    def main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_env(cls) -> "Ranks | None":
        """torchrun's variables, or None outside torchrun (or with one process: nothing to share)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return None
        return cls(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))


def join(ranks: Ranks, device: torch.device) -> torch.device:
    """Join the process group (NCCL for CUDA, gloo otherwise); the device this rank trains on."""
    if device.type == "cuda":
        torch.cuda.set_device(ranks.local_rank)
        device = torch.device("cuda", ranks.local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                                timeout=timedelta(seconds=COLLECTIVE_TIMEOUT_S))
    return device


def leave(wait_for_others: bool = True) -> None:
    """End this rank's part of the group: after a run that ended well, wait for the others (so
    none tears the group down while another still uses it), then destroy it. After an error the
    others may be inside a collective that a barrier would be mistaken for: no wait then."""
    if not dist.is_initialized():
        return
    if wait_for_others:
        try:
            dist.barrier()
        except (RuntimeError, dist.DistError):
            pass  # a rank died meanwhile (the run says so); the group ends all the same
    dist.destroy_process_group()


def rank_seed(seed: int, ranks: Ranks | None) -> int:
    """Rank 0 draws what a one-process run would draw; rank r starts r strides away."""
    return seed + (ranks.rank * RANK_SEED_STRIDE if ranks else 0)


def parallel(module: nn.Module, device: torch.device) -> DistributedDataParallel:
    """`module` (already on `device`) with its gradients averaged over the ranks at each backward.
    Its BatchNorm layers become SyncBatchNorm on CUDA (first, so DDP wraps the synced ones)."""
    if device.type == "cuda":
        module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None)


def average_(values: torch.Tensor, ranks: Ranks | None) -> torch.Tensor:
    """`values` averaged over the ranks, in place (the logged numbers of a window)."""
    if ranks is not None:
        dist.all_reduce(values)
        values /= ranks.world_size
    return values


def broadcast_flags(flags: list[bool], device: torch.device) -> list[bool]:
    """Rank 0's flags on every rank (one small collective)."""
    tensor = torch.tensor([float(f) for f in flags], device=device)
    dist.broadcast(tensor, src=0)
    return [bool(v) for v in tensor.tolist()]


def lost_peer_words(exc: BaseException) -> str | None:
    """The words for a collective that failed because another rank died or hung (the gloo or
    NCCL error names neither the run nor what to do); None for any other error."""
    if not isinstance(exc, (RuntimeError, dist.DistError)):
        return None
    text = str(exc)
    if not any(word in text for word in ("gloo", "NCCL", "Connection reset", "Connection closed", "timed out")):
        return None
    return ("another process of this distributed run ended or stopped answering, so this one stopped "
            "too; the run can be resumed from its last checkpoint, with torchrun or in one process")


def broadcast_object(obj, ranks: Ranks | None):
    """Rank 0's object on every rank (a checkpoint read from rank 0's disk only)."""
    if ranks is None:
        return obj
    box = [obj if ranks.main else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]
