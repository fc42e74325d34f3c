"""Revision 0014 on a database with signalen: every signaal survives, the CHECK on
``signaal.soort`` admits ``loonstrook_ontbreekt`` (and nothing unknown), the reference to the
betaalrun still holds, and the downgrade gives the old schema back."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lks.db import make_engine

from .helpers import dump
from .test_migration_intrekking import _at


def _signaal(connection, id_: int, soort: str, betaalrun_id=None) -> None:
    connection.execute(sa.text(
        "INSERT INTO signaal (id, soort, plaatsing_id, werkgever_id, betaalrun_id, sleutel, omschrijving, "
        "vervaldatum, gemaakt_op) VALUES (:id, :soort, 'P1', 'WG1', :run, :sleutel, 'tekst', :d, :t)"),
        dict(id=id_, soort=soort, run=betaalrun_id, sleutel=f"{soort}:P1:{id_}", d=dt.date(2025, 8, 10),
             t=dt.datetime(2025, 8, 16, 4, 30)))


def test_0014_admits_loonstrook_ontbreekt_and_keeps_the_signalen(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0013")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO betaalrun (id, periode, volgnummer, status, aangevraagd_door, aangevraagd_op) "
                "VALUES (1, '2025-07', 1, 'aangevraagd', 'anna', :t)"), dict(t=dt.datetime(2025, 7, 18, 5)))
            _signaal(connection, 1, "herbeoordeling_loonwaarde")
            _signaal(connection, 2, "betaalrun_niet_goedgekeurd", betaalrun_id=1)
            with pytest.raises(sa.exc.IntegrityError):  # not yet known before 0014
                with connection.begin_nested():
                    _signaal(connection, 3, "loonstrook_ontbreekt")
        before = dump(engine)
        _at(engine, "0014")
        after = dump(engine)
        assert after["signaal"] == before["signaal"]
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            _signaal(connection, 3, "loonstrook_ontbreekt")
            with pytest.raises(sa.exc.IntegrityError):  # the CHECK still refuses the unknown
                with connection.begin_nested():
                    _signaal(connection, 4, "loonstrook_te_laat")
            with pytest.raises(sa.exc.IntegrityError):  # and the reference still holds
                with connection.begin_nested():
                    connection.execute(sa.text("UPDATE signaal SET betaalrun_id = 99 WHERE id = 2"))
            connection.execute(sa.text("DELETE FROM signaal WHERE id = 3"))
        _at(engine, "0013", downgrade=True)
        assert dump(engine) == before
    finally:
        engine.dispose()
