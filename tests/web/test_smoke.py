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
