"""The werkgeversportaal, with Flask's test client on SQLite and PostgreSQL: a werkgever sees
its own plaatsingen, letters and payments and nothing of another werkgever (every portal route
tried with the other werkgever's ids: 404, and none of its data in the answer); it delivers
verloonde uren (within the month's maximum they count at once, above it a medewerker decides)
and reports changes that count only after a medewerker accepts them; staff cannot act as a
werkgever and a werkgever reaches no staff page."""
from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app import beschikkingen, betaalruns, gebruikers, leveringen
from lks.db.models_betaalrun import AuditLog
from lks.db.models_gebruiker import Rekeningwijziging
from lks.facts import load_facts
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import dump

from .conftest import csrf, werkgever_gebruiker

# what only werkgever W2 has (tests/betaalrun/conftest.py): its name, its werknemers
VAN_W2 = ("Zorgboerderij De Horst", "Bram Smit", "Cor Mulder", "P2", "P3")
NU = dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def wereld(web, engine, tmp_path):
    """W1 (plaatsing P1, contract) and W2 (P2, P3); a verloond plaatsing OP1 at W1; run
    2025-03 approved with its files; letters to both. Users wg1 (W1) and wg2 (W2)."""
    o = web.extensions["lks"]
    als = lambda naam: gebruikers.als(engine, naam, "test")  # noqa: E731
    werkgever_gebruiker(engine, "wg1", "W1")
    werkgever_gebruiker(engine, "wg2", "W2")
    levering = tmp_path / "oproep"
    levering.mkdir()
    with open(levering / "werknemers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([["werknemer_id", "bsn", "naam", "geboortedatum"],
                                                      ["N9", "111222333", "Olga Oproep", "1991-02-03"]])
    with open(levering / "plaatsingen.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum", "contracturen",
             "voltijdsuren", "urenbasis"], ["OP1", "N9", "W1", "lks", "2025-01-01", "", "0", "38", "verloond"]])
    with open(levering / "loonwaarden.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                                      ["OP1", "2025-01-01", "60"]])
    piet, klaas = als("piet"), als("klaas")
    leveringen.importeren(engine, piet, levering, recorded_at=dt.datetime(2025, 1, 3, tzinfo=dt.timezone.utc),
                          params=o.params)
    moment = dt.datetime(2025, 3, 18, 7, tzinfo=dt.timezone.utc)
    betaalruns.aanvragen(o, piet, "2025-03", moment)
    betaalruns.berekenen(o, piet, "2025-03", moment)
    betaalruns.goedkeuren(o, klaas, "2025-03", moment)
    betaalruns.exporteren(o, piet, "2025-03", moment)
    brieven = beschikkingen.maak(o, piet, dt.date(2025, 3, 18), moment, pdf=False).beschikkingen
    return {"brief_w2": next(b.kenmerk for b in brieven if b.werkgever_id == "W2").replace("/", "-"),
            "brief_w1": next(b.kenmerk for b in brieven if b.werkgever_id == "W1").replace("/", "-")}


def test_a_werkgever_sees_its_own_and_nothing_of_another(wereld, als):
    wg1 = als("wg1")
    tekst = wg1.get("/portaal/").get_data(as_text=True)
    assert "Bakkerij" in tekst and "Anna de Vries" in tekst and "Olga Oproep" in tekst
    assert not [w for w in VAN_W2 if w in tekst]
    assert "BSN *****" in tekst.replace("&#42;", "*") or "*****" in tekst  # masked, never whole
    for pad in ("/portaal/brieven", "/portaal/betalingen", "/portaal/plaatsingen/P1",
                f"/portaal/brieven/{wereld['brief_w1']}.html", "/portaal/betalingen/2025-03/1/specificatie.html",
                "/portaal/betalingen/2025-03/1/specificatie.csv", "/portaal/uren?maand=2025-03", "/portaal/wijzigingen"):
        antwoord = wg1.get(pad)
        assert antwoord.status_code == 200, pad
        tekst = antwoord.get_data(as_text=True)
        assert not [w for w in VAN_W2 if w in tekst], (pad, [w for w in VAN_W2 if w in tekst])


@pytest.mark.parametrize("pad", [
    "/portaal/plaatsingen/P2", "/portaal/plaatsingen/P3", "/portaal/brieven/{brief_w2}.html",
    "/portaal/brieven/{brief_w2}.pdf", "/portaal/plaatsingen/BESTAAT-NIET", "/portaal/brieven/LKS-2099-000001.html",
    "/portaal/betalingen/2025-04/1/specificatie.html"])
def test_ids_of_another_werkgever_are_not_found(wereld, als, pad):
    """Changing an id in a URL or a download link finds nothing: 404, exactly like an id that
    does not exist, and none of the other werkgever's data."""
    antwoord = als("wg1").get(pad.format(**wereld))
    assert antwoord.status_code == 404
    assert not [w for w in VAN_W2 if w in antwoord.get_data(as_text=True)]


def test_a_specificatie_is_that_of_the_own_werkgever_whatever_the_url(wereld, als):
    """The file name is built from the logged-in werkgever, never taken from the request."""
    w1 = als("wg1").get("/portaal/betalingen/2025-03/1/specificatie.csv").get_data(as_text=True)
    w2 = als("wg2").get("/portaal/betalingen/2025-03/1/specificatie.csv").get_data(as_text=True)
    assert "Bakkerij" in w1 and "Zorgboerderij" not in w1
    assert "Zorgboerderij" in w2 and "Bakkerij" not in w2


def test_staff_and_portal_are_apart(wereld, als):
    assert als("wg1").get("/overzicht").status_code == 403
    assert als("wg1").get("/betaalruns/2025-03/1").status_code == 403
    for naam in ("piet", "klaas", "carla", "bea"):
        c = als(naam)
        assert c.get("/portaal/").status_code == 403
        assert c.post("/portaal/wijzigingen", data={"csrf_token": csrf(c.get("/account/wachtwoord")), "soort": "einde",
                                                   "plaatsing_id": "P1", "einddatum": "2025-09-30",
                                                   "reden": "x"}).status_code == 403


def test_hours_within_the_maximum_count_at_once_and_above_it_wait(wereld, als, engine):
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren?maand=2025-03")
    assert "Olga Oproep" in pagina.get_data(as_text=True)
    # 38 h cao: March 2025 maximum 38 × 13/3 = 164.66… h (whole month active)
    antwoord = wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-03", "uren-OP1": "120.5"})
    assert antwoord.status_code == 303
    assert [str(u) for u in load_facts(engine).verloonde_uren["uren"]] == ["120.50"]
    antwoord = wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-02", "uren-OP1": "170"})
    assert antwoord.status_code == 303
    assert len(load_facts(engine).verloonde_uren) == 1  # February: above the maximum, not counted
    c = als("piet")
    werklijst = c.get("/werklijst").get_data(as_text=True)
    assert "170 verloonde uren in 2025-02 (meer dan het maximum van 164.66)" in werklijst
    with Session(engine) as s:
        door = s.scalars(select(AuditLog.gebruiker).where(AuditLog.actie.in_(("levering", "melding_verloonde_uren"))
                                                         ).order_by(AuditLog.id.desc())).all()
    assert door[:2] == ["wg1", "wg1"]  # every delivery is in the audit log with the werkgever user


@pytest.mark.parametrize("inhoud, melding", [
    ("plaatsing_id,periode,uren\nOP1,2025-03,10\nP2,2025-03,10\n",
     "uren.csv, regel 3, kolom plaatsing_id: onbekende plaatsing_id 'P2'"),
    ("plaatsing_id,periode,uren\nOP1,2025-13,10\n", "uren.csv, regel 2, kolom periode: ongeldige periode '2025-13'"),
    ("plaatsing_id,periode,uren\nOP1,2025-03,-4\n", "uren.csv, regel 2, kolom uren: negatief aantal uren '-4'"),
    ("plaatsing_id,periode,uren\nP1,2025-03,40\n", "uren.csv, regel 2, kolom plaatsing_id: plaatsing P1 heeft urenbasis contract"),
    ("naam,uren\n", "uren.csv, regel 1: de kopregel moet 'plaatsing_id,periode,uren' zijn"),
])
def test_an_uploaded_file_is_refused_whole(wereld, als, engine, inhoud, melding):
    import io
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren")
    before = feiten(engine)
    antwoord = wg1.post("/portaal/uren/bestand", data={
        "csrf_token": csrf(pagina), "bestand": (io.BytesIO(inhoud.encode()), "uren.csv")},
        content_type="multipart/form-data")
    assert antwoord.status_code == 422
    assert melding in antwoord.get_data(as_text=True).replace("&#39;", "'")
    assert "Zorgboerderij" not in antwoord.get_data(as_text=True)
    assert feiten(engine) == before


def feiten(engine) -> dict:
    """Every table but the web sessions (a page view keeps a session alive)."""
    return {k: v for k, v in dump(engine).items() if k != "web_sessie"}


def test_a_change_counts_after_a_medewerker_accepts_it(wereld, als, engine):
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/wijzigingen")
    assert wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "einde", "plaatsing_id": "P1",
                                                  "einddatum": "2025-05-31", "reden": "Contract niet verlengd"}
                    ).status_code == 303
    nieuw_iban = "NL91ABNA0417164300"
    assert wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "rekening", "iban": nieuw_iban,
                                                  "tenaamstelling": "Bakkerij Omer en Zn"}).status_code == 303
    onjuist = wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "rekening",
                                                     "iban": "NL00ABNA0417164300", "tenaamstelling": "x"})
    assert onjuist.status_code == 422 and "Ongeldige IBAN" in onjuist.get_data(as_text=True)
    facts = load_facts(engine).plaatsingen.set_index("plaatsing_id")
    assert facts.loc["P1", "einddatum"] != facts.loc["P1", "einddatum"]  # NaT: nothing counts yet

    piet = als("piet")
    werklijst = piet.get("/werklijst")
    tekst = werklijst.get_data(as_text=True)
    assert "einde dienstverband per 2025-05-31" in tekst and "nieuw rekeningnummer" in tekst
    from lks.app import meldingen
    o = piet.application.extensions["lks"]
    wachtend = {m.soort: m.id for m in meldingen.wachtend(o, gebruikers.als(engine, "piet", "test"))}
    assert piet.post(f"/meldingen/{wachtend['einde']}", data={"csrf_token": csrf(werklijst), "besluit": "afwijzen"}
                     ).status_code == 303  # without a reason: refused, still waiting
    assert "einde dienstverband" in piet.get("/werklijst").get_data(as_text=True)
    assert piet.post(f"/meldingen/{wachtend['einde']}", data={"csrf_token": csrf(werklijst), "besluit": "accepteren"}
                     ).status_code == 303
    assert piet.post(f"/meldingen/{wachtend['rekening']}", data={"csrf_token": csrf(werklijst),
                                                                "besluit": "accepteren"}).status_code == 303
    facts = load_facts(engine).plaatsingen.set_index("plaatsing_id")
    assert str(facts.loc["P1", "einddatum"].date()) == "2025-05-31"
    with Session(engine) as s:
        rek = s.scalars(select(Rekeningwijziging).where(Rekeningwijziging.iban == nieuw_iban)).one()
        assert (rek.status, rek.ingediend_door, rek.tenaamstelling) == ("wacht", "piet", "Bakkerij Omer en Zn")
    # the werkgever sees what happened
    tekst = wg1.get("/portaal/wijzigingen").get_data(as_text=True)
    assert tekst.count("verwerkt") >= 2


def test_the_specificatie_is_byte_for_byte_the_exported_file(web, wereld, als):
    """HTML and CSV as the run's export wrote them; the PDF (the web export makes none) made
    from the same data, a real PDF."""
    from lks.betaalrun.bestand import run_folder
    map_ = run_folder(web.extensions["lks"].betaalbestanden, "2025-03-1")
    wg1 = als("wg1")
    for soort in ("html", "csv"):
        antwoord = wg1.get(f"/portaal/betalingen/2025-03/1/specificatie.{soort}")
        assert antwoord.data == (map_ / f"specificatie-2025-03-1-W1.{soort}").read_bytes()
    pdf = wg1.get("/portaal/betalingen/2025-03/1/specificatie.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"


def test_the_bank_reference_is_what_the_sepa_file_says(web, wereld, als):
    """EndToEndId and the remittance text in the portal are those of the pain.001 the bank got."""
    import xml.etree.ElementTree as ET
    from lks.betaalrun.bestand import run_folder
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    root = ET.parse(run_folder(web.extensions["lks"].betaalbestanden, "2025-03-1") / "pain.001-2025-03-1.xml").getroot()
    tx = next(t for t in root.iterfind(".//p:CdtTrfTxInf", ns) if t.find("p:PmtId/p:EndToEndId", ns).text.endswith("-W1"))
    tekst = als("wg1").get("/portaal/betalingen").get_data(as_text=True).replace("&#43;", "+")
    assert tx.find("p:PmtId/p:EndToEndId", ns).text in tekst
    assert tx.find("p:RmtInf/p:Ustrd", ns).text in tekst


def test_the_portal_says_which_loonstroken_are_still_expected(wereld, als):
    """OP1 (verloond since 2025-01) has no hours delivered: every month that has ended is
    expected, with the day it was due ([betaalrun] loonstrook_dag, the 10th of the next month);
    another werkgever's plaatsingen are not on the list."""
    tekst = als("wg1").get("/portaal/").get_data(as_text=True)
    assert "Wij wachten nog op uren." in tekst
    assert "Olga Oproep: januari 2025" in tekst and "10 februari 2025" in tekst
    assert "uren van januari 2025 doorgeven" in tekst
    assert "Wij wachten nog op uren." not in als("wg2").get("/portaal/").get_data(as_text=True)


def test_the_controller_sees_contract_and_verloond_and_the_missing_loonstroken(wereld, als):
    """The verantwoording page itself (not only the HTML report and the workbook) splits the
    year by contracturen and verloonde uren and lists the months still waiting for a
    loonstrook: OP1 (verloond since 2025-01, no hours ever delivered) from January on, at
    W1 only, with the day each was due (the 10th of the next month) and marked late."""
    tekst = als("carla").get("/verantwoording?jaar=2025").get_data(as_text=True)
    assert "Contracturen en verloonde uren" in tekst
    assert tekst.count(">contracturen<") == 2 and tekst.count(">verloonde uren<") == 2  # both budgets, both bases
    assert "Loonstroken die ontbreken" in tekst
    assert "1 plaatsing(en), 1 werkgever(s)" in tekst
    rijen = [r for r in tekst.split("<tr") if ">OP1<" in r]
    assert rijen and all("W1 " in r and "(te laat)" in r for r in rijen)
    assert ">2025-01<" in rijen[0] and "10 februari 2025" in rijen[0]
