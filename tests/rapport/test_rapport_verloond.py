"""The rapport with verloonde uren (rekenregels §7): per budget what was paid on contracturen
and what on verloonde uren, and the months that still wait for a loonstrook at the reporting
date, with the most each can cost. On a real database (SQLite and PostgreSQL), amounts worked
out by hand.

The small gemeente (P1 lks at W1, P2 beschut and P3 ontwikkelbaan at W2, all on contracturen)
plus, from 1 July 2025 on verloonde uren:
- OP1: lks at W1, loonwaarde 60 %, cao 38 h;
- OP2: beschut at W2, cao 36 h.
Runs July, August and September 2025; the report is made on 20 October 2025.
"""
import datetime as dt
from decimal import Decimal

import pytest

from lks.importer import import_directory
from lks.verantwoording.rapport import maak_rapport
from tests.betaalrun.conftest import bsn

from .conftest import PARAMS, SETTINGS, UTC, run_month, write_csv

NOW = dt.datetime(2025, 10, 20, 9, 0, tzinfo=UTC)


def lever(engine, directory, moment, **files):
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in files.items():
        write_csv(directory, name, header, rows)
    import_directory(engine, directory, recorded_at=moment)


def uren(engine, directory, moment, *rows):
    lever(engine, directory, moment, **{"verloonde_uren.csv": (["plaatsing_id", "periode", "uren"], list(rows))})


@pytest.fixture
def rapport(engine, tmp_path, bestanden):
    lever(engine, tmp_path / "op", dt.datetime(2025, 6, 20, tzinfo=UTC), **{
        "werknemers.csv": (["werknemer_id", "bsn", "naam", "geboortedatum"],
                           [["N4", bsn(4), "Dirk Oproep", "1996-03-12"], ["N5", bsn(5), "Eva Flex", "1988-10-02"]]),
        "plaatsingen.csv": (["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                             "contracturen", "voltijdsuren", "urenbasis"],
                            [["OP1", "N4", "W1", "lks", "2025-07-01", "", "0", "38", "verloond"],
                             ["OP2", "N5", "W2", "beschut", "2025-07-01", "", "12", "36", "verloond"]]),
        "loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["OP1", "2025-07-01", "60"]])})
    run_month(engine, "2025-07", dt.datetime(2025, 7, 18, 7, tzinfo=UTC), bestanden)
    uren(engine, tmp_path / "juli", dt.datetime(2025, 8, 8, 9, tzinfo=UTC), ["OP1", "2025-07", "100"],
         ["OP2", "2025-07", "120"])
    run_month(engine, "2025-08", dt.datetime(2025, 8, 18, 7, tzinfo=UTC), bestanden)
    uren(engine, tmp_path / "augustus", dt.datetime(2025, 9, 8, 9, tzinfo=UTC), ["OP1", "2025-08", "50"])
    run_month(engine, "2025-09", dt.datetime(2025, 9, 18, 7, tzinfo=UTC), bestanden)
    return maak_rapport(engine, 2025, PARAMS, SETTINGS, bestanden=bestanden, now=NOW)


def test_paid_on_contracturen_and_on_verloonde_uren(rapport):
    r = rapport
    assert r.identiteiten_kloppen, [c.uitzonderingen for c in r.controles if not c.ok]
    u = r.per_urenbasis.set_index(["budget", "urenbasis"])
    # verloond, BUIG (WML 14,40 an hour from July 2025):
    #   OP1 July 100 h: 14.40 × 1.08 × 0.40 × 100 = 622.08; × 0.235 = 146.1888 → 146.19; 768.27
    #   OP1 August 50 h: 311.04; × 0.235 = 73.0944 → 73.09; 384.13
    #   OP2 July 120 h, beschut 0.70: 14.40 × 1.08 × 0.70 × 120 = 1306.368 → 1306.37; × 0.235 = 306.99695
    #   → 307.00; 1613.37
    assert u.loc[("buig", "verloond"), "goedgekeurd"] == 768_27 + 384_13 + 1613_37 == 2765_77
    assert u.loc[("buig", "verloond"), "plaatsingen"] == 2
    # contract, BUIG, January-September:
    #   P1 (lks 60 %, 32 of 38 h): 1.039,44 × 6 (WML 2.191,80) + 1.065,05 × 3 (2.245,80) = 9.431,79
    #   P2 (beschut 38 h): 2191.80 × 1.08 × 0.70 × 38/36 = 1749.0564 → 1749.06; × 0.235 = 411.0291 → 411.03;
    #   2.160,09 × 6 + 2.213,31 × 3 (rekenregels §3) = 19.600,47
    assert u.loc[("buig", "contract"), "goedgekeurd"] == 9431_79 + 19600_47
    # P3, ontwikkelbaan (forfait 0.50, 32 of 36 h): 1.299,29 × 6 + 1.331,31 × 3 = 11.789,67; no verloonde uren
    assert u.loc[("reintegratie", "contract"), "goedgekeurd"] == 11789_67
    assert u.loc[("reintegratie", "verloond"), ["plaatsingen", "goedgekeurd"]].tolist() == [0, 0]
    # the split adds up to the budget totals
    per_budget = r.per_regeling.groupby("budget")["goedgekeurd"].sum()
    assert r.per_urenbasis.groupby("budget")["goedgekeurd"].sum().to_dict() == per_budget.to_dict()
    assert any("verloonde uren alleen mee voor maanden waarvan de uren al zijn geleverd" in m
               for m in r.prognose_meldingen)


def test_months_waiting_for_a_loonstrook_with_the_most_they_can_cost(rapport):
    r = rapport
    assert r.peildatum == dt.date(2025, 10, 20)
    rows = r.loonstroken[["plaatsing_id", "periode", "werkgever_id", "uiterlijk", "te_laat", "maximum"]]
    # at the cap of §7 (rekenregels §7, second worked example for OP1):
    #   OP1, 38 × 13/3 = 164.666… h: 6.2208 × 494/3 = 1024.3584 → 1024.36; × 0.235 = 240.7246 → 240.72; 1.265,08
    #   OP2, beschut, 36 × 13/3 = 156 h: 10.8864 × 156 = 1698.2784 → 1698.28; × 0.235 = 399.0958 → 399.10; 2.097,38
    assert rows.values.tolist() == [
        ["OP2", "2025-08", "W2", dt.date(2025, 9, 10), True, 2097_38],
        ["OP1", "2025-09", "W1", dt.date(2025, 10, 10), True, 1265_08],
        ["OP2", "2025-09", "W2", dt.date(2025, 10, 10), True, 2097_38]]
    assert set(r.loonstroken["budget"]) == {"buig"}


def test_the_outputs_show_both(rapport, tmp_path):
    from openpyxl import load_workbook
    from rich.console import Console

    from lks.verantwoording.uitvoer import loonstroken_regel, print_rapport, write_html, write_xlsx
    r = rapport
    regel = loonstroken_regel(r)
    # 1.265,08 + 2 × 2.097,38 = 5.459,84
    assert regel == ("Loonstroken: op 20 oktober 2025 wachten 3 plaatsing-maanden van 2025 op de verloonde uren "
                     "(2 plaatsing(en), 2 werkgever(s)); betaald is daarover nog 0, ten hoogste € 5.459,84 als voor "
                     "elke maand het maximum van de cao (voltijdsuren × 13/3) wordt verloond.").replace("€ ", "€\xa0")
    console = Console(record=True, width=200)
    print_rapport(r, console)
    tekst = console.export_text()
    assert "Contracturen en verloonde uren" in tekst and "verloonde uren" in tekst and "2.765,77" in tekst
    assert "Maanden die wachten op een loonstrook" in tekst and "10 september 2025 (te laat)" in tekst

    wb = load_workbook(write_xlsx(r, tmp_path / "rapport.xlsx"))
    blad = wb["Urenbasis"]
    assert [c.value for c in blad[1]] == ["Budget", "Grondslag", "Plaatsingen", "Berekend", "Goedgekeurd",
                                          "Betaald", "Open correctie"]
    waarden = {(row[0].value, row[1].value): row[4].value for row in blad.iter_rows(min_row=2)}
    assert Decimal(str(waarden[("BUIG", "verloonde uren")])) == Decimal("2765.77")
    blad = wb["Loonstroken ontbreken"]
    assert [Decimal(str(row[8].value)) for row in blad.iter_rows(min_row=2)] == [
        Decimal("2097.38"), Decimal("1265.08"), Decimal("2097.38")]
    assert any(row[1].value == regel for row in wb["Samenvatting"].iter_rows())

    html = write_html(r, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "<h2>Contracturen en verloonde uren</h2>" in html and "Loonstroken die ontbreken" in html
    assert "€\xa02.765,77" in html and "€\xa01.265,08" in html and "€\xa05.459,84" in html


def test_no_verloonde_uren_no_waiting(engine, bestanden):
    run_month(engine, "2025-01", dt.datetime(2025, 1, 20, 9, tzinfo=UTC), bestanden)
    r = maak_rapport(engine, 2025, PARAMS, SETTINGS, bestanden=bestanden, now=NOW)
    assert r.loonstroken.empty and not any("verloonde uren" in m for m in r.prognose_meldingen)
    assert r.per_urenbasis.set_index(["budget", "urenbasis"]).loc[("buig", "verloond"), "goedgekeurd"] == 0
