"""Signalen (the staff werklijst) and the scheduler's lock row.

A signaal is made once: ``sleutel`` is its natural key (kind + plaatsing + the date it is
about), unique in the database, so the daily job can run any number of times. A signaal is
resolved (``opgelost_op``) by a user with a toelichting, or by the system when the situation
no longer holds; it is never deleted.

``scheduler_lock`` holds at most one row per lock name: which process runs the scheduler and
when it last showed signs of life. On SQLite that row *is* the lock (a stale heartbeat may be
taken over); on PostgreSQL an advisory lock is the guarantee and the row only says who holds it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime

SOORTEN = ("herbeoordeling_loonwaarde", "forfait_eindigt", "ontwikkelbaan_eindigt",
           "geen_loonwaarde_na_forfait", "beschikking_ontbreekt", "betaalrun_niet_goedgekeurd",
           "loonstrook_ontbreekt")


class Signaal(Base):
    __tablename__ = "signaal"
    __table_args__ = (
        CheckConstraint(f"soort IN ({', '.join(repr(s) for s in SOORTEN)})", name="ck_signaal_soort"),
        CheckConstraint("(opgelost_op IS NULL) = (opgelost_door IS NULL)", name="ck_signaal_opgelost"),
        Index("ix_signaal_open", "opgelost_op", "soort"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    soort: Mapped[str] = mapped_column(String(40), nullable=False)
    plaatsing_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    werkgever_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    betaalrun_id: Mapped[int | None] = mapped_column(ForeignKey("betaalrun.id"))
    sleutel: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    omschrijving: Mapped[str] = mapped_column(Text, nullable=False)
    vervaldatum: Mapped[dt.date | None] = mapped_column(Date)
    gemaakt_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    opgelost_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opgelost_door: Mapped[str | None] = mapped_column(String(100))
    toelichting: Mapped[str | None] = mapped_column(Text)


class SchedulerLock(Base):
    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200), nullable=False)
    """host, process id and a random part: unique per scheduler process"""
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    heartbeat: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
