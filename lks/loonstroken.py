"""Loonstroken that have not arrived (rekenregels §7): the months of a plaatsing on verloonde
uren for which the hours are still missing.

One rule, read by the werklijst (``lks.signalen``: ``loonstrook_ontbreekt``), the
werkgeversportaal (what a werkgever still has to deliver) and the controller's rapport (an
open obligation at year end). A plaatsing-month *waits for its loonstrook* when

- the plaatsing is in force (not withdrawn) and has urenbasis ``verloond``;
- the plaatsing is active on at least one day of that month;
- the month has ended before ``vandaag`` (the hours of a month are known after it);
- the next betaalrun can still pay it: the month is not before ``[betaalrun] eerste_periode``
  (earlier months were paid by the previous system) and not before the retro window
  (``[betaalrun] retro_jaren``) of the run of ``vandaag``'s month — the same limits as
  ``lks.betaalrun.lifecycle.berekenen``;
- no verloonde uren are recorded for it. H = 0 is a delivery (§7), not a missing loonstrook.

Until the hours arrive the month is paid 0 with reason ``uren_ontbreken``; when they arrive
the next betaalrun pays it as a correction (§4). The werkgever is to deliver the loonstrook of
month m by ``[betaalrun] loonstrook_dag`` (default 10) of month m + 1: that day is
``uiterlijk``; ``te_laat`` says it has passed.

The rule itself (``ontbrekende_maanden``) works on the facts frames, vectorised: one row per
plaatsing-month from a repeat over the plaatsingen, an anti-join with the delivered months;
no loop per plaatsing or day.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from lks.db.models import Plaatsing, VerloondeUren, Werkgever, Werknemer
from lks.facts import current_versions
from lks.parameters import Parameters
from lks.settings import Settings

LOONSTROOK_DAG = 10
"""Default due day of the loonstrook of month m in month m + 1 (``[betaalrun] loonstrook_dag``)."""

KOLOMMEN = ["plaatsing_id", "werknemer_id", "werkgever_id", "periode", "uiterlijk", "te_laat"]


def loonstrook_dag(settings: Settings) -> int:
    """The day of the next month by which the werkgever delivers a month's loonstrook.
    Read defensively: the setting ``[betaalrun] loonstrook_dag`` comes with the letters that
    state the obligation; without it the default of 10 holds."""
    return int(getattr(settings.betaalrun, "loonstrook_dag", LOONSTROOK_DAG) or LOONSTROOK_DAG)


def eerste_maand(vandaag: dt.date, settings: Settings) -> str:
    """The first month the run of ``vandaag``'s month recalculates (its retro window, not
    before ``eerste_periode``), as ``lks.betaalrun.lifecycle.berekenen`` computes it."""
    van = str(pd.Period(vandaag, freq="M") - (settings.betaalrun.retro_jaren * 12 - 1))
    eerste = settings.betaalrun.eerste_periode
    return eerste if eerste and eerste > van else van


def ontbrekende_maanden(plaatsingen: pd.DataFrame, geleverd: pd.DataFrame, vandaag: dt.date,
                        van: str | None, dag: int = LOONSTROOK_DAG) -> pd.DataFrame:
    """The rule on facts frames. ``plaatsingen``: the verloond plaatsingen in force
    (plaatsing_id, werknemer_id, werkgever_id, startdatum, einddatum as datetime64, einddatum
    NaT when open; other columns and urenbasis ``contract`` rows are ignored); ``geleverd``:
    the current verloonde uren (plaatsing_id, periode). Returns ``KOLOMMEN``: one row per
    plaatsing-month without hours from ``van`` up to the last month ended before ``vandaag``,
    sorted by werkgever, plaatsing and month; ``uiterlijk`` a ``datetime.date``."""
    if "urenbasis" in plaatsingen:
        plaatsingen = plaatsingen[plaatsingen["urenbasis"] == "verloond"]
    tot = np.datetime64(vandaag, "M") - 1  # the last month that has ended
    start = plaatsingen["startdatum"].to_numpy(dtype="datetime64[D]").astype("datetime64[M]")
    einde = plaatsingen["einddatum"].to_numpy(dtype="datetime64[D]").astype("datetime64[M]")
    einde = np.where(np.isnat(einde) | (einde > tot), tot, einde)
    if van is not None:
        start = np.maximum(start, np.datetime64(van, "M"))
    aantal = np.maximum((einde - start).astype(np.int64) + 1, 0)
    rij = np.repeat(np.arange(len(plaatsingen)), aantal)
    stap = np.arange(rij.size) - np.repeat(np.cumsum(aantal) - aantal, aantal)
    maand = start[rij] + stap
    uit = pd.DataFrame({
        "plaatsing_id": plaatsingen["plaatsing_id"].to_numpy(dtype=object)[rij],
        "werknemer_id": plaatsingen["werknemer_id"].to_numpy(dtype=object)[rij],
        "werkgever_id": plaatsingen["werkgever_id"].to_numpy(dtype=object)[rij],
        "periode": maand.astype(str).astype(object),
    })
    if len(uit) and len(geleverd):
        bekend = pd.MultiIndex.from_arrays([geleverd["plaatsing_id"].astype(str), geleverd["periode"].astype(str)])
        uit = uit[~pd.MultiIndex.from_frame(uit[["plaatsing_id", "periode"]]).isin(bekend)]
    maand = uit["periode"].to_numpy(dtype=str).astype("datetime64[M]")
    dag = min(max(int(dag), 1), 28)  # every month has the day (the setting is validated too)
    uiterlijk = (maand + 1).astype("datetime64[D]") + (dag - 1)
    uit = uit.assign(uiterlijk=[d.item() for d in uiterlijk], te_laat=uiterlijk < np.datetime64(vandaag, "D"))
    return uit.sort_values(["werkgever_id", "plaatsing_id", "periode"], kind="stable").reset_index(drop=True)


def ontbrekende_loonstroken(engine: Engine | Connection, vandaag: dt.date, params: Parameters, settings: Settings,
                            werkgever_id: str | None = None, *, as_of: dt.datetime | None = None) -> list[dict]:
    """Every month up to the last ended month for which a verloond plaatsing in force (of
    ``werkgever_id``, or of all werkgevers) has no delivered hours, with the facts as known at
    ``as_of`` (None: the newest). One dict per plaatsing-month, sorted by werkgever, plaatsing
    and month: ``plaatsing_id``, ``werknemer`` (the name; never the BSN), ``werknemer_id``,
    ``werkgever_id``, ``werkgever`` (the name), ``periode`` (JJJJ-MM), ``uiterlijk`` (the due
    day, a date) and ``te_laat`` (``vandaag`` is past it). ``params`` is not read today: no
    legal duration enters the rule (the due day is the gemeente's setting); it keeps the
    signature of the other application queries."""
    del params
    if isinstance(engine, Engine):
        with engine.connect() as connection:
            return ontbrekende_loonstroken(connection, vandaag, None, settings, werkgever_id, as_of=as_of)
    connection = engine
    van = eerste_maand(vandaag, settings)
    plaatsingen = _verloonde_plaatsingen(connection, as_of, werkgever_id)
    if plaatsingen.empty:
        return []
    geleverd = _geleverd(connection, as_of, van, plaatsingen["plaatsing_id"] if werkgever_id else None)
    uit = ontbrekende_maanden(plaatsingen, geleverd, vandaag, van, loonstrook_dag(settings))
    if uit.empty:
        return []
    # one werkgever (the portal): only its people; all werkgevers: one read of each table
    alleen = werkgever_id is not None
    werknemers = _namen(connection, Werknemer, "werknemer_id", as_of, uit["werknemer_id"] if alleen else None)
    werkgevers = _namen(connection, Werkgever, "werkgever_id", as_of, [werkgever_id] if alleen else None)
    uit["werknemer"] = uit["werknemer_id"].map(werknemers).fillna("")
    uit["werkgever"] = uit["werkgever_id"].map(werkgevers).fillna("")
    uit["te_laat"] = uit["te_laat"].astype(bool)
    return [dict(plaatsing_id=r.plaatsing_id, werknemer=r.werknemer, werknemer_id=r.werknemer_id,
                 werkgever_id=r.werkgever_id, werkgever=r.werkgever, periode=r.periode, uiterlijk=r.uiterlijk,
                 te_laat=bool(r.te_laat)) for r in uit.itertuples(index=False)]


def _rows(connection: Connection, query) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _verloonde_plaatsingen(connection: Connection, as_of, werkgever_id: str | None) -> pd.DataFrame:
    """The current versions (not withdrawn) of the plaatsingen on verloonde uren."""
    query = current_versions(Plaatsing, as_of).where(Plaatsing.urenbasis == "verloond")
    if werkgever_id is not None:
        query = query.where(Plaatsing.werkgever_id == werkgever_id)
    frame = _rows(connection, query)
    frame = frame[["plaatsing_id", "werknemer_id", "werkgever_id", "startdatum", "einddatum"]]
    for column in ("startdatum", "einddatum"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[s]")
    return frame


def _geleverd(connection: Connection, as_of, van: str, plaatsing_ids) -> pd.DataFrame:
    """(plaatsing_id, periode) of the current verloonde uren from ``van`` on."""
    query = current_versions(VerloondeUren, as_of).where(VerloondeUren.periode >= van)
    if plaatsing_ids is not None:
        query = query.where(VerloondeUren.plaatsing_id.in_(sorted(set(plaatsing_ids))))
    frame = _rows(connection, query)
    return frame[["plaatsing_id", "periode"]]


def _namen(connection: Connection, model, key: str, as_of, ids=None) -> dict[str, str]:
    """Id -> naam of the current versions (only these two columns are read: no BSN)."""
    query = current_versions(model, as_of)
    if ids is not None:
        query = query.where(getattr(model, key).in_(sorted(set(ids))))
    versies = query.subquery()
    return dict(connection.execute(select(versies.c[key], versies.c.naam)).all())
