"""Users: who they are, how they prove it, and who may change them.

Authentication makes an :class:`~lks.app.identiteit.Identiteit`; nothing else does:
- command line: the operating-system account (SQLite) or the database login role
  (PostgreSQL) the process runs as, linked to one lks user (``gebruiker.account``);
- web: a password (Argon2id, argon2-cffi) with throttling and a temporary lockout, and a TOTP
  second factor (pyotp) where a beheerder requires it; or OpenID Connect (``lks.web``), which
  maps the identity provider's claims to a user here;
- the scheduler: its own system user, which may request and calculate but never approve.

A beheerder adds users, sets roles and disables accounts, never for themselves: another
beheerder must (also a CHECK constraint on ``gebruiker_rol``). The one exception is the first
beheerder, whom ``lks init`` makes of the account that installs lks, when there is no one yet.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from lks.app import audit
from lks.app.identiteit import Actie, Geweigerd, Identiteit, Rol
from lks.db.models_gebruiker import Gebruiker, GebruikerRol, WebSessie

SYSTEEMGEBRUIKER = "scheduler"
NAAM = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")
MIN_WACHTWOORD = 12
TOEKENBAAR = (Rol.MEDEWERKER, Rol.GOEDKEURDER, Rol.CONTROLLER, Rol.BEHEERDER, Rol.WERKGEVER)


class GebruikerFout(ValueError):
    """A user operation that cannot be done (message in Dutch, for the user)."""


class WachtwoordGeblokkeerd(GebruikerFout):
    """A wrong current password locked the account; its sessions have ended."""


class AanmeldFout(PermissionError):
    """Authentication failed; the message never says whether the name or the password was wrong."""


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) parameters


def _nu() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------- identities

def systeemaccount(engine: Engine) -> str:
    """The account this process acts as: the database login role on PostgreSQL (the server
    authenticated it), the operating-system user on SQLite (the file's permissions are the
    guard there). Read from the kernel, not from $USER or $LOGNAME, which anyone can set."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT session_user").scalar_one()
    import pwd
    return pwd.getpwuid(os.geteuid()).pw_name


def rollen_van(session: Session, gebruiker_id: int) -> frozenset[Rol]:
    return frozenset(Rol(r) for r in session.scalars(
        select(GebruikerRol.rol).where(GebruikerRol.gebruiker_id == gebruiker_id)))


def identiteit(session: Session, gebruiker: Gebruiker, bron: str,
               client_adres: str | None = None) -> Identiteit:
    """The identity of an authenticated, active user with their current roles."""
    if not gebruiker.actief:
        raise Geweigerd(f"geweigerd: gebruiker {gebruiker.naam} is geblokkeerd")
    return Identiteit(gebruiker_id=gebruiker.id, naam=gebruiker.naam,
                      rollen=rollen_van(session, gebruiker.id), bron=bron,
                      weergavenaam=gebruiker.weergavenaam, werkgever_id=gebruiker.werkgever_id,
                      client_adres=client_adres)


def account_identiteit(engine: Engine) -> Identiteit:
    """The command line's acting user: the lks user linked to this process's account."""
    account = systeemaccount(engine)
    with Session(engine) as session:
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.account == account)).first()
        if gebruiker is None:
            raise Geweigerd(f"geweigerd: account '{account}' is aan geen lks-gebruiker gekoppeld; een "
                            f"beheerder koppelt het met 'lks gebruiker add NAAM --rol ROL --account {account}'")
        if gebruiker.soort == "systeem" and gebruiker.naam != SYSTEEMGEBRUIKER:
            raise Geweigerd(f"geweigerd: account '{account}' hoort bij een systeemgebruiker")
        return identiteit(session, gebruiker, "account")


def systeem_identiteit(engine: Engine) -> Identiteit:
    """The scheduler's own identity (role ``systeem``: request and calculate, never approve)."""
    with Session(engine) as session:
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == SYSTEEMGEBRUIKER)).one()
        return identiteit(session, gebruiker, "systeem")


def ververs(engine: Engine, wie: Identiteit) -> Identiteit:
    """The same user as now in the database (roles may have changed, the account may be
    blocked): decisive actions check this, not what was known at login."""
    with Session(engine) as session:
        gebruiker = session.get(Gebruiker, wie.gebruiker_id)
        if gebruiker is None:
            raise Geweigerd(f"geweigerd: gebruiker {wie.naam} bestaat niet meer")
        return identiteit(session, gebruiker, wie.bron, wie.client_adres)


def vereist(engine: Engine, wie: Identiteit, actie: Actie) -> Identiteit:
    """Check ``actie`` against the user's roles as they are now in the database."""
    nu = ververs(engine, wie)
    nu.vereist(actie)
    return nu


# --------------------------------------------------------------------------- management

@dataclass(frozen=True)
class GebruikerInfo:
    naam: str
    weergavenaam: str
    soort: str
    rollen: tuple[str, ...]
    actief: bool
    account: str | None
    sso: bool
    totp_verplicht: bool
    totp_ingesteld: bool
    werkgever_id: str | None
    geblokkeerd_tot: dt.datetime | None


def _rollen(tekst_of_lijst) -> tuple[Rol, ...]:
    waarden = tekst_of_lijst.split(",") if isinstance(tekst_of_lijst, str) else list(tekst_of_lijst)
    rollen = []
    for waarde in (str(w).strip().lower() for w in waarden):
        if not waarde:
            continue
        try:
            rol = Rol(waarde)
        except ValueError:
            raise GebruikerFout(f"onbekende rol '{waarde}' (kies uit "
                                f"{', '.join(r.value for r in TOEKENBAAR)})") from None
        if rol not in TOEKENBAAR:
            raise GebruikerFout(f"de rol '{rol}' is van de scheduler en kan niet worden toegekend")
        if rol not in rollen:
            rollen.append(rol)
    if not rollen:
        raise GebruikerFout("geef minstens één rol")
    if Rol.WERKGEVER in rollen and len(rollen) > 1:
        raise GebruikerFout("een werkgeversaccount heeft alleen de rol werkgever (geen rollen van de gemeente)")
    return tuple(rollen)


def parse_rollen(tekst: str) -> tuple[Rol, ...]:
    """``medewerker,goedkeurder`` as roles; an unknown or the system role is refused."""
    return _rollen(tekst)


def check_wachtwoord(wachtwoord: str, naam: str) -> None:
    if len(wachtwoord) < MIN_WACHTWOORD:
        raise GebruikerFout(f"het wachtwoord moet minstens {MIN_WACHTWOORD} tekens hebben")
    if naam.lower() in wachtwoord.lower():
        raise GebruikerFout("het wachtwoord mag de gebruikersnaam niet bevatten")


def _werkgever_bestaat(session: Session, werkgever_id: str) -> bool:
    from lks.db.models import Werkgever
    return session.scalar(select(func.count()).select_from(Werkgever)
                          .where(Werkgever.werkgever_id == werkgever_id)) > 0


def voeg_toe(engine: Engine, door: Identiteit, naam: str, rollen, *, wachtwoord: str | None = None,
             account: str | None = None, weergavenaam: str | None = None, email: str | None = None,
             werkgever_id: str | None = None, now: dt.datetime | None = None) -> GebruikerInfo:
    """A new user with roles, granted by ``door`` (a beheerder)."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    naam = naam.strip().lower()
    if not NAAM.fullmatch(naam):
        raise GebruikerFout(f"'{naam}' is geen geldige gebruikersnaam (2-100 tekens: kleine letters, "
                            "cijfers, punt, streepje, @)")
    rollen = _rollen(rollen)
    if Rol.WERKGEVER in rollen and not werkgever_id:
        raise GebruikerFout("een werkgeversaccount hoort bij precies één werkgever: geef --werkgever ID")
    if werkgever_id and Rol.WERKGEVER not in rollen:
        raise GebruikerFout("alleen een account met de rol werkgever hoort bij een werkgever")
    if wachtwoord is not None:
        check_wachtwoord(wachtwoord, naam)
    with Session(engine) as session, session.begin():
        if session.scalar(select(func.count()).select_from(Gebruiker).where(Gebruiker.naam == naam)):
            raise GebruikerFout(f"gebruiker {naam} bestaat al")
        if account and session.scalar(select(func.count()).select_from(Gebruiker)
                                      .where(Gebruiker.account == account)):
            raise GebruikerFout(f"account '{account}' is al aan een andere gebruiker gekoppeld")
        if werkgever_id and not _werkgever_bestaat(session, werkgever_id):
            raise GebruikerFout(f"werkgever {werkgever_id} is niet bekend")
        gebruiker = Gebruiker(naam=naam, weergavenaam=(weergavenaam or naam).strip(), soort="mens",
                              account=account or None, email=email,
                              wachtwoord_hash=_hasher().hash(wachtwoord) if wachtwoord else None,
                              totp_verplicht=False, actief=True, werkgever_id=werkgever_id,
                              mislukte_pogingen=0, aangemaakt_op=now, aangemaakt_door=door.naam)
        session.add(gebruiker)
        session.flush()
        for rol in rollen:
            session.add(GebruikerRol(gebruiker_id=gebruiker.id, rol=rol.value,
                                     toegekend_door_id=door.gebruiker_id, toegekend_op=now))
        audit.vastleggen(session, door, "gebruiker_toegevoegd", now, gebruiker=naam,
                         rollen=[r.value for r in rollen], account=account, werkgever_id=werkgever_id)
        session.flush()
        return _info(session, gebruiker)


def _eigen_account(door: Identiteit, gebruiker: Gebruiker, wat: str) -> None:
    if gebruiker.id == door.gebruiker_id:
        raise Geweigerd(f"geweigerd: een beheerder kan niet {wat} van zichzelf wijzigen; "
                        "een andere beheerder moet dat doen")


def _gebruiker(session: Session, naam: str) -> Gebruiker:
    gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == naam.strip().lower())).first()
    if gebruiker is None:
        raise GebruikerFout(f"gebruiker {naam} bestaat niet")
    if gebruiker.soort == "systeem":
        raise GebruikerFout(f"{naam} is een systeemgebruiker en kan niet worden gewijzigd")
    return gebruiker


def zet_rollen(engine: Engine, door: Identiteit, naam: str, rollen,
               now: dt.datetime | None = None) -> GebruikerInfo:
    """Replace a user's roles. Never one's own: another beheerder must."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    rollen = _rollen(rollen)
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "de rollen")
        oud = rollen_van(session, gebruiker.id)
        if (Rol.WERKGEVER in rollen) != (gebruiker.werkgever_id is not None):
            raise GebruikerFout("een werkgeversaccount blijft een werkgeversaccount en een account van de "
                                "gemeente krijgt geen werkgeversrol: maak een nieuw account")
        session.execute(delete(GebruikerRol).where(GebruikerRol.gebruiker_id == gebruiker.id,
                                                   GebruikerRol.rol.not_in([r.value for r in rollen])))
        for rol in rollen:
            if rol not in oud:
                session.add(GebruikerRol(gebruiker_id=gebruiker.id, rol=rol.value,
                                         toegekend_door_id=door.gebruiker_id, toegekend_op=now))
        audit.vastleggen(session, door, "rollen_gewijzigd", now, gebruiker=gebruiker.naam,
                         van=sorted(oud), naar=sorted(r.value for r in rollen))
        session.flush()
        return _info(session, gebruiker)


def koppel_account(engine: Engine, door: Identiteit, naam: str, account: str | None,
                   now: dt.datetime | None = None) -> GebruikerInfo:
    """Link a user to the operating-system account or database login role it uses on the
    command line (None: unlink). Also for the scheduler's system user, whose service account
    runs ``lks scheduler``. Never one's own link."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    account = (account or "").strip() or None
    with Session(engine) as session, session.begin():
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == naam.strip().lower())).first()
        if gebruiker is None:
            raise GebruikerFout(f"gebruiker {naam} bestaat niet")
        _eigen_account(door, gebruiker, "het account")
        if account and session.scalar(select(func.count()).select_from(Gebruiker)
                                      .where(Gebruiker.account == account, Gebruiker.id != gebruiker.id)):
            raise GebruikerFout(f"account '{account}' is al aan een andere gebruiker gekoppeld")
        gebruiker.account = account
        audit.vastleggen(session, door, "account_gekoppeld", now, gebruiker=gebruiker.naam, account=account)
        session.flush()
        return _info(session, gebruiker)


def zet_actief(engine: Engine, door: Identiteit, naam: str, actief: bool,
               now: dt.datetime | None = None) -> GebruikerInfo:
    """Disable (or enable again) a user; a disabled user's web sessions end at once."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "de toegang")
        gebruiker.actief = actief
        if actief:
            gebruiker.mislukte_pogingen, gebruiker.geblokkeerd_tot = 0, None
        else:
            session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
        audit.vastleggen(session, door, "gebruiker_geactiveerd" if actief else "gebruiker_geblokkeerd",
                         now, gebruiker=gebruiker.naam)
        session.flush()
        return _info(session, gebruiker)


def zet_totp_verplicht(engine: Engine, door: Identiteit, naam: str, verplicht: bool,
                       now: dt.datetime | None = None) -> GebruikerInfo:
    """Require (or no longer require) a second factor; the user sets it up at the next login."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "de tweede factor")
        gebruiker.totp_verplicht = verplicht
        if not verplicht:
            gebruiker.totp_geheim = None
        audit.vastleggen(session, door, "totp_verplicht" if verplicht else "totp_uit", now,
                         gebruiker=gebruiker.naam)
        session.flush()
        return _info(session, gebruiker)


def zet_wachtwoord(engine: Engine, door: Identiteit, naam: str, wachtwoord: str,
                   now: dt.datetime | None = None) -> None:
    """A beheerder sets another user's password (the user changes it after logging in)."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "het wachtwoord")
        check_wachtwoord(wachtwoord, gebruiker.naam)
        gebruiker.wachtwoord_hash = _hasher().hash(wachtwoord)
        gebruiker.mislukte_pogingen, gebruiker.geblokkeerd_tot = 0, None
        session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
        audit.vastleggen(session, door, "wachtwoord_gezet", now, gebruiker=gebruiker.naam)


def wijzig_eigen_wachtwoord(engine: Engine, wie: Identiteit, oud: str, nieuw: str, *, max_pogingen: int,
                            blokkade: dt.timedelta, now: dt.datetime | None = None) -> None:
    """A logged-in user changes their own password. A wrong current password counts as a failed
    login (the same counter and lockout as ``aanmelden``): a stolen session cannot be used to
    guess the password without limit. When the account locks, its sessions end."""
    now = now or _nu()
    with Session(engine) as session:  # committed explicitly: a failed attempt is counted too
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.id == wie.gebruiker_id)
                                    .with_for_update()).first()
        if gebruiker is None or not gebruiker.wachtwoord_hash:
            raise GebruikerFout("het huidige wachtwoord klopt niet")
        if not _klopt(gebruiker.wachtwoord_hash, oud):
            geblokkeerd = _poging_mislukt(session, gebruiker, wie, now, max_pogingen, blokkade)
            if geblokkeerd:
                session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
            session.commit()
            if geblokkeerd:
                raise WachtwoordGeblokkeerd("het huidige wachtwoord klopt niet; na te veel verkeerde wachtwoorden "
                                            "is uw account tijdelijk geblokkeerd")
            raise GebruikerFout("het huidige wachtwoord klopt niet")
        check_wachtwoord(nieuw, gebruiker.naam)
        gebruiker.mislukte_pogingen = 0
        gebruiker.wachtwoord_hash = _hasher().hash(nieuw)
        # every session of this user ends (one opened with the old password by someone else
        # too); the web gives the session that made the change a new token
        session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
        audit.vastleggen(session, wie, "eigen_wachtwoord_gewijzigd", now)
        session.commit()


def _poging_mislukt(session: Session, gebruiker: Gebruiker, wie: Identiteit, now: dt.datetime,
                    max_pogingen: int, blokkade: dt.timedelta) -> bool:
    """Count one wrong password; after ``max_pogingen`` in a row the account is locked for
    ``blokkade``. Returns whether it is locked now. The caller commits."""
    gebruiker.mislukte_pogingen += 1
    if gebruiker.mislukte_pogingen >= max_pogingen:
        gebruiker.geblokkeerd_tot = now + blokkade
        gebruiker.mislukte_pogingen = 0
        audit.vastleggen(session, wie, "account_tijdelijk_geblokkeerd", now, tot=gebruiker.geblokkeerd_tot)
        return True
    audit.vastleggen(session, wie, "aanmelding_mislukt", now)
    return False


def lijst(engine: Engine, door: Identiteit) -> list[GebruikerInfo]:
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    with Session(engine) as session:
        return [_info(session, g) for g in session.scalars(select(Gebruiker).order_by(Gebruiker.naam))]


def _info(session: Session, g: Gebruiker) -> GebruikerInfo:
    return GebruikerInfo(naam=g.naam, weergavenaam=g.weergavenaam, soort=g.soort,
                         rollen=tuple(sorted(rollen_van(session, g.id))), actief=g.actief,
                         account=g.account, sso=g.sso_subject is not None,
                         totp_verplicht=g.totp_verplicht, totp_ingesteld=g.totp_geheim is not None,
                         werkgever_id=g.werkgever_id, geblokkeerd_tot=g.geblokkeerd_tot)


def eerste_beheerder(engine: Engine, now: dt.datetime | None = None, *, naam: str | None = None,
                     account: str | None = "", wachtwoord: str | None = None,
                     weergavenaam: str | None = None,
                     rollen: tuple[Rol, ...] = (Rol.BEHEERDER, Rol.MEDEWERKER)) -> str | None:
    """``lks init`` (or the first ``lks import``) on a database without people: the installing
    account becomes the first beheerder and medewerker (roles granted by nobody, the only time
    that is allowed), so an installation can load its first delivery. Approving is never among
    them: a goedkeurder is another person, added by a beheerder. ``account=""``: the account
    of this process; None: no account (the demo's beheerder, who logs in on the web).
    Returns the new user's name, or None when there are people already."""
    now = now or _nu()
    if account == "":
        account = systeemaccount(engine)
    if wachtwoord is not None:
        check_wachtwoord(wachtwoord, naam or "")
    with Session(engine) as session, session.begin():
        if session.scalar(select(func.count()).select_from(Gebruiker).where(Gebruiker.soort == "mens")):
            return None
        if naam is None:
            naam = re.sub(r"[^a-z0-9._@-]", "-", (account or "beheerder").lower()) or "beheerder"
            naam = naam if NAAM.fullmatch(naam) else f"beheerder-{naam}"[:100]
        gebruiker = Gebruiker(naam=naam, weergavenaam=weergavenaam or naam, soort="mens", account=account,
                              wachtwoord_hash=_hasher().hash(wachtwoord) if wachtwoord else None,
                              totp_verplicht=False, actief=True, mislukte_pogingen=0,
                              aangemaakt_op=now, aangemaakt_door=None)
        session.add(gebruiker)
        session.flush()
        for rol in rollen:
            session.add(GebruikerRol(gebruiker_id=gebruiker.id, rol=rol.value, toegekend_door_id=None,
                                     toegekend_op=now))
        wie = Identiteit(gebruiker.id, naam, frozenset(rollen), "account")
        audit.vastleggen(session, wie, "eerste_beheerder", now, account=account, rollen=[r.value for r in rollen])
        return naam


def als(engine: Engine, naam: str, bron: str) -> Identiteit:
    """The identity of user ``naam`` for a program that authenticated them itself (``lks
    demo`` acting for the demo users it made on its own fresh database, tests)."""
    with Session(engine) as session:
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == naam)).one()
        return identiteit(session, gebruiker, bron)


# --------------------------------------------------------------------------- web login

@dataclass(frozen=True)
class Aanmelding:
    """The outcome of a correct password: the identity, or the second factor still to come
    (``stap`` ``totp`` to enter a code, ``totp_instellen`` to set one up first)."""
    gebruiker_id: int
    naam: str
    stap: str  # "klaar", "totp", "totp_instellen"


_ONBEKEND = None  # a hash to verify against for unknown names: same time as a real check


def _klopt(hash_: str, wachtwoord: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
    try:
        return _hasher().verify(hash_, wachtwoord)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def aanmelden(engine: Engine, naam: str, wachtwoord: str, *, max_pogingen: int,
              blokkade: dt.timedelta, client_adres: str | None = None,
              now: dt.datetime | None = None) -> Aanmelding:
    """Check a password. After ``max_pogingen`` wrong ones in a row the account is locked for
    ``blokkade``; while locked even the right password is refused. Unknown names cost the
    same time as known ones and get the same message."""
    global _ONBEKEND
    now = now or _nu()
    fout = AanmeldFout("gebruikersnaam of wachtwoord onjuist")
    with Session(engine) as session:  # committed explicitly: a failed attempt is counted too
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == naam.strip().lower())
                                    .with_for_update()).first()
        if gebruiker is None or gebruiker.soort != "mens" or not gebruiker.wachtwoord_hash:
            if _ONBEKEND is None:
                _ONBEKEND = _hasher().hash(os.urandom(16).hex())
            _klopt(_ONBEKEND, wachtwoord)
            raise fout
        wie = Identiteit(gebruiker.id, gebruiker.naam, frozenset(), "wachtwoord", client_adres=client_adres)
        if gebruiker.geblokkeerd_tot is not None and gebruiker.geblokkeerd_tot > now:
            audit.vastleggen(session, wie, "aanmelding_geblokkeerd", now)
            session.commit()
            raise AanmeldFout("dit account is tijdelijk geblokkeerd na te veel verkeerde wachtwoorden; "
                              f"probeer het na {gebruiker.geblokkeerd_tot.astimezone(_tz()):%H:%M} opnieuw")
        if not _klopt(gebruiker.wachtwoord_hash, wachtwoord):
            _poging_mislukt(session, gebruiker, wie, now, max_pogingen, blokkade)
            session.commit()
            raise fout
        if not gebruiker.actief:
            raise AanmeldFout("dit account is geblokkeerd; neem contact op met een beheerder")
        gebruiker.mislukte_pogingen, gebruiker.geblokkeerd_tot = 0, None
        if _hasher().check_needs_rehash(gebruiker.wachtwoord_hash):
            gebruiker.wachtwoord_hash = _hasher().hash(wachtwoord)
        stap = ("totp" if gebruiker.totp_geheim else "totp_instellen") if gebruiker.totp_verplicht else "klaar"
        if stap == "klaar":
            audit.vastleggen(session, wie, "aangemeld", now)
        aanmelding = Aanmelding(gebruiker.id, gebruiker.naam, stap)
        session.commit()
        return aanmelding


def _tz():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Europe/Amsterdam")


def nieuw_totp_geheim() -> str:
    import pyotp
    return pyotp.random_base32()


def totp_uri(geheim: str, naam: str, uitgever: str) -> str:
    import pyotp
    return pyotp.TOTP(geheim).provisioning_uri(name=naam, issuer_name=uitgever)


def totp_controleren(engine: Engine, gebruiker_id: int, code: str, *, nieuw_geheim: str | None = None,
                     client_adres: str | None = None, max_pogingen: int = 5,
                     blokkade: dt.timedelta = dt.timedelta(minutes=15),
                     now: dt.datetime | None = None) -> None:
    """Check a TOTP code (one step of clock drift either way). With ``nieuw_geheim`` the user
    is setting up the factor: a right code stores the secret. Wrong codes count towards the
    same lockout as wrong passwords. A code is used once: a code of a time step no later than
    the user's last accepted one is refused (RFC 6238 §5.2: a code seen over a shoulder or
    caught in transit opens nothing); the accepted step is kept in the audit record."""
    import pyotp

    now = now or _nu()
    with Session(engine) as session:  # committed explicitly: a wrong code is counted too
        gebruiker = session.get(Gebruiker, gebruiker_id, with_for_update=True)
        geheim = nieuw_geheim or (gebruiker.totp_geheim if gebruiker else None)
        if gebruiker is None or not geheim:
            raise AanmeldFout("geen tweede factor ingesteld")
        wie = Identiteit(gebruiker.id, gebruiker.naam, frozenset(), "wachtwoord", client_adres=client_adres)
        if gebruiker.geblokkeerd_tot is not None and gebruiker.geblokkeerd_tot > now:
            raise AanmeldFout("dit account is tijdelijk geblokkeerd na te veel verkeerde pogingen")
        stap = _totp_stap(pyotp.TOTP(geheim), re.sub(r"\s", "", code or ""), now)
        gebruikt = stap is not None and not nieuw_geheim and stap <= _laatste_totp_stap(session, gebruiker.naam)
        if stap is None or gebruikt:
            gebruiker.mislukte_pogingen += 1
            if gebruiker.mislukte_pogingen >= max_pogingen:
                gebruiker.geblokkeerd_tot = now + blokkade
                gebruiker.mislukte_pogingen = 0
            audit.vastleggen(session, wie, "totp_mislukt", now, **({"reden": "al gebruikt"} if gebruikt else {}))
            session.commit()
            raise AanmeldFout("deze code is al gebruikt; wacht op de volgende code van de app" if gebruikt
                              else "de code klopt niet")
        gebruiker.mislukte_pogingen = 0
        if nieuw_geheim:
            gebruiker.totp_geheim = nieuw_geheim
            audit.vastleggen(session, wie, "totp_ingesteld", now)
        audit.vastleggen(session, wie, "aangemeld", now, tweede_factor=True, totp_stap=stap)
        session.commit()


def _totp_stap(totp, code: str, now: dt.datetime) -> int | None:
    """The time step whose code ``code`` is, within one step of ``now``; None if none."""
    import hmac
    if not re.fullmatch(r"\d{6}", code):
        return None
    for verschuiving in (-1, 0, 1):
        moment = now + dt.timedelta(seconds=verschuiving * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def _laatste_totp_stap(session: Session, naam: str) -> int:
    """The time step of the user's last accepted code (-1: none yet)."""
    import json

    from lks.db.models_betaalrun import AuditLog
    for details in session.scalars(select(AuditLog.details).where(AuditLog.gebruiker == naam,
                                                                   AuditLog.actie == "aangemeld")
                                   .order_by(AuditLog.id.desc()).limit(20)):
        try:
            stap = json.loads(details).get("totp_stap")
        except ValueError:
            continue
        if isinstance(stap, int):
            return stap
    return -1


def web_identiteit(engine: Engine, gebruiker_id: int, bron: str, client_adres: str | None) -> Identiteit:
    """The identity behind a web session, with the roles as they are now."""
    with Session(engine) as session:
        gebruiker = session.get(Gebruiker, gebruiker_id)
        if gebruiker is None or gebruiker.soort != "mens":
            raise Geweigerd("geweigerd: onbekende gebruiker")
        return identiteit(session, gebruiker, bron, client_adres)


def sso_gebruiker(engine: Engine, *, subject: str, naam: str, weergavenaam: str, rollen: tuple[Rol, ...],
                  werkgever_id: str | None, email: str | None, client_adres: str | None,
                  now: dt.datetime | None = None) -> Identiteit:
    """A user signed in by the identity provider: found by its ``sub`` claim (or made on first
    sign-in), its roles those the provider's claim maps to (the provider is where they are
    granted; the audit log records every change)."""
    now = now or _nu()
    if not rollen:
        raise Geweigerd("geweigerd: uw account bij de identiteitsprovider heeft geen rol voor lks")
    with Session(engine) as session, session.begin():
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.sso_subject == subject)).first()
        if gebruiker is None:
            basis = re.sub(r"[^a-z0-9._@-]", "-", naam.strip().lower())[:90] or "sso"
            basis = basis if NAAM.fullmatch(basis) else f"sso-{basis}"
            kandidaat, volgnummer = basis, 1
            while session.scalar(select(func.count()).select_from(Gebruiker).where(Gebruiker.naam == kandidaat)):
                volgnummer += 1
                kandidaat = f"{basis}-{volgnummer}"
            gebruiker = Gebruiker(naam=kandidaat, weergavenaam=weergavenaam or kandidaat, soort="mens",
                                  sso_subject=subject, email=email, totp_verplicht=False, actief=True,
                                  werkgever_id=werkgever_id, mislukte_pogingen=0, aangemaakt_op=now,
                                  aangemaakt_door="sso")
            session.add(gebruiker)
            session.flush()
        if not gebruiker.actief:
            raise Geweigerd("geweigerd: dit account is geblokkeerd; neem contact op met een beheerder")
        if (gebruiker.werkgever_id or None) != (werkgever_id or None):
            raise Geweigerd("geweigerd: dit account hoort bij een andere werkgever")
        oud = rollen_van(session, gebruiker.id)
        nieuw = frozenset(rollen)
        if oud != nieuw:
            session.execute(delete(GebruikerRol).where(GebruikerRol.gebruiker_id == gebruiker.id))
            for rol in sorted(nieuw):
                session.add(GebruikerRol(gebruiker_id=gebruiker.id, rol=rol.value, toegekend_door_id=None,
                                         toegekend_op=now))
        wie = Identiteit(gebruiker.id, gebruiker.naam, nieuw, "sso", client_adres=client_adres)
        if oud != nieuw:
            audit.vastleggen(session, wie, "rollen_via_sso", now, van=sorted(oud), naar=sorted(nieuw))
        audit.vastleggen(session, wie, "aangemeld", now, bron="sso")
        session.flush()
        return identiteit(session, gebruiker, "sso", client_adres)


def sessies_opruimen(engine: Engine, ouder_dan: dt.datetime) -> int:
    with Session(engine) as session, session.begin():
        return session.execute(delete(WebSessie).where(WebSessie.laatst_gezien_op < ouder_dan)).rowcount


__all__ = ["AanmeldFout", "Aanmelding", "GebruikerFout", "GebruikerInfo", "account_identiteit",
           "aanmelden", "eerste_beheerder", "identiteit", "lijst", "parse_rollen", "sso_gebruiker",
           "systeem_identiteit", "systeemaccount", "totp_controleren", "vereist", "ververs",
           "voeg_toe", "web_identiteit", "zet_actief", "zet_rollen", "zet_totp_verplicht",
           "zet_wachtwoord"]
