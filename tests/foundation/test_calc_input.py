"""``load_calc_input`` reads the core's input per column, straight from the database; it must
give exactly what ``load_facts(...).to_calc_input()`` gives (versions, withdrawals, as-of,
verloonde uren, hours with decimals), on SQLite and PostgreSQL, and refuse — not round — a
stored value with more than two decimals."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from lks.facts import FactsFout, load_calc_input, load_facts
from lks.importer import import_directory

from .helpers import FIRST_IMPORT_AT, valid_files, write_files

UTC = dt.timezone.utc
T2 = dt.datetime(2025, 4, 1, 9, tzinfo=UTC)
T3 = dt.datetime(2025, 5, 1, 9, tzinfo=UTC)


def _same(a, b) -> None:
    for name in ("plaatsingen", "loonwaarden", "urenwijzigingen", "verloonde_uren"):
        left, right = getattr(a, name), getattr(b, name)
        assert list(left.columns) == list(right.columns), name
        assert len(left) == len(right), name
        for column in left.columns:
            x, y = left[column].reset_index(drop=True), right[column].reset_index(drop=True)
            if x.dtype.kind in "iuM" or y.dtype.kind in "iuM":
                assert x.dtype == y.dtype, (name, column)
                assert x.equals(y), (name, column)
            else:  # text: object (facts) or str (read directly), the same values
                assert x.astype(object).where(x.notna(), None).tolist() == \
                    y.astype(object).where(y.notna(), None).tolist(), (name, column)


@pytest.fixture
def historie(engine, tmp_path):
    """Three deliveries: the valid set; then changed hours with decimals, a second loonwaarde
    version, a verloond plaatsing with loonstroken; then a withdrawal and a corrected loonstrook."""
    import_directory(engine, write_files(tmp_path / "1", valid_files()), recorded_at=FIRST_IMPORT_AT)
    files = valid_files()
    files["plaatsingen.csv"][0].append("urenbasis")
    for row in files["plaatsingen.csv"][1:]:
        row.append("")
    files["plaatsingen.csv"][2][6] = "30.75"
    files["plaatsingen.csv"].append(["P004", "W003", "WG002", "lks", "2025-02-01", "", "0", "37.5", "verloond"])
    files["loonwaarden.csv"][2][2] = "62.55"
    files["loonwaarden.csv"].append(["P004", "2025-02-01", "45.05"])
    files["urenwijzigingen.csv"].append(["P003", "2025-04-01", "20.5", "36"])
    files["verloonde_uren.csv"] = [["plaatsing_id", "periode", "uren"], ["P004", "2025-02", "101.25"],
                                   ["P004", "2025-03", "99.99"]]
    import_directory(engine, write_files(tmp_path / "2", files), recorded_at=T2)
    import_directory(engine, write_files(tmp_path / "3", {
        "intrekkingen.csv": [["bestand", "plaatsing_id", "sleutel", "reden"],
                             ["urenwijzigingen", "P001", "2025-06-01", "verkeerd"]],
        "verloonde_uren.csv": [["plaatsing_id", "periode", "uren"], ["P004", "2025-03", "88.5"]]}), recorded_at=T3)
    return engine


@pytest.mark.parametrize("as_of", [None, T3, T2 + dt.timedelta(seconds=1), FIRST_IMPORT_AT,
                                   FIRST_IMPORT_AT - dt.timedelta(days=1)])
def test_same_input_as_through_the_facts(historie, as_of):
    direct = load_calc_input(historie, as_of=as_of)
    _same(direct, load_facts(historie, as_of=as_of).to_calc_input())
    if as_of is None:
        p = direct.plaatsingen.set_index("plaatsing_id")
        assert p.loc["P002", "contracturen"] == 3075 and p.loc["P004", "voltijdsuren"] == 3750
        assert sorted(direct.loonwaarden["loonwaarde"]) == [4505, 6000, 6255]
        assert direct.urenwijzigingen[["plaatsing_id", "contracturen"]].values.tolist() == [["P003", 2050]]
        assert dict(zip(direct.verloonde_uren["periode"], direct.verloonde_uren["uren"])) == {
            "2025-02": 10125, "2025-03": 8850}


def test_empty_database(engine):
    direct = load_calc_input(engine)
    assert len(direct.plaatsingen) == 0
    _same(direct, load_facts(engine).to_calc_input())


def test_more_than_two_decimals_stored_is_refused(historie):
    """The importer refuses 32.125; should such a value be in the database anyway (written
    around the importer), the calculation refuses it instead of rounding. (PostgreSQL's
    NUMERIC(6,2) rounds it on the way in; SQLite stores the double.)"""
    if historie.dialect.name != "sqlite":
        pytest.skip("PostgreSQL cannot hold the value")
    with historie.begin() as connection:
        connection.execute(sa.text("UPDATE plaatsing SET contracturen = 32.125 WHERE plaatsing_id = 'P003'"))
    for laad in (lambda: load_calc_input(historie), lambda: load_facts(historie).to_calc_input()):
        with pytest.raises(FactsFout, match="plaatsing P003: contracturen 32.125 heeft meer dan 2 decimalen"):
            laad()


def test_a_missing_werknemer_names_the_plaatsing(historie):
    with historie.begin() as connection:
        connection.execute(sa.text("DELETE FROM werknemer WHERE werknemer_id = 'W003'"))
    with pytest.raises(FactsFout, match="plaatsing P003: werknemer W003 is niet bekend"):
        load_calc_input(historie)


def test_hundredths_round_trip_for_every_two_decimal_value():
    """Every value 0.00 … 9999.99 as SQLite returns it (the double of its text) becomes its
    exact number of hundredths; halfway values with a third decimal are refused."""
    import numpy as np

    from lks.facts import hundredths

    h = np.arange(0, 1_000_000, dtype=np.int64)
    floats = np.array([float(f"{v // 100}.{v % 100:02d}") for v in h.tolist()], dtype=object)
    assert (hundredths(floats, "uren") == h).all()
    for waarde in (0.005, 32.125, 9999.995, 0.1 + 0.2):
        with pytest.raises(FactsFout):
            hundredths(np.array([waarde], dtype=object), "uren")
    assert pd.Series(hundredths(np.array([1, 2.5], dtype=object), "uren")).tolist() == [100, 250]
