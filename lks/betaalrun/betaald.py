"""What approved runs paid per plaatsing-month so far: the ``betaald_totaal`` table.

A betaalrun pays, per plaatsing-month, the difference between what the calculation says now
and everything paid before (rekenregels §4). Summing every line ever paid grows with the
length of history; this table holds the sums, one row per plaatsing-month:

- ``bijwerken`` adds an approved run's lines to it, inside the approval's transaction (one
  INSERT … SELECT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike): a crash before the
  commit leaves neither the approval nor the totals, after it both;
- ``lezen`` is what ``berekenen`` reads (PostgreSQL: one COPY, parsed by pandas);
- ``uit_regels`` rebuilds the table from the lines, and ``afwijkingen`` compares the two:
  the reconciliation identity I9 and the tests.

werkgever, regeling and budget are those of the latest line (the highest id: lines of a run
are written at its calculation, and a run approved later was calculated after every earlier
approval, or its approval is refused). They are used only for a plaatsing-month that is no
longer calculated, whose whole amount the next run takes back.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session, aliased

from lks.betaalrun.delta import TOTAL_COLUMNS
from lks.db.models_betaalrun import BETAALD, Betaalregel, Betaalrun, BetaaldTotaal

AMOUNTS = ("lks_basis", "werkgeverslasten", "bedrag")
TEXTS = ("werkgever_id", "regeling", "budget")
COLUMNS = ("plaatsing_id", "periode", *TEXTS, *AMOUNTS, "betaalrun_id")

BIJWERKEN = f"""
INSERT INTO betaald_totaal ({', '.join(COLUMNS)})
SELECT {', '.join(COLUMNS)} FROM betaalregel WHERE betaalrun_id = :run
ON CONFLICT (plaatsing_id, periode) DO UPDATE SET
  {', '.join(f'{c} = betaald_totaal.{c} + excluded.{c}' for c in AMOUNTS)},
  {', '.join(f'{c} = excluded.{c}' for c in (*TEXTS, 'betaalrun_id'))}
"""


def bijwerken(session: Session, run_id: int) -> None:
    """Add the lines of run ``run_id``, just approved, to the totals (in the caller's
    transaction, after the run's status became goedgekeurd: the database checks that)."""
    session.execute(text(BIJWERKEN), {"run": run_id})


def lezen(session: Session, van: str | None = None, *, teksten: bool = True) -> pd.DataFrame:
    """The totals of the plaatsing-months from ``van`` on (TOTAL_COLUMNS), each plaatsing's
    months together. Text columns come as object arrays, the few distinct months, regelingen
    and budgets as categoricals; amounts int64. ``teksten=False`` may leave out werkgever,
    regeling and budget (PostgreSQL does: a run needs them only for the few plaatsing-months
    it takes back, ``teksten_van`` reads those)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not teksten:
        return _lezen_gepakt(connection, van)
    query = select(*(getattr(BetaaldTotaal, c) for c in TOTAL_COLUMNS))
    if van is not None:
        query = query.where(BetaaldTotaal.periode >= van)
    result = connection.execute(query.order_by(BetaaldTotaal.plaatsing_id, BetaaldTotaal.periode))
    rows = result.cursor.fetchall()  # plain tuples: no SQLAlchemy step per row
    result.close()
    frame = pd.DataFrame.from_records(rows, columns=TOTAL_COLUMNS)
    return _typed(frame)


# PostgreSQL: one row per plaatsing whose bytes hold its months (int4, the month number) and
# amounts (int8), big-endian as int4send/int8send write them. A million plaatsing-months
# fetched as rows cost ~1 µs each in the driver, parsed one by one; as 50,000 byte strings
# numpy reads them at once, and PostgreSQL can aggregate in parallel workers.
_GEPAKT = np.dtype([("maand", ">i4"), *((c, ">i8") for c in AMOUNTS)])
GEPAKT_SQL = f"""
SELECT plaatsing_id, string_agg(int4send(CAST(left(periode, 4) AS integer) * 12 + CAST(right(periode, 2) AS integer) - 1)
                                {''.join(f' || int8send({c})' for c in AMOUNTS)}, ''::bytea)
FROM betaald_totaal WHERE periode >= %s GROUP BY plaatsing_id
"""


def _lezen_gepakt(connection: Connection, van: str | None) -> pd.DataFrame:
    with connection.connection.dbapi_connection.cursor(binary=True) as cursor:
        cursor.execute(GEPAKT_SQL, (van or "",))
        rows = cursor.fetchall()
    ids = np.array([r[0] for r in rows], dtype=object)
    blobs = [bytes(r[1]) for r in rows]
    aantal = np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs)) // _GEPAKT.itemsize
    data = np.frombuffer(b"".join(blobs), dtype=_GEPAKT)
    maand = data["maand"].astype(np.int64)
    codes, maanden = pd.factorize(maand, sort=True)
    teksten = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in maanden.tolist()]
    frame = pd.DataFrame({
        "plaatsing_id": np.repeat(ids, aantal),
        "periode": pd.Categorical.from_codes(codes, categories=teksten),
        **{c: data[c].astype(np.int64) for c in AMOUNTS},
    })
    return frame


def teksten_van(session: Session, keys: pd.DataFrame) -> pd.DataFrame:
    """werkgever_id, regeling and budget of the plaatsing-months ``keys`` (plaatsing_id,
    periode), as stored."""
    if not len(keys):
        return pd.DataFrame(columns=["plaatsing_id", "periode", *TEXTS])
    connection = session.connection()
    p, m = keys["plaatsing_id"].astype(str).tolist(), keys["periode"].astype(str).tolist()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT t.plaatsing_id, t.periode, t.werkgever_id, t.regeling, t.budget FROM betaald_totaal t "
            "JOIN unnest(CAST(:p AS text[]), CAST(:m AS text[])) AS k(plaatsing_id, periode) "
            "ON t.plaatsing_id = k.plaatsing_id AND t.periode = k.periode"), {"p": p, "m": m}).all()
    else:
        wanted, plaatsingen, rows = set(zip(p, m)), sorted(set(p)), []
        for i in range(0, len(plaatsingen), 500):  # within every SQLite's limit of parameters
            rows += [r for r in connection.execute(
                select(BetaaldTotaal.plaatsing_id, BetaaldTotaal.periode, *(getattr(BetaaldTotaal, c) for c in TEXTS))
                .where(BetaaldTotaal.plaatsing_id.in_(plaatsingen[i:i + 500]))).all() if (r[0], r[1]) in wanted]
    return pd.DataFrame.from_records(rows, columns=["plaatsing_id", "periode", *TEXTS])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("plaatsing_id", "werkgever_id"):
        frame[column] = frame[column].astype(object)
    for column in ("periode", "regeling", "budget"):
        if not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object).astype("category")
    for column in AMOUNTS:
        frame[column] = frame[column].astype("int64")
    return frame.reset_index(drop=True)


def uit_regels(connection: Connection) -> pd.DataFrame:
    """What the table must hold, rebuilt from the lines of the approved runs: per
    plaatsing-month the sums, and the texts and run of the latest line (COLUMNS)."""
    paid = (select(Betaalregel.plaatsing_id, Betaalregel.periode,
                   *(func.sum(getattr(Betaalregel, c)).label(c) for c in AMOUNTS),
                   func.max(Betaalregel.id).label("laatste"))
            .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
            .where(Betaalrun.status.in_(BETAALD))
            .group_by(Betaalregel.plaatsing_id, Betaalregel.periode).subquery())
    last = aliased(Betaalregel)
    rows = connection.execute(
        select(paid.c.plaatsing_id, paid.c.periode, *(getattr(last, c) for c in TEXTS),
               *(paid.c[c] for c in AMOUNTS), last.betaalrun_id)
        .join(last, last.id == paid.c.laatste)
        .order_by(paid.c.plaatsing_id, paid.c.periode)).all()
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype({c: "int64" for c in (*AMOUNTS, "betaalrun_id")})


def opgeslagen(connection: Connection) -> pd.DataFrame:
    """The table as it is (COLUMNS), ordered by plaatsing and month."""
    rows = connection.execute(select(*(getattr(BetaaldTotaal, c) for c in COLUMNS))
                              .order_by(BetaaldTotaal.plaatsing_id, BetaaldTotaal.periode)).all()
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype({c: "int64" for c in (*AMOUNTS, "betaalrun_id")})


def afwijkingen(connection: Connection) -> tuple[int, list[str]]:
    """(plaatsing-months compared, every difference between the table and its rebuild from
    the lines, in Dutch)."""
    key = ["plaatsing_id", "periode"]
    stored = opgeslagen(connection).set_index(key)
    rebuilt = uit_regels(connection).set_index(key)
    found = []
    for p, m in stored.index.difference(rebuilt.index):
        found.append(f"plaatsing {p} {m}: betaald totaal {_euro(stored.loc[(p, m), 'bedrag'])} zonder "
                     "betaalregels van een goedgekeurde run")
    for p, m in rebuilt.index.difference(stored.index):
        found.append(f"plaatsing {p} {m}: betaalregels {_euro(rebuilt.loc[(p, m), 'bedrag'])}, "
                     "geen betaald totaal")
    both = stored.index.intersection(rebuilt.index)
    s, r = stored.loc[both], rebuilt.loc[both]
    verschil = (s != r).any(axis=1)
    for (p, m) in both[verschil.to_numpy()]:
        a, b = s.loc[(p, m)], r.loc[(p, m)]
        kolommen = [c for c in COLUMNS[2:] if a[c] != b[c]]
        found.append(f"plaatsing {p} {m}: betaald totaal wijkt af van de betaalregels in "
                     + ", ".join(f"{c} ({_waarde(c, a[c])} ≠ {_waarde(c, b[c])})" for c in kolommen))
    return len(stored.index.union(rebuilt.index)), found


def _euro(cents) -> str:
    from lks.nl import euro
    return euro(int(cents))


def _waarde(column: str, value) -> str:
    return _euro(value) if column in AMOUNTS else str(value)
