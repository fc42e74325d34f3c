"""Verloonde uren through the betaalrun (rekenregels §7 with §4): hours that arrive after the
run of their month are paid by the next run as a correction; a corrected loonstrook (a second
delivery of the same month) is corrected like any late fact, a lower one with a negative
delta set off against the werkgever's other amounts. And the conservation property with
contract and verloond plaatsingen mixed: after any sequence of late deliveries,
re-deliveries, withdrawals and runs, Σ paid per plaatsing-month equals its final calculated
amount and no SEPA amount is ≤ 0. SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lks.db import make_engine
from lks.importer import ImportFouten, import_directory
from tests.foundation.helpers import BACKENDS, dump, new_database

from .conftest import UTC, bsn, gemeente_dir
from .test_intrekking import assert_conserved, betalingen, lever, lines, run_month

PLAATSING_KOP = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                 "contracturen", "voltijdsuren", "urenbasis"]
UREN_KOP = ["plaatsing_id", "periode", "uren"]
WERKNEMERS = (["werknemer_id", "bsn", "naam", "geboortedatum"],
              [["N4", bsn(4), "Dirk Oproep", "1996-03-12"], ["N5", bsn(5), "Eva Flex", "1988-10-02"],
               ["N6", bsn(6), "Fenna Invaller", "1979-07-30"]])
OPROEP = {  # on verloonde uren, next to P1-P3 on contracturen (tests/betaalrun/conftest.py)
    "OP1": ["OP1", "N4", "W1", "lks", "2025-01-01", "", "0", "38", "verloond"],
    "OP2": ["OP2", "N5", "W2", "beschut", "2025-01-01", "", "12", "36", "verloond"],
    "OP3": ["OP3", "N6", "W2", "ontwikkelbaan", "2025-01-15", "", "8", "36", "verloond"],
}


def uren(engine, directory: Path, moment: dt.datetime, *rows):
    return lever(engine, directory, moment, **{"verloonde_uren.csv": (UREN_KOP, [list(r) for r in rows])})


def test_hours_paid_in_arrears_and_a_lower_correction_set_off(engine, tmp_path):
    """OP1: lks at W1 from 1 July 2025, loonwaarde 60 %, cao 38 h, on verloonde uren."""
    lever(engine, tmp_path / "op1", dt.datetime(2025, 6, 20, tzinfo=UTC), **{
        "werknemers.csv": WERKNEMERS,
        "plaatsingen.csv": (PLAATSING_KOP, [["OP1", "N4", "W1", "lks", "2025-07-01", "", "0", "38", "verloond"]]),
        "loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["OP1", "2025-07-01", "60"]])})
    run_month(engine, "2025-07", dt.datetime(2025, 7, 18, 7, tzinfo=UTC))
    # July's run: no loonstrook of July yet → 0 (uren_ontbreken), nothing to pay on OP1
    assert [b for _, p, _, _, b in lines(engine, "2025-07") if p == "OP1"] in ([], [0])

    uren(engine, tmp_path / "juli", dt.datetime(2025, 8, 8, 9, tzinfo=UTC), ["OP1", "2025-07", "100"])
    run_month(engine, "2025-08", dt.datetime(2025, 8, 18, 7, tzinfo=UTC))
    # July, 100 h (rekenregels §7, first worked example): 14.40 × 1.08 × 0.40 × 100 = 622.08;
    # × 0.235 = 146.1888 → 146.19; 768.27, paid in August's run as a correction
    assert [(m, s, b) for _, p, m, s, b in lines(engine, "2025-08") if p == "OP1"] == [
        ("2025-07", "correctie", 768_27)]

    # the July loonstrook is corrected to 93.5 h (5 September), August's 50 h arrive (8 September)
    uren(engine, tmp_path / "correctie", dt.datetime(2025, 9, 5, 9, tzinfo=UTC), ["OP1", "2025-07", "93.5"])
    uren(engine, tmp_path / "augustus", dt.datetime(2025, 9, 8, 9, tzinfo=UTC), ["OP1", "2025-08", "50"])
    run_month(engine, "2025-09", dt.datetime(2025, 9, 18, 7, tzinfo=UTC))
    # July, 93.5 h: 14.40 × 1.08 × 0.40 × 93.5 = 581.6448 → 581.64; × 0.235 = 136.6854 → 136.69;
    #   718.33, so the correction is 718.33 − 768.27 = −49.94
    # August, 50 h: 6.2208 × 50 = 311.04; × 0.235 = 73.0944 → 73.09; 384.13
    assert [(m, s, b) for _, p, m, s, b in lines(engine, "2025-09") if p == "OP1"] == [
        ("2025-07", "correctie", -49_94), ("2025-08", "correctie", 384_13)]
    # W1 (buig) in September: P1 1.065,05 (32 of 38 h, loonwaarde 60 %, WML 2.245,80:
    # 862.39 + 202.66) + 384.13 − 49.94 = 1.399,24, one transfer; the negative line is set off
    assert [b for b in betalingen(engine, "2025-09") if b[0] == "W1"] == [("W1", "buig", 1399_24, 0, 1399_24)]
    assert_conserved(engine, "2025-09")


# --- the conservation property ------------------------------------------------------------

MAANDEN = [str(p) for p in pd.period_range("2025-01", "2025-08", freq="M")]
UREN = ["0", "12.5", "45.25", "80", "164.67", "200"]
ACTIONS = st.one_of(
    st.just(("run",)),
    st.tuples(st.just("uren"), st.sampled_from(sorted(OPROEP)), st.sampled_from(MAANDEN), st.sampled_from(UREN)),
    st.tuples(st.just("intrek_uren"), st.sampled_from(sorted(OPROEP)), st.sampled_from(MAANDEN)),
    st.tuples(st.just("late_loonwaarde"), st.sampled_from(["P1", "OP1"]), st.sampled_from(["30", "55", "100"])),
    st.tuples(st.just("intrek_plaatsing"), st.sampled_from(["P1", "OP1", "OP2"])),
    st.tuples(st.just("lever_opnieuw"), st.sampled_from(["OP1", "OP2"])),
)


@pytest.mark.parametrize("backend_", BACKENDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(acties=st.lists(ACTIONS, min_size=1, max_size=10))
@example(acties=[("run",), ("uren", "OP1", "2025-01", "80"), ("run",), ("uren", "OP1", "2025-01", "45.25"),
                 ("uren", "OP2", "2025-02", "164.67"), ("run",), ("uren", "OP1", "2025-01", "0")])
@example(acties=[("run",), ("run",), ("uren", "OP3", "2025-01", "200"), ("late_loonwaarde", "OP1", "100"),
                 ("run",), ("intrek_uren", "OP3", "2025-01"), ("intrek_plaatsing", "OP2"), ("run",),
                 ("lever_opnieuw", "OP2")])
def test_paid_equals_final_calculation_with_late_and_corrected_hours(request, backend_, acties):
    if backend_ == "postgresql" and len(acties) > 7:
        acties = acties[:7]  # fewer, shorter examples on the slower backend; same property
    directory = Path(tempfile.mkdtemp(prefix="lks-behoud-uren-"))
    try:
        with new_database(request, backend_, directory) as url:
            engine = make_engine(url)
            try:
                _speel(engine, directory, acties)
            finally:
                engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _speel(engine, directory: Path, acties) -> None:
    klok = dt.datetime(2025, 1, 2, tzinfo=UTC)
    import_directory(engine, gemeente_dir(directory / "in"), recorded_at=klok)
    lever(engine, directory / "oproep", klok + dt.timedelta(days=1), **{
        "werknemers.csv": WERKNEMERS, "plaatsingen.csv": (PLAATSING_KOP, list(OPROEP.values()))})
    maanden = iter(MAANDEN + [str(p) for p in pd.period_range("2025-09", "2025-12", freq="M")])
    laatste = None
    for i, actie in enumerate(acties + [("run",)]):
        klok += dt.timedelta(days=9)
        map_ = directory / f"stap{i}"
        try:
            if actie[0] == "run":
                laatste = next(maanden)
                run_month(engine, laatste, klok)
            elif actie[0] == "uren":
                uren(engine, map_, klok, actie[1:])
            elif actie[0] == "intrek_uren":
                lever(engine, map_, klok, **{"intrekkingen.csv": (
                    ["bestand", "plaatsing_id", "sleutel", "reden"], [["verloonde_uren", actie[1], actie[2], "vergissing"]])})
            elif actie[0] == "late_loonwaarde":
                lever(engine, map_, klok, **{"loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                                                 [[actie[1], "2025-02-01", actie[2]]])})
            elif actie[0] == "intrek_plaatsing":
                lever(engine, map_, klok, **{"intrekkingen.csv": (
                    ["bestand", "plaatsing_id", "sleutel", "reden"], [["plaatsingen", actie[1], "", "vergissing"]])})
            else:
                lever(engine, map_, klok, **{"plaatsingen.csv": (PLAATSING_KOP, [OPROEP[actie[1]]])})
        except ImportFouten:
            # bad input (hours or a loonwaarde of a withdrawn plaatsing, withdrawing what is not
            # there): refused whole, the database as it was
            before = dump(engine)
            with pytest.raises(ImportFouten):
                import_directory(engine, map_, recorded_at=klok + dt.timedelta(seconds=1))
            assert dump(engine) == before
    assert_conserved(engine, laatste)
