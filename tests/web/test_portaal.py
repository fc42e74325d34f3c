"""The werkgeversportaal, with Flask's test client on SQLite and PostgreSQL: a werkgever sees
its own plaatsingen, letters and payments and nothing of another werkgever (every portal route
tried with the other werkgever's ids: 404, and none of its data in the answer); it delivers
verloonde uren (within the month's maximum they count at once, above it a medewerker decides)
and reports changes that count only after a medewerker accepts them; staff cannot act as a
werkgever and a werkgever reaches no staff page."""
from __future__ import annotations

import csv
import datetime as dt
import io
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


def _van_w2(tekst: str) -> list[str]:
    """What only W2 has that an answer shows; ids as words, the random CSRF token left out
    (it may contain 'P2' by chance)."""
    import re
    tekst = re.sub(r'name="csrf_token" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", tekst)
    return [w for w in VAN_W2 if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", tekst)]


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
    assert not _van_w2(tekst)
    assert "BSN *****" in tekst.replace("&#42;", "*") or "*****" in tekst  # masked, never whole
    for pad in ("/portaal/brieven", "/portaal/betalingen", "/portaal/plaatsingen/P1",
                f"/portaal/brieven/{wereld['brief_w1']}.html", "/portaal/betalingen/2025-03/1/specificatie.html",
                "/portaal/betalingen/2025-03/1/specificatie.csv", "/portaal/uren?maand=2025-03", "/portaal/wijzigingen"):
        antwoord = wg1.get(pad)
        assert antwoord.status_code == 200, pad
        tekst = antwoord.get_data(as_text=True)
        assert not _van_w2(tekst), (pad, _van_w2(tekst))


@pytest.fixture
def vreemd(wereld, engine, web, tmp_path):
    """A third werkgever W3 (user wg3) with one verloond plaatsing P7, added after the run of
    2025-03 and the letters: everything in ``wereld`` (plaatsingen, letters, the run that
    paid W1 and W2) belongs to another werkgever. Returns what W3 must never see of them."""
    from schwifty import IBAN
    o = web.extensions["lks"]
    map_ = tmp_path / "w3"
    map_.mkdir()
    inhoud = {
        "werkgevers.csv": [["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode", "plaats"],
                           ["W3", "Hoveniersbedrijf Groen", "11223344",
                            str(IBAN.generate("NL", bank_code="ABNA", account_code="0417164300")), "", "Laan", "3",
                            "9999 ZZ", "Winsum"]],
        "werknemers.csv": [["werknemer_id", "bsn", "naam", "geboortedatum"], ["N7", "123456782", "Vera Veld", "1992-05-06"]],
        "plaatsingen.csv": [["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                             "contracturen", "voltijdsuren", "urenbasis"],
                            ["P7", "N7", "W3", "lks", "2025-01-01", "", "0", "38", "verloond"]],
        "loonwaarden.csv": [["plaatsing_id", "ingangsdatum", "loonwaarde"], ["P7", "2025-01-01", "55"]]}
    for naam, rijen in inhoud.items():
        with open(map_ / naam, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rijen)
    leveringen.importeren(engine, gebruikers.als(engine, "piet", "test"), map_,
                          recorded_at=dt.datetime(2025, 3, 20, tzinfo=dt.timezone.utc), params=o.params)
    werkgever_gebruiker(engine, "wg3", "W3")
    from lks.db.models_betaalrun import Betaling
    facts = load_facts(engine)
    anderen = facts.werkgevers[facts.werkgevers["werkgever_id"] != "W3"]
    with Session(engine) as s:
        bedragen = [b for b in s.scalars(select(Betaling.bedrag).where(Betaling.werkgever_id != "W3")) if b > 0]
    namen = (list(anderen["naam"]) + list(anderen["iban"]) + list(anderen["kvk"])
             + list(facts.werknemers.loc[facts.werknemers["werknemer_id"] != "N7", "naam"])
             + [f"{b // 100:,}".replace(",", ".") + f",{b % 100:02d}" for b in bedragen]
             + [wereld[k].replace("-", "/") for k in ("brief_w1", "brief_w2")] + [wereld["brief_w1"], wereld["brief_w2"]])
    ids = list(anderen["werkgever_id"]) + list(facts.plaatsingen.loc[facts.plaatsingen["werkgever_id"] != "W3",
                                                                          "plaatsing_id"])
    return dict(wereld, namen=namen, ids=ids)


def _iets_van_een_ander(tekst: str, vreemd: dict) -> list[str]:
    """What of another werkgever an answer shows: a name, IBAN, KvK number, amount or letter,
    or an id as a word (a random CSRF token is left out: it may contain 'P2' by chance)."""
    import html
    import re
    tekst = html.unescape(re.sub(r'name="csrf_token" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", tekst))
    return ([n for n in vreemd["namen"] if n and n in tekst]
            + [i for i in vreemd["ids"] if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", tekst)])


def _portaalroutes(app) -> list[tuple[str, str, frozenset]]:
    return sorted({(r.endpoint, m, frozenset(r.arguments)) for r in app.url_map.iter_rules()
                   if r.endpoint.startswith("portaal.") for m in r.methods - {"HEAD", "OPTIONS"}},
                  key=lambda t: (t[0], t[1]))


# the POST routes, each with forms that name another werkgever's plaatsing (or one that does
# not exist): every one is answered 404, nothing stored
FORMULIEREN = {
    "portaal.uren_opslaan": lambda: [{"maand": "2025-03", f"uren-{p}": "10"} for p in ("OP1", "P1", "P2", "GEEN")]
    + [{"maand": "2025-03", "uren-P7": "10", "uren-OP1": "10"}],
    "portaal.uren_bestand": lambda: [{"bestand": (io.BytesIO(f"plaatsing_id,periode,uren\n{p},2025-03,10\n".encode()),
                                                  "uren.csv")} for p in ("OP1", "P2", "GEEN")],
    "portaal.wijzigingen_melden": lambda: [
        {"soort": "einde", "plaatsing_id": p, "einddatum": "2025-05-31", "reden": "x"} for p in ("P1", "P2", "GEEN")]
    + [{"soort": "contracturen", "plaatsing_id": p, "ingangsdatum": "2025-05-01", "contracturen": "20"}
       for p in ("P1", "P3")],
}


def test_every_portal_route_with_the_ids_of_another_werkgever_is_not_found(web, vreemd, als, engine):
    """Read from the router: every portal route. A path parameter is filled with every id of
    another werkgever (its plaatsingen, letters, the run that paid it, in every format): 404,
    exactly like an id that does not exist, and nothing of it in the answer. A POST names
    another werkgever's plaatsing in its form: 404, nothing stored, nothing of it said. A
    route without parameters shows the werkgever's own data only. A route this test cannot
    fill fails it."""
    from flask import url_for
    waarden = {"plaatsing_id": ["P1", "P2", "P3", "OP1", "BESTAAT-NIET"],
               "brief": [vreemd["brief_w1"], vreemd["brief_w2"]],
               "soort": ["html", "csv", "pdf"], "periode": ["2025-03"], "volgnummer": [1]}
    wg3 = als("wg3")
    assert "Vera Veld" in wg3.get("/portaal/").get_data(as_text=True)
    geprobeerd = 0
    for endpoint, methode, argumenten in _portaalroutes(web):
        if methode == "POST":
            assert endpoint in FORMULIEREN, f"{endpoint} POST: geen formulier met andermans plaatsing in deze test"
            for data in FORMULIEREN[endpoint]():
                voor = feiten(engine)
                with web.test_request_context():
                    pad = url_for(endpoint)
                token = csrf(wg3.get("/portaal/uren"))
                antwoord = wg3.post(pad, data={"csrf_token": token, **data}, content_type="multipart/form-data")
                assert antwoord.status_code == 404, (endpoint, data, antwoord.status_code)
                assert not _iets_van_een_ander(antwoord.get_data(as_text=True), vreemd), (endpoint, data)
                assert feiten(engine) == voor, (endpoint, data)
                geprobeerd += 1
            continue
        assert methode == "GET", (endpoint, methode)
        onbekend = argumenten - set(waarden)
        assert not onbekend, f"{endpoint}: deze test kan {sorted(onbekend)} niet invullen"
        if not argumenten:
            antwoord = wg3.get(url_for_pad(web, endpoint, {}))
            assert antwoord.status_code == 200, endpoint
            assert not _iets_van_een_ander(antwoord.get_data(as_text=True), vreemd), endpoint
            continue
        import itertools
        namen = sorted(argumenten)
        for combinatie in itertools.product(*(waarden[n] for n in namen)):
            pad = url_for_pad(web, endpoint, dict(zip(namen, combinatie)))
            antwoord = wg3.get(pad)
            assert antwoord.status_code == 404, (pad, antwoord.status_code)
            assert not _iets_van_een_ander(antwoord.get_data(as_text=True), vreemd), (
                pad, _iets_van_een_ander(antwoord.get_data(as_text=True), vreemd))
            geprobeerd += 1
    assert geprobeerd >= 27  # 14 URLs with ids, 13 forms


def url_for_pad(app, endpoint: str, waarden: dict) -> str:
    from flask import url_for
    with app.test_request_context():
        return url_for(endpoint, **waarden)


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
    # the werkgever sees what happened, per change: the end counts; the account waits for the
    # goedkeurder (not "verwerkt" yet)
    rijen = _wijzigingen(wg1)
    assert _status(rijen, "einde dienstverband op 31 mei 2025 (Contract niet verlengd)") == "verwerkt"
    assert _status(rijen, f"nieuw rekeningnummer {nieuw_iban}").startswith("wacht op tweede controle")


def _wijzigingen(client) -> list[list[str]]:
    """The rows of 'Wat u heeft doorgegeven' on the werkgever's page: the text of each cell."""
    import html
    import re
    tekst = client.get("/portaal/wijzigingen").get_data(as_text=True)
    tabel = tekst.split("Doorgegeven wijzigingen, nieuwste eerst", 1)[1].split("</table>", 1)[0]
    return [[" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cel)).split())
             for cel in re.findall(r"<td[^>]*>(.*?)</td>", rij, re.S)]
            for rij in tabel.split("<tr")[1:] if "<td" in rij]


def _status(rijen: list[list[str]], wat: str) -> str:
    """The status cell of the one row whose 'Wat' starts with ``wat``."""
    gevonden = [r for r in rijen if r[1].startswith(wat)]
    assert len(gevonden) == 1, (wat, rijen)
    return gevonden[0][2]


def test_a_rejection_and_its_reason_reach_the_werkgever(wereld, als, engine):
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/wijzigingen")
    assert wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "contracturen",
                                                  "plaatsing_id": "P1", "ingangsdatum": "2025-05-01",
                                                  "contracturen": "30"}).status_code == 303
    assert _status(_wijzigingen(wg1), "30 uur per week vanaf 1 mei 2025") == "wordt verwerkt"
    piet = als("piet")
    werklijst = piet.get("/werklijst")
    from lks.app import meldingen
    o = piet.application.extensions["lks"]
    (m,) = meldingen.wachtend(o, gebruikers.als(engine, "piet", "test"))
    assert piet.post(f"/meldingen/{m.id}", data={"csrf_token": csrf(werklijst), "besluit": "afwijzen",
                                                 "reden": "Het nieuwe contract is nog niet getekend"}
                     ).status_code == 303
    assert _status(_wijzigingen(wg1), "30 uur per week") == "niet verwerkt: Het nieuwe contract is nog niet getekend"


def test_the_werkgever_sees_the_goedkeurders_decision_on_a_bank_account(wereld, als, engine):
    """A new account accepted by a medewerker waits for the goedkeurder ('wacht op tweede
    controle', never 'verwerkt'); rejected by the goedkeurder it says so, with the reason;
    approved it is 'verwerkt'."""
    from lks.app import meldingen, rekeningen
    wg1, piet = als("wg1"), als("piet")
    o = piet.application.extensions["lks"]
    piet_id, klaas_id = gebruikers.als(engine, "piet", "test"), gebruikers.als(engine, "klaas", "test")
    eerste, tweede = "NL91ABNA0417164300", "NL02ABNA0123456789"
    for iban in (eerste, tweede):
        pagina = wg1.get("/portaal/wijzigingen")
        assert wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "rekening", "iban": iban,
                                                      "tenaamstelling": "Bakkerij Omer"}).status_code == 303
        (m,) = meldingen.wachtend(o, piet_id)
        meldingen.beoordeel(o, piet_id, m.id, True, None, dt.datetime.now(dt.timezone.utc))
        rijen = _wijzigingen(wg1)
        assert _status(rijen, f"nieuw rekeningnummer {iban}").startswith("wacht op tweede controle"), rijen
        assert "verwerkt" not in _status(rijen, f"nieuw rekeningnummer {iban}")
        with Session(engine) as s:
            wijziging = s.scalars(select(Rekeningwijziging).where(Rekeningwijziging.iban == iban,
                                                                  Rekeningwijziging.werkgever_id == "W1")).one().id
        if iban == eerste:
            rekeningen.beoordeel(o, klaas_id, wijziging, False, "Nagebeld: de werkgever kent dit nummer niet",
                                 dt.datetime.now(dt.timezone.utc))
        else:
            rekeningen.beoordeel(o, klaas_id, wijziging, True, None, dt.datetime.now(dt.timezone.utc))
    rijen = _wijzigingen(wg1)
    assert _status(rijen, f"nieuw rekeningnummer {eerste}").startswith(
        "afgewezen: Nagebeld: de werkgever kent dit nummer niet")
    assert _status(rijen, f"nieuw rekeningnummer {tweede}") == "verwerkt"


def test_a_new_delivery_supersedes_a_pending_hours_melding(wereld, als, engine):
    """170 h for February (above the maximum) waits; the werkgever corrects it to 100 h
    (within it): the 100 counts, the old melding is 'vervangen' (off the werklijst, shown as
    such to the werkgever) and accepting it is refused, so 170 never comes back."""
    from lks.app import meldingen
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren?maand=2025-02")
    assert wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-02", "uren-OP1": "170"}
                    ).status_code == 303
    o = wg1.application.extensions["lks"]
    piet_id = gebruikers.als(engine, "piet", "test")
    (oud,) = meldingen.wachtend(o, piet_id)
    assert wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-02", "uren-OP1": "100"}
                    ).status_code == 303
    assert meldingen.wachtend(o, piet_id) == []
    assert "170 verloonde uren" not in als("piet").get("/werklijst").get_data(as_text=True)
    assert _status(_wijzigingen(wg1), "170 uur in februari 2025 (meer dan het maximum van 164,66 uur)"
                   ).startswith("vervangen")
    with pytest.raises(meldingen.MeldingFout):
        meldingen.beoordeel(o, piet_id, oud.id, True, None, dt.datetime.now(dt.timezone.utc))
    assert [str(u) for u in load_facts(engine).verloonde_uren["uren"]] == ["100.00"]
    with Session(engine) as s:
        assert s.scalars(select(AuditLog.gebruiker).where(AuditLog.actie == "melding_vervangen")).all() == ["wg1"]


def test_accepting_refuses_a_melding_that_is_no_longer_the_latest(wereld, als, engine, tmp_path):
    """Defence in depth: hours for the month that arrived after the melding by another way
    (a delivery by the gemeente) make the melding stale; accepting it is refused."""
    from lks.app import meldingen
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren?maand=2025-02")
    assert wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-02", "uren-OP1": "170"}
                    ).status_code == 303
    o = wg1.application.extensions["lks"]
    piet_id = gebruikers.als(engine, "piet", "test")
    (oud,) = meldingen.wachtend(o, piet_id)
    map_ = tmp_path / "later"
    map_.mkdir()
    (map_ / "verloonde_uren.csv").write_text("plaatsing_id,periode,uren\nOP1,2025-02,90\n", encoding="utf-8")
    leveringen.importeren(engine, piet_id, map_, recorded_at=dt.datetime.now(dt.timezone.utc), params=o.params)
    with pytest.raises(meldingen.MeldingFout, match="niet meer de laatste"):
        meldingen.beoordeel(o, piet_id, oud.id, True, None, dt.datetime.now(dt.timezone.utc))
    assert [str(u) for u in load_facts(engine).verloonde_uren["uren"]] == ["90.00"]


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
    # one line per werknemer: the late months as one run, the due day of the first
    assert "<strong>Olga Oproep</strong>:" in tekst and tekst.count("<strong>Olga Oproep</strong>") == 1
    assert "de uren van januari 2025 tot en met" in tekst and "10 februari 2025" in tekst
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


def test_the_hours_form_speaks_plainly(wereld, als, engine):
    """The form names the werknemer and the month, never a line or a column; a comma is a
    decimal separator; hours above the maximum are named with the werknemer and the month."""
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren?maand=2025-03")
    fout = wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-03", "uren-OP1": "abc"})
    assert fout.status_code == 422
    tekst = fout.get_data(as_text=True)
    assert "Bij Olga Oproep (maart 2025): vul een getal in, zoals 38 of 37,5." in tekst
    melding = tekst.split("utrecht-alert--error", 1)[1].split("</div>", 1)[0]
    assert "regel" not in melding and "kolom" not in melding and "formulier" not in melding, melding
    assert len(load_facts(engine).verloonde_uren) == 0
    assert wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-03", "uren-OP1": "37,5"}
                    ).status_code == 303
    assert [str(u) for u in load_facts(engine).verloonde_uren["uren"]] == ["37.50"]
    boven = wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-02", "uren-OP1": "170"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Olga Oproep (februari 2025): 170 uur is meer dan het maximum van 164,66 uur." in boven
    assert "OP1 in 2025-02" not in boven


def test_an_uploaded_file_explains_urenbasis_contract(wereld, als):
    wg1 = als("wg1")
    antwoord = wg1.post("/portaal/uren/bestand", data={
        "csrf_token": csrf(wg1.get("/portaal/uren")),
        "bestand": (io.BytesIO(b"plaatsing_id,periode,uren\nP1,2025-03,40\n"), "uren.csv")},
        content_type="multipart/form-data")
    assert antwoord.status_code == 422
    assert "betaalt de gemeente op de vaste uren uit het contract" in antwoord.get_data(as_text=True)


def test_portal_pages_name_no_command_and_mark_a_past_meting(wereld, als):
    """No command names on a portal page; a next meting already past says it 'was gepland'."""
    wg1 = als("wg1")
    for pad in ("/portaal/", "/portaal/plaatsingen/P1", "/portaal/plaatsingen/OP1"):
        assert "lks " not in wg1.get(pad).get_data(as_text=True).replace("lks-", ""), pad
    tekst = wg1.get("/portaal/").get_data(as_text=True)
    rij = next(r for r in tekst.split("<tr")[1:] if "Olga Oproep" in r)
    assert "was gepland op 1 januari 2026" in rij or "was gepland op" in rij, rij


def _lever(engine, o, bestand: str, rijen: list[list[str]], tmp_path, moment: dt.datetime) -> None:
    map_ = tmp_path / f"levering-{moment:%Y%m%d%H%M}"
    map_.mkdir()
    with open(map_ / bestand, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rijen)
    leveringen.importeren(engine, gebruikers.als(engine, "piet", "test"), map_, recorded_at=moment, params=o.params)


def _run(o, engine, periode: str, moment: dt.datetime) -> None:
    piet, klaas = gebruikers.als(engine, "piet", "test"), gebruikers.als(engine, "klaas", "test")
    betaalruns.aanvragen(o, piet, periode, moment)
    betaalruns.berekenen(o, piet, periode, moment)
    betaalruns.goedkeuren(o, klaas, periode, moment)


def test_the_werkgever_sees_its_open_vorderingen_and_how_they_are_set_off(web, wereld, als, engine, tmp_path):
    """P1 ends retroactively on 31 January: the April run takes back what February and March
    paid, more than W1 gets, so a vordering remains; May pays OP1's April hours and sets part
    of it off. The werkgever sees the vordering, what is still open and which payment held
    what back."""
    from lks.db.models_betaalrun import Aflossing, Betaalrun, Vordering
    from lks.web.filters import euro, maand
    o = web.extensions["lks"]
    plaatsing = load_facts(engine).plaatsingen.set_index("plaatsing_id").loc["P1"]
    _lever(engine, o, "plaatsingen.csv", [
        ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum", "contracturen",
         "voltijdsuren"], ["P1", plaatsing["werknemer_id"], "W1", "lks", "2024-06-01", "2025-01-31", "32", "38"]],
        tmp_path, dt.datetime(2025, 4, 10, tzinfo=dt.timezone.utc))
    _run(o, engine, "2025-04", dt.datetime(2025, 4, 18, 7, tzinfo=dt.timezone.utc))
    _lever(engine, o, "verloonde_uren.csv", [["plaatsing_id", "periode", "uren"], ["OP1", "2025-04", "20"]],
           tmp_path, dt.datetime(2025, 5, 5, tzinfo=dt.timezone.utc))
    _run(o, engine, "2025-05", dt.datetime(2025, 5, 18, 7, tzinfo=dt.timezone.utc))
    with Session(engine) as s:
        (v,) = s.scalars(select(Vordering).where(Vordering.werkgever_id == "W1")).all()
        (a,) = s.scalars(select(Aflossing).where(Aflossing.vordering_id == v.id)).all()
        kenmerk = s.get(Betaalrun, a.betaalrun_id).kenmerk
    assert 0 < a.bedrag < v.bedrag
    tekst = als("wg1").get("/portaal/betalingen").get_data(as_text=True)
    assert "Wat u nog moet terugbetalen" in tekst
    regel = next(r for r in tekst.split("<li>")[1:] if "nog open" in r).split("</li>")[0]
    assert regel == (f"{euro(v.bedrag)} uit {maand(v.periode)}: nog open {euro(v.bedrag - a.bedrag)} "
                     f"(al ingehouden: {euro(a.bedrag)} in betaling {kenmerk})"), regel
    assert "Wat u nog moet terugbetalen" not in als("wg2").get("/portaal/betalingen").get_data(as_text=True)


def test_the_werkgever_sees_the_bezwaar_deadline_of_each_letter(wereld, als):
    from lks.documents.beschikking import bezwaar_einddatum
    from lks.web.filters import datum
    tekst = als("wg1").get("/portaal/brieven").get_data(as_text=True)
    kenmerk = wereld["brief_w1"].replace("-", "/")
    rij = next(r for r in tekst.split("<tr")[1:] if kenmerk in r)
    assert datum(bezwaar_einddatum(dt.date(2025, 3, 18))) in rij and datum(dt.date(2025, 3, 18)) in rij


def test_the_werkgever_sees_loonwaarde_herbeoordeling_and_amount_per_month(web, wereld, als):
    """P1: its loonwaarde, the next meting (loonwaarde date + [scheduler]
    herbeoordeling_maanden) and the subsidy of the month shown, the same amount as that
    month's row on the werknemer's own page."""
    import re

    from dateutil.relativedelta import relativedelta

    from lks.web.filters import datum, euro
    o = web.extensions["lks"]
    wg1 = als("wg1")
    tekst = wg1.get("/portaal/").get_data(as_text=True)
    rij = next(r for r in tekst.split("<tr")[1:] if "Anna de Vries" in r)
    lw = load_facts(o.engine).loonwaarden
    lw = lw[lw["plaatsing_id"] == "P1"].sort_values("ingangsdatum").iloc[-1]
    assert f">{str(lw['loonwaarde']).rstrip('0').rstrip('.').replace('.', ',')}%<" in rij
    volgende = lw["ingangsdatum"].date() + relativedelta(months=o.settings.scheduler.herbeoordeling_maanden)
    assert datum(volgende) in rij
    bedrag, periode = re.search(r"(€\s?[\d.]+,\d\d)<br><span class=\"lks-klein\">([a-z]+ \d{4})</span>", rij).groups()
    detail = wg1.get("/portaal/plaatsingen/P1").get_data(as_text=True)
    maandrij = next(r for r in detail.split("<tr")[1:] if f">{periode}<" in r)
    assert bedrag in maandrij and bedrag != euro(0)


def test_a_correction_of_delivered_hours_is_a_new_version_shown(wereld, als, engine):
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/uren?maand=2025-03")
    for uren in ("100", "120,25"):
        assert wg1.post("/portaal/uren", data={"csrf_token": csrf(pagina), "maand": "2025-03", "uren-OP1": uren}
                        ).status_code == 303
    tekst = wg1.get("/portaal/uren?maand=2025-03").get_data(as_text=True)
    assert "Al doorgegeven: 120.25 uur." in tekst
    with Session(engine) as s:
        from lks.db.models import VerloondeUren
        versies = s.scalars(select(VerloondeUren.uren).where(VerloondeUren.plaatsing_id == "OP1",
                                                             VerloondeUren.periode == "2025-03")
                            .order_by(VerloondeUren.recorded_at)).all()
    assert [str(u) for u in versies] == ["100.00", "120.25"]  # both versions kept, the newest counts
    assert [str(u) for u in load_facts(engine).verloonde_uren["uren"]] == ["120.25"]


def test_a_missing_loonstrook_on_the_werklijst_links_to_the_werkgever(wereld, als, engine):
    from lks.signalen import maak_signalen
    o = als("piet").application.extensions["lks"]
    maak_signalen(engine, dt.date(2025, 3, 20), dt.datetime(2025, 3, 20, 5, tzinfo=dt.timezone.utc),
                  o.params, o.settings)
    tekst = als("piet").get("/werklijst").get_data(as_text=True)
    rijen = [r for r in tekst.split("<tr")[1:] if "Loonstrook" in r and "ontbreekt" in r]
    assert rijen, "no loonstrook_ontbreekt signal on the werklijst"
    assert all('href="/werkgevers/W1"' in r for r in rijen), rijen[0]


def test_the_regeling_breaks_between_loonkosten_and_subsidie(wereld, als):
    """In the narrow Regeling column the word may wrap: at the soft hyphen (loonkosten-/subsidie),
    never in the middle of a syllable as the browser's break-word would do without it."""
    wg1 = als("wg1")
    overzicht = wg1.get("/portaal/").get_data(as_text=True)
    assert '<td class="utrecht-table__cell">loonkosten\u00adsubsidie</td>' in overzicht
    assert "· loonkosten\u00adsubsidie</p>" in wg1.get("/portaal/plaatsingen/P1").get_data(as_text=True)


def test_expected_loonstroken_fold_into_runs_per_werknemer():
    """Late months fold into runs of consecutive months (a delivered month breaks a run); a
    month not yet due stays on its own with its day."""
    import datetime as dt

    from lks.app.portaal import verwacht_per_werknemer

    def v(pid, naam, periode, te_laat):
        jaar, maand = int(periode[:4]), int(periode[5:])
        uiterlijk = dt.date(jaar + maand // 12, maand % 12 + 1, 10)
        return dict(plaatsing_id=pid, werknemer=naam, periode=periode, uiterlijk=uiterlijk, te_laat=te_laat)

    groepen = verwacht_per_werknemer([
        v("OP1", "Olga", "2025-11", True), v("OP1", "Olga", "2025-12", True), v("OP1", "Olga", "2026-01", True),
        v("OP1", "Olga", "2026-03", True), v("OP1", "Olga", "2026-04", False),
        v("OP2", "Piet", "2026-04", False),
    ])
    olga, piet = groepen
    assert olga.te_laat == [("2025-11", "2026-01"), ("2026-03", "2026-03")]  # the year turns inside a run
    assert (olga.aantal_te_laat, olga.eerste, olga.eerste_uiterlijk) == (4, "2025-11", dt.date(2025, 12, 10))
    assert olga.nog_niet == [{"periode": "2026-04", "uiterlijk": dt.date(2026, 5, 10)}]
    assert (piet.te_laat, piet.aantal_te_laat, piet.eerste) == ([], 0, None)
    assert [n["periode"] for n in piet.nog_niet] == ["2026-04"]


def test_new_contracturen_may_be_written_with_a_comma(wereld, als):
    """A werkgever writes 24,5 uur; the thank-you and the list say it back the same way, with
    the date in words (never 24.50 or 2025-06-01)."""
    wg1 = als("wg1")
    pagina = wg1.get("/portaal/wijzigingen")
    assert "Bijvoorbeeld 24 of 24,5." in pagina.get_data(as_text=True)
    antwoord = wg1.post("/portaal/wijzigingen", data={"csrf_token": csrf(pagina), "soort": "contracturen",
                                                      "plaatsing_id": "P1", "ingangsdatum": "2025-06-01",
                                                      "contracturen": "24,5"}, follow_redirects=True)
    tekst = antwoord.get_data(as_text=True)
    assert antwoord.status_code == 200
    assert "Wij hebben uw wijziging ontvangen (24,5 uur per week vanaf 1 juni 2025)" in tekst
    assert _status(_wijzigingen(wg1), "24,5 uur per week vanaf 1 juni 2025") == "wordt verwerkt"
