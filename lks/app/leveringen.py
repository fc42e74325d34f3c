"""Deliveries: the CSV files of interfaces §2, imported all or nothing by a medewerker."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit


def importeren(engine, wie: Identiteit, map_: Path, recorded_at: dt.datetime | None = None, *, params):
    """Import a delivery as one new recorded version of the facts (``lks.importer``): every
    error with file, line and reason, and nothing stored when there is one. Raises
    ``ImportFouten``. ``params``: the gemeente's parameters (``Parameters.voor(settings)``,
    ``Omgeving.params``): its policy says which regelingen it had on a startdatum."""
    from lks.importer import import_directory
    wie = vereist(engine, wie, Actie.LEVERING_IMPORTEREN)
    return import_directory(engine, map_, recorded_at=recorded_at, params=params, door=wie.naam,
                            client_adres=wie.client_adres)


@dataclass(frozen=True)
class Levering:
    import_id: int
    recorded_at: dt.datetime
    bestanden: tuple[str, ...]
    aantallen: dict[str, dict[str, int]]
    door: str | None


def historie(engine, wie: Identiteit, limiet: int = 50) -> list[Levering]:
    """The newest deliveries first, with who delivered them (from the audit log)."""
    from lks.db.models import ImportBatch
    from lks.db.models_betaalrun import AuditLog
    vereist(engine, wie, Actie.LEZEN)
    with Session(engine) as s:
        batches = s.scalars(select(ImportBatch).order_by(ImportBatch.recorded_at.desc()).limit(limiet)).all()
        door: dict[int, str] = {}
        for a in s.scalars(select(AuditLog).where(AuditLog.actie == "levering")):
            try:
                door[json.loads(a.details).get("import_id")] = a.gebruiker
            except ValueError:
                continue
        return [Levering(b.id, b.recorded_at, tuple(sorted(json.loads(b.files))), json.loads(b.counts),
                         door.get(b.id)) for b in batches]


@dataclass(frozen=True)
class Intrekkingregel:
    """One row of an ``intrekkingen.csv`` as the audit log keeps it: who withdrew what, when
    and why (issue 14 §3)."""
    moment: dt.datetime
    """The withdrawal's moment: the recorded-at of the delivery that brought it."""
    gebruiker: str
    import_id: int | None
    bestand: str          # plaatsingen, loonwaarden, urenwijzigingen, verloonde_uren
    plaatsing_id: str
    sleutel: str | None   # the ingangsdatum or periode; None for a plaatsing
    wat: str              # Dutch: "plaatsing P1", "loonwaarde van plaatsing P1 per 2025-01-01"
    reden: str            # 9-digit numbers (a BSN, perhaps, typed into the reason) masked
    meegenomen: tuple[str, ...]
    """The facts of a withdrawn plaatsing withdrawn with it."""


def intrekkingen(engine, wie: Identiteit, limiet: int | None = None) -> list[Intrekkingregel]:
    """The withdrawals from the audit log, newest first (``limiet``: at most so many)."""
    from lks.db.models_betaalrun import AuditLog
    from lks.identifiers import mask_bsns_in_text
    from lks.intrekkingen import INTREKBAAR
    vereist(engine, wie, Actie.LEZEN)
    query = select(AuditLog).where(AuditLog.actie == "intrekking").order_by(AuditLog.moment.desc(),
                                                                             AuditLog.id.desc())
    if limiet is not None:
        query = query.limit(limiet)
    out = []
    with Session(engine) as s:
        for a in s.scalars(query):
            try:
                d = json.loads(a.details or "{}")
            except ValueError:
                d = {}
            bestand, pid, sleutel = d.get("bestand", ""), str(d.get("plaatsing_id", "")), d.get("sleutel")
            soort = INTREKBAAR.get(bestand)
            wat = soort.beschrijf(pid, sleutel) if soort is not None else f"{bestand} {pid}".strip()
            out.append(Intrekkingregel(a.moment, a.gebruiker, d.get("import_id"), bestand, pid, sleutel, wat,
                                       mask_bsns_in_text(str(d.get("reden", ""))),
                                       tuple(mask_bsns_in_text(str(m)) for m in d.get("meegenomen", ()))))
    return out
