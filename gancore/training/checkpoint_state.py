"""What a trainer's checkpoint holds and how a trainer takes it back: plain data and tensors
only, so a checkpoint loads with torch.load(weights_only=True) and rebuilds its networks from the
config and data facts saved beside the weights (as nanoGPT's checkpoints do)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .distributed import rank_seed

if TYPE_CHECKING:
    from .trainer import Trainer

CHECKPOINT_FORMAT = 1


def state_of(trainer: "Trainer") -> dict:
    return {
        "format": CHECKPOINT_FORMAT,
        "config": trainer.cfg.to_dict(),
        "data_info": trainer.info.to_dict(),
        "step": trainer.step,
        "generator": trainer.gan.generator.state_dict(),
        "discriminator": trainer.gan.discriminator.state_dict(),
        "opt_g": trainer.opt_g.state_dict(),
        "opt_d": trainer.opt_d.state_dict(),
        "rng": trainer.rng.get_state(),
        **(trainer.ema.state() if trainer.ema is not None else {}),
    }


def restore(trainer: "Trainer", state: dict) -> None:
    """Weights, optimizers, the averaged generator, the step and the batch stream from `state`;
    the learning rates and betas from the trainer's own config."""
    trainer.gan.generator.load_state_dict(state["generator"])
    trainer.gan.discriminator.load_state_dict(state["discriminator"])
    trainer.opt_g.load_state_dict(state["opt_g"])
    trainer.opt_d.load_state_dict(state["opt_d"])
    if trainer.ema is not None:
        trainer.ema.load(state, trainer.gan.generator)
    trainer.step = int(state["step"])
    if trainer.ranks is None or trainer.ranks.main:
        trainer.rng.set_state(state["rng"].cpu())
    else:  # the checkpoint holds rank 0's stream; the others start theirs anew from the step
        trainer.rng.manual_seed(rank_seed(trainer.cfg.seed + 1 + trainer.step, trainer.ranks))
    # The config's rates and betas, not the saved ones: a roll-back lowers the rates, a fork
    # (runs/fork.py) may change either.
    trainer._set_lr()
    for opt in (trainer.opt_g, trainer.opt_d):
        for group in opt.param_groups:
            group["betas"] = (trainer.cfg.beta1, trainer.cfg.beta2)
