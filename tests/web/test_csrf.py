"""CSRF: every state-changing request is a POST with the token of the user's own session
(interfaces §5). Without it, with a wrong one, with one from another session or from before
login: 403, a Dutch page, and the database as it was."""
from __future__ import annotations

import io

import pytest

from tests.foundation.helpers import TESTWACHTWOORD

from .conftest import csrf
from .test_rollen import staat

# (user, path, form) — state-changing routes of every kind
POSTS = [
    ("piet", "/betaalruns/aanvragen", {"periode": "2025-03"}),
    ("piet", "/leveringen", {"bestanden": lambda: (io.BytesIO(b"plaatsing_id,ingangsdatum,loonwaarde\nP1,2025-05-01,65\n"),
                                                   "loonwaarden.csv")}),
    ("piet", "/beschikkingen/maken", {}),
    ("klaas", "/rekeningen/1", {"besluit": "goedkeuren"}),
    ("bea", "/beheer/gebruikers", {"naam": "indringer", "rol": ["beheerder"], "wachtwoord": "Heel-geheim-wachtwoord-1"}),
    ("bea", "/beheer/gebruikers/piet/toegang", {"actief": "0"}),
    ("carla", "/verantwoording/grootboek", {"bestand": lambda: (io.BytesIO(b"x"), "grootboek.csv")}),
    ("piet", "/account/wachtwoord", {"huidig": TESTWACHTWOORD, "nieuw": "Nieuw-wachtwoord-2025", "herhaal": "Nieuw-wachtwoord-2025"}),
    ("piet", "/uitloggen", {}),
]


def _form(velden: dict, token: str | None) -> dict:
    data = {k: (v() if callable(v) else v) for k, v in velden.items()}
    if token is not None:
        data["csrf_token"] = token
    return data


def _geweigerd(antwoord) -> None:
    assert antwoord.status_code == 403
    tekst = antwoord.get_data(as_text=True)
    assert "CSRF-controle" in tekst and "Traceback" not in tekst


@pytest.mark.parametrize("gebruiker,pad,velden", POSTS, ids=[p for _, p, _ in POSTS])
def test_a_post_without_or_with_a_wrong_token_is_refused(web, als, engine, gebruiker, pad, velden):
    client = als(gebruiker)
    echt = csrf(client.get("/account/wachtwoord"))
    voor = staat(engine)
    for token in (None, "", "verkeerd", echt[:-2] + ("AA" if not echt.endswith("AA") else "BB")):
        _geweigerd(client.post(pad, data=_form(velden, token), content_type="multipart/form-data"))
        assert staat(engine) == voor, (pad, token)
    # and the same request with the session's own token is not refused
    assert client.post(pad, data=_form(velden, echt), content_type="multipart/form-data").status_code in (200, 302, 303)


def test_a_token_from_another_session_is_refused(web, als, engine):
    piet, mira = als("piet"), als("mira")
    van_mira = csrf(mira.get("/betaalruns"))
    van_piet = csrf(piet.get("/betaalruns"))
    assert van_mira != van_piet
    voor = staat(engine)
    _geweigerd(piet.post("/betaalruns/aanvragen", data={"periode": "2025-03", "csrf_token": van_mira}))
    # also through the header htmx uses
    _geweigerd(piet.post("/betaalruns/aanvragen", data={"periode": "2025-03"}, headers={"X-CSRFToken": van_mira}))
    assert staat(engine) == voor
    assert piet.post("/betaalruns/aanvragen", data={"periode": "2025-03"},
                     headers={"X-CSRFToken": van_piet}).status_code == 303


def test_a_token_from_before_login_is_worthless_after_login(web, engine):
    c = web.test_client()
    voor_login = csrf(c.get("/login"))
    assert c.post("/login", data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD,
                                  "csrf_token": voor_login}).status_code == 302
    voor = staat(engine)
    _geweigerd(c.post("/betaalruns/aanvragen", data={"periode": "2025-03", "csrf_token": voor_login}))
    assert staat(engine) == voor


def test_the_login_form_itself_needs_its_token(web, engine):
    """Login CSRF: another site cannot log a visitor in under the attacker's account."""
    c = web.test_client()
    c.get("/login")  # the visitor's session (an anonymous one, for the form's token)
    voor = staat(engine)
    _geweigerd(c.post("/login", data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD}))
    assert staat(engine) == voor
    assert c.get("/overzicht").status_code == 302


def test_a_foreign_origin_cannot_post_with_a_stolen_token_over_https(web, engine):
    """Over https Flask-WTF also checks the Referer: a form on another site is refused even
    with a valid token."""
    c = web.test_client()
    c.environ_base["wsgi.url_scheme"] = "https"
    pagina = c.get("/login", base_url="https://localhost")
    token = csrf(pagina)
    antwoord = c.post("/login", base_url="https://localhost", headers={"Referer": "https://kwaadwillend.example/"},
                      data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD, "csrf_token": token})
    _geweigerd(antwoord)
    goed = c.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                  data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD, "csrf_token": token})
    assert goed.status_code == 302


def test_state_changes_are_never_a_get(web, als):
    """No GET changes anything: every acting route only accepts POST (405 for a GET)."""
    piet = als("piet")
    for pad in ("/betaalruns/aanvragen", "/betaalruns/2025-03/1/berekenen", "/betaalruns/2025-03/1/goedkeuren",
                "/beschikkingen/maken", "/uitloggen", "/werklijst/1/oplossen", "/rekeningen/1"):
        assert piet.get(pad).status_code == 405, pad
