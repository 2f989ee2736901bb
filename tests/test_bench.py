"""bench/throughput.py, the one command behind docs/BENCHMARKS.md's throughput table, on a tiny run."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def throughput(*args, cwd):
    return subprocess.run([sys.executable, str(REPO / "bench" / "throughput.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_throughput_prints_and_writes_a_row_per_variant_and_batch(tmp_path):
    out_file = tmp_path / "BENCH.md"
    out = throughput("--variants", "vanilla", "--batch-sizes", "32", "--reps", "1", "--steps", "3",
                     "--device", "cpu", "--skip-options", "--out", str(out_file), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    row = [line for line in out.stdout.splitlines() if line.startswith("| vanilla | 32 |")]
    assert len(row) == 1 and row[0].count("x |") == 2, out.stdout
    assert row[0] in out_file.read_text()


def test_throughput_refuses_an_unknown_variant(tmp_path):
    out = throughput("--variants", "stylegan", "--out", str(tmp_path / "BENCH.md"), cwd=tmp_path)
    assert out.returncode == 2 and "stylegan" in out.stderr
    assert not (tmp_path / "BENCH.md").exists()


def _every_variant():
    from gancore import get_variant_spec, list_variants

    for name in list_variants():
        kind = get_variant_spec(name).data_kinds[-1]
        yield name, kind


@pytest.mark.parametrize("variant,kind", list(_every_variant()))
def test_the_reference_and_floor_loops_train_every_variant_through_its_contract(variant, kind):
    """Generated from the registry: the loops the trainer is timed against build G's inputs with
    the variant's make_inputs and add its own loss terms, so any variant can be benchmarked."""
    from bench.loops import floor_loop, reference_loop
    from gancore import make_config
    from tiny_data import tiny_of_kind

    data, dataset = tiny_of_kind(kind)
    cfg = make_config(variant, dataset, batch_size=8, base_channels=8, hidden_dim=16, res_blocks=1,
                      device="cpu")
    for loop in (reference_loop, floor_loop):
        assert loop(cfg, data, steps=2, warmup=1) > 0


def test_pad_like_sketches_trace_each_digit_with_a_brush_of_the_width_asked():
    """bench/pix2pix_quality.py judges translations of sketches drawn as the Generate page's pad
    draws them: strokes over the digit's skeleton, thicker for a wider brush."""
    from bench.pix2pix_quality import brush_sketches
    from gancore.data.glyphs import render_glyphs

    digits, _ = render_glyphs(6, seed=0)
    thin, thick = brush_sketches(digits, 10), brush_sketches(digits, 25)
    assert thin.shape == thick.shape == digits.shape and thin.min() >= -1 and thick.max() <= 1
    ink = lambda x: (x > 0).float().mean((1, 2, 3))  # noqa: E731
    assert (ink(thin) > 0).all() and (ink(thick) > ink(thin)).all()
    assert ((thin > 0) & (digits < -0.5)).float().sum() < 0.2 * (thin > 0).float().sum(), "on the digit"
