"""Sessions and login (issue 16 §2 and §5): the session cookie's flags, a new session token at
login, the idle timeout, logout, a blocked user's session, the lockout after wrong passwords
and the per-address throttle, the TOTP second factor, changing one's own password, and no
open redirect through ``volgende``. Time passes by editing the database, never by sleeping."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import AuditLog
from lks.db.models_gebruiker import Gebruiker, WebSessie
from lks.web.sessies import COOKIE
from tests.foundation.helpers import TESTWACHTWOORD

from .conftest import csrf, inloggen
from .test_rollen import staat

UTC = dt.timezone.utc


def _set_cookie(antwoord) -> str:
    kop = [h for h in antwoord.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    assert len(kop) == 1, antwoord.headers.getlist("Set-Cookie")
    return kop[0]


def _token(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _sessies(engine, naam: str | None = None) -> list[WebSessie]:
    with Session(engine) as s:
        query = select(WebSessie)
        if naam is not None:
            query = query.join(Gebruiker, Gebruiker.id == WebSessie.gebruiker_id).where(Gebruiker.naam == naam)
        return list(s.scalars(query))


def _gebruiker(engine, naam: str) -> Gebruiker:
    with Session(engine) as s:
        return s.scalars(select(Gebruiker).where(Gebruiker.naam == naam)).one()


def _ingelogd(client) -> bool:
    return client.get("/account/wachtwoord").status_code == 200


# --------------------------------------------------------------------------- the cookie

def test_cookie_flags_over_http(web):
    c = web.test_client()
    kop = _set_cookie(inloggen(c, "piet")).lower()
    assert "httponly" in kop and "samesite=lax" in kop and "path=/" in kop
    assert "secure" not in kop  # plain http (a local `lks serve`): a Secure cookie would never come back
    assert "expires" not in kop and "max-age" not in kop  # a browser session cookie; the server keeps the clock


def test_cookie_is_secure_over_https_with_hsts(web):
    c = web.test_client()
    pagina = c.get("/login", base_url="https://localhost")
    antwoord = c.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                      data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD, "csrf_token": csrf(pagina)})
    assert antwoord.status_code == 302
    kop = _set_cookie(antwoord).lower()
    assert "secure" in kop and "httponly" in kop and "samesite=lax" in kop
    assert antwoord.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_database_holds_only_a_hash_of_the_token(web, engine):
    c = web.test_client()
    inloggen(c, "piet")
    token = _token(c)
    assert len(token) >= 43  # 256 bits
    [rij] = _sessies(engine, "piet")
    assert rij.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in rij.data


# --------------------------------------------------------------------------- session lifetime

def test_login_gives_a_new_session_token(web, engine):
    """Session fixation: a token known before login (planted by an attacker) opens nothing after."""
    c = web.test_client()
    c.get("/login")
    voor = _token(c)
    assert voor
    inloggen(c, "piet")
    na = _token(c)
    assert na and na != voor
    aanvaller = web.test_client()
    aanvaller.set_cookie(COOKIE, voor)
    assert aanvaller.get("/overzicht").status_code == 302
    assert {s.token_hash for s in _sessies(engine)} == {hashlib.sha256(na.encode()).hexdigest()} | \
        {s.token_hash for s in _sessies(engine) if s.gebruiker_id is None}
    assert hashlib.sha256(voor.encode()).hexdigest() not in {s.token_hash for s in _sessies(engine)}


def _veroudert(engine, naam: str, minuten: int) -> None:
    with Session(engine) as s, s.begin():
        gid = s.scalars(select(Gebruiker.id).where(Gebruiker.naam == naam)).one()
        s.execute(update(WebSessie).where(WebSessie.gebruiker_id == gid)
                  .values(laatst_gezien_op=dt.datetime.now(UTC) - dt.timedelta(minutes=minuten)))


def test_idle_timeout(web, als, engine):
    minuten = web.extensions["lks"].settings.web.sessie_minuten
    piet = als("piet")
    _veroudert(engine, "piet", minuten - 1)
    assert piet.get("/overzicht").status_code == 200  # still within the timeout: and the clock starts again
    assert _sessies(engine, "piet")[0].laatst_gezien_op > dt.datetime.now(UTC) - dt.timedelta(minutes=1)
    _veroudert(engine, "piet", minuten + 1)
    antwoord = piet.get("/overzicht")
    assert antwoord.status_code == 302 and antwoord.headers["Location"].startswith("/login")
    assert _sessies(engine, "piet") == []  # removed, not merely refused
    assert "Uw sessie is verlopen" in piet.get(antwoord.headers["Location"]).get_data(as_text=True)
    # a POST with the old page's token does not act either
    voor = staat(engine)
    assert piet.post("/betaalruns/aanvragen", data={"periode": "2025-03"}).status_code in (401, 403)
    assert staat(engine) == voor


def test_logout_ends_the_session(web, als, engine):
    piet = als("piet")
    token = _token(piet)
    antwoord = piet.post("/uitloggen", data={"csrf_token": csrf(piet.get("/overzicht"))})
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login"
    assert "U bent uitgelogd" in piet.get("/login").get_data(as_text=True)
    assert _sessies(engine, "piet") == []
    assert not _ingelogd(piet)
    replay = web.test_client()  # someone who copied the cookie before logout
    replay.set_cookie(COOKIE, token)
    assert replay.get("/overzicht").status_code == 302
    with Session(engine) as s:
        afgemeld = s.scalars(select(AuditLog).where(AuditLog.actie == "afgemeld")).one()
        assert afgemeld.gebruiker == "piet" and afgemeld.client_adres == "127.0.0.1"


def test_a_blocked_user_is_out_at_once_and_roles_count_as_they_are_now(web, als, engine):
    piet, klaas, bea = als("piet"), als("klaas"), als("bea")
    piet_token = csrf(piet.get("/overzicht"))
    token = csrf(bea.get("/beheer"))
    assert bea.post("/beheer/gebruikers/piet/toegang", data={"actief": "0", "csrf_token": token}).status_code == 303
    assert _sessies(engine, "piet") == []
    assert piet.get("/overzicht").status_code == 302
    voor = staat(engine)
    assert piet.post("/betaalruns/aanvragen", data={"periode": "2025-03", "csrf_token": piet_token}).status_code in (401, 403)
    assert staat(engine) == voor
    weer = inloggen(web.test_client(), "piet")
    assert weer.status_code == 401 and "geblokkeerd" in weer.get_data(as_text=True)
    # a role taken away counts from the next request, not from the next login
    assert klaas.get("/betaalruns").status_code == 200
    assert bea.post("/beheer/gebruikers/klaas/rollen", data={"rol": ["controller"], "csrf_token": token}).status_code == 303
    assert klaas.get("/verantwoording").status_code == 200
    assert klaas.post("/betaalruns/2025-03/1/goedkeuren", data={"csrf_token": csrf(klaas.get("/betaalruns"))}
                      ).status_code == 403


def test_a_beheerder_cannot_block_or_promote_themselves(web, als, engine):
    bea = als("bea")
    token = csrf(bea.get("/beheer"))
    voor = staat(engine)
    assert bea.post("/beheer/gebruikers/bea/rollen", data={"rol": ["beheerder", "goedkeurder"],
                                                           "csrf_token": token}).status_code == 403
    assert bea.post("/beheer/gebruikers/bea/toegang", data={"actief": "0", "csrf_token": token}).status_code == 403
    assert staat(engine) == voor


# --------------------------------------------------------------------------- lockout and throttle

def test_lockout_after_repeated_wrong_passwords(web, engine):
    instellingen = web.extensions["lks"].settings.web
    c = web.test_client()
    for poging in range(instellingen.max_pogingen):
        antwoord = inloggen(c, "klaas", f"verkeerd-{poging}")
        assert antwoord.status_code == 401
    gebruiker = _gebruiker(engine, "klaas")
    assert gebruiker.geblokkeerd_tot is not None
    assert gebruiker.geblokkeerd_tot - dt.datetime.now(UTC) > dt.timedelta(minutes=instellingen.blokkade_minuten - 1)
    # even the right password is refused while locked, with a message that says so
    antwoord = inloggen(c, "klaas")
    assert antwoord.status_code == 401 and "tijdelijk geblokkeerd" in antwoord.get_data(as_text=True)
    assert not _ingelogd(c)
    with Session(engine) as s:
        acties = [a.actie for a in s.scalars(select(AuditLog).where(AuditLog.gebruiker == "klaas").order_by(AuditLog.id))]
    assert acties == ["aanmelding_mislukt"] * (instellingen.max_pogingen - 1) + \
        ["account_tijdelijk_geblokkeerd", "aanmelding_geblokkeerd"]
    # other accounts are not affected
    assert inloggen(web.test_client(), "bert").status_code == 302
    # the lockout window passes
    with Session(engine) as s, s.begin():
        s.execute(update(Gebruiker).where(Gebruiker.naam == "klaas")
                  .values(geblokkeerd_tot=dt.datetime.now(UTC) - dt.timedelta(seconds=1)))
    assert inloggen(c, "klaas").status_code == 302 and _ingelogd(c)
    gebruiker = _gebruiker(engine, "klaas")
    assert gebruiker.mislukte_pogingen == 0 and gebruiker.geblokkeerd_tot is None


def test_unknown_names_get_the_same_answer(web):
    c = web.test_client()
    onbekend = inloggen(c, "bestaat-niet", "wat-dan-ook")
    bekend = inloggen(c, "piet", "verkeerd")
    assert onbekend.status_code == bekend.status_code == 401
    melding = lambda a: re.search(r'role="alert"><p class="utrecht-paragraph">([^<]*)<', a.get_data(as_text=True)).group(1)  # noqa: E731
    assert melding(onbekend) == melding(bekend) == "Gebruikersnaam of wachtwoord onjuist."


def test_the_per_address_throttle(web, engine):
    """One address trying many names (each below its own lockout) is slowed down as a whole;
    another address is not."""
    from lks.web import aanmelden
    c = web.test_client()
    namen = ["piet", "mira", "klaas", "bert", "carla", "bea", "jan", "els", "kees", "anna"]
    for i in range(aanmelden.PER_ADRES):
        assert inloggen(c, namen[i % len(namen)], f"gok-{i}").status_code == 401
    assert all(_gebruiker(engine, n).geblokkeerd_tot is None for n in namen[:6])  # no account locked
    voor = staat(engine)
    antwoord = inloggen(c, "carla")  # right password, from the throttled address
    assert antwoord.status_code == 401 and "vanaf dit adres" in antwoord.get_data(as_text=True)
    assert not _ingelogd(c)
    assert staat(engine) == voor  # not even checked: no attempt counted
    ander = web.test_client()
    ander.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert inloggen(ander, "carla").status_code == 302


# --------------------------------------------------------------------------- TOTP

def _geheim(pagina) -> str:
    tekst = pagina.get_data(as_text=True)
    match = re.search(r'<code[^>]*id="totp-sleutel"[^>]*>([A-Z2-7 ]+)</code>', tekst)
    assert match, tekst[:3000]
    return match.group(1).replace(" ", "")


def test_totp_required_by_a_beheerder(web, als, engine):
    bea = als("bea")
    assert bea.post("/beheer/gebruikers/klaas/tweede-factor",
                    data={"verplicht": "1", "csrf_token": csrf(bea.get("/beheer"))}).status_code == 303
    c = web.test_client()
    antwoord = inloggen(c, "klaas")
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login/tweede-factor"
    assert c.get("/betaalruns").status_code == 302  # a password alone opens nothing
    pagina = c.get("/login/tweede-factor")
    tekst = pagina.get_data(as_text=True)
    assert "<svg" in tekst and "QR-code" in tekst
    geheim = _geheim(pagina)
    assert _gebruiker(engine, "klaas").totp_geheim is None  # not stored before a right code
    # a wrong code
    fout = c.post("/login/tweede-factor", data={"code": "000000" if pyotp.TOTP(geheim).now() != "000000" else "111111",
                                                "csrf_token": csrf(pagina)})
    assert fout.status_code == 401 and "De code klopt niet" in fout.get_data(as_text=True)
    assert not _ingelogd(c) and _gebruiker(engine, "klaas").totp_geheim is None
    # the right code from the authenticator app
    gebruikte_code = pyotp.TOTP(geheim).now()
    goed = c.post("/login/tweede-factor", data={"code": gebruikte_code, "csrf_token": csrf(fout)})
    assert goed.status_code == 302 and goed.headers["Location"] == "/overzicht"
    assert _ingelogd(c) and _gebruiker(engine, "klaas").totp_geheim == geheim
    # from now on every login asks the code, without showing the secret again
    d = web.test_client()
    assert inloggen(d, "klaas").headers["Location"] == "/login/tweede-factor"
    vraag = d.get("/login/tweede-factor").get_data(as_text=True)
    assert "<svg" not in vraag and geheim not in vraag.replace(" ", "")
    assert d.post("/login/tweede-factor", data={"code": "12345", "csrf_token": csrf(d.get("/login/tweede-factor"))}
                  ).status_code == 401
    # a code is used once (RFC 6238 §5.2): the one just used, seen over a shoulder, opens nothing
    hergebruik = d.post("/login/tweede-factor", data={"code": gebruikte_code,
                                                      "csrf_token": csrf(d.get("/login/tweede-factor"))})
    assert hergebruik.status_code == 401 and "al gebruikt" in hergebruik.get_data(as_text=True)
    assert not _ingelogd(d)
    volgende = pyotp.TOTP(geheim).at(dt.datetime.now(UTC) + dt.timedelta(seconds=30))  # the app's next code
    assert d.post("/login/tweede-factor", data={"code": volgende,
                                                "csrf_token": csrf(d.get("/login/tweede-factor"))}).status_code == 302
    assert _ingelogd(d)
    with Session(engine) as s:
        acties = [a.actie for a in s.scalars(select(AuditLog).where(AuditLog.gebruiker == "klaas").order_by(AuditLog.id))]
    assert acties == ["totp_mislukt", "totp_ingesteld", "aangemeld", "totp_mislukt", "totp_mislukt", "aangemeld"]


def test_wrong_totp_codes_lock_the_account_too(web, engine):
    from lks.app import gebruikers
    gebruikers.zet_totp_verplicht(engine, gebruikers.als(engine, "bea", "test"), "klaas", True)
    c = web.test_client()
    inloggen(c, "klaas")
    geheim = _geheim(c.get("/login/tweede-factor"))
    for _ in range(web.extensions["lks"].settings.web.max_pogingen):
        c.post("/login/tweede-factor", data={"code": "000000", "csrf_token": csrf(c.get("/login/tweede-factor"))})
    antwoord = c.post("/login/tweede-factor", data={"code": pyotp.TOTP(geheim).now(),
                                                    "csrf_token": csrf(c.get("/login/tweede-factor"))})
    assert antwoord.status_code == 401 and "geblokkeerd" in antwoord.get_data(as_text=True)
    assert not _ingelogd(c)


# --------------------------------------------------------------------------- own password

def test_changing_ones_own_password(web, als, engine):
    piet, elders = als("piet"), als("piet")  # piet is also logged in elsewhere
    pagina = piet.get("/account/wachtwoord")
    nieuw = "Een-beter-wachtwoord-2025"
    for velden, melding in [
        ({"huidig": TESTWACHTWOORD, "nieuw": nieuw, "herhaal": nieuw + "x"}, "niet gelijk"),
        ({"huidig": TESTWACHTWOORD, "nieuw": "kort", "herhaal": "kort"}, "minstens"),
    ]:
        voor = staat(engine)
        antwoord = piet.post("/account/wachtwoord", data={**velden, "csrf_token": csrf(pagina)})
        assert antwoord.status_code == 400 and melding in antwoord.get_data(as_text=True)
        assert staat(engine) == voor
    # a wrong current password changes no password and counts as a failed login (below)
    antwoord = piet.post("/account/wachtwoord", data={"huidig": "fout", "nieuw": nieuw, "herhaal": nieuw,
                                                      "csrf_token": csrf(pagina)})
    assert antwoord.status_code == 400 and "huidige wachtwoord klopt niet" in antwoord.get_data(as_text=True)
    assert _gebruiker(engine, "piet").mislukte_pogingen == 1
    oud_token = _token(piet)
    antwoord = piet.post("/account/wachtwoord", data={"huidig": TESTWACHTWOORD, "nieuw": nieuw, "herhaal": nieuw,
                                                      "csrf_token": csrf(pagina)})
    assert antwoord.status_code == 302
    assert _token(piet) != oud_token and _ingelogd(piet)  # this session goes on, with a new token
    assert not _ingelogd(elders)  # every other session of piet ends: a stolen one too
    assert inloggen(web.test_client(), "piet").status_code == 401
    assert inloggen(web.test_client(), "piet", nieuw).status_code == 302
    assert _gebruiker(engine, "piet").mislukte_pogingen == 0


def test_guessing_the_current_password_locks_the_account(web, als, engine):
    """Someone with a stolen session cannot guess the password through the own-password form
    without limit: wrong current passwords count with wrong logins, and at the limit the
    account locks and every session of the user ends (this one too)."""
    instellingen = web.extensions["lks"].settings.web
    piet, elders = als("piet"), als("piet")
    pagina = piet.get("/account/wachtwoord")
    nieuw = "Een-beter-wachtwoord-2025"
    inloggen(web.test_client(), "piet", "verkeerd-bij-het-inloggen")  # one wrong login first: one counter
    for poging in range(instellingen.max_pogingen - 2):
        antwoord = piet.post("/account/wachtwoord", data={"huidig": f"gok-{poging}", "nieuw": nieuw,
                                                          "herhaal": nieuw, "csrf_token": csrf(pagina)})
        assert antwoord.status_code == 400
    assert _ingelogd(piet) and _ingelogd(elders) and _gebruiker(engine, "piet").geblokkeerd_tot is None
    antwoord = piet.post("/account/wachtwoord", data={"huidig": "de-laatste-gok", "nieuw": nieuw, "herhaal": nieuw,
                                                      "csrf_token": csrf(pagina)})
    assert antwoord.status_code == 302 and antwoord.headers["Location"].startswith("/login")
    assert "tijdelijk geblokkeerd" in piet.get(antwoord.headers["Location"]).get_data(as_text=True)
    gebruiker = _gebruiker(engine, "piet")
    assert gebruiker.geblokkeerd_tot is not None
    assert gebruiker.geblokkeerd_tot - dt.datetime.now(UTC) > dt.timedelta(minutes=instellingen.blokkade_minuten - 1)
    assert not _ingelogd(piet) and not _ingelogd(elders)
    assert inloggen(web.test_client(), "piet").status_code == 401  # locked: even the right password
    with Session(engine) as s:
        acties = [a.actie for a in s.scalars(select(AuditLog).where(AuditLog.gebruiker == "piet")
                                             .where(AuditLog.actie.like("%account%") | AuditLog.actie.like("aanmelding%"))
                                             .order_by(AuditLog.id))]
    assert acties == ["aanmelding_mislukt"] * (instellingen.max_pogingen - 1) + \
        ["account_tijdelijk_geblokkeerd", "aanmelding_geblokkeerd"]


# --------------------------------------------------------------------------- volgende

def test_after_login_back_to_the_page_asked_for(web):
    c = web.test_client()
    antwoord = c.get("/betaalruns?x=1")
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/login?volgende=/betaalruns?x%3D1"
    pagina = c.get(antwoord.headers["Location"])
    antwoord = c.post("/login", data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD,
                                      "volgende": "/betaalruns?x=1", "csrf_token": csrf(pagina)})
    assert antwoord.headers["Location"] == "/betaalruns?x=1"


@pytest.mark.parametrize("volgende", [
    "https://kwaadwillend.example/", "//kwaadwillend.example/", "/\\kwaadwillend.example", "\\\\kwaadwillend.example",
    "/\t/kwaadwillend.example", "/\n/kwaadwillend.example", " //kwaadwillend.example", "https:kwaadwillend.example",
    "javascript:alert(1)", "/%2F%2Fkwaadwillend.example", "///kwaadwillend.example", "kwaadwillend.example",
])
def test_no_open_redirect_through_volgende(web, volgende):
    c = web.test_client()
    pagina = c.get("/login")
    antwoord = c.post("/login", data={"gebruikersnaam": "piet", "wachtwoord": TESTWACHTWOORD,
                                      "volgende": volgende, "csrf_token": csrf(pagina)})
    assert antwoord.status_code == 302
    doel = antwoord.headers["Location"]
    assert doel == "/overzicht" or (doel.startswith("/") and not doel.startswith("//")
                                    and re.fullmatch(r"/[A-Za-z0-9/_.%?=&-]*", doel)), doel


def test_no_open_redirect_after_the_second_factor(web, engine):
    from lks.app import gebruikers
    gebruikers.zet_totp_verplicht(engine, gebruikers.als(engine, "bea", "test"), "klaas", True)
    c = web.test_client()
    pagina = c.get("/login")
    c.post("/login", data={"gebruikersnaam": "klaas", "wachtwoord": TESTWACHTWOORD,
                           "volgende": "//kwaadwillend.example/", "csrf_token": csrf(pagina)})
    vraag = c.get("/login/tweede-factor")
    antwoord = c.post("/login/tweede-factor", data={"code": pyotp.TOTP(_geheim(vraag)).now(), "csrf_token": csrf(vraag)})
    assert antwoord.status_code == 302 and antwoord.headers["Location"] == "/overzicht"


# --------------------------------------------------------------------------- headers and errors

def test_security_headers_on_every_kind_of_answer(web, als):
    piet = als("piet")
    for pad in ("/overzicht", "/login", "/bestaat-niet", "/static/lks.css"):
        antwoord = piet.get(pad)
        csp = antwoord.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert antwoord.headers["X-Content-Type-Options"] == "nosniff"
        assert antwoord.headers["X-Frame-Options"] == "DENY"
        if not pad.startswith("/static/"):
            assert antwoord.headers["Cache-Control"] == "no-store"


def test_error_pages_show_no_traceback_and_no_bsn(web, als):
    from lks.web.kern import openbaar

    @web.route("/kapot")
    @openbaar
    def kapot():
        raise RuntimeError("onverwacht bij BSN 123456782 in /home/lks/geheim.py")

    antwoord = web.test_client().get("/kapot")
    tekst = antwoord.get_data(as_text=True)
    assert antwoord.status_code == 500 and "Er ging iets mis" in tekst
    assert "Traceback" not in tekst and "123456782" not in tekst and "geheim.py" not in tekst
    niet = als("carla").get("/plaatsingen/P999")
    assert niet.status_code == 404 and "Niet gevonden" in niet.get_data(as_text=True)


def test_uploads_have_a_size_limit(web, als, engine):
    piet = als("piet")
    token = csrf(piet.get("/leveringen"))
    groot = b"x" * (web.extensions["lks"].settings.web.upload_mb * 1024 * 1024 + 1)
    import io
    voor = staat(engine)
    antwoord = piet.post("/leveringen", data={"csrf_token": token, "bestanden": (io.BytesIO(groot), "werkgevers.csv")})
    assert antwoord.status_code == 413 and "Bestand te groot" in antwoord.get_data(as_text=True)
    assert staat(engine) == voor


def test_no_page_shows_a_full_bsn(web, als):
    """BSNs masked on every page, as in the letters."""
    from tests.betaalrun.conftest import bsn
    carla = als("carla")
    volledig = [bsn(n) for n in (1, 2, 3)]
    for pad in ("/overzicht", "/werkgevers", "/werkgevers/W1", "/werkgevers/W2", "/plaatsingen/P1",
                "/plaatsingen/P2?periode=2025-03", "/plaatsingen/P3", "/werklijst", "/betaalruns", "/leveringen"):
        antwoord = carla.get(pad)
        assert antwoord.status_code == 200, pad
        tekst = antwoord.get_data(as_text=True)
        assert not any(b in tekst for b in volledig), pad
