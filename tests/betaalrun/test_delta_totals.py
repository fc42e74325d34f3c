"""The delta against paid totals (``payment_lines_against_totals``, what a betaalrun uses
with the ``betaald_totaal`` table) gives exactly the lines of the original frame-merge
implementation (kept here as the reference) for any calculation and any paid history."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lks.betaalrun.delta import PAID_COLUMNS, paid_totals, payment_lines, payment_lines_against_totals

KEY = ["plaatsing_id", "periode"]
PERIODES = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
CALC_COLUMNS = ["plaatsing_id", "werkgever_id", "regeling", "budget", "periode", "lks_basis",
                "werkgeverslasten", "lks_totaal"]


def reference(calculated: pd.DataFrame, paid: pd.DataFrame, periode: str) -> pd.DataFrame:
    """payment_lines as it was before the paid totals (merge of frames on text keys)."""
    calc = calculated[CALC_COLUMNS].copy()
    for column in ("plaatsing_id", "werkgever_id", "regeling", "budget", "periode"):
        calc[column] = calc[column].astype(str)
    calc = calc[calc["periode"] <= periode]
    if len(paid):
        done = (paid.groupby(KEY, sort=False, observed=True)
                .agg(werkgever_id=("werkgever_id", "last"), regeling=("regeling", "last"),
                     budget=("budget", "last"), paid_basis=("lks_basis", "sum"),
                     paid_wgl=("werkgeverslasten", "sum"), paid=("bedrag", "sum"))
                .reset_index())
    else:
        done = pd.DataFrame(columns=KEY + ["werkgever_id", "regeling", "budget", "paid_basis", "paid_wgl", "paid"])
    merged = calc.merge(done, on=KEY, how="outer", suffixes=("", "_paid"))
    for column in ("werkgever_id", "regeling", "budget"):
        merged[column] = merged[column].fillna(merged[f"{column}_paid"])
    amounts = ["lks_basis", "werkgeverslasten", "lks_totaal", "paid_basis", "paid_wgl", "paid"]
    merged[amounts] = merged[amounts].fillna(0).astype(np.int64)
    lines = pd.DataFrame({
        "plaatsing_id": merged["plaatsing_id"], "werkgever_id": merged["werkgever_id"],
        "regeling": merged["regeling"], "budget": merged["budget"], "periode": merged["periode"],
        "soort": np.where(merged["periode"] == periode, "regulier", "correctie"),
        "lks_basis": merged["lks_basis"] - merged["paid_basis"],
        "werkgeverslasten": merged["werkgeverslasten"] - merged["paid_wgl"],
        "bedrag": merged["lks_totaal"] - merged["paid"], "berekend_totaal": merged["lks_totaal"]})
    lines = lines[(lines["bedrag"] != 0) | (lines["lks_basis"] != 0)]
    return lines.sort_values(["werkgever_id", "budget", "plaatsing_id", "periode"]).reset_index(drop=True)


def normalised(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(str(v) if isinstance(v, str) else int(v) for v in row)
            for row in frame.itertuples(index=False)]


PLAATSING = st.sampled_from(["P1", "P2", "P10", "Q", "P1,x"])
WERKGEVER = st.sampled_from([("W1", "lks", "buig"), ("W2", "beschut", "buig"), ("W1", "ontwikkelbaan", "reintegratie")])
AMOUNT = st.integers(-500_00, 3000_00)


@st.composite
def calculation(draw):
    keys = draw(st.sets(st.tuples(PLAATSING, st.sampled_from(PERIODES)), max_size=14))
    rows = []
    for p, m in sorted(keys):
        w, r, b = draw(WERKGEVER)
        basis, wgl = draw(AMOUNT), draw(AMOUNT)
        rows.append((p, w, r, b, m, basis, wgl, basis + wgl))
    frame = pd.DataFrame(rows, columns=CALC_COLUMNS)
    frame[["lks_basis", "werkgeverslasten", "lks_totaal"]] = frame[["lks_basis", "werkgeverslasten",
                                                                     "lks_totaal"]].astype(np.int64)
    if draw(st.booleans()):  # as the core returns it: categoricals, sorted by plaatsing and month
        for column in ("periode", "regeling", "budget"):
            frame[column] = frame[column].astype("category")
    elif len(frame):
        frame = frame.sample(frac=1, random_state=draw(st.integers(0, 99)))
    return frame


@st.composite
def paid_lines(draw):
    rows = []
    for _ in range(draw(st.integers(0, 20))):
        p, m = draw(PLAATSING), draw(st.sampled_from(PERIODES))
        w, r, b = draw(WERKGEVER)
        rows.append((p, w, r, b, m, draw(AMOUNT), draw(AMOUNT), draw(AMOUNT)))
    frame = pd.DataFrame(rows, columns=PAID_COLUMNS)
    frame[["lks_basis", "werkgeverslasten", "bedrag"]] = frame[["lks_basis", "werkgeverslasten",
                                                                 "bedrag"]].astype(np.int64)
    return frame


@settings(max_examples=400, deadline=None)
@given(calculated=calculation(), paid=paid_lines(), periode=st.sampled_from(PERIODES))
def test_same_lines_as_the_frame_merge(calculated, paid, periode):
    expected = normalised(reference(calculated, paid, periode))
    assert normalised(payment_lines(calculated, paid, periode)) == expected
    totals = paid_totals(paid)
    if len(totals):  # the table's rows come in key order
        totals = totals.sort_values(KEY).reset_index(drop=True)
    assert normalised(payment_lines_against_totals(calculated, totals, periode)) == expected
    # the texts only on request, for the plaatsing-months taken back (PostgreSQL's way), in any order
    asked = []

    def teksten(keys):
        asked.append(len(keys))
        return keys.merge(totals, on=KEY)[KEY + ["werkgever_id", "regeling", "budget"]]

    zonder = totals.drop(columns=["werkgever_id", "regeling", "budget"]).iloc[::-1]
    assert normalised(payment_lines_against_totals(calculated, zonder, periode, teksten)) == expected
    assert sum(asked) <= len(totals)
