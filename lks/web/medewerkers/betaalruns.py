"""Betaalruns: the list, a run with its totals, corrections, verrekening, vorderingen, held
payments, lines per werkgever and audit log; the actions the user's role allows; downloads of
the pain.001 and the specificaties."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for

from lks.app import betaalruns as app_betaalruns
from lks.app.identiteit import Actie, Geweigerd
from lks.web.kern import alleen_eigen, omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp
from lks.web.medewerkers.overzicht import vandaag


def _fouten():
    from lks.betaalrun.bestand import BestandFout
    from lks.betaalrun.lifecycle import BetaalrunFout
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterFout, ParameterOntbreekt
    return BetaalrunFout, BestandFout, CalcFout, ParameterFout, ParameterOntbreekt, Geweigerd


def _periode(periode: str) -> str:
    from lks.nl import is_maand
    if not is_maand(periode):
        abort(404)
    return periode


@bp.route("/betaalruns")
@vereist(Actie.LEZEN)
def betaalruns():
    return pagina("medewerkers/betaalruns.html", runs=list(reversed(app_betaalruns.lijst(omgeving(), wie()))),
                  deze_maand=f"{vandaag():%Y-%m}")


@bp.route("/betaalruns/aanvragen", methods=["POST"])
@vereist(Actie.BETAALRUN_AANVRAGEN)
def betaalruns_aanvragen():
    from lks.nl import is_maand
    periode = request.form.get("periode", "")
    if not is_maand(periode):
        flash(f"'{periode}' is geen maand in de vorm JJJJ-MM.", "fout")
        return redirect(url_for("medewerkers.betaalruns")), 303
    try:
        run, nieuw = app_betaalruns.aanvragen(omgeving(), wie(), periode, _nu())
    except _fouten() as exc:
        flash(str(exc), "fout")
        return redirect(url_for("medewerkers.betaalruns")), 303
    flash(f"Betaalrun {run.kenmerk} {'aangevraagd' if nieuw else 'bestond al'}.", "ok")
    return redirect(url_for("medewerkers.betaalrun", periode=run.periode, volgnummer=run.volgnummer)), 303


def _nu():
    import datetime as dt
    return dt.datetime.now(dt.timezone.utc)


@bp.route("/betaalruns/<periode>/<int:volgnummer>")
@vereist(Actie.LEZEN)
def betaalrun(periode: str, volgnummer: int):
    from lks.betaalrun.lifecycle import BetaalrunFout
    try:
        d = app_betaalruns.toon(omgeving(), wie(), _periode(periode), volgnummer)
    except BetaalrunFout:
        abort(404)
    from lks.app.inzage import volgende_stap
    from lks.betaalrun.bestand import GEEN_BETAALBESTAND
    return pagina("medewerkers/betaalrun.html", d=d, volgende_stap=volgende_stap(d.run) or None,
                  geen_betaalbestand=GEEN_BETAALBESTAND)


def _stap(periode: str, volgnummer: int, functie, gelukt):
    """One POSTed step of a run: the application layer decides; a refusal is 403, a step
    that is not possible now (Dutch domain error) comes back as a message on the run.
    ``gelukt``: the message, or a function of the step's result that gives it."""
    from lks.betaalrun.lifecycle import VierOgenFout
    _periode(periode)
    try:
        uitkomst = functie()
    except (Geweigerd, VierOgenFout) as exc:
        flash(str(exc), "fout")
        abort(403)
    except _fouten() as exc:
        flash(str(exc), "fout")
        return redirect(url_for("medewerkers.betaalrun", periode=periode, volgnummer=volgnummer)), 303
    flash(gelukt(uitkomst) if callable(gelukt) else gelukt, "ok")
    return redirect(url_for("medewerkers.betaalrun", periode=periode, volgnummer=volgnummer)), 303


@bp.route("/betaalruns/<periode>/<int:volgnummer>/berekenen", methods=["POST"])
@vereist(Actie.BETAALRUN_BEREKENEN)
def betaalrun_berekenen(periode: str, volgnummer: int):
    return _stap(periode, volgnummer, lambda: app_betaalruns.berekenen(omgeving(), wie(), periode, _nu(), volgnummer),
                 f"Betaalrun {periode}-{volgnummer} berekend.")


@bp.route("/betaalruns/<periode>/<int:volgnummer>/goedkeuren", methods=["POST"])
@vereist(Actie.BETAALRUN_GOEDKEUREN)
def betaalrun_goedkeuren(periode: str, volgnummer: int):
    return _stap(periode, volgnummer, lambda: app_betaalruns.goedkeuren(omgeving(), wie(), periode, _nu(), volgnummer),
                 f"Betaalrun {periode}-{volgnummer} goedgekeurd.")


@bp.route("/betaalruns/<periode>/<int:volgnummer>/bestanden", methods=["POST"])
@vereist(Actie.BETAALRUN_EXPORTEREN)
def betaalrun_exporteren(periode: str, volgnummer: int):
    kenmerk = f"{periode}-{volgnummer}"
    return _stap(periode, volgnummer,
                 lambda: app_betaalruns.exporteren(omgeving(), wie(), periode, _nu(), volgnummer=volgnummer),
                 lambda r: (f"SEPA-bestand en specificaties van betaalrun {kenmerk} gemaakt." if r.sepa_pad is not None
                            else f"Specificaties van betaalrun {kenmerk} gemaakt; geen betaalbestand nodig: niets "
                                 "uit te betalen."))


@bp.route("/betaalruns/<periode>/<int:volgnummer>/verzonden", methods=["POST"])
@vereist(Actie.BETAALRUN_VERZONDEN)
def betaalrun_verzonden(periode: str, volgnummer: int):
    kenmerk = f"{periode}-{volgnummer}"
    return _stap(periode, volgnummer,
                 lambda: app_betaalruns.verzonden(omgeving(), wie(), periode, _nu(), volgnummer),
                 lambda run: (f"Betaalrun {kenmerk} gemarkeerd als verzonden." if run.bestand_naam
                              else f"Betaalrun {kenmerk} afgesloten: er was geen betaalbestand nodig, niets uit "
                                   "te betalen."))


@bp.route("/betaalruns/<periode>/<int:volgnummer>/annuleren", methods=["POST"])
@vereist(Actie.BETAALRUN_ANNULEREN)
def betaalrun_annuleren(periode: str, volgnummer: int):
    return _stap(periode, volgnummer, lambda: app_betaalruns.annuleren(omgeving(), wie(), periode, _nu(), volgnummer),
                 f"Betaalrun {periode}-{volgnummer} geannuleerd.")


@bp.route("/betaalruns/<periode>/<int:volgnummer>/bestanden/<naam>")
@vereist(Actie.BETAALRUN_DOWNLOADEN)
@alleen_eigen
def betaalrun_bestand(periode: str, volgnummer: int, naam: str):
    from lks.betaalrun.lifecycle import BetaalrunFout
    try:
        pad = app_betaalruns.bestand(omgeving(), wie(), _periode(periode), volgnummer, naam)
    except BetaalrunFout:
        abort(404)
    soort = {".xml": "application/xml", ".csv": "text/csv", ".pdf": "application/pdf",
             ".html": "text/html"}.get(pad.suffix, "application/octet-stream")
    response = send_file(pad, mimetype=soort, as_attachment=pad.suffix != ".html", download_name=pad.name)
    if pad.suffix == ".html":
        from lks.web.kern import CSP_DOCUMENT
        response.headers["Content-Security-Policy"] = CSP_DOCUMENT
    return response
