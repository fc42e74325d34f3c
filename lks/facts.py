"""The facts as known at a moment: one current version per natural key.

"As known at T" is the bitemporal question every correction and audit asks: for each natural
key, the row with the greatest ``recorded_at <= T`` (``as_of=None``: the newest). The query
is a join on a grouped ``max(recorded_at)``, plain SQL that SQLite and PostgreSQL both plan
on the (natural key, recorded_at) indexes.

``to_calc_input`` converts to the calculation core's units (``lks.calc.model``): hours and
loonwaarde to integer hundredths, dates to datetime64. The conversion is exact and refuses
a value that is not a whole number of hundredths instead of rounding it.

``load_calc_input`` reads the core's input directly: one query per table, only the columns
the calculation uses, converted per column (no Python step per row). SQLite returns NUMERIC
as a binary float: such a value becomes integer hundredths only when it is exactly the
double nearest to that number of hundredths (it round-trips), so a stored 32.125 is refused,
never rounded, and no float reaches an amount.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Numeric, Select, select
from sqlalchemy.orm import Session, aliased

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


def current_versions(model, as_of: dt.datetime | None = None, *, ingetrokken: bool = False,
                     columns: list[str] | None = None) -> Select:
    """SELECT of the current version per natural key of ``model`` as known at ``as_of``
    (every column but the surrogate id, or the ``columns`` named).

    A key whose current version withdraws it (``ingetrokken``, interfaces §2: imported by
    mistake) counts as never having been true and is left out, unless ``ingetrokken`` asks
    for it (to tell "already withdrawn" from "does not exist"). As known before the
    withdrawal, the key is there as it was."""
    # "no later version": one pass over the (natural key, recorded_at) index on SQLite (a
    # grouped max joined back materialises the keys first and took twice as long), an anti
    # join on PostgreSQL
    later = aliased(model)
    newer = select(later.id).where(*(getattr(later, name) == getattr(model, name) for name in model.NATURAL_KEY),
                                   later.recorded_at > model.recorded_at)
    if as_of is not None:
        newer = newer.where(later.recorded_at <= as_of)
    key = [getattr(model, name) for name in model.NATURAL_KEY]
    selected = ([model.__table__.columns[name] for name in columns] if columns is not None
                else [column for column in model.__table__.columns if column.name != "id"])
    query = select(*selected).where(~newer.exists())
    if as_of is not None:
        query = query.where(model.recorded_at <= as_of)
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


# what the calculation reads of each fact table (lks.calc.model), natural key first
CALC_TABLES = {
    "werknemers": (Werknemer, ["werknemer_id", "geboortedatum"]),
    "plaatsingen": (Plaatsing, ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum",
                                "einddatum", "contracturen", "voltijdsuren", "urenbasis"]),
    "loonwaarden": (Loonwaarde, LOONWAARDE_COLUMNS),
    "urenwijzigingen": (Urenwijziging, UREN_COLUMNS),
    "verloonde_uren": (VerloondeUren, VERLOONDE_UREN_COLUMNS),
}


def load_calc_input(source: Session | Engine | Connection, as_of: dt.datetime | None = None) -> CalcInput:
    """The calculation core's input as known at ``as_of`` (None: the newest), read straight
    into its units: the same as ``load_facts(source, as_of).to_calc_input()``, without the
    columns the calculation does not use and without a Python step per row."""
    if isinstance(source, Engine):
        with source.connect() as connection:
            return load_calc_input(connection, as_of)
    connection = source.connection() if isinstance(source, Session) else source
    frames = {}
    for name, (model, columns) in CALC_TABLES.items():
        result = connection.execute(current_versions(model, as_of, columns=columns))
        rows = result.cursor.fetchall()  # the driver's values, converted per column below
        result.close()
        frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
        for column in columns:
            if column in ("geboortedatum", "startdatum", "einddatum", "ingangsdatum"):
                frame[column] = _dates(frame[column])
            elif isinstance(model.__table__.columns[column].type, Numeric):
                frame[column] = hundredths(frame[column].to_numpy(), column, _sleutels(frame))
        frames[name] = frame
    plaatsingen = _met_geboortedatum(frames["plaatsingen"], frames["werknemers"])
    return CalcInput(
        plaatsingen=plaatsingen[PLAATSING_COLUMNS + [URENBASIS_COLUMN]],
        loonwaarden=frames["loonwaarden"],
        urenwijzigingen=frames["urenwijzigingen"],
        verloonde_uren=frames["verloonde_uren"],
    )


def _dates(column: pd.Series) -> pd.Series:
    """Driver dates (SQLite: ISO text; PostgreSQL: date) as datetime64; NULL as NaT."""
    return pd.to_datetime(column, format="ISO8601").astype("datetime64[s]")


def _met_geboortedatum(plaatsingen: pd.DataFrame, werknemers: pd.DataFrame) -> pd.DataFrame:
    """Each plaatsing with its werknemer's geboortedatum; a werknemer that is not known is an
    error naming the plaatsing. Sorted by plaatsing_id, as the core takes them."""
    plaatsingen = plaatsingen.merge(werknemers[["werknemer_id", "geboortedatum"]], on="werknemer_id",
                                    how="left", validate="many_to_one")
    missing = plaatsingen["geboortedatum"].isna()
    if missing.any():
        row = plaatsingen[missing].iloc[0]
        raise FactsFout(f"plaatsing {row['plaatsing_id']}: werknemer {row['werknemer_id']} "
                        "is niet bekend")
    return plaatsingen.sort_values("plaatsing_id", kind="stable").reset_index(drop=True)


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
            # every NUMERIC column of the facts has scale 2: exact hundredths, then Decimal
            honderdsten = hundredths(frame[column.name].to_numpy(), column.name, _sleutels(frame))
            frame[column.name] = pd.Series([Decimal(h).scaleb(-2) for h in honderdsten.tolist()],
                                           index=frame.index, dtype=object)
    frame["import_id"] = frame["import_id"].astype("int64")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601")
    return frame


def _sleutels(frame: pd.DataFrame) -> pd.Series | None:
    return frame["plaatsing_id"] if "plaatsing_id" in frame else None


def to_calc_input(facts: Facts) -> CalcInput:
    """The core's input (``lks.calc.model``): plaatsingen with the werknemer's
    geboortedatum, hours and loonwaarde in integer hundredths, dates as datetime64."""
    plaatsingen = _met_geboortedatum(facts.plaatsingen, facts.werknemers)
    plaatsingen = _hundredths(plaatsingen, ["contracturen", "voltijdsuren"])
    loonwaarden = _hundredths(facts.loonwaarden, ["loonwaarde"])
    uren = _hundredths(facts.urenwijzigingen, ["contracturen", "voltijdsuren"])
    verloond = _hundredths(facts.verloonde_uren, ["uren"])
    return CalcInput(
        plaatsingen=plaatsingen[PLAATSING_COLUMNS + [URENBASIS_COLUMN]],
        loonwaarden=loonwaarden[LOONWAARDE_COLUMNS].reset_index(drop=True),
        urenwijzigingen=uren[UREN_COLUMNS].reset_index(drop=True),
        verloonde_uren=verloond[VERLOONDE_UREN_COLUMNS].reset_index(drop=True),
    )


def _hundredths(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = hundredths(frame[column].to_numpy(), column, _sleutels(frame))
    return frame


_FLOAT_EXACT = 1e12  # below this a double tells every two hundredths apart (ulp < 0.005)


def hundredths(values: np.ndarray, column: str, plaatsingen: pd.Series | None = None) -> np.ndarray:
    """Exact integer hundredths of a column of hours or percentages, per column, not per
    value: 32.5 -> 3250. Decimals (PostgreSQL, Facts) and ints are scaled exactly; binary
    floats (SQLite's NUMERIC) are accepted only where the double is exactly the one nearest to
    its number of hundredths (h / 100 == value, which for these magnitudes is the same as
    "its shortest decimal has at most 2 decimals"). A value with more than 2 decimals, or
    none at all, is refused (FactsFout naming the plaatsing, column and value), not rounded."""
    values = np.asarray(values)
    if values.dtype.kind in "iub":
        return values.astype(np.int64) * 100
    if values.dtype.kind == "O" and len(values):
        soorten = set(map(type, values))
        if soorten <= {int, float}:
            values = values.astype(np.float64)
        elif soorten <= {int, Decimal}:
            scaled = values * 100  # exact: Decimal and int arithmetic, element by element in C
            whole = scaled.astype(np.int64)  # int() of each: truncates, checked next
            exact = np.asarray(scaled == whole.astype(object), dtype=bool)
            if not exact.all():
                _weiger(values, ~exact, column, plaatsingen)
            return whole
        else:  # anything else (text, None): value by value, with the reason
            return np.array([_to_hundredths(v, column, plaatsingen, i) for i, v in enumerate(values)],
                            dtype=np.int64)
    if values.dtype.kind == "O":  # empty
        return np.empty(0, dtype=np.int64)
    floats = values.astype(np.float64)
    with np.errstate(invalid="ignore"):
        scaled = np.rint(floats * 100)
        exact = np.isfinite(floats) & (np.abs(floats) < _FLOAT_EXACT) & (scaled / 100 == floats)
    if not exact.all():
        _weiger(values, ~exact, column, plaatsingen)
    return scaled.astype(np.int64)


def _weiger(values: np.ndarray, bad: np.ndarray, column: str, plaatsingen: pd.Series | None):
    i = int(np.flatnonzero(bad)[0])
    _to_hundredths(values[i], column, plaatsingen, i)  # raises with the reason
    raise FactsFout(f"{_wie(plaatsingen, i)}{column} {values[i]} is buiten het bereik")


def _wie(plaatsingen: pd.Series | None, i: int) -> str:
    return f"plaatsing {plaatsingen.iloc[i]}: " if plaatsingen is not None else ""


def _to_hundredths(value, column: str, plaatsingen: pd.Series | None = None, i: int = 0) -> int:
    """Exact: 32.5 -> 3250; a value with more than two decimals is an error, not rounded."""
    try:
        if isinstance(value, float):  # SQLite's double: its shortest repr is the decimal written
            number = Decimal(repr(float(value)))
        else:
            number = value if isinstance(value, (Decimal, int)) else Decimal(str(value))
        scaled = Decimal(number) * 100
        if not scaled.is_finite():
            raise ValueError(value)
        integral = scaled == scaled.to_integral_value()
    except (ArithmeticError, ValueError, TypeError):
        raise FactsFout(f"{_wie(plaatsingen, i)}{column} {value!r} is geen getal") from None
    if not integral:
        raise FactsFout(f"{_wie(plaatsingen, i)}{column} {value} heeft meer dan 2 decimalen")
    return int(scaled)
