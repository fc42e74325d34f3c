"""The werklijst: signalen for staff, made by the daily scheduler job (``lks signalen make``
by hand), listed with ``lks signalen list`` and resolved with ``lks signalen resolve``.

``maak_signalen`` looks at the facts as known at ``now`` and the state of betaalruns and
beschikkingen on ``vandaag``, and makes each signaal once: its ``sleutel`` (kind, plaatsing
or run, and the date it is about) is unique in the database, so running the job again, or
twice at the same time, adds nothing. A signaal whose situation no longer holds (a loonwaarde
arrived, the run was approved …) is resolved by the system with a toelichting; the
ontwikkelbaan signaal asks a person to record whether the promised contract came and is only
resolved by hand.

Kinds (``lks.db.models_signalen.SOORTEN``). Legal durations come from the dated parameter
files (``parameters/*.yaml``), read at the same date as the calculation core and the letters
read them, so a signaal and the payment or beschikking agree; how far ahead a signaal is
listed, and the promised contract, are policy from the ``[signalen]`` section of gemeente.toml:
- ``herbeoordeling_loonwaarde``: lks plaatsing whose last loonwaarde (its ingangsdatum, at the
  earliest the startdatum) is ``scheduler.herbeoordeling_maanden`` old within
  ``signalen.vooruit_herbeoordeling_weken``;
- ``forfait_eindigt``: lks plaatsing without any loonwaarde whose forfait (parameter
  ``forfait_maanden`` at its startdatum, Pw art. 10d lid 5; rekenregels §2.2) ends within
  ``signalen.vooruit_forfait_weken``;
- ``geen_loonwaarde_na_forfait``: lks plaatsing past its forfait without a loonwaarde valid
  today: it gets 0 with reason ``loonwaarde_ontbreekt``;
- ``ontwikkelbaan_eindigt``: ontwikkelbaan ending (einddatum, or parameter
  ``ontwikkelbaan_maanden`` at its startdatum) within ``signalen.vooruit_ontwikkelbaan_maanden``;
  the werkgever promised a contract of at least ``signalen.contract_maanden`` afterwards:
  record whether it came;
- ``beschikking_ontbreekt``: a loonwaarde of an lks plaatsing recorded (Dutch date) more than
  ``beslistermijn_loonwaarde_weken`` (parameter at that date, Pw art. 10d lid 12, as
  ``lks.documents.beschikking.termijn_overschreden``) ago without a beschikking for that
  plaatsing made since. Only when beschikkingen are made by this system (the table has rows),
  and only for loonwaarden recorded after the first import: the letters about the initial
  load were sent by the previous system;
- ``betaalrun_niet_goedgekeurd``: a run still aangevraagd or berekend on its payment date;
- ``loonstrook_ontbreekt``: a plaatsing on verloonde uren (rekenregels §7) whose hours of a
  month have not arrived ``signalen.loonstrook_ontbreekt_dagen`` days after that month ended
  (``lks.loonstroken``: the same rule the werkgeversportaal and the rapport read); resolved
  by the system when the hours arrive or the plaatsing is withdrawn. A month whose hours
  arrive and are then withdrawn again is signalled anew (the key names the withdrawal).

A legal duration without a known value for the date it is needed raises
``ParameterOntbreekt`` (Dutch message naming the parameter, the date and the plaatsing).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from babel.dates import format_date
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lks.betaalrun.kalender import volgende_werkdag
from lks.db.models import ImportBatch, Plaatsing, VerloondeUren
from lks.db.models_betaalrun import Betaalrun
from lks.db.models_signalen import Signaal
from lks.facts import load_facts
from lks.loonstroken import eerste_maand, loonstrook_dag, ontbrekende_maanden
from lks.nl import datum, getal
from lks.parameters import ParameterOntbreekt, Parameters
from lks.settings import Settings

SYSTEEM = "systeem"
TIJDZONE = ZoneInfo("Europe/Amsterdam")  # the gemeente's dates (as lks.beschikkingen.TZ)

AUTOMATISCH_OPGELOST = {
    "herbeoordeling_loonwaarde": "er is een nieuwe loonwaarde vastgelegd of de plaatsing eindigt",
    "forfait_eindigt": "er is een loonwaarde vastgelegd, de plaatsing is beëindigd of de "
                       "forfaitperiode is voorbij (dan volgt het signaal 'geen loonwaarde na forfait')",
    "geen_loonwaarde_na_forfait": "er geldt een loonwaarde of de plaatsing is beëindigd",
    "beschikking_ontbreekt": "er is een beschikking gemaakt",
    "betaalrun_niet_goedgekeurd": "de betaalrun is goedgekeurd of geannuleerd",
    "loonstrook_ontbreekt": "de verloonde uren van die maand zijn ingelezen, de plaatsing is ingetrokken "
                            "of de maand valt niet meer binnen de plaatsing",
}
"""Kinds the system resolves itself when their situation no longer holds; the ontwikkelbaan
signaal is not among them (a person records whether the contract came)."""


class SignaalFout(ValueError):
    """A signaal cannot be resolved (message in Dutch)."""


@dataclass(frozen=True)
class Kandidaat:
    soort: str
    sleutel: str
    omschrijving: str
    vervaldatum: dt.date | None = None
    plaatsing_id: str | None = None
    werkgever_id: str | None = None
    betaalrun_id: int | None = None


def _date(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


@dataclass(frozen=True)
class _Plaatsing:
    plaatsing_id: str
    werkgever_id: str
    regeling: str
    start: dt.date
    eind: dt.date | None
    wie: str                      # "naam (P…) bij werkgever", for the omschrijving
    ingangen: tuple[dt.date, ...]  # loonwaarde ingangsdatums, sorted


@dataclass(frozen=True)
class _Loonwaarde:
    plaatsing_id: str
    ingang: dt.date
    loonwaarde: object
    recorded: dt.datetime
    vastgesteld: dt.date  # the Dutch date it was recorded (lks.beschikkingen: loonwaarde_vastgesteld_op)


@dataclass(frozen=True)
class _Feiten:
    plaatsingen: tuple[_Plaatsing, ...]
    loonwaarden: tuple[_Loonwaarde, ...]
    verloond: pd.DataFrame        # the plaatsingen on verloonde uren (facts frame)
    verloonde_uren: pd.DataFrame  # their delivered months (plaatsing_id, periode)
    ingetrokken: dict             # (plaatsing_id,) or (plaatsing_id, periode) -> last withdrawal


_cache: dict = {}


def _feiten(session: Session, now: dt.datetime) -> _Feiten:
    """The facts as known at ``now`` in plain Python, reused while no import was recorded in
    between: fact rows are never updated or deleted and carry their import's moment, so the
    imports recorded up to ``now`` determine them. (The daily job would otherwise read and
    convert every fact table every day; a replay of a year does that 365 times.)"""
    key = (str(session.get_bind().url),) + tuple(session.execute(
        select(func.count(), func.max(ImportBatch.id)).where(ImportBatch.recorded_at <= now)).one())
    if _cache.get("key") != key:
        facts = load_facts(session, as_of=now)
        werkgevers = dict(zip(facts.werkgevers["werkgever_id"], facts.werkgevers["naam"]))
        werknemers = dict(zip(facts.werknemers["werknemer_id"], facts.werknemers["naam"]))
        ingangen: dict[str, list[dt.date]] = {}
        loonwaarden = []
        for pid, ingang, waarde, recorded in zip(facts.loonwaarden["plaatsing_id"], facts.loonwaarden["ingangsdatum"],
                                                 facts.loonwaarden["loonwaarde"], facts.loonwaarden["recorded_at"]):
            ingangen.setdefault(pid, []).append(_date(ingang))
            recorded = recorded.to_pydatetime()
            loonwaarden.append(_Loonwaarde(pid, _date(ingang), waarde, recorded,
                                           recorded.astimezone(TIJDZONE).date()))
        plaatsingen = tuple(
            _Plaatsing(p.plaatsing_id, p.werkgever_id, p.regeling, _date(p.startdatum), _date(p.einddatum),
                       f"{werknemers.get(p.werknemer_id, p.werknemer_id)} ({p.plaatsing_id}) bij "
                       f"{werkgevers.get(p.werkgever_id, p.werkgever_id)}",
                       tuple(sorted(ingangen.get(p.plaatsing_id, ()))))
            for p in facts.plaatsingen.itertuples(index=False))
        verloond = facts.plaatsingen[facts.plaatsingen["urenbasis"] == "verloond"]
        _cache.clear()
        _cache.update(key=key, feiten=_Feiten(plaatsingen, tuple(loonwaarden), verloond,
                                              facts.verloonde_uren[["plaatsing_id", "periode"]],
                                              _intrekkingen(session, now) if len(verloond) else {}))
    return _cache["feiten"]


def _intrekkingen(session: Session, now: dt.datetime) -> dict:
    """The moment of the last withdrawal known at ``now`` per plaatsing and per month of
    verloonde uren: a loonstrook that arrived and was withdrawn leaves its month missing
    again, and a new signaal (its key names the withdrawal) must say so — the first one was
    resolved when the hours came."""
    out: dict = {}
    for model, key in ((Plaatsing, (Plaatsing.plaatsing_id,)),
                       (VerloondeUren, (VerloondeUren.plaatsing_id, VerloondeUren.periode))):
        rows = session.execute(select(*key, func.max(model.recorded_at))
                               .where(model.ingetrokken.is_not(None), model.recorded_at <= now)
                               .group_by(*key)).all()
        out.update({tuple(row[:-1]): pd.Timestamp(row[-1]).to_pydatetime() for row in rows})
    return out


@lru_cache(maxsize=8192)
def _d(day: dt.date) -> str:
    return datum(day)  # babel costs ~60 µs a call; the same dates recur every day


class _Duur:
    """A legal duration (whole months or weeks) from its dated parameter file, looked up once
    per date within one round of the job. Read as the calculation core reads it
    (``int`` of the value on ``dag``); a date without a known value raises
    ``ParameterOntbreekt`` naming what it was needed for."""

    def __init__(self, params: Parameters, naam: str):
        self.naam = naam
        self._parameter = params.get(naam)
        self._waarden: dict[dt.date, int] = {}

    def at(self, dag: dt.date, waarvoor: str) -> int:
        waarde = self._waarden.get(dag)
        if waarde is None:
            if self._parameter is None:
                raise ParameterOntbreekt(f"parameter ontbreekt: {self.naam} is niet geladen "
                                         f"(parameters/{self.naam}.yaml); nodig voor {waarvoor}")
            try:
                waarde = self._waarden[dag] = int(self._parameter.at(dag))
            except ParameterOntbreekt as exc:
                raise ParameterOntbreekt(f"{exc}; nodig voor {waarvoor}") from None
        return waarde


def kandidaten(session: Session, vandaag: dt.date, now: dt.datetime, params: Parameters,
               settings: Settings) -> list[Kandidaat]:
    """Every signaal whose situation holds on ``vandaag`` with the facts known at ``now``."""
    feiten = _feiten(session, now)
    out: list[Kandidaat] = []
    herbeoordeling = relativedelta(months=settings.scheduler.herbeoordeling_maanden)
    beleid = settings.signalen
    vooruit_herbeoordeling = dt.timedelta(weeks=beleid.vooruit_herbeoordeling_weken)
    vooruit_forfait = dt.timedelta(weeks=beleid.vooruit_forfait_weken)
    vooruit_ontwikkelbaan = relativedelta(months=beleid.vooruit_ontwikkelbaan_maanden)
    forfait_maanden = _Duur(params, "forfait_maanden")
    ontwikkelbaan_maanden = _Duur(params, "ontwikkelbaan_maanden")

    for p in feiten.plaatsingen:
        start, eind = p.start, p.eind
        if start > vandaag:
            continue
        actief = eind is None or eind >= vandaag
        wie = p.wie
        ids = dict(plaatsing_id=p.plaatsing_id, werkgever_id=p.werkgever_id)
        if p.regeling == "lks":
            ingangen = p.ingangen
            if ingangen and actief:
                laatste = max(ingangen[-1], start)
                due = laatste + herbeoordeling
                if vandaag >= due - vooruit_herbeoordeling and (eind is None or eind >= due):
                    out.append(Kandidaat(
                        "herbeoordeling_loonwaarde", f"herbeoordeling_loonwaarde:{p.plaatsing_id}:{due}",
                        f"Loonwaarde van {wie} geldt sinds {_d(laatste)}: herbeoordeling "
                        f"(na {settings.scheduler.herbeoordeling_maanden} maanden) uiterlijk {_d(due)}.",
                        due, **ids))
            # Both forfait signalen need an active plaatsing (forfait_eindigt: eind > forfait_eind
            # >= vandaag) without a loonwaarde valid today; only those need the parameter, so an
            # old, ended plaatsing never asks for a value the files do not have.
            if not actief or (ingangen and ingangen[0] <= vandaag):
                continue
            # the last day of the forfait: startdatum + N months - 1 day, N at the startdatum
            # (lks.calc.core._forfait_einde gives the day after)
            forfait_eind = start + relativedelta(months=forfait_maanden.at(
                start, f"de forfaitperiode van plaatsing {p.plaatsing_id}")) - dt.timedelta(days=1)
            if not ingangen and forfait_eind - vooruit_forfait <= vandaag <= forfait_eind \
                    and (eind is None or eind > forfait_eind):
                out.append(Kandidaat(
                    "forfait_eindigt", f"forfait_eindigt:{p.plaatsing_id}:{forfait_eind}",
                    f"Forfaitperiode van {wie} eindigt op {_d(forfait_eind)} en er is nog geen "
                    "loonwaarde: laat de loonwaarde meten, anders stopt de subsidie.",
                    forfait_eind, **ids))
            if vandaag > forfait_eind:
                out.append(Kandidaat(
                    "geen_loonwaarde_na_forfait", f"geen_loonwaarde_na_forfait:{p.plaatsing_id}:{forfait_eind}",
                    f"{wie}: de forfaitperiode is geëindigd op {_d(forfait_eind)} en er geldt geen "
                    "loonwaarde; de subsidie is 0 (reden loonwaarde_ontbreekt).",
                    forfait_eind + dt.timedelta(days=1), **ids))
        elif p.regeling == "ontwikkelbaan" and actief:  # ended before today: einde < vandaag
            # the maximum duration: startdatum + N months - 1 day, N at the startdatum
            # (lks.calc.core._ontwikkelbaan_einde gives the day after)
            maximum = start + relativedelta(months=ontwikkelbaan_maanden.at(
                start, f"de maximale duur van ontwikkelbaan {p.plaatsing_id}")) - dt.timedelta(days=1)
            einde = min(eind, maximum) if eind is not None else maximum
            if einde - vooruit_ontwikkelbaan <= vandaag <= einde:
                out.append(Kandidaat(
                    "ontwikkelbaan_eindigt", f"ontwikkelbaan_eindigt:{p.plaatsing_id}:{einde}",
                    f"Ontwikkelbaan van {wie} eindigt op {_d(einde)}. De werkgever heeft een "
                    f"contract van minstens {beleid.contract_maanden} maanden daarna toegezegd: leg bij het "
                    "oplossen in de toelichting vast of dat contract er is gekomen.",
                    einde, **ids))

    out.extend(_beschikking_kandidaten(session, feiten, vandaag, params))
    out.extend(_betaalrun_kandidaten(session, vandaag, settings))
    out.extend(_loonstrook_kandidaten(feiten, vandaag, settings))
    return out


@lru_cache(maxsize=512)
def _maand(periode: str) -> str:
    return format_date(dt.date.fromisoformat(periode + "-01"), "MMMM y", locale="nl_NL")


def _loonstrook_kandidaten(feiten: _Feiten, vandaag: dt.date, settings: Settings) -> list[Kandidaat]:
    """Months waiting for their loonstrook (``lks.loonstroken``, the one rule) that ended
    more than ``loonstrook_ontbreekt_dagen`` days ago: July with 15 days is listed from
    16 August on."""
    if feiten.verloond.empty:
        return []
    ontbrekend = ontbrekende_maanden(feiten.verloond, feiten.verloonde_uren, vandaag,
                                     eerste_maand(vandaag, settings), loonstrook_dag(settings))
    grens = np.datetime64(vandaag, "D") - settings.signalen.loonstrook_ontbreekt_dagen
    volgende = ontbrekend["periode"].to_numpy(dtype=str).astype("datetime64[M]") + 1
    ontbrekend = ontbrekend[volgende.astype("datetime64[D]") <= grens]
    if ontbrekend.empty:
        return []
    wie = {p.plaatsing_id: p.wie for p in feiten.plaatsingen}
    out = []
    for pid, werkgever_id, periode, uiterlijk in zip(ontbrekend["plaatsing_id"], ontbrekend["werkgever_id"],
                                                     ontbrekend["periode"], ontbrekend["uiterlijk"]):
        sleutel = f"loonstrook_ontbreekt:{pid}:{periode}"
        ingetrokken = max((m for m in (feiten.ingetrokken.get((pid,)), feiten.ingetrokken.get((pid, periode)))
                           if m is not None), default=None)
        if ingetrokken is not None:
            sleutel += f":{ingetrokken:%Y%m%dT%H%M%S}"
        out.append(Kandidaat(
            "loonstrook_ontbreekt", sleutel,
            f"Loonstrook {_maand(periode)} van {wie.get(pid, pid)} ontbreekt: de werkgever had de verloonde "
            f"uren uiterlijk {_d(uiterlijk)} moeten leveren. Tot ze er zijn is de subsidie over {periode} "
            "0 (reden uren_ontbreken); de eerstvolgende betaalrun na levering betaalt die maand na.",
            uiterlijk, plaatsing_id=pid, werkgever_id=werkgever_id))
    return out


def _beschikking_kandidaten(session, feiten: _Feiten, vandaag, params: Parameters) -> list[Kandidaat]:
    if not inspect(session.connection()).has_table("beschikking"):
        return []
    from lks.db.models_beschikking import Beschikking, BeschikkingPlaatsing

    if session.scalar(select(func.count()).select_from(Beschikking)) == 0:
        return []  # beschikkingen are not (yet) made by this system
    eerste_import = session.scalar(select(func.min(ImportBatch.recorded_at)))
    laatste_brief = dict(session.execute(
        select(BeschikkingPlaatsing.plaatsing_id, func.max(Beschikking.made_at))
        .join(Beschikking, Beschikking.id == BeschikkingPlaatsing.beschikking_id)
        .group_by(BeschikkingPlaatsing.plaatsing_id)).all())
    plaatsingen = {p.plaatsing_id: p for p in feiten.plaatsingen}
    beslistermijn = _Duur(params, "beslistermijn_loonwaarde_weken")
    out = []
    for lw in feiten.loonwaarden:
        p = plaatsingen.get(lw.plaatsing_id)
        if p is None or p.regeling != "lks" or (eerste_import is not None and lw.recorded <= eerste_import):
            continue
        vastgesteld = lw.vastgesteld
        if p.eind is not None and p.eind < vastgesteld:
            continue
        brief = laatste_brief.get(lw.plaatsing_id)
        if brief is not None and brief >= lw.recorded:
            continue
        # the beslistermijn as the letter counts it (termijn_overschreden): the parameter on
        # the day the loonwaarde was set, in weeks from that day
        uiterlijk = vastgesteld + dt.timedelta(weeks=beslistermijn.at(
            vastgesteld, f"de beslistermijn na de loonwaarde van plaatsing {lw.plaatsing_id}"))
        if vandaag <= uiterlijk:
            continue
        out.append(Kandidaat(
            "beschikking_ontbreekt", f"beschikking_ontbreekt:{lw.plaatsing_id}:{lw.ingang}:{lw.recorded:%Y%m%dT%H%M%S}",
            f"Loonwaarde {getal(lw.loonwaarde, 2)} % per {_d(lw.ingang)} van {p.wie} is vastgelegd op "
            f"{_d(vastgesteld)}; de beschikking had uiterlijk {_d(uiterlijk)} genomen moeten zijn.",
            uiterlijk, plaatsing_id=lw.plaatsing_id, werkgever_id=p.werkgever_id))
    return out


def _betaalrun_kandidaten(session, vandaag, settings) -> list[Kandidaat]:
    out = []
    runs = session.scalars(select(Betaalrun).where(Betaalrun.status.in_(("aangevraagd", "berekend")))
                           .order_by(Betaalrun.id)).all()
    for run in runs:
        year, month = map(int, run.periode.split("-"))
        betaaldatum = volgende_werkdag(dt.date(year, month, settings.betaalrun.betaaldag))
        if vandaag >= betaaldatum:
            out.append(Kandidaat(
                "betaalrun_niet_goedgekeurd", f"betaalrun_niet_goedgekeurd:{run.id}",
                f"Betaalrun {run.kenmerk} is op de betaaldatum {_d(betaaldatum)} nog niet goedgekeurd "
                f"(status {run.status}): de werkgevers worden te laat betaald.",
                betaaldatum, betaalrun_id=run.id))
    return out


def maak_signalen(engine: Engine, vandaag: dt.date, now: dt.datetime, params: Parameters | None = None,
                  settings: Settings | None = None) -> list[Signaal]:
    """Make the signalen that hold on ``vandaag`` and do not exist yet; resolve the open ones
    whose situation no longer holds. Returns the new signalen. Idempotent. ``params``: the
    legal durations (default ``Parameters.voor(settings)``: the shipped files with the
    gemeente's own folder); ``settings``: default ``load_settings()``."""
    if settings is None:
        from lks.settings import load_settings
        settings = load_settings()
    if params is None:
        params = Parameters.voor(settings)
    for _attempt in range(3):
        with Session(engine, expire_on_commit=False) as session:
            gevonden = kandidaten(session, vandaag, now, params, settings)
            bestaand = set(session.scalars(select(Signaal.sleutel)))
            nieuw = [Signaal(soort=k.soort, sleutel=k.sleutel, omschrijving=k.omschrijving,
                             vervaldatum=k.vervaldatum, plaatsing_id=k.plaatsing_id,
                             werkgever_id=k.werkgever_id, betaalrun_id=k.betaalrun_id, gemaakt_op=now)
                     for k in gevonden if k.sleutel not in bestaand]
            session.add_all(nieuw)
            geldig = {k.sleutel for k in gevonden}
            open_auto = session.execute(
                select(Signaal.id, Signaal.soort, Signaal.sleutel)
                .where(Signaal.opgelost_op.is_(None), Signaal.soort.in_(tuple(AUTOMATISCH_OPGELOST)))).all()
            for signaal_id, soort, sleutel in open_auto:
                if sleutel not in geldig:
                    session.execute(update(Signaal).where(Signaal.id == signaal_id, Signaal.opgelost_op.is_(None))
                                    .values(opgelost_op=now, opgelost_door=SYSTEEM,
                                            toelichting=f"automatisch opgelost op {_d(vandaag)}: "
                                                        f"{AUTOMATISCH_OPGELOST[soort]}"))
            try:
                session.commit()
                return nieuw
            except IntegrityError:
                session.rollback()  # another process made some of them first: look again
    raise SignaalFout("signalen konden niet worden bijgewerkt (gelijktijdige verwerking)")


def los_op(engine: Engine, signaal_id: int, gebruiker: str, toelichting: str, now: dt.datetime) -> Signaal:
    """Resolve one signaal by hand, with a toelichting (for the ontwikkelbaan: did the
    promised contract come?). Conditional: a signaal is resolved once."""
    toelichting = (toelichting or "").strip()
    if not toelichting:
        raise SignaalFout("een toelichting is verplicht bij het oplossen van een signaal")
    with Session(engine, expire_on_commit=False) as session:
        result = session.execute(update(Signaal)
                                 .where(Signaal.id == signaal_id, Signaal.opgelost_op.is_(None))
                                 .values(opgelost_op=now, opgelost_door=gebruiker, toelichting=toelichting))
        session.commit()
        signaal = session.get(Signaal, signaal_id)
        if signaal is None:
            raise SignaalFout(f"signaal {signaal_id} bestaat niet")
        session.refresh(signaal)
        if result.rowcount != 1:
            raise SignaalFout(f"signaal {signaal_id} is al opgelost op {signaal.opgelost_op:%Y-%m-%d %H:%M} "
                              f"door {signaal.opgelost_door}")
        return signaal


def lijst(engine: Engine, alle: bool = False) -> list[Signaal]:
    """The open signalen (``alle``: also the resolved ones), earliest vervaldatum first."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Signaal)
        if not alle:
            query = query.where(Signaal.opgelost_op.is_(None))
        return list(session.scalars(query.order_by(Signaal.vervaldatum.is_(None), Signaal.vervaldatum,
                                                   Signaal.id)))
