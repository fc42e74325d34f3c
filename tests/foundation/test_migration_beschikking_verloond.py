"""Revision 0013 (beschikkingen on verloonde uren) on a database that already holds letters:
every letter row survives, on urenbasis contract without an hourly amount; the CHECKs admit
only contract or verloond, and an hourly amount exactly on verloonde uren; the downgrade gives
the old schema back."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lks.db import current_revision, head_revision, make_engine

from .helpers import dump
from .test_migration_intrekking import _at, _brief


def test_0013_letters_before_it_are_on_contracturen(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        _at(engine, "0012")
        with engine.begin() as connection:
            _brief(connection, 1, "LKS/2025/000001", "verlening")
        before = dump(engine)
        _at(engine, "head")
        assert current_revision(engine) == head_revision()
        with engine.begin() as connection:
            assert connection.execute(sa.text(
                "SELECT urenbasis, uurbedrag_cent FROM beschikking_plaatsing")).all() == [("contract", None)]
            for wrong in ("UPDATE beschikking_plaatsing SET urenbasis = 'oproep'",
                          "UPDATE beschikking_plaatsing SET urenbasis = 'verloond'",  # without an hourly amount
                          "UPDATE beschikking_plaatsing SET uurbedrag_cent = 622.08"):  # on contracturen
                with pytest.raises(sa.exc.IntegrityError):
                    with connection.begin_nested():
                        connection.execute(sa.text(wrong))
            connection.execute(sa.text(
                "UPDATE beschikking_plaatsing SET urenbasis = 'verloond', uurbedrag_cent = 622.08"))
            stored = connection.execute(sa.text("SELECT uurbedrag_cent FROM beschikking_plaatsing")).scalar_one()
            assert Decimal(str(stored)) == Decimal("622.08")
            connection.execute(sa.text(
                "UPDATE beschikking_plaatsing SET urenbasis = 'contract', uurbedrag_cent = NULL"))
        _at(engine, "0012", downgrade=True)
        after = dump(engine)
        assert {k: v for k, v in after.items() if k != "alembic_version"} == \
            {k: v for k, v in before.items() if k != "alembic_version"}
    finally:
        engine.dispose()
