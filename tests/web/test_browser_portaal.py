"""The werkgeversportaal in a real browser (Debian's chromium via Playwright), on SQLite and
PostgreSQL (issue 17): a werkgever logs in, downloads its beschikking as PDF and its
betaalspecificatie, delivers the hours of two oproepkrachten and reports the end of an
employment; a medewerker accepts the report; the next run pays the hours and the
beëindigingsbeschikking follows. Every portal page is checked by axe-core (no serious or
critical violation); with ``LKS_SCREENSHOTS=1`` the SQLite run saves screenshots of the portal
to docs/screenshots/."""
from __future__ import annotations

import csv
import datetime as dt
import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app import beschikkingen, betaalruns, gebruikers, leveringen
from lks.db.models_betaalrun import Betaalregel, Betaalrun

from .conftest import werkgever_gebruiker
from .test_browser import SCREENSHOTS, Controle, Persoon, chromium, live  # noqa: F401  (fixtures)

UTC = dt.timezone.utc


def _oproepkrachten(map_, engine, o) -> None:
    map_.mkdir()
    rijen = {
        "werknemers.csv": [["werknemer_id", "bsn", "naam", "geboortedatum"],
                           ["N8", "111222333", "Olga Oproep", "1991-02-03"], ["N9", "123456782", "Piet Paal", "1993-06-07"]],
        "plaatsingen.csv": [["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                             "contracturen", "voltijdsuren", "urenbasis"],
                            ["OP1", "N8", "W1", "lks", "2025-01-01", "", "0", "38", "verloond"],
                            ["OP2", "N9", "W1", "lks", "2025-01-01", "", "8", "38", "verloond"]],
        "loonwaarden.csv": [["plaatsing_id", "ingangsdatum", "loonwaarde"], ["OP1", "2025-01-01", "60"],
                            ["OP2", "2025-01-01", "50"]],
    }
    for naam, inhoud in rijen.items():
        with open(map_ / naam, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(inhoud)
    leveringen.importeren(engine, gebruikers.als(engine, "piet", "test"), map_,
                          recorded_at=dt.datetime(2025, 1, 3, tzinfo=UTC), params=o.params)


def test_the_portal_in_a_browser(chromium, live, engine, backend, tmp_path):  # noqa: F811
    o = live.omgeving
    piet_id, klaas_id = gebruikers.als(engine, "piet", "test"), gebruikers.als(engine, "klaas", "test")
    werkgever_gebruiker(engine, "wg1", "W1")
    _oproepkrachten(tmp_path / "oproep", engine, o)
    maart = dt.datetime(2025, 3, 18, 7, tzinfo=UTC)
    betaalruns.aanvragen(o, piet_id, "2025-03", maart)
    betaalruns.berekenen(o, piet_id, "2025-03", maart)
    betaalruns.goedkeuren(o, klaas_id, "2025-03", maart)
    betaalruns.exporteren(o, piet_id, "2025-03", maart)
    beschikkingen.maak(o, piet_id, dt.date(2025, 3, 18), maart, pdf=False)

    controle = Controle(SCREENSHOTS if backend == "sqlite" and os.environ.get("LKS_SCREENSHOTS") == "1"
                        else tmp_path / "screenshots")
    wg = Persoon(chromium, live, controle, "wg1")
    try:
        wg.inloggen()
        page = wg.page
        assert page.url.endswith("/portaal/")
        controle.bekijk(page, "portaal-overzicht")
        tekst = page.inner_text("main")
        assert "Olga Oproep" in tekst and "Anna de Vries" in tekst and "Zorgboerderij" not in tekst
        assert "volgens loonstrook" in tekst
        wg.ga("/portaal/plaatsingen/OP1", "portaal-plaatsing")
        assert "Olga Oproep" in page.inner_text("main") and "lks parameters" not in page.inner_text("main")
        antwoord = page.goto("/portaal/plaatsingen/P2")  # another werkgever's: not found, as werkgever
        assert antwoord is not None and antwoord.status == 404
        controle.bekijk(page, "portaal-niet-gevonden")
        assert "Bram Smit" not in page.inner_text("body")

        wg.ga("/portaal/brieven", "portaal-brieven")
        with page.expect_download() as download:
            page.get_by_role("link", name="PDF").first.click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        wg.ga("/portaal/betalingen", "portaal-betalingen")
        assert "LKS-202503-1-B-W1" in page.inner_text("main")
        with page.expect_download() as download:
            page.get_by_role("link", name="PDF specificatie maart 2025").click()
        assert download.value.path().read_bytes().startswith(b"%PDF")

        # a typing error (past the browser's own check): the 422 page says it plainly
        wg.ga("/portaal/uren?maand=2025-03")
        page.locator("form", has=page.get_by_role("button", name="Uren versturen")).evaluate(
            "f => f.noValidate = true")
        page.get_by_label("Olga Oproep (nummer OP1): uren op de loonstrook").fill("abc")
        with page.expect_navigation():
            page.get_by_role("button", name="Uren versturen").click()
        controle.bekijk(page, "portaal-uren-fout")
        assert "Bij Olga Oproep (maart 2025): vul een getal in, zoals 38 of 37,5." in page.inner_text("main")

        # the hours of March for both oproepkrachten, on the form of that month
        wg.ga("/portaal/uren?maand=2025-03")
        page.get_by_label("Olga Oproep (nummer OP1): uren op de loonstrook").fill("100")
        page.get_by_label("Piet Paal (nummer OP2): uren op de loonstrook").fill("64.25")
        controle.bekijk(page, "portaal-uren")
        wg.klik("Uren versturen")
        assert "Wij hebben de uren ontvangen van 2 werknemer(s)" in page.inner_text("main")

        # a bank account that fails its check digits: the 422 page
        wg.ga("/portaal/wijzigingen")
        kaart = page.locator("form", has=page.get_by_role("heading", name="Nieuw rekeningnummer"))
        kaart.get_by_label("Rekeningnummer (IBAN)").fill("NL00ABNA0417164300")
        kaart.get_by_label("Op naam van").fill("Bakkerij Omer")
        with page.expect_navigation():
            kaart.get_by_role("button", name="Doorgeven").click()
        controle.bekijk(page, "portaal-wijzigingen-fout")
        assert "Er is niets opgeslagen." in page.inner_text("main")

        # the end of an employment, waiting for a medewerker
        wg.ga("/portaal/wijzigingen")
        kaart = page.locator("form", has=page.get_by_role("heading", name="Dienstverband stopt"))
        kaart.get_by_label("Werknemer").select_option("P1")
        kaart.get_by_label("Laatste werkdag").fill("2025-04-30")
        kaart.get_by_label("Waarom stopt het dienstverband?").fill("Contract niet verlengd")
        with page.expect_navigation():
            kaart.get_by_role("button", name="Doorgeven").click()
        controle.bekijk(page, "portaal-wijzigingen")
        assert "wordt verwerkt" in page.inner_text("main")
    finally:
        wg.sluit()

    piet = Persoon(chromium, live, controle, "piet")
    try:
        piet.inloggen()
        page = piet.ga("/werklijst")
        assert "einde dienstverband per 2025-04-30" in page.inner_text("main")
        with page.expect_navigation():
            page.get_by_role("button", name=f"Accepteren melding {1}").click()
        controle.bekijk(page)
        assert "geaccepteerd" in page.inner_text("main")
    finally:
        piet.sluit()

    # the next run pays March's hours (a correction: the March run paid 0, uren_ontbreken);
    # it runs with what is known now: the hours and the accepted report were recorded just now
    april = dt.datetime.now(UTC)
    betaalruns.aanvragen(o, piet_id, "2025-04", april)
    betaalruns.berekenen(o, piet_id, "2025-04", april)
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == "2025-04")).one()
        regels = {(r.plaatsing_id, r.periode): r for r in s.scalars(
            select(Betaalregel).where(Betaalregel.betaalrun_id == run.id))}
    # OP1, March 2025, 100 h at loonwaarde 60 %: 14.06 × 1.08 × 0.40 × 100 = 607.392 → 607.39;
    # × 0.235 = 142.7367 → 142.74; 750.13 (hourly WML 14,06 from 2025-01-01)
    assert (regels["OP1", "2025-03"].soort, regels["OP1", "2025-03"].bedrag) == ("correctie", 750_13)
    # OP2, March, 64.25 h at loonwaarde 50 %: 14.06 × 1.08 × 0.50 × 64.25 = 487.8117 → 487.81;
    # × 0.235 = 114.63535 → 114.64; 602.45
    assert (regels["OP2", "2025-03"].soort, regels["OP2", "2025-03"].bedrag) == ("correctie", 602_45)
    brieven = beschikkingen.maak(o, piet_id, dt.date(2025, 4, 18), april, pdf=False).beschikkingen
    assert any(b.soort == "beeindiging" and "P1" in b.plaatsingen for b in brieven)

    assert len(controle.bezocht) >= 12
    if controle.kleiner:
        print("axe (moderate/minor):", *sorted(set(controle.kleiner)), sep="\n  ")
    assert not controle.bevindingen, "\n".join(controle.bevindingen)
