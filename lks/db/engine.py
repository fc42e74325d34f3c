"""Which database, and how to connect to it.

One engine factory for every backend: SQLite (the default, a file ``lks.db`` in the working
directory) and PostgreSQL (``postgresql+psycopg://…``). Backend-specific code stays in this
module: the connection setup and the write lock an import takes.

Several gemeenten on one PostgreSQL server: one schema per gemeente (``gemeente_<code>``),
chosen by ``--gemeente CODE`` / ``LKS_GEMEENTE``. Every connection of the engine gets
``search_path`` set to that schema alone, so every table name — and Alembic's version
table — resolves inside it; another gemeente's tables cannot be named by accident. On SQLite a
gemeente is its own database file, and a gemeente code is refused (README, "Meerdere
gemeenten").
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from lks.identifiers import GEMEENTECODE, mask_bsns_in_text

ENV_VAR = "LKS_DATABASE_URL"
GEMEENTE_VAR = "LKS_GEMEENTE"
DEFAULT_URL = "sqlite:///lks.db"
SQLITE_BUSY_TIMEOUT_S = 30
WRITE_OPTION = "lks_write"  # execution option: this connection's transactions write (SQLite: BEGIN IMMEDIATE)
_WRITE = WRITE_OPTION


def safe_error(error: BaseException) -> str:
    """A database error as a user may see it: the driver's first line only (no SQL, no
    parameters, no DETAIL quoting a row), with any 9-digit number (a BSN?) masked."""
    orig = getattr(error, "orig", None) or error
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    first = mask_bsns_in_text(first)
    return f"databasefout ({type(orig).__name__}): {first}"


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


class GemeenteFout(ValueError):
    """An unusable gemeente code (message in Dutch)."""


def resolve_gemeente(explicit: str | None = None) -> str | None:
    """The gemeente code: ``--gemeente`` > ``LKS_GEMEENTE`` > none (a single-gemeente database)."""
    code = (explicit or os.environ.get(GEMEENTE_VAR) or "").strip().lower()
    if not code:
        return None
    if not GEMEENTECODE.fullmatch(code):
        raise GemeenteFout(f"gemeentecode {code!r} is ongeldig: gebruik 1 tot 40 kleine letters, "
                           "cijfers of '_' (bijvoorbeeld de CBS-code, 0014)")
    return code


def gemeente_schema(code: str) -> str:
    return f"gemeente_{code}"


def make_engine(url: str, gemeente: str | None = None) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys, a busy timeout and real transactions
    (explicit BEGIN, so DDL and an import are atomic and the import's write lock is taken up
    front); PostgreSQL gets the gemeente's schema as its only ``search_path`` when a gemeente
    is given (argument, else ``LKS_GEMEENTE``). Statement parameters are never rendered into
    errors or logs (``hide_parameters``): they hold BSNs and IBANs."""
    code = resolve_gemeente(gemeente)
    if make_url(url).get_backend_name() != "sqlite":
        if code is None:
            return create_engine(url, hide_parameters=True)
        schema = gemeente_schema(code)
        engine = create_engine(url, hide_parameters=True,
                               connect_args={"options": f"-csearch_path={schema}"})
        engine.lks_schema = schema  # read by init_database: the schema to create
        return engine
    if code is not None:
        raise GemeenteFout(f"gemeente {code!r}: op SQLite is een gemeente een eigen databasebestand "
                           "(--db sqlite:///<gemeente>.db); --gemeente/LKS_GEMEENTE alleen met PostgreSQL")
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

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
