"""Beheer: users and roles (a beheerder never changes their own account: another must), and
the changes that wait for a second beheerder (four eyes; none in the opzetfase)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from lks.app import gebruikers
from lks.app.identiteit import ROL_OMSCHRIJVING, Actie, Geweigerd
from lks.web.kern import omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp


def _terug(fout: Exception | None = None, gelukt: str | None = None, uitkomst=None):
    if isinstance(fout, Geweigerd):
        flash(str(fout), "fout")
        abort(403)
    w = uitkomst.wijziging if uitkomst is not None else None
    if fout is not None:
        flash(str(fout)[:1].upper() + str(fout)[1:] + ".", "fout")
    elif w is not None and w.wacht:
        flash(f"Wijziging {w.id} aangevraagd: {w.omschrijving}. Die geldt pas als een andere beheerder haar "
              "bevestigt.", "ok")
    elif gelukt:
        flash(gelukt + (" (opzetfase: u bent de enige actieve beheerder, dus dit geldt direct)"
                        if w is not None and w.opzetfase else ""), "ok")
    return redirect(url_for("medewerkers.beheer")), 303


@bp.route("/beheer")
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer():
    engine = omgeving().engine
    return pagina("medewerkers/beheer.html", rijen=gebruikers.lijst(engine, wie()),
                  rollen=gebruikers.TOEKENBAAR, omschrijving=ROL_OMSCHRIJVING,
                  wachtend=gebruikers.wijzigingen(engine, wie()),
                  opzetfase=gebruikers.wijzigingen(engine, wie(), status=None, opzetfase=True),
                  in_opzetfase=gebruikers.in_opzetfase(engine))


@bp.route("/beheer/gebruikers", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_toevoegen():
    f = request.form
    try:
        uitkomst = gebruikers.voeg_toe(omgeving().engine, wie(), f.get("naam", ""), f.getlist("rol"),
                                       wachtwoord=f.get("wachtwoord") or None,
                                       weergavenaam=f.get("weergavenaam") or None, email=f.get("email") or None,
                                       werkgever_id=(f.get("werkgever") or "").strip() or None)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    info = uitkomst.info
    return _terug(gelukt=info and f"Gebruiker {info.naam} toegevoegd ({', '.join(info.rollen)}).", uitkomst=uitkomst)


@bp.route("/beheer/gebruikers/<naam>/rollen", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_rollen(naam: str):
    try:
        uitkomst = gebruikers.zet_rollen(omgeving().engine, wie(), naam, request.form.getlist("rol"))
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    info = uitkomst.info
    return _terug(gelukt=f"Rollen van {info.naam}: {', '.join(info.rollen)}.", uitkomst=uitkomst)


@bp.route("/beheer/gebruikers/<naam>/toegang", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_toegang(naam: str):
    actief = request.form.get("actief") == "1"
    try:
        uitkomst = gebruikers.zet_actief(omgeving().engine, wie(), naam, actief)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Gebruiker {naam} {'heeft weer toegang' if actief else 'is geblokkeerd'}.",
                  uitkomst=uitkomst)


@bp.route("/beheer/gebruikers/<naam>/tweede-factor", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_tweede_factor(naam: str):
    verplicht = request.form.get("verplicht") == "1"
    try:
        uitkomst = gebruikers.zet_totp_verplicht(omgeving().engine, wie(), naam, verplicht)
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Tweede factor voor {naam}: {'verplicht' if verplicht else 'niet verplicht'}.",
                  uitkomst=uitkomst)


@bp.route("/beheer/gebruikers/<naam>/wachtwoord", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_wachtwoord(naam: str):
    try:
        uitkomst = gebruikers.zet_wachtwoord(omgeving().engine, wie(), naam, request.form.get("wachtwoord", ""))
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Nieuw wachtwoord ingesteld voor {naam}; lopende sessies zijn beëindigd.",
                  uitkomst=uitkomst)


@bp.route("/beheer/wijzigingen/<int:wijziging_id>", methods=["POST"])
@vereist(Actie.GEBRUIKERS_BEHEREN)
def beheer_wijziging(wijziging_id: int):
    """Confirm or reject, as a second beheerder, a change another beheerder asked for. The
    requester (or the user concerned) gets 403: the application layer refuses, whatever the
    page showed."""
    besluit = request.form.get("besluit")
    if besluit not in ("bevestigen", "afwijzen"):
        abort(400)
    engine = omgeving().engine
    try:
        if besluit == "bevestigen":
            w = gebruikers.bevestig(engine, wie(), wijziging_id).wijziging
        else:
            w = gebruikers.wijs_af(engine, wie(), wijziging_id, request.form.get("reden", "")[:2000])
    except (gebruikers.GebruikerFout, Geweigerd) as exc:
        return _terug(exc)
    return _terug(gelukt=f"Wijziging {w.id} {'bevestigd' if besluit == 'bevestigen' else 'afgewezen'}: "
                         f"{w.omschrijving}.")
