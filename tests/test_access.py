"""Who may control and watch runs (dashboard/access.py, components/owner.py): the settings, the
wrong-password throttle on an injected clock, and every page under AppTest with a password set."""
import asyncio
import importlib.util
import logging
from pathlib import Path

import pytest

from streamlit import config
from app_pages import open_app
from dashboard import access
from dashboard.components.wording import plain
from gancore import RunStore, make_config
from gancore.runs.launch import start_run

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse"
CONTROLS = {"Start training", "Stop", "Pause", "Resume", "Resume training", "Delete"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """A fresh process-wide throttle on a clock the test moves: no test waits on a real second."""
    fake = Clock()
    monkeypatch.setattr(access, "THROTTLE", access.Throttle(clock=fake))
    return fake


@pytest.fixture
def no_settings(monkeypatch):
    for name in (access.PASSWORD_ENV, access.WATCH_ENV, access.READ_ONLY_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def runs_dir(tmp_path, monkeypatch, clock, no_settings):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    yield tmp_path
    from dashboard import state

    for job in state._manager(str(tmp_path)).jobs():
        job.stop()
        if job.thread is not None:
            job.thread.join(timeout=30)


@pytest.fixture
def address():
    """Sets Streamlit's server.address for one test, as --server.address would."""
    before = config.get_option("server.address")
    yield lambda value: config.set_option("server.address", value)
    config.set_option("server.address", before)


# -- the settings ---------------------------------------------------------------------------------

def test_no_settings_anyone_may_watch_and_control():
    settings = access.read_access({})
    assert settings.may_control(unlocked=False) and settings.may_watch(unlocked=False)
    assert not settings.asks_password


def test_a_password_locks_the_controls_and_viewer_mode_wins_over_it():
    settings = access.read_access({access.PASSWORD_ENV: "pw"})
    assert not settings.may_control(False) and settings.may_control(True) and settings.may_watch(False)
    viewer = access.read_access({access.PASSWORD_ENV: "pw", access.READ_ONLY_ENV: "1"})
    assert not viewer.may_control(True) and not viewer.asks_password, "nobody controls in viewer mode"
    watched = access.read_access({access.PASSWORD_ENV: "pw", access.WATCH_ENV: "password",
                                  access.READ_ONLY_ENV: "1"})
    assert watched.asks_password and watched.unlocks() == "watching runs"


@pytest.mark.parametrize("env, words", [
    ({access.WATCH_ENV: "everyone"}, 'GANSTUDIO_WATCH is "everyone", which is not a choice: use "anyone"'),
    ({access.WATCH_ENV: "password"}, "no password is set: set GANSTUDIO_PASSWORD too"),
])
def test_a_bad_watch_setting_is_refused_in_words(env, words):
    with pytest.raises(access.AccessError, match=words):
        access.read_access(env)


@pytest.mark.parametrize("address, beyond", [
    (None, True), ("", True), ("0.0.0.0", True), ("::", True), ("192.168.1.5", True),
    ("127.0.0.1", False), ("localhost", False), ("::1", False), ("[::1]", False)])
def test_which_addresses_reach_beyond_localhost(address, beyond):
    assert access.reachable_beyond_localhost(address) is beyond


def test_the_open_network_line_only_without_a_password_and_outside_viewer_mode():
    assert access.open_network_warning(access.read_access({}), "0.0.0.0") == access.OPEN_NETWORK_NOTE
    assert access.open_network_warning(access.read_access({}), "127.0.0.1") is None
    assert access.open_network_warning(access.read_access({access.PASSWORD_ENV: "pw"}), "") is None
    assert access.open_network_warning(access.read_access({access.READ_ONLY_ENV: "1"}), "") is None


def test_the_feed_token_belongs_to_one_viewer():
    token = access.feed_token("viewer-a")
    assert access.feed_token_valid("viewer-a", token)
    assert not access.feed_token_valid("viewer-b", token) and not access.feed_token_valid("viewer-a", "")


# -- the throttle ---------------------------------------------------------------------------------

def test_each_wrong_password_doubles_the_wait_before_the_next_is_even_checked(clock):
    throttle = access.THROTTLE
    assert throttle.check("s1", "guess", PASSWORD).message == "Wrong password; try again in 1 s."
    refused = throttle.check("s1", PASSWORD, PASSWORD)
    assert not refused.ok and refused.message == "Too soon after a wrong password; try again in 1 s.", \
        "while waiting, not even the right password is checked"
    waits = []
    for _ in range(8):
        clock.now += throttle.wait_left("s1")
        waits.append(throttle.check("s1", "guess", PASSWORD).message)
    assert waits[:3] == [f"Wrong password; try again in {n} s." for n in (2, 4, 8)]
    assert waits[-1] == "Wrong password; try again in 60 s.", "up to a cap"
    clock.now += throttle.wait_left("s1")
    assert throttle.check("s1", PASSWORD, PASSWORD).ok


def test_a_new_session_for_each_guess_waits_as_long(clock):
    throttle = access.THROTTLE
    throttle.check("s1", "guess", PASSWORD)
    clock.now += 1
    assert throttle.check("s2", "guess", PASSWORD).message == "Wrong password; try again in 2 s."
    assert throttle.check("s3", "guess", PASSWORD).message.startswith("Too soon"), "process-wide"
    clock.now += 2 + access.LONGEST_WAIT_S  # a quiet spell forgets the run of wrong tries
    assert throttle.check("s4", "guess", PASSWORD).message == "Wrong password; try again in 1 s."


# -- the pages ------------------------------------------------------------------------------------

def _labels(at) -> set[str]:
    return {b.label for b in at.button}


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def _unlock(at, given: str):
    at.text_input(key="owner-password").input(given)
    next(b for b in at.button if b.label == "Unlock").click().run()
    return at


def _finished_run(runs_dir) -> str:
    trainer, run = start_run(make_config("vanilla", "ring8", device="cpu", steps=20, log_every=10),
                             RunStore(runs_dir))
    trainer.run()
    return run.run_id


def _live_job(runs_dir):
    from dashboard import state

    return state.manager().start(make_config("vanilla", "ring8", device="cpu", steps=200_000, log_every=20))


def test_with_a_password_a_fresh_session_sees_no_controls_and_is_told_why(runs_dir, monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    run_id = _finished_run(runs_dir)
    for page in (None, "views/monitor.py", "views/runs.py", "views/lab.py", "views/generate.py"):
        at = open_app(page, run=run_id)
        assert not at.exception and not CONTROLS & _labels(at), (page, _labels(at))
        assert "Unlock" in _labels(at) and "The owner password unlocks starting" in _texts(at)
        choices = [r for r in at.get("radio") if r.key != "generate-weights"]  # EMA or raw: a view
        assert not at.get("file_uploader") and not choices, "no upload, no uploaded checkpoint"
    assert "need the owner password" in _texts(open_app(None)), "Train says why Start is not there"
    assert "The 2D Lab needs the owner password" in _texts(open_app("views/lab.py"))


def test_a_wrong_password_is_refused_with_one_message_and_the_right_one_unlocks(runs_dir, monkeypatch, clock):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = _unlock(open_app(), "not it")
    assert [e.value for e in at.error] == ["Wrong password; try again in 1 s."]
    assert "Start training" not in _labels(at)
    clock.now += 1
    _unlock(at, PASSWORD)
    assert not at.error and "Start training" in _labels(at) and "Lock" in _labels(at)
    assert "Unlocked in this browser tab" in _texts(at)
    at.switch_page("views/runs.py").run()  # the whole session is unlocked, every page
    assert not at.exception and "Lock" in _labels(at) and "Unlock" not in _labels(at)
    next(b for b in at.button if b.label == "Lock").click().run()
    assert "Unlock" in _labels(at), "locked again"


def test_once_unlocked_stop_is_there_and_stops_the_run(runs_dir, monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    job = _live_job(runs_dir)
    at = open_app("views/monitor.py", run=job.run_id)
    assert not at.exception and "Stop" not in _labels(at)
    assert "need the owner password" in _texts(at) and plain(job.run_id) in _texts(at), "watched, not controlled"
    _unlock(at, PASSWORD)
    assert {"Stop", "Lock"} <= _labels(at)
    next(b for b in at.button if b.label == "Stop").click().run()
    job.thread.join(timeout=60)
    assert not job.thread.is_alive() and job.snapshot().status == "stopped"


def test_when_watching_needs_the_password_the_pages_show_only_the_unlock_box(runs_dir, monkeypatch, clock):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(access.WATCH_ENV, "password")
    run_id = _finished_run(runs_dir)
    for page in (None, "views/monitor.py", "views/runs.py"):
        at = open_app(page, run=run_id)
        assert not at.exception and _labels(at) == {"Unlock"}
        assert run_id not in _texts(at) and not at.get("selectbox") and not at.dataframe
        assert "Watching runs on this server needs the owner password." in _texts(at)
    _unlock(at, PASSWORD)
    assert at.selectbox(key="runs-run").value == run_id and "Delete" in _labels(at), \
        "the Runs page, with its controls"


def test_a_bad_watch_setting_shows_no_page_and_says_what_to_set(runs_dir, monkeypatch):
    monkeypatch.setenv(access.WATCH_ENV, "maybe")
    at = open_app()
    assert not at.exception and not _labels(at)
    assert 'GANSTUDIO_WATCH is "maybe", which is not a choice' in at.error[0].value


def test_the_open_network_line_follows_the_servers_address(runs_dir, monkeypatch, address):
    address("0.0.0.0")
    at = open_app()
    assert [w.value for w in at.warning if "Anyone who can reach" in w.value] == [access.OPEN_NETWORK_NOTE]
    address("127.0.0.1")
    assert "Anyone who can reach" not in _texts(open_app("views/runs.py"))
    address("")
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    assert "Anyone who can reach" not in _texts(open_app()), "a password is set"


def test_the_server_log_says_it_once_when_the_server_starts(no_settings, address, caplog, monkeypatch):
    spec = importlib.util.spec_from_file_location("gs_server_entry_access", REPO / "dashboard" / "app.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    monkeypatch.setattr(server, "_warm_up", lambda: None)

    def start() -> list[str]:
        caplog.clear()

        async def enter_and_leave():
            async with server.lifespan(server.app):
                pass
        with caplog.at_level(logging.WARNING, logger="dashboard"):
            asyncio.run(enter_and_leave())
        return [r.getMessage() for r in caplog.records if r.name == "dashboard"]
    address("")
    assert start() == [access.OPEN_NETWORK_NOTE]
    address("localhost")
    assert start() == []
    monkeypatch.setenv(access.WATCH_ENV, "sometimes")
    assert 'GANSTUDIO_WATCH is "sometimes"' in start()[0], "a bad setting is in the log too"
