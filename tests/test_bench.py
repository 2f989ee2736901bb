"""bench/throughput.py, the one command behind docs/BENCHMARKS.md's throughput table, on a tiny run."""
import subprocess
import sys
from pathlib import Path

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
