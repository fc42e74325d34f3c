"""Beschikkingen as a user handles them: make the letters due, list them, read one (HTML or
PDF, re-derived from its stored inputs and checked against the recorded hash), mark sent."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app import audit
from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


def maak(o: Omgeving, wie: Identiteit, datum: dt.date, now: dt.datetime, out: Path | None = None,
         pdf: bool = True, progress=None, workers: int = 2):
    """The letters for everything that changed since the last ones (``lks.beschikkingen``)."""
    from lks.beschikkingen import maak_beschikkingen
    wie = vereist(o.engine, wie, Actie.BESCHIKKINGEN_MAKEN)
    resultaat = maak_beschikkingen(o.engine, datum, now, o.params, o.settings, out if out is not None else o.uitvoer,
                                   pdf=pdf, workers=workers, progress=progress)
    if resultaat.beschikkingen or resultaat.hersteld:
        with Session(o.engine) as s, s.begin():
            audit.vastleggen(s, wie, "beschikkingen_gemaakt", now, datum=datum.isoformat(),
                             kenmerken=[b.kenmerk for b in resultaat.beschikkingen], hersteld=resultaat.hersteld)
    return resultaat


def lijst(o: Omgeving, wie: Identiteit, soort: str | None = None, werkgever_id: str | None = None,
          status: str | None = None) -> list:
    """Letters, oldest first; a werkgever user sees only its own werkgever's."""
    from lks.db.models_beschikking import Beschikking
    werkgever_id = _binding(o, wie, werkgever_id)
    with Session(o.engine, expire_on_commit=False) as s:
        query = select(Beschikking).order_by(Beschikking.id)
        if soort:
            query = query.where(Beschikking.soort == soort)
        if werkgever_id:
            query = query.where(Beschikking.werkgever_id == werkgever_id)
        if status:
            query = query.where(Beschikking.status == status)
        return list(s.scalars(query))


def _binding(o: Omgeving, wie: Identiteit, werkgever_id: str | None) -> str | None:
    """Staff read every werkgever; a werkgever user is bound to its own, whatever it asks."""
    if wie.mag(Actie.LEZEN):
        vereist(o.engine, wie, Actie.LEZEN)
        return werkgever_id
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    return wie.werkgever_id


def aantallen_plaatsingen(o: Omgeving, wie: Identiteit) -> dict[int, int]:
    from lks.beschikkingen import aantallen_plaatsingen as tel
    vereist(o.engine, wie, Actie.LEZEN)
    return tel(o.engine)


def brief(o: Omgeving, wie: Identiteit, kenmerk: str, soort: str) -> bytes:
    """One letter as ``html`` or ``pdf``, byte for byte the one recorded (re-derived from the
    stored inputs and checked against its hash). A werkgever user gets only its own letters;
    any other kenmerk is 'not found', exactly like one that does not exist."""
    from lks.beschikkingen import BeschikkingFout, regenereer
    from lks.db.models_beschikking import Beschikking
    from lks.documents.beschikking import letter_hash
    werkgever_id = _binding(o, wie, None)
    with Session(o.engine) as s:
        row = s.scalar(select(Beschikking).where(Beschikking.kenmerk == kenmerk))
        if row is None or (werkgever_id is not None and row.werkgever_id != werkgever_id):
            raise LookupError(kenmerk)
        verwacht = row.html_sha256 if soort == "html" else row.pdf_sha256
    _, html, pdf = regenereer(o.engine, kenmerk, pdf=soort == "pdf")
    inhoud = html.encode("utf-8") if soort == "html" else pdf
    if verwacht is not None and letter_hash(inhoud) != verwacht:
        raise BeschikkingFout(f"beschikking {kenmerk}: de brief uit de vastgelegde gegevens wijkt af van de "
                              "vastgelegde brief")
    return inhoud


def markeer_verzonden(o: Omgeving, wie: Identiteit, kenmerk: str, now: dt.datetime):
    from lks.beschikkingen import markeer_verzonden as markeer
    wie = vereist(o.engine, wie, Actie.BESCHIKKING_VERZONDEN)
    return markeer(o.engine, kenmerk, now, door=wie.naam, client_adres=wie.client_adres)


__all__ = ["aantallen_plaatsingen", "brief", "lijst", "maak", "markeer_verzonden"]
