"""The database schema: bitemporal facts, never updated, never deleted.

Every fact row carries two times:
- *valid time*, when the fact holds in the world: a plaatsing's startdatum/einddatum, the
  ingangsdatum of a loonwaarde or an urenwijziging;
- *transaction time* ``recorded_at`` (UTC), when the gemeente learned it: the moment of the
  import that brought it, with ``import_id`` pointing at that import.

A changed value is a new row for the same natural key with a later ``recorded_at``; the
version current at moment T is the row with the greatest ``recorded_at <= T``
(``lks.facts``). This is what corrections and audit need: "what did we know when we paid
March?" stays answerable after a late loonwaarde arrives.

Natural keys are plain strings (the gemeente's ids); they cannot be foreign keys because a
key has many versions. The importer checks references; the database checks what a single
row can check (value ranges, date order).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Text, TypeDecorator)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

REGELINGEN = ("lks", "beschut", "ontwikkelbaan")

ID_LENGTH = 64
UREN = Numeric(6, 2)
PERCENTAGE = Numeric(5, 2)


class UTCDateTime(TypeDecorator):
    """A UTC instant stored as a naive timestamp, the same on SQLite and PostgreSQL.

    Accepts aware datetimes (converted to UTC) and naive ones (taken as UTC); returns aware
    UTC datetimes. Naive storage keeps comparisons in SQL plain and portable."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class ImportBatch(Base):
    """One accepted import: when it was recorded, where from, which files (name -> sha256 of
    the raw bytes, JSON) and how many rows per file were new, changed or unchanged (JSON)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, unique=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    files: Mapped[str] = mapped_column(Text, nullable=False)
    counts: Mapped[str] = mapped_column(Text, nullable=False)


class _Fact:
    """Columns every fact table has: surrogate key, import and transaction time."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class _Intrekbaar:
    """A fact a delivery can withdraw (``intrekkingen.csv``, interfaces §2): a withdrawal is a
    new version of the natural key, recorded at the moment of its import, carrying the
    reason; from that moment the fact counts as never having been true, while "as known at
    T" before it still shows the fact. A later delivery of the same key is a new version
    again. ``lks.facts.current_versions`` leaves withdrawn keys out."""

    ingetrokken: Mapped[str | None] = mapped_column(Text, nullable=True)
    """NULL: a fact; otherwise this version withdraws it, with the reason (reden)."""


class Werkgever(_Fact, Base):
    __tablename__ = "werkgever"
    NATURAL_KEY = ("werkgever_id",)

    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    naam: Mapped[str] = mapped_column(String(200))
    kvk: Mapped[str] = mapped_column(String(8))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    straat: Mapped[str] = mapped_column(String(200))
    huisnummer: Mapped[str] = mapped_column(String(20))
    postcode: Mapped[str] = mapped_column(String(7))
    plaats: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_werkgever_key_recorded", "werkgever_id", "recorded_at", unique=True),
    )


class Werknemer(_Fact, Base):
    __tablename__ = "werknemer"
    NATURAL_KEY = ("werknemer_id",)

    werknemer_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    bsn: Mapped[str] = mapped_column(String(9))
    naam: Mapped[str] = mapped_column(String(200))
    geboortedatum: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_werknemer_key_recorded", "werknemer_id", "recorded_at", unique=True),
    )


class Plaatsing(_Intrekbaar, _Fact, Base):
    __tablename__ = "plaatsing"
    NATURAL_KEY = ("plaatsing_id",)

    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    werknemer_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    regeling: Mapped[str] = mapped_column(String(20))
    startdatum: Mapped[dt.date] = mapped_column(Date)
    einddatum: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    contracturen: Mapped[Decimal] = mapped_column(UREN)
    voltijdsuren: Mapped[Decimal] = mapped_column(UREN)
    urenbasis: Mapped[str] = mapped_column(String(10), default="contract", server_default="contract")
    """rekenregels §7: ``contract`` (the weekly contracturen, §2.3) or ``verloond`` (the hours
    of the loonstrook, per month, ``VerloondeUren``)."""

    __table_args__ = (
        Index("ix_plaatsing_key_recorded", "plaatsing_id", "recorded_at", unique=True),
        CheckConstraint("urenbasis IN ('contract', 'verloond')", name="ck_plaatsing_urenbasis"),
        CheckConstraint("regeling IN ('lks', 'beschut', 'ontwikkelbaan')",
                        name="ck_plaatsing_regeling"),
        CheckConstraint("einddatum IS NULL OR einddatum >= startdatum",
                        name="ck_plaatsing_periode"),
        CheckConstraint("contracturen >= 0", name="ck_plaatsing_contracturen"),
        CheckConstraint("voltijdsuren > 0", name="ck_plaatsing_voltijdsuren"),
    )


class Loonwaarde(_Intrekbaar, _Fact, Base):
    __tablename__ = "loonwaarde"
    NATURAL_KEY = ("plaatsing_id", "ingangsdatum")

    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    ingangsdatum: Mapped[dt.date] = mapped_column(Date)
    loonwaarde: Mapped[Decimal] = mapped_column(PERCENTAGE)

    __table_args__ = (
        Index("ix_loonwaarde_key_recorded", "plaatsing_id", "ingangsdatum", "recorded_at",
              unique=True),
        CheckConstraint("loonwaarde >= 0 AND loonwaarde <= 100", name="ck_loonwaarde_bereik"),
    )


class Urenwijziging(_Intrekbaar, _Fact, Base):
    __tablename__ = "urenwijziging"
    NATURAL_KEY = ("plaatsing_id", "ingangsdatum")

    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    ingangsdatum: Mapped[dt.date] = mapped_column(Date)
    contracturen: Mapped[Decimal] = mapped_column(UREN)
    voltijdsuren: Mapped[Decimal] = mapped_column(UREN)

    __table_args__ = (
        Index("ix_urenwijziging_key_recorded", "plaatsing_id", "ingangsdatum", "recorded_at",
              unique=True),
        CheckConstraint("contracturen >= 0", name="ck_urenwijziging_contracturen"),
        CheckConstraint("voltijdsuren > 0", name="ck_urenwijziging_voltijdsuren"),
    )


class VerloondeUren(_Intrekbaar, _Fact, Base):
    """The hours paid in one calendar month per the loonstrook, for a plaatsing on urenbasis
    ``verloond`` (rekenregels §7). A corrected loonstrook is a new version of the same key."""

    __tablename__ = "verloonde_uren"
    NATURAL_KEY = ("plaatsing_id", "periode")

    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    periode: Mapped[str] = mapped_column(String(7))
    uren: Mapped[Decimal] = mapped_column(UREN)

    __table_args__ = (
        Index("ix_verloonde_uren_key_recorded", "plaatsing_id", "periode", "recorded_at", unique=True),
        CheckConstraint("uren >= 0", name="ck_verloonde_uren_uren"),
    )


FACT_MODELS: tuple[type[_Fact], ...] = (Werkgever, Werknemer, Plaatsing, Loonwaarde, Urenwijziging,
                                        VerloondeUren)
"""Fact tables in dependency order (a plaatsing refers to werkgever and werknemer, …)."""
