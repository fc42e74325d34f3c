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

Four eyes on user administration: a change that gives an account power or touches its
credentials (a new account, roles added, a password set, the second factor switched off, an
account linked, access given back) is a request (``gebruikerswijziging``) that takes effect
only when a second beheerder confirms it, never the requester nor the account concerned
(also a CHECK constraint). Otherwise one beheerder could make a straw man with a goedkeurder
role and a password they know, and approve their own betaalrun through it. A change that only
reduces power (roles withdrawn, an account blocked, a second factor required) takes effect at
once. The set-up phase (opzetfase): while there is only one active beheerder, nobody could
confirm, so that beheerder's changes take effect at once, each kept as made in the opzetfase
(audit log, ``lks gebruiker list``, the Beheer page). Once two active beheerders exist the
phase is over for good: withdrawing or blocking a beheerder that would leave one is refused.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from lks.app import audit
from lks.app.identiteit import Actie, Geweigerd, Identiteit, Rol
from lks.db.models_gebruiker import Gebruiker, GebruikerRol, Gebruikerswijziging, WebSessie

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
    opzetfase: bool = False
    """A change concerning this user took effect in the opzetfase (one beheerder, no second)."""


@dataclass(frozen=True)
class Wijziging:
    """A change to a user that a second beheerder confirms (or one made in the opzetfase)."""
    id: int
    soort: str
    gebruiker: str
    omschrijving: str
    aangevraagd_door: str
    aangevraagd_op: dt.datetime
    status: str
    opzetfase: bool
    beoordeeld_door: str | None
    beoordeeld_op: dt.datetime | None
    reden: str | None

    @property
    def wacht(self) -> bool:
        return self.status == "wacht"


@dataclass(frozen=True)
class Uitkomst:
    """What a beheerder's change did: ``info`` is the user as now (None while a new account
    waits to be made); ``wijziging`` the request (None for a change that only reduces power,
    which needs none)."""
    info: GebruikerInfo | None
    wijziging: Wijziging | None = None

    @property
    def wacht(self) -> bool:
        return self.wijziging is not None and self.wijziging.wacht


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
             werkgever_id: str | None = None, now: dt.datetime | None = None) -> Uitkomst:
    """A new user with roles, asked by ``door`` (a beheerder); made when a second beheerder
    confirms (at once in the opzetfase)."""
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
    gegevens = dict(rollen=[r.value for r in rollen], account=account or None,
                    weergavenaam=(weergavenaam or naam).strip(), email=email, werkgever_id=werkgever_id,
                    wachtwoord_hash=_hasher().hash(wachtwoord) if wachtwoord else None)
    with Session(engine) as session, session.begin():
        rij = _vraag_aan(session, door, "toevoegen", naam, gegevens, now)
        return _uitkomst(session, rij)


def _eigen_account(door: Identiteit, gebruiker: Gebruiker, wat: str) -> None:
    if gebruiker.id == door.gebruiker_id:
        raise Geweigerd(f"geweigerd: een beheerder kan niet {wat} van zichzelf wijzigen; "
                        "een andere beheerder moet dat doen")


def _gebruiker(session: Session, naam: str, systeem: bool = False) -> Gebruiker:
    gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == naam.strip().lower())).first()
    if gebruiker is None:
        raise GebruikerFout(f"gebruiker {naam} bestaat niet")
    if gebruiker.soort == "systeem" and not systeem:
        raise GebruikerFout(f"{naam} is een systeemgebruiker en kan niet worden gewijzigd")
    return gebruiker


def zet_rollen(engine: Engine, door: Identiteit, naam: str, rollen,
               now: dt.datetime | None = None) -> Uitkomst:
    """Replace a user's roles. Never one's own: another beheerder must. Roles withdrawn are
    gone at once; roles added wait for a second beheerder (at once in the opzetfase)."""
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
        weg = sorted(oud - set(rollen))
        erbij = [r for r in rollen if r not in oud]
        if Rol.BEHEERDER in weg and gebruiker.actief:
            _blijven_twee_beheerders(session, gebruiker.naam)
        if weg:
            session.execute(delete(GebruikerRol).where(GebruikerRol.gebruiker_id == gebruiker.id,
                                                       GebruikerRol.rol.in_([r.value for r in weg])))
            audit.vastleggen(session, door, "rollen_ingetrokken", now, gebruiker=gebruiker.naam,
                             rollen=[r.value for r in weg])
        rij = (_vraag_aan(session, door, "rollen", gebruiker.naam, {"rollen": [r.value for r in erbij]}, now)
               if erbij else None)
        return _uitkomst(session, rij, gebruiker)


def koppel_account(engine: Engine, door: Identiteit, naam: str, account: str | None,
                   now: dt.datetime | None = None) -> Uitkomst:
    """Link a user to the operating-system account or database login role it uses on the
    command line (None: unlink, at once). Also for the scheduler's system user, whose service
    account runs ``lks scheduler``. Never one's own link; a link waits for a second beheerder
    (at once in the opzetfase): whoever runs as that account acts as that user."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    account = (account or "").strip() or None
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam, systeem=True)
        _eigen_account(door, gebruiker, "het account")
        if account is None:
            gebruiker.account = None
            audit.vastleggen(session, door, "account_gekoppeld", now, gebruiker=gebruiker.naam, account=None)
            return _uitkomst(session, None, gebruiker)
        rij = _vraag_aan(session, door, "account", gebruiker.naam, {"account": account}, now)
        return _uitkomst(session, rij, gebruiker)


def zet_actief(engine: Engine, door: Identiteit, naam: str, actief: bool,
               now: dt.datetime | None = None) -> Uitkomst:
    """Disable a user (at once; their web sessions end) or give them access again (waits for a
    second beheerder, at once in the opzetfase)."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "de toegang")
        if actief:
            rij = _vraag_aan(session, door, "activeren", gebruiker.naam, {}, now)
            return _uitkomst(session, rij, gebruiker)
        if gebruiker.actief and Rol.BEHEERDER in rollen_van(session, gebruiker.id):
            _blijven_twee_beheerders(session, gebruiker.naam)
        gebruiker.actief = False
        session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
        audit.vastleggen(session, door, "gebruiker_geblokkeerd", now, gebruiker=gebruiker.naam)
        return _uitkomst(session, None, gebruiker)


def zet_totp_verplicht(engine: Engine, door: Identiteit, naam: str, verplicht: bool,
                       now: dt.datetime | None = None) -> Uitkomst:
    """Require a second factor (at once; the user sets it up at the next login), or no longer
    require it (waits for a second beheerder, at once in the opzetfase)."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "de tweede factor")
        if not verplicht:
            rij = _vraag_aan(session, door, "totp_uit", gebruiker.naam, {}, now)
            return _uitkomst(session, rij, gebruiker)
        gebruiker.totp_verplicht = True
        audit.vastleggen(session, door, "totp_verplicht", now, gebruiker=gebruiker.naam)
        return _uitkomst(session, None, gebruiker)


def zet_wachtwoord(engine: Engine, door: Identiteit, naam: str, wachtwoord: str,
                   now: dt.datetime | None = None) -> Uitkomst:
    """A beheerder sets another user's password (the user changes it after logging in); it
    takes effect when a second beheerder confirms (at once in the opzetfase). Only its Argon2
    hash is kept while it waits."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        gebruiker = _gebruiker(session, naam)
        _eigen_account(door, gebruiker, "het wachtwoord")
        check_wachtwoord(wachtwoord, gebruiker.naam)
        rij = _vraag_aan(session, door, "wachtwoord", gebruiker.naam,
                         {"wachtwoord_hash": _hasher().hash(wachtwoord)}, now)
        return _uitkomst(session, rij, gebruiker)


# --------------------------------------------------------------------------- four eyes

def actieve_beheerders(session: Session) -> int:
    return session.scalar(
        select(func.count(func.distinct(Gebruiker.id))).select_from(Gebruiker)
        .join(GebruikerRol, GebruikerRol.gebruiker_id == Gebruiker.id)
        .where(Gebruiker.actief.is_(True), Gebruiker.soort == "mens", GebruikerRol.rol == Rol.BEHEERDER.value))


def in_opzetfase(engine: Engine) -> bool:
    """The set-up phase: at most one active beheerder, whose changes take effect at once."""
    with Session(engine) as session:
        return actieve_beheerders(session) <= 1


def _blijven_twee_beheerders(session: Session, naam: str) -> None:
    """After the opzetfase there are always two active beheerders: else the one left would be
    back in the opzetfase, alone, and four eyes would be gone."""
    if actieve_beheerders(session) == 2:
        raise GebruikerFout(f"{naam} is een van de twee actieve beheerders; er blijven er altijd minstens "
                            "twee (vier ogen): laat eerst een andere beheerder toevoegen en bevestigen")


def _openbaar(gegevens: dict) -> dict:
    """What the audit log and the pages show of a change: never a password hash."""
    return {k: v for k, v in gegevens.items() if k != "wachtwoord_hash" and v not in (None, [], "")}


def _omschrijving(soort: str, naam: str, gegevens: dict) -> str:
    if soort == "toevoegen":
        return (f"nieuwe gebruiker {naam} met de rol(len) {', '.join(gegevens.get('rollen') or [])}"
                + (f", gekoppeld aan account {gegevens['account']}" if gegevens.get("account") else "")
                + (f", werkgever {gegevens['werkgever_id']}" if gegevens.get("werkgever_id") else "")
                + (", met wachtwoord" if gegevens.get("wachtwoord_hash") else ""))
    return {
        "rollen": f"rol(len) {', '.join(gegevens.get('rollen') or [])} erbij voor {naam}",
        "wachtwoord": f"nieuw wachtwoord voor {naam}",
        "totp_uit": f"tweede factor niet meer verplicht voor {naam}",
        "account": f"{naam} koppelen aan account {gegevens.get('account')}",
        "activeren": f"{naam} weer toegang geven",
    }[soort]


def _wijziging(rij: Gebruikerswijziging) -> Wijziging:
    return Wijziging(id=rij.id, soort=rij.soort, gebruiker=rij.gebruiker,
                     omschrijving=_omschrijving(rij.soort, rij.gebruiker, json.loads(rij.gegevens)),
                     aangevraagd_door=rij.aangevraagd_door, aangevraagd_op=rij.aangevraagd_op,
                     status=rij.status, opzetfase=rij.opzetfase, beoordeeld_door=rij.beoordeeld_door,
                     beoordeeld_op=rij.beoordeeld_op, reden=rij.reden)


def _uitkomst(session: Session, rij: Gebruikerswijziging | None, gebruiker: Gebruiker | None = None) -> Uitkomst:
    session.flush()
    if gebruiker is None and rij is not None:
        gebruiker = session.scalars(select(Gebruiker).where(Gebruiker.naam == rij.gebruiker)).first()
    return Uitkomst(_info(session, gebruiker) if gebruiker is not None else None,
                    _wijziging(rij) if rij is not None else None)


def _controleer(session: Session, soort: str, naam: str, gegevens: dict) -> Gebruiker | None:
    """The change can be made on the database as it is now (asked, and again when confirmed)."""
    if soort == "toevoegen":
        if session.scalar(select(func.count()).select_from(Gebruiker).where(Gebruiker.naam == naam)):
            raise GebruikerFout(f"gebruiker {naam} bestaat al")
        werkgever_id = gegevens.get("werkgever_id")
        _account_vrij(session, gegevens.get("account"))
        if werkgever_id and not _werkgever_bestaat(session, werkgever_id):
            raise GebruikerFout(f"werkgever {werkgever_id} is niet bekend")
        return None
    gebruiker = _gebruiker(session, naam, systeem=soort == "account")
    if soort == "rollen" and (Rol.WERKGEVER.value in gegevens["rollen"]) != (gebruiker.werkgever_id is not None):
        raise GebruikerFout("een werkgeversaccount blijft een werkgeversaccount en een account van de "
                            "gemeente krijgt geen werkgeversrol: maak een nieuw account")
    if soort == "account":
        _account_vrij(session, gegevens["account"], gebruiker.id)
    return gebruiker


def _account_vrij(session: Session, account: str | None, behalve: int | None = None) -> None:
    """An operating-system or database account belongs to one lks user at most."""
    if not account:
        return
    query = select(func.count()).select_from(Gebruiker).where(Gebruiker.account == account)
    if behalve is not None:
        query = query.where(Gebruiker.id != behalve)
    if session.scalar(query):
        raise GebruikerFout(f"account '{account}' is al aan een andere gebruiker gekoppeld")


def _vraag_aan(session: Session, door: Identiteit, soort: str, naam: str, gegevens: dict,
               now: dt.datetime) -> Gebruikerswijziging:
    """Record a change that gives power or touches credentials. In the opzetfase it takes
    effect at once (and says so); otherwise it waits for a second beheerder."""
    _controleer(session, soort, naam, gegevens)
    wachtend = session.scalar(select(Gebruikerswijziging.id).where(
        Gebruikerswijziging.status == "wacht", Gebruikerswijziging.soort == soort,
        Gebruikerswijziging.gebruiker == naam))
    if wachtend is not None:
        raise GebruikerFout(f"voor {naam} wacht al zo'n wijziging (nummer {wachtend}); een andere beheerder "
                            "bevestigt of wijst die eerst af")
    opzetfase = actieve_beheerders(session) <= 1
    rij = Gebruikerswijziging(soort=soort, gebruiker=naam, gegevens=json.dumps(gegevens, sort_keys=True),
                              aangevraagd_door=door.naam, aangevraagd_op=now,
                              status="bevestigd" if opzetfase else "wacht", opzetfase=opzetfase,
                              beoordeeld_op=now if opzetfase else None)
    session.add(rij)
    session.flush()
    if opzetfase:
        _toepassen(session, rij, door, now)
    else:
        audit.vastleggen(session, door, "gebruikerswijziging_aangevraagd", now, wijziging=rij.id, soort=soort,
                         gebruiker=naam, **_openbaar(gegevens))
    return rij


def _toepassen(session: Session, rij: Gebruikerswijziging, door: Identiteit, now: dt.datetime) -> None:
    """Make the change: confirmed by ``door`` (a second beheerder), or ``door`` asked it in
    the opzetfase. Roles count as granted by the requester."""
    gegevens = json.loads(rij.gegevens)
    gebruiker = _controleer(session, rij.soort, rij.gebruiker, gegevens)
    aanvrager_id = session.scalar(select(Gebruiker.id).where(Gebruiker.naam == rij.aangevraagd_door))
    merk = dict(wijziging=rij.id, opzetfase=rij.opzetfase,
                **({} if rij.opzetfase else {"aangevraagd_door": rij.aangevraagd_door}))
    if rij.soort == "toevoegen":
        gebruiker = Gebruiker(naam=rij.gebruiker, weergavenaam=gegevens["weergavenaam"], soort="mens",
                              account=gegevens.get("account"), email=gegevens.get("email"),
                              wachtwoord_hash=gegevens.get("wachtwoord_hash"), totp_verplicht=False, actief=True,
                              werkgever_id=gegevens.get("werkgever_id"), mislukte_pogingen=0,
                              aangemaakt_op=now, aangemaakt_door=rij.aangevraagd_door)
        session.add(gebruiker)
        session.flush()
    if rij.soort in ("toevoegen", "rollen"):
        oud = rollen_van(session, gebruiker.id)
        for rol in gegevens["rollen"]:
            if rol not in oud:
                session.add(GebruikerRol(gebruiker_id=gebruiker.id, rol=rol, toegekend_door_id=aanvrager_id,
                                         toegekend_op=now))
    elif rij.soort == "wachtwoord":
        gebruiker.wachtwoord_hash = gegevens["wachtwoord_hash"]
        gebruiker.mislukte_pogingen, gebruiker.geblokkeerd_tot = 0, None
        session.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker.id))
    elif rij.soort == "totp_uit":
        gebruiker.totp_verplicht, gebruiker.totp_geheim = False, None
    elif rij.soort == "account":
        gebruiker.account = gegevens["account"]
    elif rij.soort == "activeren":
        gebruiker.actief = True
        gebruiker.mislukte_pogingen, gebruiker.geblokkeerd_tot = 0, None
    actie = {"toevoegen": "gebruiker_toegevoegd", "rollen": "rollen_toegekend", "wachtwoord": "wachtwoord_gezet",
             "totp_uit": "totp_uit", "account": "account_gekoppeld", "activeren": "gebruiker_geactiveerd"}[rij.soort]
    audit.vastleggen(session, door, actie, now, gebruiker=rij.gebruiker, **_openbaar(gegevens), **merk)
    session.flush()


def _wijziging_rij(session: Session, door: Identiteit, wijziging_id: int, wat: str) -> Gebruikerswijziging:
    rij = session.get(Gebruikerswijziging, wijziging_id, with_for_update=True)
    if rij is None:
        raise GebruikerFout(f"wijziging {wijziging_id} bestaat niet")
    if rij.status != "wacht":
        raise GebruikerFout(f"wijziging {wijziging_id} is al {rij.status}")
    if rij.aangevraagd_door == door.naam:
        raise Geweigerd(f"geweigerd: vier-ogenprincipe: {door.naam} heeft wijziging {wijziging_id} zelf "
                        f"aangevraagd en mag haar niet {wat}; een andere beheerder moet dat doen")
    if rij.gebruiker == door.naam:
        raise Geweigerd(f"geweigerd: vier-ogenprincipe: wijziging {wijziging_id} gaat over {door.naam} zelf; "
                        f"een andere beheerder moet haar {wat}")
    return rij


def bevestig(engine: Engine, door: Identiteit, wijziging_id: int, now: dt.datetime | None = None) -> Uitkomst:
    """A second beheerder confirms a waiting change: it takes effect now."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    with Session(engine) as session, session.begin():
        rij = _wijziging_rij(session, door, wijziging_id, "bevestigen")
        aanvrager = session.scalars(select(Gebruiker).where(Gebruiker.naam == rij.aangevraagd_door)).first()
        if aanvrager is None or not aanvrager.actief or Rol.BEHEERDER not in rollen_van(session, aanvrager.id):
            raise GebruikerFout(f"{rij.aangevraagd_door} is geen actieve beheerder meer; wijs wijziging "
                                f"{wijziging_id} af")
        # conditional: a second confirmation at the same moment changes nothing twice
        if session.execute(update(Gebruikerswijziging).where(
                Gebruikerswijziging.id == rij.id, Gebruikerswijziging.status == "wacht").values(
                status="bevestigd", beoordeeld_door=door.naam, beoordeeld_op=now)
                .execution_options(synchronize_session=False)).rowcount != 1:
            raise GebruikerFout(f"wijziging {wijziging_id} is al beoordeeld")
        session.refresh(rij)
        audit.vastleggen(session, door, "gebruikerswijziging_bevestigd", now, wijziging=rij.id, soort=rij.soort,
                         gebruiker=rij.gebruiker, aangevraagd_door=rij.aangevraagd_door)
        _toepassen(session, rij, door, now)
        return _uitkomst(session, rij)


def wijs_af(engine: Engine, door: Identiteit, wijziging_id: int, reden: str,
            now: dt.datetime | None = None) -> Wijziging:
    """A second beheerder rejects a waiting change, with a reason: nothing changes."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    now = now or _nu()
    reden = (reden or "").strip()
    if not reden:
        raise GebruikerFout("geef een reden voor de afwijzing")
    with Session(engine) as session, session.begin():
        rij = _wijziging_rij(session, door, wijziging_id, "afwijzen")
        rij.status, rij.beoordeeld_door, rij.beoordeeld_op, rij.reden = "afgewezen", door.naam, now, reden
        audit.vastleggen(session, door, "gebruikerswijziging_afgewezen", now, wijziging=rij.id, soort=rij.soort,
                         gebruiker=rij.gebruiker, aangevraagd_door=rij.aangevraagd_door, reden=reden)
        session.flush()
        return _wijziging(rij)


def wijzigingen(engine: Engine, door: Identiteit, *, status: str | None = "wacht",
                opzetfase: bool | None = None) -> list[Wijziging]:
    """Changes to users: by default those waiting for a second beheerder (oldest first);
    ``opzetfase=True``: those one beheerder made alone in the set-up phase."""
    door = vereist(engine, door, Actie.GEBRUIKERS_BEHEREN)
    query = select(Gebruikerswijziging).order_by(Gebruikerswijziging.id)
    if status is not None:
        query = query.where(Gebruikerswijziging.status == status)
    if opzetfase is not None:
        query = query.where(Gebruikerswijziging.opzetfase.is_(opzetfase))
    with Session(engine) as session:
        return [_wijziging(rij) for rij in session.scalars(query)]


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
                         werkgever_id=g.werkgever_id, geblokkeerd_tot=g.geblokkeerd_tot,
                         opzetfase=bool(session.scalar(select(func.count()).select_from(Gebruikerswijziging).where(
                             Gebruikerswijziging.gebruiker == g.naam, Gebruikerswijziging.opzetfase.is_(True)))))


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
        # kept as the first change of the opzetfase: granted by nobody, confirmed by nobody
        session.add(Gebruikerswijziging(soort="toevoegen", gebruiker=naam, aangevraagd_door=naam,
                                        gegevens=json.dumps(dict(rollen=[r.value for r in rollen], account=account,
                                                                 weergavenaam=gebruiker.weergavenaam),
                                                            sort_keys=True),
                                        aangevraagd_op=now, status="bevestigd", opzetfase=True, beoordeeld_op=now))
        audit.vastleggen(session, wie, "eerste_beheerder", now, account=account, rollen=[r.value for r in rollen],
                         opzetfase=True)
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


__all__ = ["AanmeldFout", "Aanmelding", "GebruikerFout", "GebruikerInfo", "Uitkomst", "Wijziging",
           "account_identiteit", "aanmelden", "bevestig", "eerste_beheerder", "identiteit", "in_opzetfase",
           "lijst", "parse_rollen", "sso_gebruiker", "systeem_identiteit", "systeemaccount",
           "totp_controleren", "vereist", "ververs", "voeg_toe", "web_identiteit", "wijs_af", "wijzigingen",
           "zet_actief", "zet_rollen", "zet_totp_verplicht", "zet_wachtwoord"]
