"""Portal pages, in plain Dutch (B1: short sentences, no jargon without explanation). Every
page shows only the logged-in werkgever's own data: the application layer (lks.app.portaal)
binds each query to it; an id of another werkgever is 'niet gevonden' (404)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from werkzeug.utils import secure_filename

from lks.app import portaal
from lks.app.identiteit import Actie
from lks.web.filters import TZ
from lks.web.kern import alleen_eigen, document, kenmerk_uit_url, omgeving, vereist, wie
from lks.web.kern import pagina as toon
from lks.web.portaal import bp


def vandaag() -> dt.date:
    return dt.datetime.now(TZ).date()


@bp.route("/")
@vereist(Actie.PORTAAL)
@alleen_eigen
def overzicht():
    return toon("portaal/overzicht.html", o=portaal.overzicht(omgeving(), wie(), vandaag()), vandaag=vandaag())


@bp.route("/plaatsingen/<plaatsing_id>")
@vereist(Actie.PORTAAL)
@alleen_eigen
def plaatsing(plaatsing_id: str):
    return toon("portaal/plaatsing.html", d=portaal.plaatsing(omgeving(), wie(), plaatsing_id, vandaag()))


@bp.route("/brieven")
@vereist(Actie.PORTAAL)
@alleen_eigen
def brieven():
    return toon("portaal/brieven.html", brieven=portaal.beschikkingen(omgeving(), wie()))


@bp.route("/brieven/<brief>.<soort>")
@vereist(Actie.PORTAAL)
@alleen_eigen
def brief(brief: str, soort: str):
    if soort not in ("html", "pdf"):
        abort(404)
    inhoud = portaal.brief(omgeving(), wie(), kenmerk_uit_url(brief), soort)
    return document(inhoud, "text/html; charset=utf-8" if soort == "html" else "application/pdf",
                    f"{brief}.{soort}", bijlage=soort == "pdf")


@bp.route("/betalingen")
@vereist(Actie.PORTAAL)
@alleen_eigen
def betalingen():
    return toon("portaal/betalingen.html", b=portaal.betalingen(omgeving(), wie()))


@bp.route("/betalingen/<periode>/<int:volgnummer>/specificatie.<soort>")
@vereist(Actie.PORTAAL)
@alleen_eigen
def specificatie(periode: str, volgnummer: int, soort: str):
    inhoud, naam = portaal.specificatie(omgeving(), wie(), periode, volgnummer, soort)
    mimetype = {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}[soort]
    return document(inhoud, mimetype, naam, bijlage=soort != "html")


# --------------------------------------------------------------------------- delivering

def _vorige_maand() -> str:
    eerste = vandaag().replace(day=1)
    return f"{(eerste - dt.timedelta(days=1)):%Y-%m}"


@bp.route("/uren", methods=["GET"])
@vereist(Actie.PORTAAL)
@alleen_eigen
def uren():
    from lks.nl import is_maand
    periode = request.args.get("maand") or _vorige_maand()
    if not is_maand(periode):
        abort(400)
    return toon("portaal/uren.html", periode=periode, rijen=portaal.uren_formulier(omgeving(), wie(), periode),
                fouten=None)


@bp.route("/uren", methods=["POST"])
@vereist(Actie.PORTAAL)
@alleen_eigen
def uren_opslaan():
    """The form of one month: one field per werknemer on verloonde uren."""
    from lks.nl import is_maand
    periode = request.form.get("maand", "")
    if not is_maand(periode):
        abort(400)
    velden = {sleutel[len("uren-"):]: waarde.strip() for sleutel, waarde in request.form.items()
              if sleutel.startswith("uren-") and waarde.strip()}
    try:
        levering = portaal.lever_uren_formulier(omgeving(), wie(), periode, velden, dt.datetime.now(dt.timezone.utc))
    except portaal.UrenFout as fout:
        return _fouten(fout, periode)
    return _gelukt(levering, periode)


@bp.route("/uren/bestand", methods=["POST"])
@vereist(Actie.PORTAAL)
@alleen_eigen
def uren_bestand():
    """A CSV file with many werknemers (interfaces §2: plaatsing_id, periode, uren)."""
    bestand = request.files.get("bestand")
    if not bestand or not bestand.filename:
        flash("Kies eerst een bestand.", "fout")
        return redirect(url_for("portaal.uren")), 303
    naam = secure_filename(bestand.filename) or "verloonde_uren.csv"
    try:
        regels = portaal.lees_uren_csv(bestand.read(), naam)
    except portaal.UrenFout as fout:
        return _fouten(fout, _vorige_maand())
    return _lever(regels, regels[0]["periode"] if regels else _vorige_maand(), naam)


def _lever(regels, periode, bestand):
    try:
        levering = portaal.lever_uren(omgeving(), wie(), regels, dt.datetime.now(dt.timezone.utc), bestand=bestand)
    except portaal.UrenFout as fout:
        return _fouten(fout, periode)
    return _gelukt(levering, periode)


def _gelukt(levering, periode):
    from lks.web.filters import getal, maand
    if levering.geteld:
        flash(f"Dank u. Wij hebben de uren ontvangen van {len(levering.geteld)} werknemer(s). "
              "Wij betalen ze met de volgende betaling.", "ok")
    for plaatsing_id, periode_, aantal, maximum in levering.ter_beoordeling:
        flash(f"{levering.namen.get(plaatsing_id, '')} ({maand(periode_)}): {getal(aantal)} uur is meer dan het "
              f"maximum van {getal(maximum) if maximum != 'onbekend' else 'die maand'} uur. Een medewerker van de "
              "gemeente kijkt er eerst naar. Tot dan betalen wij niets over die maand.", "info")
    return redirect(url_for("portaal.uren", maand=periode)), 303


def _fouten(fout, periode):
    from lks.nl import is_maand
    periode = periode if is_maand(periode) else _vorige_maand()
    return toon("portaal/uren.html", periode=periode, rijen=portaal.uren_formulier(omgeving(), wie(), periode),
                fouten=fout.fouten), 422


@bp.route("/wijzigingen", methods=["GET"])
@vereist(Actie.PORTAAL)
@alleen_eigen
def wijzigingen():
    from lks.app import meldingen
    o = portaal.overzicht(omgeving(), wie(), vandaag())
    return toon("portaal/wijzigingen.html", o=o, meldingen=meldingen.van_werkgever(omgeving(), wie()), fout=None)


@bp.route("/wijzigingen", methods=["POST"])
@vereist(Actie.PORTAAL)
@alleen_eigen
def wijzigingen_melden():
    from lks.app import meldingen
    soort = request.form.get("soort")
    try:
        melding = meldingen.meld_van_formulier(omgeving(), wie(), soort, request.form,
                                               dt.datetime.now(dt.timezone.utc))
    except meldingen.MeldingFout as fout:
        o = portaal.overzicht(omgeving(), wie(), vandaag())
        return toon("portaal/wijzigingen.html", o=o, meldingen=meldingen.van_werkgever(omgeving(), wie()),
                    fout=str(fout)[:1].upper() + str(fout)[1:] + "."), 422
    flash(f"Dank u. Wij hebben uw wijziging ontvangen ({melding.voor_werkgever}). Een medewerker van de gemeente "
          "verwerkt hem. U ziet hieronder of dat is gebeurd.", "ok")
    return redirect(url_for("portaal.wijzigingen")), 303
