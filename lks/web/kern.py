"""What every page of the web application and the portal shares: who asks, what they may do,
and the headers that keep a browser safe.

Every route declares who may use it, at the route: ``@vereist(Actie.X)`` (a logged-in user
whose roles allow X, checked on the server at every request against the roles in the
database), or ``@openbaar`` (the login pages and static files). A route with neither is
refused (fail closed), and ``tests/web/test_rollen.py`` walks the router so a new route
without a rule fails the tests. The application layer checks the role again: a hidden
button is not a check, and neither is this decorator alone.
"""
from __future__ import annotations

import functools
from typing import Callable

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from lks.app.identiteit import Actie, Geweigerd, Identiteit

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
"""No inline scripts or styles anywhere; the NL Design System CSS and htmx are served by the app."""

CSP_DOCUMENT = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
"""A letter, specificatie or report shown as itself: its own stylesheet, and no script at all."""


def omgeving():
    """The application layer's Omgeving of this web application."""
    return current_app.extensions["lks"]


def wie() -> Identiteit:
    """The logged-in user of this request (the route's rule guarantees there is one)."""
    return g.wie


def vereist(actie: Actie) -> Callable:
    """A route for logged-in users whose roles allow ``actie``."""
    def decorator(view):
        view.lks_actie = actie
        return view
    return decorator


def ingelogd(view):
    """A route for every logged-in user, whatever their role (their own password)."""
    view.lks_ingelogd = True
    return view


def openbaar(view):
    """A route anyone may open (login, static files)."""
    view.lks_openbaar = True
    return view


def regel_van(view) -> str | Actie | None:
    """The rule a view function declares: an Actie, 'ingelogd', 'openbaar', or None (refused)."""
    if getattr(view, "lks_openbaar", False):
        return "openbaar"
    if getattr(view, "lks_ingelogd", False):
        return "ingelogd"
    return getattr(view, "lks_actie", None)


def client_adres() -> str | None:
    return request.remote_addr


def laad_gebruiker() -> None:
    """before_request: the user of the session, with roles as they are now in the database."""
    from lks.app.gebruikers import web_identiteit
    g.wie = None
    gebruiker_id = session.get("gebruiker_id")
    if gebruiker_id is None:
        return
    try:
        g.wie = web_identiteit(omgeving().engine, int(gebruiker_id), session.get("bron", "wachtwoord"),
                               client_adres())
    except Geweigerd:
        session.clear()  # blocked or removed: the session ends here


def controleer_toegang():
    """before_request: the route's rule. Not logged in → the login page; a role that does not
    allow it → 403; a route without a rule → 403 (never open by accident)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None:
        return None  # 404/405 follow from the router
    regel = regel_van(view)
    if regel == "openbaar":
        return None
    if regel is None:
        abort(403)
    if g.wie is None:
        if request.method == "GET":
            # an expired session's cookie is removed with this answer: the login page hears of it by the URL
            verlopen = 1 if getattr(session, "verlopen", False) else None
            return redirect(url_for("aanmelden.login", volgende=request.full_path.rstrip("?"), verlopen=verlopen))
        abort(401)
    if regel != "ingelogd" and not g.wie.mag(regel):
        abort(403)
    return None


def beveiligingskoppen(response):
    """after_request: CSP, no framing, no sniffing, no caching of personal data."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def document(inhoud: bytes, mimetype: str, bestandsnaam: str | None = None, bijlage: bool = False):
    """A letter, specificatie, report or payment file as a response of its own."""
    from flask import Response
    response = Response(inhoud, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = CSP_DOCUMENT
    if bestandsnaam:
        soort = "attachment" if bijlage else "inline"
        response.headers["Content-Disposition"] = f'{soort}; filename="{bestandsnaam}"'
    return response


def pagina(template: str, **context):
    return render_template(template, wie=g.get("wie"), **context)


def melding(fout: Exception) -> str:
    """A Dutch domain error as the one line a page shows."""
    return str(fout)


def alleen_eigen(functie):
    """For views that turn LookupError (an id of someone else's or none at all) into 404."""
    @functools.wraps(functie)
    def wrapper(*args, **kwargs):
        try:
            return functie(*args, **kwargs)
        except LookupError:
            abort(404)
    return wrapper


def kenmerk_uit_url(deel: str) -> str:
    """'LKS-2026-000123' (the file name form of a letter, safe in a URL) as its kenmerk
    LKS/2026/000123; anything else is not found."""
    import re
    if not re.fullmatch(r"LKS-\d{4}-\d{6}", deel):
        abort(404)
    return deel.replace("-", "/")
