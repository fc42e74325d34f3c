"""Single sign-on with OpenID Connect (Authlib), for a gemeente's identity provider (Entra ID,
ADFS: ``[sso.medewerkers]``) and for werkgevers through the gemeente's eHerkenning broker
(``[sso.werkgevers]``, another client of the same mechanism).

The provider authenticates; lks maps its claims to a user here (``lks.app.gebruikers.sso_gebruiker``):
- staff: the ``sub`` claim (with the issuer) is the user, the roles claim maps to lks roles
  through the settings (``[sso.medewerkers.rollen]``); a user without a mapped role is refused;
- werkgevers: the KvK number from the token names the werkgever; the user gets the role
  ``werkgever`` for exactly that werkgever, and only when lks knows a werkgever with that KvK.
The client secret comes from the environment variable the settings name, never from the file.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for

from lks.app.identiteit import Geweigerd, Rol
from lks.web.kern import client_adres, omgeving, openbaar

bp = Blueprint("sso", __name__)


def registreer(app, settings) -> None:
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    for naam in ("medewerkers", "werkgevers"):
        client = getattr(settings.sso, naam)
        if client is None:
            continue
        oauth.register(naam, client_id=client.client_id, client_secret=client.client_secret(),
                       server_metadata_url=f"{client.issuer}/.well-known/openid-configuration",
                       client_kwargs={"scope": client.scope, "code_challenge_method": "S256"})
    app.extensions["lks_oauth"] = oauth
    app.register_blueprint(bp)


def _client(naam: str):
    instelling = getattr(omgeving().settings.sso, naam, None) if naam in ("medewerkers", "werkgevers") else None
    if instelling is None:
        abort(404)
    return instelling, current_app.extensions["lks_oauth"].create_client(naam)


def _mislukt():
    """What goes wrong between lks and the provider: a refusal by the provider, a token that
    fails its checks (signature, issuer, audience, nonce, expiry) or a provider out of reach.
    Each ends on the login page with one Dutch line; never an error page."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException
    return AuthlibBaseError, JoseError, RequestException


def _mislukt_melding(exc: Exception):
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from requests import RequestException
    if isinstance(exc, RequestException):
        reden = "de identiteitsprovider is niet bereikbaar"
    elif isinstance(exc, MismatchingStateError):
        reden = "deze aanmelding is niet in deze browser begonnen; probeer het opnieuw"
    elif isinstance(exc, OAuthError):
        reden = f"de identiteitsprovider weigerde: {exc.error}"
    else:
        reden = "het token van de identiteitsprovider is ongeldig"
    current_app.logger.warning("single sign-on mislukt: %s: %s", type(exc).__name__, exc)
    flash(f"Inloggen via single sign-on is mislukt ({reden}).", "fout")
    return redirect(url_for("aanmelden.login"))


@bp.route("/sso/<client>")
@openbaar
def start(client: str):
    _instelling, oidc = _client(client)
    try:
        return oidc.authorize_redirect(url_for("sso.terug", client=client, _external=True))
    except _mislukt() as exc:
        return _mislukt_melding(exc)


@bp.route("/sso/<client>/terug")
@openbaar
def terug(client: str):
    from lks.app.gebruikers import sso_gebruiker
    from lks.web.aanmelden import inloggen
    instelling, oidc = _client(client)
    try:
        token = oidc.authorize_access_token()
    except _mislukt() as exc:
        return _mislukt_melding(exc)
    claims = token.get("userinfo") or {}
    if not claims.get("sub"):
        abort(403)
    onderwerp = f"{instelling.issuer}|{claims['sub']}"
    naam = str(claims.get(instelling.gebruikersnaam_claim) or claims.get("email") or claims["sub"])
    weergave = str(claims.get("name") or naam)
    werkgever_id = None
    try:
        if client == "werkgevers":
            werkgever_id = _werkgever_van_kvk(str(claims.get(instelling.kvk_claim) or ""))
            rollen = (Rol.WERKGEVER,)
        else:
            waarden = claims.get(instelling.rollen_claim) or []
            waarden = [waarden] if isinstance(waarden, str) else list(waarden)
            rollen = tuple(sorted({Rol(instelling.rollen[v]) for v in waarden if v in instelling.rollen}))
        wie = sso_gebruiker(omgeving().engine, subject=onderwerp, naam=naam, weergavenaam=weergave,
                            rollen=rollen, werkgever_id=werkgever_id, email=claims.get("email"),
                            client_adres=client_adres())
    except Geweigerd as exc:
        flash(str(exc)[:1].upper() + str(exc)[1:] + ".", "fout")
        return redirect(url_for("aanmelden.login"))
    inloggen(wie.gebruiker_id, "sso")
    return redirect(url_for("aanmelden.start"))


def _werkgever_van_kvk(kvk: str) -> str:
    """The werkgever with this KvK number (as lks knows it now), or a refusal."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from lks.db.models import Werkgever
    from lks.facts import current_versions
    if not (kvk.isdigit() and len(kvk) == 8):
        raise Geweigerd("geweigerd: het token bevat geen geldig KvK-nummer")
    with Session(omgeving().engine) as s:
        huidig = current_versions(Werkgever).subquery()
        ids = s.execute(select(huidig.c.werkgever_id).where(huidig.c.kvk == kvk)).scalars().all()
    if len(ids) != 1:
        raise Geweigerd(f"geweigerd: KvK-nummer {kvk} hoort bij geen (of meer dan één) werkgever met loonkostensubsidie")
    return ids[0]


__all__ = ["bp", "registreer"]
