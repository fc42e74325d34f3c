"""The web application for finance staff and controllers, and the werkgeversportaal: one
Flask application (``lks serve``), server-rendered Dutch pages on the NL Design System, a
little htmx, no single-page-app build.

Why Flask: the application layer is synchronous SQLAlchemy, and Flask with Flask-WTF (CSRF on
every POST), Authlib (OpenID Connect) and a server-side session interface of our own covers
what the issue asks with the most widely known, longest-maintained pieces; Litestar's async
core would have bought nothing here but a thread hop per request. ``waitress`` serves it in
production (pure Python, no compiler needed, handles slow clients), behind a reverse proxy
for https.

The faces are thin: a route parses the request, the route's rule and the application layer
(``lks.app``) check who asks, and a template presents the result. Staff pages are in
``medewerkers``, the portal in ``portaal``, login in ``aanmelden``; they share ``kern``.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Flask, send_from_directory

from lks.web import kern

HIER = Path(__file__).parent
STATIC = HIER / "static"
GEHEIM_VAR = "LKS_WEB_SECRET"


def maak_app(omgeving, *, geheim: bytes | str | None = None) -> Flask:
    """The web application on ``omgeving`` (``lks.app.omgeving.Omgeving``). ``geheim`` signs the
    CSRF tokens (default ``$LKS_WEB_SECRET``, else random per process: forms opened before a
    restart must then be sent again)."""
    from flask_wtf.csrf import CSRFError, CSRFProtect

    from lks.web import aanmelden, fouten, medewerkers, portaal, sso
    from lks.web.sessies import DbSessieInterface

    settings = omgeving.settings
    app = Flask("lks.web", template_folder=str(HIER / "templates"), static_folder=None)
    app.config.update(
        SECRET_KEY=geheim or os.environ.get(GEHEIM_VAR) or secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=settings.web.upload_mb * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session (idle timeout)
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        SESSION_COOKIE_NAME="lks_sessie",
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["lks"] = omgeving
    app.session_interface = DbSessieInterface(omgeving.engine, dt.timedelta(minutes=settings.web.sessie_minuten))
    if settings.web.achter_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    CSRFProtect(app)
    app.before_request(kern.laad_gebruiker)
    app.before_request(kern.controleer_toegang)
    app.after_request(kern.beveiligingskoppen)
    fouten.registreer(app)
    app.register_error_handler(CSRFError, fouten.csrf)
    filters.registreer(app)

    @app.route("/static/<path:bestand>")
    @kern.openbaar
    def static(bestand):
        return send_from_directory(STATIC, bestand, max_age=3600)

    app.context_processor(lambda: {"gemeente_naam": settings.gemeente.naam})
    app.register_blueprint(aanmelden.bp)
    sso.registreer(app, settings)
    app.register_blueprint(medewerkers.bp)
    app.register_blueprint(portaal.bp, url_prefix="/portaal")
    return app


from lks.web import filters  # noqa: E402  (template filters; light)
