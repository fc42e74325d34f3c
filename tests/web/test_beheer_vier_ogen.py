"""The Beheer page under four eyes (issue 16 §3): a change bea asks waits for henk; bea sees it
waiting without a confirm button, and a forged confirm POST by bea gets 403 and changes
nothing; henk confirms it. SQLite and PostgreSQL."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app import gebruikers
from lks.db.models_gebruiker import Gebruiker, Gebruikerswijziging
from tests.foundation.helpers import TESTWACHTWOORD, dump

from .conftest import csrf


def test_a_straw_man_made_on_the_web_waits_for_the_other_beheerder(web, engine, als):
    beheer = lambda c: c.get("/beheer").get_data(as_text=True)  # noqa: E731
    bea = als("bea")
    assert "Opzetfase" in beheer(bea)
    # bea alone adds henk (opzetfase); from then on four eyes
    antwoord = bea.post("/beheer/gebruikers", data={"naam": "henk", "rol": ["beheerder"], "wachtwoord": TESTWACHTWOORD,
                                                    "csrf_token": csrf(bea.get("/beheer"))}, follow_redirects=True)
    assert "opzetfase" in antwoord.get_data(as_text=True)
    pagina = beheer(bea)
    assert "Opzetfase." not in pagina and "ingesteld in de opzetfase" in pagina
    antwoord = bea.post("/beheer/gebruikers", data={"naam": "stroman", "rol": ["goedkeurder"],
                                                    "wachtwoord": "Bekend-bij-de-beheerder-2025",
                                                    "csrf_token": csrf(bea.get("/beheer"))}, follow_redirects=True)
    assert "aangevraagd" in antwoord.get_data(as_text=True)
    with Session(engine) as s:
        nummer = s.scalars(select(Gebruikerswijziging.id).where(Gebruikerswijziging.gebruiker == "stroman")).one()
        assert s.scalars(select(Gebruiker).where(Gebruiker.naam == "stroman")).first() is None
    pagina = beheer(bea)
    assert "nieuwe gebruiker stroman" in pagina and "u vroeg dit aan" in pagina
    assert f"/beheer/wijzigingen/{nummer}" not in pagina   # no button for the requester
    voor = dump(engine)
    vervalst = bea.post(f"/beheer/wijzigingen/{nummer}", data={"besluit": "bevestigen", "csrf_token": csrf(bea.get("/beheer"))})
    assert vervalst.status_code == 403
    na = dump(engine)
    na.pop("web_sessie"), voor.pop("web_sessie")
    assert na == voor
    henk = als("henk")
    pagina = beheer(henk)
    assert re.search(rf'action="/beheer/wijzigingen/{nummer}"', pagina) and "Bevestigen" in pagina
    antwoord = henk.post(f"/beheer/wijzigingen/{nummer}", data={"besluit": "bevestigen", "csrf_token": csrf(henk.get("/beheer"))})
    assert antwoord.status_code == 303
    assert gebruikers.als(engine, "stroman", "test").rollen == frozenset({"goedkeurder"})
    assert "Geen wijzigingen die op een tweede beheerder wachten" in beheer(henk)
