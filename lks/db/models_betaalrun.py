"""Betaalrun tables: the run and its state, payment lines, payments, vorderingen, audit log.

Guarantees live in the database, not only in code, so a double click, a retried job or a
second process cannot pay twice:
- one run per (periode, volgnummer); one line per run × plaatsing × periode; one payment per
  run × werkgever × budget;
- four eyes: the approver differs from the calculator (CHECK constraint);
- state changes are conditional UPDATEs (``lks.betaalrun.lifecycle``).
The rows of an approved run (betaalregel, betaling, vordering, aflossing: each by its own
``betaalrun_id``) are never added, changed or removed, and an approved run never goes back to
an earlier status; the audit log is only ever appended to (triggers: migrations 0002, 0007).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime

STATUSSEN = ("aangevraagd", "berekend", "goedgekeurd", "bestand_aangemaakt", "verzonden", "geannuleerd")
BETAALD = ("goedgekeurd", "bestand_aangemaakt", "verzonden")
BUDGETS = ("buig", "reintegratie")
USER = String(100)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Betaalrun(Base):
    __tablename__ = "betaalrun"
    __table_args__ = (
        UniqueConstraint("periode", "volgnummer", name="uq_betaalrun_periode_volgnummer"),
        CheckConstraint(_in("status", STATUSSEN), name="ck_betaalrun_status"),
        CheckConstraint("goedgekeurd_door IS NULL OR goedgekeurd_door <> berekend_door",
                        name="ck_betaalrun_vier_ogen"),
        CheckConstraint("status NOT IN ('goedgekeurd', 'bestand_aangemaakt', 'verzonden') "
                        "OR goedgekeurd_door IS NOT NULL", name="ck_betaalrun_goedgekeurd_door"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    periode: Mapped[str] = mapped_column(String(7), nullable=False)
    volgnummer: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    aangevraagd_door: Mapped[str] = mapped_column(USER, nullable=False)
    aangevraagd_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    berekend_door: Mapped[str | None] = mapped_column(USER)
    berekend_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    feiten_per: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """The knowledge moment of the calculation: facts recorded up to here were used."""
    basis_goedgekeurd: Mapped[int | None] = mapped_column(Integer)
    """Number of approved runs when this one was calculated; approval requires it unchanged,
    or the run's deltas would ignore payments approved meanwhile."""
    goedgekeurd_door: Mapped[str | None] = mapped_column(USER)
    goedgekeurd_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    uitvoerdatum: Mapped[dt.date | None] = mapped_column(Date)
    bestand_naam: Mapped[str | None] = mapped_column(String(200))
    bestand_sha256: Mapped[str | None] = mapped_column(String(64))
    bestand_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verzonden_door: Mapped[str | None] = mapped_column(USER)
    verzonden_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    geannuleerd_door: Mapped[str | None] = mapped_column(USER)
    geannuleerd_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def kenmerk(self) -> str:
        return f"{self.periode}-{self.volgnummer}"


class Betaalregel(Base):
    """One payment line: the delta for one plaatsing-month in one run (regulier for the run's
    own periode, correctie for an earlier month)."""

    __tablename__ = "betaalregel"
    __table_args__ = (
        UniqueConstraint("betaalrun_id", "plaatsing_id", "periode", name="uq_betaalregel"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_betaalregel_budget"),
        CheckConstraint("soort IN ('regulier', 'correctie')", name="ck_betaalregel_soort"),
        Index("ix_betaalregel_plaatsing_periode", "plaatsing_id", "periode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    betaalrun_id: Mapped[int] = mapped_column(ForeignKey("betaalrun.id"), nullable=False, index=True)
    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    regeling: Mapped[str] = mapped_column(String(20), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    periode: Mapped[str] = mapped_column(String(7), nullable=False)
    soort: Mapped[str] = mapped_column(String(10), nullable=False)
    lks_basis: Mapped[int] = mapped_column(BigInteger, nullable=False)
    werkgeverslasten: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)
    berekend_totaal: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Betaling(Base):
    """What a run pays one werkgever from one budget after verrekening; ``bedrag`` > 0 becomes
    one SEPA transaction, ``bedrag`` = 0 means everything was set off."""

    __tablename__ = "betaling"
    __table_args__ = (
        UniqueConstraint("betaalrun_id", "werkgever_id", "budget", name="uq_betaling"),
        UniqueConstraint("end_to_end_id", name="uq_betaling_end_to_end_id"),
        CheckConstraint("bedrag >= 0 AND verrekend >= 0", name="ck_betaling_bedrag"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_betaling_budget"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    betaalrun_id: Mapped[int] = mapped_column(ForeignKey("betaalrun.id"), nullable=False, index=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    bruto: Mapped[int] = mapped_column(BigInteger, nullable=False)
    verrekend: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)
    end_to_end_id: Mapped[str | None] = mapped_column(String(35))


class Vordering(Base):
    """A net negative balance of a werkgever in one budget, carried to later runs. It counts
    once its run is approved; ``Aflossing`` rows of approved runs reduce it."""

    __tablename__ = "vordering"
    __table_args__ = (
        UniqueConstraint("betaalrun_id", "werkgever_id", "budget", name="uq_vordering"),
        CheckConstraint("bedrag > 0", name="ck_vordering_bedrag"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_vordering_budget"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    betaalrun_id: Mapped[int] = mapped_column(ForeignKey("betaalrun.id"), nullable=False, index=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    periode: Mapped[str] = mapped_column(String(7), nullable=False)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Aflossing(Base):
    """Part of a vordering set off in a later run."""

    __tablename__ = "aflossing"
    __table_args__ = (
        UniqueConstraint("vordering_id", "betaalrun_id", name="uq_aflossing"),
        CheckConstraint("bedrag > 0", name="ck_aflossing_bedrag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vordering_id: Mapped[int] = mapped_column(ForeignKey("vordering.id"), nullable=False, index=True)
    betaalrun_id: Mapped[int] = mapped_column(ForeignKey("betaalrun.id"), nullable=False, index=True)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Aanhouding(Base):
    """What a run did not pay a werkgever because its new bank account waits for a
    goedkeurder (``lks.rekeningen``): the held lines' total per budget. The lines themselves are
    not part of the run, so the next run pays them as deltas once the account is approved."""

    __tablename__ = "aanhouding"
    __table_args__ = (
        UniqueConstraint("betaalrun_id", "werkgever_id", "budget", name="uq_aanhouding"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_aanhouding_budget"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    betaalrun_id: Mapped[int] = mapped_column(ForeignKey("betaalrun.id"), nullable=False, index=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)
    regels: Mapped[int] = mapped_column(Integer, nullable=False)


class BetaaldTotaal(Base):
    """What the approved runs paid per plaatsing-month so far: per amount column the sum of
    their lines, and werkgever, regeling and budget of the latest of those lines with the run
    it belongs to (``betaalrun_id``). ``goedkeuren`` adds the run's lines to it in the
    approval's own transaction, so a monthly run reads one row per plaatsing-month instead of
    every line ever paid. The database accepts no other change: a row moves by exactly one
    line of a run in status goedgekeurd, once per run, and is never removed (triggers,
    migration 0012); the reconciliation checks it against the lines (identity I9)."""

    __tablename__ = "betaald_totaal"
    __table_args__ = (
        CheckConstraint(_in("budget", BUDGETS), name="ck_betaald_totaal_budget"),
    )

    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    periode: Mapped[str] = mapped_column(String(7), primary_key=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    regeling: Mapped[str] = mapped_column(String(20), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    lks_basis: Mapped[int] = mapped_column(BigInteger, nullable=False)
    werkgeverslasten: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bedrag: Mapped[int] = mapped_column(BigInteger, nullable=False)
    betaalrun_id: Mapped[int] = mapped_column(Integer, nullable=False)
    """The run of the latest line. No foreign key: the guard already requires a line of that
    run for every row written, and a per-row key check cost a third of a first run's approval."""


class AuditLog(Base):
    """Append-only: who did what, when, from which state to which. ``gebruiker`` is the
    authenticated user's name (``gebruiker.naam``), ``client_adres`` the address a web request
    came from (NULL on the command line and for the scheduler)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    moment: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    gebruiker: Mapped[str] = mapped_column(USER, nullable=False)
    actie: Mapped[str] = mapped_column(String(40), nullable=False)
    betaalrun_id: Mapped[int | None] = mapped_column(ForeignKey("betaalrun.id"), index=True)
    van_status: Mapped[str | None] = mapped_column(String(20))
    naar_status: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    client_adres: Mapped[str | None] = mapped_column(String(64))
