"""Users, their roles, web sessions and bank account changes awaiting approval.

Segregation of duties lives in the database where a single row can express it, not only in
code:
- a role is never granted by the user who receives it (``ck_gebruiker_rol_niet_zelf``); the one
  exception is the very first beheerder, granted by ``lks init`` (granter NULL), before there
  is anyone else to grant it;
- a change by a beheerder that gives an account power or touches its credentials is confirmed
  by a second beheerder, never by the one who asked nor by the account concerned
  (``ck_gebruikerswijziging_vier_ogen``); only in the set-up phase (opzetfase, one active
  beheerder) does it take effect at once, and the row says so;
- a bank account change is never approved by the user who submitted it
  (``ck_rekeningwijziging_vier_ogen``), the four-eyes rule of a betaalrun applied to the
  classic payment-fraud path (a changed IBAN on a supplier record).

Roles (interfaces.md §5): ``medewerker`` imports, requests and calculates betaalruns, makes
beschikkingen, works the werklijst; ``goedkeurder`` approves betaalruns and bank account
changes; ``controller`` reads everything, reports, ledger and bank statements; ``beheerder``
manages users and roles; ``werkgever`` is a werkgever's own user of the portal. The
``systeem`` role is the scheduler's: it may request and calculate, never approve.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime
from lks.db.models_betaalrun import USER, _in

ROLLEN = ("medewerker", "goedkeurder", "controller", "beheerder", "werkgever", "systeem")
SOORTEN = ("mens", "systeem")
REKENING_STATUSSEN = ("wacht", "goedgekeurd", "afgewezen")
WIJZIGING_SOORTEN = ("toevoegen", "rollen", "wachtwoord", "totp_uit", "account", "activeren")
WIJZIGING_STATUSSEN = ("wacht", "bevestigd", "afgewezen")


class Gebruiker(Base):
    """A person (or the scheduler) who acts in lks.

    ``account`` links the user to the operating-system account (SQLite) or the database login
    role (PostgreSQL) that the command line runs as; ``sso_subject`` to the ``sub`` claim of the
    gemeente's identity provider. A werkgever user belongs to exactly one werkgever."""

    __tablename__ = "gebruiker"
    __table_args__ = (
        CheckConstraint(_in("soort", SOORTEN), name="ck_gebruiker_soort"),
        CheckConstraint("mislukte_pogingen >= 0", name="ck_gebruiker_pogingen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    naam: Mapped[str] = mapped_column(USER, nullable=False, unique=True)
    weergavenaam: Mapped[str] = mapped_column(String(200), nullable=False)
    soort: Mapped[str] = mapped_column(String(10), nullable=False, default="mens")
    account: Mapped[str | None] = mapped_column(String(100), unique=True)
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    wachtwoord_hash: Mapped[str | None] = mapped_column(String(255))
    totp_geheim: Mapped[str | None] = mapped_column(String(64))
    totp_verplicht: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    actief: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    werkgever_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    mislukte_pogingen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    geblokkeerd_tot: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    aangemaakt_door: Mapped[str | None] = mapped_column(USER)


class GebruikerRol(Base):
    __tablename__ = "gebruiker_rol"
    __table_args__ = (
        UniqueConstraint("gebruiker_id", "rol", name="uq_gebruiker_rol"),
        CheckConstraint(_in("rol", ROLLEN), name="ck_gebruiker_rol_rol"),
        CheckConstraint("toegekend_door_id IS NULL OR toegekend_door_id <> gebruiker_id",
                        name="ck_gebruiker_rol_niet_zelf"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gebruiker_id: Mapped[int] = mapped_column(ForeignKey("gebruiker.id"), nullable=False)
    rol: Mapped[str] = mapped_column(String(20), nullable=False)
    toegekend_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruiker.id"))
    toegekend_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class WebSessie(Base):
    """A server-side web session. The cookie holds a random token; the database only its
    sha256, so a copy of the database opens no session. Removed at logout, replaced at login
    (a new token: no session fixation), expired after the idle timeout of the settings."""

    __tablename__ = "web_sessie"
    __table_args__ = (Index("ix_web_sessie_gebruiker", "gebruiker_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    gebruiker_id: Mapped[int | None] = mapped_column(ForeignKey("gebruiker.id"))
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    laatst_gezien_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    client_adres: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class Rekeningwijziging(Base):
    """A werkgever's bank account as delivered, and whether it is in force.

    The account a werkgever is paid on is its newest approved row. The first account of a
    werkgever (its first delivery) is in force at once; every later different IBAN waits for
    a goedkeurder other than the submitter, and the werkgever's payments are held (aangehouden)
    while it waits."""

    __tablename__ = "rekeningwijziging"
    __table_args__ = (
        CheckConstraint(_in("status", REKENING_STATUSSEN), name="ck_rekeningwijziging_status"),
        CheckConstraint("beoordeeld_door IS NULL OR beoordeeld_door <> ingediend_door",
                        name="ck_rekeningwijziging_vier_ogen"),
        CheckConstraint("status = 'wacht' OR beoordeeld_op IS NOT NULL",
                        name="ck_rekeningwijziging_beoordeeld"),
        Index("ix_rekeningwijziging_werkgever", "werkgever_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    iban: Mapped[str] = mapped_column(String(34), nullable=False)
    bic: Mapped[str | None] = mapped_column(String(11))
    tenaamstelling: Mapped[str | None] = mapped_column(String(200))
    bron: Mapped[str] = mapped_column(String(20), nullable=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    ingediend_door: Mapped[str] = mapped_column(USER, nullable=False)
    ingediend_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    beoordeeld_door: Mapped[str | None] = mapped_column(USER)
    beoordeeld_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reden: Mapped[str | None] = mapped_column(Text)


class Gebruikerswijziging(Base):
    """A beheerder's change that gives an account power or touches its credentials: a new
    account, roles added, a password set, the second factor switched off, an account linked,
    access given back. It waits (``wacht``) for a second beheerder, who confirms or rejects it;
    only then does it take effect. In the set-up phase (one active beheerder) it takes effect
    at once and is kept with ``opzetfase`` true, so a controller sees what one person set up.

    ``gebruiker`` is the name of the account concerned (for ``toevoegen`` the one to be made);
    ``gegevens`` is JSON with what the change sets (a password only as its Argon2 hash)."""

    __tablename__ = "gebruikerswijziging"
    __table_args__ = (
        CheckConstraint(_in("soort", WIJZIGING_SOORTEN), name="ck_gebruikerswijziging_soort"),
        CheckConstraint(_in("status", WIJZIGING_STATUSSEN), name="ck_gebruikerswijziging_status"),
        CheckConstraint("beoordeeld_door IS NULL OR (beoordeeld_door <> aangevraagd_door "
                        "AND beoordeeld_door <> gebruiker)", name="ck_gebruikerswijziging_vier_ogen"),
        CheckConstraint("status = 'wacht' OR beoordeeld_op IS NOT NULL",
                        name="ck_gebruikerswijziging_beoordeeld"),
        CheckConstraint("status = 'wacht' OR opzetfase OR beoordeeld_door IS NOT NULL",
                        name="ck_gebruikerswijziging_tweede_beheerder"),
        Index("ix_gebruikerswijziging_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    soort: Mapped[str] = mapped_column(String(20), nullable=False)
    gebruiker: Mapped[str] = mapped_column(USER, nullable=False)
    gegevens: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    aangevraagd_door: Mapped[str] = mapped_column(USER, nullable=False)
    aangevraagd_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    opzetfase: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    beoordeeld_door: Mapped[str | None] = mapped_column(USER)
    beoordeeld_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reden: Mapped[str | None] = mapped_column(Text)
