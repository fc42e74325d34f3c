"""Fixtures of the web tests: the Flask application on a test database (SQLite and
PostgreSQL) with the small gemeente of tests/betaalrun and the test users of
tests/foundation/helpers.py (password ``TESTWACHTWOORD``)."""
from __future__ import annotations

import re

import pytest

from lks.app.omgeving import Omgeving
from lks.db import make_engine
from lks.settings import load_settings
from lks.web import maak_app
from tests.betaalrun.conftest import engine  # noqa: F401  (the small gemeente, both backends)
from tests.foundation.helpers import TESTWACHTWOORD


@pytest.fixture
def web(engine, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    app = maak_app(Omgeving(engine=engine, settings=load_settings(), uitvoer=tmp_path), geheim=b"test" * 8)
    app.config["TESTING"] = True
    return app


def csrf(response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def inloggen(client, naam: str, wachtwoord: str = TESTWACHTWOORD):
    pagina = client.get("/login")
    return client.post("/login", data={"gebruikersnaam": naam, "wachtwoord": wachtwoord, "csrf_token": csrf(pagina)})


@pytest.fixture
def als(web):
    """als("piet") -> a test client logged in as piet."""
    def client(naam: str):
        c = web.test_client()
        antwoord = inloggen(c, naam)
        assert antwoord.status_code == 302, antwoord.get_data(as_text=True)[:500]
        return c
    return client
