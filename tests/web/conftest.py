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


@pytest.fixture(autouse=True)
def verse_rem(monkeypatch):
    """The per-address throttle of failed logins lives in the process: every test starts with
    a clean one (all test clients come from 127.0.0.1)."""
    from lks.web import aanmelden
    monkeypatch.setattr(aanmelden, "rem", aanmelden._Rem())


@pytest.fixture
def web(engine, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    app = maak_app(Omgeving(engine=engine, settings=load_settings(), uitvoer=tmp_path), geheim=b"test" * 8)
    app.config["TESTING"] = True
    return app


SSO_GEHEIMEN = {"lks-medewerkers": "geheim-medewerkers-" + "x" * 20, "lks-werkgevers": "geheim-werkgevers-" + "y" * 20}
KVK_CLAIM = "urn:etoegang:1.9:EntityConcernedID:KvKnr"


def sso_instellingen(issuer: str):
    """The demo gemeente's settings plus both single sign-on clients at ``issuer``; the client
    secrets come from environment variables (set by the ``oidc`` fixture)."""
    from lks.settings import EXAMPLE_TOML, parse_settings
    return parse_settings(EXAMPLE_TOML + f"""
[sso.medewerkers]
issuer = "{issuer}"
client_id = "lks-medewerkers"
client_secret_env = "LKS_TEST_SSO_MEDEWERKERS"
rollen_claim = "roles"
gebruikersnaam_claim = "preferred_username"
[sso.medewerkers.rollen]
"LKS.Medewerker" = "medewerker"
"LKS.Goedkeurder" = "goedkeurder"
"LKS.Controller" = "controller"
"LKS.Beheerder" = "beheerder"

[sso.werkgevers]
issuer = "{issuer}"
client_id = "lks-werkgevers"
client_secret_env = "LKS_TEST_SSO_WERKGEVERS"
kvk_claim = "{KVK_CLAIM}"
""", "test-sso.toml")


@pytest.fixture
def oidc(monkeypatch):
    """The test's own OpenID Connect provider on 127.0.0.1 (tests/web/oidc_provider.py)."""
    from tests.web.oidc_provider import Draaiend, Provider
    monkeypatch.setenv("LKS_TEST_SSO_MEDEWERKERS", SSO_GEHEIMEN["lks-medewerkers"])
    monkeypatch.setenv("LKS_TEST_SSO_WERKGEVERS", SSO_GEHEIMEN["lks-werkgevers"])
    draaiend = Draaiend(Provider(clients=dict(SSO_GEHEIMEN)))
    try:
        yield draaiend.provider
    finally:
        draaiend.stop()


@pytest.fixture
def web_sso(engine, tmp_path, monkeypatch, oidc):  # noqa: F811
    """The web application with both single sign-on clients configured against ``oidc``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    app = maak_app(Omgeving(engine=engine, settings=sso_instellingen(oidc.issuer), uitvoer=tmp_path),
                   geheim=b"test" * 8)
    app.config["TESTING"] = True
    return app


def werkgever_gebruiker(engine, naam: str = "wg1", werkgever_id: str = "W1") -> None:
    """A portal user of werkgever ``werkgever_id`` (added by bea), password TESTWACHTWOORD."""
    from lks.app import gebruikers
    gebruikers.voeg_toe(engine, gebruikers.als(engine, "bea", "test"), naam, "werkgever",
                        wachtwoord=TESTWACHTWOORD, werkgever_id=werkgever_id)


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
