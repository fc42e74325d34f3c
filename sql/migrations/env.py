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
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
