"""The audit log of the application layer: every action with the authenticated user and, for
the web, the client address. The table is append-only (a database trigger refuses UPDATE
and DELETE); betaalrun transitions write their own records in ``lks.betaalrun.lifecycle``."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from lks.app.identiteit import Identiteit
from lks.db.models_betaalrun import AuditLog


def vastleggen(session: Session, wie: Identiteit, actie: str, now: dt.datetime, *,
               betaalrun_id: int | None = None, **details) -> None:
    """Add one audit record to the session's transaction (it commits with the action)."""
    session.add(AuditLog(moment=now, gebruiker=wie.naam, actie=actie[:40], betaalrun_id=betaalrun_id,
                         details=json.dumps(details, sort_keys=True, default=str),
                         client_adres=wie.client_adres))
