"""Route × role: every route the application has (read from the router, every method), for
every role, on SQLite and PostgreSQL.

``MATRIX`` below is written by hand, from interfaces §5 and issue 16, not from the code: for
each (endpoint, method) the roles that may use it and a realistic request (ids of objects that
exist, a valid CSRF token). The test makes that request as every role:
- refused → 403 for a logged-in user; for an anonymous visitor a redirect to /login (GET) or
  401/403 (POST); and the database exactly as it was;
- allowed → the route answers (by default 2xx or a redirect; never 401, 403, 404 or 500).

A route that is not in ``MATRIX`` fails the test, naming it: a new route needs a decision
here. So does a route that declares no rule (``kern.regel_van``), and an entry for a route that
no longer exists."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from typing import Callable

import pytest
from schwifty import IBAN
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_gebruiker import WebSessie
from lks.web import kern
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import TESTWACHTWOORD, dump

from .conftest import csrf, inloggen, werkgever_gebruiker

ANONIEM, MEDEWERKER, GOEDKEURDER, CONTROLLER, BEHEERDER, WERKGEVER = (
    "anoniem", "medewerker", "goedkeurder", "controller", "beheerder", "werkgever")
ROLLEN = (ANONIEM, MEDEWERKER, GOEDKEURDER, CONTROLLER, BEHEERDER, WERKGEVER)
GEBRUIKER = {MEDEWERKER: "piet", GOEDKEURDER: "klaas", CONTROLLER: "carla", BEHEERDER: "bea", WERKGEVER: "wg1"}

IEDEREEN = frozenset(ROLLEN)
INGELOGD = IEDEREEN - {ANONIEM}
STAF = frozenset({MEDEWERKER, GOEDKEURDER, CONTROLLER})  # read the gemeente's data


@dataclass(frozen=True)
class Regel:
    """Who may use a route, and how a realistic request to it looks."""
    rollen: frozenset[str]
    pad: str | Callable[["Wereld"], str]
    data: Callable[["Wereld", str], dict] | None = None  # the form of a POST (CSRF token added)
    toegestaan: tuple[int, ...] = (200, 302, 303)         # the answers an allowed role may get
    wisselt_sessie: bool = False                          # the request logs in or out


def _upload(naam: str, inhoud: str, veld: str = "bestanden"):
    return lambda w, rol: {veld: (io.BytesIO(inhoud.encode("utf-8")), naam)}


MATRIX: dict[tuple[str, str], Regel] = {
    # login, logout, own account: open to all, or to every logged-in user
    ("static", "GET"): Regel(IEDEREEN, "/static/lks.css"),
    ("aanmelden.start", "GET"): Regel(IEDEREEN, "/"),
    ("aanmelden.login", "GET"): Regel(IEDEREEN, "/login"),
    ("aanmelden.login", "POST"): Regel(IEDEREEN, "/login", lambda w, rol: {
        "gebruikersnaam": GEBRUIKER.get(rol, "carla"), "wachtwoord": TESTWACHTWOORD}, wisselt_sessie=True),
    ("aanmelden.tweede_factor", "GET"): Regel(IEDEREEN, "/login/tweede-factor"),
    ("aanmelden.tweede_factor", "POST"): Regel(IEDEREEN, "/login/tweede-factor", lambda w, rol: {"code": "000000"}),
    ("aanmelden.uitloggen", "POST"): Regel(IEDEREEN, "/uitloggen", lambda w, rol: {}, wisselt_sessie=True),
    ("aanmelden.wachtwoord", "GET"): Regel(INGELOGD, "/account/wachtwoord"),
    # a wrong current password: the route answers (400), nothing changes
    ("aanmelden.wachtwoord", "POST"): Regel(INGELOGD, "/account/wachtwoord", lambda w, rol: {
        "huidig": "niet-het-wachtwoord", "nieuw": "Een-nieuw-wachtwoord-1", "herhaal": "Een-nieuw-wachtwoord-1"},
        toegestaan=(400,)),
    ("sso.start", "GET"): Regel(IEDEREEN, "/sso/medewerkers"),
    ("sso.terug", "GET"): Regel(IEDEREEN, "/sso/medewerkers/terug?code=x&state=y"),

    # staff pages: reading
    ("medewerkers.overzicht", "GET"): Regel(STAF, "/overzicht"),
    ("medewerkers.leveringen", "GET"): Regel(STAF, "/leveringen"),
    ("medewerkers.werkgevers", "GET"): Regel(STAF, "/werkgevers?zoek=bakkerij"),
    ("medewerkers.werkgevers_detail", "GET"): Regel(STAF, "/werkgevers/W1"),
    ("medewerkers.werkgevers_plaatsing", "GET"): Regel(STAF, "/plaatsingen/P1?periode=2025-03"),
    ("medewerkers.betaalruns", "GET"): Regel(STAF, "/betaalruns"),
    ("medewerkers.betaalrun", "GET"): Regel(STAF, "/betaalruns/2025-02/1"),
    ("medewerkers.betaalrun_bestand", "GET"): Regel(STAF, "/betaalruns/2025-02/1/bestanden/pain.001-2025-02-1.xml"),
    ("medewerkers.beschikkingen", "GET"): Regel(STAF, "/beschikkingen?soort=verlening"),
    ("medewerkers.beschikkingen_brief", "GET"): Regel(STAF, lambda w: f"/beschikkingen/{w.brief}.html"),
    ("medewerkers.werklijst", "GET"): Regel(STAF, "/werklijst"),
    ("medewerkers.werklijst_rekeningen", "GET"): Regel(STAF, "/rekeningen"),

    # staff pages: acting (interfaces §5: who does what)
    ("medewerkers.leveringen_upload", "POST"): Regel(frozenset({MEDEWERKER}), "/leveringen", _upload(
        "loonwaarden.csv", "plaatsing_id,ingangsdatum,loonwaarde\nP1,2025-05-01,65\n")),
    ("medewerkers.betaalruns_aanvragen", "POST"): Regel(frozenset({MEDEWERKER}), "/betaalruns/aanvragen",
                                                       lambda w, rol: {"periode": "2025-05"}),
    ("medewerkers.betaalrun_berekenen", "POST"): Regel(frozenset({MEDEWERKER}), "/betaalruns/2025-03/1/berekenen",
                                                      lambda w, rol: {}),
    ("medewerkers.betaalrun_goedkeuren", "POST"): Regel(frozenset({GOEDKEURDER}), "/betaalruns/2025-03/1/goedkeuren",
                                                       lambda w, rol: {}),
    ("medewerkers.betaalrun_exporteren", "POST"): Regel(frozenset({MEDEWERKER}), "/betaalruns/2025-02/1/bestanden",
                                                       lambda w, rol: {}),
    ("medewerkers.betaalrun_verzonden", "POST"): Regel(frozenset({MEDEWERKER}), "/betaalruns/2025-02/1/verzonden",
                                                      lambda w, rol: {}),
    ("medewerkers.betaalrun_annuleren", "POST"): Regel(frozenset({MEDEWERKER}), "/betaalruns/2025-04/1/annuleren",
                                                      lambda w, rol: {}),
    ("medewerkers.beschikkingen_maken", "POST"): Regel(frozenset({MEDEWERKER}), "/beschikkingen/maken",
                                                      lambda w, rol: {}),
    ("medewerkers.beschikkingen_verzonden", "POST"): Regel(frozenset({MEDEWERKER}),
                                                          lambda w: f"/beschikkingen/{w.brief}/verzonden",
                                                          lambda w, rol: {}),
    ("medewerkers.werklijst_oplossen", "POST"): Regel(frozenset({MEDEWERKER}),
                                                     lambda w: f"/werklijst/{w.signaal}/oplossen",
                                                     lambda w, rol: {"toelichting": "Gebeld met de werkgever."}),
    ("medewerkers.werklijst_rekening_beoordelen", "POST"): Regel(
        frozenset({GOEDKEURDER}), lambda w: f"/rekeningen/{w.wijziging}",
        lambda w, rol: {"besluit": "goedkeuren", "reden": "Nagebeld op het bekende nummer."}),

    # controller
    ("medewerkers.verantwoording", "GET"): Regel(frozenset({CONTROLLER}), "/verantwoording?jaar=2025"),
    ("medewerkers.verantwoording_html", "GET"): Regel(frozenset({CONTROLLER}), "/verantwoording/2025/rapport.html"),
    ("medewerkers.verantwoording_xlsx", "GET"): Regel(frozenset({CONTROLLER}), "/verantwoording/2025/rapport.xlsx"),
    ("medewerkers.verantwoording_grootboek", "POST"): Regel(frozenset({CONTROLLER}), "/verantwoording/grootboek",
                                                           _upload("grootboek.csv", "geen,grootboek\n", "bestand")),
    ("medewerkers.verantwoording_bankafschrift", "POST"): Regel(frozenset({CONTROLLER}), "/verantwoording/bankafschrift",
                                                               _upload("camt053.xml", "<geen/>", "bestand")),

    # beheerder: users and roles (of someone else: mira)
    ("medewerkers.beheer", "GET"): Regel(frozenset({BEHEERDER}), "/beheer"),
    ("medewerkers.beheer_toevoegen", "POST"): Regel(frozenset({BEHEERDER}), "/beheer/gebruikers", lambda w, rol: {
        "naam": "nieuwe.collega", "rol": ["medewerker"], "wachtwoord": "Welkom-bij-lks-2025"}),
    ("medewerkers.beheer_rollen", "POST"): Regel(frozenset({BEHEERDER}), "/beheer/gebruikers/mira/rollen",
                                                lambda w, rol: {"rol": ["medewerker", "controller"]}),
    ("medewerkers.beheer_toegang", "POST"): Regel(frozenset({BEHEERDER}), "/beheer/gebruikers/mira/toegang",
                                                 lambda w, rol: {"actief": "0"}),
    ("medewerkers.beheer_tweede_factor", "POST"): Regel(frozenset({BEHEERDER}), "/beheer/gebruikers/mira/tweede-factor",
                                                       lambda w, rol: {"verplicht": "1"}),
    ("medewerkers.beheer_wachtwoord", "POST"): Regel(frozenset({BEHEERDER}), "/beheer/gebruikers/mira/wachtwoord",
                                                    lambda w, rol: {"wachtwoord": "Een-ander-wachtwoord-9"}),
    ("medewerkers.beheer_wijziging", "POST"): Regel(
        frozenset({BEHEERDER}), lambda w: f"/beheer/wijzigingen/{w.gebruikerswijziging}",
        lambda w, rol: {"besluit": "afwijzen", "reden": "Niet afgesproken."}),

    ("medewerkers.werklijst_melding", "POST"): Regel(
        frozenset({MEDEWERKER}), lambda w: f"/meldingen/{w.melding}",
        lambda w, rol: {"besluit": "afwijzen", "reden": "De werkgever heeft dit per mail ingetrokken."}),

    # the werkgeversportaal: a werkgever's own user only (wg1, of werkgever W1)
    ("portaal.overzicht", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/"),
    ("portaal.plaatsing", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/plaatsingen/P1"),
    ("portaal.brieven", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/brieven"),
    ("portaal.brief", "GET"): Regel(frozenset({WERKGEVER}), lambda w: f"/portaal/brieven/{w.brief_w1}.html"),
    ("portaal.betalingen", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/betalingen"),
    ("portaal.specificatie", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/betalingen/2025-02/1/specificatie.csv"),
    ("portaal.uren", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/uren?maand=2025-03"),
    # P1 is on contract hours: the route answers with the refusal (422), nothing is stored
    ("portaal.uren_opslaan", "POST"): Regel(frozenset({WERKGEVER}), "/portaal/uren",
                                           lambda w, rol: {"maand": "2025-03", "uren-P1": "80"}, toegestaan=(422,)),
    ("portaal.uren_bestand", "POST"): Regel(frozenset({WERKGEVER}), "/portaal/uren/bestand", _upload(
        "verloonde_uren.csv", "plaatsing_id,periode,uren\nP1,2025-03,80\n", "bestand"), toegestaan=(422,)),
    ("portaal.wijzigingen", "GET"): Regel(frozenset({WERKGEVER}), "/portaal/wijzigingen"),
    ("portaal.wijzigingen_melden", "POST"): Regel(frozenset({WERKGEVER}), "/portaal/wijzigingen", lambda w, rol: {
        "soort": "einde", "plaatsing_id": "P1", "einddatum": "2025-09-30", "reden": "Eigen ontslag."}),
}


def routes(app) -> dict[tuple[str, str], str]:
    """Every (endpoint, method) of the router, with its URL rule."""
    return {(r.endpoint, m): r.rule for r in app.url_map.iter_rules()
            for m in sorted(r.methods - {"HEAD", "OPTIONS"})}


def test_every_route_declares_a_rule_and_is_in_the_matrix(web):
    zonder_regel = sorted({e for e, _ in routes(web)} - {e for e, v in web.view_functions.items()
                                                          if kern.regel_van(v) is not None})
    assert not zonder_regel, f"routes zonder regel (@vereist, @ingelogd of @openbaar): {zonder_regel}"
    onbekend = sorted(f"{m} {rule} ({e})" for (e, m), rule in routes(web).items() if (e, m) not in MATRIX)
    assert not onbekend, ("routes die niet in MATRIX van tests/web/test_rollen.py staan; beslis per rol wie ze "
                          f"mag gebruiken en zet ze erin: {onbekend}")
    verdwenen = sorted(f"{m} {e}" for e, m in MATRIX if (e, m) not in routes(web))
    assert not verdwenen, f"MATRIX noemt routes die niet (meer) bestaan: {verdwenen}"


def test_the_matrix_agrees_with_the_declared_rules(web):
    """A second opinion on the table: the role a route declares allows exactly the roles the
    table names (openbaar: everyone; ingelogd: every logged-in user)."""
    from lks.app.identiteit import RECHTEN
    for (endpoint, methode), regel in MATRIX.items():
        if endpoint not in web.view_functions:
            continue
        verklaard = kern.regel_van(web.view_functions[endpoint])
        if verklaard == "openbaar":
            verwacht = IEDEREEN
        elif verklaard == "ingelogd":
            verwacht = INGELOGD
        else:
            verwacht = frozenset(r.value for r in RECHTEN[verklaard]) & IEDEREEN
        assert regel.rollen == verwacht, f"{methode} {endpoint}: tabel {sorted(regel.rollen)}, route {sorted(verwacht)}"


# --------------------------------------------------------------------------- the requests

@dataclass
class Wereld:
    """Objects that exist, so that an allowed request does not become a 404."""
    brief: str = ""          # a beschikking's kenmerk in URL form
    signaal: int = 0
    wijziging: int = 0
    melding: int = 0         # a report of werkgever W1 in the portal, waiting
    gebruikerswijziging: int = 0  # a change to carla asked by another beheerder, waiting
    brief_w1: str = ""       # a letter to W1 (the portal's werkgever)
    clients: dict = field(default_factory=dict)


def _wereld(web, engine, tmp_path) -> Wereld:
    """Runs 2025-02 (approved, files made), 2025-03 (calculated by piet), 2025-04 (requested);
    letters; signalen; an IBAN change of W1 delivered by piet and waiting; a werkgever user."""
    from lks.app import betaalruns, beschikkingen, gebruikers, leveringen, rekeningen, werklijst
    o = web.extensions["lks"]
    als = lambda naam: gebruikers.als(engine, naam, "test")  # noqa: E731
    nu = dt.datetime.now(dt.timezone.utc)
    werkgever_gebruiker(engine)
    piet, klaas = als("piet"), als("klaas")
    betaalruns.aanvragen(o, piet, "2025-02", nu)
    betaalruns.berekenen(o, piet, "2025-02", nu)
    betaalruns.goedkeuren(o, klaas, "2025-02", nu)
    betaalruns.exporteren(o, piet, "2025-02", nu)
    betaalruns.aanvragen(o, piet, "2025-03", nu)
    betaalruns.berekenen(o, piet, "2025-03", nu)
    betaalruns.aanvragen(o, piet, "2025-04", nu)
    brieven = beschikkingen.maak(o, piet, dt.date(2025, 6, 1), nu, pdf=False).beschikkingen
    werklijst.maak(o, piet, dt.date(2025, 6, 1), nu)
    levering = tmp_path / "levering-iban"
    shutil.copytree(gemeente_dir(tmp_path / "basis"), levering)
    with open(levering / "werkgevers.csv", encoding="utf-8") as f:
        rijen = list(csv.reader(f))
    rijen[1][3] = str(IBAN.generate("NL", bank_code="ABNA", account_code="0417164300"))
    with open(levering / "werkgevers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rijen)
    assert leveringen.importeren(engine, piet, levering, params=o.params).rekeningwijzigingen == ("W1",)
    from lks.app import meldingen
    melding = meldingen.meld(o, als("wg1"), "contracturen", {"ingangsdatum": "2025-07-01", "contracturen": "30"}, nu,
                             plaatsing_id="P1")
    brief_w1 = next(b.kenmerk for b in brieven if b.werkgever_id == "W1").replace("/", "-")
    # a change waiting for a second beheerder, asked by a beheerder who is no longer one (bea
    # stays the only active beheerder, so her own changes above take effect at once)
    from lks.db.models_gebruiker import Gebruikerswijziging
    with Session(engine) as s, s.begin():
        gw = Gebruikerswijziging(soort="rollen", gebruiker="carla", gegevens='{"rollen": ["goedkeurder"]}',
                                 aangevraagd_door="vertrokken.beheerder", aangevraagd_op=nu, status="wacht",
                                 opzetfase=False)
        s.add(gw)
        s.flush()
        gebruikerswijziging = gw.id
    return Wereld(brief=brieven[0].kenmerk.replace("/", "-"), signaal=werklijst.lijst(o, piet)[0].id,
                  wijziging=rekeningen.lijst(o, piet)[0].id, melding=melding.id, brief_w1=brief_w1,
                  gebruikerswijziging=gebruikerswijziging)


def staat(engine) -> dict:
    """The database for 'nothing changed': every table, and of the logged-in web sessions
    which exist and whose they are (not when each was last seen: reading a page keeps a
    session alive; and a visitor's anonymous session, which only holds a form's CSRF secret,
    is no change of anything)."""
    alles = dump(engine)
    alles.pop("web_sessie")
    with Session(engine) as s:
        alles["web_sessie"] = sorted(s.execute(select(WebSessie.token_hash, WebSessie.gebruiker_id)
                                               .where(WebSessie.gebruiker_id.is_not(None))).all())
    return alles


class Clients:
    """One logged-in test client per role (logged in again after a login or logout request)."""

    def __init__(self, web):
        self.web = web
        self._clients: dict[str, tuple] = {}

    def __call__(self, rol: str):
        if rol == ANONIEM:  # a fresh visitor each time, with the token of its login page
            c = self.web.test_client()
            return c, csrf(c.get("/login"))
        if rol not in self._clients:
            c = self.web.test_client()
            antwoord = inloggen(c, GEBRUIKER[rol])
            assert antwoord.status_code == 302, (rol, antwoord.get_data(as_text=True)[:300])
            self._clients[rol] = (c, csrf(c.get("/account/wachtwoord")))
        return self._clients[rol]

    def vergeet(self, rol: str) -> None:
        self._clients.pop(rol, None)


def _verzoek(client, methode: str, pad: str, data: dict | None):
    if methode == "GET":
        return client.get(pad)
    return client.post(pad, data=data, content_type="multipart/form-data")


def test_every_route_for_every_role(web_sso, engine, tmp_path):
    web = web_sso
    wereld = _wereld(web, engine, tmp_path)
    clients = Clients(web)
    fouten: list[str] = []
    for (endpoint, methode), rule in sorted(routes(web).items(), key=lambda x: (x[1], x[0])):
        regel = MATRIX.get((endpoint, methode))
        assert regel is not None, f"{methode} {rule} ({endpoint}) staat niet in MATRIX"
        pad = regel.pad(wereld) if callable(regel.pad) else regel.pad
        # refused roles first (nothing may change), then the allowed ones
        for rol in sorted(ROLLEN, key=lambda r: (r in regel.rollen, ROLLEN.index(r))):
            client, token = clients(rol)
            data = None
            if methode == "POST":
                data = {**(regel.data(wereld, rol) if regel.data else {}), "csrf_token": token}
            voor = staat(engine) if rol not in regel.rollen else None
            antwoord = _verzoek(client, methode, pad, data)
            status, waar = antwoord.status_code, antwoord.headers.get("Location", "")
            wat = f"{methode} {pad} ({endpoint}) als {rol}: {status} {waar}".strip()
            if rol in regel.rollen:
                if status not in regel.toegestaan:
                    fouten.append(f"toegestaan maar {wat}")
                if regel.wisselt_sessie:
                    clients.vergeet(rol)
                continue
            if rol == ANONIEM:
                geweigerd = (status == 302 and waar.startswith("/login")) if methode == "GET" else status in (401, 403)
            else:
                geweigerd = status == 403
            if not geweigerd:
                fouten.append(f"niet geweigerd: {wat}")
            elif "Traceback" in antwoord.get_data(as_text=True):
                fouten.append(f"traceback in de weigering: {wat}")
            na = staat(engine)
            if na != voor:
                fouten.append(f"database gewijzigd na weigering: {wat}: "
                              f"{sorted(k for k in na if na[k] != voor.get(k))}")
    assert not fouten, "\n".join(fouten)
    _allowed_requests_did_their_work(engine, wereld)


def _allowed_requests_did_their_work(engine, wereld: Wereld) -> None:
    """The allowed POSTs were real: each did what it says (not merely 'not refused')."""
    from lks.db.models_beschikking import Beschikking
    from lks.db.models_betaalrun import Betaalrun
    from lks.db.models_gebruiker import Gebruiker, Rekeningwijziging
    from lks.db.models_signalen import Signaal
    with Session(engine) as s:
        runs = {r.periode: r for r in s.scalars(select(Betaalrun))}
        assert (runs["2025-03"].status, runs["2025-03"].goedgekeurd_door) == ("goedgekeurd", "klaas")
        assert runs["2025-04"].status == "geannuleerd" and runs["2025-05"].aangevraagd_door == "piet"
        assert runs["2025-02"].status == "verzonden"
        assert s.get(Rekeningwijziging, wereld.wijziging).beoordeeld_door == "klaas"
        assert s.get(Signaal, wereld.signaal).opgelost_door == "piet"
        kenmerk = wereld.brief.replace("-", "/")
        assert s.scalars(select(Beschikking.status).where(Beschikking.kenmerk == kenmerk)).one() == "verzonden"
        mira = s.scalars(select(Gebruiker).where(Gebruiker.naam == "mira")).one()
        assert not mira.actief and mira.totp_verplicht
        assert s.scalars(select(Gebruiker).where(Gebruiker.naam == "nieuwe.collega")).one()
        from lks.db.models_gebruiker import Gebruikerswijziging
        gw = s.get(Gebruikerswijziging, wereld.gebruikerswijziging)
        assert (gw.status, gw.beoordeeld_door) == ("afgewezen", "bea")


@pytest.mark.parametrize("pad", ["/betaalruns/2025-02/1/bestanden/..%2F..%2Flks.db",
                                 "/betaalruns/2025-02/1/bestanden/.lks-tmp",
                                 "/betaalruns/2025-99/1/bestanden/pain.001-2025-02-1.xml",
                                 "/beschikkingen/..%2Fx.html", "/static/../lks.db", "/static/..%2F__init__.py",
                                 "/betaalbestanden/betaalrun-2025-02-1/pain.001-2025-02-1.xml"])
def test_downloads_are_never_a_path(web, als, pad):
    """Files are served by name from the run's own list, never as a path (interfaces §5)."""
    carla = als("carla")
    assert carla.get(pad).status_code == 404
