"""The monthly cycle in a real browser (Debian's chromium driven by Playwright), on SQLite and
PostgreSQL, against the real application served by waitress on 127.0.0.1 (issue 16 §7).

Two people walk it: piet (medewerker) uploads a delivery with an error (shown with file, line
and reason; nothing stored), then a good one, requests and calculates the month's run, sees no
approve button, and a forged approve from his page is refused; carla (controller) reads the
verantwoording with its charts and cannot approve; bea (beheerder) cannot approve; klaas
(goedkeurder) approves; piet makes the files and the pain.001 downloaded through the browser is
XSD-valid and byte-identical to the CLI's export of the same run. Then the payment-fraud path:
a delivery changes W1's IBAN, the next run holds W1, the deliverer (who is also a goedkeurder)
cannot approve the change, klaas does, and the run after pays W1.

Every page visited is checked by axe-core (no serious or critical violation) and for console
errors (a Content-Security-Policy violation shows up there). With ``LKS_SCREENSHOTS=1`` the
SQLite run saves screenshots of the main pages to docs/screenshots/ (the README shows them).

Chromium must be installed (``.ci/run`` installs Debian's package): without it these tests
FAIL, they never skip. Never ``playwright install``."""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from schwifty import IBAN
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app.omgeving import Omgeving
from lks.db.models_betaalrun import Aanhouding, Betaalregel, Betaalrun
from lks.db.models_gebruiker import Rekeningwijziging
from lks.settings import load_settings
from lks.web import maak_app
from tests.betaalrun.conftest import gemeente_dir, write_csv
from tests.foundation.helpers import TESTWACHTWOORD, Cli, dump

from .test_rollen import staat

CHROMIUM = os.environ.get("LKS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=nl-NL"]
SCHERM = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NIEUW_IBAN = str(IBAN.generate("NL", bank_code="ABNA", account_code="0417164300"))


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium through Playwright; its absence fails the test (never a skip)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium ontbreekt ({CHROMIUM}): installeer het Debian-pakket (apt-get install chromium; "
                    ".ci/run doet dat). Nooit 'playwright install'.", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Live:
    url: str
    omgeving: Omgeving


@pytest.fixture
def live(engine, tmp_path, monkeypatch):
    """The application as ``lks serve`` runs it (waitress), on 127.0.0.1 and a free port."""
    from waitress.server import create_server
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    omgeving = Omgeving(engine=engine, settings=load_settings(), uitvoer=tmp_path)
    server = create_server(maak_app(omgeving, geheim=b"browser" * 5), host="127.0.0.1", port=0, threads=4,
                           ident="lks")
    stoppen = threading.Event()

    def run():
        try:
            server.run()
        except OSError:  # close() from this thread while the loop waits in select(): EBADF
            if not stoppen.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.effective_port}", omgeving)
    finally:
        stoppen.set()
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


@dataclass
class Controle:
    """What every page visit is checked for, collected over the whole test."""
    schermafdrukken: Path | None
    bevindingen: list[str] = field(default_factory=list)
    bezocht: list[str] = field(default_factory=list)
    kleiner: list[str] = field(default_factory=list)  # moderate and minor: reported, not failed

    def bekijk(self, page, naam: str | None = None) -> None:
        """axe-core on the page as it is now; a screenshot of it under ``naam``."""
        from axe_playwright_python.sync_playwright import Axe
        page.wait_for_load_state("load")
        resultaat = Axe().run(page)
        for v in resultaat.response["violations"]:
            plekken = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            regel = f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {plekken}"
            if v["impact"] in ("serious", "critical"):
                self.bevindingen.append(regel)
            else:
                self.kleiner.append(regel)
        self.bezocht.append(page.url)
        if naam and self.schermafdrukken is not None:
            self.schermafdrukken.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.schermafdrukken / f"{naam}.png"), full_page=True)


class Persoon:
    """One user in a browser context of their own (cookies apart), on a 1280 px wide screen."""

    def __init__(self, chromium, live: Live, controle: Controle, naam: str):
        self.live, self.controle, self.naam = live, controle, naam
        self.context = chromium.new_context(viewport=SCHERM, locale="nl-NL", base_url=live.url,
                                            accept_downloads=True)
        self.page = self.context.new_page()
        # a CSP violation or a script error shows up on the console; a failed stylesheet,
        # script or image as a response (the page itself is checked by whoever opens it)
        self.page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
                     and controle.bevindingen.append(f"console ({naam}) op {self.page.url}: {m.text}"))
        self.page.on("pageerror", lambda e: controle.bevindingen.append(f"scriptfout ({naam}): {e}"))
        self.vragen: list[str] = []  # confirmation questions asked
        self.ja = True                # the answer to them
        self.page.on("dialog", lambda d: (self.vragen.append(d.message), d.accept() if self.ja else d.dismiss()))
        self.page.on("response", lambda r: r.request.resource_type != "document" and r.status >= 400
                     and controle.bevindingen.append(f"{r.status} voor {r.url} ({r.request.resource_type}) "
                                                     f"op {self.page.url}"))

    def ga(self, pad: str, screenshot: str | None = None):
        antwoord = self.page.goto(pad)
        assert antwoord is not None and antwoord.status == 200, (pad, antwoord and antwoord.status)
        self.controle.bekijk(self.page, screenshot)
        return self.page

    def inloggen(self, screenshot: str | None = None) -> None:
        page = self.page
        page.goto("/login")
        self.controle.bekijk(page, screenshot)
        page.get_by_label("Gebruikersnaam").fill(self.naam)
        page.get_by_label("Wachtwoord").fill(TESTWACHTWOORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state("load")
        assert "/login" not in page.url, page.content()[:2000]

    def knop(self, naam: str):
        return self.page.get_by_role("button", name=naam, exact=True)

    def klik(self, naam: str) -> None:
        with self.page.expect_navigation():
            self.knop(naam).click()
        self.controle.bekijk(self.page)

    def vervals_post(self, pad: str, data: dict | None = None):
        """A POST made from this user's own page with the page's CSRF token: what a user who
        knows the URL (or a script in their browser) can send, whatever the page shows."""
        token = self.page.locator("input[name=csrf_token]").first.get_attribute("value")
        return self.page.request.post(self.live.url + pad, form={**(data or {}), "csrf_token": token},
                                      max_redirects=0)

    def sluit(self) -> None:
        self.context.close()


def _melding(page) -> str:
    return " ".join(page.locator(".utrecht-alert").all_inner_texts())


def _levering_met_fouten(map_: Path) -> list[str]:
    """A delivery with a BSN that fails the elfproef and a date that does not exist."""
    map_.mkdir(parents=True)
    write_csv(map_, "werknemers.csv", ["werknemer_id", "bsn", "naam", "geboortedatum"],
              [["N4", "123456789", "Dirk Bos", "1988-03-04"]])
    write_csv(map_, "plaatsingen.csv", ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum",
                                        "einddatum", "contracturen", "voltijdsuren"],
              [["P4", "N4", "W1", "lks", "2025-02-30", "", "32", "38"]])
    return [str(map_ / "werknemers.csv"), str(map_ / "plaatsingen.csv")]


def _goede_levering(map_: Path) -> list[str]:
    """A new loonwaarde for P1 from March (a real change of the facts)."""
    map_.mkdir(parents=True)
    write_csv(map_, "loonwaarden.csv", ["plaatsing_id", "ingangsdatum", "loonwaarde"], [["P1", "2025-03-01", "65"]])
    return [str(map_ / "loonwaarden.csv")]


def _levering_nieuw_iban(map_: Path, basis: Path) -> list[str]:
    shutil.copytree(gemeente_dir(basis), map_)
    with open(map_ / "werkgevers.csv", encoding="utf-8") as f:
        rijen = list(csv.reader(f))
    rijen[1][3] = NIEUW_IBAN  # W1
    with open(map_ / "werkgevers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rijen)
    return [str(map_ / "werkgevers.csv")]


def _run(engine, periode: str) -> Betaalrun:
    with Session(engine) as s:
        return s.scalars(select(Betaalrun).where(Betaalrun.periode == periode, Betaalrun.status != "geannuleerd")).one()


def test_the_monthly_cycle_in_a_browser(chromium, live, engine, backend, tmp_path):
    controle = Controle(SCREENSHOTS if backend == "sqlite" and os.environ.get("LKS_SCREENSHOTS") == "1"
                        else tmp_path / "screenshots")
    personen: list[Persoon] = []

    def persoon(naam: str) -> Persoon:
        p = Persoon(chromium, live, controle, naam)
        personen.append(p)
        return p

    try:
        _maand(persoon, controle, live, engine, tmp_path)
        _iban_wijziging(persoon, controle, live, engine, tmp_path)
    finally:
        for p in personen:
            p.sluit()
    assert len(controle.bezocht) >= 25
    if controle.kleiner:
        print("axe (moderate/minor):", *sorted(set(controle.kleiner)), sep="\n  ")
    assert not controle.bevindingen, "\n".join(controle.bevindingen)
    if controle.schermafdrukken is not None:
        for naam in ("login", "overzicht", "leveringen-fout", "betaalrun", "beschikkingen", "werklijst",
                     "verantwoording", "beheer", "rekeningen"):
            assert (controle.schermafdrukken / f"{naam}.png").exists(), naam


def _maand(persoon, controle: Controle, live: Live, engine, tmp_path: Path) -> None:
    piet = persoon("piet")
    piet.inloggen(screenshot="login")
    assert piet.page.url.endswith("/overzicht")
    controle.bekijk(piet.page, "overzicht")

    # a delivery with errors: each with file, line and reason; nothing stored
    piet.ga("/leveringen")
    voor = dump(engine)
    piet.page.get_by_label("CSV-bestanden").set_input_files(_levering_met_fouten(tmp_path / "fout"))
    piet.klik("Inlezen")
    fouten = _melding(piet.page)
    assert "Levering geweigerd" in fouten and "Er is niets opgeslagen" in fouten
    assert re.search(r"werknemers\.csv, regel 2, kolom bsn: .*elfproef", fouten), fouten
    assert re.search(r"plaatsingen\.csv, regel 2, kolom startdatum: .*2025-02-30", fouten), fouten
    assert "123456789" not in piet.page.content()  # not even a wrong BSN is shown in full
    assert dump(engine) == voor
    controle.bekijk(piet.page, "leveringen-fout")

    # a good one
    piet.page.get_by_label("CSV-bestanden").set_input_files(_goede_levering(tmp_path / "goed"))
    piet.klik("Inlezen")
    assert "ingelezen: 1 nieuwe of gewijzigde regels" in _melding(piet.page)

    # the month's run: request and calculate
    piet.ga("/betaalruns")
    piet.page.get_by_label("Maand (JJJJ-MM)").fill("2025-03")
    piet.klik("Betaalrun aanvragen")
    assert piet.page.url.endswith("/betaalruns/2025-03/1")
    piet.klik("Berekenen")
    assert "berekend" in piet.page.locator(".lks-status").first.inner_text()
    assert piet.knop("Goedkeuren").count() == 0  # no approve action for the one who calculated
    controle.bekijk(piet.page, "betaalrun-berekend")

    # a forged approve from his own page: refused, nothing changed
    voor = staat(engine)
    antwoord = piet.vervals_post("/betaalruns/2025-03/1/goedkeuren")
    assert antwoord.status == 403 and "Geen toegang" in antwoord.text()
    assert staat(engine) == voor

    # the controller reads the verantwoording with its charts, and cannot approve
    carla = persoon("carla")
    carla.inloggen()
    carla.ga("/verantwoording?jaar=2025", screenshot="verantwoording")
    assert carla.page.locator(".lks-grafiek svg").count() >= 1
    assert carla.page.get_by_role("link", name=re.compile("Excel")).count() == 1
    carla.ga("/betaalruns/2025-03/1")
    assert carla.knop("Goedkeuren").count() == 0
    voor = staat(engine)
    antwoord = carla.vervals_post("/betaalruns/2025-03/1/goedkeuren")
    assert antwoord.status == 403 and staat(engine) == voor

    # the beheerder manages users, and cannot approve either
    bea = persoon("bea")
    bea.inloggen()
    assert bea.page.url.endswith("/beheer")
    controle.bekijk(bea.page, "beheer")
    voor = staat(engine)
    antwoord = bea.vervals_post("/betaalruns/2025-03/1/goedkeuren")
    assert antwoord.status == 403 and staat(engine) == voor
    assert bea.page.request.get(live.url + "/betaalruns/2025-03/1").status == 403

    # the goedkeurder approves
    klaas = persoon("klaas")
    klaas.inloggen()
    klaas.ga("/betaalruns/2025-03/1")
    klaas.ja = False  # asked before an irreversible step; "no" sends nothing
    voor = staat(engine)
    klaas.knop("Goedkeuren").click()
    klaas.page.wait_for_timeout(300)
    assert klaas.vragen == ["Betaalrun 2025-03-1 goedkeuren?"] and staat(engine) == voor
    klaas.ja = True
    klaas.klik("Goedkeuren")
    assert "goedgekeurd" in _melding(klaas.page)
    run = _run(engine, "2025-03")
    assert (run.status, run.berekend_door, run.goedgekeurd_door) == ("goedgekeurd", "piet", "klaas")

    # piet makes the files and downloads the pain.001
    piet.ga("/betaalruns/2025-03/1")
    piet.klik("SEPA-bestand en specificaties maken")
    controle.bekijk(piet.page, "betaalrun")
    with piet.page.expect_download() as download:
        piet.page.get_by_role("link", name="pain.001-2025-03-1.xml").click()
    web_bestand = tmp_path / "download" / download.value.suggested_filename
    download.value.save_as(web_bestand)
    inhoud = web_bestand.read_bytes()
    from lks.documents.sepa import validate_pain001
    validate_pain001(inhoud)  # XSD and the sums; raises when invalid
    # the CLI's export of the same run, into another folder: byte for byte the same
    cli = Cli(engine.url.render_as_string(hide_password=False), als="piet")
    resultaat = cli("betaalrun", "export", "--periode", "2025-03", "--out", tmp_path / "cli")
    assert resultaat.exit_code == 0, resultaat.output
    assert (tmp_path / "cli" / "betaalrun-2025-03-1" / "pain.001-2025-03-1.xml").read_bytes() == inhoud
    assert (live.omgeving.betaalbestanden / "betaalrun-2025-03-1" / "pain.001-2025-03-1.xml").read_bytes() == inhoud

    # the other main pages
    # the letters of an earlier batch (the scheduler makes them): read one, mark one sent
    from lks.app import beschikkingen, gebruikers
    brieven = beschikkingen.maak(live.omgeving, gebruikers.als(engine, "mira", "test"), dt.date(2025, 4, 1),
                                 dt.datetime.now(dt.timezone.utc), pdf=False).beschikkingen
    assert brieven
    piet.ga("/beschikkingen", screenshot="beschikkingen")
    kenmerk = brieven[0].kenmerk
    rij = piet.page.locator("tr", has_text=kenmerk)
    brief = piet.page.request.get(live.url + rij.get_by_role("link", name=f"HTML van {kenmerk}").get_attribute("href"))
    from lks.web.kern import CSP_DOCUMENT
    assert brief.status == 200 and brief.headers["content-security-policy"] == CSP_DOCUMENT  # no script at all
    assert kenmerk in brief.text() and "<script" not in brief.text()
    with piet.page.expect_navigation():
        rij.get_by_role("button", name="Als verzonden markeren").click()
    controle.bekijk(piet.page)
    assert "gemarkeerd als verzonden" in _melding(piet.page)
    piet.ga("/werkgevers")
    piet.ga("/werkgevers/W1")
    piet.ga("/plaatsingen/P1?periode=2025-03")
    assert "65" in piet.page.inner_text("main")  # the new loonwaarde in the derivation
    piet.ga("/account/wachtwoord")
    klaas.ga("/werklijst")
    carla.ga("/overzicht")
    carla.ga("/leveringen")


def _iban_wijziging(persoon, controle: Controle, live: Live, engine, tmp_path: Path) -> None:
    """The payment-fraud path: a changed IBAN is held until a goedkeurder other than the one
    who delivered it approves it."""
    bea = persoon("bea")
    bea.inloggen()
    # mira gets a second role: she may deliver and approve, but never her own delivery
    rij = bea.page.locator("tr", has_text="mira")
    rij.locator("summary").click()
    rij.get_by_label("goedkeurder").check()
    with bea.page.expect_navigation():
        rij.get_by_role("button", name="Rollen opslaan").click()
    assert "medewerker" in _melding(bea.page) and "goedkeurder" in _melding(bea.page)

    mira = persoon("mira")
    mira.inloggen()
    mira.ga("/leveringen")
    mira.page.get_by_label("CSV-bestanden").set_input_files(_levering_nieuw_iban(tmp_path / "iban", tmp_path / "b"))
    mira.klik("Inlezen")
    assert "Nieuw rekeningnummer voor werkgever W1" in _melding(mira.page)
    from lks.app import gebruikers, werklijst  # the scheduler brings the werklijst up to date every day
    werklijst.maak(live.omgeving, gebruikers.als(engine, "piet", "test"), dt.date(2025, 6, 1),
                   dt.datetime.now(dt.timezone.utc))
    mira.ga("/werklijst", screenshot="werklijst")
    assert "W1" in mira.page.inner_text("main")
    mira.ga("/rekeningen")
    assert mira.knop("Goedkeuren").count() == 0 and "U leverde dit nummer aan" in mira.page.inner_text("main")
    with Session(engine) as s:
        wijziging = s.scalars(select(Rekeningwijziging).where(Rekeningwijziging.status == "wacht")).one()
    assert wijziging.ingediend_door == "mira"
    voor = staat(engine)
    antwoord = mira.vervals_post(f"/rekeningen/{wijziging.id}", {"besluit": "goedkeuren"})
    assert antwoord.status == 403 and staat(engine) == voor

    # the next run holds W1
    piet = persoon("piet")
    piet.inloggen()
    piet.ga("/betaalruns")
    piet.page.get_by_label("Maand (JJJJ-MM)").fill("2025-04")
    piet.klik("Betaalrun aanvragen")
    piet.klik("Berekenen")
    aangehouden = piet.page.locator("h2", has_text="Aangehouden")
    assert aangehouden.count() == 1
    assert "W1" in piet.page.locator("table", has=piet.page.locator("th", has_text="Regels")).first.inner_text() or \
        "W1" in piet.page.inner_text("main")
    with Session(engine) as s:
        run = _run(engine, "2025-04")
        assert [a.werkgever_id for a in s.scalars(select(Aanhouding).where(Aanhouding.betaalrun_id == run.id))] == ["W1"]

    # klaas approves the account after checking it, and the run
    klaas = persoon("klaas")
    klaas.inloggen()
    klaas.ga("/rekeningen", screenshot="rekeningen")
    rij = klaas.page.locator("tr", has_text=IBAN(NIEUW_IBAN).formatted)
    with klaas.page.expect_navigation():
        rij.get_by_role("button", name="Goedkeuren").click()
    controle.bekijk(klaas.page)
    assert "goedgekeurd" in _melding(klaas.page)
    klaas.ga("/betaalruns/2025-04/1")
    klaas.klik("Goedkeuren")

    # the run after pays W1: May itself, and the held months as corrections
    piet.ga("/betaalruns")
    piet.page.get_by_label("Maand (JJJJ-MM)").fill("2025-05")
    piet.klik("Betaalrun aanvragen")
    piet.klik("Berekenen")
    assert piet.page.locator("h2", has_text="Aangehouden").count() == 0
    with Session(engine) as s:
        run = _run(engine, "2025-05")
        w1 = s.scalars(select(Betaalregel).where(Betaalregel.betaalrun_id == run.id, Betaalregel.werkgever_id == "W1")).all()
        assert {(r.periode, r.soort) for r in w1} >= {("2025-04", "correctie"), ("2025-05", "regulier")}


@pytest.mark.parametrize("backend", ["sqlite"])  # pages only: the cycle above runs on both backends
def test_every_other_page_passes_axe(chromium, live, engine, backend, tmp_path):
    """The pages the cycle does not pass: a failed login, the second factor (set-up and code),
    one's own password, werkgevers, a werkgever, a plaatsing with its derivation, all signalen,
    the error pages (403, 404, an expired form), and the staff page as a werkgever sees it."""
    import pyotp

    from lks.app import betaalruns, gebruikers, werklijst
    o = live.omgeving
    piet = gebruikers.als(engine, "piet", "test")
    nu = dt.datetime.now(dt.timezone.utc)
    betaalruns.aanvragen(o, piet, "2025-03", nu)
    betaalruns.berekenen(o, piet, "2025-03", nu)
    werklijst.maak(o, piet, dt.date(2025, 6, 1), nu)
    gebruikers.zet_totp_verplicht(engine, gebruikers.als(engine, "bea", "test"), "bert", True)
    controle = Controle(SCREENSHOTS if os.environ.get("LKS_SCREENSHOTS") == "1" else tmp_path / "screenshots")
    p = Persoon(chromium, live, controle, "carla")
    try:
        page = p.page
        # a wrong password, then the right one
        page.goto("/login")
        page.get_by_label("Gebruikersnaam").fill("carla")
        page.get_by_label("Wachtwoord").fill("niet-goed")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state("load")
        assert "Gebruikersnaam of wachtwoord onjuist" in _melding(page)
        controle.bekijk(page)
        p.inloggen()
        for pad in ("/werkgevers", "/werkgevers?zoek=horst", "/werkgevers/W2", "/plaatsingen/P3?periode=2025-03",
                    "/werklijst?alle=1", "/account/wachtwoord", "/betaalruns", "/rekeningen",
                    "/beschikkingen?soort=verlening&status=concept"):
            p.ga(pad)
        p.ga("/plaatsingen/P1?periode=2025-03", screenshot="plaatsing")
        assert p.page.locator("pre.lks-uitleg").count() == 1
        # the search field narrows the list without a page load (htmx, served by the app itself)
        p.ga("/werkgevers")
        page.get_by_label("Zoek op naam, nummer, KvK of plaats").fill("Horst")
        page.wait_for_timeout(800)
        assert "Bakkerij" not in page.locator("table").inner_text() and "Horst" in page.locator("table").inner_text()
        controle.bekijk(page)
        # error pages
        for pad, status in (("/beheer", 403), ("/bestaat-niet", 404), ("/plaatsingen/P999", 404)):
            antwoord = page.goto(pad)
            assert antwoord.status == status
            controle.bekijk(page)
        # a form whose token no longer fits (a form left open across a restart, or forged)
        p.ga("/account/wachtwoord")
        page.locator("form:has(#huidig) input[name=csrf_token]").evaluate("e => e.value = 'verlopen'")
        for veld, waarde in (("huidig", TESTWACHTWOORD), ("nieuw", "Nieuw-wachtwoord-2025"), ("herhaal", "Nieuw-wachtwoord-2025")):
            page.locator(f"#{veld}").fill(waarde)
        with page.expect_navigation():
            page.locator("form:has(#huidig) button[type=submit]").click()
        assert "CSRF-controle" in page.inner_text("main")
        controle.bekijk(page)
        p.ga("/login")  # the login page for a logged-in user
        # the second factor: set-up with the QR code, then the code
        b = Persoon(chromium, live, controle, "bert")
        try:
            b.page.goto("/login")
            b.page.get_by_label("Gebruikersnaam").fill("bert")
            b.page.get_by_label("Wachtwoord").fill(TESTWACHTWOORD)
            b.page.get_by_role("button", name="Inloggen").click()
            b.page.wait_for_url("**/login/tweede-factor")
            controle.bekijk(b.page, "tweede-factor")
            geheim = b.page.locator("#totp-sleutel").inner_text().replace(" ", "")
            b.page.get_by_label("Code").fill("000000" if pyotp.TOTP(geheim).now() != "000000" else "111111")
            b.page.get_by_role("button", name="Bevestigen").click()
            b.page.wait_for_load_state("load")
            assert "De code klopt niet" in _melding(b.page)
            controle.bekijk(b.page)
            b.page.get_by_label("Code").fill(pyotp.TOTP(geheim).now())
            b.page.get_by_role("button", name="Bevestigen").click()
            b.page.wait_for_url("**/overzicht")
            controle.bekijk(b.page)
        finally:
            b.sluit()
    finally:
        p.sluit()
    assert not controle.bevindingen, "\n".join(controle.bevindingen)
