"""The database's own guards on the rows of a betaalrun (migrations 0002 and 0008), tried with
raw SQL past the application, on SQLite and PostgreSQL.

Every table that belongs to a run (betaalregel, betaling, vordering, aflossing) is frozen
once its run is goedgekeurd, bestand_aangemaakt or verzonden: INSERT, UPDATE (also moving a
row into such a run) and DELETE are refused; rows of a run in aangevraagd or berekend can be
written. An aflossing belongs to the run that sets the vordering off: an open run may set off
a vordering made by an earlier, approved run. An approved run cannot go back to an earlier
status. And the user who ever meets one of these refusals reads one Dutch line.

The scenario (the small gemeente of conftest.py), built once per backend:
- 2025-01 paid in full, its file made and sent                      → verzonden
- a loonwaarde of 100 % from January for P1 (W1's only plaatsing) is recorded late: 2025-02
  takes January back from W1 as a vordering, its file is made        → bestand_aangemaakt
- the loonwaarde is 60 % again from March: 2025-03 pays W1 for March and sets it off against
  February's vordering (an aflossing), recalculated once, approved   → goedgekeurd
- 2025-04 calculated                                                  → berekend
- 2025-05 requested                                                   → aangevraagd
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import maak_bestanden
from lks.db import make_engine
from lks.db.models_betaalrun import BETAALD, STATUSSEN, Aflossing, Betaalrun, Vordering
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import load_settings
from tests.foundation.helpers import BACKENDS, new_database

from .conftest import UTC, gemeente_dir

PARAMS = Parameters.load()
SETTINGS = load_settings()
T = dt.datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
TABLES = ("betaalregel", "betaling", "vordering", "aflossing", "aanhouding")
OPEN = ("aangevraagd", "berekend")
STATUSES = [s for s in STATUSSEN if s != "geannuleerd"]   # one run of the scenario in each
MESSAGE = {"betaalregel": "betaalregels", "betaling": "betalingen", "vordering": "vorderingen",
           "aflossing": "aflossingen", "aanhouding": "aanhoudingen"}


def _month(engine, periode, now, *, approve=True):
    lc.aanvragen(engine, periode, "anna", now)
    lc.berekenen(engine, periode, "anna", now, PARAMS, SETTINGS)
    if approve:
        lc.goedkeuren(engine, periode, "bert", now + dt.timedelta(hours=1), now.date() + dt.timedelta(days=5))


def _build(engine, tmp: Path) -> dict:
    out = tmp / "out"
    import_directory(engine, gemeente_dir(tmp / "in"), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    _month(engine, "2025-01", T)
    maak_bestanden(engine, "2025-01", None, "carla", T, SETTINGS, out)
    lc.verzonden(engine, "2025-01", "carla", T)
    import_directory(engine, gemeente_dir(tmp / "later", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                     ["P1", "2025-01-01", "100"]]),
                     recorded_at=T + dt.timedelta(days=10))
    _month(engine, "2025-02", T + dt.timedelta(days=28))
    maak_bestanden(engine, "2025-02", None, "carla", T + dt.timedelta(days=28), SETTINGS, out)
    import_directory(engine, gemeente_dir(tmp / "again", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                     ["P1", "2025-01-01", "100"],
                                                                     ["P1", "2025-03-01", "60"]]),
                     recorded_at=T + dt.timedelta(days=50))
    maart = T + dt.timedelta(days=56)
    _month(engine, "2025-03", maart, approve=False)
    # recalculating an open run replaces its aflossing against February's (approved, frozen)
    # vordering: delete and insert of rows tied to an open run, which the guards must allow
    lc.berekenen(engine, "2025-03", "carla", maart, PARAMS, SETTINGS)
    lc.goedkeuren(engine, "2025-03", "bert", maart + dt.timedelta(hours=1), dt.date(2025, 3, 25))
    _month(engine, "2025-04", T + dt.timedelta(days=85), approve=False)
    lc.aanvragen(engine, "2025-05", "anna", T + dt.timedelta(days=110))
    with Session(engine) as s:
        runs = {r.status: r.id for r in s.scalars(select(Betaalrun))}
        vordering = s.scalars(select(Vordering)).one()
        aflossing = s.scalars(select(Aflossing)).one()
    assert sorted(runs) == sorted(STATUSES)
    return {"runs": runs, "vordering": vordering, "aflossing": aflossing}


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def scenario(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"guards-{request.param}")
    with new_database(request, request.param, tmp) as url:
        engine = make_engine(url)
        try:
            yield engine, _build(engine, tmp)
        finally:
            engine.dispose()


def test_the_scenario_sets_off_a_frozen_runs_vordering_in_a_later_run(scenario):
    _, s = scenario
    runs, vordering, aflossing = s["runs"], s["vordering"], s["aflossing"]
    # January 1039.44 (test_lifecycle: 2191.80 × 1.08 × 0.40 × 32/36 → 841.65 + 197.79)
    # taken back in February; March at 60 % is the same amount again, set off in full
    assert (vordering.betaalrun_id, vordering.werkgever_id, vordering.bedrag) == (
        runs["bestand_aangemaakt"], "W1", 1039_44)
    assert (aflossing.vordering_id, aflossing.betaalrun_id, aflossing.bedrag) == (
        vordering.id, runs["goedgekeurd"], 1039_44)


def _row(table: str, run_id: int, vordering_id: int) -> tuple[str, dict]:
    """A raw INSERT of a new row of ``table`` for run ``run_id`` (keys that collide with no
    existing row, so only a guard can refuse it)."""
    values = {
        "betaalregel": dict(betaalrun_id=run_id, plaatsing_id="PX", werkgever_id="W1", regeling="lks",
                            budget="buig", periode="2024-12", soort="correctie", lks_basis=100,
                            werkgeverslasten=23, bedrag=123, berekend_totaal=123),
        "betaling": dict(betaalrun_id=run_id, werkgever_id="WX", budget="buig", bruto=123, verrekend=0,
                         bedrag=123, end_to_end_id=f"LKS-TEST-{run_id}"),
        "vordering": dict(betaalrun_id=run_id, werkgever_id="WX", budget="buig", periode="2024-12", bedrag=123),
        "aflossing": dict(vordering_id=vordering_id, betaalrun_id=run_id, bedrag=1),
        "aanhouding": dict(betaalrun_id=run_id, werkgever_id="WX", budget="buig", bedrag=123, regels=1),
    }[table]
    return (f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})",
            values)


def _own_vordering(connection, s: dict) -> int:
    """A vordering of its own in the open run 2025-04, for a new aflossing that collides
    with no existing one (February's vordering is set off in March: unique per run)."""
    statement, values = _row("vordering", s["runs"]["berekend"], 0)
    connection.execute(text(statement), dict(values, werkgever_id="WV"))
    return connection.execute(text("SELECT max(id) FROM vordering")).scalar()


def _insert(connection, table: str, run_id: int, vordering_id: int) -> None:
    statement, values = _row(table, run_id, vordering_id)
    connection.execute(text(statement), values)


def _refused(connection, table: str, statement: str, values: dict | None = None,
             error: type[Exception] = IntegrityError) -> None:
    with pytest.raises(error, match=f"{MESSAGE[table]} van een goedgekeurde betaalrun zijn onveranderlijk"):
        with connection.begin_nested():
            connection.execute(text(statement), values or {})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("table", TABLES)
def test_a_raw_insert_into_an_approved_run_is_refused(scenario, table, status):
    engine, s = scenario
    run_id = s["runs"][status]
    with engine.connect() as c, c.begin() as transaction:
        statement, values = _row(table, run_id, _own_vordering(c, s))   # (used by an aflossing)
        before = c.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        if status in BETAALD:
            _refused(c, table, statement, values)
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == before
        else:
            c.execute(text(statement), values)
            assert c.execute(text(f"SELECT count(*) FROM {table}")).scalar() == before + 1
        transaction.rollback()


def test_an_open_run_may_set_off_a_vordering_of_an_approved_run(scenario):
    """The aflossing ties the open run 2025-04 to February's frozen vordering: allowed."""
    engine, s = scenario
    with engine.connect() as c, c.begin() as transaction:
        _insert(c, "aflossing", s["runs"]["berekend"], s["vordering"].id)
        c.execute(text("UPDATE aflossing SET bedrag = 2 WHERE betaalrun_id = :r"), {"r": s["runs"]["berekend"]})
        c.execute(text("DELETE FROM aflossing WHERE betaalrun_id = :r"), {"r": s["runs"]["berekend"]})
        transaction.rollback()


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("table", TABLES)
def test_rows_of_an_approved_run_are_not_changed_or_deleted(scenario, table, status):
    """A row of each table in the open run 2025-04 (its aflossing sets off February's
    vordering), then the run is brought to ``status`` (raw, in a transaction rolled back
    afterwards: not every table has a row in every approved run of the scenario)."""
    engine, s = scenario
    run_id = s["runs"]["aangevraagd" if status == "aangevraagd" else "berekend"]
    with engine.connect() as c, c.begin() as transaction:
        _insert(c, table, run_id, s["vordering"].id)
        for step in BETAALD[:BETAALD.index(status) + 1] if status in BETAALD else ():
            c.execute(text("UPDATE betaalrun SET status = :s, goedgekeurd_door = 'bert' WHERE id = :r"),
                      {"s": step, "r": run_id})
        update = f"UPDATE {table} SET bedrag = bedrag WHERE betaalrun_id = :r"   # even unchanged
        delete = f"DELETE FROM {table} WHERE betaalrun_id = :r"
        if status in BETAALD:
            # betaalregel: 0002's row trigger comes first, with the same message (PostgreSQL:
            # a plain RAISE EXCEPTION, an InternalError; 0008's are IntegrityErrors)
            error = DatabaseError if table == "betaalregel" else IntegrityError
            _refused(c, table, update, {"r": run_id}, error)
            _refused(c, table, delete, {"r": run_id}, error)
            assert c.execute(text(f"SELECT count(*) FROM {table} WHERE betaalrun_id = :r"),
                             {"r": run_id}).scalar() >= 1
        else:
            assert c.execute(text(update), {"r": run_id}).rowcount >= 1
            assert c.execute(text(delete), {"r": run_id}).rowcount >= 1
        transaction.rollback()


@pytest.mark.parametrize("status", BETAALD)
@pytest.mark.parametrize("table", TABLES)
def test_a_row_cannot_be_moved_into_an_approved_run(scenario, table, status):
    engine, s = scenario
    open_run = s["runs"]["berekend"]
    with engine.connect() as c, c.begin() as transaction:
        _insert(c, table, open_run, _own_vordering(c, s))
        row_id = c.execute(text(f"SELECT max(id) FROM {table}")).scalar()
        _refused(c, table, f"UPDATE {table} SET betaalrun_id = :r WHERE id = :i",
                 {"r": s["runs"][status], "i": row_id})
        transaction.rollback()


@pytest.mark.parametrize("status", BETAALD)
def test_an_approved_run_cannot_go_back_to_an_earlier_status(scenario, status):
    engine, s = scenario
    run_id = s["runs"][status]
    with engine.connect() as c, c.begin() as transaction:
        for earlier in ("aangevraagd", "berekend", "geannuleerd"):
            with pytest.raises(IntegrityError, match="kan niet terug naar een eerdere status"):
                with c.begin_nested():
                    c.execute(text("UPDATE betaalrun SET status = :s WHERE id = :r"), {"s": earlier, "r": run_id})
        later = BETAALD[BETAALD.index(status) + 1:]
        for forward in later:   # onwards is the lifecycle (the application's conditional UPDATEs)
            c.execute(text("UPDATE betaalrun SET status = :s WHERE id = :r"), {"s": forward, "r": run_id})
        transaction.rollback()


def test_the_calculations_bulk_write_is_guarded(scenario):
    """The calculation writes its lines in bulk (PostgreSQL: COPY, SQLite: executemany,
    ``lifecycle._write_lines``): into an open run they go in, into an approved run not one."""
    import pandas as pd

    from lks.betaalrun.delta import LINE_COLUMNS

    engine, s = scenario
    row = _row("betaalregel", 0, 0)[1]
    lines = pd.DataFrame([{c: (f"PX{i}" if c == "plaatsing_id" else row[c]) for c in LINE_COLUMNS}
                          for i in range(500)], columns=LINE_COLUMNS)
    for status in STATUSES:
        with Session(engine) as session:
            before = session.scalar(text("SELECT count(*) FROM betaalregel"))
            if status in BETAALD:
                with pytest.raises(IntegrityError, match="betaalregels van een goedgekeurde betaalrun"):
                    lc._write_lines(session, lines, s["runs"][status])
                    session.flush()
                session.rollback()
            else:
                lc._write_lines(session, lines, s["runs"][status])
                assert session.scalar(text("SELECT count(*) FROM betaalregel")) == before + 500
                session.rollback()
            assert session.scalar(text("SELECT count(*) FROM betaalregel")) == before


CLI_WITH_A_BUG = """
import sys
from sqlalchemy import text
from lks.cli import app
from lks.cli.betaalrun import betaalrun_app

@betaalrun_app.command("bug")
def bug():
    from lks.cli.kern import open_engine
    with open_engine().begin() as c:   # an application bug: a payment added to an approved run
        c.execute(text("INSERT INTO betaling (betaalrun_id, werkgever_id, budget, bruto, verrekend, bedrag) "
                       "VALUES ({run}, 'WX', 'buig', 999999990, 0, 999999990)"))

sys.exit(app())
"""


def test_a_user_who_meets_a_guard_reads_one_dutch_line(scenario, tmp_path):
    """Should an application bug ever try it, ``lks`` ends with one line (the database
    excepthook of lks/cli/kern.py): no traceback, no SQL, no parameters."""
    engine, s = scenario
    script = tmp_path / "lks_met_fout.py"
    script.write_text(textwrap.dedent(CLI_WITH_A_BUG).replace("{run}", str(s["runs"]["goedgekeurd"])))
    url = engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if k not in ("LKS_GEMEENTE", "LKS_CRASH_AT")}
    result = subprocess.run([sys.executable, str(script), "--db", url, "betaalrun", "bug"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fout: databasefout (")
    assert lines[0].endswith("betalingen van een goedgekeurde betaalrun zijn onveranderlijk")
    assert "Traceback" not in result.stderr and "INSERT" not in result.stderr and "999999990" not in result.stderr


TOTAAL_KOLOMMEN = ("plaatsing_id, periode, werkgever_id, regeling, budget, lks_basis, werkgeverslasten, bedrag, "
                   "betaalrun_id")


def _totaal_pogingen(runs: dict, postgresql: bool) -> list[str]:
    g, b, open_ = runs["goedgekeurd"], runs["bestand_aangemaakt"], runs["berekend"]
    nogmaals = ("UPDATE betaald_totaal SET {kolom} = {kolom} + (SELECT r.{kolom} FROM betaalregel r "
                "WHERE r.betaalrun_id = {run} AND r.plaatsing_id = betaald_totaal.plaatsing_id "
                "AND r.periode = betaald_totaal.periode), betaalrun_id = {run} "
                "WHERE EXISTS (SELECT 1 FROM betaalregel r WHERE r.betaalrun_id = {run} "
                "AND r.plaatsing_id = betaald_totaal.plaatsing_id AND r.periode = betaald_totaal.periode)")
    return [
        "DELETE FROM betaald_totaal",
        "UPDATE betaald_totaal SET bedrag = bedrag + 1",
        "UPDATE betaald_totaal SET plaatsing_id = plaatsing_id || '-x'",
        nogmaals.format(kolom="bedrag", run=g),   # the approved run's lines a second time
        nogmaals.format(kolom="bedrag", run=b),   # a run whose file is made: no longer in approval
        # the lines of a run that is only berekend, for months nobody paid yet
        f"INSERT INTO betaald_totaal ({TOTAAL_KOLOMMEN}) SELECT {TOTAAL_KOLOMMEN} FROM betaalregel "
        f"WHERE betaalrun_id = {open_} AND NOT EXISTS (SELECT 1 FROM betaald_totaal t "
        "WHERE t.plaatsing_id = betaalregel.plaatsing_id AND t.periode = betaalregel.periode)",
    ] + (["TRUNCATE betaald_totaal"] if postgresql else [])


def test_betaald_totaal_changes_only_by_an_approval(scenario):
    """The paid totals equal the approved lines (identity I9), and the database refuses every
    change that is not an approval adding its own lines once (migration 0012)."""
    from lks.betaalrun.betaald import afwijkingen, opgeslagen

    engine, s = scenario
    with engine.connect() as connection:
        gecontroleerd, fouten = afwijkingen(connection)
        before = opgeslagen(connection)
    assert fouten == [] and gecontroleerd == len(before) > 0
    for statement in _totaal_pogingen(s["runs"], engine.dialect.name == "postgresql"):
        with pytest.raises(IntegrityError, match="alleen door de goedkeuring"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with engine.connect() as connection:
        assert opgeslagen(connection).equals(before)
