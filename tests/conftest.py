"""Fixtures shared by every test directory: the backends every database test runs on —
SQLite and a throwaway PostgreSQL server (pgserver) started once per session — and a
schema template per backend that each test copies.

If the PostgreSQL server cannot start, the PostgreSQL variants FAIL: a skipped backend would
hide portability bugs."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from lks.db import init_database

from tests.foundation.helpers import BACKENDS, create_database, maak_testgebruikers


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
    maak_testgebruikers(f"sqlite:///{path}")
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A PostgreSQL database migrated to head once; tests start from a clone."""
    url = create_database(pg_server, "lks_template")
    init_database(url)
    maak_testgebruikers(url)
    return "lks_template"


