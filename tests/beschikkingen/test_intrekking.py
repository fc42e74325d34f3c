"""The intrekkingsbeschikking (Awb art. 4:48, issue 14 §3), on SQLite and PostgreSQL: a
withdrawn plaatsing about which a verlening was made gets a letter that withdraws it with
retroactive effect, names the letters it withdraws, the amount paid on it (to be set off or
recovered) and the bezwaarclausule; a withdrawn loonwaarde that changes the amount gets a
wijziging; a withdrawn plaatsing without letters gets none; delivered again, it starts with a
new verlening.

Small gemeente of tests/betaalrun/conftest.py plus the mistake P4 (W1, werknemer N3, lks
without loonwaarde, since 2025-01-01). Amounts from rekenregels §2:
- P4, forfait 0,50, 32 of 38 h, WML 2.191,80 (Jan–Jun 2025): 2.191,80 × 1,08 × 0,50 × 32/36
  = 1.052,064 → 1.052,06; × 0,235 = 247,2341 → 247,23; 1.299,29 a month;
- P1 with 50 %: the same 1.299,29; with its 60 %: 1.039,44 (test_lifecycle).
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.beschikkingen import regenereer
from lks.db.models_beschikking import Beschikking, BeschikkingPlaatsing
from lks.documents.beschikking import letter_hash, render_pdf
from tests.foundation.helpers import BACKENDS

from .test_batch import D, UTC, _betaalrun, _engine, _import_dir, _run

PLAATSING_KOP = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                 "contracturen", "voltijdsuren"]
INTREKKING_KOP = ["bestand", "plaatsing_id", "sleutel", "reden"]


def _lever(engine, tmp, day: dt.date, files: dict):
    from lks.importer import import_directory
    import_directory(engine, _import_dir(tmp, f"{day.isoformat()}-{len(list(tmp.iterdir()))}", files),
                     recorded_at=dt.datetime.combine(day, dt.time(6), UTC))


def _tekst(html: str) -> str:
    body = html[html.index("<body"):]
    return re.sub(r" ([).,;])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", body).replace("&nbsp;", " ").split()))


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def tijdlijn(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"intrekking-{request.param}")
    with _engine(request, request.param, tmp) as engine:
        out = tmp / "out"
        _lever(engine, tmp, D(2025, 1, 10), {"plaatsingen.csv": (PLAATSING_KOP, [
            ["P4", "N3", "W1", "lks", "2025-01-01", "", "32", "38"],
            ["P5", "N2", "W1", "lks", "2025-01-01", "", "20", "38"]])})
        # P5 is withdrawn before any letter was made about it
        _lever(engine, tmp, D(2025, 1, 12), {"intrekkingen.csv": (INTREKKING_KOP, [
            ["plaatsingen", "P5", "", "dubbel ingevoerd"]])})
        brieven = {}
        brieven["2025-01"] = _run(engine, D(2025, 1, 18), out)
        _betaalrun(engine, "2025-01", D(2025, 1, 18))
        _lever(engine, tmp, D(2025, 2, 10), {"loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [
            ["P1", "2025-02-01", "50"]])})
        brieven["2025-02"] = _run(engine, D(2025, 2, 18), out)
        _betaalrun(engine, "2025-02", D(2025, 2, 18))
        _lever(engine, tmp, D(2025, 3, 5), {"intrekkingen.csv": (INTREKKING_KOP, [
            ["plaatsingen", "P4", "", "plaatsing ingevoerd voor de verkeerde werknemer"],
            ["loonwaarden", "P1", "2025-02-01", "meting hoorde bij een andere werknemer"]])})
        brieven["2025-03"] = _run(engine, D(2025, 3, 18), out)
        _betaalrun(engine, "2025-03", D(2025, 3, 18))
        brieven["2025-04"] = _run(engine, D(2025, 4, 18), out)
        _lever(engine, tmp, D(2025, 5, 2), {"plaatsingen.csv": (PLAATSING_KOP, [
            ["P4", "N3", "W1", "lks", "2025-05-01", "", "32", "38"]])})
        brieven["2025-05"] = _run(engine, D(2025, 5, 18), out)
        yield engine, brieven


def _soorten(resultaat) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((b.soort, b.werkgever_id, b.plaatsingen) for b in resultaat.beschikkingen)


def test_no_letter_for_a_plaatsing_withdrawn_before_its_first_letter(tijdlijn):
    _, brieven = tijdlijn
    assert all("P5" not in b.plaatsingen for r in brieven.values() for b in r.beschikkingen)
    assert ("verlening", "W1", ("P1", "P4")) in _soorten(brieven["2025-01"])


def test_the_withdrawn_plaatsing_gets_an_intrekking_with_what_was_paid(tijdlijn):
    engine, brieven = tijdlijn
    [brief] = [b for b in brieven["2025-03"].beschikkingen if b.soort == "intrekking"]
    assert (brief.werkgever_id, brief.plaatsingen) == ("W1", ("P4",))
    [verlening] = [b for b in brieven["2025-01"].beschikkingen if b.soort == "verlening" and b.werkgever_id == "W1"]
    regel = brief.beschikking.intrekking.per_plaatsing[0]
    # paid in January and February, both runs calculated before the withdrawal: 2 × 1.299,29
    assert regel.betaald_cent == 2 * 1299_29
    assert [(b.kenmerk, b.soort) for b in regel.besluiten] == [(verlening.kenmerk, "verlening")]
    assert regel.reden == "plaatsing ingevoerd voor de verkeerde werknemer"
    # the state as granted: P4's forfait amount in March 2025
    assert brief.beschikking.regels[0].maandbedrag_cent == 1299_29

    html = brief.html_pad.read_text(encoding="utf-8")
    tekst = _tekst(html)
    assert "Intrekking loonkostensubsidie Cor Mulder" in tekst
    assert ("Wij hebben u loonkostensubsidie verleend voor de dienstbetrekking van Cor Mulder (BSN ******032, "
            "plaatsing P4).") in tekst
    assert "Wij trekken de loonkostensubsidie voor de dienstbetrekking van Cor Mulder (BSN ******032) in." in tekst
    assert f"Het gaat om: de verlening van 18 januari 2025 (kenmerk {verlening.kenmerk})." in tekst
    assert "De intrekking werkt terug tot de dag waarop wij de subsidie hebben verleend (artikel 4:48, tweede lid, Awb)" in tekst
    assert "U heeft € 2.598,58 te veel ontvangen. Dat bedrag vorderen wij van u terug (artikel 4:57 Awb)" in tekst
    assert "Bij de controle van onze administratie bleek: plaatsing ingevoerd voor de verkeerde werknemer." in tekst
    assert "artikel 4:48, eerste lid, onder a en d, Awb" in tekst
    assert "Bent u het niet eens met dit besluit?" in tekst and "Dan kunt u bezwaar maken." in tekst
    assert "Rekengegevens en bronnen" not in tekst  # an intrekking grants nothing
    assert not re.search(r"(?<!\d)\d{9}(?!\d)", tekst)  # BSNs masked

    # recorded: soort intrekking, the amount paid, and a letter that regenerates byte for byte
    with Session(engine) as s:
        row = s.scalar(select(Beschikking).where(Beschikking.kenmerk == brief.kenmerk))
        bp = s.scalar(select(BeschikkingPlaatsing).where(BeschikkingPlaatsing.beschikking_id == row.id))
    assert (row.soort, bp.plaatsing_id, bp.voorschotten_cent) == ("intrekking", "P4", 2 * 1299_29)
    _, opnieuw, _ = regenereer(engine, brief.kenmerk, pdf=False)
    assert letter_hash(opnieuw) == row.html_sha256 == letter_hash(html)


def test_the_intrekking_renders_as_pdf(tijdlijn):
    _, brieven = tijdlijn
    [brief] = [b for b in brieven["2025-03"].beschikkingen if b.soort == "intrekking"]
    tekst = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(brief.beschikking))).pages)
    assert "Intrekking loonkostensubsidie" in tekst and "4:48" in tekst


def test_a_withdrawn_loonwaarde_that_changes_the_amount_gets_a_wijziging(tijdlijn):
    _, brieven = tijdlijn
    [feb] = [b for b in brieven["2025-02"].beschikkingen if b.soort == "wijziging"]
    assert feb.plaatsingen == ("P1",) and feb.beschikking.regels[0].maandbedrag_cent == 1299_29
    [maart] = [b for b in brieven["2025-03"].beschikkingen if b.soort == "wijziging"]
    r = maart.beschikking.regels[0]
    assert (maart.plaatsingen, r.oud_maandbedrag_cent, r.maandbedrag_cent, r.reden_code) == (
        ("P1",), 1299_29, 1039_44, "loonwaarde_ingetrokken")
    assert "intrekking van een onjuist vastgelegde loonwaarde" in _tekst(maart.html_pad.read_text(encoding="utf-8"))


def test_nothing_twice_and_a_plaatsing_delivered_again_starts_with_a_verlening(tijdlijn):
    _, brieven = tijdlijn
    assert _soorten(brieven["2025-04"]) == []
    assert _soorten(brieven["2025-05"]) == [("verlening", "W1", ("P4",))]
    [v] = brieven["2025-05"].beschikkingen
    assert v.beschikking.regels[0].tijdvak_van == D(2025, 5, 1)
