"""Run bundles (gancore/runs/bundle.py): export -> import gives the same run, read-only; a hostile
bundle is refused in words and leaves nothing behind; the Runs page imports and downloads them."""
from __future__ import annotations

import io
import json
import math
import os
import zipfile

import numpy as np
import pytest
import torch

from app_pages import open_app
from gancore import RunError, RunStore, make_config
from gancore.data.uploads import UploadError, UploadLimits
from gancore.health import Alert
from gancore.runs.bundle import export_bundle, export_refusal, import_bundle
from gancore.runs.fork import plan_fork
from gancore.runs.jobs import JobManager
from gancore.runs.launch import resume_run, start_run
from gancore.sampling.checkpoints import EMA_KEY
from gancore.sampling.files import write_samples
from gancore.training.trainer import Event
from tiny_data import make_zip


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny finished ring8 run with a name, quality measurements, an alert and pictures, and its
    bundle: (run, bundle bytes)."""
    root = tmp_path_factory.mktemp("source-runs")
    cfg = make_config("vanilla", "ring8", device="cpu", steps=200, log_every=20, sample_every=50,
                      checkpoint_every=100, eval_every=100, hidden_dim=16, num_samples=2000)
    from gancore.runs.meta import RunMeta

    trainer, run = start_run(cfg, RunStore(root), "ring-run", meta=RunMeta(name="tiny ring", note="half the rate"))
    trainer.run()
    run.record(Event("alert", 150, {"alert": Alert("mode_collapse", 120, "3 % as spread out").to_dict()}))
    return run, export_bundle(run)


def _entries(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _zip(entries: dict[str, bytes], symlinks=()) -> bytes:
    return make_zip(entries.items(), symlinks)


def _weights(state: dict) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def _nothing_left(root) -> None:
    assert not root.exists() or not any(root.iterdir()), "a refused bundle leaves no folder, not even a temp one"


def test_the_round_trip_gives_the_same_numbers_pictures_and_samples(exported, tmp_path):
    run, bundle = exported
    assert set(_entries(bundle)) >= {"bundle.json", "config.json", "meta.json", "status.json", "metrics.jsonl",
                                     "quality.jsonl", "quality_floor.json", "alerts.jsonl", "generator.pt"}
    weights = torch.load(io.BytesIO(_entries(bundle)["generator.pt"]), weights_only=True)
    # the run averages its generator's weights (vanilla's default on points): the average travels too
    assert set(weights) == {"format", "config", "data_info", "step", "generator", EMA_KEY}, "no D, no optimizer"

    store = RunStore(tmp_path / "other-studio")
    imported = import_bundle(bundle, store)
    assert imported.run_id == "ring-run-imported"
    assert imported.metrics() == run.metrics() and len(imported.metrics()) >= 10
    assert imported.quality() == run.quality() and imported.quality()
    assert imported.quality_floor() == run.quality_floor()
    assert imported.alerts() == run.alerts() and imported.alerts()
    assert [p.name for p in imported.sample_files()] == [p.name for p in run.sample_files()]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(imported.sample_files(), run.sample_files()))
    assert imported.config() == run.config()

    meta = imported.meta()
    assert (meta.name, meta.note, meta.imported, meta.source) == ("tiny ring", "half the rate", True, "ring-run")
    state = imported.state()
    assert state.status == "finished" and state.status.final and not state.live and state.step == 200
    assert state.label == "tiny ring (ring-run-imported)"

    for source, out in ((run, tmp_path / "a.npy"), (imported, tmp_path / "b.npy")):
        write_samples(source, out, n=64, seed=7)
    assert np.array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")), "same images, same seed"
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")], "no temp folder left"

    again = import_bundle(bundle, store)
    assert again.run_id == "ring-run-imported-2", "a second import gets its own id"


def test_an_imported_run_is_read_only_but_can_be_measured(exported, tmp_path):
    from dashboard.monitor.measure_now import measure_latest

    store = RunStore(tmp_path)
    imported = import_bundle(exported[1], store)
    with pytest.raises(RunError, match="imported from a bundle.*read-only"):
        resume_run(imported, extra_steps=10)
    with pytest.raises(RunError, match="imported from a bundle.*read-only"):
        JobManager(store).resume(imported.run_id, extra_steps=10)
    with pytest.raises(RunError, match="imported"):
        plan_fork(imported)
    assert not (imported.path / "trainer.lock").exists(), "a refused resume leaves no lock"
    before = len(imported.quality())
    record = measure_latest(store, imported.run_id, device="cpu")  # needs only the generator
    assert record["step"] == 200 and len(imported.quality()) == before + 1
    assert imported.state().status == "finished"


def test_export_is_refused_while_training_or_before_a_checkpoint(tmp_path):
    store = RunStore(tmp_path)
    cfg = make_config("vanilla", "ring8", device="cpu", steps=50, hidden_dim=16)
    run = store.create(cfg, "fresh")
    with pytest.raises(RunError, match="no checkpoint yet"):
        export_bundle(run)
    run.record(Event("started", 0, {"total": 50}))  # this (living) process now trains it
    assert "is training" in export_refusal(run)


class Payload:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def _hostile(entries: dict[str, bytes], case: str, tmp_path) -> tuple[bytes, dict, str]:
    """(bundle, limits, what the message must say) for one kind of hostile bundle."""
    limits = {}
    state = torch.load(io.BytesIO(entries["generator.pt"]), weights_only=True)
    if case == "traversal":
        return _zip({**entries, "../x": b"1"}), limits, "points outside"
    if case == "absolute":
        return _zip({**entries, "/etc/x": b"1"}), limits, "absolute path"
    if case == "symlink":
        return _zip(entries, symlinks=[("samples/step_0000001.png", "/etc/passwd")]), limits, "symbolic link"
    if case == "pickle":
        return (_zip({**entries, "generator.pt": _weights({"generator": Payload(tmp_path / "pwned")})}),
                limits, "holds Python objects besides plain weights")
    if case == "oversized":
        return _zip(entries), {"max_upload_mb": 0.001}, "the limit is 0.001 MB"
    if case == "too_many_files":
        return _zip(entries), {"max_files": 3}, "the limit is 3"
    if case == "nan":
        first = next(iter(state["generator"]))
        state["generator"][first] = torch.full_like(state["generator"][first], math.nan)
        return _zip({**entries, "generator.pt": _weights(state)}), limits, "NaN or infinite"
    if case == "misfit":
        cfg = json.loads(entries["config.json"])
        cfg["model"]["hidden_dim"] = 32
        return _zip({**entries, "config.json": json.dumps(cfg).encode()}), limits, "do not fit"
    if case == "broken_config":
        return _zip({**entries, "config.json": b'{"steps": 10,'}), limits, "config.json is not valid JSON"
    if case == "bad_config_value":
        cfg = json.loads(entries["config.json"])
        cfg["steps"] = -5
        return _zip({**entries, "config.json": json.dumps(cfg).encode()}), limits, "config.json is not a usable"
    if case == "no_generator":
        return _zip({k: v for k, v in entries.items() if k != "generator.pt"}), limits, "no generator.pt"
    if case == "stranger":
        return _zip({**entries, "run.sh": b"rm -rf /"}), limits, "'run.sh', which is not part of a run bundle"
    if case == "not_an_image":
        return _zip({**entries, "samples/step_0000001.png": b"not a png"}), limits, "do not decode"
    if case == "newer_format":
        return (_zip({**entries, "bundle.json": json.dumps({"format": 99, "run_id": "x"}).encode()}),
                limits, "format is 99")
    raise AssertionError(case)


HOSTILE = ["traversal", "absolute", "symlink", "pickle", "oversized", "too_many_files", "nan", "misfit",
           "broken_config", "bad_config_value", "no_generator", "stranger", "not_an_image", "newer_format"]


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_bundle_is_refused_in_words_and_leaves_nothing(exported, tmp_path, case):
    bundle, limits, words = _hostile(_entries(exported[1]), case, tmp_path)
    root = tmp_path / "runs"
    with pytest.raises(UploadError, match=words):
        import_bundle(bundle, RunStore(root), UploadLimits(**limits))
    _nothing_left(root)
    assert not (tmp_path / "pwned").exists(), "the pickle payload never ran"


def test_a_bundle_that_lies_about_its_sizes_is_caught_while_unpacking(exported, tmp_path, request):
    entries = _entries(exported[1])
    bundle = _zip({**entries, "metrics.jsonl": b"{}\n" * (2 * 2**20)})  # 6 MB that compress to a few KB
    request.getfixturevalue("understated_zip_sizes")  # after _entries and _zip, which read headers too
    root = tmp_path / "runs"
    with pytest.raises(UploadError, match="understated|damaged"):
        import_bundle(bundle, RunStore(root), UploadLimits(max_expanded_mb=1))
    _nothing_left(root)


# ---- the pages -------------------------------------------------------------------------------
def test_the_runs_page_imports_a_bundle_and_lists_it(exported, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/runs.py")
    assert not at.exception
    uploader = next(u for u in at.get("file_uploader") if "run bundle" in u.label)
    uploader.set_value(("ring-run.zip", exported[1], "application/zip")).run()
    assert not at.exception
    assert any("Imported as ring-run-imported" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert "ring-run-imported" in " ".join(map(str, table["run"])), "listed at once"
    at.run()  # a rerun with the same upload does not import it twice
    assert [p.name for p in tmp_path.iterdir()] == ["ring-run-imported"]

    labels = [b.label for b in at.button]
    assert "Resume training" not in labels, "an imported run offers no training"
    download = next(b for b in at.get("download_button") if b.label == "Download this run (.zip)")
    assert not download.proto.disabled

    at = open_app("views/monitor.py", run="ring-run-imported")
    assert not at.exception
    assert any("Imported: read-only" in c.value for c in at.caption)
    assert not {"Pause", "Stop", "Resume", "Resume training"} & {b.label for b in at.button}


def test_the_runs_page_says_why_a_bundle_is_refused(exported, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app("views/runs.py")
    bundle, _, _ = _hostile(_entries(exported[1]), "traversal", tmp_path)
    uploader = next(u for u in at.get("file_uploader") if "run bundle" in u.label)
    uploader.set_value(("evil.zip", bundle, "application/zip")).run()
    assert not at.exception
    assert any("This bundle cannot be imported" in e.value and "points outside" in e.value for e in at.error)
    _nothing_left(tmp_path)


def test_the_cli_exports_and_imports_and_says_what_is_wrong_in_one_line(exported, tmp_path, capsys):
    from gancore.cli import main

    run, _ = exported
    out = tmp_path / "run.zip"
    assert main(["export", "--run", str(run.path), "--out", str(out)]) == 0
    assert main(["import", str(out), "--runs-dir", str(tmp_path / "other")]) == 0
    printed = capsys.readouterr().out
    assert "imported ring-run-imported (read-only)" in printed and str(tmp_path / "other" / "ring-run-imported") in printed
    assert main(["export", "--run", str(run.path), "--out", str(tmp_path / "run.tar")]) == 2
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    assert main(["import", str(tmp_path / "fake.zip"), "--runs-dir", str(tmp_path / "third")]) == 2
    assert main(["resume", "--run", str(tmp_path / "other" / "ring-run-imported"), "--steps", "5"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and "must end in .zip" in errors[0] and "not a readable .zip" in errors[1]
    assert "read-only" in errors[2]
    assert not (tmp_path / "third").exists()
