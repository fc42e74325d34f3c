"""Overzicht: this month's betaalrun and its next step, open signalen per kind, letters
waiting to be sent, bank account changes waiting, the last delivery."""
from __future__ import annotations

import datetime as dt

from lks.app import inzage
from lks.app.identiteit import Actie
from lks.web.filters import TZ
from lks.web.kern import omgeving, pagina, vereist, wie
from lks.web.medewerkers import bp


def vandaag() -> dt.date:
    return dt.datetime.now(TZ).date()


@bp.route("/overzicht")
@vereist(Actie.LEZEN)
def overzicht():
    return pagina("medewerkers/overzicht.html", o=inzage.overzicht(omgeving(), wie(), vandaag()))
