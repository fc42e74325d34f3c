"""Bank account changes of werkgevers: a goedkeurder other than the one who delivered the
new IBAN approves or rejects it; until then the werkgever's payments are held (``lks.rekeningen``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lks.app import audit
from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Geweigerd, Identiteit
from lks.app.omgeving import Omgeving


class RekeningFout(ValueError):
    """A bank account decision that cannot be made (message in Dutch)."""


@dataclass(frozen=True)
class Wijziging:
    id: int
    werkgever_id: str
    werkgever_naam: str
    oud_iban: str | None
    nieuw_iban: str
    tenaamstelling: str | None
    bron: str
    ingediend_door: str
    ingediend_op: dt.datetime
    status: str
    beoordeeld_door: str | None
    beoordeeld_op: dt.datetime | None
    reden: str | None


def lijst(o: Omgeving, wie: Identiteit, alleen_wachtend: bool = True) -> list[Wijziging]:
    """Account changes (waiting ones first), with the account in force beside each."""
    from lks.db.models import Werkgever
    from lks.db.models_gebruiker import Rekeningwijziging
    from lks.facts import current_versions
    from lks.rekeningen import in_gebruik
    vereist(o.engine, wie, Actie.LEZEN)
    with Session(o.engine) as s:
        namen_q = current_versions(Werkgever).subquery()
        namen = dict(s.execute(select(namen_q.c.werkgever_id, namen_q.c.naam)).all())
        huidig = {r.werkgever_id: r.iban for r in in_gebruik(s.connection()).itertuples()}
        query = select(Rekeningwijziging).where(Rekeningwijziging.ingediend_door != "migratie")
        if alleen_wachtend:
            query = query.where(Rekeningwijziging.status == "wacht")
        rows = s.scalars(query.order_by(Rekeningwijziging.status != "wacht", Rekeningwijziging.id.desc())).all()
        return [Wijziging(r.id, r.werkgever_id, namen.get(r.werkgever_id, ""),
                          huidig.get(r.werkgever_id) if r.status == "wacht" else None, r.iban, r.tenaamstelling,
                          r.bron, r.ingediend_door, r.ingediend_op, r.status, r.beoordeeld_door, r.beoordeeld_op,
                          r.reden) for r in rows]


def beoordeel(o: Omgeving, wie: Identiteit, wijziging_id: int, goedkeuren: bool, reden: str | None,
              now: dt.datetime) -> Wijziging:
    """Approve or reject a waiting account change. Never by the user who delivered it (also a
    CHECK constraint); a rejection needs a reason. Conditional: decided once."""
    from lks.db.models_gebruiker import Rekeningwijziging
    wie = vereist(o.engine, wie, Actie.REKENING_GOEDKEUREN)
    reden = (reden or "").strip() or None
    if not goedkeuren and not reden:
        raise RekeningFout("geef een reden bij het afwijzen van een rekeningwijziging")
    with Session(o.engine) as s, s.begin():
        rij = s.get(Rekeningwijziging, wijziging_id)
        if rij is None:
            raise RekeningFout(f"rekeningwijziging {wijziging_id} bestaat niet")
        if rij.ingediend_door == wie.naam:
            raise Geweigerd(f"geweigerd: vier-ogenprincipe: {wie.naam} leverde deze rekeningwijziging aan en mag "
                            "haar niet zelf beoordelen")
        status = "goedgekeurd" if goedkeuren else "afgewezen"
        result = s.execute(update(Rekeningwijziging)
                           .where(Rekeningwijziging.id == wijziging_id, Rekeningwijziging.status == "wacht")
                           .values(status=status, beoordeeld_door=wie.naam, beoordeeld_op=now, reden=reden)
                           .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise RekeningFout(f"rekeningwijziging {wijziging_id} is al {rij.status} door {rij.beoordeeld_door}")
        audit.vastleggen(s, wie, f"rekening_{status}", now, wijziging=wijziging_id, werkgever_id=rij.werkgever_id,
                         reden=reden)
    return next(w for w in lijst(o, wie, alleen_wachtend=False) if w.id == wijziging_id)
