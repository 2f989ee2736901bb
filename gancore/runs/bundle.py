"""Run bundles: one .zip that carries a run to another GAN Studio, where it opens read-only.

  bundle.json        {"format": 1, "run_id": <the exporting run's id>, "exported": <unix time>}
  config.json        the TrainConfig
  meta.json          {"name", "note"}
  status.json        the run's state when it was exported
  metrics.jsonl, quality.jsonl, quality_floor.json, alerts.jsonl   when the run has them
  samples/step_<n>.png
  generator.pt       the latest checkpoint reduced to what rebuilds and samples the generator:
                     format, config, data_info, step, generator (no discriminator, no optimizer)

An imported bundle is hostile until every rule of data/uploads.py has passed: the upload's size,
the expanded size (real bytes counted), the file count; no `..`, absolute path, drive letter or
symlink; only the names above (anything else refuses the bundle, named); PNGs decoded within the
pixel limit; every JSON file parsed (a broken one refuses the bundle, named); the config
validated; generator.pt loaded with weights_only=True, its weights finite and fitting the config.
The run is assembled under a temporary folder in the runs folder and renamed into place only
when complete, so a refused bundle leaves nothing behind.

The imported run has its own id (the original's with "-imported"), meta.json says imported and
from which run, and its status is final: having no discriminator or optimizer, it can be looked
at, sampled and measured, never trained further (refuse_training).
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import torch

from ..config import TrainConfig, validate
from ..data.uploads import UploadError, UploadLimits, check_image, copy_entry, entry_parts, open_archive
from ..errors import GanError, RunError
from ..sampling.checkpoints import EMA_KEY, load_checkpoint_bytes, load_generator, weight_choices
from .meta import META_FILE, RunMeta, edited
from .state import RunState, Status
from .store import Run, RunStore, atomic_write_bytes, atomic_write_json, validate_run_id

BUNDLE_FORMAT = 1
MANIFEST = "bundle.json"
GENERATOR = "generator.pt"
JSON_FILES = ("config.json", META_FILE, "status.json", "quality_floor.json")
LINE_FILES = ("metrics.jsonl", "quality.jsonl", "alerts.jsonl")
SAMPLE_NAME = re.compile(r"^samples/step_\d{7}\.png$")  # the names Run.save_samples writes
IMPORTED_SUFFIX = "-imported"


class BundleError(UploadError):
    """A bundle refused as a whole; the message names the file and what was wrong with it."""


# ---- export ----------------------------------------------------------------------------------
def export_refusal(run: Run, state: RunState | None = None) -> str | None:
    """Why `run` cannot be exported now, in words; None when it can."""
    state = state or run.state()
    if state.live:
        return f"run {run.run_id} is training: stop it (or let it finish) before exporting it"
    if not (run.checkpoints_dir / "latest.pt").is_file():
        return f"run {run.run_id} has no checkpoint yet, so there are no generator weights to export"
    return None


def generator_only(state: dict) -> dict:
    """A checkpoint state reduced to what load_generator reads: plain data and the G tensors."""
    return {"format": state.get("format", 1), "config": state["config"], "data_info": state["data_info"],
            "step": int(state["step"]), "generator": state["generator"],
            **({EMA_KEY: state[EMA_KEY]} if isinstance(state.get(EMA_KEY), dict) else {})}


def export_bundle(run: Run) -> bytes:
    """The run as a .zip (the layout in this module's docstring). Refused (RunError, in words)
    while it trains or before its first checkpoint."""
    state = run.state()
    why = export_refusal(run, state)
    if why:
        raise RunError(why)
    weights = io.BytesIO()
    torch.save(generator_only(run.load_checkpoint("latest.pt")), weights)
    meta = run.meta()
    status = replace(state, owner=None).to_json()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps({"format": BUNDLE_FORMAT, "run_id": run.run_id,
                                               "exported": time.time()}, indent=1))
        archive.writestr("config.json", json.dumps(run.config().to_dict(), indent=1))
        archive.writestr(META_FILE, json.dumps({"name": meta.name, "note": meta.note}, indent=1))
        archive.writestr("status.json", json.dumps(status, indent=1))
        for name in LINE_FILES + ("quality_floor.json",):
            if (run.path / name).is_file():
                archive.write(run.path / name, name)
        for png in run.sample_files():  # already compressed: stored as they are
            archive.write(png, f"samples/{png.name}", zipfile.ZIP_STORED)
        archive.writestr(GENERATOR, weights.getvalue())
    return out.getvalue()


# ---- import ----------------------------------------------------------------------------------
def _allowed(name: str) -> bool:
    return name in (MANIFEST, GENERATOR, *JSON_FILES, *LINE_FILES) or bool(SAMPLE_NAME.match(name))


def _unpack(data: bytes, limits: UploadLimits) -> dict[str, bytes]:
    """Every entry's bytes by its name, after the archive-wide checks of data/uploads.py."""
    archive, files = open_archive(data, limits)
    entries: dict[str, zipfile.ZipInfo] = {}
    for entry in files:
        name = "/".join(entry_parts(entry))  # refuses traversal, absolute paths, drive letters, links
        if not _allowed(name):
            raise BundleError(f"the bundle holds {entry.filename!r}, which is not part of a run bundle "
                              f"(it holds only {MANIFEST}, config.json, meta.json, status.json, "
                              "metrics.jsonl, quality.jsonl, quality_floor.json, alerts.jsonl, "
                              f"samples/step_NNNNNNN.png and {GENERATOR}): refused")
        if name in entries:
            raise BundleError(f"the bundle holds {name!r} twice: refused")
        entries[name] = entry
    for required in (MANIFEST, "config.json", GENERATOR):
        if required not in entries:
            raise BundleError(f"this is not a run bundle: it has no {required} "
                              "(export one with `python -m gancore export` or the Runs page)")
    contents, written = {}, 0
    for name, entry in entries.items():
        buffer = io.BytesIO()
        written = copy_entry(archive, entry, buffer, written, limits.max_expanded_mb)
        contents[name] = buffer.getvalue()
    return contents


def _json(contents: dict[str, bytes], name: str, default=None):
    """A JSON file of the bundle; `default` when absent; a broken one refuses the bundle."""
    if name not in contents:
        return default
    try:
        return json.loads(contents[name].decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleError(f"the bundle's {name} is not UTF-8 text ({exc.reason}): refused") from exc
    except ValueError as exc:
        raise BundleError(f"the bundle's {name} is not valid JSON ({exc}): refused") from exc


def _lines(contents: dict[str, bytes], name: str) -> list[dict]:
    """A .jsonl file's records. A line that does not parse is dropped, as the run store drops a
    line torn by a crash; only JSON objects are kept."""
    records = []
    for line in contents.get(name, b"").decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _source_id(manifest) -> str:
    if not isinstance(manifest, dict):
        raise BundleError(f"the bundle's {MANIFEST} is not a JSON object: refused")
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= BUNDLE_FORMAT:
        raise BundleError(f"the bundle's format is {version!r}; this GAN Studio reads format "
                          f"{BUNDLE_FORMAT} (a newer one made it?): refused")
    try:
        return validate_run_id(manifest.get("run_id"))
    except RunError as exc:
        raise BundleError(f"the bundle's {MANIFEST} names its run badly: {exc}") from exc


def _config(raw) -> TrainConfig:
    try:
        if not isinstance(raw, dict):
            raise ValueError("it is not a JSON object")
        return validate(TrainConfig.from_dict(raw))
    except (GanError, TypeError, ValueError) as exc:
        raise BundleError(f"the bundle's config.json is not a usable configuration ({exc}): refused") from exc


def _generator_state(data: bytes, cfg: TrainConfig, limits: UploadLimits) -> dict:
    """generator.pt as a generator-only checkpoint for `cfg`: loaded with weights_only=True (a
    pickle payload is refused unrun), finite, and fitting `cfg`'s generator."""
    try:
        state = load_checkpoint_bytes(data, max_mb=limits.max_expanded_mb)
        state = generator_only({**state, "config": cfg.to_dict()})
        if not 0 <= state["step"] <= 10**9:
            raise ValueError(f"its step is {state['step']}")
        for weights in weight_choices(state):  # the raw weights, and the averaged ones when kept
            load_generator(state, weights=weights)  # rebuilds cfg's generator, loads, checks finite
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"the bundle's {GENERATOR} is not a gancore checkpoint ({exc}): refused") from exc
    except RunError as exc:
        raise BundleError(f"the bundle's {GENERATOR}: {exc}; refused") from exc
    return state


def _final_status(raw, run_id: str, cfg: TrainConfig, step: int) -> dict:
    """The exported status, made final: finished stays finished, anything else reads stopped
    (so no page offers to train the run); no owner process."""
    state = RunState.from_json(run_id, raw if isinstance(raw, dict) else {}, cfg)
    status = Status.FINISHED if state.status == Status.FINISHED else Status.STOPPED
    return replace(state, status=status, step=step, owner=None, updated=time.time()).to_json()


def _check_samples(contents: dict[str, bytes], limits: UploadLimits) -> None:
    for name, data in contents.items():
        if SAMPLE_NAME.match(name):
            why = check_image(io.BytesIO(data), limits.max_pixels)
            if why:
                raise BundleError(f"the bundle's {name} is not a usable picture (it is among the {why}): "
                                  "refused")


def imported_id(source_id: str, store: RunStore) -> str:
    """The original id with "-imported" (then "-imported-2", ...), a valid id that is free."""
    base = source_id[:80 - len(IMPORTED_SUFFIX) - 4] + IMPORTED_SUFFIX
    candidate, n = base, 1
    while (store.root / candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return validate_run_id(candidate)


def import_bundle(data: bytes, store: RunStore, limits: UploadLimits = UploadLimits()) -> Run:
    """A bundle (bytes from anyone) as a new read-only run in `store`. Refused as a whole
    (BundleError, naming the file and the problem), leaving nothing behind."""
    contents = _unpack(data, limits)
    source = _source_id(_json(contents, MANIFEST))
    cfg = _config(_json(contents, "config.json"))
    state = _generator_state(contents[GENERATOR], cfg, limits)
    _check_samples(contents, limits)
    sent = RunMeta.from_json(_json(contents, META_FILE, {}))
    try:
        meta = edited(RunMeta(imported=True, source=source), sent.name, sent.note)
    except RunError as exc:
        raise BundleError(f"the bundle's meta.json: {exc}; refused") from exc
    floor = _json(contents, "quality_floor.json")
    status_raw = _json(contents, "status.json", {})

    store.root.mkdir(parents=True, exist_ok=True)
    tmp = store.root / f".importing-{source[:40]}-{secrets.token_hex(3)}"
    try:
        (tmp / "samples").mkdir(parents=True)
        (tmp / "checkpoints").mkdir()
        atomic_write_json(tmp / "config.json", cfg.to_dict())
        atomic_write_json(tmp / META_FILE, meta.to_json())
        for name in LINE_FILES:
            records = _lines(contents, name)
            if records:
                atomic_write_bytes(tmp / name, "".join(json.dumps(r) + "\n" for r in records).encode())
        if isinstance(floor, dict):
            atomic_write_json(tmp / "quality_floor.json", floor)
        for name, png in contents.items():
            if SAMPLE_NAME.match(name):
                atomic_write_bytes(tmp / name, png)
        step_file = tmp / "checkpoints" / f"step_{state['step']:07d}.pt"
        torch.save(state, step_file)
        os.link(step_file, tmp / "checkpoints" / "latest.pt")  # as Run._point_latest_at leaves it
        return _move_into_place(tmp, store, source, status_raw, cfg, state["step"])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, store: RunStore, source: str, status_raw, cfg: TrainConfig,
                     step: int) -> Run:
    """Rename the assembled folder to a free id; another import taking the same id meanwhile
    makes the rename fail, and the next free one is tried."""
    for _ in range(20):
        run_id = imported_id(source, store)
        atomic_write_json(tmp / "status.json", _final_status(status_raw, run_id, cfg, step))
        try:
            os.rename(tmp, store.root / run_id)
        except OSError:
            continue
        return Run(store.root / run_id)
    raise RunError(f"no free run id for the import of {source} in {store.root}")


# ---- read-only -------------------------------------------------------------------------------
def refuse_training(run: Run) -> None:
    """An imported run holds only its generator: resuming (or rolling back) is refused in words."""
    if run.meta().imported:
        raise RunError(f"run {run.run_id} was imported from a bundle (of run {run.meta().source}), "
                       "which holds only its generator: it is read-only and cannot be trained further; "
                       "its pictures, curves and Generate work as usual")
