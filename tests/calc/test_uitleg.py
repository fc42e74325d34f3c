"""`lks explain` text (lks/uitleg.py) for a month on verloonde uren (rekenregels §7): the
delivered hours, their spread over the segments, the maximum per segment and the hourly
amounts; and a month whose hours are missing. Hand arithmetic in cases/verloonde_uren.yaml
(verloond_maximum_in_een_segment_niet_in_het_andere, rr7_lks_augustus2025_geen_uren)."""
from __future__ import annotations

import pandas as pd

from lks.calc import CalcInput, Policy, calculate
from lks.calc.model import LOONWAARDE_COLUMNS, PLAATSING_COLUMNS, UREN_COLUMNS, VERLOONDE_UREN_COLUMNS
from lks.parameters import Parameters
from lks.uitleg import uitleg

PARAMS = Parameters.load()
# amounts are written '€\xa01.007,18' (babel's nl_NL pattern with a no-break space)


def _input(urenbasis="verloond", uren=(("2025-07", 16000),)) -> CalcInput:
    plaatsingen = pd.DataFrame([["P1", "W1", "lks", pd.Timestamp("2025-01-01"), pd.NaT, 1000, 3800,
                                 pd.Timestamp("1980-05-05"), urenbasis]],
                               columns=PLAATSING_COLUMNS + ["urenbasis"])
    lw = pd.DataFrame([["P1", pd.Timestamp("2025-01-01"), 6000]], columns=LOONWAARDE_COLUMNS)
    uw = pd.DataFrame([["P1", pd.Timestamp("2025-07-16"), 1000, 2400]], columns=UREN_COLUMNS)
    vu = pd.DataFrame([["P1", p, h] for p, h in uren], columns=VERLOONDE_UREN_COLUMNS)
    return CalcInput(plaatsingen, lw, uw, vu)


def _text(calc_input, periode):
    result = calculate(calc_input, periode, periode, PARAMS, explain=True)
    return uitleg(result, "P1", periode, PARAMS, Policy())


def test_verloonde_uren_spread_maximum_and_hourly_amount():
    lines = _text(_input(), "2025-07")
    assert "Urenbasis: verloonde uren (uren volgens de loonstrook, rekenregels §7); de contracturen tellen niet mee" in lines
    assert "Verloonde uren 2025-07: 160 uur, gelijk verdeeld over de 31 actieve dagen" in lines
    assert not any(line.lstrip().startswith("Urenfactor") for line in lines)
    seg1 = lines.index("Segment 1: 1 juli 2025 t/m 15 juli 2025 (15 van 31 dagen)")
    seg2 = lines.index("Segment 2: 16 juli 2025 t/m 31 juli 2025 (16 van 31 dagen)")
    one, two = lines[seg1:seg2], lines[seg2:]
    assert one[1].startswith("  WML per uur (minimumuurloon 21+) geldig op 1 juli 2025: €\xa014,40 — ")
    assert "  Uurbedrag = 14,40 × 1 × 1,08 × 0,4 = 6,2208" in one
    # 160 × 15/31 = 77,419354…; 38 × 13/3 × 15/31 = 7410/93 = 79,677419…
    assert "  Uren: 160 × 15/31 = 77,419354… uur (verdeeld over de actieve dagen)" in one
    assert "  Maximum: 38 voltijdsuren × 13/3 weken × 15/31 = 79,677419… uur — niet bereikt" in one
    # 6,2208 × 2400/31 = 481,610322…
    assert "  Bijdrage = uurbedrag × 77,419354… uur = 481,610322…" in one
    # 160 × 16/31 = 82,580645…; 24 × 13/3 × 16/31 = 1664/31 = 53,677419… (reached)
    assert "  Uren: 160 × 16/31 = 82,580645… uur (verdeeld over de actieve dagen)" in two
    assert ("  Maximum: 24 voltijdsuren × 13/3 weken × 16/31 = 53,677419… uur — bereikt: er tellen "
            "53,677419… uur") in two
    assert "  Bijdrage = uurbedrag × 53,677419… uur = 333,91649…" in two
    # 25281,3312 / 31 = 815,5268129… -> 815,53; 191,64955 -> 191,65
    assert "lks_basis exact = 815,5268129… euro" in lines
    assert "lks_basis afgerond (half naar boven, op centen): €\xa0815,53" in lines
    assert "lks_totaal = €\xa0815,53 + €\xa0191,65 = €\xa01.007,18" in lines
    assert lines[-1] == "Redenen: geen"


def test_month_without_verloonde_uren_says_they_are_missing():
    lines = _text(_input(), "2025-08")
    assert "Verloonde uren 2025-08: niet aangeleverd — geen subsidie tot de uren bekend zijn (uren_ontbreken)" in lines
    assert "  Uren: verloonde uren ontbreken → 0 uur" in lines
    assert "  Reden: uren_ontbreken" in lines
    assert "lks_totaal = €\xa00,00 + €\xa00,00 = €\xa00,00" in lines
    assert lines[-1].startswith("Redenen: uren_ontbreken — verloonde uren van deze maand nog niet aangeleverd")


def test_contract_month_keeps_its_urenfactor_text():
    lines = _text(_input(urenbasis="contract"), "2025-07")
    assert not any(line.startswith("Urenbasis") or line.startswith("Verloonde uren") for line in lines)
    assert "  Urenfactor: min(10; 38) / 36 (referentie-uren) = 0,277777… — Wet invoering minimumuurloon (in werking 1 januari 2024) (https://wetten.overheid.nl/BWBR0002638)" in lines
