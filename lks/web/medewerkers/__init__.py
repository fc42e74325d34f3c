"""The staff pages: overzicht, leveringen, werkgevers and plaatsingen, betaalruns,
beschikkingen, werklijst, verantwoording (controller) and beheer. Each route names the
Actie it needs; the application layer checks it again."""
from flask import Blueprint

bp = Blueprint("medewerkers", __name__)

from lks.web.medewerkers import (beheer, beschikkingen, betaalruns, leveringen, overzicht,  # noqa: E402,F401
                                 verantwoording, werkgevers, werklijst)
