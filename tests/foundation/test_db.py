"""Database URL, engine, migrations and the speed of loading facts."""
from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lks.db import (DEFAULT_URL, current_revision, head_revision, init_database, make_engine,
                    resolve_url)
from lks.db.models import (FACT_MODELS, Base, ImportBatch, Loonwaarde, Plaatsing, Werkgever,
                           Werknemer)
from lks.facts import load_facts, to_calc_input
from lks.importer import ImportFouten, import_directory

from .helpers import valid_files, write_files

OWN_TABLES = {"import_batch"} | {model.__tablename__ for model in FACT_MODELS}


def test_url_resolution_order(monkeypatch):
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///lks.db"
    monkeypatch.setenv("LKS_DATABASE_URL", "sqlite:///omgeving.db")
    assert resolve_url(None) == "sqlite:///omgeving.db"
    assert resolve_url("sqlite:///expliciet.db") == "sqlite:///expliciet.db"
    monkeypatch.setenv("LKS_DATABASE_URL", "")
    assert resolve_url(None) == DEFAULT_URL


def test_cli_follows_the_url_order(cli, tmp_path, monkeypatch):
    """--db > LKS_DATABASE_URL > ./lks.db (the working directory is tmp_path)."""
    cli.url = f"sqlite:///{tmp_path / 'expliciet.db'}"
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


def _table_of(item) -> str | None:
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if name in OWN_TABLES:
            return name
    for part in item:
        if isinstance(part, str) and part in OWN_TABLES:
            return part
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


def test_loading_20000_plaatsingen_is_fast(engine):
    n = 20_000
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    audit = {"recorded_at": now}
    with engine.begin() as connection:
        batch = connection.execute(sa.insert(ImportBatch).values(
            recorded_at=now, source="test", files="{}", counts="{}")).inserted_primary_key[0]
        audit["import_id"] = batch
        connection.execute(sa.insert(Werkgever), [dict(
            werkgever_id=f"WG{i:03d}", naam="BV", kvk="12345678", iban="NL91ABNA0417164300",
            bic=None, straat="Weg", huisnummer="1", postcode="9951 AB", plaats="Winsum",
            **audit) for i in range(100)])
        connection.execute(sa.insert(Werknemer), [dict(
            werknemer_id=f"W{i:05d}", bsn="123456782", naam="N", geboortedatum=dt.date(1980, 1, 1),
            **audit) for i in range(n)])
        connection.execute(sa.insert(Plaatsing), [dict(
            plaatsing_id=f"P{i:05d}", werknemer_id=f"W{i:05d}", werkgever_id=f"WG{i % 100:03d}",
            regeling="lks", startdatum=dt.date(2024, 1, 1), einddatum=None,
            contracturen=Decimal("32.25"), voltijdsuren=Decimal("38"), **audit) for i in range(n)])
        connection.execute(sa.insert(Loonwaarde), [dict(
            plaatsing_id=f"P{i:05d}", ingangsdatum=dt.date(2024, 1, 1),
            loonwaarde=Decimal("55.55"), **audit) for i in range(n)])

    load_facts(engine)  # warm up: first connection, statement compilation
    start = time.perf_counter()
    calc = to_calc_input(load_facts(engine))
    elapsed = time.perf_counter() - start

    assert len(calc.plaatsingen) == n
    assert set(calc.plaatsingen["contracturen"]) == {3225}
    assert set(calc.loonwaarden["loonwaarde"]) == {5555}
    assert elapsed < 1.0, f"{elapsed:.2f} s"
