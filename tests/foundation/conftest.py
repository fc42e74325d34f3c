"""Fixtures of the foundation tests: a database per test on SQLite and on a throwaway
PostgreSQL (pgserver), and the CLI bound to it.

The PostgreSQL server starts once per session, on first use. If it cannot start, the
PostgreSQL variants FAIL: a skipped backend would hide portability bugs."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from lks.db import init_database, make_engine

from .helpers import BACKENDS, Cli, create_database, new_database


def pytest_configure(config):
    # pgserver asks platformdirs for a runtime directory; in containers it warns, harmlessly
    config.addinivalue_line("filterwarnings", "ignore:XDG_RUNTIME_DIR is not set")


@pytest.fixture(scope="session")
def pg_server():
    import pgserver  # a test dependency: its absence must fail the PostgreSQL variants

    # Not under pytest's basetemp: concurrent pytest sessions rotate those directories,
    # and a server whose data directory disappears shuts down mid-run.
    pgdata = tempfile.mkdtemp(prefix="lks-pg-")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()
        # deleting thousands of files takes seconds: leave it to a background process
        subprocess.Popen(["rm", "-rf", pgdata], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def sqlite_template():
    """A SQLite file migrated to head once; tests start from a copy."""
    directory = tempfile.mkdtemp(prefix="lks-sqlite-")
    path = Path(directory) / "template.db"
    init_database(f"sqlite:///{path}")
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A PostgreSQL database migrated to head once; tests start from a clone."""
    init_database(create_database(pg_server, "lks_template"))
    return "lks_template"


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
