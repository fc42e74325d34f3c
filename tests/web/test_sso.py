"""Single sign-on with OpenID Connect against a provider the tests run themselves on
127.0.0.1 (tests/web/oidc_provider.py): real HTTP for discovery, keys and the code exchange,
lks's own Authlib client checking signature, issuer, audience and nonce.

- staff: the roles claim maps to lks roles; without a mapped role, no entry;
- werkgevers: the KvK claim names the werkgever; the user gets the role werkgever for exactly
  that werkgever; an unknown KvK gets no entry;
- a tampered id_token (another key, another audience) gets no entry and no error page."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import AuditLog
from lks.db.models_gebruiker import Gebruiker
from tests.foundation.helpers import dump

from .conftest import KVK_CLAIM, SSO_GEHEIMEN


def sso_inloggen(client, provider, soort: str, claims: dict):
    """The browser's part of the flow: lks → provider (approves at once) → lks's callback."""
    provider.claims = claims
    start = client.get(f"/sso/{soort}")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    naar = urlsplit(start.headers["Location"])
    assert f"{naar.scheme}://{naar.netloc}" == provider.issuer
    vraag = parse_qs(naar.query)
    assert vraag["client_id"] == [f"lks-{soort}"] and vraag["code_challenge_method"] == ["S256"]
    assert vraag["redirect_uri"] == [f"http://localhost/sso/{soort}/terug"] and vraag["nonce"][0]
    antwoord = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert antwoord.status_code == 302
    terug = urlsplit(antwoord.headers["Location"])
    return client.get(f"{terug.path}?{terug.query}")


def _gebruiker(engine, subject_eind: str) -> Gebruiker | None:
    with Session(engine) as s:
        return s.scalars(select(Gebruiker).where(Gebruiker.sso_subject.endswith(subject_eind))).first()


def _rollen(engine, gebruiker_id: int) -> set[str]:
    from lks.app.gebruikers import rollen_van
    with Session(engine) as s:
        return {r.value for r in rollen_van(s, gebruiker_id)}


def test_discovery_and_keys_are_served_by_the_test_provider(oidc):
    meta = requests.get(f"{oidc.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == oidc.issuer and meta["jwks_uri"].startswith(oidc.issuer)
    sleutels = requests.get(meta["jwks_uri"], timeout=10).json()["keys"]
    assert [k["kty"] for k in sleutels] == ["RSA"] and "d" not in sleutels[0]  # public part only


def test_a_goedkeurder_by_role_claim(web_sso, oidc, engine):
    c = web_sso.test_client()
    antwoord = sso_inloggen(c, oidc, "medewerkers", {"sub": "entra-0001", "preferred_username": "K.Jansen@gemeente.nl",
                                                      "name": "Karin Jansen", "email": "k.jansen@gemeente.nl",
                                                      "roles": ["LKS.Goedkeurder", "Iets.Anders"]})
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/"
    assert oidc.token_verzoeken == 1
    gebruiker = _gebruiker(engine, "|entra-0001")
    assert gebruiker.sso_subject == f"{oidc.issuer}|entra-0001" and gebruiker.werkgever_id is None
    assert gebruiker.naam == "k.jansen@gemeente.nl" and gebruiker.wachtwoord_hash is None
    assert _rollen(engine, gebruiker.id) == {"goedkeurder"}
    assert c.get("/").headers["Location"] == "/overzicht"
    assert "Karin Jansen" in c.get("/betaalruns").get_data(as_text=True)
    assert c.get("/beheer").status_code == 403 and c.get("/verantwoording").status_code == 403
    with Session(engine) as s:
        aangemeld = s.scalars(select(AuditLog).where(AuditLog.actie == "aangemeld",
                                                     AuditLog.gebruiker == gebruiker.naam)).one()
        assert aangemeld.client_adres == "127.0.0.1"

    # the provider is where roles are granted: the next sign-in brings the roles as they are then
    c2 = web_sso.test_client()
    sso_inloggen(c2, oidc, "medewerkers", {"sub": "entra-0001", "preferred_username": "k.jansen@gemeente.nl",
                                           "roles": "LKS.Controller"})
    assert _rollen(engine, gebruiker.id) == {"controller"}
    assert c2.get("/verantwoording").status_code == 200
    assert c.get("/betaalruns").status_code == 200  # read: controller reads too; roles are re-read every request
    assert c.get("/leveringen").status_code == 200


def test_a_staff_member_without_a_mapped_role_is_refused(web_sso, oidc, engine):
    c = web_sso.test_client()
    voor = dump(engine)
    antwoord = sso_inloggen(c, oidc, "medewerkers", {"sub": "entra-0002", "preferred_username": "p.derksen",
                                                      "roles": ["Iets.Anders"]})
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login"
    assert "heeft geen rol voor lks" in c.get("/login").get_data(as_text=True)
    assert c.get("/overzicht").status_code == 302
    assert _gebruiker(engine, "|entra-0002") is None
    assert {k for k, v in dump(engine).items() if v != voor[k]} <= {"web_sessie"}


def test_a_werkgever_by_kvk_is_bound_to_that_werkgever(web_sso, oidc, engine):
    c = web_sso.test_client()
    antwoord = sso_inloggen(c, oidc, "werkgevers", {"sub": "eh-77", "name": "H. Ömer", KVK_CLAIM: "12345678",
                                                     "roles": ["LKS.Beheerder"]})  # roles of a werkgever count for nothing
    assert antwoord.status_code == 302
    gebruiker = _gebruiker(engine, "|eh-77")
    assert gebruiker.werkgever_id == "W1" and _rollen(engine, gebruiker.id) == {"werkgever"}
    assert c.get("/").headers["Location"] == "/portaal/"
    assert c.get("/portaal/").status_code == 200
    for pagina in ("/overzicht", "/betaalruns", "/werkgevers/W2", "/beheer"):
        assert c.get(pagina).status_code == 403, pagina


def test_an_unknown_or_missing_kvk_is_refused(web_sso, oidc, engine):
    for kvk in ("99999999", "1234", None):
        c = web_sso.test_client()
        voor = dump(engine)
        claims = {"sub": f"eh-{kvk}", "name": "Onbekend"}
        if kvk is not None:
            claims[KVK_CLAIM] = kvk
        antwoord = sso_inloggen(c, oidc, "werkgevers", claims)
        assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login"
        tekst = c.get("/login").get_data(as_text=True)
        assert "hoort bij geen" in tekst or "geen geldig KvK-nummer" in tekst
        assert c.get("/portaal/").status_code == 302
        assert {k for k, v in dump(engine).items() if v != voor[k]} <= {"web_sessie"}


def test_a_tampered_id_token_is_refused(web_sso, oidc, engine):
    for vervalsing in ("handtekening", "audience"):
        oidc.vervalsing = vervalsing
        c = web_sso.test_client()
        voor = dump(engine)
        antwoord = sso_inloggen(c, oidc, "medewerkers", {"sub": "entra-0003", "preferred_username": "indringer",
                                                          "roles": ["LKS.Goedkeurder"]})
        assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login", vervalsing
        assert "het token van de identiteitsprovider is ongeldig" in c.get("/login").get_data(as_text=True)
        assert c.get("/betaalruns").status_code == 302
        assert _gebruiker(engine, "|entra-0003") is None
        assert {k for k, v in dump(engine).items() if v != voor[k]} <= {"web_sessie"}


def test_the_client_secret_comes_from_the_environment(web_sso, oidc, engine):
    """The provider only hands out tokens for the secret in the environment variable."""
    oidc.clients["lks-medewerkers"] = "een ander geheim"
    c = web_sso.test_client()
    antwoord = sso_inloggen(c, oidc, "medewerkers", {"sub": "entra-0004", "roles": ["LKS.Medewerker"]})
    assert antwoord.headers["Location"] == "/login" and _gebruiker(engine, "|entra-0004") is None
    oidc.clients["lks-medewerkers"] = SSO_GEHEIMEN["lks-medewerkers"]
    sso_inloggen(c, oidc, "medewerkers", {"sub": "entra-0004", "roles": ["LKS.Medewerker"]})
    assert _rollen(engine, _gebruiker(engine, "|entra-0004").id) == {"medewerker"}


def test_a_callback_without_the_flow_it_belongs_to_is_refused(web_sso, oidc, engine):
    """A code and state from someone else's flow (login CSRF): the state is not in this session."""
    oidc.claims = {"sub": "entra-0005", "roles": ["LKS.Goedkeurder"]}
    aanvaller = web_sso.test_client()
    start = aanvaller.get("/sso/medewerkers")
    terug = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    slachtoffer = web_sso.test_client()
    antwoord = slachtoffer.get(f"{terug.path}?{terug.query}")
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login"
    assert "niet in deze browser begonnen" in slachtoffer.get("/login").get_data(as_text=True)
    assert slachtoffer.get("/betaalruns").status_code == 302 and _gebruiker(engine, "|entra-0005") is None


def test_a_provider_out_of_reach_gives_a_message_not_an_error_page(engine, tmp_path, monkeypatch):
    import socket

    from lks.app.omgeving import Omgeving
    from lks.web import maak_app

    from .conftest import sso_instellingen
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        poort = s.getsockname()[1]
    monkeypatch.setenv("LKS_TEST_SSO_MEDEWERKERS", "x" * 30)
    monkeypatch.setenv("LKS_TEST_SSO_WERKGEVERS", "y" * 30)
    app = maak_app(Omgeving(engine=engine, settings=sso_instellingen(f"http://127.0.0.1:{poort}"), uitvoer=tmp_path),
                   geheim=b"test" * 8)
    c = app.test_client()
    antwoord = c.get("/sso/medewerkers")
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login"
    assert "niet bereikbaar" in c.get("/login").get_data(as_text=True)


def test_an_unknown_sso_client_is_not_found(web_sso):
    assert web_sso.test_client().get("/sso/iedereen").status_code == 404
