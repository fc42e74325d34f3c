"""The beschikkingen batch for a plaatsing on verloonde uren (rekenregels §7), on SQLite and on
PostgreSQL, through the real importer and betaalrun: the letters state the subsidy per
verloond uur, never a monthly amount that depends on the month's hours.

OP1: lks, loonwaarde 60 % (fractie 0,40), cao 38 h, on verloonde uren from 2025-07-01
(recorded 2025-07-02), werknemer born 1990. The gemeente's settings set the loonstrook day to
the 12th. A batch on the 18th of each month, then the betaalrun of that month. Loonstroken:

| month   | hours | arrives    | worked (rekenregels §7; 14,40 × 1,08 × 0,40 = 6,2208 €/h)        |
|---------|-------|------------|-------------------------------------------------------------------|
| 2025-07 | 100   | 2025-08-05 | 622,08; × 0,235 = 146,1888 -> 146,19; 768,27                      |
| 2025-08 | 93,5  | 2025-09-05 | 581,6448 -> 581,64; × 0,235 = 136,6854 -> 136,69; 718,33          |
| 2025-09 | 120   | 2025-10-06 | 746,496 -> 746,50; × 0,235 = 175,4275 -> 175,43; 921,93           |
| 2025-10 | 180   | 2025-11-05 | capped at 38 × 13/3 = 494/3 h: 1.024,3584 -> 1.024,36; 240,72; 1.265,08 |
| 2025-11 | 0     | 2025-12-05 | 0 (a delivery of 0 hours)                                          |
| 2025-12 | 50    | 2026-02-05 | late: 311,04; × 0,235 = 73,0944 -> 73,09; 384,13                   |
| 2026-01 | 70    | 2026-02-05 | (14,71 € per hour from January)                                    |

and a new loonwaarde of 50 % from 2026-02-01, recorded 2026-02-03."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction as F

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.beschikkingen import maak_beschikkingen, regenereer
from lks.betaalrun import lifecycle as lc
from lks.db import make_engine
from lks.db.models_beschikking import Beschikking as Row
from lks.db.models_beschikking import BeschikkingPlaatsing
from lks.documents.beschikking import letter_hash
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import EXAMPLE_TOML, parse_settings
from tests.betaalrun.conftest import write_csv
from tests.foundation.helpers import BACKENDS, new_database

UTC = dt.timezone.utc
D = dt.date
PARAMS = Parameters.load()
SETTINGS = parse_settings(EXAMPLE_TOML.replace("loonstrook_dag = 10", "loonstrook_dag = 12"))

UUR = "verloonde_uren.csv", ["plaatsing_id", "periode", "uren"]
LEVERINGEN = {
    D(2025, 7, 2): {
        "werkgevers.csv": (["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode",
                            "plaats"],
                           [["WG1", "Horeca De Wadden", "12345678", "NL91ABNA0417164300", "", "Havenweg", "3",
                             "9976 VN", "Lauwersoog"]]),
        "werknemers.csv": (["werknemer_id", "bsn", "naam", "geboortedatum"],
                           [["N1", "123456782", "Kees de Boer", "1990-05-01"]]),
        "plaatsingen.csv": (["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                             "contracturen", "voltijdsuren", "urenbasis"],
                            [["OP1", "N1", "WG1", "lks", "2025-07-01", "", "0", "38", "verloond"]]),
        "loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["OP1", "2025-07-01", "60"]]),
    },
    D(2025, 8, 5): {UUR[0]: (UUR[1], [["OP1", "2025-07", "100"]])},
    D(2025, 9, 5): {UUR[0]: (UUR[1], [["OP1", "2025-08", "93.5"]])},
    D(2025, 10, 6): {UUR[0]: (UUR[1], [["OP1", "2025-09", "120"]])},
    D(2025, 11, 5): {UUR[0]: (UUR[1], [["OP1", "2025-10", "180"]])},
    D(2025, 12, 5): {UUR[0]: (UUR[1], [["OP1", "2025-11", "0"]])},
    D(2026, 2, 3): {"loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["OP1", "2026-02-01", "50"]])},
    D(2026, 2, 5): {UUR[0]: (UUR[1], [["OP1", "2025-12", "50"], ["OP1", "2026-01", "70"]])},
}
PERIODES = [f"2025-{m:02d}" for m in range(7, 13)] + ["2026-01", "2026-02"]

UUR_2025 = F(62208, 100)     # 14,40 × 1,08 × 0,40 = 6,2208 €/h, in cents
UUR_2026 = F(635472, 1000)   # 14,71 × 1,08 × 0,40 = 6,35472
UUR_2026_LW50 = F(79434, 100)  # 14,71 × 1,08 × 0,50 = 7,9434
# at most per full month, 494/3 hours: 6,2208 × 494/3 = 1.024,3584 -> 1.024,36 + 240,72
MAX_2025 = 126508
# 6,35472 × 494/3 = 1.046,41056 -> 1.046,41; × 0,235 = 245,90635 -> 245,91; 1.292,32
MAX_2026 = 129232
# 7,9434 × 494/3 = 1.308,0132 -> 1.308,01; × 0,235 = 307,38235 -> 307,38; 1.615,39
MAX_2026_LW50 = 161539
# the months of 2025 (table above): 768,27 + 718,33 + 921,93 + 1.265,08 + 0 = 3.673,61
JAAR_2025 = 76827 + 71833 + 92193 + 126508
DECEMBER = 38413


def _tekst(path) -> str:
    """The text a reader sees in a letter's HTML file."""
    body = path.read_text(encoding="utf-8").split("<body", 1)[1].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&nbsp;", " ").split())


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def tijdlijn(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"verloond-{request.param}")
    with new_database(request, request.param, tmp) as url:
        engine = make_engine(url)
        try:
            yield _tijdlijn(engine, tmp)
        finally:
            engine.dispose()


def _tijdlijn(engine, tmp):
    out = tmp / "out"
    runs = {}
    geleverd = set()
    for periode in PERIODES:
        day = D(int(periode[:4]), int(periode[5:]), 18)
        for known, files in sorted(LEVERINGEN.items()):
            if known <= day and known not in geleverd:
                folder = tmp / known.isoformat()
                folder.mkdir()
                for name, (header, rows) in files.items():
                    write_csv(folder, name, header, rows)
                import_directory(engine, folder, recorded_at=dt.datetime.combine(known, dt.time(6), UTC))
                geleverd.add(known)
        runs[day] = maak_beschikkingen(engine, day, dt.datetime.combine(day, dt.time(8), UTC), PARAMS,
                                       SETTINGS, out, pdf=False)
        now = dt.datetime.combine(day, dt.time(9), UTC)
        lc.aanvragen(engine, periode, "m.jansen", now)
        lc.berekenen(engine, periode, "m.jansen", now, PARAMS, SETTINGS)
        lc.goedkeuren(engine, periode, "a.bakker", now + dt.timedelta(hours=2), day + dt.timedelta(days=7))
    return engine, runs


def _rij(engine, kenmerk) -> BeschikkingPlaatsing:
    with Session(engine) as session:
        return session.scalars(select(BeschikkingPlaatsing).join(Row, Row.id == BeschikkingPlaatsing.beschikking_id)
                               .where(Row.kenmerk == kenmerk)).one()


def test_verlening_per_verloond_uur_met_de_loonstrookplicht(tijdlijn):
    engine, runs = tijdlijn
    [brief] = runs[D(2025, 7, 18)].beschikkingen
    assert (brief.soort, brief.werkgever_id, brief.plaatsingen) == ("verlening", "WG1", ("OP1",))
    regel = brief.beschikking.regels[0]
    assert regel.verloond and regel.tijdvak_van == D(2025, 7, 1) and regel.tijdvak_tot is None
    assert (regel.wml_cent, regel.wml_ingangsdatum) == (1440, D(2025, 7, 1))  # the hourly WML (§5)
    assert regel.uurbedrag == UUR_2025 and regel.maximum_uren == F(494, 3)
    assert regel.maandbedrag_cent == MAX_2025
    assert brief.beschikking.loonstrook_dag == 12  # from the settings
    t = _tekst(brief.html_pad)
    assert "De subsidie is € 6,2208 per verloond uur" in t
    assert "Wettelijk minimumloon per uur, geldend vanaf 1 juli 2025 € 14,40" in t
    assert "Percentage loonkostensubsidie: 100 % min loonwaarde 60 % × 40 %" in t
    assert "ten hoogste 164,66… uur per volledige maand" in t
    assert "per volledige maand is de subsidie dus ten hoogste € 1.265,08" in t
    assert ("stuurt u ons bovendien elke maand de loonstrook, uiterlijk op de 12e van de maand daarna : "
            "de loonstrook over juli 2025 dus uiterlijk op 12 augustus 2025") in t
    assert "Voor een werknemer op verloonde uren volgt de betaling de loonstrook." in t
    # the source of the hourly WML in the table of parameters
    assert "Wettelijk minimumloon per uur (21 jaar en ouder) € 14,40 vanaf 1 juli 2025" in t
    assert "Wettelijk minimumloon per maand" not in t
    rij = _rij(engine, brief.kenmerk)
    assert (rij.urenbasis, rij.wml_cent, rij.maandbedrag_cent) == ("verloond", 1440, MAX_2025)
    assert Decimal(str(rij.uurbedrag_cent)) == Decimal("622.08")


def test_geen_brief_als_alleen_de_uren_van_een_maand_veranderen(tijdlijn):
    """Hours of 100, 93,5, 120, 180 (above the maximum) and 0 arrive month after month: the
    hourly amount stays, so no letter (the hours are no decision)."""
    _, runs = tijdlijn
    for day in (D(2025, 8, 18), D(2025, 9, 18), D(2025, 10, 18), D(2025, 11, 18), D(2025, 12, 18)):
        assert runs[day].beschikkingen == [], day


def test_wijziging_per_1_januari_2026_het_uurloon_van_14_40_naar_14_71(tijdlijn):
    engine, runs = tijdlijn
    jan = runs[D(2026, 1, 18)]
    assert [(b.soort, b.werkgever_id) for b in jan.beschikkingen] == [("wijziging", "WG1"), ("vaststelling", "WG1")]
    brief = jan.beschikkingen[0]
    regel = brief.beschikking.regels[0]
    assert (regel.reden_code, regel.tijdvak_van) == ("indexatie", D(2026, 1, 1))
    assert (regel.oud_uurbedrag, regel.uurbedrag) == (UUR_2025, UUR_2026)
    assert (regel.oud_maandbedrag_cent, regel.maandbedrag_cent) == (MAX_2025, MAX_2026)
    t = _tekst(brief.html_pad)
    # 6,35472 − 6,2208 = 0,13392
    assert "Het bedrag wordt € 6,35472 per verloond uur" in t
    assert "Dat was € 6,2208 per verloond uur, dus € 0,13392 meer." in t
    assert "Het minimumloon is gewijzigd per 1 januari 2026 naar € 14,71 per uur." in t
    assert "uiterlijk op de 12e van de maand daarna" in t
    rij = _rij(engine, brief.kenmerk)
    assert (rij.wml_cent, rij.reden_code) == (1471, "indexatie")
    assert Decimal(str(rij.uurbedrag_cent)) == Decimal("635.472")


def test_vaststelling_2025_telt_de_verloonde_uren_op(tijdlijn):
    _, runs = tijdlijn
    brief = runs[D(2026, 1, 18)].beschikkingen[1]
    v = brief.beschikking.vaststelling
    # paid in arrears by the runs of August..November; December's loonstrook had not arrived
    assert (v.vastgesteld_cent, v.voorschotten_cent, v.uitkomst) == (JAAR_2025, JAAR_2025, "geen_verschil")
    [p] = v.per_plaatsing
    assert p.verloonde_uren == F(4935, 10)  # 100 + 93,5 + 120 + 180 + 0
    assert p.maanden_zonder_loonstrook == ("2025-12",)
    t = _tekst(brief.html_pad)
    assert "Werknemer Regeling Verloonde uren Vastgesteld Voorschotten Verschil" in t
    assert "OP1 LKS loonwaarde 60 % 493,5 3.673,61 3.673,61 0,00" in t
    assert "Kees de Boer (plaatsing OP1): december 2025;" in t


def test_late_loonstrook_herziet_de_vaststelling_en_een_nieuwe_loonwaarde_wijzigt(tijdlijn):
    """February: December's loonstrook (50 h) arrives late, after the vaststelling, and a new
    loonwaarde of 50 % from 1 February. January's hours (70) make no letter."""
    engine, runs = tijdlijn
    feb = runs[D(2026, 2, 18)]
    assert [(b.soort, b.werkgever_id) for b in feb.beschikkingen] == [("wijziging", "WG1"), ("vaststelling", "WG1")]
    regel = feb.beschikkingen[0].beschikking.regels[0]
    assert (regel.reden_code, regel.tijdvak_van) == ("loonwaarde", D(2026, 2, 1))
    assert (regel.oud_uurbedrag, regel.uurbedrag) == (UUR_2026, UUR_2026_LW50)
    assert regel.maandbedrag_cent == MAX_2026_LW50
    herziening = feb.beschikkingen[1]
    assert herziening.herziet_kenmerk == runs[D(2026, 1, 18)].beschikkingen[1].kenmerk
    v = herziening.beschikking.vaststelling
    # 3.673,61 + 384,13 = 4.057,74, against the same voorschotten: 384,13 to pay
    assert (v.vastgesteld_cent, v.voorschotten_cent) == (JAAR_2025 + DECEMBER, JAAR_2025)
    assert v.herziening.vastgesteld_cent == JAAR_2025 and v.uitkomst == "nabetaling"
    [p] = v.per_plaatsing
    assert (p.verloonde_uren, p.maanden_zonder_loonstrook) == (F(5435, 10), None)
    t = _tekst(herziening.html_pad)
    assert "OP1 LKS loonwaarde 60 % 543,5 3.673,61 4.057,74 3.673,61 384,13" in t
    assert "geen loonstrook ontvangen" not in t and "december 2025;" not in t


def test_brieven_uit_de_vastgelegde_invoer_byte_voor_byte(tijdlijn):
    engine, runs = tijdlijn
    with Session(engine) as session:
        rows = {r.kenmerk: r.html_sha256 for r in session.scalars(select(Row))}
    assert len(rows) == sum(len(r.beschikkingen) for r in runs.values()) == 5
    for kenmerk, html_hash in rows.items():
        _, html, _ = regenereer(engine, kenmerk, pdf=False)
        assert letter_hash(html) == html_hash, kenmerk


def test_overgang_naar_verloonde_uren_en_een_andere_cao_week(request, backend, tmp_path):
    """P1 starts on contracturen (32 of 38 h, loonwaarde 60 %: 1.065,05 per month in July 2025,
    rekenregels §3) and is delivered again on verloonde uren: a wijziging (urenbasis), from its
    start, as the urenbasis holds for the whole plaatsing. Its contracturen then change (20 h):
    no letter, they are information only. Then the cao week goes from 38 to 36 h: the maximum
    per month changes, a wijziging (maximum_uren) with the same hourly amount."""
    plaatsing = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                 "contracturen", "voltijdsuren", "urenbasis"]
    uren = ["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"]
    eerste = dict(LEVERINGEN[D(2025, 7, 2)])
    eerste["plaatsingen.csv"] = (plaatsing, [["P1", "N1", "WG1", "lks", "2025-07-01", "", "32", "38", "contract"]])
    eerste["loonwaarden.csv"] = (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["P1", "2025-07-01", "60"]])
    leveringen = {
        D(2025, 7, 2): eerste,
        D(2025, 8, 4): {"plaatsingen.csv": (plaatsing, [["P1", "N1", "WG1", "lks", "2025-07-01", "", "32", "38",
                                                         "verloond"]])},
        D(2025, 9, 3): {"urenwijzigingen.csv": (uren, [["P1", "2025-09-01", "20", "38"]])},
        D(2025, 10, 2): {"urenwijzigingen.csv": (uren, [["P1", "2025-10-01", "20", "36"]])},
    }
    with new_database(request, backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            brieven = {}
            for known, files in leveringen.items():
                folder = tmp_path / known.isoformat()
                folder.mkdir()
                for name, (header, rows) in files.items():
                    write_csv(folder, name, header, rows)
                import_directory(engine, folder, recorded_at=dt.datetime.combine(known, dt.time(6), UTC))
                day = known.replace(day=18)
                brieven[day] = maak_beschikkingen(engine, day, dt.datetime.combine(day, dt.time(8), UTC), PARAMS,
                                                  SETTINGS, tmp_path / "out", pdf=False).beschikkingen
        finally:
            engine.dispose()
    [verlening] = brieven[D(2025, 7, 18)]
    assert verlening.soort == "verlening" and verlening.beschikking.regels[0].maandbedrag_cent == 106505
    assert verlening.beschikking.loonstrook_dag is None  # on contracturen: no loonstrook obligation

    [overgang] = brieven[D(2025, 8, 18)]
    r = overgang.beschikking.regels[0]
    assert (overgang.soort, r.reden_code, r.tijdvak_van) == ("wijziging", "urenbasis", D(2025, 7, 1))
    assert (r.verloond, r.uurbedrag, r.oud_uurbedrag, r.oud_maandbedrag_cent) == (True, UUR_2025, None, 106505)
    t = _tekst(overgang.html_pad)
    assert ("Het bedrag wordt € 6,2208 per verloond uur , plus een vergoeding voor werkgeverslasten van 23,5 % over "
            "het bedrag per maand. Tot nu toe kreeg u € 1.065,05 per volledige maand op basis van vaste arbeidsuren.") in t
    assert "De reden is: overgang tussen vaste arbeidsuren en verloonde uren." in t
    assert "uiterlijk op de 12e van de maand daarna" in t

    assert brieven[D(2025, 9, 18)] == []  # contracturen 32 -> 20: information only

    [cao] = brieven[D(2025, 10, 18)]
    r = cao.beschikking.regels[0]
    assert (cao.soort, r.reden_code, r.tijdvak_van) == ("wijziging", "maximum_uren", D(2025, 10, 1))
    # 36 × 13/3 = 156 h exactly; 6,2208 × 156 = 970,4448 -> 970,44; × 0,235 = 228,0534 -> 228,05
    assert r.maximum_uren == 156 and r.uurbedrag == r.oud_uurbedrag == UUR_2025
    assert (r.oud_maandbedrag_cent, r.lks_basis_cent, r.werkgeverslasten_cent) == (MAX_2025, 97044, 22805)
    t = _tekst(cao.html_pad)
    assert "Dat was € 6,2208 per verloond uur. U krijgt subsidie over ten hoogste 156 uur per volledige maand" in t
    assert "Daarom verandert het maximum aantal uren per maand." in t
