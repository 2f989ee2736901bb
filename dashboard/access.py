"""Who may control runs and who may watch them: the owner password and the settings around it,
read in this one place (the pages through components/owner.py, the live feed, the server's log).

Settings, from the environment (Streamlit secrets are turned off in .streamlit/config.toml):
- GANSTUDIO_PASSWORD   the owner password. Set: Start, Pause, Resume, Stop, Delete, roll back,
                       uploads and the 2D Lab need it once per browser session. Unset: anyone may.
- GANSTUDIO_WATCH      "anyone" (the default: anyone with the link may watch) or "password"
                       (watching needs the password too).
- GANSTUDIO_READ_ONLY  viewer mode: nobody controls anything, whatever the password.
Read at each call (microseconds): a test changes them between runs of a page.
Pure: no streamlit. The clock of the wrong-password throttle can be injected for tests.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

PASSWORD_ENV = "GANSTUDIO_PASSWORD"
WATCH_ENV = "GANSTUDIO_WATCH"
READ_ONLY_ENV = "GANSTUDIO_READ_ONLY"
WATCH_CHOICES = {"anyone": "anyone with the link may watch", "password": "watching needs the owner password"}
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")

READ_ONLY_NOTE = ("Viewer mode: this app only shows runs. Starting, stopping, resuming, deleting "
                  "and uploading are turned off by whoever runs it.")
LOCKED_NOTE = ("Starting, pausing, stopping, resuming and deleting runs, and uploading, need the "
               "owner password: unlock them under **Owner** in the sidebar.")
OPEN_NETWORK_NOTE = ("Anyone who can reach this server can start, stop and delete runs: set "
                     f"{PASSWORD_ENV}, or start it with --server.address 127.0.0.1.")


class AccessError(ValueError):
    """A setting of this module has a value it cannot use; the message says which and what is allowed."""


@dataclass(frozen=True)
class Access:
    password: str  # "" when none is set
    watch: str  # a key of WATCH_CHOICES
    read_only: bool

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    @property
    def watch_needs_password(self) -> bool:
        return self.watch == "password"

    def may_control(self, unlocked: bool) -> bool:
        """Viewer mode wins; without a password anyone may; with one, a session that unlocked."""
        return not self.read_only and (not self.has_password or unlocked)

    def may_watch(self, unlocked: bool) -> bool:
        return not self.watch_needs_password or unlocked

    @property
    def asks_password(self) -> bool:
        """Whether the password unlocks anything here (in viewer mode, only watching can need it)."""
        return self.has_password and (not self.read_only or self.watch_needs_password)

    def unlocks(self) -> str:
        """What the password unlocks, in plain words, for the unlock box."""
        parts = [] if self.read_only else ["starting, pausing, stopping, resuming and deleting runs, "
                                           "uploads and the 2D Lab"]
        if self.watch_needs_password:
            parts.insert(0, "watching runs")
        return " and ".join(parts)


def read_access(environ: Mapping[str, str] | None = None) -> Access:
    """The settings, checked: a bad GANSTUDIO_WATCH, or watching that needs a password nobody set,
    raises AccessError in words (never silently opens the runs to everyone)."""
    env = os.environ if environ is None else environ
    password = env.get(PASSWORD_ENV, "")
    watch = env.get(WATCH_ENV, "").strip().lower() or "anyone"
    if watch not in WATCH_CHOICES:
        allowed = " or ".join(f'"{k}" ({v})' for k, v in WATCH_CHOICES.items())
        raise AccessError(f'{WATCH_ENV} is "{env.get(WATCH_ENV)}", which is not a choice: use {allowed}.')
    if watch == "password" and not password:
        raise AccessError(f'{WATCH_ENV} is "password", but no password is set: set {PASSWORD_ENV} too, '
                          f'or {WATCH_ENV}=anyone.')
    read_only = env.get(READ_ONLY_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return Access(password=password, watch=watch, read_only=read_only)


def reachable_beyond_localhost(address: str | None) -> bool:
    """Streamlit's server.address: unset or empty listens on every address (0.0.0.0 and ::)."""
    address = (address or "").strip().strip("[]").lower()
    return not (address in LOCAL_ADDRESSES or address.startswith("127."))


def open_network_warning(access: Access, address: str | None) -> str | None:
    """The one line every page and the server log say when anyone on the network may control runs."""
    if access.has_password or access.read_only or not reachable_beyond_localhost(address):
        return None
    return OPEN_NETWORK_NOTE


def password_matches(given: str, password: str) -> bool:
    # compare_digest takes as long whatever the first wrong character: the time a refusal takes
    # says nothing about how much of a guess was right.
    return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


# The live feed's token: an HMAC of the browser session's viewer id with a secret made when the
# process starts, so a page hands it only to sessions that unlocked, and a restart voids them all.
_FEED_SECRET = secrets.token_bytes(32)


def feed_token(viewer: str) -> str:
    return hmac.new(_FEED_SECRET, viewer.encode("utf-8"), hashlib.sha256).hexdigest()


def feed_token_valid(viewer: str, token: str) -> bool:
    return bool(viewer) and hmac.compare_digest(feed_token(viewer).encode(), token.encode("utf-8"))


FIRST_WAIT_S = 1.0  # after the first wrong password; doubled after each further one
LONGEST_WAIT_S = 60.0
PROCESS = "*"  # the throttle's key for all sessions together


@dataclass
class _Tries:
    wrong: int = 0
    not_before: float = 0.0  # clock time before which no password is checked


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str | None  # why not, in plain words; None when ok


class Throttle:
    """Wrong passwords slow down the next tries: after the n-th wrong one in a row, no password is
    checked for FIRST_WAIT_S * 2**(n-1) seconds (at most LONGEST_WAIT_S), counted per browser
    session and for the whole process, so a script opening a new session for each guess waits as
    long. A run of wrong tries is forgotten after LONGEST_WAIT_S of quiet. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._tries: dict[str, _Tries] = {}

    def _get(self, key: str, now: float) -> _Tries:
        tries = self._tries.setdefault(key, _Tries())
        if tries.wrong and now >= tries.not_before + LONGEST_WAIT_S:
            tries.wrong = 0
        return tries

    def wait_left(self, session: str) -> float:
        now = self.clock()
        with self._lock:
            return max(0.0, *(self._get(k, now).not_before - now for k in (session, PROCESS)))

    def check(self, session: str, given: str, password: str) -> Verdict:
        now = self.clock()
        with self._lock:
            keys = (session, PROCESS)
            left = max(self._get(k, now).not_before - now for k in keys)
            if left > 0:
                return Verdict(False, f"Too soon after a wrong password; try again in {_seconds(left)}.")
            if password and password_matches(given, password):
                self._tries.pop(session, None)
                return Verdict(True, None)
            waits = []
            for key in keys:
                tries = self._get(key, now)
                tries.wrong += 1
                wait = min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** (tries.wrong - 1))
                tries.not_before = now + wait
                waits.append(wait)
            return Verdict(False, f"Wrong password; try again in {_seconds(max(waits))}.")


def _seconds(wait: float) -> str:
    whole = max(1, int(wait + 0.999))  # rounded up: "in 0 s" would invite a try that is refused
    return f"{whole} s"


THROTTLE = Throttle()  # the process's one throttle, shared by every browser session
