"""Alembic environment for lks. Run through ``lks init`` (``lks.db.init_database``), which
builds the configuration in code; no alembic.ini and no logging configuration here, so a
migration never takes over the application's logging or stdout."""
import importlib
import pkgutil

from alembic import context

import lks.db
from lks.db.engine import make_engine
from lks.db.models import Base

# every lks.db.models_* module registers its tables on Base.metadata
for _module in pkgutil.iter_modules(lks.db.__path__):
    if _module.name.startswith("models_"):
        importlib.import_module(f"lks.db.{_module.name}")

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      transactional_ddl=True)
    if connection.dialect.name != "sqlite":
        with context.begin_transaction():
            context.run_migrations()
        return
    # SQLite alters a table by copying it (batch mode): with foreign keys enforced, dropping
    # the original would orphan the rows that refer to it. The documented procedure: foreign
    # keys off outside the transaction, a foreign_key_check before the commit (a violation
    # rolls everything back), and on again afterwards.
    dbapi = connection.connection.dbapi_connection
    dbapi.execute("PRAGMA foreign_keys = OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migratie geweigerd: verwijzingen kloppen niet meer ({broken[:5]})")
    finally:
        dbapi.execute("PRAGMA foreign_keys = ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
