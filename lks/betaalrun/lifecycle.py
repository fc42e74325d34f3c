"""The betaalrun's lifecycle: aangevraagd → berekend → goedgekeurd → bestand_aangemaakt →
verzonden, plus geannuleerd before approval.

Every transition is one conditional UPDATE (``WHERE status = …``) in one transaction with its
audit record, so a double click, a retried job or a second process changes nothing twice:
the loser's UPDATE matches no row and it gets a clear message. Functions take the acting
user and ``now`` explicitly; the CLI passes the clock, the scheduler and tests their own.

Every step that writes runs in one *serialised* transaction (``_schrijfsessie``): on SQLite
``BEGIN IMMEDIATE`` (the database's write lock from the first statement), on PostgreSQL a
``SHARE ROW EXCLUSIVE`` lock on the betaalrun table (self-conflicting, readers continue). So
two processes never interleave a calculation's delete and insert of lines, and an approval
checks "no other run approved since the calculation" against a state nobody can change under
it. A step that cannot get the lock in time gets a Dutch message, never a traceback.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from lks.betaalrun import betaald
from lks.betaalrun.delta import LINE_COLUMNS, payment_lines_against_totals, verreken
from lks.calc import calculate
from lks.db.models_verantwoording import Ontvangst
from lks.db.models_betaalrun import (BETAALD, Aanhouding, Aflossing, AuditLog, Betaalregel, Betaalrun,
                                     Betaling, Vordering)
from lks.db.engine import WRITE_OPTION
from lks.facts import load_calc_input
from lks.faults import crash_point
from lks.nl import is_maand
from lks.parameters import Parameters
from lks.rekeningen import wachtend as rekening_wacht
from lks.settings import Settings

PERIODE_FORMAT = "%Y-%m"


class BetaalrunFout(ValueError):
    """A transition that is not allowed (message in Dutch, for the user)."""


class VierOgenFout(BetaalrunFout):
    """An approval by the user who calculated the run: refused, whatever their roles."""


BEZET = ("de database is bezet met een andere betaalrunstap of import en kwam niet op tijd vrij; "
         "probeer het over enkele ogenblikken opnieuw (er is niets gewijzigd)")


@contextmanager
def _schrijfsessie(engine: Engine) -> Iterator[Session]:
    """A session whose transactions hold the betaalrun write lock from their first statement
    (see the module docstring). Lock waits that time out become :class:`BetaalrunFout`."""
    with Session(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("LOCK TABLE betaalrun IN SHARE ROW EXCLUSIVE MODE"))
        yield session


def _bezet_als_fout(function):
    """Turn 'database is locked' (SQLite after its busy timeout), a deadlock or a lock
    timeout (PostgreSQL) into the Dutch message; the transaction was rolled back."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationalError as exc:
            reden = str(exc.orig if exc.orig is not None else exc).lower()
            if any(k in reden for k in ("database is locked", "deadlock", "lock timeout",
                                        "could not serialize", "canceling statement")):
                raise BetaalrunFout(BEZET) from None
            raise
    return wrapper


def parse_periode(text: str) -> str:
    """A periode written JJJJ-MM exactly: '2025-7' is refused, not read as July."""
    if not is_maand(text):
        raise BetaalrunFout(f"periode '{text}' is geen geldige maand (JJJJ-MM)")
    return text


def _audit(session: Session, run_id: int | None, gebruiker: str, actie: str, now: dt.datetime,
           van: str | None, naar: str | None, client_adres: str | None = None, **details) -> None:
    session.add(AuditLog(moment=now, gebruiker=gebruiker, actie=actie, betaalrun_id=run_id,
                         van_status=van, naar_status=naar, client_adres=client_adres,
                         details=json.dumps(details, sort_keys=True, default=str)))


def _transition(session: Session, run: Betaalrun, allowed: tuple[str, ...], new: str,
                values: dict, extra_where=()) -> None:
    """Conditional state change: succeeds only if the run is still in an allowed state."""
    result = session.execute(
        update(Betaalrun)
        .where(Betaalrun.id == run.id, Betaalrun.status.in_(allowed), *extra_where)
        .values(status=new, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        current = session.get(Betaalrun, run.id)
        session.refresh(current)
        raise BetaalrunFout(f"betaalrun {current.kenmerk} is '{current.status}'; "
                            f"deze stap kan alleen vanuit {' of '.join(allowed)}")
    session.flush()


def get_run(session: Session, periode: str, volgnummer: int | None = None) -> Betaalrun:
    """The run of a periode: the given volgnummer, else the newest that is not geannuleerd."""
    query = select(Betaalrun).where(Betaalrun.periode == periode)
    if volgnummer is not None:
        query = query.where(Betaalrun.volgnummer == volgnummer)
    else:
        query = query.where(Betaalrun.status != "geannuleerd")
    run = session.scalars(query.order_by(Betaalrun.volgnummer.desc())).first()
    if run is None:
        raise BetaalrunFout(f"geen betaalrun voor periode {periode}"
                            + (f" met volgnummer {volgnummer}" if volgnummer else ""))
    return run


@_bezet_als_fout
def aanvragen(engine: Engine, periode: str, gebruiker: str, now: dt.datetime,
              client_adres: str | None = None) -> tuple[Betaalrun, bool]:
    """Request the run for ``periode``; asking again returns the same run (created=False).
    A new volgnummer is only made when every earlier run of the periode is geannuleerd;
    corrections after a paid run go into the next periode's run."""
    periode = parse_periode(periode)
    for _attempt in range(3):
        with _schrijfsessie(engine) as session:
            existing = session.scalars(
                select(Betaalrun).where(Betaalrun.periode == periode,
                                        Betaalrun.status != "geannuleerd")).first()
            if existing is not None:
                return existing, False
            volgnummer = (session.scalar(select(func.max(Betaalrun.volgnummer))
                                         .where(Betaalrun.periode == periode)) or 0) + 1
            run = Betaalrun(periode=periode, volgnummer=volgnummer, status="aangevraagd",
                            aangevraagd_door=gebruiker, aangevraagd_op=now)
            session.add(run)
            try:
                session.flush()
                _audit(session, run.id, gebruiker, "aanvragen", now, None, "aangevraagd", client_adres,
                       periode=periode, volgnummer=volgnummer)
                session.commit()
                return run, True
            except IntegrityError:
                session.rollback()  # another process made it first: read theirs
    raise BetaalrunFout(f"betaalrun {periode} kon niet worden aangemaakt (gelijktijdige aanvragen)")


def _months_back(periode: str, months: int) -> str:
    p = pd.Period(periode, freq="M") - months
    return str(p)


def vorderingen_met_saldo(session: Session) -> pd.DataFrame:
    """Every vordering of an approved run with ``bedrag`` and what is still ``open``: minus
    its aflossingen in approved runs and minus what the werkgever paid back against it
    (ontvangst), oldest first. One query, whatever the number of vorderingen."""
    approved = select(Betaalrun.id).where(Betaalrun.status.in_(BETAALD))
    afgelost = (select(Aflossing.vordering_id, func.sum(Aflossing.bedrag).label("af"))
                .where(Aflossing.betaalrun_id.in_(approved)).group_by(Aflossing.vordering_id).subquery())
    ontvangen = (select(Ontvangst.vordering_id, func.sum(Ontvangst.bedrag_cent).label("terug"))
                 .where(Ontvangst.vordering_id.is_not(None)).group_by(Ontvangst.vordering_id).subquery())
    rows = session.execute(
        select(Vordering.id, Vordering.werkgever_id, Vordering.budget, Vordering.bedrag,
               (Vordering.bedrag - func.coalesce(afgelost.c.af, 0)
                - func.coalesce(ontvangen.c.terug, 0)).label("open"))
        .outerjoin(afgelost, afgelost.c.vordering_id == Vordering.id)
        .outerjoin(ontvangen, ontvangen.c.vordering_id == Vordering.id)
        .where(Vordering.betaalrun_id.in_(approved))
        .order_by(Vordering.id)).all()
    return pd.DataFrame(rows, columns=["vordering_id", "werkgever_id", "budget", "bedrag", "open"])


def _open_vorderingen(session: Session) -> pd.DataFrame:
    """The vorderingen still open, as the verrekening takes them (oldest first)."""
    frame = vorderingen_met_saldo(session)
    return frame.loc[frame["open"] > 0, ["vordering_id", "werkgever_id", "budget", "open"]].reset_index(drop=True)


@_bezet_als_fout
def berekenen(engine: Engine, periode: str, gebruiker: str, now: dt.datetime,
              params: Parameters, settings: Settings, volgnummer: int | None = None,
              client_adres: str | None = None) -> dict:
    """(Re)calculate the run: every plaatsing-month from the retro limit up to the periode
    with what is known at ``now``, minus what approved runs already paid. Allowed until
    approval; earlier lines of this run are replaced, never those of an approved run."""
    periode = parse_periode(periode)
    with _schrijfsessie(engine) as session:
        run = get_run(session, periode, volgnummer)
        if run.status not in ("aangevraagd", "berekend"):
            raise BetaalrunFout(f"betaalrun {run.kenmerk} is '{run.status}': herberekenen kan alleen "
                                "voor goedkeuring")
        van = _months_back(periode, settings.betaalrun.retro_jaren * 12 - 1)
        if settings.betaalrun.eerste_periode and settings.betaalrun.eerste_periode > van:
            van = settings.betaalrun.eerste_periode
        calc_input = load_calc_input(session, as_of=now)
        if van <= periode and len(calc_input.plaatsingen):
            result = calculate(calc_input, van, periode, params, settings.policy())
            calculated = result.plaatsing_maanden
        else:  # nothing to calculate (no plaatsing at all, e.g. all withdrawn): due is 0 everywhere
            calculated = pd.DataFrame(columns=["plaatsing_id", "werkgever_id", "regeling", "budget",
                                               "periode", "lks_basis", "werkgeverslasten", "lks_totaal"])
        # what approved runs paid per plaatsing-month (this run is not approved: not in it)
        paid = betaald.lezen(session, van, teksten=False)
        lines = payment_lines_against_totals(calculated, paid, periode,
                                             teksten=lambda keys: betaald.teksten_van(session, keys))
        # a werkgever whose new bank account waits for approval is not paid (nor set off): its
        # lines stay out of the run, so the next run pays them as deltas (lks.rekeningen)
        lines, aangehouden = _houd_aan(lines, rekening_wacht(session.connection()))
        verrekening = verreken(lines, _open_vorderingen(session))
        basis = session.scalar(select(func.count()).select_from(Betaalrun)
                               .where(Betaalrun.status.in_(BETAALD)))
        van_status = run.status
        _transition(session, run, ("aangevraagd", "berekend"), "berekend", dict(
            berekend_door=gebruiker, berekend_op=now, feiten_per=now, basis_goedgekeurd=basis))
        for table in (Betaalregel, Betaling, Vordering, Aflossing, Aanhouding):
            session.execute(delete(table).where(table.betaalrun_id == run.id))
        crash_point("berekenen.na_verwijderen")
        if len(lines):
            half = len(lines) // 2
            for part in (lines.iloc[:half], lines.iloc[half:]):
                if len(part):
                    _write_lines(session, part, run.id)
                    crash_point("berekenen.halve_regels")
        # a national run has ~15,000 betalingen: written as the lines are (one ORM object each
        # cost seconds in the flush)
        betalingen = verrekening.betalingen
        _insert_rows(session, Betaling, pd.DataFrame({
            "betaalrun_id": run.id, "werkgever_id": betalingen["werkgever_id"], "budget": betalingen["budget"],
            "bruto": betalingen["bruto"], "verrekend": betalingen["verrekend"], "bedrag": betalingen["bedrag"],
            "end_to_end_id": pd.Series([_end_to_end_id(run, w, b) if bedrag > 0 else None for w, b, bedrag in zip(
                betalingen["werkgever_id"], betalingen["budget"], betalingen["bedrag"])], index=betalingen.index,
                dtype=object)}), ("betaalrun_id", "bruto", "verrekend", "bedrag"))
        rijen = {
            Vordering: [dict(betaalrun_id=run.id, werkgever_id=w, budget=b, periode=periode, bedrag=int(bedrag))
                        for w, b, bedrag in verrekening.nieuwe_vorderingen.itertuples(index=False)],
            Aflossing: [dict(vordering_id=int(vordering_id), betaalrun_id=run.id, bedrag=int(bedrag))
                        for vordering_id, bedrag in verrekening.aflossingen.itertuples(index=False)],
            Aanhouding: [dict(betaalrun_id=run.id, werkgever_id=w, budget=b, bedrag=int(bedrag), regels=int(regels))
                         for w, b, bedrag, regels in aangehouden.itertuples(index=False)],
        }
        for table, values in rijen.items():
            if values:
                session.execute(insert(table), values)
        summary = _summary(lines, verrekening, aangehouden)
        _audit(session, run.id, gebruiker, "berekenen", now, van_status, "berekend", client_adres,
               vanaf=van, tot=periode, **summary)
        session.flush()
        crash_point("berekenen.voor_commit")
        session.commit()
        return {"run": run, **summary}


LINE_TABLE_COLUMNS = ["betaalrun_id", *LINE_COLUMNS]


def _python_values(column: pd.Series) -> list:
    """Python ints and strs for the driver: ``tolist`` converts numpy scalars of numeric
    columns; an object column (the core's exact fallback) may still hold numpy integers."""
    values = column.tolist()
    if column.dtype == object:
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return values


def _write_lines(session: Session, lines: pd.DataFrame, run_id: int) -> None:
    """Insert payment lines in the session's transaction (a 50,000-plaatsing first run writes
    over a million lines; row-by-row ``executemany`` spent most of the run there)."""
    _insert_rows(session, Betaalregel, lines.assign(betaalrun_id=run_id)[LINE_TABLE_COLUMNS],
                 ("betaalrun_id", "lks_basis", "werkgeverslasten", "bedrag", "berekend_totaal"))


def _insert_rows(session: Session, table, frame: pd.DataFrame, integers: tuple[str, ...]) -> None:
    """Insert the rows of ``frame`` (its columns are ``table``'s) in the session's
    transaction. PostgreSQL: one ``COPY … FROM STDIN`` of text made from the columns.
    SQLite: ``executemany`` of plain tuples. Both go through the same constraints and
    triggers as any insert."""
    if not len(frame):
        return
    for column in integers:  # an amount is an integer, never a float, on either backend
        values = frame[column]
        if values.dtype.kind not in "iu" and not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values.tolist()):
            raise TypeError(f"{column} is geen geheel getal")
    columns = list(frame.columns)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table.__tablename__} ({', '.join(columns)}) FROM STDIN"
        dbapi_error = connection.dialect.loaded_dbapi.Error
        try:
            with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(_copy_text(frame, integers))
        except dbapi_error as error:
            # the driver's own error, wrapped as SQLAlchemy wraps every statement's (an
            # IntegrityError for a constraint or a guard): callers and the CLI's database
            # excepthook see one kind of error, whichever way the rows were written
            raise DBAPIError.instance(statement, None, error, dbapi_error, hide_parameters=True,
                                      dialect=connection.dialect) from error
    else:
        # numpy scalars → Python ints and strs: no driver ever sees a numpy type or a float
        rows = list(zip(*(_python_values(frame[c]) for c in columns)))
        session.execute(insert(table), [dict(zip(columns, row)) for row in rows])


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(frame: pd.DataFrame, integers: tuple[str, ...]) -> bytes:
    """The rows in PostgreSQL's COPY text format (tab-separated, backslash escapes, None as
    NULL), joined column by column in C (``str.join`` over ``zip``), not row by row; the
    ``integers`` columns as integers."""
    columns = []
    for column in frame.columns:
        values = frame[column].tolist()
        if column in integers:  # checked by _insert_rows
            columns.append(list(map(str, map(int, values))))
        else:
            missing = [v is None or (isinstance(v, float) and v != v) for v in values]  # None, NaN: NULL
            text = ["" if m else str(v) for v, m in zip(values, missing)]
            if any(c in "".join(text) for c in "\\\t\n\r"):
                text = [t.translate(_ESCAPES) for t in text]
            columns.append(["\\N" if m else t for t, m in zip(text, missing)])
    return "".join(f"{row}\n" for row in map("\t".join, zip(*columns))).encode("utf-8")


def _end_to_end_id(run: Betaalrun, werkgever_id: str, budget: str) -> str:
    """Deterministic, unique, ≤ 35 characters: derived from the run, never from the clock."""
    code = "B" if budget == "buig" else "R"
    return f"LKS-{run.periode.replace('-', '')}-{run.volgnummer}-{code}-{werkgever_id}"[:35]


def _houd_aan(lines: pd.DataFrame, werkgevers: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the lines of werkgevers whose payments are held: (lines to pay, held totals
    per werkgever and budget: werkgever_id, budget, bedrag, regels)."""
    if not werkgevers or not len(lines):
        return lines, pd.DataFrame(columns=["werkgever_id", "budget", "bedrag", "regels"])
    held = lines["werkgever_id"].isin(werkgevers)
    totals = (lines[held].groupby(["werkgever_id", "budget"], sort=True)
              .agg(bedrag=("bedrag", "sum"), regels=("bedrag", "size")).reset_index())
    return lines[~held].reset_index(drop=True), totals


def _summary(lines: pd.DataFrame, verrekening, aangehouden: pd.DataFrame | None = None) -> dict:
    betalingen = verrekening.betalingen
    per_budget = {b: int(betalingen.loc[betalingen["budget"] == b, "bedrag"].sum()) for b in ("buig", "reintegratie")}
    return {
        "regels": int(len(lines)),
        "correcties": int((lines["soort"] == "correctie").sum()) if len(lines) else 0,
        "plaatsingen": int(lines["plaatsing_id"].nunique()) if len(lines) else 0,
        "werkgevers": int((betalingen["bedrag"] > 0).sum()) if len(betalingen) else 0,
        "totaal_buig": per_budget["buig"],
        "totaal_reintegratie": per_budget["reintegratie"],
        "verrekend": int(betalingen["verrekend"].sum()) if len(betalingen) else 0,
        "nieuwe_vorderingen": int(verrekening.nieuwe_vorderingen["bedrag"].sum())
        if len(verrekening.nieuwe_vorderingen) else 0,
        "aangehouden": int(aangehouden["bedrag"].sum()) if aangehouden is not None and len(aangehouden) else 0,
        "aangehouden_werkgevers": int(aangehouden["werkgever_id"].nunique())
        if aangehouden is not None and len(aangehouden) else 0,
    }


def berekenaars(session: Session, run_id: int) -> set[str]:
    """Every user who calculated or recalculated the run (its ``berekenen`` audit records)."""
    return set(session.scalars(select(AuditLog.gebruiker).where(AuditLog.betaalrun_id == run_id,
                                                                AuditLog.actie == "berekenen")))


@_bezet_als_fout
def goedkeuren(engine: Engine, periode: str, gebruiker: str, now: dt.datetime,
               uitvoerdatum: dt.date, volgnummer: int | None = None,
               client_adres: str | None = None) -> Betaalrun:
    """Four-eyes approval: never by a user who calculated or recalculated the run (every
    calculation is in the append-only audit log; also a database trigger, migration 0016),
    only while no other run was approved since the calculation (else its deltas would be
    stale)."""
    with _schrijfsessie(engine) as session:
        run = get_run(session, parse_periode(periode), volgnummer)
        if run.status == "berekend" and gebruiker in berekenaars(session, run.id):
            raise VierOgenFout(f"vier-ogenprincipe: {gebruiker} heeft betaalrun {run.kenmerk} berekend "
                                "of herberekend en mag hem niet zelf goedkeuren")
        basis = session.scalar(select(func.count()).select_from(Betaalrun)
                               .where(Betaalrun.status.in_(BETAALD)))
        if run.status == "berekend" and basis != run.basis_goedgekeurd:
            raise BetaalrunFout(f"betaalrun {run.kenmerk} is berekend voordat een andere betaalrun werd "
                                "goedgekeurd; bereken hem opnieuw")
        _transition(session, run, ("berekend",), "goedgekeurd",
                    dict(goedgekeurd_door=gebruiker, goedgekeurd_op=now, uitvoerdatum=uitvoerdatum),
                    extra_where=(Betaalrun.berekend_door != gebruiker,))
        # the run's lines join what was paid per plaatsing-month, in this same transaction
        betaald.bijwerken(session, run.id)
        _audit(session, run.id, gebruiker, "goedkeuren", now, "berekend", "goedgekeurd", client_adres,
               uitvoerdatum=uitvoerdatum.isoformat())
        session.flush()
        crash_point("goedkeuren.voor_commit")
        session.commit()
        crash_point("goedkeuren.na_commit")
        session.refresh(run)
        return run


@_bezet_als_fout
def annuleren(engine: Engine, periode: str, gebruiker: str, now: dt.datetime,
              volgnummer: int | None = None, client_adres: str | None = None) -> Betaalrun:
    with _schrijfsessie(engine) as session:
        run = get_run(session, parse_periode(periode), volgnummer)
        van = run.status
        _transition(session, run, ("aangevraagd", "berekend"), "geannuleerd",
                    dict(geannuleerd_door=gebruiker, geannuleerd_op=now))
        _audit(session, run.id, gebruiker, "annuleren", now, van, "geannuleerd", client_adres)
        session.commit()
        session.refresh(run)
        return run


@_bezet_als_fout
def bestand_vastleggen(engine: Engine, run_id: int, gebruiker: str, now: dt.datetime,
                       naam: str | None, sha256: str | None, client_adres: str | None = None) -> None:
    """Record the written SEPA file. Regenerating must give the same bytes: a different hash
    for a run that already has a file is refused. ``naam`` and ``sha256`` None: the run pays
    nothing positive, its specificaties are made and no SEPA file is needed (``geen_betaalbestand``
    in the audit record); the run is then closed with :func:`verzonden` like any other."""
    with _schrijfsessie(engine) as session:
        run = session.get(Betaalrun, run_id)
        if run.status in ("bestand_aangemaakt", "verzonden"):
            if run.bestand_sha256 != sha256:
                vastgelegd = (f"sha256 {run.bestand_sha256[:12]}…" if run.bestand_sha256
                              else "vastgelegd zonder betaalbestand")
                raise BetaalrunFout(f"betaalrun {run.kenmerk}: opnieuw gemaakt bestand wijkt af van het "
                                    f"vastgelegde ({vastgelegd})")
            _audit(session, run.id, gebruiker, "bestand_opnieuw", now, run.status, run.status, client_adres,
                   **_bestand_details(naam, sha256))
            session.commit()
            return
        _transition(session, run, ("goedgekeurd",), "bestand_aangemaakt",
                    dict(bestand_naam=naam, bestand_sha256=sha256, bestand_op=now))
        _audit(session, run.id, gebruiker, "bestand", now, "goedgekeurd", "bestand_aangemaakt", client_adres,
               **_bestand_details(naam, sha256))
        session.commit()


def _bestand_details(naam: str | None, sha256: str | None) -> dict:
    return dict(sha256=sha256, naam=naam) if naam is not None else dict(geen_betaalbestand=True)


@_bezet_als_fout
def verzonden(engine: Engine, periode: str, gebruiker: str, now: dt.datetime,
              volgnummer: int | None = None, client_adres: str | None = None) -> Betaalrun:
    """Mark the file as sent to the bank; a second time is refused. A run without a SEPA
    file (nothing to pay, :func:`bestand_vastleggen`) is closed by the same step."""
    with _schrijfsessie(engine) as session:
        run = get_run(session, parse_periode(periode), volgnummer)
        if run.status == "verzonden":
            raise BetaalrunFout(f"betaalrun {run.kenmerk} is al als verzonden gemarkeerd op "
                                f"{run.verzonden_op:%Y-%m-%d %H:%M} door {run.verzonden_door}")
        _transition(session, run, ("bestand_aangemaakt",), "verzonden",
                    dict(verzonden_door=gebruiker, verzonden_op=now))
        _audit(session, run.id, gebruiker, "verzonden", now, "bestand_aangemaakt", "verzonden", client_adres,
               sha256=run.bestand_sha256)
        session.commit()
        session.refresh(run)
        return run
