"""Beschikking tables: the letters made (inputs, hashes, status) and, per plaatsing, the state
each letter put on paper.

Change detection is a comparison of "what the letters said" (the newest
``beschikking_plaatsing`` row of a plaatsing) with "what is true now" (the calculation with
current knowledge): a stored row keeps the full-month amount and the inputs that explain it
(WML, loonwaarde, hours, tijdvak), so the batch can tell what changed and why without
re-reading old letters. A vaststelling row keeps its year and the two sums it compared. A
plaatsing on verloonde uren (rekenregels §7) keeps its subsidy per verloond uur beside the
most a full month can be.

A herziene vaststelling (Awb art. 4:49) is a ``vaststelling`` row whose ``herziet_kenmerk``
names the vaststelling it replaces. The letter itself states that kenmerk too (its stored
inputs re-derive it); the column makes the chain a checked fact of the database: it refers
to an existing letter, and it is unique, so every vaststelling is replaced at most once (two
batches cannot both herzien it) and the herzieningen of a year form one line.

The kenmerk ``LKS/JJJJ/NNNNNN`` is derived from a per-year sequence kept in the table itself
(``jaar``, ``volgnummer``; unique together), so two processes cannot hand out one number twice.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
                        Numeric, String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime

SOORTEN = ("verlening", "wijziging", "beeindiging", "vaststelling", "intrekking")
STATUSSEN = ("concept", "verzonden")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Beschikking(Base):
    """One letter to one werkgever (possibly about many plaatsingen)."""

    __tablename__ = "beschikking"
    __table_args__ = (
        UniqueConstraint("kenmerk", name="uq_beschikking_kenmerk"),
        UniqueConstraint("jaar", "volgnummer", name="uq_beschikking_jaar_volgnummer"),
        CheckConstraint(_in("soort", SOORTEN), name="ck_beschikking_soort"),
        CheckConstraint(_in("status", STATUSSEN), name="ck_beschikking_status"),
        CheckConstraint("(status = 'verzonden') = (verzonden_op IS NOT NULL)",
                        name="ck_beschikking_verzonden"),
        Index("ix_beschikking_werkgever", "werkgever_id", "datum"),
        Index("uq_beschikking_herziet_kenmerk", "herziet_kenmerk", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kenmerk: Mapped[str] = mapped_column(String(32), nullable=False)
    jaar: Mapped[int] = mapped_column(Integer, nullable=False)
    volgnummer: Mapped[int] = mapped_column(Integer, nullable=False)
    soort: Mapped[str] = mapped_column(String(20), nullable=False)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    datum: Mapped[dt.date] = mapped_column(Date, nullable=False)
    aanleiding: Mapped[str] = mapped_column(Text, nullable=False)
    inputs_json: Mapped[str] = mapped_column(Text, nullable=False)
    inputs_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    html_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="concept")
    verzonden_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    termijn_overschreden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    herziet_kenmerk: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("beschikking.kenmerk"), nullable=True)
    """A herziene vaststelling: the kenmerk of the vaststelling it replaces; else NULL."""


class BeschikkingPlaatsing(Base):
    """The state of one plaatsing as one letter stated it."""

    __tablename__ = "beschikking_plaatsing"
    __table_args__ = (
        UniqueConstraint("beschikking_id", "plaatsing_id", name="uq_beschikking_plaatsing"),
        Index("ix_beschikking_plaatsing_plaatsing", "plaatsing_id", "beschikking_id"),
        CheckConstraint("tijdvak_tot IS NULL OR tijdvak_tot >= tijdvak_van",
                        name="ck_beschikking_plaatsing_tijdvak"),
        CheckConstraint("urenbasis IN ('contract', 'verloond')", name="ck_beschikking_plaatsing_urenbasis"),
        CheckConstraint("(urenbasis = 'verloond') = (uurbedrag_cent IS NOT NULL)",
                        name="ck_beschikking_plaatsing_uurbedrag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    beschikking_id: Mapped[int] = mapped_column(ForeignKey("beschikking.id"), nullable=False)
    plaatsing_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    regeling: Mapped[str] = mapped_column(String(20), nullable=False)
    tijdvak_van: Mapped[dt.date] = mapped_column(Date, nullable=False)
    tijdvak_tot: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    """Last subsidy day the letter named (einddatum, or the end it decided); NULL = open."""
    maandbedrag_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    """Full-month lks_totaal the letter stated (rekenregels §2); on verloonde uren the most a
    full month can be (§7: the maximum hours voltijdsuren × 13/3)."""
    lks_basis_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    wml_cent: Mapped[int] = mapped_column(BigInteger, nullable=False)
    """The WML the amount used: per month, or per hour on verloonde uren (rekenregels §7)."""
    wml_ingang: Mapped[dt.date] = mapped_column(Date, nullable=False)
    loonwaarde: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), nullable=True)
    fractie: Mapped[Decimal] = mapped_column(Numeric(5, 4), nullable=False)
    """The LKS fractie the amount used (exact: a loonwaarde has two decimals of a percent)."""
    contracturen: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False)
    voltijdsuren: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False)
    reden_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    vaststelling_jaar: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vastgesteld_cent: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    voorschotten_cent: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    urenbasis: Mapped[str] = mapped_column(String(10), nullable=False, default="contract",
                                           server_default="contract")
    """The plaatsing's urenbasis when the letter was made (rekenregels §7): ``contract`` or
    ``verloond``; a change from one to the other is a wijziging."""
    uurbedrag_cent: Mapped[Decimal | None] = mapped_column(Numeric(20, 10), nullable=True)
    """On verloonde uren: the subsidy per verloond uur the letter stated, in cents, exact
    (6,2208 €/h = 622.08); NULL on contracturen. The hourly amount, not the month's hours, is
    what a wijziging compares."""
