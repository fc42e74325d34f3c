"""Portal pages (B1 Dutch: short sentences, no jargon without explanation)."""
from __future__ import annotations

from lks.app.identiteit import Actie
from lks.web.kern import pagina as toon
from lks.web.kern import vereist, wie
from lks.web.portaal import bp


@bp.route("/")
@vereist(Actie.PORTAAL)
def overzicht():
    return toon("portaal/overzicht.html", werkgever_id=wie().werkgever_id)
