"""Logging in and out (interfaces §5: ``/login`` with ``gebruikersnaam`` and ``wachtwoord``),
the TOTP second factor, and changing one's own password.

A password is checked by the application layer (Argon2id, a temporary lockout after repeated
wrong passwords, ``lks.app.gebruikers.aanmelden``); on top of that this module slows down one
client address that tries many names (a lockout per account does not stop that). At every
login the session gets a new token."""
from __future__ import annotations

import collections
import datetime as dt
import threading
import time

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for

from lks.app.identiteit import Actie
from lks.web.kern import client_adres, ingelogd, omgeving, openbaar, pagina

bp = Blueprint("aanmelden", __name__)

PER_ADRES = 30                 # failed logins per client address …
VENSTER = 15 * 60              # … within this many seconds, then that address waits


class _Rem:
    """Failed logins per client address in a sliding window (per process)."""

    def __init__(self):
        self._mislukt: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._slot = threading.Lock()

    def geblokkeerd(self, adres: str) -> bool:
        with self._slot:
            rij = self._mislukt[adres]
            grens = time.monotonic() - VENSTER
            while rij and rij[0] < grens:
                rij.popleft()
            return len(rij) >= PER_ADRES

    def mislukt(self, adres: str) -> None:
        with self._slot:
            self._mislukt[adres].append(time.monotonic())


rem = _Rem()


def veilig_pad(doel: str) -> bool:
    """A path of this application, and nothing a browser could read as another site: one
    leading slash, no backslash, no control character or space (browsers drop a tab or newline
    from a URL, so ``/<tab>/evil.example`` would become ``//evil.example``), no scheme or host."""
    from urllib.parse import urlsplit
    if not doel.startswith("/") or doel.startswith("//") or len(doel) > 2000:
        return False
    if any(c == "\\" or ord(c) <= 0x20 or ord(c) == 0x7F for c in doel):
        return False
    delen = urlsplit(doel)
    return not delen.scheme and not delen.netloc


def _volgende(standaard: str) -> str:
    """Only a path of this application: never an open redirect to another site."""
    doel = request.values.get("volgende", "")
    return doel if veilig_pad(doel) else standaard


def _startpagina(wie) -> str:
    if wie.mag(Actie.PORTAAL):
        return url_for("portaal.overzicht")
    if wie.mag(Actie.LEZEN):
        return url_for("medewerkers.overzicht")
    if wie.mag(Actie.GEBRUIKERS_BEHEREN):
        return url_for("medewerkers.beheer")
    return url_for("aanmelden.login")


def inloggen(gebruiker_id: int, bron: str) -> None:
    """A fresh session for a user who proved who they are."""
    session.clear()
    session.vernieuw()
    session["gebruiker_id"] = gebruiker_id
    session["bron"] = bron
    session["sinds"] = dt.datetime.now(dt.timezone.utc).isoformat()


@bp.route("/")
@openbaar
def start():
    if g.wie is None:
        return redirect(url_for("aanmelden.login"))
    return redirect(_startpagina(g.wie))


@bp.route("/login", methods=["GET", "POST"])
@openbaar
def login():
    from lks.app.gebruikers import AanmeldFout, aanmelden
    settings = omgeving().settings
    fout = None
    if request.method == "GET" and (getattr(session, "verlopen", False) or request.args.get("verlopen") == "1"):
        fout = "Uw sessie is verlopen. Log opnieuw in."
    elif request.method == "GET" and request.args.get("geblokkeerd") == "1":
        fout = ("Het huidige wachtwoord klopte niet. Na te veel verkeerde wachtwoorden is uw account tijdelijk "
                "geblokkeerd; u bent uitgelogd.")
    if request.method == "POST":
        adres = client_adres() or "?"
        naam = request.form.get("gebruikersnaam", "").strip()[:100]
        if rem.geblokkeerd(adres):
            fout = "Te veel mislukte pogingen vanaf dit adres. Probeer het over een kwartier opnieuw."
        else:
            try:
                aanmelding = aanmelden(omgeving().engine, naam, request.form.get("wachtwoord", ""),
                                       max_pogingen=settings.web.max_pogingen,
                                       blokkade=dt.timedelta(minutes=settings.web.blokkade_minuten),
                                       client_adres=adres)
            except AanmeldFout as exc:
                rem.mislukt(adres)
                fout = str(exc)[:1].upper() + str(exc)[1:] + "."
            else:
                if aanmelding.stap == "klaar":
                    inloggen(aanmelding.gebruiker_id, "wachtwoord")
                    from lks.app.gebruikers import web_identiteit
                    wie = web_identiteit(omgeving().engine, aanmelding.gebruiker_id, "wachtwoord", adres)
                    return redirect(_volgende(_startpagina(wie)))
                session.clear()
                session.vernieuw()
                session["half_id"] = aanmelding.gebruiker_id
                session["volgende"] = _volgende("")
                return redirect(url_for("aanmelden.tweede_factor"))
    status = 200 if fout is None else 401
    sso = [(naam, c) for naam, c in (("medewerkers", settings.sso.medewerkers),
                                     ("werkgevers", settings.sso.werkgevers)) if c is not None]
    return pagina("aanmelden/login.html", fout=fout, sso=sso, volgende=_volgende("")), status


@bp.route("/login/tweede-factor", methods=["GET", "POST"])
@openbaar
def tweede_factor():
    """The TOTP code after a correct password; or, the first time, setting the factor up."""
    from lks.app.gebruikers import (AanmeldFout, nieuw_totp_geheim, totp_controleren, totp_uri,
                                    web_identiteit)
    from lks.db.models_gebruiker import Gebruiker
    from sqlalchemy.orm import Session
    half = session.get("half_id")
    if half is None:
        return redirect(url_for("aanmelden.login"))
    engine = omgeving().engine
    with Session(engine) as s:
        gebruiker = s.get(Gebruiker, int(half))
        if gebruiker is None:
            abort(403)
        instellen = gebruiker.totp_geheim is None
        naam = gebruiker.naam
    if instellen and "totp_nieuw" not in session:
        session["totp_nieuw"] = nieuw_totp_geheim()
    fout = None
    settings = omgeving().settings
    if request.method == "POST":
        try:
            totp_controleren(engine, int(half), request.form.get("code", ""),
                             nieuw_geheim=session.get("totp_nieuw") if instellen else None,
                             client_adres=client_adres(), max_pogingen=settings.web.max_pogingen,
                             blokkade=dt.timedelta(minutes=settings.web.blokkade_minuten))
        except AanmeldFout as exc:
            fout = str(exc)[:1].upper() + str(exc)[1:] + "."
        else:
            volgende = session.get("volgende") or ""
            inloggen(int(half), "wachtwoord")
            wie = web_identiteit(engine, int(half), "wachtwoord", client_adres())
            return redirect(volgende or _startpagina(wie))
    qr = geheim = None
    if instellen:
        geheim = session["totp_nieuw"]
        qr = _qr_svg(totp_uri(geheim, naam, f"lks {settings.gemeente.naam}"))
    return pagina("aanmelden/tweede_factor.html", fout=fout, instellen=instellen, qr=qr,
                  geheim=" ".join(geheim[i:i + 4] for i in range(0, len(geheim), 4)) if geheim else None), \
        200 if fout is None else 401


def _qr_svg(tekst: str) -> str:
    import io

    import segno
    uit = io.BytesIO()
    segno.make(tekst, error="m").save(uit, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5,
                                      title="QR-code voor de authenticator-app")
    return uit.getvalue().decode("ascii")


@bp.route("/uitloggen", methods=["POST"])
@openbaar
def uitloggen():
    if g.wie is not None:
        from sqlalchemy.orm import Session

        from lks.app import audit
        with Session(omgeving().engine) as s, s.begin():
            audit.vastleggen(s, g.wie, "afgemeld", dt.datetime.now(dt.timezone.utc))
    session.clear()
    flash("U bent uitgelogd.", "ok")
    return redirect(url_for("aanmelden.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@ingelogd
def wachtwoord():
    """Change one's own password (any logged-in user with a local password)."""
    from lks.app.gebruikers import GebruikerFout, WachtwoordGeblokkeerd, wijzig_eigen_wachtwoord
    settings = omgeving().settings
    fout = None
    if request.method == "POST":
        nieuw = request.form.get("nieuw", "")
        if nieuw != request.form.get("herhaal", ""):
            fout = "De twee nieuwe wachtwoorden zijn niet gelijk."
        else:
            try:
                wijzig_eigen_wachtwoord(omgeving().engine, g.wie, request.form.get("huidig", ""), nieuw,
                                        max_pogingen=settings.web.max_pogingen,
                                        blokkade=dt.timedelta(minutes=settings.web.blokkade_minuten))
            except WachtwoordGeblokkeerd:  # its sessions have ended (their rows are gone), this one too
                session.clear()
                return redirect(url_for("aanmelden.login", geblokkeerd=1))
            except GebruikerFout as exc:
                fout = str(exc)[:1].upper() + str(exc)[1:] + "."
            else:
                session.vernieuw()
                flash("Uw wachtwoord is gewijzigd.", "ok")
                return redirect(_startpagina(g.wie))
    return pagina("aanmelden/wachtwoord.html", fout=fout), 200 if fout is None else 400


__all__ = ["bp", "inloggen"]
