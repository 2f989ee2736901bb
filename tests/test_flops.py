"""The FLOP count behind the benchmark's TFLOP/s column: torch's counter over one real step."""
import pytest
import torch

from gancore import get_variant_spec, list_variants
from bench.loops import quiet_trainer
from gancore.config import make_config
from bench.flops import achieved_tflops, bf16_peak_tflops, peak_for_card, step_flops
from tiny_data import tiny_of_kind, tiny_points


def _vanilla_step_flops(batch_size: int) -> int:
    cfg = make_config("vanilla", "ring8", batch_size=batch_size, hidden_dim=16, hidden_layers=2,
                      latent_dim=4, device="cpu")
    return step_flops(quiet_trainer(cfg, tiny_points(), 1, "cpu"))


def test_a_step_costs_at_least_its_forward_passes_and_scales_with_the_batch():
    # G: 4 -> 16 -> 16 -> 2, D: 2 -> 16 -> 16 -> 1; a linear layer's forward is 2 * B * in * out
    g_fwd = 2 * (4 * 16 + 16 * 16 + 16 * 2)
    d_fwd = 2 * (2 * 16 + 16 * 16 + 16 * 1)
    flops = _vanilla_step_flops(32)
    # phase (1): G on B, D on 2B (real and fake); phase (2): D on B; backward costs more again
    assert flops > 32 * (g_fwd + 3 * d_fwd)
    assert flops < 3 * 32 * (g_fwd + 3 * d_fwd), "forward + backward is at most 3x the forward"
    assert _vanilla_step_flops(64) == 2 * flops, "matmul work is linear in the batch"


def _every_variant_and_kind():
    for name in list_variants():
        spec = get_variant_spec(name)
        for kind in spec.data_kinds:
            yield pytest.param(name, kind, spec.conditional == "always", id=f"{name}-{kind}")


@pytest.mark.parametrize("variant,kind,conditional", list(_every_variant_and_kind()))
def test_every_variant_step_is_counted(variant, kind, conditional):
    """Generated from the registry: the count runs through each variant's whole step (the
    gradient penalty's double backward too) and grows with the batch."""
    data, dataset = tiny_of_kind(kind)
    counts = []
    for batch in (8, 16):
        cfg = make_config(variant, dataset, batch_size=batch, base_channels=8, hidden_dim=16,
                          device="cpu", **({"conditional": True} if conditional else {}))
        counts.append(step_flops(quiet_trainer(cfg, data, 1, "cpu")))
    assert 0 < counts[0] < counts[1]


def test_achieved_tflops_and_the_cards_peak():
    assert achieved_tflops(10**12, images_per_s=200, batch_size=100) == pytest.approx(2.0)
    assert peak_for_card("NVIDIA H100 80GB HBM3") == 989.0
    assert peak_for_card("NVIDIA H100 PCIe") == 756.0
    assert peak_for_card("NVIDIA H200") == 989.0
    assert peak_for_card("a card nobody listed") is None
    assert bf16_peak_tflops(torch.device("cpu")) is None
