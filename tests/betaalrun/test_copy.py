"""Rows written by COPY (PostgreSQL) or executemany (SQLite) come back exactly as given: text
with tabs, backslashes, newlines, quotes and non-ASCII, NULL where None, integers as
integers — and a float amount is refused, not written."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.db.models_betaalrun import Betaalregel, Betaling

from .conftest import UTC

NOW = dt.datetime(2025, 1, 20, 9, tzinfo=UTC)
TEXTS = ["P1", "tab\there", "back\\slash\\N", "new\nline\r", 'quote"s,comma', "é€ß", ""]


def test_rows_round_trip(engine):
    run, _ = lc.aanvragen(engine, "2025-01", "anna", NOW)
    n = len(TEXTS)
    lines = pd.DataFrame({
        "betaalrun_id": run.id, "plaatsing_id": TEXTS, "werkgever_id": TEXTS[::-1], "regeling": "lks",
        "budget": "buig", "periode": "2025-01", "soort": "regulier",
        "lks_basis": np.arange(n, dtype=np.int64) * -12345, "werkgeverslasten": pd.array(list(range(n)), dtype=object),
        "bedrag": np.full(n, 10**15, dtype=np.int64), "berekend_totaal": 0})
    betalingen = pd.DataFrame({"betaalrun_id": run.id, "werkgever_id": TEXTS[:3], "budget": "buig",
                               "bruto": [1, 2, 3], "verrekend": [0, 0, 3], "bedrag": [1, 2, 0],
                               "end_to_end_id": pd.Series(["E1", "E\t2", None], dtype=object)})
    with Session(engine) as session:
        lc._insert_rows(session, Betaalregel, lines[lc.LINE_TABLE_COLUMNS],
                        ("betaalrun_id", "lks_basis", "werkgeverslasten", "bedrag", "berekend_totaal"))
        lc._insert_rows(session, Betaling, betalingen, ("betaalrun_id", "bruto", "verrekend", "bedrag"))
        lc._insert_rows(session, Betaling, betalingen.iloc[:0], ("betaalrun_id",))  # nothing: no row
        session.commit()
        back = session.execute(select(Betaalregel.plaatsing_id, Betaalregel.werkgever_id, Betaalregel.lks_basis,
                                      Betaalregel.werkgeverslasten, Betaalregel.bedrag)
                               .order_by(Betaalregel.id)).all()
        pay = session.execute(select(Betaling.werkgever_id, Betaling.bedrag, Betaling.end_to_end_id)
                              .order_by(Betaling.id)).all()
    assert [tuple(r) for r in back] == [(TEXTS[i], TEXTS[::-1][i], -12345 * i, i, 10**15) for i in range(n)]
    assert [tuple(r) for r in pay] == [("P1", 1, "E1"), ("tab\there", 2, "E\t2"), ("back\\slash\\N", 0, None)]


def test_a_float_amount_is_refused(engine):
    run, _ = lc.aanvragen(engine, "2025-01", "anna", NOW)
    frame = pd.DataFrame({"betaalrun_id": [run.id], "werkgever_id": ["W1"], "budget": ["buig"], "bruto": [1.5],
                          "verrekend": [0], "bedrag": [1], "end_to_end_id": ["E"]})
    with Session(engine) as session:
        with pytest.raises(TypeError, match="bruto is geen geheel getal"):
            lc._insert_rows(session, Betaling, frame, ("betaalrun_id", "bruto", "verrekend", "bedrag"))
        frame["bruto"] = pd.Series([2.0], dtype=object)  # an object column holding a float: refused too
        with pytest.raises(TypeError, match="bruto is geen geheel getal"):
            lc._insert_rows(session, Betaling, frame, ("betaalrun_id", "bruto", "verrekend", "bedrag"))
