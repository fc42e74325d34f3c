"""Werklijst: the open signalen (resolve with a required toelichting) and the bank account
changes that wait for a goedkeurder (approve or reject, never one's own)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for

from lks.app import rekeningen as app_rekeningen
from lks.app import werklijst as app_werklijst
from lks.app.identiteit import Actie, Geweigerd
from lks.web.kern import omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp


@bp.route("/werklijst")
@vereist(Actie.LEZEN)
def werklijst():
    from lks.app import meldingen
    alle = request.args.get("alle") == "1"
    return pagina("medewerkers/werklijst.html", signalen=app_werklijst.lijst(omgeving(), wie(), alle=alle),
                  rekeningen=app_werklijst.wachtende_rekeningen(omgeving(), wie()), alle=alle,
                  meldingen=meldingen.wachtend(omgeving(), wie()))


@bp.route("/werklijst/<int:signaal_id>/oplossen", methods=["POST"])
@vereist(Actie.SIGNAAL_OPLOSSEN)
def werklijst_oplossen(signaal_id: int):
    from lks.signalen import SignaalFout
    try:
        signaal = app_werklijst.los_op(omgeving(), wie(), signaal_id, request.form.get("toelichting", "")[:2000],
                                       dt.datetime.now(dt.timezone.utc))
    except SignaalFout as exc:
        flash(str(exc)[:1].upper() + str(exc)[1:] + ".", "fout")
    else:
        flash(f"Signaal {signaal.id} opgelost.", "ok")
    return redirect(url_for("medewerkers.werklijst")), 303


@bp.route("/rekeningen")
@vereist(Actie.LEZEN)
def werklijst_rekeningen():
    return pagina("medewerkers/rekeningen.html",
                  rijen=app_rekeningen.lijst(omgeving(), wie(), alleen_wachtend=False))


@bp.route("/rekeningen/<int:wijziging_id>", methods=["POST"])
@vereist(Actie.REKENING_GOEDKEUREN)
def werklijst_rekening_beoordelen(wijziging_id: int):
    besluit = request.form.get("besluit")
    if besluit not in ("goedkeuren", "afwijzen"):
        abort(400)
    try:
        w = app_rekeningen.beoordeel(omgeving(), wie(), wijziging_id, besluit == "goedkeuren",
                                     request.form.get("reden", "")[:2000], dt.datetime.now(dt.timezone.utc))
    except Geweigerd as exc:
        flash(str(exc), "fout")
        abort(403)
    except app_rekeningen.RekeningFout as exc:
        flash(str(exc)[:1].upper() + str(exc)[1:] + ".", "fout")
    else:
        flash(f"Rekeningwijziging van {w.werkgever_id} {w.status}.", "ok")
    return redirect(url_for("medewerkers.werklijst_rekeningen")), 303


@bp.route("/meldingen/<int:melding_id>", methods=["POST"])
@vereist(Actie.WIJZIGING_BEOORDELEN)
def werklijst_melding(melding_id: int):
    """Accept (it becomes a delivery by this medewerker) or reject (with a reason the
    werkgever sees) what a werkgever reported in the portal."""
    from lks.app import meldingen
    besluit = request.form.get("besluit")
    if besluit not in ("accepteren", "afwijzen"):
        abort(400)
    try:
        m = meldingen.beoordeel(omgeving(), wie(), melding_id, besluit == "accepteren",
                                request.form.get("reden", ""), dt.datetime.now(dt.timezone.utc))
    except meldingen.MeldingFout as exc:
        flash(str(exc)[:1].upper() + str(exc)[1:] + ".", "fout")
    else:
        vervolg = (" Het nieuwe rekeningnummer wacht nu op een goedkeurder." if m.soort == "rekening" and
                   m.status == "geaccepteerd" else "")
        flash(f"Melding {m.id} van {m.werkgever_id} {m.status}.{vervolg}", "ok")
    return redirect(url_for("medewerkers.werklijst")), 303
