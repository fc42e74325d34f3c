"""Several gemeenten on one PostgreSQL server, one schema each (README "Meerdere gemeenten"):
a run, a calculation report or an import of one gemeente never sees another's data. On SQLite
a gemeente is its own file and a gemeente code is refused."""
from __future__ import annotations

import csv
import datetime as dt
import uuid

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lks.betaalrun import lifecycle as lc
from lks.cli import app, state
from lks.db import GemeenteFout, current_revision, head_revision, init_database, make_engine
from lks.db.models import Plaatsing
from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.importer import import_directory
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import create_database, drop_database
from tests.reliability import trial

UTC = dt.timezone.utc


@pytest.fixture
def shared_server(request, tmp_path, monkeypatch):
    """One empty PostgreSQL database with gemeente 'a' (the small gemeente of
    tests/betaalrun) and gemeente 'b' (the 40-plaatsingen trial gemeente) in it."""
    monkeypatch.setenv("LKS_GEMEENTE", "")   # restored after the CLI set it
    server = request.getfixturevalue("pg_server")
    name = "lks_gr_" + uuid.uuid4().hex[:8]
    url = create_database(server, name)
    engines = {}
    for code in ("a", "b"):
        init_database(make_engine(url, gemeente=code))
        engines[code] = make_engine(url, gemeente=code)
    import_directory(engines["a"], gemeente_dir(tmp_path / "a"), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    import sys
    sys.path.insert(0, str(trial.ROOT / "benchmarks"))
    from dataset import write_dataset
    import_directory(engines["b"], write_dataset(tmp_path / "b", 40), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    yield url, engines
    for engine in engines.values():
        engine.dispose()
    drop_database(server, name)


def plaatsingen(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Plaatsing.plaatsing_id)))


def test_each_gemeente_has_its_own_schema_and_migration_state(shared_server):
    url, engines = shared_server
    plain = make_engine(url)
    with plain.connect() as c:
        schemas = set(inspect(c).get_schema_names())
        assert {"gemeente_a", "gemeente_b"} <= schemas
        assert inspect(c).get_table_names(schema="public") == []   # nothing shared
        for code in ("a", "b"):
            assert "alembic_version" in inspect(c).get_table_names(schema=f"gemeente_{code}")
    plain.dispose()
    assert current_revision(engines["a"]) == current_revision(engines["b"]) == head_revision()
    assert init_database(engines["a"]) == head_revision()   # idempotent per schema


def test_a_betaalrun_of_one_gemeente_never_sees_the_other(shared_server):
    url, engines = shared_server
    a, b = engines["a"], engines["b"]
    assert plaatsingen(a) == {"P1", "P2", "P3"}
    assert plaatsingen(b).isdisjoint({"P1", "P2", "P3"}) and len(plaatsingen(b)) == 40
    now = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)
    for engine in (a, b):   # the same periode in both: each its own volgnummer 1, own end-to-end ids
        run, created = lc.aanvragen(engine, "2025-03", "anna", now)
        assert created and run.volgnummer == 1
        lc.berekenen(engine, "2025-03", "anna", now, trial.PARAMS, trial.SETTINGS)
    lc.goedkeuren(a, "2025-03", "bert", now, dt.date(2025, 3, 25))
    for engine, own in ((a, plaatsingen(a)), (b, plaatsingen(b))):
        with Session(engine) as s:
            lines = set(s.scalars(select(Betaalregel.plaatsing_id)))
            assert lines and lines <= own
    with Session(b) as s:   # a's approval is not b's
        assert s.scalars(select(Betaalrun.status)).all() == ["berekend"]
    with b.connect() as c:   # an unqualified name resolves in the gemeente's own schema only
        assert c.execute(text("SHOW search_path")).scalar() == "gemeente_b"


def test_cli_report_per_gemeente(shared_server, tmp_path):
    url, _ = shared_server
    runner = CliRunner()
    rows = {}
    for code in ("a", "b"):
        out = tmp_path / f"lks-{code}.csv"
        try:
            result = runner.invoke(app, ["--db", url, "--gemeente", code, "calculate", "--from", "2025-01",
                                         "--to", "2025-03", "--csv", str(out)])
        finally:
            state.db_url = None
        assert result.exit_code == 0, result.output
        with open(out, encoding="utf-8") as f:
            rows[code] = {r["plaatsing_id"] for r in csv.DictReader(f)}
    assert rows["a"] == {"P1", "P2", "P3"}
    assert rows["b"].isdisjoint(rows["a"]) and rows["b"]


def test_a_gemeente_code_is_refused_on_sqlite_and_when_malformed(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_GEMEENTE", "")
    with pytest.raises(GemeenteFout, match="eigen databasebestand"):
        make_engine(f"sqlite:///{tmp_path / 'x.db'}", gemeente="a")
    with pytest.raises(GemeenteFout, match="ongeldig"):
        make_engine("postgresql+psycopg://u@/x", gemeente="a; DROP SCHEMA public")
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "--gemeente", "a", "init"])
    finally:
        state.db_url = None
    assert result.exit_code == 1 and "eigen databasebestand" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.db").exists()
