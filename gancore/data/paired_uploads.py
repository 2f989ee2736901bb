"""Turning uploads from anyone into a folder the `paired_folder` dataset reads: a .zip with A/ and
B/ folders, or with images holding input and target side by side (A|B), or loose A|B images.

uploads.import_zip cannot be used for pairs: it renames every file (an index in front, so names
from different folders cannot collide) and keeps one folder level, which breaks the names that
pair A/17.png with B/17.png and merges A/train/ with A/val/. Here the archive's own relative
paths are kept (each part cleaned as uploads cleans it), down to MAX_DEPTH folders, the most the
paired layouts use (A/train/17.png). Every other rule of uploads applies through its own
functions: the size limits, refusal of entries that point outside the archive or are links,
bytes counted as they unpack, images over the pixel limit skipped and counted.

Before the folder is put in place, it is checked as the dataset will read it (find_pairs): an
upload whose layout would be refused at Start is refused now, with the same message, and
nothing of it is left behind. The final folder is named by the upload's SHA-256 with a "pairs-"
prefix, so the same .zip uploaded for the `folder` dataset (class folders) is a different folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from ..errors import DataError
from .folder import SKIP_DIRS
from .paired_folder import Layout, find_pairs
from .uploads import (ARCHIVE_EXTENSIONS, IMAGE_EXTENSIONS, MANIFEST, ImportResult, UploadError,
                      UploadLimits, _safe_part, check_image, copy_entry, entry_parts, import_images,
                      open_archive)

MAX_DEPTH = 3  # parts of the deepest path a paired layout reads: A/train/17.png
LAYOUT_NAMES = {"a", "b", "train", "val", "test"}  # a top folder of these names is the layout itself


@dataclass
class PairedImportResult(ImportResult):
    """An imported paired folder: `images` counts the files kept, `pairs` the pairs found."""

    layout: str = ""  # "A|B" or "A/ B/"
    pairs: int = 0
    held_out: int = 0

    def summary(self) -> str:
        how = ("each image input | target side by side" if self.layout == "A|B"
               else "inputs in A/, targets in B/")
        text = f"{self.pairs:,} pairs ({how}), {self.held_out:,} of them kept out to test on"
        if self.skipped:
            text += "; skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return text


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _count(skipped: dict, why: str) -> None:
    skipped[why] = skipped.get(why, 0) + 1


def _checked(folder: Path, limits: UploadLimits, skipped: dict) -> Layout:
    """find_pairs on `folder`, its DataError turned into the UploadError the upload box shows."""
    try:
        return find_pairs(folder, limits.max_pixels)
    except DataError as exc:
        what = "; ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
        raise UploadError(exc.message + (f" (skipped: {what})" if what else "")) from exc


def _result(folder: Path, images: int, skipped: dict, layout: Layout) -> PairedImportResult:
    return PairedImportResult(str(folder), images, [], skipped, layout.kind,
                              len(layout.train) + len(layout.held), len(layout.held))


def _stripped(parts: list[list[str]]) -> int:
    """How many leading folders every entry shares and the layout does not name ("facades/" in
    facades/train/1.jpg): they are no part of the layout."""
    depth = 0
    while parts and all(len(p) > depth + 1 for p in parts) \
            and len({p[depth] for p in parts}) == 1 and parts[0][depth].lower() not in LAYOUT_NAMES:
        depth += 1
    return depth


def import_paired_zip(data: bytes, uploads_root: Path,
                      limits: UploadLimits = UploadLimits()) -> PairedImportResult:
    """A .zip of pairs -> a folder paired_folder loads; UploadError naming the problem otherwise."""
    if len(data) > limits.max_upload_mb * 2**20:
        raise UploadError(f"the upload is {len(data) / 2**20:.1f} MB; the limit is "
                          f"{limits.max_upload_mb:g} MB")
    digest = hashlib.sha256(data).hexdigest()[:16]
    final = uploads_root / f"pairs-{digest}"
    if (final / MANIFEST).is_file():
        return PairedImportResult(**json.loads((final / MANIFEST).read_text()))
    archive, files = open_archive(data, limits)
    entries = [(e, entry_parts(e)) for e in files]  # raises on traversal, absolute paths, links
    skipped: dict[str, int] = {}
    kept = []
    for entry, p in entries:  # macOS's __MACOSX/ and ._ copies, hidden files: never pictures
        if any(part in SKIP_DIRS or part.startswith(".") for part in p):
            _count(skipped, "system files (__MACOSX, hidden)")
        else:
            kept.append((entry, p))
    depth = _stripped([p for _, p in kept])
    kept = [(e, p[depth:]) for e, p in kept]

    uploads_root.mkdir(parents=True, exist_ok=True)
    tmp = uploads_root / f".tmp-pairs-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        written, images, seen = 0, 0, set()
        for entry, p in kept:
            suffix = PurePosixPath(p[-1]).suffix.lower()
            rel = [_safe_part(part) for part in p]
            key = "/".join(rel).lower()  # a case-blind disk would write two such names as one file
            reason = ("archives inside the archive (not opened)" if suffix in ARCHIVE_EXTENSIONS
                      else "files that are not images" if suffix not in IMAGE_EXTENSIONS
                      else "files nested too deep" if len(p) > min(MAX_DEPTH, limits.max_depth)
                      else "files whose names clash once cleaned" if key in seen else None)
            if reason:
                _count(skipped, reason)
                continue
            seen.add(key)
            target = tmp.joinpath(*rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                written = copy_entry(archive, entry, out, written, limits.max_expanded_mb)
            why = check_image(target, limits.max_pixels)
            if why:
                target.unlink()
                _count(skipped, why)
            else:
                images += 1
        result = _result(final, images, skipped, _checked(tmp, limits, skipped))
        (tmp / MANIFEST).write_text(json.dumps(asdict(result)))
        try:
            os.rename(tmp, final)
        except OSError:  # the same upload finished first in another session: use that one
            shutil.rmtree(tmp, ignore_errors=True)
        return PairedImportResult(**json.loads((final / MANIFEST).read_text()))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def import_paired_images(files: list[tuple[str, bytes]], uploads_root: Path,
                         limits: UploadLimits = UploadLimits()) -> PairedImportResult:
    """Loose images, each an input and its target side by side (A|B), -> a folder paired_folder
    loads. uploads.import_images does the hostile-input work (and shares its folder with a
    `folder` upload of the same files: the layout is the same); then the pairs are checked."""
    result = import_images(files, uploads_root, limits)
    try:
        layout = find_pairs(Path(result.folder), limits.max_pixels)
    except DataError as exc:
        # import_images stores file i as <i:06d><suffix>: name the files as the sender called them
        sent = {f"{i:06d}{_suffix(n)}": n for i, (n, _) in enumerate(files)}
        message = re.sub(r"\b\d{6}\.\w+", lambda m: sent.get(m.group(0), m.group(0)), exc.message)
        raise UploadError(f"{message}. Loose images must each hold an input and its target side by "
                          "side; for separate inputs and targets upload a .zip with A/ and B/ folders") from exc
    return _result(Path(result.folder), result.images, result.skipped, layout)
