"""The werkgeversportaal: a werkgever sees its own plaatsingen, letters and payments and
delivers its loonstroken and changes. Every query is bound to the logged-in user's werkgever
in the application layer (``lks.app.portaal``)."""
from flask import Blueprint

bp = Blueprint("portaal", __name__)

from lks.web.portaal import pagina  # noqa: E402,F401
