"""The betaalspecificatie of a run with plaatsingen on verloonde uren (rekenregels §7), on SQLite
and PostgreSQL, through the importer, the betaalrun and ``maak_bestanden``: each verloond line
shows the month's hours as known at the run's ``feiten_per`` and the subsidy per verloond uur
the calculation used; the contract lines stay as they were.

WG1 employs, all lks from 2025-01-01, cao 38 h:
- OP1 on verloonde uren, loonwaarde 60 % (6,2208 € per hour from July 2025: 14,40 × 1,08 × 0,40);
- OP2 on verloonde uren, loonwaarde 60 % until 15 July 2025 and 50 % from 16 July (rekenregels
  §7, fourth example);
- VAST on contracturen, 32 h, loonwaarde 60 %: 1.065,05 per month from July 2025 (§3).
The July hours arrive on 5 August (OP1 100 h, OP2 93 h), a corrected July (93,5 h) and August
(180 h, above the maximum) for OP1 on 5 September."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import BestandFout, maak_bestanden
from lks.db import make_engine
from lks.documents.betaalspecificatie import CSV_KOLOMMEN, CSV_KOLOMMEN_VERLOOND
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import EXAMPLE_TOML, parse_settings
from tests.betaalrun.conftest import write_csv
from tests.foundation.helpers import BACKENDS, new_database

UTC = dt.timezone.utc
D = dt.date
PARAMS = Parameters.load()
SETTINGS = parse_settings(EXAMPLE_TOML)
JAARLIJKS = parse_settings(EXAMPLE_TOML.replace('indexatie = "halfjaarlijks"', 'indexatie = "jaarlijks"'))
UUR = ["plaatsing_id", "periode", "uren"]
LEVERINGEN = {
    D(2025, 7, 2): {
        "werkgevers.csv": (["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode",
                            "plaats"],
                           [["WG1", "Horeca De Wadden", "12345678", "NL91ABNA0417164300", "", "Havenweg", "3",
                             "9976 VN", "Lauwersoog"]]),
        "werknemers.csv": (["werknemer_id", "bsn", "naam", "geboortedatum"],
                           [["N1", "123456782", "Kees de Boer", "1990-05-01"],
                            ["N2", "100000022", "Ans Bos", "1985-03-12"],
                            ["N3", "111222333", "Piet Vast", "1980-10-10"]]),
        "plaatsingen.csv": (["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                             "contracturen", "voltijdsuren", "urenbasis"],
                            [["OP1", "N1", "WG1", "lks", "2025-01-01", "", "0", "38", "verloond"],
                             ["OP2", "N2", "WG1", "lks", "2025-01-01", "", "12", "38", "verloond"],
                             ["VAST", "N3", "WG1", "lks", "2025-01-01", "", "32", "38", ""]]),
        "loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"],
                            [["OP1", "2025-01-01", "60"], ["OP2", "2025-01-01", "60"], ["OP2", "2025-07-16", "50"],
                             ["VAST", "2025-01-01", "60"]]),
    },
    D(2025, 8, 5): {"verloonde_uren.csv": (UUR, [["OP1", "2025-07", "100"], ["OP2", "2025-07", "93"]])},
    D(2025, 9, 5): {"verloonde_uren.csv": (UUR, [["OP1", "2025-07", "93.5"], ["OP1", "2025-08", "180"]])},
}


def _lever(engine, tmp, known):
    folder = tmp / known.isoformat()
    folder.mkdir()
    for name, (header, rows) in LEVERINGEN[known].items():
        write_csv(folder, name, header, rows)
    import_directory(engine, folder, recorded_at=dt.datetime.combine(known, dt.time(6), UTC))


def _run(engine, periode, day):
    now = dt.datetime.combine(day, dt.time(9), UTC)
    lc.aanvragen(engine, periode, "m.jansen", now)
    lc.berekenen(engine, periode, "m.jansen", now, PARAMS, SETTINGS)
    lc.goedkeuren(engine, periode, "a.bakker", now + dt.timedelta(hours=2), day + dt.timedelta(days=7))


def _export(engine, periode, day, out, settings=SETTINGS):
    return maak_bestanden(engine, periode, None, "carla", dt.datetime.combine(day, dt.time(12), UTC), settings, out,
                          pdf=True, params=PARAMS)


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def runs(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"spec-verloond-{request.param}")
    with new_database(request, request.param, tmp) as url:
        engine = make_engine(url)
        try:
            _lever(engine, tmp, D(2025, 7, 2))
            _run(engine, "2025-07", D(2025, 7, 18))
            juli = _export(engine, "2025-07", D(2025, 7, 19), tmp / "out")
            _lever(engine, tmp, D(2025, 8, 5))
            _run(engine, "2025-08", D(2025, 8, 18))
            _lever(engine, tmp, D(2025, 9, 5))
            # the August run exported after the corrected loonstrook arrived: as known at its calculation
            augustus = _export(engine, "2025-08", D(2025, 9, 8), tmp / "out")
            with pytest.raises(BestandFout, match="plaatsing OP1 in 2025-07") as fout:
                _export(engine, "2025-08", D(2025, 9, 8), tmp / "anders", settings=JAARLIJKS)
            _run(engine, "2025-09", D(2025, 9, 18))
            september = _export(engine, "2025-09", D(2025, 9, 19), tmp / "out")
            yield {"2025-07": juli, "2025-08": augustus, "2025-09": september, "fout": str(fout.value),
                   "anders": tmp / "anders"}
        finally:
            engine.dispose()


def _html(bestanden) -> str:
    [pad] = bestanden.map.glob("specificatie-*-WG1.html")
    body = pad.read_text(encoding="utf-8").split("<body>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _csv(bestanden) -> dict:
    [pad] = bestanden.map.glob("specificatie-*-WG1.csv")
    rows = list(csv.reader(io.StringIO(pad.read_text(encoding="utf-8"))))
    return {"kop": tuple(rows[0]), "regels": {(r[3], r[7]): r for r in rows[1:] if r[8] in ("regulier", "correctie")}}


def test_een_run_zonder_verloonde_regels_is_als_voorheen(runs):
    """July: no loonstrook yet, so only the contract line (1.065,05): no hour columns."""
    tekst = _html(runs["2025-07"])
    assert "Verloonde uren" not in tekst and "Per uur" not in tekst
    assert "2025-07 862,39 202,66 € 1.065,05" in tekst
    assert _csv(runs["2025-07"])["kop"] == CSV_KOLOMMEN


def test_specificatie_met_uren_en_bedrag_per_uur(runs):
    """August pays July in arrears: OP1 100 h × 6,2208 = 622,08 + 146,19 = 768,27; OP2 93 h:
    45 h × 6,2208 + 48 h × 7,776 = 653,184 -> 653,18 + 153,50 = 806,68 (rekenregels §7)."""
    tekst = _html(runs["2025-08"])
    assert "Periode Verloonde uren Per uur LKS-basis Werkgeverslasten Bedrag" in tekst
    # as known at the run's feiten_per (18 August): 100 h, not the 93,5 h delivered on 5 September
    assert "correctie 2025-07 100 € 6,2208 622,08 146,19 € 768,27" in tekst
    assert "correctie 2025-07 93 € 6,2208 over 45 uur € 7,776 over 48 uur 653,18 153,50 € 806,68" in tekst
    assert "2025-08 862,39 202,66 € 1.065,05" in tekst  # the contract line, hour cells empty
    c = _csv(runs["2025-08"])
    assert c["kop"] == CSV_KOLOMMEN + CSV_KOLOMMEN_VERLOOND
    n = len(CSV_KOLOMMEN)
    assert c["regels"]["OP1", "2025-07"][n - 3:] == ["622.08", "146.19", "768.27", "100", "100", "6.2208"]
    assert c["regels"]["OP2", "2025-07"][n:] == ["93", "45;48", "6.2208;7.776"]
    assert c["regels"]["VAST", "2025-08"][n:] == ["", "", ""]
    [pdf] = runs["2025-08"].map.glob("specificatie-*-WG1.pdf")
    assert pdf.exists()


def test_gecorrigeerde_loonstrook_en_het_maximum(runs):
    """September: July corrected to 93,5 h: 93,5 × 6,2208 = 581,6448 -> 581,64; × 0,235 = 136,69;
    718,33 − 768,27 = −49,94 (−40,44 and −9,50). August 180 h, above 38 × 13/3 = 164,666… h:
    1.024,36 + 240,72 = 1.265,08."""
    tekst = _html(runs["2025-09"])
    assert "correctie 2025-07 93,5 € 6,2208 -40,44 -9,50 € -49,94" in tekst
    assert "correctie 2025-08 180 (ten hoogste 164,66…) € 6,2208 1.024,36 240,72 € 1.265,08" in tekst
    n = len(CSV_KOLOMMEN)
    assert _csv(runs["2025-09"])["regels"]["OP1", "2025-08"][n:] == ["180", "164.6667", "6.2208"]


def test_een_andere_berekening_dan_de_run_wordt_geweigerd(runs):
    """Exported with another indexatie the July hourly WML would be January's 14,06: the
    specificatie would explain 768,27 with other figures, so nothing is written."""
    assert "de betaalrun berekende 76827 cent" in runs["fout"]
    assert not runs["anders"].exists()
