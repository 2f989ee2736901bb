"""Moving the variants onto the contract changed no number: each variant trains as it did before
for the same seed on the CPU. tests/data/metrics_before_contract.json holds the metric records of
these short runs made by the code before the move (written by this file with
GANSTUDIO_WRITE_GOLDEN=1; kept, not rewritten)."""
import json
import os
from pathlib import Path

import pytest
import torch

from gancore import make_config
from gancore.training.trainer import train
from tiny_data import tiny_images, tiny_points

GOLDEN = Path(__file__).parent / "data" / "metrics_before_contract.json"
KEYS = ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")
# (variant, kind, conditional): every variant, and both sides of an optional label
CASES = [("vanilla", "points", False), ("vanilla", "image", False), ("cgan", "image", True),
         ("dcgan", "image", False), ("cdcgan", "image", True), ("wgan_gp", "points", False),
         ("wgan_gp", "image", True)]
# the conv variants' learning rate when the file was written (issue 21 raised the default to 1e-3)
RATES_THEN = {"dcgan": 2e-4, "cdcgan": 2e-4}


def _records(variant: str, kind: str, conditional: bool) -> list[dict]:
    torch.manual_seed(0)
    if kind == "points":
        data = tiny_points()
        cfg = make_config(variant, "ring8", batch_size=16, steps=12, log_every=4, device="cpu",
                          eval_every=0, conditional=conditional)
    else:
        data = tiny_images(size=28)
        cfg = make_config(variant, "glyphs", batch_size=8, steps=6, log_every=2, device="cpu",
                          eval_every=0, conditional=conditional, base_channels=8, hidden_dim=32,
                          lr_g=RATES_THEN.get(variant), lr_d=RATES_THEN.get(variant))
    _, records = train(cfg, data)
    return [{k: r[k] for k in ("step",) + KEYS} for r in records]


def _case_id(case) -> str:
    return "-".join(str(part) for part in case)


if os.environ.get("GANSTUDIO_WRITE_GOLDEN") == "1" and not GOLDEN.exists():
    GOLDEN.write_text(json.dumps({_case_id(c): _records(*c) for c in CASES}, indent=1))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_variant_logs_the_same_numbers_as_before_the_contract(case):
    before = json.loads(GOLDEN.read_text())[_case_id(case)]
    now = _records(*case)
    assert [r["step"] for r in now] == [r["step"] for r in before]
    for old, new in zip(before, now):
        for key in KEYS:
            assert new[key] == pytest.approx(old[key], rel=1e-5, abs=1e-6), (case, old["step"], key)
