"""Beheer: users and roles (a beheerder never changes their own account: another must)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from lks.app import gebruikers
from lks.app.identiteit import ROL_OMSCHRIJVING, Actie, Geweigerd
from lks.web.kern import omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp


def _terug(fout: Exception | None = None, gelukt: str | None = None):
    if isinstance(fout, Geweigerd):
        flash(str(fout), "fout")
        abort(403)
    if fout is not None:
        flash(str(fout)[:1].upper() + str(fout)[1:] + ".", "fout")
    elif gelukt:
        flash(gelukt, "ok")
    return redirect(url_for("medewerkers.beheer")), 303


@bp.route("/beheer")
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer():
    return pagina("medewerkers/beheer.html", rijen=gebruikers.lijst(omgeving().engine, wie()),
                  rollen=gebruikers.TOEKENBAAR, omschrijving=ROL_OMSCHRIJVING)


@bp.route("/beheer/gebruikers", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_toevoegen():
    f = request.form
    try:
        info = gebruikers.voeg_toe(omgeving().engine, wie(), f.get("naam", ""), f.getlist("rol"),
                                   wachtwoord=f.get("wachtwoord") or None, weergavenaam=f.get("weergavenaam") or None,
                                   email=f.get("email") or None, werkgever_id=(f.get("werkgever") or "").strip() or None)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Gebruiker {info.naam} toegevoegd ({', '.join(info.rollen)}).")


@bp.route("/beheer/gebruikers/<naam>/rollen", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_rollen(naam: str):
    try:
        info = gebruikers.zet_rollen(omgeving().engine, wie(), naam, request.form.getlist("rol"))
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Rollen van {info.naam}: {', '.join(info.rollen)}.")


@bp.route("/beheer/gebruikers/<naam>/toegang", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_toegang(naam: str):
    actief = request.form.get("actief") == "1"
    try:
        gebruikers.zet_actief(omgeving().engine, wie(), naam, actief)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Gebruiker {naam} {'heeft weer toegang' if actief else 'is geblokkeerd'}.")


@bp.route("/beheer/gebruikers/<naam>/tweede-factor", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_tweede_factor(naam: str):
    verplicht = request.form.get("verplicht") == "1"
    try:
        gebruikers.zet_totp_verplicht(omgeving().engine, wie(), naam, verplicht)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Tweede factor voor {naam}: {'verplicht' if verplicht else 'niet verplicht'}.")


@bp.route("/beheer/gebruikers/<naam>/wachtwoord", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_wachtwoord(naam: str):
    try:
        gebruikers.zet_wachtwoord(omgeving().engine, wie(), naam, request.form.get("wachtwoord", ""))
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Nieuw wachtwoord ingesteld voor {naam}; lopende sessies zijn beëindigd.")
