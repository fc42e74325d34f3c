"""Revision 0012 on a database with approved runs: ``betaald_totaal`` is filled from the
lines of the approved runs only (sums per plaatsing-month; werkgever, regeling, budget and
run of the latest line), its guards hold from then on, and the downgrade removes it."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lks.betaalrun.betaald import afwijkingen, opgeslagen
from lks.db import current_revision, make_engine

from .helpers import dump
from .test_migration_intrekking import _at

T = dt.datetime(2025, 3, 1, 9)


def _run(connection, id_: int, periode: str, status: str, lines: list[tuple]) -> None:
    """A run with its lines, written the way the application does: lines while it is
    berekend, then the status (the 0008 guards freeze an approved run's rows)."""
    connection.execute(sa.text(
        "INSERT INTO betaalrun (id, periode, volgnummer, status, aangevraagd_door, aangevraagd_op, berekend_door) "
        "VALUES (:id, :p, 1, 'berekend', 'anna', :t, 'anna')"), dict(id=id_, p=periode, t=T))
    for plaatsing, werkgever, regeling, budget, maand, basis, wgl in lines:
        connection.execute(sa.text(
            "INSERT INTO betaalregel (betaalrun_id, plaatsing_id, werkgever_id, regeling, budget, periode, soort, "
            "lks_basis, werkgeverslasten, bedrag, berekend_totaal) "
            "VALUES (:r, :p, :w, :reg, :b, :m, :s, :basis, :wgl, :bedrag, 0)"),
            dict(r=id_, p=plaatsing, w=werkgever, reg=regeling, b=budget, m=maand,
                 s="regulier" if maand == periode else "correctie", basis=basis, wgl=wgl, bedrag=basis + wgl))
    if status != "berekend":
        connection.execute(sa.text("UPDATE betaalrun SET status = 'goedgekeurd', goedgekeurd_door = 'bert' "
                                   "WHERE id = :id"), dict(id=id_))
        if status != "goedgekeurd":
            connection.execute(sa.text("UPDATE betaalrun SET status = :s WHERE id = :id"), dict(s=status, id=id_))


def test_0012_fills_the_totals_from_approved_lines(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0011")
        with engine.begin() as connection:
            _run(connection, 1, "2025-01", "verzonden", [("P1", "W1", "lks", "buig", "2025-01", 800_00, 188_00),
                                                        ("P2", "W2", "ontwikkelbaan", "reintegratie", "2025-01",
                                                         1000_00, 235_00)])
            _run(connection, 2, "2025-02", "bestand_aangemaakt", [
                ("P1", "W3", "lks", "buig", "2025-01", -100_00, -23_50),   # P1 moved to W3, a lower amount
                ("P1", "W3", "lks", "buig", "2025-02", 700_00, 164_50)])
            _run(connection, 3, "2025-03", "berekend", [("P1", "W3", "lks", "buig", "2025-01", 5_00, 0),
                                                       ("P3", "W1", "beschut", "buig", "2025-03", 900_00, 0)])
        before = dump(engine)
        _at(engine, "0012")
        assert current_revision(engine) == "0012"
        with engine.connect() as connection:
            stored = opgeslagen(connection)
            assert afwijkingen(connection)[1] == []
        # by hand: P1 2025-01 = (800.00 + 188.00) + (-100.00 - 23.50) = 864.50, werkgever of the later line;
        # run 3 is not approved and counts nowhere
        assert [tuple(r) for r in stored.itertuples(index=False)] == [
            ("P1", "2025-01", "W3", "lks", "buig", 700_00, 164_50, 864_50, 2),
            ("P1", "2025-02", "W3", "lks", "buig", 700_00, 164_50, 864_50, 2),
            ("P2", "2025-01", "W2", "ontwikkelbaan", "reintegratie", 1000_00, 235_00, 1235_00, 1)]
        # only an approval changes it: a raw change is refused (IntegrityError on both backends)
        for statement in ("DELETE FROM betaald_totaal WHERE plaatsing_id = 'P2'",
                          "UPDATE betaald_totaal SET bedrag = bedrag + 1 WHERE plaatsing_id = 'P2'",
                          "INSERT INTO betaald_totaal (plaatsing_id, periode, werkgever_id, regeling, budget, "
                          "lks_basis, werkgeverslasten, bedrag, betaalrun_id) "
                          "VALUES ('P3', '2025-03', 'W1', 'beschut', 'buig', 90000, 0, 90000, 3)"):
            with pytest.raises(sa.exc.IntegrityError, match="alleen door de goedkeuring"):
                with engine.begin() as connection:
                    connection.execute(sa.text(statement))
        _at(engine, "0011", downgrade=True)
        assert dump(engine) == before
    finally:
        engine.dispose()
