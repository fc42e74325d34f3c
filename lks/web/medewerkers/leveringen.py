"""Leveringen: upload a delivery (the CSV files of interfaces §2), all or nothing exactly like
``lks import``; every error with file, line and reason; the history of deliveries and the
withdrawals (who withdrew what, when and why; as ``lks intrekkingen list``)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import flash, redirect, request, url_for
from werkzeug.utils import secure_filename

from lks.app import leveringen as app_leveringen
from lks.app.identiteit import Actie
from lks.web.kern import omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp

MAX_FOUTEN = 200
MAX_INTREKKINGEN = 200


def opgeslagen_upload(bestanden) -> Path:
    """The uploaded files in a temporary folder of their own (names made safe); the caller
    removes the folder."""
    map_ = Path(tempfile.mkdtemp(prefix="lks-upload-"))
    for bestand in bestanden:
        naam = secure_filename(bestand.filename or "")
        if naam:
            bestand.save(map_ / naam)
    return map_


@bp.route("/leveringen", methods=["GET"])
@vereist(Actie.LEZEN)
def leveringen():
    return pagina("medewerkers/leveringen.html", historie=app_leveringen.historie(omgeving().engine, wie()),
                  intrekkingen=app_leveringen.intrekkingen(omgeving().engine, wie(), MAX_INTREKKINGEN), fouten=None)


@bp.route("/leveringen", methods=["POST"])
@vereist(Actie.LEVERING_IMPORTEREN)
def leveringen_upload():
    from lks.importer import ImportFouten
    bestanden = [b for b in request.files.getlist("bestanden") if b and b.filename]
    if not bestanden:
        flash("Kies een of meer CSV-bestanden om in te lezen.", "fout")
        return redirect(url_for("medewerkers.leveringen"))
    map_ = opgeslagen_upload(bestanden)
    try:
        resultaat = app_leveringen.importeren(omgeving().engine, wie(), map_, params=omgeving().params)
    except ImportFouten as fout:
        historie = app_leveringen.historie(omgeving().engine, wie())
        return pagina("medewerkers/leveringen.html", historie=historie,
                      intrekkingen=app_leveringen.intrekkingen(omgeving().engine, wie(), MAX_INTREKKINGEN),
                      fouten=[str(f) for f in fout.fouten[:MAX_FOUTEN]], aantal_fouten=len(fout.fouten)), 422
    finally:
        shutil.rmtree(map_, ignore_errors=True)
    nieuw = sum(c.new + c.changed for c in resultaat.counts.values())
    flash(f"Levering {resultaat.import_id} ingelezen: {nieuw} nieuwe of gewijzigde regels.", "ok")
    for werkgever_id in resultaat.rekeningwijzigingen:
        flash(f"Nieuw rekeningnummer voor werkgever {werkgever_id}: betalingen worden aangehouden tot een "
              "goedkeurder (niet u) het goedkeurt.", "info")
    return redirect(url_for("medewerkers.leveringen"))
