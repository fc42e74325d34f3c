"""The web application's basic promises, with Flask's test client: login, the overview, a
forged approve refused with 403 and nothing changed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import Betaalrun
from tests.foundation.helpers import dump

from .conftest import csrf, inloggen


def test_login_page_and_wrong_password(web):
    c = web.test_client()
    assert c.get("/overzicht").status_code == 302
    pagina = c.get("/login")
    assert pagina.status_code == 200 and 'name="gebruikersnaam"' in pagina.get_data(as_text=True)
    fout = inloggen(c, "piet", "verkeerd-wachtwoord")
    assert fout.status_code == 401 and "Gebruikersnaam of wachtwoord onjuist" in fout.get_data(as_text=True)


def test_a_medewerker_calculates_and_cannot_approve(web, als, engine):
    piet = als("piet")
    assert "Overzicht" in piet.get("/overzicht").get_data(as_text=True)
    runs = piet.get("/betaalruns")
    antwoord = piet.post("/betaalruns/aanvragen", data={"periode": "2025-03", "csrf_token": csrf(runs)})
    assert antwoord.status_code == 303
    pagina = piet.get("/betaalruns/2025-03/1")
    assert piet.post("/betaalruns/2025-03/1/berekenen", data={"csrf_token": csrf(pagina)}).status_code == 303
    pagina = piet.get("/betaalruns/2025-03/1").get_data(as_text=True)
    assert "Goedkeuren" not in pagina
    before = dump(engine)
    forged = piet.post("/betaalruns/2025-03/1/goedkeuren", data={"csrf_token": csrf(piet.get("/betaalruns"))})
    assert forged.status_code == 403
    assert dump(engine) == before
    klaas = als("klaas")
    assert klaas.post("/betaalruns/2025-03/1/goedkeuren",
                      data={"csrf_token": csrf(klaas.get("/betaalruns"))}).status_code == 303
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun)).one()
        assert (run.status, run.berekend_door, run.goedgekeurd_door) == ("goedgekeurd", "piet", "klaas")


def test_downloads_work_when_the_output_folder_is_relative(engine, tmp_path, monkeypatch):
    """``lks serve`` and the demo's printed command use relative folders (``--uitvoer .``,
    ``--betaalbestanden demo-out/betaalruns``): the pain.001 download must be the file in
    that folder, not a 500 because the web framework looked for it beside its own code."""
    import datetime as dt
    from pathlib import Path

    from lks.app import betaalruns, gebruikers
    from lks.app.omgeving import Omgeving
    from lks.settings import load_settings
    from lks.web import maak_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    o = Omgeving(engine=engine, settings=load_settings(), uitvoer=Path("."), betaalmap=Path("uit/runs"))
    nu = dt.datetime.now(dt.timezone.utc)
    piet, klaas = gebruikers.als(engine, "piet", "test"), gebruikers.als(engine, "klaas", "test")
    betaalruns.aanvragen(o, piet, "2025-02", nu)
    betaalruns.berekenen(o, piet, "2025-02", nu)
    betaalruns.goedkeuren(o, klaas, "2025-02", nu)
    betaalruns.exporteren(o, piet, "2025-02", nu)
    app = maak_app(o, geheim=b"test" * 8)
    app.config["TESTING"] = True
    c = app.test_client()
    inloggen(c, "piet")
    antwoord = c.get("/betaalruns/2025-02/1/bestanden/pain.001-2025-02-1.xml")
    assert antwoord.status_code == 200
    assert antwoord.data == (tmp_path / "uit/runs/betaalrun-2025-02-1/pain.001-2025-02-1.xml").read_bytes()
