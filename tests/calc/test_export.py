"""The export is written from the columns (lks.export); its bytes must be those of the
reference writer (pandas' to_csv of ``calculation_frame``) for every frame: quoting, signs,
large amounts, missing values, unsorted input."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lks.calc.model import RESULT_COLUMNS
from lks.export import calculation_frame, write_calculation_csv

IDS = st.text(alphabet=st.sampled_from(list("P0123456789az ,\"\n\r;é€'")), min_size=0, max_size=8)
PERIODES = ["2024-12", "2025-01", "2025-02", "2025-10"]
REDENEN = ["", "niet_actief", "maximale_duur", "loonwaarde_100;niet_actief", "met, komma", 'met "quote"']


def reference(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    calculation_frame(frame).to_csv(buffer, index=False, lineterminator="\n", encoding="utf-8")
    return buffer.getvalue()


@st.composite
def frames(draw):
    n = draw(st.integers(0, 40))
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    amount = st.integers(-10**15, 10**15) | st.integers(-1000, 1000) | st.sampled_from([0, -1, 99, 100, 9999_99, 10000_00])
    rows = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(PERIODES),
                                   st.sampled_from(["lks", "beschut", "ontwikkelbaan"]),
                                   amount, amount, st.sampled_from(REDENEN + [None])),
                         min_size=n, max_size=n))
    frame = pd.DataFrame({
        "plaatsing_id": [r[0] for r in rows],
        "periode": [r[1] for r in rows],
        "regeling": [r[2] for r in rows],
        "budget": ["reintegratie" if r[2] == "ontwikkelbaan" else "buig" for r in rows],
        "lks_basis": np.array([r[3] for r in rows], dtype=np.int64),
        "werkgeverslasten": np.array([r[4] for r in rows], dtype=np.int64),
        "reden": [r[5] for r in rows],
    })
    frame["lks_totaal"] = frame["lks_basis"] + frame["werkgeverslasten"]
    if draw(st.booleans()):  # as the core returns it: categoricals, sorted
        frame["periode"] = pd.Categorical(frame["periode"], categories=PERIODES)
        for column in ("regeling", "budget", "reden"):
            frame[column] = frame[column].astype("category")
        frame = frame.sort_values(["plaatsing_id", "periode"], kind="stable")
    return frame[RESULT_COLUMNS + ["lks_totaal"]].iloc[:, :len(RESULT_COLUMNS)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=frames())
def test_same_bytes_as_reference(frame, tmp_path):
    path = tmp_path / "uit.csv"
    assert write_calculation_csv(frame, path) == len(frame)
    assert path.read_bytes() == reference(frame)


def test_same_bytes_for_a_calculation(tmp_path, monkeypatch):
    """A real result of the core (negative amounts cannot occur there), over more rows than
    one block of the writer."""
    from lks.calc import Policy, calculate
    from lks.calc.model import CalcInput
    from lks.parameters import Parameters

    n = 300
    rng = np.random.default_rng(3)
    ids = [f"P{i:04d}" for i in rng.permutation(n)]  # not in order: the core sorts
    plaatsingen = pd.DataFrame({
        "plaatsing_id": ids, "werkgever_id": [f"W{i % 7}" for i in range(n)],
        "regeling": rng.choice(["lks", "beschut"], n),
        "startdatum": pd.to_datetime("2022-06-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        "einddatum": pd.NaT, "contracturen": rng.integers(1200, 4001, n), "voltijdsuren": 3800,
        "geboortedatum": pd.to_datetime("1980-01-01")})
    loonwaarden = pd.DataFrame({"plaatsing_id": ids, "ingangsdatum": plaatsingen["startdatum"],
                                "loonwaarde": rng.integers(0, 10001, n)})
    result = calculate(CalcInput(plaatsingen, loonwaarden, pd.DataFrame(columns=["plaatsing_id", "ingangsdatum",
                                                                               "contracturen", "voltijdsuren"])),
                       "2023-01", "2026-06", Parameters.load(), Policy()).plaatsing_maanden
    monkeypatch.setattr("lks.export.ROWS_PER_BLOCK", 1000)
    path = tmp_path / "uit.csv"
    assert write_calculation_csv(result, path) == len(result) > 5000
    assert path.read_bytes() == reference(result)
