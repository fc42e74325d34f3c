"""Verloonde uren in the core (rekenregels §7): the input contract, its refusals, the values
the explanation reads, and the exact fallback for months whose terms would leave int64.
The amounts themselves are checked by hand in cases/verloonde_uren.yaml and against the
per-day reference in test_property.py."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lks.calc import CalcInput, calculate
from lks.calc import rules
from lks.calc.core import CalcFout
from lks.calc.model import (LOONWAARDE_COLUMNS, PLAATSING_COLUMNS, RESULT_COLUMNS, UREN_COLUMNS,
                            VERLOONDE_UREN_COLUMNS, Policy)
from lks.parameters import ParameterOntbreekt, Parameters

from .reference import reference_calculate

PARAMS = Parameters.load()


def _plaatsingen(rows, urenbasis=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PLAATSING_COLUMNS)
    for c in ("startdatum", "einddatum", "geboortedatum"):
        frame[c] = pd.to_datetime(frame[c])
    if urenbasis is not None:
        frame["urenbasis"] = urenbasis
    return frame


def _lw(rows):
    frame = pd.DataFrame(rows, columns=LOONWAARDE_COLUMNS)
    frame["ingangsdatum"] = pd.to_datetime(frame["ingangsdatum"])
    return frame


def _uren(rows):
    frame = pd.DataFrame(rows, columns=UREN_COLUMNS)
    frame["ingangsdatum"] = pd.to_datetime(frame["ingangsdatum"])
    return frame


def _vu(rows):
    return pd.DataFrame(rows, columns=VERLOONDE_UREN_COLUMNS)


def _row(pid, regeling="lks", start="2025-01-01", einde=None, contract=3200, voltijd=3800,
         geboorte="1980-05-05"):
    return [pid, "W1", regeling, start, einde, contract, voltijd, geboorte]


def _amounts(result):
    return [tuple(r) for r in result.plaatsing_maanden[
        ["plaatsing_id", "periode", "lks_basis", "werkgeverslasten", "reden"]].astype(
        {"periode": str, "reden": str}).itertuples(index=False)]


def test_three_frame_construction_still_works_with_empty_hours():
    calc_input = CalcInput(_plaatsingen([_row("P1", start="2025-06-01")]), _lw([]), _uren([]))
    assert list(calc_input.verloonde_uren.columns) == VERLOONDE_UREN_COLUMNS
    assert len(calc_input.verloonde_uren) == 0
    # 32 h contract, forfait 0,50 (month 2), July 2025: 2245,80 × 1,08 × 0,50 × 32/36 = 1077,984 -> 1077,98
    assert _amounts(calculate(calc_input, "2025-07", "2025-07", PARAMS)) == [("P1", "2025-07", 107798, 25333, "")]


@pytest.mark.parametrize("urenbasis", [None, ["contract"], [np.nan], [""], [None]],
                         ids=["geen_kolom", "contract", "nan", "leeg", "none"])
def test_urenbasis_absent_or_empty_is_contract(urenbasis):
    plaatsingen = _plaatsingen([_row("P1", start="2025-06-01")], urenbasis)
    result = calculate(CalcInput(plaatsingen, _lw([]), _uren([]), _vu([["P1", "2025-07", 99_00]])),
                       "2025-07", "2025-07", PARAMS)
    assert _amounts(result) == [("P1", "2025-07", 107798, 25333, "")]  # hours of a contract plaatsing: ignored


def test_unknown_urenbasis_is_refused_naming_the_plaatsing():
    with pytest.raises(CalcFout, match=r"^plaatsing P2: onbekende urenbasis 'oproep' \(contract of verloond\)$"):
        calculate(CalcInput(_plaatsingen([_row("P1"), _row("P2")], ["contract", "oproep"]),
                            _lw([]), _uren([])), "2025-07", "2025-07", PARAMS)


@pytest.mark.parametrize("rows, fragment", [
    ([["P1", "2025-07", 100_00], ["P1", "2025-07", 90_00]], "in 2025-07 komen meer dan eens voor"),
    ([["P1", "2025-07", -1]], "geen geheel aantal honderdsten uur"),
    ([["P1", "2025-07", 100.5]], "geen geheel aantal honderdsten uur"),
    ([["P1", "2025-02", 2400 * 28 + 1]], "tussen 0 en het aantal uren van de maand"),
    ([["P1", "2025-7", 100_00]], "periode '2025-7' is geen maand JJJJ-MM"),
    ([["P1", "2025-07-01", 100_00]], "is geen maand JJJJ-MM"),
])
def test_bad_verloonde_uren_are_refused(rows, fragment):
    calc_input = CalcInput(_plaatsingen([_row("P1")], ["verloond"]), _lw([]), _uren([]), _vu(rows))
    with pytest.raises(CalcFout) as exc:
        calculate(calc_input, "2025-07", "2025-07", PARAMS)
    assert "plaatsing P1" in str(exc.value) and fragment in str(exc.value)


def test_whole_month_of_hours_is_allowed_and_capped():
    # 24 × 28 = 672 h in February 2025: the most a month has. Maximum 38 × 13/3 = 164,666… h.
    # beschut: 14,06 × 1,08 × 0,70 = 10,62936 per hour × 494/3 = 1750,30128 -> 1750,30
    calc_input = CalcInput(_plaatsingen([_row("P1", "beschut")], ["verloond"]), _lw([]), _uren([]),
                           _vu([["P1", "2025-02", 2400 * 28]]))
    assert _amounts(calculate(calc_input, "2025-02", "2025-02", PARAMS))[0][2] == 175030


def test_hours_outside_the_plaatsing_or_the_window_are_ignored():
    calc_input = CalcInput(
        _plaatsingen([_row("P1", start="2025-07-01")], ["verloond"]), _lw([["P1", "2025-07-01", 6000]]),
        _uren([]), _vu([["P1", "2025-06", 50_00], ["P1", "2025-07", 100_00], ["P9", "2025-07", 1_00]]))
    # 6,2208 × 100 = 622,08 (rekenregels §7, first example)
    assert _amounts(calculate(calc_input, "2025-05", "2025-07", PARAMS)) == [("P1", "2025-07", 62208, 14619, "")]


def test_verloond_before_2024_names_plaatsing_quantity_and_day():
    calc_input = CalcInput(
        _plaatsingen([_row("C1", start="2023-01-01"), _row("V1", start="2023-10-01"),
                      _row("V2", start="2023-12-15")], ["contract", "verloond", "verloond"]),
        _lw([]), _uren([]), _vu([["V1", "2023-12", 100_00]]))
    with pytest.raises(ParameterOntbreekt) as exc:
        calculate(calc_input, "2023-11", "2024-01", PARAMS)
    assert str(exc.value) == (
        "parameter ontbreekt: wml_uurloon heeft geen waarde voor 2023-11-01 (eerste bekende waarde "
        "geldt vanaf 2024-01-01); nodig voor plaatsingen V1, V2")


def test_reason_codes_sorted_with_uren_ontbreken_last():
    assert rules.REDENEN == tuple(sorted(rules.REDENEN))
    assert rules.REDEN_TEKST[rules.LOONWAARDE_ONTBREEKT | rules.NIET_ACTIEF | rules.UREN_ONTBREKEN] == \
        "loonwaarde_ontbreekt;niet_actief;uren_ontbreken"
    assert rules.REDEN_TEKST[(1 << len(rules.REDENEN)) - 1] == ";".join(rules.REDENEN)


def test_segments_hold_what_the_explanation_shows():
    """cao 38 -> 24 on 16 July 2025, 160 h: the maximum applies in the second segment only
    (hand arithmetic in cases/verloonde_uren.yaml, verloond_maximum_in_een_segment_...)."""
    calc_input = CalcInput(
        _plaatsingen([_row("P1", contract=1000)], ["verloond"]), _lw([["P1", "2025-01-01", 6000]]),
        _uren([["P1", "2025-07-16", 1000, 2400]]), _vu([["P1", "2025-07", 160_00]]))
    result = calculate(calc_input, "2025-07", "2025-07", PARAMS, explain=True)
    segs = result.segments
    assert segs["urenbasis"].tolist() == ["verloond", "verloond"]
    assert segs["urenregel"].tolist() == ["verloond", "verloond"]
    assert segs["wml_uur"].tolist() == [1440, 1440] and segs["wml"].tolist() == [0, 0]
    assert segs["verloonde_uren"].tolist() == [16000, 16000] and segs["uren_bekend"].all()
    assert segs["dagen_actief"].tolist() == [31, 31]
    from fractions import Fraction as F
    spreiding = [F(int(n), int(d)) for n, d in zip(segs["spreiding_num"], segs["spreiding_den"])]
    maximum = [F(int(n), int(d)) for n, d in zip(segs["maximum_num"], segs["maximum_den"])]
    assert spreiding == [F(2400, 31), F(2560, 31)]
    assert maximum == [F(7410, 93), F(1664, 31)]
    assert segs["begrensd"].tolist() == [False, True]
    assert result.plaatsing_maanden["lks_basis"].tolist() == [81553]


def test_segments_of_a_month_without_hours():
    calc_input = CalcInput(_plaatsingen([_row("P1")], ["verloond"]), _lw([["P1", "2025-01-01", 6000]]),
                           _uren([]))
    segs = calculate(calc_input, "2025-08", "2025-08", PARAMS, explain=True).segments
    assert segs["uren_bekend"].tolist() == [False] and segs["verloonde_uren"].tolist() == [-1]
    assert segs["reden"].tolist() == ["uren_ontbreken"]


def test_exact_fallback_for_one_month_only():
    """Before 2024 the urenfactor divides by the voltijdsuren: six different cao weeks in
    December 2023 give a month whose common denominator does not fit int64 safely. That month
    is computed with Python integers, the others in int64; all equal the reference."""
    voltijd = [3601, 3607, 3613, 3617, 3623, 3631, 3637]
    wijzigingen = [["P1", f"2023-12-{d:02d}", 3600, v] for d, v in zip((4, 8, 12, 16, 20, 24), voltijd[1:])]
    plaatsingen = _plaatsingen([_row("P1", start="2023-01-01", contract=3600, voltijd=voltijd[0]),
                                _row("P2", "beschut", start="2023-01-01", contract=3200),
                                _row("V1", start="2024-01-01", contract=0)],
                               ["contract", "contract", "verloond"])
    calc_input = CalcInput(plaatsingen, _lw([["P1", "2023-01-01", 5000]]), _uren(wijzigingen),
                           _vu([["V1", "2024-01", 123_45]]))
    core = calculate(calc_input, "2023-11", "2024-01", PARAMS).plaatsing_maanden
    ref = reference_calculate(calc_input, "2023-11", "2024-01", PARAMS, Policy())
    assert core[RESULT_COLUMNS].astype({"periode": str, "reden": str, "regeling": str, "budget": str}
                                       ).to_dict("records") == ref.to_dict("records")
    assert len(core) == 7


def test_hours_lookup_by_table_equals_the_sorted_search():
    """The month table of verloonde uren (the fast lookup) and the binary search over the
    sorted keys (for hours too sparse for a table) give the same hours for every segment,
    whether delivered, delivered as 0 or not delivered, inside and outside the table."""
    from lks.calc.core import _FactTables, _MONTH_EPOCH

    rng = np.random.default_rng(7)
    n = 40
    months = np.arange(np.datetime64("2024-01", "M"), np.datetime64("2026-01", "M"))
    pid = np.repeat(np.arange(n), months.size)
    maand = np.tile(months, n)
    keep = rng.random(pid.size) < 0.7
    keys = (pid[keep].astype(np.int64) << 32) | (maand[keep] - _MONTH_EPOCH).astype(np.int64)
    uren = np.where(rng.random(keys.size) < 0.1, 0, rng.integers(1, 20_000, keys.size))
    with_table = _FactTables._uren_tabel(keys, uren, n + 5)
    assert with_table[2] is not None
    facts = object.__new__(_FactTables)
    ask_p = rng.integers(0, n + 5, 5_000)  # plaatsingen without any hours too
    ask_m = np.datetime64("2023-10", "M") + rng.integers(0, 30, 5_000)  # months outside
    facts.verloonde_uren = with_table
    by_table = facts.verloond_in(ask_p, ask_m)
    facts.verloonde_uren = (keys, uren, None)
    by_search = facts.verloond_in(ask_p, ask_m)
    assert by_table[1].any() and not by_table[1].all()
    np.testing.assert_array_equal(by_table[0], by_search[0])
    np.testing.assert_array_equal(by_table[1], by_search[1])


def test_sparse_hours_are_looked_up_without_a_table():
    """Hours a century apart for 1,000 plaatsingen would make a table of 1,000 × 1,201 months
    for 2,000 values: the core then searches the sorted keys and still pays the delivered
    month."""
    from lks.calc.core import _FactTables

    n = 1_000
    ids = [f"P{i:04d}" for i in range(n)]
    calc_input = CalcInput(
        _plaatsingen([_row(i, start="2025-07-01", einde="2025-07-31") for i in ids],
                     urenbasis=["verloond"] * n),
        _lw([[i, "2025-07-01", 6000] for i in ids]), _uren([]),
        _vu([[i, m, u] for i in ids for m, u in (("2025-07", 10_000), ("2125-07", 5_000))]))
    facts = _FactTables(calc_input, np.array(ids, dtype=object))
    assert facts.verloonde_uren[2] is None
    result = calculate(calc_input, "2025-07", "2025-07", PARAMS, Policy())
    # rekenregels §7 worked example 1: loonwaarde 60 %, 100 verloonde uren, July 2025
    assert _amounts(result) == [(i, "2025-07", 62208, 14619, "") for i in ids]


def test_plaatsing_ids_out_of_runs_are_found():
    """The run-wise indexer equals pandas' get_indexer for ids in any order, unknown ids -1."""
    from lks.calc.core import _indexer_by_runs

    rng = np.random.default_rng(3)
    index = pd.Index(np.array([f"P{i:03d}" for i in range(50)], dtype=object))
    ids = np.array([f"P{i:03d}" for i in rng.integers(0, 60, 2_000)], dtype=object)
    ids[:300] = np.sort(ids[:300])  # runs at the start, random order after
    np.testing.assert_array_equal(_indexer_by_runs(index, ids), index.get_indexer(ids))
    assert _indexer_by_runs(index, np.empty(0, dtype=object)).size == 0
