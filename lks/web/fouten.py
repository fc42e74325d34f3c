"""Error pages in Dutch, without a traceback or a detail that helps an attacker."""
from __future__ import annotations

import logging

from flask import render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("lks.web")

TEKSTEN = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    401: ("Niet ingelogd", "Log eerst in."),
    403: ("Geen toegang", "U heeft geen rol die deze pagina of handeling toestaat."),
    404: ("Niet gevonden", "Deze pagina of dit bestand bestaat niet, of is niet voor u."),
    405: ("Niet toegestaan", "Deze handeling kan zo niet worden uitgevoerd."),
    413: ("Bestand te groot", "Het bestand is groter dan de toegestane uploadgrootte."),
    500: ("Er ging iets mis", "Er is een onverwachte fout opgetreden. Er is niets half opgeslagen; probeer het "
                              "opnieuw of neem contact op met een beheerder."),
}


def _pagina(code: int, extra: str | None = None):
    from flask import g
    titel, tekst = TEKSTEN.get(code, TEKSTEN[500])
    return render_template("fout.html", titel=titel, tekst=tekst, extra=extra, code=code,
                           wie=g.get("wie")), code


def registreer(app) -> None:
    @app.errorhandler(HTTPException)
    def http_fout(fout: HTTPException):
        return _pagina(fout.code or 500)

    @app.errorhandler(Exception)
    def onverwacht(fout: Exception):
        from lks.identifiers import mask_bsns_in_text
        log.error("onverwachte fout bij %s %s: %s", request.method, request.path,
                  mask_bsns_in_text(f"{type(fout).__name__}: {fout}"))
        return _pagina(500)


def csrf(fout):
    return _pagina(403, "Het formulier was verlopen of niet van deze applicatie (CSRF-controle). Laad de pagina "
                        "opnieuw en probeer het nog eens.")
