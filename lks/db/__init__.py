"""The database layer: URL resolution, engine, schema (``models``) and migrations.

The schema is created and upgraded only by Alembic (``sql/migrations``), also for a fresh
SQLite file, so every database in use has passed the same migration path.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from lks.db.engine import (DEFAULT_URL, ENV_VAR, GEMEENTE_VAR, GemeenteFout, begin_write, display_url,
                           gemeente_schema, make_engine, resolve_gemeente, resolve_url)
from lks.paths import SQL_DIR

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = SQL_DIR / "migrations"
# Alembic is imported where it is used: commands that only read pay nothing for it.

__all__ = ["DEFAULT_URL", "ENV_VAR", "GEMEENTE_VAR", "GemeenteFout", "MIGRATIONS_DIR",
           "gemeente_schema", "resolve_gemeente", "alembic_config", "begin_write",
           "current_revision", "display_url", "head_revision", "init_database", "make_engine",
           "resolve_url"]


def alembic_config(url: str) -> "Config":
    """Alembic configuration built in code: independent of the working directory, no
    alembic.ini, no logging configuration (the application keeps its own)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' would be read as interpolation by configparser (e.g. in a password)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema revision this code knows (read once per process: the migration
    files are code and do not change under a running program)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(DEFAULT_URL)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None if it was never initialised."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def init_database(target: str | Engine) -> str:
    """Create or upgrade the schema to the newest revision (``alembic upgrade head``).
    Idempotent. ``target`` is a URL or an engine; returns the revision now in place."""
    from alembic import command

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        schema = getattr(engine, "lks_schema", None)
        if schema is not None:  # one schema per gemeente on a shared PostgreSQL server
            with engine.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        head = head_revision()
        if current_revision(engine) != head:
            config = alembic_config(engine.url.render_as_string(hide_password=False))
            with engine.connect() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
        return current_revision(engine)
    finally:
        if isinstance(target, str):
            engine.dispose()
