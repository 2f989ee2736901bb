"""One trainer per run folder, across processes: `trainer.lock` in the folder, held while a
trainer (or a delete) works on it.

The lock is the kernel's (fcntl.flock on the open file), not the file's existence. It ends with
the process holding it, however that process ends (SIGKILL included), so a file left behind by a
killed process is simply taken over: there is no stale-file judgement to get wrong (a recycled
pid, a clock) and no take-over race of our own to win, because the kernel grants the lock to
exactly one opener. flock conflicts between two open() calls even within one process, so two
trainers in one server are refused the same way as two processes.

The file's JSON (pid, owner tag, host, what it is doing, since when) is only for the words of a
refusal. It is written just after the lock is taken, so a refused opener may still read the words
of a killed process the winner is taking over from: it waits for words whose owner is alive.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
import weakref
from pathlib import Path

from ..errors import RunError

LOCK_NAME = "trainer.lock"
TRAINING, DELETING = "training", "deleting"
_HOLDER_WAIT_S = 1.0  # a holder writes its JSON right after locking: wait that long for it


def process_tag(pid: int) -> str:
    """pid plus its start time, so a recycled pid after a restart is not mistaken for the owner."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f"{pid}:{f.read().rsplit(')', 1)[1].split()[19]}"
    except OSError:
        return str(pid)


def process_alive(tag: str | None) -> bool:
    if not tag:
        return False
    pid = int(tag.split(":")[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return process_tag(pid) == tag


class RunLock:
    """Held from `acquire` until `release` (or `with` block's end). Released also when the
    object is garbage collected or the process ends: closing the file ends the lock."""

    def __init__(self, path: Path, fd: int, run_id: str):
        self.path = path
        self.run_id = run_id
        self._fd: int | None = fd
        self._guard = threading.Lock()  # release() may come from the trainer and the job at once
        self._close = weakref.finalize(self, os.close, fd)

    @classmethod
    def acquire(cls, folder: str | Path, doing: str = TRAINING, run_id: str | None = None) -> RunLock:
        """The folder's lock, or RunError naming the process that holds it."""
        folder = Path(folder)
        run_id = run_id or folder.name
        path = folder / LOCK_NAME
        for _ in range(20):  # the holder unlinked the file between our open and our flock: again
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                raise RunError(f"run {run_id} no longer exists (no folder {folder})") from None
            except OSError as exc:
                raise RunError(f"run {run_id} cannot be locked: {path}: {exc.strerror}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise RunError(busy_message(run_id, folder)) from None
            except OSError as exc:
                os.close(fd)
                raise RunError(f"run {run_id} cannot be locked: the file system of {folder} does not "
                               f"support file locks ({exc.strerror}); use a runs folder on a local disk") from exc
            if _same_file(fd, path):
                lock = cls(path, fd, run_id)
                lock._describe(doing)
                return lock
            os.close(fd)
        raise RunError(f"run {run_id} cannot be locked: {path} keeps being replaced; try again")

    def _describe(self, doing: str) -> None:
        data = json.dumps({"pid": os.getpid(), "owner": process_tag(os.getpid()),
                           "host": socket.gethostname(), "doing": doing, "since": time.time()}).encode()
        os.ftruncate(self._fd, 0)  # a file taken over from a killed process: its words go
        os.pwrite(self._fd, data, 0)

    def moved_to(self, folder: str | Path) -> None:
        """The folder was renamed (a new run assembled under a temporary name): the lock, held on
        the file itself, moved with it."""
        self.path = Path(folder) / LOCK_NAME

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Idempotent. The file goes first, then the lock: an opener that finds the file after
        that creates a new one (acquire checks it locked the file that is in the folder)."""
        with self._guard:
            if self._fd is None:
                return
            try:
                if _same_file(self._fd, self.path):
                    self.path.unlink()
            except OSError:
                pass  # the folder was deleted under the lock (RunStore.delete)
            self._close()
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _holder(folder: Path) -> dict | None:
    """The lock file's words, once they are the holder's own: the owner tag of a live process, or
    one on another host (which no pid here can tell about)."""
    deadline = time.monotonic() + _HOLDER_WAIT_S
    while True:
        try:
            data = json.loads((folder / LOCK_NAME).read_text())
            if isinstance(data, dict) and isinstance(data.get("pid"), int) and (
                    data.get("host") != socket.gethostname() or _alive(data.get("owner"))):
                return data
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


def _alive(tag) -> bool:
    try:
        return isinstance(tag, str) and process_alive(tag)
    except ValueError:  # not a tag at all
        return False


def _clock(seconds: float) -> str:
    """HH:MM:SS today, with the date before it on another day."""
    when = time.localtime(seconds)
    same_day = time.strftime("%Y-%m-%d", when) == time.strftime("%Y-%m-%d")
    return time.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S", when)


def busy_message(run_id: str, folder: Path) -> str:
    """'run X is being trained by process N since HH:MM:SS; stop it there first'."""
    holder = _holder(folder)
    if holder is None:
        return f"run {run_id} is being trained by another process; stop it there first"
    doing, then = (("deleted", "try again in a moment") if holder.get("doing") == DELETING
                   else ("trained", "stop it there first"))
    who = f"process {holder['pid']}"
    if holder.get("host") not in (None, socket.gethostname()):
        who += f" on {holder['host']}"
    since = holder.get("since")
    when = f" since {_clock(since)}" if isinstance(since, (int, float)) else ""
    return f"run {run_id} is being {doing} by {who}{when}; {then}"
