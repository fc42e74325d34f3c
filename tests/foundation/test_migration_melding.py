"""Revision 0015 on a database with werkgever meldingen: every melding survives, the CHECK on
``werkgever_melding.status`` admits ``vervangen`` (and nothing unknown), the other CHECKs
still hold, and the downgrade gives the old schema back."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lks.db import make_engine

from .helpers import dump
from .test_migration_intrekking import _at


def _melding(connection, id_: int, status: str, reden: str | None = None) -> None:
    connection.execute(sa.text(
        "INSERT INTO werkgever_melding (id, werkgever_id, soort, plaatsing_id, gegevens, status, ingediend_door, "
        "ingediend_op, reden) VALUES (:id, 'W1', 'verloonde_uren', 'OP1', '{\"periode\": \"2025-02\"}', :status, "
        "'wg1', :t, :reden)"), dict(id=id_, status=status, t=dt.datetime(2025, 3, 2, 9), reden=reden))


def test_0015_admits_vervangen_and_keeps_the_meldingen(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0014")
        with engine.begin() as connection:
            _melding(connection, 1, "wacht")
            _melding(connection, 2, "afgewezen", "te veel uren")
            with pytest.raises(sa.exc.IntegrityError):  # not yet known before 0015
                with connection.begin_nested():
                    _melding(connection, 3, "vervangen")
        before = dump(engine)
        _at(engine, "0015")
        after = dump(engine)
        assert after["werkgever_melding"] == before["werkgever_melding"]
        with engine.begin() as connection:
            _melding(connection, 3, "vervangen")
            with pytest.raises(sa.exc.IntegrityError):  # the CHECK still refuses the unknown
                with connection.begin_nested():
                    _melding(connection, 4, "verlopen")
            with pytest.raises(sa.exc.IntegrityError):  # and a rejection still needs a reason
                with connection.begin_nested():
                    _melding(connection, 5, "afgewezen")
            connection.execute(sa.text("DELETE FROM werkgever_melding WHERE id = 3"))
        _at(engine, "0014", downgrade=True)
        assert dump(engine) == before
    finally:
        engine.dispose()
