"""Werkgevers and plaatsingen: search; a werkgever with its plaatsingen and account; a
plaatsing's facts over time, its months with amounts, and for any month the derivation that
``lks explain`` prints."""
from __future__ import annotations

from flask import abort, request

from lks.app import berekening, inzage
from lks.app.identiteit import Actie
from lks.web.kern import alleen_eigen, omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp
from lks.web.medewerkers.overzicht import vandaag


@bp.route("/werkgevers")
@vereist(Actie.LEZEN)
def werkgevers():
    zoek = request.args.get("zoek", "")[:100]
    rijen = inzage.werkgevers(omgeving(), wie(), zoek)
    if request.headers.get("HX-Request"):
        return pagina("medewerkers/_werkgevers_tabel.html", rijen=rijen, zoek=zoek)
    return pagina("medewerkers/werkgevers.html", rijen=rijen, zoek=zoek)


@bp.route("/werkgevers/<werkgever_id>")
@vereist(Actie.LEZEN)
@alleen_eigen
def werkgevers_detail(werkgever_id: str):
    return pagina("medewerkers/werkgever.html", d=inzage.werkgever(omgeving(), wie(), werkgever_id))


@bp.route("/plaatsingen/<plaatsing_id>")
@vereist(Actie.LEZEN)
@alleen_eigen
def werkgevers_plaatsing(plaatsing_id: str):
    from lks.calc.core import CalcFout
    from lks.nl import is_maand
    from lks.parameters import ParameterOntbreekt
    d = inzage.plaatsing(omgeving(), wie(), plaatsing_id, vandaag())
    periode = request.args.get("periode")
    uitleg = fout = None
    if periode:
        if not is_maand(periode):
            abort(400)
        try:
            uitleg = berekening.uitleg(omgeving(), wie(), plaatsing_id, periode)
        except (berekening.BerekeningFout, CalcFout, ParameterOntbreekt) as exc:
            fout = str(exc)
        if uitleg == []:
            fout = f"Plaatsing {plaatsing_id} is in {periode} niet actief."
    return pagina("medewerkers/plaatsing.html", d=d, periode=periode, uitleg=uitleg, fout=fout)
