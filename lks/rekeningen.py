"""A werkgever's bank account in force, and changes waiting for approval.

The classic payment-fraud path is a changed IBAN on a supplier record. So a werkgever is
paid on the newest *approved* account (``rekeningwijziging``), not on whatever the newest
delivery says: the first account of a werkgever is in force at once (it arrives with the
werkgever itself), every later different IBAN waits for a goedkeurder other than the one who
delivered it, and while it waits the werkgever's payments are held (aangehouden) and carried
to the next run (``lks.betaalrun.lifecycle``: held lines are not paid, so the next run pays them
as deltas, without a special path).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from lks.db.models_gebruiker import Rekeningwijziging

GOEDGEKEURD, WACHT, AFGEWEZEN = "goedgekeurd", "wacht", "afgewezen"


def normaal(iban: str | None) -> str:
    return "".join((iban or "").split()).upper()


def in_gebruik(connection: Connection, per: dt.datetime | None = None) -> pd.DataFrame:
    """Per werkgever the newest approved account (approved at or before ``per``):
    werkgever_id, iban, bic, tenaamstelling."""
    query = select(Rekeningwijziging.werkgever_id, Rekeningwijziging.iban, Rekeningwijziging.bic,
                   Rekeningwijziging.tenaamstelling, Rekeningwijziging.beoordeeld_op, Rekeningwijziging.id) \
        .where(Rekeningwijziging.status == GOEDGEKEURD)
    if per is not None:
        query = query.where(Rekeningwijziging.beoordeeld_op <= per)
    frame = pd.DataFrame(connection.execute(query).all(),
                         columns=["werkgever_id", "iban", "bic", "tenaamstelling", "beoordeeld_op", "id"])
    frame = frame.sort_values(["werkgever_id", "beoordeeld_op", "id"]).drop_duplicates("werkgever_id", keep="last")
    return frame[["werkgever_id", "iban", "bic", "tenaamstelling"]].reset_index(drop=True)


def wachtend(connection: Connection) -> set[str]:
    """Werkgevers with an account change waiting for approval: their payments are held."""
    return set(connection.execute(select(Rekeningwijziging.werkgever_id)
                                  .where(Rekeningwijziging.status == WACHT).distinct()).scalars())


def registreer(connection: Connection, werkgevers: list[dict], *, door: str, now: dt.datetime,
               bron: str, import_id: int | None = None,
               tenaamstelling: dict[str, str] | None = None) -> list[dict]:
    """Record the accounts of delivered werkgever rows in the same transaction as the
    delivery: a werkgever's first account is in force at once; an IBAN that differs from the
    account in force (and is not already waiting) waits for approval. Returns the rows
    that wait."""
    if not werkgevers:
        return []
    ids = [w["werkgever_id"] for w in werkgevers]
    huidig = {r.werkgever_id: normaal(r.iban) for r in in_gebruik(connection).itertuples()}
    bekend = set(connection.execute(select(Rekeningwijziging.werkgever_id)
                                    .where(Rekeningwijziging.werkgever_id.in_(ids)).distinct()).scalars())
    al_wachtend = {(w, normaal(i)) for w, i in connection.execute(
        select(Rekeningwijziging.werkgever_id, Rekeningwijziging.iban)
        .where(Rekeningwijziging.status == WACHT, Rekeningwijziging.werkgever_id.in_(ids)))}
    nieuw, wacht = [], []
    for w in werkgevers:
        iban = normaal(w["iban"])
        rij = dict(werkgever_id=w["werkgever_id"], iban=iban, bic=w.get("bic") or None,
                   tenaamstelling=(tenaamstelling or {}).get(w["werkgever_id"]), bron=bron, import_id=import_id,
                   ingediend_door=door, ingediend_op=now)
        if w["werkgever_id"] not in bekend:
            nieuw.append({**rij, "status": GOEDGEKEURD, "beoordeeld_op": now,
                          "reden": "eerste rekening van een nieuwe werkgever"})
        elif iban != huidig.get(w["werkgever_id"]) and (w["werkgever_id"], iban) not in al_wachtend:
            wacht.append({**rij, "status": WACHT})
    if nieuw or wacht:
        connection.execute(insert(Rekeningwijziging), nieuw + wacht)
    return wacht


def aantal_wachtend(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(Rekeningwijziging)
                              .where(Rekeningwijziging.status == WACHT)).scalar_one()
