"""Turning uploads from anyone (a .zip of class folders, or loose images) into an image folder
the `folder` dataset reads, without trusting a byte of them.

Refused outright, with one message naming the problem: archives over the size limits (upload,
expanded, file count), entries that point outside the archive (`../`, absolute paths, drive
letters) or are symlinks, and archives with no usable image. Skipped and counted: files that are
not images, archives inside the archive (never opened), images that do not decode, images that
declare more pixels than the limit (decompression bombs), entries nested too deep.
Everything is written under a temporary folder inside the uploads folder and renamed into place
only when complete; the final folder is named by the upload's SHA-256, so the same upload twice
is the same dataset.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import warnings
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from PIL import Image

from ..errors import GanError

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
ARCHIVE_EXTENSIONS = {".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar"}
MANIFEST = "upload.json"


class UploadError(GanError):
    """An upload that is refused as a whole; the message names the problem and the limit."""


@dataclass(frozen=True)
class UploadLimits:
    max_upload_mb: float = 50.0  # the browser upload itself (also capped in .streamlit/config.toml)
    max_expanded_mb: float = 500.0  # what the archive unpacks to
    max_files: int = 20_000
    max_pixels: int = 40_000_000  # per image: more is a decompression bomb, not a photo
    max_depth: int = 6  # folders inside the archive

    @classmethod
    def from_env(cls) -> "UploadLimits":
        """GANSTUDIO_UPLOAD_MAX_MB, GANSTUDIO_UPLOAD_MAX_EXPANDED_MB, GANSTUDIO_UPLOAD_MAX_FILES,
        GANSTUDIO_UPLOAD_MAX_PIXELS override the defaults."""
        env = os.environ.get
        d = cls()
        return cls(float(env("GANSTUDIO_UPLOAD_MAX_MB", d.max_upload_mb)),
                   float(env("GANSTUDIO_UPLOAD_MAX_EXPANDED_MB", d.max_expanded_mb)),
                   int(env("GANSTUDIO_UPLOAD_MAX_FILES", d.max_files)),
                   int(env("GANSTUDIO_UPLOAD_MAX_PIXELS", d.max_pixels)), d.max_depth)


@dataclass
class ImportResult:
    folder: str
    images: int
    classes: list[str]
    skipped: dict = field(default_factory=dict)  # reason -> count

    def summary(self) -> str:
        kinds = f"{len(self.classes)} classes ({', '.join(self.classes[:6])}{'...' if len(self.classes) > 6 else ''})" \
            if self.classes else "no class folders (unlabelled)"
        text = f"{self.images:,} images, {kinds}"
        if self.skipped:
            text += "; skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return text


def default_uploads_dir() -> Path:
    return Path(os.environ.get("GANCORE_UPLOADS_DIR", "uploads"))


_SAFE = re.compile(r"[^\w.\- ]", re.UNICODE)


def _safe_part(part: str) -> str:
    """A path component reduced to letters, digits, '_', '-', '.', ' ' (any script)."""
    cleaned = _SAFE.sub("_", part).strip(" .")
    return cleaned or "_"


def open_archive(data: bytes, limits: UploadLimits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its file entries (folders left out), after the checks that need no
    unpacking: the upload's size, the file count and the declared expanded size."""
    if len(data) > limits.max_upload_mb * 2**20:
        raise UploadError(f"the upload is {len(data) / 2**20:.1f} MB; the limit is {limits.max_upload_mb:g} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError(f"this is not a readable .zip archive ({exc})") from exc
    files = [e for e in entries if not e.is_dir()]
    if len(files) > limits.max_files:
        raise UploadError(f"the archive holds {len(files):,} files; the limit is {limits.max_files:,}")
    declared = sum(e.file_size for e in files)
    if declared > limits.max_expanded_mb * 2**20:
        raise UploadError(f"the archive would unpack to {declared / 2**20:,.0f} MB; the limit is "
                          f"{limits.max_expanded_mb:g} MB")
    return archive, files


def entry_parts(info: zipfile.ZipInfo) -> list[str]:
    """The entry's path parts; refused (UploadError): absolute paths, drive letters, `..`, symlinks."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UploadError(f"the archive has an entry with an absolute path ({info.filename!r}): refused")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if ".." in parts:
        raise UploadError(f"the archive has an entry that points outside it ({info.filename!r}): refused")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UploadError(f"the archive has a symbolic link ({info.filename!r}): refused")
    return parts


def copy_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, out, written: int,
               max_expanded_mb: float) -> int:
    """Unpack `entry` into the binary file `out`, counting real bytes (declared sizes can lie):
    `written` is what the archive has unpacked to so far; returns it with this entry added.
    Refused (UploadError) past `max_expanded_mb` in all, or where the archive is damaged."""
    budget = max_expanded_mb * 2**20
    try:
        with archive.open(entry) as src:
            while chunk := src.read(1 << 16):
                written += len(chunk)
                if written > budget:
                    raise UploadError(f"the archive unpacks to more than {max_expanded_mb:g} "
                                      "MB (its sizes were understated): refused")
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UploadError(f"the archive is damaged at {entry.filename!r} ({exc}): refused") from exc
    return written


def check_image(path, max_pixels: int) -> str | None:
    """None if the file (a path or a binary file object) is a usable image, else why not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > max_pixels:
                    return "images over the pixel limit"
                img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "images over the pixel limit"
    except (OSError, ValueError, SyntaxError):
        return "images that do not decode"
    return None


def _keep_if_image(target: Path, max_pixels: int, skipped: dict) -> None:
    """Delete `target` and count why, unless it is a usable image."""
    why = check_image(target, max_pixels)
    if why:
        target.unlink()
        skipped[why] = skipped.get(why, 0) + 1


def _finish(tmp: Path, final: Path, images: int, classes: list[str], skipped: dict) -> ImportResult:
    result = ImportResult(str(final), images, classes, skipped)
    (tmp / MANIFEST).write_text(json.dumps(asdict(result)))
    try:
        os.rename(tmp, final)
    except OSError:  # the same upload finished first in another session: use that one
        shutil.rmtree(tmp, ignore_errors=True)
    return load_result(final)


def load_result(folder: Path) -> ImportResult:
    return ImportResult(**json.loads((folder / MANIFEST).read_text()))


def import_zip(data: bytes, uploads_root: Path, limits: UploadLimits = UploadLimits()) -> ImportResult:
    if len(data) > limits.max_upload_mb * 2**20:
        raise UploadError(f"the upload is {len(data) / 2**20:.1f} MB; the limit is {limits.max_upload_mb:g} MB")
    digest = hashlib.sha256(data).hexdigest()[:16]
    final = uploads_root / f"zip-{digest}"
    if (final / MANIFEST).is_file():
        return load_result(final)
    archive, files = open_archive(data, limits)
    parts = [(e, entry_parts(e)) for e in files]  # raises on traversal, absolute paths, links

    # one common top folder holding class folders (how most zips are made) is not a class:
    # strip it. A single folder of images stays one class.
    tops = {p[0] for _, p in parts}
    if len(tops) == 1 and all(len(p) > 1 for _, p in parts) and any(len(p) > 2 for _, p in parts):
        parts = [(e, p[1:]) for e, p in parts]

    uploads_root.mkdir(parents=True, exist_ok=True)
    tmp = uploads_root / f".tmp-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    skipped: dict[str, int] = {}
    written = 0
    try:
        for index, (entry, p) in enumerate(parts):
            suffix = PurePosixPath(p[-1]).suffix.lower()
            reason = ("archives inside the archive (not opened)" if suffix in ARCHIVE_EXTENSIONS
                      else "files that are not images" if suffix not in IMAGE_EXTENSIONS
                      else "files nested too deep" if len(p) > limits.max_depth else None)
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            # images directly in the root stay there; deeper ones go to their class folder
            # (an index in front: two "img.png" from different sub-folders must not collide)
            name = f"{index:06d}-{_safe_part(p[-1])}"
            rel = [_safe_part(p[0]), name] if len(p) > 1 else [name]
            target = tmp.joinpath(*rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                written = copy_entry(archive, entry, out, written, limits.max_expanded_mb)
            _keep_if_image(target, limits.max_pixels, skipped)
        return _organise(tmp, final, skipped)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def import_images(files: list[tuple[str, bytes]], uploads_root: Path,
                  limits: UploadLimits = UploadLimits()) -> ImportResult:
    """Loose image files -> one unlabelled folder."""
    total = sum(len(b) for _, b in files)
    if total > limits.max_upload_mb * 2**20:
        raise UploadError(f"the upload is {total / 2**20:.1f} MB; the limit is {limits.max_upload_mb:g} MB")
    if len(files) > limits.max_files:
        raise UploadError(f"{len(files):,} files were uploaded; the limit is {limits.max_files:,}")
    digest = hashlib.sha256(b"".join(hashlib.sha256(b).digest() for _, b in files)).hexdigest()[:16]
    final = uploads_root / f"images-{digest}"
    if (final / MANIFEST).is_file():
        return load_result(final)
    uploads_root.mkdir(parents=True, exist_ok=True)
    tmp = uploads_root / f".tmp-{digest}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    skipped: dict[str, int] = {}
    try:
        for i, (name, data) in enumerate(files):
            suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
            if suffix not in IMAGE_EXTENSIONS:
                skipped["files that are not images"] = skipped.get("files that are not images", 0) + 1
                continue
            target = tmp / f"{i:06d}{suffix}"  # the sender's names are not used at all
            target.write_bytes(data)
            _keep_if_image(target, limits.max_pixels, skipped)
        return _organise(tmp, final, skipped)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _organise(tmp: Path, final: Path, skipped: dict) -> ImportResult:
    classes = sorted(p.name for p in tmp.iterdir() if p.is_dir() and any(p.iterdir()))
    for p in tmp.iterdir():
        if p.is_dir() and p.name not in classes:
            p.rmdir()  # a class whose every file was skipped
    images = sum(1 for p in tmp.rglob("*") if p.is_file())
    if images == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        what = "; ".join(f"{n} {why}" for why, n in sorted(skipped.items())) or "it was empty"
        raise UploadError(f"no usable image in the upload ({what}); expected "
                          f"{', '.join(sorted(IMAGE_EXTENSIONS))} files, one folder per class")
    loose = [p for p in tmp.iterdir() if p.is_file()]
    if classes and loose:  # images both in the root and in class folders: root ones have no class
        for p in loose:
            p.unlink()
        skipped["images outside any class folder"] = len(loose)
        images -= len(loose)
    return _finish(tmp, final, images, classes, skipped)
