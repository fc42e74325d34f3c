"""The facts as known at a moment: one current version per natural key.

"As known at T" is the bitemporal question every correction and audit asks: for each natural
key, the row with the greatest ``recorded_at <= T`` (``as_of=None``: the newest). The query
is a join on a grouped ``max(recorded_at)``, plain SQL that SQLite and PostgreSQL both plan
on the (natural key, recorded_at) indexes.

``to_calc_input`` converts to the calculation core's units (``lks.calc.model``): hours and
loonwaarde to integer hundredths, dates to datetime64. The conversion is exact and refuses
a value that is not a whole number of hundredths instead of rounding it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Numeric, Select, and_, func, select
from sqlalchemy.orm import Session

from lks.calc.model import (LOONWAARDE_COLUMNS, PLAATSING_COLUMNS, UREN_COLUMNS, URENBASIS_COLUMN,
                            VERLOONDE_UREN_COLUMNS, CalcInput)
from lks.db.models import Loonwaarde, Plaatsing, Urenwijziging, VerloondeUren, Werkgever, Werknemer

AUDIT_COLUMNS = ["import_id", "recorded_at"]
WERKGEVER_COLUMNS = ["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer",
                     "postcode", "plaats"]
WERKNEMER_COLUMNS = ["werknemer_id", "bsn", "naam", "geboortedatum"]
PLAATSING_FACT_COLUMNS = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling",
                          "startdatum", "einddatum", "contracturen", "voltijdsuren", "urenbasis"]
LOONWAARDE_FACT_COLUMNS = ["plaatsing_id", "ingangsdatum", "loonwaarde"]
UREN_FACT_COLUMNS = ["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"]
VERLOONDE_UREN_FACT_COLUMNS = ["plaatsing_id", "periode", "uren"]

# model, the columns of its facts frame, the date columns among them
FACT_TABLES = {
    "werkgevers": (Werkgever, WERKGEVER_COLUMNS, []),
    "werknemers": (Werknemer, WERKNEMER_COLUMNS, ["geboortedatum"]),
    "plaatsingen": (Plaatsing, PLAATSING_FACT_COLUMNS, ["startdatum", "einddatum"]),
    "loonwaarden": (Loonwaarde, LOONWAARDE_FACT_COLUMNS, ["ingangsdatum"]),
    "urenwijzigingen": (Urenwijziging, UREN_FACT_COLUMNS, ["ingangsdatum"]),
    "verloonde_uren": (VerloondeUren, VERLOONDE_UREN_FACT_COLUMNS, []),
}


class FactsFout(ValueError):
    """Stored facts that cannot be converted for the calculation."""


@dataclass(frozen=True)
class Facts:
    """Current version per natural key as known at ``as_of`` (None: the newest).

    Frames hold the import columns plus ``import_id`` and ``recorded_at`` (UTC); dates are
    datetime64 (einddatum NaT when open), hours and loonwaarde ``Decimal`` as stored.
    Sorted by natural key."""

    as_of: dt.datetime | None
    werkgevers: pd.DataFrame
    werknemers: pd.DataFrame
    plaatsingen: pd.DataFrame
    loonwaarden: pd.DataFrame
    urenwijzigingen: pd.DataFrame
    verloonde_uren: pd.DataFrame

    def to_calc_input(self) -> CalcInput:
        return to_calc_input(self)


def current_versions(model, as_of: dt.datetime | None = None, *, ingetrokken: bool = False) -> Select:
    """SELECT of the current version per natural key of ``model`` as known at ``as_of``.

    A key whose current version withdraws it (``ingetrokken``, interfaces §2: imported by
    mistake) counts as never having been true and is left out, unless ``ingetrokken`` asks
    for it (to tell "already withdrawn" from "does not exist"). As known before the
    withdrawal, the key is there as it was."""
    key = [getattr(model, name) for name in model.NATURAL_KEY]
    latest = select(*key, func.max(model.recorded_at).label("latest_recorded_at"))
    if as_of is not None:
        latest = latest.where(model.recorded_at <= as_of)
    latest = latest.group_by(*key).subquery("latest")
    on = and_(*(getattr(model, name) == latest.c[name] for name in model.NATURAL_KEY),
              model.recorded_at == latest.c.latest_recorded_at)
    columns = [column for column in model.__table__.columns if column.name != "id"]
    query = select(*columns).join_from(model, latest, on)
    if not ingetrokken and "ingetrokken" in model.__table__.columns:
        query = query.where(model.ingetrokken.is_(None))
    return query.order_by(*key)


def load_facts(source: Session | Engine | Connection, as_of: dt.datetime | None = None) -> Facts:
    """All facts as known at ``as_of`` (aware or naive-UTC datetime; None: the newest)."""
    return Facts(as_of=as_of, **load_fact_tables(source, tuple(FACT_TABLES), as_of))


def load_fact_tables(source: Session | Engine | Connection, names: tuple[str, ...],
                     as_of: dt.datetime | None = None) -> dict[str, pd.DataFrame]:
    """Some of the facts frames of :func:`load_facts` (names from ``FACT_TABLES``), for a
    step that needs only those (the SEPA file: the werkgevers)."""
    if isinstance(source, Engine):
        with source.connect() as connection:
            return _load(connection, names, as_of)
    if isinstance(source, Session):
        return _load(source.connection(), names, as_of)
    return _load(source, names, as_of)


def _load(connection: Connection, names: tuple[str, ...], as_of: dt.datetime | None) -> dict[str, pd.DataFrame]:
    frames = {}
    for name in names:
        model, columns, date_columns = FACT_TABLES[name]
        result = connection.execute(current_versions(model, as_of))
        keys = list(result.keys())
        # The driver's rows as they are, converted per column below: SQLAlchemy's per-value
        # processing and pandas probing Row objects one by one cost seconds at 20,000 rows.
        rows = result.cursor.fetchall()
        result.close()
        frame = pd.DataFrame.from_records(rows, columns=keys)[columns + AUDIT_COLUMNS]
        frames[name] = _typed(frame, model, date_columns)
    return frames


def plaatsingen_met_ingetrokken(source: Session | Engine | Connection,
                                as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Every plaatsing known at ``as_of``, withdrawn ones included, as ``Facts.plaatsingen``
    plus ``ingetrokken`` (the reason, None for a plaatsing in force). For what refers to a
    withdrawn plaatsing after the fact: the payment lines that take its money back, the
    letter that withdraws it."""
    if isinstance(source, Engine):
        with source.connect() as connection:
            return plaatsingen_met_ingetrokken(connection, as_of)
    connection = source.connection() if isinstance(source, Session) else source
    result = connection.execute(current_versions(Plaatsing, as_of, ingetrokken=True))
    keys = list(result.keys())
    rows = result.cursor.fetchall()
    result.close()
    frame = pd.DataFrame.from_records(rows, columns=keys)
    ingetrokken = frame["ingetrokken"].tolist()
    frame = _typed(frame[PLAATSING_FACT_COLUMNS + AUDIT_COLUMNS], Plaatsing, ["startdatum", "einddatum"])
    frame["ingetrokken"] = pd.Series(ingetrokken, index=frame.index, dtype=object)
    return frame


def _typed(frame: pd.DataFrame, model, date_columns: list[str]) -> pd.DataFrame:
    """Raw driver values (SQLite: text dates, floats; PostgreSQL: date, Decimal) to the
    Facts types: datetime64 dates, Decimal hours and percentages, UTC recorded_at."""
    frame = frame.astype({c: object for c in frame.columns if c not in date_columns})
    for column in date_columns:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[s]")
    for column in model.__table__.columns:
        if isinstance(column.type, Numeric) and column.name in frame:
            quantum = Decimal(1).scaleb(-column.type.scale)
            frame[column.name] = [_decimal(v, quantum) for v in frame[column.name]]
    frame["import_id"] = frame["import_id"].astype("int64")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601")
    return frame


def _decimal(value, quantum: Decimal) -> Decimal:
    # SQLite stores NUMERIC as a double; its shortest repr gives back the decimal written,
    # which has no more decimals than the column's scale (the importer refuses more)
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(quantum)


def to_calc_input(facts: Facts) -> CalcInput:
    """The core's input (``lks.calc.model``): plaatsingen with the werknemer's
    geboortedatum, hours and loonwaarde in integer hundredths, dates as datetime64."""
    geboorte = facts.werknemers[["werknemer_id", "geboortedatum"]]
    plaatsingen = facts.plaatsingen.merge(geboorte, on="werknemer_id", how="left",
                                          validate="many_to_one")
    missing = plaatsingen["geboortedatum"].isna()
    if missing.any():
        row = plaatsingen[missing].iloc[0]
        raise FactsFout(f"plaatsing {row['plaatsing_id']}: werknemer {row['werknemer_id']} "
                        "is niet bekend")
    plaatsingen = _hundredths(plaatsingen, ["contracturen", "voltijdsuren"])
    loonwaarden = _hundredths(facts.loonwaarden, ["loonwaarde"])
    uren = _hundredths(facts.urenwijzigingen, ["contracturen", "voltijdsuren"])
    verloond = _hundredths(facts.verloonde_uren, ["uren"])
    return CalcInput(
        plaatsingen=plaatsingen[PLAATSING_COLUMNS + [URENBASIS_COLUMN]].sort_values("plaatsing_id", kind="stable")
        .reset_index(drop=True),
        loonwaarden=loonwaarden[LOONWAARDE_COLUMNS].reset_index(drop=True),
        urenwijzigingen=uren[UREN_COLUMNS].reset_index(drop=True),
        verloonde_uren=verloond[VERLOONDE_UREN_COLUMNS].reset_index(drop=True),
    )


def _hundredths(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = np.fromiter((_to_hundredths(v, column) for v in frame[column]),
                                    dtype=np.int64, count=len(frame))
    return frame


def _to_hundredths(value, column: str) -> int:
    """Exact: 32.5 -> 3250; a value with more than two decimals is an error, not rounded."""
    number = value if isinstance(value, (Decimal, int)) else Decimal(str(value))
    scaled = Decimal(number) * 100
    if scaled != scaled.to_integral_value():
        raise FactsFout(f"{column} {value} heeft meer dan 2 decimalen")
    return int(scaled)
