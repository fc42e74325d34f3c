"""Controller tables (rekenregels §6): what the reconciliation needs besides the betaalrun.

- ``budget_jaar``: the budget per year and budget (BUIG, re-integratiebudget), an input;
- ``capaciteit_jaar``: the plan's capacity figures per year (beschut taakstelling, number of
  ontwikkelbanen and their weekly hours), an input;
- ``boeking_import`` / ``boeking``: the finance system's booking export, one row per line of
  the file (line number kept for messages). Each import is a complete export; the ledger
  check reads the newest one;
- ``bankafschrift`` / ``bankmutatie``: camt.053 statements and their entries, matched to
  ``betaling.end_to_end_id``; statements add up (the same file twice is refused);
- ``ontvangst``: money a werkgever paid back, usually on a vordering.

All amounts are integer cents; the budget of every row is one of ``BUDGETS``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime
from lks.db.models_betaalrun import BUDGETS, USER, _in

CAPACITEIT_SOORTEN = ("beschut_taakstelling", "ontwikkelbanen", "ontwikkelbaan_uren")
MUTATIE_STATUSSEN = ("booked", "rejected", "returned")


class BudgetJaar(Base):
    __tablename__ = "budget_jaar"
    __table_args__ = (
        UniqueConstraint("jaar", "budget", name="uq_budget_jaar"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_budget_jaar_budget"),
        CheckConstraint("bedrag_cent >= 0", name="ck_budget_jaar_bedrag"),
        CheckConstraint("jaar BETWEEN 2000 AND 2100", name="ck_budget_jaar_jaar"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jaar: Mapped[int] = mapped_column(Integer, nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    bedrag_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bron: Mapped[str] = mapped_column(Text, nullable=False, default="")
    vastgelegd_door: Mapped[str] = mapped_column(USER, nullable=False)
    vastgelegd_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class CapaciteitJaar(Base):
    __tablename__ = "capaciteit_jaar"
    __table_args__ = (
        UniqueConstraint("jaar", "soort", name="uq_capaciteit_jaar"),
        CheckConstraint(_in("soort", CAPACITEIT_SOORTEN), name="ck_capaciteit_jaar_soort"),
        CheckConstraint("aantal >= 0", name="ck_capaciteit_jaar_aantal"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jaar: Mapped[int] = mapped_column(Integer, nullable=False)
    soort: Mapped[str] = mapped_column(String(30), nullable=False)
    aantal: Mapped[int] = mapped_column(Integer, nullable=False)
    bron: Mapped[str] = mapped_column(Text, nullable=False, default="")
    vastgelegd_door: Mapped[str] = mapped_column(USER, nullable=False)
    vastgelegd_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class BoekingImport(Base):
    __tablename__ = "boeking_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bestand: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    regels: Mapped[int] = mapped_column(Integer, nullable=False)
    ingelezen_door: Mapped[str] = mapped_column(USER, nullable=False)
    ingelezen_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class Boeking(Base):
    """One line of the finance system's export. ``kenmerk`` holds a betaalrun kenmerk
    (``2025-03-1``) or an EndToEndId; ``budget`` is what finance booked it on."""

    __tablename__ = "boeking"
    __table_args__ = (
        UniqueConstraint("import_id", "regel", name="uq_boeking_regel"),
        CheckConstraint(_in("budget", BUDGETS), name="ck_boeking_budget"),
        Index("ix_boeking_kenmerk", "kenmerk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("boeking_import.id"), nullable=False, index=True)
    regel: Mapped[int] = mapped_column(Integer, nullable=False)
    boekdatum: Mapped[dt.date] = mapped_column(Date, nullable=False)
    grootboekrekening: Mapped[str] = mapped_column(String(40), nullable=False)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    bedrag_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kenmerk: Mapped[str] = mapped_column(String(100), nullable=False)
    omschrijving: Mapped[str | None] = mapped_column(Text)


class Bankafschrift(Base):
    __tablename__ = "bankafschrift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bestand: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    afschrift_id: Mapped[str | None] = mapped_column(String(35))
    iban: Mapped[str | None] = mapped_column(String(34))
    ingelezen_door: Mapped[str] = mapped_column(USER, nullable=False)
    ingelezen_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class Bankmutatie(Base):
    """One transaction of a camt.053 entry. ``status``: booked (paid), rejected (RJCT) or
    returned (a reversal or return of an earlier debit, with the bank's reason code)."""

    __tablename__ = "bankmutatie"
    __table_args__ = (
        UniqueConstraint("bankafschrift_id", "regel", name="uq_bankmutatie_regel"),
        CheckConstraint(_in("status", MUTATIE_STATUSSEN), name="ck_bankmutatie_status"),
        CheckConstraint("richting IN ('DBIT', 'CRDT')", name="ck_bankmutatie_richting"),
        CheckConstraint("bedrag_cent >= 0", name="ck_bankmutatie_bedrag"),
        Index("ix_bankmutatie_end_to_end_id", "end_to_end_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bankafschrift_id: Mapped[int] = mapped_column(ForeignKey("bankafschrift.id"), nullable=False, index=True)
    regel: Mapped[int] = mapped_column(Integer, nullable=False)
    end_to_end_id: Mapped[str | None] = mapped_column(String(35))
    bedrag_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    richting: Mapped[str] = mapped_column(String(4), nullable=False)
    datum: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    reden: Mapped[str | None] = mapped_column(String(35))
    tegenpartij: Mapped[str | None] = mapped_column(String(140))


class Ontvangst(Base):
    """Money received from a werkgever, normally paying back a vordering."""

    __tablename__ = "ontvangst"
    __table_args__ = (
        CheckConstraint(_in("budget", BUDGETS), name="ck_ontvangst_budget"),
        CheckConstraint("bedrag_cent > 0", name="ck_ontvangst_bedrag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False, index=True)
    budget: Mapped[str] = mapped_column(String(20), nullable=False)
    bedrag_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    datum: Mapped[dt.date] = mapped_column(Date, nullable=False)
    vordering_id: Mapped[int | None] = mapped_column(ForeignKey("vordering.id"), index=True)
    kenmerk: Mapped[str | None] = mapped_column(String(100))
    vastgelegd_door: Mapped[str] = mapped_column(USER, nullable=False)
    vastgelegd_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
