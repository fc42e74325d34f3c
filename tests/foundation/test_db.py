"""Database URL, engine, migrations and the speed of loading facts."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lks.db import (DEFAULT_URL, current_revision, head_revision, init_database, make_engine,
                    resolve_url)
from lks.db.models import FACT_MODELS, Base, ImportBatch, Loonwaarde, UTCDateTime
from lks.facts import load_facts, to_calc_input
from lks.importer import ImportFouten, import_directory

from .helpers import Cli, valid_files, write_files

OWN_TABLES = {"import_batch"} | {model.__tablename__ for model in FACT_MODELS}


def test_url_resolution_order(monkeypatch):
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///lks.db"
    monkeypatch.setenv("LKS_DATABASE_URL", "sqlite:///omgeving.db")
    assert resolve_url(None) == "sqlite:///omgeving.db"
    assert resolve_url("sqlite:///expliciet.db") == "sqlite:///expliciet.db"
    monkeypatch.setenv("LKS_DATABASE_URL", "")
    assert resolve_url(None) == DEFAULT_URL


def test_cli_follows_the_url_order(tmp_path, monkeypatch):
    """--db > LKS_DATABASE_URL > ./lks.db (the working directory is tmp_path)."""
    cli = Cli(f"sqlite:///{tmp_path / 'expliciet.db'}")
    monkeypatch.setenv("LKS_DATABASE_URL", f"sqlite:///{tmp_path / 'omgeving.db'}")
    assert cli("init").exit_code == 0
    assert (tmp_path / "expliciet.db").exists() and not (tmp_path / "omgeving.db").exists()
    assert cli("init", db=False).exit_code == 0
    assert (tmp_path / "omgeving.db").exists() and not (tmp_path / "lks.db").exists()
    monkeypatch.delenv("LKS_DATABASE_URL")
    result = cli("init", db=False)
    assert result.exit_code == 0 and "sqlite:///lks.db" in result.stdout
    assert (tmp_path / "lks.db").exists()


def test_sqlite_connection_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_foreign_key_and_checks_are_enforced(engine):
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    row = dict(plaatsing_id="P1", ingangsdatum=dt.date(2025, 1, 1), loonwaarde=Decimal("50"),
               recorded_at=now)
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:  # import 999 does not exist
            connection.execute(sa.insert(Loonwaarde).values(import_id=999, **row))
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            batch = connection.execute(sa.insert(ImportBatch).values(
                recorded_at=now, source="t", files="{}", counts="{}")).inserted_primary_key[0]
            connection.execute(sa.insert(Loonwaarde).values(
                import_id=batch, **{**row, "loonwaarde": Decimal("100.01")}))
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar() == 0


def test_init_is_idempotent(empty_db_url):
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    assert init_database(empty_db_url) == head_revision()
    assert init_database(empty_db_url) == head_revision()
    assert init_database(engine) == head_revision()
    assert OWN_TABLES <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_match_the_models(engine):
    """The hand-written migration creates exactly what models.py declares."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    own = [d for d in _flatten(diff) if _table_of(d) in OWN_TABLES]
    assert own == []


def _flatten(diff):
    for item in diff:
        yield from (_flatten(item) if isinstance(item, list) else [item])


def _table_of(item: tuple) -> str | None:
    """The table a compare_metadata entry is about: ('add_table', Table),
    ('add_index', Index), ('add_column', schema, table, Column), ('modify_type', schema,
    table, column, ...), ..."""
    for part in item[1:]:
        if isinstance(part, sa.Table):
            return part.name
        if getattr(part, "table", None) is not None:
            return part.table.name
    if len(item) > 2 and isinstance(item[2], str):
        return item[2]
    return None


def test_migrations_leave_logging_and_stdout_alone(empty_db_url, capsys):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    init_database(empty_db_url)
    assert root.handlers == handlers and root.level == level
    assert capsys.readouterr().out == ""


def test_import_needs_an_initialised_database(empty_db_url, tmp_path):
    engine = make_engine(empty_db_url)
    with pytest.raises(ImportFouten, match="voer eerst 'lks init' uit"):
        import_directory(engine, write_files(tmp_path / "import", valid_files()))
    engine.dispose()


def test_loading_20000_plaatsingen_converts_exactly(engine):
    """20,000 plaatsingen through facts loading and the conversion to the core's integer units
    (its speed is benchmarks/bench_calculate.py's business, not a timed test's)."""
    n = 20_000
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    with engine.begin() as connection:
        batch = connection.execute(sa.insert(ImportBatch).values(
            recorded_at=now, source="test", files="{}", counts="{}")).inserted_primary_key[0]
        _generate(connection, n, batch, now)

    calc = to_calc_input(load_facts(engine))
    assert len(calc.plaatsingen) == n
    assert set(calc.plaatsingen["contracturen"]) == {3225}
    assert set(calc.loonwaarden["loonwaarde"]) == {5555}


def _generate(connection, n: int, batch: int, now: dt.datetime) -> None:
    """Bulk facts generated inside the database (a recursive CTE: portable, milliseconds)."""
    numbers = f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1}) "
    params = [sa.bindparam("batch", batch), sa.bindparam("now", now, type_=UTCDateTime()),
              sa.bindparam("start", dt.date(2024, 1, 1), type_=sa.Date()),
              sa.bindparam("born", dt.date(1980, 1, 1), type_=sa.Date())]
    statements = [
        "INSERT INTO werkgever (werkgever_id, naam, kvk, iban, straat, huisnummer, postcode, "
        "plaats, import_id, recorded_at) SELECT 'WG' || CAST(i AS VARCHAR(10)), 'BV', "
        "'12345678', 'NL91ABNA0417164300', 'Weg', '1', '9951 AB', 'Winsum', :batch, :now "
        "FROM n WHERE i < 100",
        "INSERT INTO werknemer (werknemer_id, bsn, naam, geboortedatum, import_id, recorded_at) "
        "SELECT 'W' || CAST(i AS VARCHAR(10)), '123456782', 'N', :born, :batch, :now FROM n",
        "INSERT INTO plaatsing (plaatsing_id, werknemer_id, werkgever_id, regeling, startdatum, "
        "contracturen, voltijdsuren, import_id, recorded_at) SELECT "
        "'P' || CAST(i AS VARCHAR(10)), 'W' || CAST(i AS VARCHAR(10)), "
        "'WG' || CAST(i % 100 AS VARCHAR(10)), 'lks', :start, 32.25, 38, :batch, :now FROM n",
        "INSERT INTO loonwaarde (plaatsing_id, ingangsdatum, loonwaarde, import_id, recorded_at) "
        "SELECT 'P' || CAST(i AS VARCHAR(10)), :start, 55.55, :batch, :now FROM n",
    ]
    for statement in statements:
        text = sa.text(numbers + statement).bindparams(
            *[p for p in params if f":{p.key}" in statement])
        connection.execute(text)


def test_import_holds_the_write_lock(engine, db_url):
    """Two imports cannot interleave their checks and writes: while one holds begin_write,
    a second writer cannot start (checked without waiting)."""
    from lks.db import begin_write

    other = sa.create_engine(db_url, connect_args={"timeout": 0.1}
                             if engine.dialect.name == "sqlite" else {})
    with begin_write(engine):
        with other.connect() as connection:
            if engine.dialect.name == "sqlite":
                statement = "BEGIN IMMEDIATE"
            else:
                statement = "LOCK TABLE import_batch IN EXCLUSIVE MODE NOWAIT"
            with pytest.raises(sa.exc.OperationalError):
                connection.exec_driver_sql(statement)
            connection.rollback()
    with other.connect() as connection:  # released after commit
        connection.exec_driver_sql("SELECT count(*) FROM import_batch")
    other.dispose()


def test_revisions_read_without_alembic_agree_with_alembic(tmp_path):
    """head_revision reads the migration files' revision lines and current_revision the
    version table directly (start-up time); both agree with Alembic's own answers."""
    from alembic.script import ScriptDirectory

    from lks.db import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config(DEFAULT_URL)).get_current_head()
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    try:
        for stap in (None, "head"):
            if stap:
                init_database(engine)
            with engine.connect() as connection:
                assert current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
