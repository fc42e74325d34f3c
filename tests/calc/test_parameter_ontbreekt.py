"""A calculation that stops on a missing parameter says which plaatsingen it stops on, which
quantity and which day, in one Dutch line (issue 14; rekenregels §5: never extrapolate)."""
from __future__ import annotations

import pandas as pd
import pytest

from lks.calc import CalcInput, calculate
from lks.calc.model import PLAATSING_COLUMNS
from lks.parameters import ParameterOntbreekt, Parameters

PARAMS = Parameters.load()


def _input(rows) -> CalcInput:
    frame = pd.DataFrame(rows, columns=PLAATSING_COLUMNS)
    for c in ("startdatum", "einddatum", "geboortedatum"):
        frame[c] = pd.to_datetime(frame[c])
    return CalcInput.empty_facts(frame)


def _lks(pid, start="2025-01-01", einde=None):
    return [pid, "W1", "lks", start, einde, 3200, 3800, "1980-05-05"]


def _message(calc_input, van, tot) -> str:
    with pytest.raises(ParameterOntbreekt) as exc:
        calculate(calc_input, van, tot, PARAMS)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_wml_after_its_last_known_day_names_the_plaatsing():
    message = _message(_input([_lks("P1"), _lks("P2", einde="2026-06-30")]), "2026-06", "2026-07")
    assert message == (
        "parameter ontbreekt: wml_maandloon heeft geen waarde voor 2026-07-01 (bekend tot en met "
        "2026-06-30; voeg de nieuwe waarde met haar publicatie toe aan wml_maandloon.yaml in de lokale "
            "parametermap van de gemeente ([parameters] lokaal in gemeente.toml) en controleer met "
            "'lks parameters check'); "
        "nodig voor plaatsing P1")


def test_ontwikkelbaan_before_its_first_date_names_plaatsing_quantity_and_day():
    rows = [_lks("P1"), ["OB7", "W1", "ontwikkelbaan", "2021-01-01", None, 3200, 3800, "1990-01-01"]]
    message = _message(_input(rows), "2025-01", "2025-01")
    assert message == (
        "parameter ontbreekt: ontwikkelbaan_maanden heeft geen waarde voor 2021-01-01 (eerste "
        "bekende waarde geldt vanaf 2024-01-01); nodig voor plaatsing OB7")


def test_other_missing_quantities_are_named_too():
    # in 2023 the ontwikkelbaan's fractie is missing as well, from a later day than its duration
    rows = [["OB1", "W1", "ontwikkelbaan", "2021-01-01", None, 3200, 3800, "1990-01-01"],
            ["OB2", "W1", "ontwikkelbaan", "2022-06-01", None, 3200, 3800, "1990-01-01"]]
    message = _message(_input(rows), "2023-03", "2023-03")
    assert message.startswith("parameter ontbreekt: ontwikkelbaan_maanden heeft geen waarde voor "
                              "2021-01-01 (eerste bekende waarde geldt vanaf 2024-01-01); ")
    assert message.endswith("; nodig voor plaatsingen OB1, OB2 (ook zonder waarde: ontwikkelbaan_fractie)")


def test_count_covers_every_chunk(monkeypatch):
    """The core computes in chunks; the message counts the plaatsingen of all of them."""
    monkeypatch.setattr("lks.calc.core.CHUNK", 3)
    rows = [_lks(f"P{i:04d}") for i in range(1, 1202)] + [_lks("P9999", einde="2026-05-31")]
    message = _message(_input(rows[::-1]), "2026-01", "2026-12")
    assert message.startswith("parameter ontbreekt: wml_maandloon heeft geen waarde voor 2026-07-01 ")
    assert message.endswith("; nodig voor 1.201 plaatsingen, waaronder P0001, P0002, P0003, P0004, P0005")
