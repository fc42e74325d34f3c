"""What staff look up: the overview of the month, werkgevers, a plaatsing's facts over time
(valid from, and when recorded) with its months and amounts. Read-only; BSNs masked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


# --------------------------------------------------------------------------- overview

@dataclass
class Overzicht:
    periode: str
    run: object | None                 # this month's betaalrun (newest not cancelled), or None
    volgende_stap: str
    signalen: dict[str, int]           # open signalen per soort
    beschikkingen_te_verzenden: int
    rekeningen_wachtend: int
    laatste_levering: object | None    # lks.app.leveringen.Levering
    meldingen_wachtend: int = 0        # what werkgevers reported in the portal, waiting


VOLGENDE_STAP = {
    None: "De betaalrun van deze maand is nog niet aangevraagd (de scheduler doet dat op de betaaldag; "
          "een medewerker kan het ook nu).",
    "aangevraagd": "Berekenen (medewerker).",
    "berekend": "Controleren en goedkeuren door een goedkeurder die hem niet berekende.",
    "goedgekeurd": "SEPA-bestand en specificaties maken (medewerker).",
    "bestand_aangemaakt": "Het SEPA-bestand naar de bank sturen en als verzonden markeren (medewerker).",
    "verzonden": "Klaar: het bestand is naar de bank.",
}
VOLGENDE_STAP_ZONDER_BETAALBESTAND = {
    "bestand_aangemaakt": "Afsluiten (medewerker): er is geen betaalbestand voor de bank, de run betaalt niets uit; "
                          "de specificaties gaan naar de werkgevers.",
    "verzonden": "Klaar: afgesloten zonder betaalbestand (niets uit te betalen).",
}


def volgende_stap(run) -> str:
    """What happens next to a run (None: none requested yet); a run that pays nothing has
    no SEPA file to send (``lks.betaalrun.bestand``)."""
    if run is not None and run.status in VOLGENDE_STAP_ZONDER_BETAALBESTAND and not run.bestand_naam:
        return VOLGENDE_STAP_ZONDER_BETAALBESTAND[run.status]
    return VOLGENDE_STAP.get(run.status if run is not None else None, "")


def overzicht(o: Omgeving, wie: Identiteit, vandaag: dt.date) -> Overzicht:
    from lks.app.leveringen import historie
    from lks.db.models_beschikking import Beschikking
    from lks.db.models_betaalrun import Betaalrun
    from lks.db.models_signalen import Signaal
    from lks.rekeningen import aantal_wachtend
    vereist(o.engine, wie, Actie.LEZEN)
    periode = f"{vandaag:%Y-%m}"
    with Session(o.engine, expire_on_commit=False) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == periode, Betaalrun.status != "geannuleerd")
                        .order_by(Betaalrun.volgnummer.desc())).first()
        signalen = dict(s.execute(select(Signaal.soort, func.count()).where(Signaal.opgelost_op.is_(None))
                                  .group_by(Signaal.soort).order_by(Signaal.soort)).all())
        concept = s.scalar(select(func.count()).select_from(Beschikking).where(Beschikking.status == "concept"))
        wachtend = aantal_wachtend(s.connection())
        from lks.db.models_portaal import WerkgeverMelding
        meldingen = s.scalar(select(func.count()).select_from(WerkgeverMelding).where(WerkgeverMelding.status == "wacht"))
    leveringen = historie(o.engine, wie, limiet=1)
    return Overzicht(periode, run, volgende_stap(run), signalen, int(concept or 0),
                     int(wachtend), leveringen[0] if leveringen else None, int(meldingen or 0))


# --------------------------------------------------------------------------- werkgevers

@dataclass(frozen=True)
class WerkgeverRegel:
    werkgever_id: str
    naam: str
    kvk: str
    plaats: str
    plaatsingen: int


def werkgevers(o: Omgeving, wie: Identiteit, zoek: str = "", limiet: int = 200) -> list[WerkgeverRegel]:
    """Werkgevers as known now, searched on id, name, KvK or plaats (case-insensitive)."""
    from lks.db.models import Plaatsing, Werkgever
    from lks.facts import current_versions
    vereist(o.engine, wie, Actie.LEZEN)
    with Session(o.engine) as s:
        w = current_versions(Werkgever).subquery()
        p = current_versions(Plaatsing).subquery()
        aantal = (select(p.c.werkgever_id, func.count().label("n")).group_by(p.c.werkgever_id).subquery())
        query = (select(w.c.werkgever_id, w.c.naam, w.c.kvk, w.c.plaats, func.coalesce(aantal.c.n, 0))
                 .outerjoin(aantal, aantal.c.werkgever_id == w.c.werkgever_id).order_by(w.c.naam).limit(limiet))
        zoek = zoek.strip().lower()
        if zoek:
            patroon = f"%{zoek}%"
            query = query.where(func.lower(w.c.naam).like(patroon) | func.lower(w.c.werkgever_id).like(patroon)
                                | w.c.kvk.like(patroon) | func.lower(w.c.plaats).like(patroon))
        return [WerkgeverRegel(*r) for r in s.execute(query).all()]


@dataclass
class WerkgeverDetail:
    werkgever: dict
    rekening_iban: str | None
    rekening_wacht: bool
    plaatsingen: list[dict]


def werkgever(o: Omgeving, wie: Identiteit, werkgever_id: str) -> WerkgeverDetail:
    """One werkgever with its plaatsingen (werknemer name, masked BSN); LookupError if unknown."""
    from lks.facts import load_facts
    from lks.identifiers import mask_bsn
    from lks.rekeningen import in_gebruik, wachtend
    vereist(o.engine, wie, Actie.LEZEN)
    facts = load_facts(o.engine)
    rij = facts.werkgevers[facts.werkgevers["werkgever_id"] == werkgever_id]
    if rij.empty:
        raise LookupError(werkgever_id)
    plaatsingen = facts.plaatsingen[facts.plaatsingen["werkgever_id"] == werkgever_id]
    namen = facts.werknemers.set_index("werknemer_id")
    with o.engine.connect() as c:
        rekening = in_gebruik(c).set_index("werkgever_id")
        wacht = werkgever_id in wachtend(c)
    return WerkgeverDetail(
        werkgever=rij.iloc[0].to_dict(),
        rekening_iban=rekening.loc[werkgever_id, "iban"] if werkgever_id in rekening.index else None,
        rekening_wacht=wacht,
        plaatsingen=[dict(plaatsing_id=p.plaatsing_id, regeling=p.regeling, startdatum=p.startdatum.date(),
                          einddatum=None if pd.isna(p.einddatum) else p.einddatum.date(),
                          contracturen=p.contracturen, voltijdsuren=p.voltijdsuren,
                          werknemer=namen.loc[p.werknemer_id, "naam"] if p.werknemer_id in namen.index else "",
                          bsn=mask_bsn(namen.loc[p.werknemer_id, "bsn"]) if p.werknemer_id in namen.index else "")
                     for p in plaatsingen.itertuples()])


# --------------------------------------------------------------------------- one plaatsing

@dataclass
class PlaatsingDetail:
    plaatsing: dict
    werknemer: dict
    versies: dict[str, list[dict]] = field(default_factory=dict)   # file -> every recorded version
    maanden: list[dict] = field(default_factory=list)              # periode, amounts, reden, betaald
    tot: str = ""
    melding: str | None = None
    onberekend_na: dt.date | None = None  # months after this day not calculated: no WML known yet
    rekenfout: bool = False               # the calculation stopped (melding says why)


def plaatsing(o: Omgeving, wie: Identiteit, plaatsing_id: str, vandaag: dt.date) -> PlaatsingDetail:
    """A plaatsing's facts over time (every recorded version: valid from and recorded at), and
    its months from the start up to this month with the amount due now and what was paid."""
    vereist(o.engine, wie, Actie.LEZEN)
    return plaatsing_detail(o, plaatsing_id, vandaag)


def plaatsing_detail(o: Omgeving, plaatsing_id: str, vandaag: dt.date) -> PlaatsingDetail:
    """``plaatsing`` without the role check: for callers that checked access themselves (the
    portal, after binding the plaatsing to the user's werkgever)."""
    from lks.app.berekening import BerekeningFout, _subset
    from lks.calc import calculate
    from lks.calc.core import CalcFout
    from lks.db.models import Loonwaarde, Plaatsing, Urenwijziging
    from lks.db.models_betaalrun import BETAALD, Betaalregel, Betaalrun
    from lks.facts import load_facts
    from lks.identifiers import mask_bsn
    from lks.parameters import ParameterOntbreekt
    facts = load_facts(o.engine)
    rij = facts.plaatsingen[facts.plaatsingen["plaatsing_id"] == plaatsing_id]
    if rij.empty:
        raise LookupError(plaatsing_id)
    p = rij.iloc[0].to_dict()
    werknemers = facts.werknemers.set_index("werknemer_id")
    w = werknemers.loc[p["werknemer_id"]] if p["werknemer_id"] in werknemers.index else None
    detail = PlaatsingDetail(
        plaatsing=p,
        werknemer={"werknemer_id": p["werknemer_id"], "naam": w["naam"] if w is not None else "",
                   "bsn": mask_bsn(w["bsn"]) if w is not None else "",
                   "geboortedatum": w["geboortedatum"].date() if w is not None else None})
    with Session(o.engine) as s:
        for naam, model, kolommen in (("plaatsing", Plaatsing, ["startdatum", "einddatum", "regeling", "werkgever_id",
                                                                 "contracturen", "voltijdsuren"]),
                                      ("loonwaarden", Loonwaarde, ["ingangsdatum", "loonwaarde"]),
                                      ("urenwijzigingen", Urenwijziging, ["ingangsdatum", "contracturen",
                                                                          "voltijdsuren"])):
            rows = s.scalars(select(model).where(model.plaatsing_id == plaatsing_id)
                             .order_by(*[getattr(model, k) for k in model.NATURAL_KEY], model.recorded_at)).all()
            detail.versies[naam] = [{**{k: getattr(r, k) for k in kolommen if hasattr(r, k)},
                                     "recorded_at": r.recorded_at, "import_id": r.import_id} for r in rows]
        betaald = dict(s.execute(select(Betaalregel.periode, func.sum(Betaalregel.bedrag))
                                 .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
                                 .where(Betaalregel.plaatsing_id == plaatsing_id, Betaalrun.status.in_(BETAALD))
                                 .group_by(Betaalregel.periode)).all())
    start = p["startdatum"].date()
    van = max(start.replace(day=1), o.params["wml_maandloon"].dates[0].replace(day=1))
    tot = vandaag.replace(day=1)
    einde = p["einddatum"]
    if not pd.isna(einde):
        tot = min(tot, einde.date().replace(day=1))
    geldig_tot = o.params["wml_maandloon"].valid_until
    if geldig_tot is not None and tot > geldig_tot:
        tot = geldig_tot.replace(day=1)
        detail.onberekend_na = geldig_tot
        detail.melding = (f"Maanden na {geldig_tot:%d-%m-%Y} zijn niet berekend: het minimumloon daarna is nog niet "
                          "bekend (lks parameters).")
    detail.tot = f"{tot:%Y-%m}"
    if van <= tot:
        try:
            result = calculate(_subset(facts.to_calc_input(), plaatsing_id), f"{van:%Y-%m}", f"{tot:%Y-%m}",
                               o.params, o.settings.policy())
        except (CalcFout, ParameterOntbreekt, BerekeningFout) as exc:
            detail.melding, detail.rekenfout = str(exc), True
        else:
            for m in result.plaatsing_maanden.itertuples():
                detail.maanden.append(dict(periode=m.periode, lks_basis=int(m.lks_basis),
                                           werkgeverslasten=int(m.werkgeverslasten), lks_totaal=int(m.lks_totaal),
                                           reden=m.reden, betaald=int(betaald.get(m.periode, 0) or 0)))
    return detail
