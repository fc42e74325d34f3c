"""The database layer: URL resolution, engine, schema (``models``) and migrations.

The schema is created and upgraded only by Alembic (``sql/migrations``), also for a fresh
SQLite file, so every database in use has passed the same migration path.
"""
from __future__ import annotations

import ast
import re
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


_REVISIE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema revision this code knows (read once per process: the migration
    files are code and do not change under a running program).

    Read from the ``revision``/``down_revision`` lines of the migration files rather than
    through Alembic's ScriptDirectory, which imports Alembic (a tenth of a second of every
    command's start-up); anything but one plain chain with one head is left to Alembic
    (tests/foundation/test_db.py checks that both agree)."""
    revisies: dict[str, object] = {}
    for pad in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        waarden = dict((naam, waarde) for naam, waarde in _REVISIE.findall(pad.read_text(encoding="utf-8")))
        try:
            revisie = ast.literal_eval(waarden["revision"])
            revisies[revisie] = ast.literal_eval(waarden.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return _alembic_head()
    vorige = set(revisies.values())
    koppen = [r for r in revisies if r not in vorige]
    if len(koppen) != 1 or not all(v is None or isinstance(v, str) for v in vorige):
        return _alembic_head()
    return koppen[0]


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(DEFAULT_URL)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None if it was never initialised. Read from
    Alembic's version table with one query (what Alembic's MigrationContext reads, without
    importing Alembic: every command checks it before it starts)."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versies = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(versies) > 1:
        raise RuntimeError(f"de database heeft meer dan één schemaversie: {', '.join(sorted(versies))}")
    return versies[0] if versies else None


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
