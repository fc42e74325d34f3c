"""Server-side web sessions in the database (table ``web_sessie``).

The cookie holds a random token (256 bits); the database only its sha256, so a copy of the
database opens no session. A session ends after the idle timeout of the settings
(``[web] sessie_minuten``), at logout, when the user is blocked or their password is reset,
and gets a new token at every login (no session fixation). The cookie is HttpOnly,
SameSite=Lax and Secure whenever the request came over https.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from lks.db.models_gebruiker import WebSessie

COOKIE = "lks_sessie"
VERS = dt.timedelta(minutes=1)  # the idle clock is kept to the minute


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class DbSessie(CallbackDict, SessionMixin):
    def __init__(self, data=None, token: str | None = None, verlopen: bool = False):
        def gewijzigd(_self):
            _self.modified = True
        super().__init__(data or {}, gewijzigd)
        self.token = token
        self.verlopen = verlopen
        self.modified = False
        self.vernieuwen = False
        self.gezien: dt.datetime | None = None  # laatst_gezien_op as read

    def vernieuw(self) -> None:
        """A new token at the next save (login): a token known before login is worthless after."""
        self.vernieuwen = True
        self.modified = True


class DbSessieInterface(SessionInterface):
    def __init__(self, engine, idle: dt.timedelta):
        self.engine = engine
        self.idle = idle

    def open_session(self, app, request) -> DbSessie:
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return DbSessie()
        nu = dt.datetime.now(dt.timezone.utc)
        with Session(self.engine) as s:
            rij = s.get(WebSessie, _hash(token))
            if rij is None:
                return DbSessie(verlopen=True)
            if rij.laatst_gezien_op + self.idle < nu:
                s.delete(rij)
                s.commit()
                return DbSessie(verlopen=True)
            try:
                data = json.loads(rij.data)
            except ValueError:
                data = {}
            sessie = DbSessie(data, token=token)
            sessie.gezien = rij.laatst_gezien_op
            return sessie

    def save_session(self, app, session: DbSessie, response) -> None:
        from flask import request
        if request.path.startswith("/static/"):
            return  # a stylesheet does not keep a session alive or change it
        nu = dt.datetime.now(dt.timezone.utc)
        if (session.token is not None and not session.modified and not session.vernieuwen and session
                and session.gezien is not None and nu - session.gezien < VERS):
            return  # seen less than a minute ago: no write for every page
        secure = request.is_secure
        if not session and session.token is None:
            if session.verlopen:
                response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
            return
        with Session(self.engine) as s, s.begin():
            if session.token is not None and (session.vernieuwen or not session):
                s.execute(delete(WebSessie).where(WebSessie.token_hash == _hash(session.token)))
                if not session:  # logged out: no session left
                    response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
                    return
                session.token = None
            nieuw = session.token is None
            if nieuw:
                session.token = secrets.token_urlsafe(32)
                s.add(WebSessie(token_hash=_hash(session.token), gebruiker_id=session.get("gebruiker_id"),
                                aangemaakt_op=nu, laatst_gezien_op=nu, client_adres=request.remote_addr,
                                data=json.dumps(dict(session))))
                # an occasional sweep of sessions nobody will use again
                if secrets.randbelow(50) == 0:
                    s.execute(delete(WebSessie).where(WebSessie.laatst_gezien_op < nu - self.idle))
            else:  # one UPDATE, no read first (SQLite: no read-to-write lock upgrade)
                waarden = {"laatst_gezien_op": nu, "gebruiker_id": session.get("gebruiker_id")}
                if session.modified:
                    waarden["data"] = json.dumps(dict(session))
                s.execute(update(WebSessie).where(WebSessie.token_hash == _hash(session.token)).values(**waarden))
        if nieuw:
            response.set_cookie(COOKIE, session.token, httponly=True, secure=secure, samesite="Lax", path="/")
        session.vernieuwen = False


def eind_sessies(engine, gebruiker_id: int) -> None:
    with Session(engine) as s, s.begin():
        s.execute(delete(WebSessie).where(WebSessie.gebruiker_id == gebruiker_id))


__all__ = ["COOKIE", "DbSessie", "DbSessieInterface", "eind_sessies"]
