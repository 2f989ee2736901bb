"""Shared test set-up: nothing a test writes lands in the user's home folder; a long run
training in the dashboard's job manager for the Monitor's tests."""
import os
import time

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    # Quality judges and downloaded datasets go under GANCORE_CACHE_DIR: a fresh folder per test
    # session, so tests neither read a judge trained by an earlier session nor leave one behind.
    os.environ["GANCORE_CACHE_DIR"] = str(tmp_path_factory.mktemp("gancore-cache"))
    yield


@pytest.fixture
def job(tmp_path, monkeypatch):
    """A ring8 run training in the dashboard's job manager (runs under tmp_path), past its first
    numbers; stopped afterwards."""
    from dashboard import state
    from gancore import make_config

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    job = state.manager().start(make_config("vanilla", "ring8", device="cpu", steps=200_000, log_every=20))
    deadline = time.time() + 60
    while not job.snapshot().metrics and time.time() < deadline:
        time.sleep(0.2)
    yield job
    job.stop()
    job.thread.join(timeout=30)


@pytest.fixture
def understated_zip_sizes(monkeypatch):
    """Every zip header read from here on claims 10 bytes, as a crafted archive can: what
    unpacks must be counted as it is written, not trusted from the headers."""
    import zipfile

    original = zipfile.ZipFile.infolist

    def lying(self):
        infos = original(self)
        for info in infos:
            info.file_size = 10
        return infos
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
