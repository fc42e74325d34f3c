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
