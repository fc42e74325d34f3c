"""Beschikkingen: the letters with filters (soort, status, werkgever), each as HTML and PDF,
mark sent; make the letters that are due."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for

from lks.app import beschikkingen as app_beschikkingen
from lks.app.identiteit import Actie
from lks.web.kern import document, kenmerk_uit_url, omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp
from lks.web.medewerkers.overzicht import vandaag

SOORTEN = ("verlening", "wijziging", "beeindiging", "vaststelling", "intrekking")


@bp.route("/beschikkingen")
@vereist(Actie.LEZEN)
def beschikkingen():
    soort = request.args.get("soort") or None
    status = request.args.get("status") or None
    werkgever = (request.args.get("werkgever") or "").strip()[:64] or None
    if soort not in (None, *SOORTEN) or status not in (None, "concept", "verzonden"):
        abort(400)
    rijen = app_beschikkingen.lijst(omgeving(), wie(), soort, werkgever, status)
    return pagina("medewerkers/beschikkingen.html", rijen=list(reversed(rijen))[:500], totaal=len(rijen),
                  soort=soort, status=status, werkgever=werkgever or "", soorten=SOORTEN)


@bp.route("/beschikkingen/<brief>.<soort>")
@vereist(Actie.LEZEN)
def beschikkingen_brief(brief: str, soort: str):
    if soort not in ("html", "pdf"):
        abort(404)
    try:
        inhoud = app_beschikkingen.brief(omgeving(), wie(), kenmerk_uit_url(brief), soort)
    except LookupError:
        abort(404)
    return document(inhoud, "text/html; charset=utf-8" if soort == "html" else "application/pdf",
                    f"{brief}.{soort}", bijlage=soort == "pdf")


@bp.route("/beschikkingen/<brief>/verzonden", methods=["POST"])
@vereist(Actie.BESCHIKKING_VERZONDEN)
def beschikkingen_verzonden(brief: str):
    from lks.beschikkingen import BeschikkingFout
    try:
        rij = app_beschikkingen.markeer_verzonden(omgeving(), wie(), kenmerk_uit_url(brief),
                                                  dt.datetime.now(dt.timezone.utc))
    except BeschikkingFout as exc:
        flash(str(exc), "fout")
    else:
        flash(f"Beschikking {rij.kenmerk} gemarkeerd als verzonden.", "ok")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("medewerkers.beschikkingen")), 303


@bp.route("/beschikkingen/maken", methods=["POST"])
@vereist(Actie.BESCHIKKINGEN_MAKEN)
def beschikkingen_maken():
    from lks.beschikkingen import BeschikkingFout
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterFout, ParameterOntbreekt
    try:
        resultaat = app_beschikkingen.maak(omgeving(), wie(), vandaag(), dt.datetime.now(dt.timezone.utc),
                                           pdf=False)
    except (BeschikkingFout, CalcFout, ParameterFout, ParameterOntbreekt) as exc:
        flash(str(exc), "fout")
    else:
        n = len(resultaat.beschikkingen)
        flash(f"{n} nieuwe beschikking(en) gemaakt (status concept)." if n else
              "Niets veranderd sinds de vorige beschikkingen: geen nieuwe brieven.", "ok")
    return redirect(url_for("medewerkers.beschikkingen", status="concept")), 303
