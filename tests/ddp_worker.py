"""Run by torchrun in tests/test_distributed.py: one rank of a tiny distributed run. Rank 0 writes
the run folder OUT/runs/r (as `gancore train` does); every rank saves what it ended with
(OUT/rank<r>.pt: its weights, step and status) for the test to compare across ranks.

Usage: torchrun --nproc_per_node 2 tests/ddp_worker.py OUT VARIANT [key=value ...]
  stop_at=K: rank 0 asks for a stop at step K (from its listener), as the Stop button does.
"""
import sys
from pathlib import Path

import torch

from gancore import RunStore, get_variant_spec, make_config
from gancore.runs.launch import start_run
from gancore.training.distributed import Ranks, leave

WORKER_SETTINGS = dict(device="cpu", steps=6, batch_size=8, log_every=2, sample_every=1000,
                       checkpoint_every=1000, eval_every=0, hidden_dim=16, base_channels=8)


# A small source of each data kind: a variant trains on the first kind it declares.
SOURCE_OF_KIND = {"points": "ring8", "image": "glyphs", "paired": "sketch2glyphs"}


def config(variant: str, **overrides):
    dataset = overrides.pop("dataset", SOURCE_OF_KIND[get_variant_spec(variant).data_kinds[0]])
    extra = {"num_samples": 64} if dataset != "ring8" else {}
    return make_config(variant, dataset, **(WORKER_SETTINGS | extra | overrides))


def _value(text: str):
    """A key=value argument's value: true / false, a whole number, a number, or text."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main() -> None:
    out, variant = Path(sys.argv[1]), sys.argv[2]
    overrides = {k: _value(v) for k, v in (a.split("=", 1) for a in sys.argv[3:])}
    stop_at = overrides.pop("stop_at", None)
    ranks = Ranks.from_env()
    trainer, run = start_run(config(variant, **overrides), RunStore(out / "runs"), "r", ranks=ranks)
    if run is not None and stop_at is not None:
        trainer.subscribe(lambda e: trainer.stop() if e.kind == "metrics" and e.step >= stop_at else None)
    status = trainer.run()
    torch.save({"step": trainer.step, "status": str(status),
                "generator": trainer.gan.generator.state_dict(),
                "discriminator": trainer.gan.discriminator.state_dict(),
                **({"generator_ema": trainer.ema.model.state_dict()} if trainer.ema is not None else {})},
               out / f"rank{ranks.rank if ranks else 0}.pt")
    trainer.close()
    leave()


if __name__ == "__main__":
    main()
