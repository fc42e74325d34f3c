"""Which database, and how to connect to it.

One engine factory for every backend: SQLite (the default, a file ``lks.db`` in the working
directory) and PostgreSQL (``postgresql+psycopg://…``). Backend-specific code stays in this
module: the connection setup and the write lock an import takes.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

ENV_VAR = "LKS_DATABASE_URL"
DEFAULT_URL = "sqlite:///lks.db"
SQLITE_BUSY_TIMEOUT_S = 30
_WRITE = "lks_write"


def resolve_url(explicit: str | None = None) -> str:
    """The database URL: ``--db URL`` > ``LKS_DATABASE_URL`` > ``sqlite:///lks.db`` (cwd)."""
    if explicit:
        return explicit
    return os.environ.get(ENV_VAR) or DEFAULT_URL


def display_url(url: str) -> str:
    """The URL as it may be shown to a user: without the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password we could recognise
        return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys, a busy timeout and real transactions
    (explicit BEGIN, so DDL and an import are atomic and the import's write lock is taken up
    front); PostgreSQL needs nothing extra."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling starts transactions late and never for DDL;
        # switch it off and begin explicitly below (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection):
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the database's import lock from its first statement, so
    that two imports cannot interleave their checks and writes. Commits on success."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # readers continue; a second import waits here until this one commits
                connection.exec_driver_sql("LOCK TABLE import_batch IN EXCLUSIVE MODE")
            yield connection
