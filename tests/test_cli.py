"""The command line end to end on ring8, and its one-line errors (exit 2, never a traceback)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gancore import list_variants

REPO = Path(__file__).resolve().parents[1]


def gancore(*args, cwd):
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "gancore", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short ring8 run shared by the tests below."""
    root = tmp_path_factory.mktemp("cli")
    out = gancore("train", "--variant", "vanilla", "--dataset", "ring8", "--steps", "300",
                  "--log-every", "100", "--num-samples", "5000", "--run-id", "ring", cwd=root)
    assert out.returncode == 0, out.stderr
    return root, out


def test_train_prints_run_id_progress_and_final_metrics(trained):
    root, out = trained
    lines = out.stdout.splitlines()
    assert lines[0].startswith("run ring")
    progress = [line for line in lines if line.startswith("step ")]
    # a first line after 10 steps, then every log_every (100)
    assert [p.split()[1] for p in progress] == ["10/300", "100/300", "200/300", "300/300"]
    assert all("pts/s" in p and "ETA" in p for p in progress), "ring8 is points: the unit says so"
    assert any(line.startswith("final: ") and "loss_d" in line for line in lines)
    assert (root / "runs" / "ring" / "checkpoints" / "latest.pt").is_file()


def test_list_shows_the_run(trained):
    root, _ = trained
    out = gancore("list", cwd=root)
    assert out.returncode == 0
    row = [line for line in out.stdout.splitlines() if line.startswith("ring")][0].split()
    assert row[1:5] == ["finished", "vanilla", "ring8", "300/300"]


def test_sample_writes_npy_points_in_dataset_coordinates_and_a_png(trained):
    root, _ = trained
    out = gancore("sample", "--run", "runs/ring", "--n", "500", "--seed", "1", "--out", "s.npy", cwd=root)
    assert out.returncode == 0, out.stderr
    arr = np.load(root / "s.npy")
    assert arr.shape == (500, 2) and arr.dtype == np.float32
    assert 0.2 < np.linalg.norm(arr, axis=1).mean() < 3, "points near the unit ring's scale"
    again = gancore("sample", "--run", "runs/ring", "--n", "500", "--seed", "1", "--out", "t.npy", cwd=root)
    assert again.returncode == 0 and np.array_equal(arr, np.load(root / "t.npy")), "same seed, same samples"
    out = gancore("sample", "--run", "runs/ring", "--n", "100", "--out", "pics/s.png", cwd=root)
    assert out.returncode == 0 and (root / "pics" / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_resume_continues_the_step_count(trained):
    root, _ = trained
    out = gancore("resume", "--run", "runs/ring", "--steps", "100", "--quiet", cwd=root)
    assert out.returncode == 0, out.stderr
    assert "resuming ring at step 300 of 400" in out.stdout
    status = json.loads((root / "runs" / "ring" / "status.json").read_text())
    assert (status["status"], status["step"]) == ("finished", 400)


@pytest.mark.parametrize("args,words", [
    (["train", "--batch-size", "abc"], "--batch-size must be a whole number, got 'abc'"),
    (["train", "--batch-size", "0"], "--batch-size: must be between 1"),
    (["train", "--lr-g", "-1"], "--lr-g: must be above 0"),
    (["train", "--variant", "nope"], f"--variant: unknown variant 'nope'; choose one of: {', '.join(list_variants())}"),
    (["train", "--variant", "dcgan", "--dataset", "ring8"], "--dataset: dcgan cannot train on points data"),
    (["train", "--dataset", "mnist", "--variant", "dcgan", "--data-dir", "/nonexistent", "--steps", "1"], "/nonexistent"),
    (["train", "--device", "cuda"], "--device"),
    (["train", "--run-id", "../escape", "--steps", "1"], "run id '../escape' is not allowed"),
    (["train", "--lr-decay", "maybe"], "--lr-decay must be true or false"),
    (["train", "--frobnicate", "1"], "unrecognized arguments: --frobnicate"),
    (["sample", "--run", "nowhere", "--out", "x.png"], "no run at nowhere"),
    (["sample", "--run", "runs/ring", "--out", "x.jpg"], "out: must end in .png"),
    (["sample", "--run", "runs/ring", "--n", "0", "--out", "x.png"], "n: must be between 1"),
    (["sample", "--run", "runs/ring", "--label", "3", "--out", "x.png"], "unconditional"),
    (["resume", "--run", "nowhere"], "no run at nowhere"),
])
def test_every_bad_value_is_one_clear_line_and_exit_2(trained, args, words):
    root, _ = trained
    out = gancore(*args, cwd=root)
    if args[:3] == ["train", "--device", "cuda"] and "error" not in out.stderr:
        pytest.skip("this machine has a CUDA GPU")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert words in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (root / "runs" / "escape").exists()


def _train_parser():
    from gancore.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sub.choices["train"]


def test_train_has_one_flag_per_declared_setting_and_its_help_shows_each_help_line():
    from gancore.config import SETTINGS

    train = _train_parser()
    flags = {opt for action in train._actions for opt in action.option_strings}
    own = {"-h", "--help", "--runs-dir", "--run-id", "--quiet", "--name", "--note"}
    assert flags - own == {f"--{name.replace('_', '-')}" for name in SETTINGS}
    text = " ".join(train.format_help().split())  # argparse wraps long lines
    for s in SETTINGS.values():
        assert " ".join(s.help.split()) in text, s.name
        for choice in (c for c in s.choices if c is not None):
            assert str(choice) in text, (s.name, choice)


def test_a_flag_left_out_takes_the_variants_default_and_a_given_one_is_typed():
    from gancore.cli import build_parser

    args = build_parser().parse_args(["train", "--image-size", "32", "--lr-decay", "on", "--lr-g", "1e-3"])
    assert (args.variant, args.dataset, args.batch_size) == (None, None, None)
    assert (args.image_size, args.lr_decay, args.lr_g) == (32, True, 1e-3)
