"""Fixtures of the foundation tests: a database per test on SQLite and on a throwaway
PostgreSQL (pgserver; the server and templates are in tests/conftest.py), and the CLI.

The PostgreSQL server starts once per session, on first use. If it cannot start, the
PostgreSQL variants FAIL: a skipped backend would hide portability bugs."""
from __future__ import annotations


import pytest

from lks.db import make_engine

from .helpers import Cli, new_database


@pytest.fixture
def empty_db_url(request, backend, tmp_path):
    """An empty database (no schema)."""
    with new_database(request, backend, tmp_path, initialised=False) as url:
        yield url


@pytest.fixture
def db_url(request, backend, tmp_path):
    """An initialised database (schema at head), empty of facts."""
    with new_database(request, backend, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def cli(db_url):
    """``lks --db URL …`` on the initialised database."""
    return Cli(db_url)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No database or settings from the developer's environment; the working directory is
    the test's own (``lks init`` writes gemeente.toml there)."""
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)
