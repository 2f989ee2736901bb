"""Shared test set-up: nothing a test writes lands in the user's home folder."""
import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    # Quality judges and downloaded datasets go under GANCORE_CACHE_DIR: a fresh folder per test
    # session, so tests neither read a judge trained by an earlier session nor leave one behind.
    os.environ["GANCORE_CACHE_DIR"] = str(tmp_path_factory.mktemp("gancore-cache"))
    yield
