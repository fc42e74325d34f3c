"""A betaalrun that pays nothing (only vorderingen after withdrawals) is completed on the web
page like any other: the documents are made without a SEPA file, the page says so and offers
no pain.001 but the specificaties, and closing it makes it verzonden."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import maak_bestanden
from lks.db.models_betaalrun import Betaalrun, Betaling, Vordering
from lks.settings import load_settings
from tests.betaalrun.test_intrekking import intrek, run_month

from .conftest import csrf

UTC = dt.timezone.utc


def test_a_run_of_only_vorderingen_is_exported_and_closed(web, als, engine, tmp_path):
    t = dt.datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
    run_month(engine, "2025-01", t)
    maak_bestanden(engine, "2025-01", None, "anna", t + dt.timedelta(hours=2), load_settings(), tmp_path / "elders")
    lc.verzonden(engine, "2025-01", "anna", t + dt.timedelta(hours=3))
    intrek(engine, tmp_path / "weg", dt.datetime(2025, 2, 1, tzinfo=UTC),
           *[("plaatsingen", p, "", "proefbestand") for p in ("P1", "P2", "P3")])
    run_month(engine, "2025-02", dt.datetime(2025, 2, 20, 9, 0, tzinfo=UTC))
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == "2025-02")).one()
        assert not s.scalar(select(Betaling.id).where(Betaling.betaalrun_id == run.id, Betaling.bedrag > 0))
        assert s.scalar(select(Vordering.id).where(Vordering.betaalrun_id == run.id))

    piet = als("piet")
    pagina = piet.get("/betaalruns/2025-02/1")
    antwoord = piet.post("/betaalruns/2025-02/1/bestanden", data={"csrf_token": csrf(pagina)}, follow_redirects=True)
    tekst = antwoord.get_data(as_text=True)
    assert antwoord.status_code == 200 and "geen betaalbestand nodig: niets uit te betalen" in tekst, tekst[-3000:]
    assert "Geen betaalbestand nodig: niets uit te betalen" in tekst
    assert "pain.001" not in tekst and "specificatie-2025-02-1-W1.html" in tekst
    assert "Afsluiten (geen betaalbestand nodig)" in tekst and "Afsluiten (medewerker): er is geen betaalbestand" in tekst
    assert piet.get("/betaalruns/2025-02/1/bestanden/specificatie-2025-02-1-W1.html").status_code == 200

    antwoord = piet.post("/betaalruns/2025-02/1/verzonden", data={"csrf_token": csrf(antwoord)}, follow_redirects=True)
    tekst = antwoord.get_data(as_text=True)
    assert "afgesloten: er was geen betaalbestand nodig" in tekst
    assert "Klaar: afgesloten zonder betaalbestand (niets uit te betalen)." in tekst
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == "2025-02")).one()
        assert (run.status, run.bestand_naam, run.bestand_sha256) == ("verzonden", None, None)
