"""Verantwoording (controller): the year's rapport with its charts, identities and exceptions,
the full HTML report and the Excel workbook; upload of the ledger export and camt.053."""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from flask import abort, flash, redirect, request, url_for

from lks.app import verantwoording as app_verantwoording
from lks.app.identiteit import Actie
from lks.web.kern import document, omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp
from lks.web.medewerkers.leveringen import opgeslagen_upload
from lks.web.medewerkers.overzicht import vandaag


def _jaar(waarde: str | int | None) -> int:
    try:
        jaar = int(waarde) if waarde is not None else vandaag().year
    except ValueError:
        abort(400)
    if not 2000 <= jaar <= 2100:
        abort(400)
    return jaar


def _rapport(jaar: int):
    from lks.parameters import ParameterFout, ParameterOntbreekt
    try:
        return app_verantwoording.rapport(omgeving(), wie(), jaar), None
    except (ParameterFout, ParameterOntbreekt) as exc:
        return None, str(exc)


@bp.route("/verantwoording")
@vereist(Actie.RAPPORT_MAKEN)
def verantwoording():
    from lks.verantwoording.rapport import BUDGET_LABEL, URENBASIS_LABEL
    from lks.verantwoording.uitvoer import budget_grafieken, loonstroken_regel
    jaar = _jaar(request.args.get("jaar"))
    rapport, fout = _rapport(jaar)
    return pagina("medewerkers/verantwoording.html", jaar=jaar, r=rapport, fout=fout,
                  grafieken=budget_grafieken(rapport) if rapport else [],
                  budget=rapport.budget.to_dict("records") if rapport else [],
                  per_urenbasis=rapport.per_urenbasis.to_dict("records") if rapport else [],
                  loonstroken=rapport.loonstroken.head(50).to_dict("records") if rapport else [],
                  loonstroken_aantal=len(rapport.loonstroken) if rapport else 0,
                  loonstroken_regel=loonstroken_regel(rapport) if rapport else "",
                  budget_label=BUDGET_LABEL, urenbasis_label=URENBASIS_LABEL)


@bp.route("/verantwoording/<int:jaar>/rapport.html")
@vereist(Actie.RAPPORT_MAKEN)
def verantwoording_html(jaar: int):
    from lks.verantwoording.uitvoer import render_html
    rapport, fout = _rapport(_jaar(jaar))
    if rapport is None:
        abort(404)
    return document(render_html(rapport).encode("utf-8"), "text/html; charset=utf-8", f"verantwoording-{jaar}.html")


@bp.route("/verantwoording/<int:jaar>/rapport.xlsx")
@vereist(Actie.RAPPORT_MAKEN)
def verantwoording_xlsx(jaar: int):
    from lks.verantwoording.uitvoer import write_xlsx
    rapport, fout = _rapport(_jaar(jaar))
    if rapport is None:
        abort(404)
    map_ = Path(tempfile.mkdtemp(prefix="lks-rapport-"))
    try:
        inhoud = write_xlsx(rapport, map_ / "rapport.xlsx").read_bytes()
    finally:
        shutil.rmtree(map_, ignore_errors=True)
    return document(inhoud, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    f"verantwoording-{jaar}.xlsx", bijlage=True)


def _upload(functie, soort: str):
    from lks.verantwoording.invoer import InvoerFout
    bestand = request.files.get("bestand")
    if not bestand or not bestand.filename:
        flash(f"Kies een {soort}.", "fout")
        return redirect(url_for("medewerkers.verantwoording")), 303
    map_ = opgeslagen_upload([bestand])
    try:
        pad = next(map_.iterdir())
        resultaat = functie(omgeving(), wie(), pad, dt.datetime.now(dt.timezone.utc))
    except InvoerFout as exc:
        for regel in exc.fouten[:50]:
            flash(regel, "fout")
        flash(f"Niets vastgelegd: {len(exc.fouten)} {'fout' if len(exc.fouten) == 1 else 'fouten'}.", "fout")
        return redirect(url_for("medewerkers.verantwoording")), 303
    finally:
        shutil.rmtree(map_, ignore_errors=True)
    flash(f"{soort[:1].upper() + soort[1:]} {resultaat.import_id} ingelezen: {resultaat.regels} regels.", "ok")
    return redirect(url_for("medewerkers.verantwoording")), 303


@bp.route("/verantwoording/grootboek", methods=["POST"])
@vereist(Actie.GROOTBOEK_IMPORTEREN)
def verantwoording_grootboek():
    return _upload(app_verantwoording.grootboek, "grootboekexport")


@bp.route("/verantwoording/bankafschrift", methods=["POST"])
@vereist(Actie.BANK_IMPORTEREN)
def verantwoording_bankafschrift():
    return _upload(app_verantwoording.bankafschrift, "bankafschrift")
