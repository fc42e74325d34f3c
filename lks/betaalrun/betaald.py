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

import io

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


def lezen(session: Session, van: str | None = None) -> pd.DataFrame:
    """The totals of the plaatsing-months from ``van`` on (TOTAL_COLUMNS), ordered by
    plaatsing and month. Text columns come as object arrays, the few distinct months,
    regelingen and budgets as categoricals; amounts int64."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _lezen_copy(connection, van)
    query = select(*(getattr(BetaaldTotaal, c) for c in TOTAL_COLUMNS))
    if van is not None:
        query = query.where(BetaaldTotaal.periode >= van)
    result = connection.execute(query.order_by(BetaaldTotaal.plaatsing_id, BetaaldTotaal.periode))
    rows = result.cursor.fetchall()  # plain tuples: no SQLAlchemy step per row
    result.close()
    frame = pd.DataFrame.from_records(rows, columns=TOTAL_COLUMNS)
    return _typed(frame)


def _lezen_copy(connection: Connection, van: str | None) -> pd.DataFrame:
    """PostgreSQL: ``COPY (SELECT …) TO STDOUT`` as CSV, parsed by pandas' C reader — a
    million rows in about a second, where fetching them as Python rows took several."""
    from psycopg import sql

    query = sql.SQL("SELECT {} FROM betaald_totaal {} ORDER BY plaatsing_id, periode").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in TOTAL_COLUMNS),
        sql.SQL("WHERE periode >= {}").format(sql.Literal(van)) if van is not None else sql.SQL(""))
    buffer = io.BytesIO()
    with connection.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(query)) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return _typed(pd.DataFrame(columns=TOTAL_COLUMNS))
    frame = pd.read_csv(buffer, names=TOTAL_COLUMNS, header=None, na_filter=False, keep_default_na=False,
                        dtype={**{c: object for c in ("plaatsing_id", "werkgever_id")},
                               **{c: "category" for c in ("periode", "regeling", "budget")},
                               **{c: "int64" for c in AMOUNTS}})
    return _typed(frame)


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
