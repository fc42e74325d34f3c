"""The reference implementation checked on its own, before it is trusted to judge the core:
the worked examples of rekenregels §3 (expected values recomputed by hand below) and the
calendar helpers it is built on."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest

from lks.calc.model import LOONWAARDE_COLUMNS, UREN_COLUMNS, CalcInput, Policy
from lks.parameters import Parameters

from .reference import add_months, age_on, birthday_in_year, reference_calculate, round_half_up

PARAMS = Parameters.load()


def _one(regeling, start, contracturen, loonwaarde=None, voltijdsuren=3800):
    plaatsingen = pd.DataFrame([{
        "plaatsing_id": "P1", "werkgever_id": "W1", "regeling": regeling,
        "startdatum": pd.Timestamp(start), "einddatum": pd.NaT,
        "contracturen": contracturen, "voltijdsuren": voltijdsuren,
        "geboortedatum": pd.Timestamp("1980-05-05")}])
    lw = pd.DataFrame([{"plaatsing_id": "P1", "ingangsdatum": pd.Timestamp(start), "loonwaarde": loonwaarde}]
                      if loonwaarde is not None else [], columns=LOONWAARDE_COLUMNS)
    return CalcInput(plaatsingen, lw, pd.DataFrame(columns=UREN_COLUMNS))


# rekenregels §3. Werknemer 21+, whole month July 2025, cao 38 h.
# WML 1 July 2025 = 2245,80; × 1,08 = 2425,464.  Urenfactor 32 h: 32/36 = 8/9; 38 h: 38/36.
#  1. lw 60 % -> 0,40: 2425,464 × 0,40 = 970,1856; × 8/9 = 862,3872 -> 862,39;
#     wgl 862,39 × 0,235 = 202,66165 -> 202,66; totaal 1065,05.
#  2. jaarlijks, started 2024: peildatum 1 Jan 2025 -> 2191,80 × 1,08 = 2367,144; × 0,40 =
#     946,8576; × 8/9 = 841,6512 -> 841,65; wgl 197,78775 -> 197,79; totaal 1039,44.
#  3. no loonwaarde, month 2 -> forfait 0,50: 1212,732 × 8/9 = 1077,984 -> 1077,98;
#     wgl 253,3253 -> 253,33; totaal 1331,31.
#  4. lw 20 % -> min(0,80; 0,70) = 0,70: 1697,8248 × 8/9 = 1509,1776 -> 1509,18;
#     wgl 354,6573 -> 354,66; totaal 1863,84.
#  5. beschut 38 h -> 0,70 × 38/36: 1697,8248 × 38/36 = 1792,1484 -> 1792,15;
#     wgl 421,15525 -> 421,16; totaal 2213,31.
#  6. lw 60 %, 40 h capped to 38: 970,1856 × 38/36 = 1024,0848 -> 1024,08;
#     wgl 240,6588 -> 240,66; totaal 1264,74.
# All six equal the table in rekenregels §3.
WORKED = [
    ("lks", "2025-01-01", 3200, 6000, "halfjaarlijks", (86239, 20266, 106505)),
    ("lks", "2024-03-01", 3200, 6000, "jaarlijks", (84165, 19779, 103944)),
    ("lks", "2025-06-01", 3200, None, "halfjaarlijks", (107798, 25333, 133131)),
    ("lks", "2025-01-01", 3200, 2000, "halfjaarlijks", (150918, 35466, 186384)),
    ("beschut", "2025-01-01", 3800, None, "halfjaarlijks", (179215, 42116, 221331)),
    ("lks", "2025-01-01", 4000, 6000, "halfjaarlijks", (102408, 24066, 126474)),
]


@pytest.mark.parametrize("regeling, start, uren, loonwaarde, indexatie, expected", WORKED,
                         ids=[f"rij{i + 1}" for i in range(len(WORKED))])
def test_reference_reproduces_rekenregels_3(regeling, start, uren, loonwaarde, indexatie, expected):
    out = reference_calculate(_one(regeling, start, uren, loonwaarde), "2025-07", "2025-07", PARAMS,
                              Policy(indexatie=indexatie))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["lks_basis"], row["werkgeverslasten"], row["lks_totaal"]) == expected
    assert row["reden"] == "" and row["budget"] == "buig" and row["periode"] == "2025-07"


def test_add_months_clamps():
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 3, 14), 6) == dt.date(2025, 9, 14)
    assert add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 1, 10), 18) == dt.date(2025, 7, 10)


def test_age_birthday_starts_band_and_29_february():
    assert age_on(dt.date(2004, 3, 1), dt.date(2025, 2, 28)) == 20
    assert age_on(dt.date(2004, 3, 1), dt.date(2025, 3, 1)) == 21
    assert birthday_in_year(dt.date(2008, 2, 29), 2025) == dt.date(2025, 3, 1)
    assert birthday_in_year(dt.date(2008, 2, 29), 2024) == dt.date(2024, 2, 29)
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 2, 28)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 3, 1)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 28)) == 15
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 29)) == 16


def test_round_half_up_exact():
    assert round_half_up(Fraction(168435, 1000) * 100) == 16844
    assert round_half_up(Fraction(1684349999, 10**7) * 100) == 16843
    assert round_half_up(Fraction(1, 2)) == 1
    assert round_half_up(Fraction(0)) == 0
