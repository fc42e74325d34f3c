"""The werklijst: signalen for medewerkers (herbeoordeling, forfait, ontwikkelbaan, late
beschikking, unapproved run, missing loonstrook, bank account change waiting), made daily and
resolved with a required toelichting; and the loonstroken still missing, for staff and for a
werkgever in the portal."""
from __future__ import annotations

import datetime as dt

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


def lijst(o: Omgeving, wie: Identiteit, alle: bool = False):
    from lks.signalen import lijst as signalen
    vereist(o.engine, wie, Actie.LEZEN)
    return signalen(o.engine, alle=alle)


def maak(o: Omgeving, wie: Identiteit, vandaag: dt.date, now: dt.datetime):
    from lks.signalen import maak_signalen
    vereist(o.engine, wie, Actie.SIGNALEN_MAKEN)
    return maak_signalen(o.engine, vandaag, now, o.params, o.settings)


def los_op(o: Omgeving, wie: Identiteit, signaal_id: int, toelichting: str, now: dt.datetime):
    """Resolve a signaal; the toelichting (what was done) is required (``SignaalFout``)."""
    from lks.signalen import los_op as oplossen
    wie = vereist(o.engine, wie, Actie.SIGNAAL_OPLOSSEN)
    return oplossen(o.engine, signaal_id, wie.naam, toelichting, now)


def wachtende_rekeningen(o: Omgeving, wie: Identiteit):
    """Bank account changes waiting for a goedkeurder: part of the werklijst, because the
    werkgever's payments are held until then."""
    from lks.app import rekeningen
    return rekeningen.lijst(o, wie, alleen_wachtend=True)


def ontbrekende_loonstroken(o: Omgeving, wie: Identiteit, vandaag: dt.date, werkgever_id: str | None = None):
    """The months whose loonstrook (verloonde uren, rekenregels §7) has not arrived
    (``lks.loonstroken.ontbrekende_loonstroken``: the rule the werklijst signals). Staff read
    every werkgever or the one asked for; a werkgever user in the portal is bound to its own,
    whatever it asks."""
    from lks.loonstroken import ontbrekende_loonstroken as ontbrekend
    if wie.mag(Actie.LEZEN):
        vereist(o.engine, wie, Actie.LEZEN)
    else:
        werkgever_id = vereist(o.engine, wie, Actie.PORTAAL).werkgever_id
    return ontbrekend(o.engine, vandaag, o.params, o.settings, werkgever_id)
