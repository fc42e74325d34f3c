"""Zero plaatsing-months is a valid outcome (a new gemeente, a window before every start):
the core returns typed frames without rows and the export writes the header only
(issue 14: `lks calculate` on an empty database crashed in cents_to_text)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lks.calc import CalcInput, calculate
from lks.calc.model import PLAATSING_COLUMNS, RESULT_COLUMNS, SEGMENT_COLUMNS
from lks.export import calculation_frame, cents_to_text, write_calculation_csv
from lks.parameters import Parameters

PARAMS = Parameters.load()
HEADER = "plaatsing_id,periode,regeling,budget,lks_basis,werkgeverslasten,lks_totaal,reden\n"


def _plaatsingen(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PLAATSING_COLUMNS)
    for c in ("startdatum", "einddatum", "geboortedatum"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def _not_active_in_2025_07():
    # one ended before the window, one starts after it
    return _plaatsingen([
        ["P1", "W1", "lks", "2024-01-01", "2025-06-30", 3200, 3800, "1980-05-05"],
        ["P2", "W1", "beschut", "2025-08-01", None, 3800, 3800, "1980-05-05"],
    ])


def test_cents_to_text_empty_and_signs():
    assert cents_to_text(np.array([], dtype=np.int64)).tolist() == []
    assert cents_to_text([0, 5, 100, 123456, -7, -100001]).tolist() == [
        "0.00", "0.05", "1.00", "1234.56", "-0.07", "-1000.01"]


@pytest.mark.parametrize("plaatsingen", [_plaatsingen([]), _not_active_in_2025_07()],
                         ids=["geen_plaatsingen", "geen_actieve_plaatsing"])
@pytest.mark.parametrize("explain", [False, True])
def test_calculate_without_plaatsing_months(plaatsingen, explain, tmp_path):
    result = calculate(CalcInput.empty_facts(plaatsingen), "2025-07", "2025-07", PARAMS,
                       explain=explain)
    months = result.plaatsing_maanden
    assert len(months) == 0
    assert list(months.columns) == RESULT_COLUMNS + ["werkgever_id", "dagen_actief", "dagen_maand"]
    for column in ("lks_basis", "werkgeverslasten", "lks_totaal", "dagen_actief", "dagen_maand"):
        assert months[column].dtype == np.int64, column
    assert months["lks_totaal"].sum() == 0
    assert months.groupby("budget", observed=True)["lks_totaal"].sum().empty
    if explain:
        assert list(result.segments.columns) == SEGMENT_COLUMNS and len(result.segments) == 0
    assert len(calculation_frame(months)) == 0
    path = tmp_path / "berekening.csv"
    assert write_calculation_csv(months, path) == 0
    assert path.read_text(encoding="utf-8") == HEADER


def test_inactive_chunk_does_not_change_types(monkeypatch):
    """A chunk of plaatsingen none of which is active next to one that is: amounts stay int64
    and periode stays the month text (the empty chunk adds nothing)."""
    monkeypatch.setattr("lks.calc.core.CHUNK", 2)
    plaatsingen = _plaatsingen([
        ["P1", "W1", "lks", "2024-01-01", "2024-12-31", 3200, 3800, "1980-05-05"],
        ["P2", "W1", "lks", "2024-01-01", "2024-12-31", 3200, 3800, "1980-05-05"],
        ["P3", "W1", "beschut", "2025-01-01", None, 3600, 3800, "1980-05-05"],
    ])
    months = calculate(CalcInput.empty_facts(plaatsingen), "2025-07", "2025-07", PARAMS).plaatsing_maanden
    assert months["plaatsing_id"].tolist() == ["P3"]
    assert months["lks_basis"].dtype == np.int64
    # beschut 36 h, July 2025: 2245,80 × 1,08 × 0,70 × 36/36 = 1697,8248 -> 1697,82
    assert calculation_frame(months)["lks_basis"].tolist() == ["1697.82"]
    assert months["periode"].astype(str).tolist() == ["2025-07"]


def test_empty_database_to_header_only_export(sqlite_template, tmp_path):
    """The path of `lks calculate` on a database without plaatsingen (issue 14): the facts,
    the core and the export, without a crash."""
    import shutil

    from lks.db import make_engine
    from lks.facts import load_facts

    db = tmp_path / "leeg.db"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        calc_input = load_facts(engine).to_calc_input()
    finally:
        engine.dispose()
    result = calculate(calc_input, "2025-01", "2025-12", PARAMS)
    path = tmp_path / "berekening.csv"
    assert write_calculation_csv(result.plaatsing_maanden, path) == 0
    assert path.read_text(encoding="utf-8") == HEADER
