"""Revision 0009 on a database that already holds facts and letters: every row survives, the
copied beschikking table keeps its references (beschikking_plaatsing, the herziening) and
admits the new soort ``intrekking``; the downgrade gives the old schema back."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from lks.db import alembic_config, current_revision, head_revision, make_engine

from .helpers import dump


def _at(engine, revision: str, downgrade: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)
        connection.commit()


def _brief(connection, id_: int, kenmerk: str, soort: str, herziet: str | None = None) -> None:
    connection.execute(sa.text(
        "INSERT INTO beschikking (id, kenmerk, jaar, volgnummer, soort, werkgever_id, datum, aanleiding, "
        "inputs_json, inputs_sha256, html_sha256, status, termijn_overschreden, made_at, herziet_kenmerk) "
        "VALUES (:id, :k, 2025, :id, :soort, 'WG1', :d, 'test', '{}', 'x', 'y', 'concept', :f, :m, :h)"),
        dict(id=id_, k=kenmerk, soort=soort, d=dt.date(2025, 3, 1), f=False, m=dt.datetime(2025, 3, 1), h=herziet))
    connection.execute(sa.text(
        "INSERT INTO beschikking_plaatsing (beschikking_id, plaatsing_id, regeling, tijdvak_van, maandbedrag_cent, "
        "lks_basis_cent, wml_cent, wml_ingang, fractie, contracturen, voltijdsuren) "
        "VALUES (:id, 'P1', 'lks', :d, 100, 80, 229440, :d, 0.5, 32, 38)"),
        dict(id=id_, d=dt.date(2025, 1, 1)))


def test_0009_keeps_letters_and_facts(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0007")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO import_batch (id, recorded_at, source, files, counts) VALUES (1, :t, 'x', '{}', '{}')"),
                dict(t=dt.datetime(2025, 1, 2)))
            connection.execute(sa.text(
                "INSERT INTO plaatsing (import_id, recorded_at, plaatsing_id, werknemer_id, werkgever_id, regeling, "
                "startdatum, contracturen, voltijdsuren) VALUES (1, :t, 'P1', 'W1', 'WG1', 'lks', :d, 32, 38)"),
                dict(t=dt.datetime(2025, 1, 2), d=dt.date(2025, 1, 1)))
            _brief(connection, 1, "LKS/2025/000001", "vaststelling")
            _brief(connection, 2, "LKS/2025/000002", "vaststelling", herziet="LKS/2025/000001")
        before = dump(engine)
        _at(engine, "0009")
        assert current_revision(engine) == "0009"
        after = dump(engine)
        assert after["beschikking"] == before["beschikking"]
        assert after["beschikking_plaatsing"] == before["beschikking_plaatsing"]
        assert [row[:-1] for row in after["plaatsing"]] == before["plaatsing"]  # + ingetrokken (NULL)
        assert [row[-1] for row in after["plaatsing"]] == ["None"]
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            _brief(connection, 3, "LKS/2025/000003", "intrekking")
            with pytest.raises(sa.exc.IntegrityError):  # the references still hold
                with connection.begin_nested():
                    connection.execute(sa.text("UPDATE beschikking SET herziet_kenmerk = 'LKS/2025/999999' WHERE id = 2"))
            with pytest.raises(sa.exc.IntegrityError):  # and so does the CHECK
                with connection.begin_nested():
                    connection.execute(sa.text("UPDATE beschikking SET soort = 'brief' WHERE id = 3"))
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM beschikking_plaatsing WHERE beschikking_id = 3"))
            connection.execute(sa.text("DELETE FROM beschikking WHERE id = 3"))
        _at(engine, "0007", downgrade=True)
        assert dump(engine) == before
    finally:
        engine.dispose()


def test_0010_gives_existing_plaatsingen_urenbasis_contract(empty_db_url):
    """Revision 0010 (verloonde uren): every plaatsing delivered before is on contract hours,
    the CHECK admits only contract and verloond, and the downgrade gives 0009 back."""
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0009")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO import_batch (id, recorded_at, source, files, counts) VALUES (1, :t, 'x', '{}', '{}')"),
                dict(t=dt.datetime(2025, 1, 2)))
            connection.execute(sa.text(
                "INSERT INTO plaatsing (import_id, recorded_at, plaatsing_id, werknemer_id, werkgever_id, regeling, "
                "startdatum, contracturen, voltijdsuren) VALUES (1, :t, 'P1', 'W1', 'WG1', 'lks', :d, 32, 38)"),
                dict(t=dt.datetime(2025, 1, 2), d=dt.date(2025, 1, 1)))
        before = dump(engine)
        _at(engine, "head")
        assert current_revision(engine) == head_revision()
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT urenbasis FROM plaatsing")).scalars().all() == ["contract"]
            with pytest.raises(sa.exc.IntegrityError):
                with connection.begin_nested():
                    connection.execute(sa.text("UPDATE plaatsing SET urenbasis = 'oproep'"))
        _at(engine, "0009", downgrade=True)
        after = dump(engine)
        assert {k: v for k, v in after.items() if k != "alembic_version"} == \
            {k: v for k, v in before.items() if k != "alembic_version"}
    finally:
        engine.dispose()
