"""Betaalruns as a user performs them: request, calculate, approve (four eyes), make the
files, mark sent, cancel; and what a run shows.

The lifecycle itself (conditional transitions, serialised transactions, the four-eyes rule
and its CHECK constraint) is ``lks.betaalrun.lifecycle``; this module adds who may do it. The
approver is re-read from the database at the moment of approval: a role withdrawn a minute
ago no longer approves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


def aanvragen(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime):
    """Request the run of ``periode``; asking again returns the same run. (run, created)"""
    from lks.betaalrun import lifecycle as lc
    wie = vereist(o.engine, wie, Actie.BETAALRUN_AANVRAGEN)
    return lc.aanvragen(o.engine, periode, wie.naam, now, client_adres=wie.client_adres)


def berekenen(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime,
              volgnummer: int | None = None) -> dict:
    """Recalculate every month within the retro limit and pay the deltas."""
    from lks.betaalrun import lifecycle as lc
    wie = vereist(o.engine, wie, Actie.BETAALRUN_BEREKENEN)
    return lc.berekenen(o.engine, periode, wie.naam, now, o.params, o.settings, volgnummer,
                        client_adres=wie.client_adres)


def goedkeuren(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime,
               volgnummer: int | None = None):
    """Four-eyes approval by a goedkeurder who did not calculate the run."""
    from lks.betaalrun import lifecycle as lc
    from lks.betaalrun.kalender import uitvoerdatum
    wie = vereist(o.engine, wie, Actie.BETAALRUN_GOEDKEUREN)
    periode = lc.parse_periode(periode)
    return lc.goedkeuren(o.engine, periode, wie.naam, now,
                         uitvoerdatum(periode, o.settings.betaalrun.betaaldag, now.date()), volgnummer,
                         client_adres=wie.client_adres)


def exporteren(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime, out: Path | None = None,
               volgnummer: int | None = None, progress=None, pdf: bool | frozenset[str] = False):
    """The SEPA file and the betaalspecificaties of an approved run."""
    from lks.betaalrun.bestand import maak_bestanden
    wie = vereist(o.engine, wie, Actie.BETAALRUN_EXPORTEREN)
    return maak_bestanden(o.engine, periode, volgnummer, wie.naam, now, o.settings,
                          out if out is not None else o.betaalbestanden, progress=progress, pdf=pdf,
                          client_adres=wie.client_adres, params=o.params)


def verzonden(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime, volgnummer: int | None = None):
    from lks.betaalrun import lifecycle as lc
    wie = vereist(o.engine, wie, Actie.BETAALRUN_VERZONDEN)
    return lc.verzonden(o.engine, periode, wie.naam, now, volgnummer, client_adres=wie.client_adres)


def annuleren(o: Omgeving, wie: Identiteit, periode: str, now: dt.datetime, volgnummer: int | None = None):
    from lks.betaalrun import lifecycle as lc
    wie = vereist(o.engine, wie, Actie.BETAALRUN_ANNULEREN)
    return lc.annuleren(o.engine, periode, wie.naam, now, volgnummer, client_adres=wie.client_adres)


# --------------------------------------------------------------------------- what a run shows

@dataclass(frozen=True)
class RunRegel:
    id: int
    periode: str
    volgnummer: int
    kenmerk: str
    status: str
    berekend_door: str | None
    goedgekeurd_door: str | None
    uitvoerdatum: dt.date | None
    te_betalen: int


def lijst(o: Omgeving, wie: Identiteit) -> list[RunRegel]:
    from lks.db.models_betaalrun import Betaalrun, Betaling
    vereist(o.engine, wie, Actie.LEZEN)
    with Session(o.engine) as s:
        totals = dict(s.execute(select(Betaling.betaalrun_id, func.sum(Betaling.bedrag))
                                .group_by(Betaling.betaalrun_id)).all())
        runs = s.scalars(select(Betaalrun).order_by(Betaalrun.periode, Betaalrun.volgnummer)).all()
        return [RunRegel(r.id, r.periode, r.volgnummer, r.kenmerk, r.status, r.berekend_door,
                         r.goedgekeurd_door, r.uitvoerdatum, int(totals.get(r.id) or 0)) for r in runs]


@dataclass(frozen=True)
class Auditregel:
    moment: dt.datetime
    gebruiker: str
    actie: str
    van_status: str | None
    naar_status: str | None
    client_adres: str | None


@dataclass
class RunDetail:
    run: object  # lks.db.models_betaalrun.Betaalrun (detached)
    per_budget: list[tuple[str, int, int, int]]          # budget, werkgevers, te betalen, verrekend
    per_soort: list[tuple[str, int, int]]                # soort, regels, bedrag
    betalingen: list[dict] = field(default_factory=list)  # per werkgever and budget
    vorderingen: list[dict] = field(default_factory=list)
    aflossingen: list[dict] = field(default_factory=list)
    aangehouden: list[dict] = field(default_factory=list)
    """Payments held because the werkgever's new bank account waits for approval."""
    audit: list[Auditregel] = field(default_factory=list)
    bestanden: list[Path] = field(default_factory=list)
    achtergebleven: list = field(default_factory=list)
    """Temporary files in this run's folder (``lks.atomic.TempFile``): left by a killed export
    (the next export removes them) or being written right now (``in_use``)."""

    @property
    def sepa_bestanden(self) -> list[Path]:
        return [p for p in self.bestanden if p.name.startswith("pain.001")]

    @property
    def specificaties(self) -> list[Path]:
        return [p for p in self.bestanden if not p.name.startswith("pain.001")]

    @property
    def zonder_betaalbestand(self) -> bool:
        """The run's documents were made and it pays nothing: no SEPA file was needed."""
        return self.run.status in ("bestand_aangemaakt", "verzonden") and not self.run.bestand_naam

    @property
    def totaal(self) -> int:
        return sum(b[2] for b in self.per_budget)

    @property
    def berekenaars(self) -> set[str]:
        """Every user who calculated or recalculated the run: none of them may approve it."""
        return {a.gebruiker for a in self.audit if a.actie == "berekenen"}


def toon(o: Omgeving, wie: Identiteit, periode: str, volgnummer: int | None = None,
         map_: Path | None = None) -> RunDetail:
    """A run with totals per budget, lines per soort, payments per werkgever, vorderingen and
    aflossingen, the audit log and the files made for it."""
    from lks.betaalrun import lifecycle as lc
    from lks.db.models import Werkgever
    from lks.db.models_betaalrun import Aanhouding, Aflossing, AuditLog, Betaalregel, Betaling, Vordering
    from lks.facts import current_versions

    vereist(o.engine, wie, Actie.LEZEN)
    with Session(o.engine, expire_on_commit=False) as s:
        run = lc.get_run(s, lc.parse_periode(periode), volgnummer)
        per_budget = [(b, int(n), int(bedrag or 0), int(verrekend or 0)) for b, n, bedrag, verrekend in s.execute(
            select(Betaling.budget, func.count(), func.sum(Betaling.bedrag), func.sum(Betaling.verrekend))
            .where(Betaling.betaalrun_id == run.id).group_by(Betaling.budget).order_by(Betaling.budget))]
        per_soort = [(soort, int(n), int(bedrag or 0)) for soort, n, bedrag in s.execute(
            select(Betaalregel.soort, func.count(), func.sum(Betaalregel.bedrag))
            .where(Betaalregel.betaalrun_id == run.id).group_by(Betaalregel.soort)
            .order_by(Betaalregel.soort))]
        namen_q = current_versions(Werkgever).subquery()
        namen = dict(s.execute(select(namen_q.c.werkgever_id, namen_q.c.naam)).all())
        regels_per = {(w, b): (int(n), int(c)) for w, b, n, c in s.execute(
            select(Betaalregel.werkgever_id, Betaalregel.budget, func.count(),
                   func.sum(Betaalregel.bedrag))
            .where(Betaalregel.betaalrun_id == run.id, Betaalregel.soort == "correctie")
            .group_by(Betaalregel.werkgever_id, Betaalregel.budget))}
        aantal_per = {(w, b): int(n) for w, b, n in s.execute(
            select(Betaalregel.werkgever_id, Betaalregel.budget, func.count())
            .where(Betaalregel.betaalrun_id == run.id)
            .group_by(Betaalregel.werkgever_id, Betaalregel.budget))}
        betalingen = [dict(werkgever_id=b.werkgever_id, naam=namen.get(b.werkgever_id, ""), budget=b.budget,
                           bruto=b.bruto, verrekend=b.verrekend, bedrag=b.bedrag,
                           end_to_end_id=b.end_to_end_id, regels=aantal_per.get((b.werkgever_id, b.budget), 0),
                           correcties=regels_per.get((b.werkgever_id, b.budget), (0, 0))[0],
                           correctiebedrag=regels_per.get((b.werkgever_id, b.budget), (0, 0))[1])
                      for b in s.scalars(select(Betaling).where(Betaling.betaalrun_id == run.id)
                                         .order_by(Betaling.werkgever_id, Betaling.budget))]
        vorderingen = [dict(id=v.id, werkgever_id=v.werkgever_id, naam=namen.get(v.werkgever_id, ""),
                            budget=v.budget, bedrag=v.bedrag)
                       for v in s.scalars(select(Vordering).where(Vordering.betaalrun_id == run.id)
                                          .order_by(Vordering.werkgever_id))]
        aflossingen = [dict(vordering_id=a.vordering_id, bedrag=a.bedrag)
                       for a in s.scalars(select(Aflossing).where(Aflossing.betaalrun_id == run.id)
                                          .order_by(Aflossing.vordering_id))]
        aangehouden = [dict(werkgever_id=a.werkgever_id, naam=namen.get(a.werkgever_id, ""), budget=a.budget,
                            bedrag=a.bedrag, regels=a.regels)
                       for a in s.scalars(select(Aanhouding).where(Aanhouding.betaalrun_id == run.id)
                                          .order_by(Aanhouding.werkgever_id, Aanhouding.budget))]
        audit = [Auditregel(a.moment, a.gebruiker, a.actie, a.van_status, a.naar_status, a.client_adres)
                 for a in s.scalars(select(AuditLog).where(AuditLog.betaalrun_id == run.id).order_by(AuditLog.id))]
    from lks.betaalrun.bestand import run_folder, temp_files_of_run
    basis = map_ if map_ is not None else o.betaalbestanden
    folder = run_folder(basis, run.kenmerk)
    bestanden = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if folder.is_dir() else []
    achtergebleven = list(temp_files_of_run(basis, run.kenmerk))
    return RunDetail(run, per_budget, per_soort, betalingen, vorderingen, aflossingen, aangehouden, audit,
                     bestanden, achtergebleven)


def bestand(o: Omgeving, wie: Identiteit, periode: str, volgnummer: int | None, naam: str) -> Path:
    """One file of a run's folder (the pain.001 or a specificatie), for a download: only a
    name the run's folder lists, never a path."""
    from lks.betaalrun import lifecycle as lc
    wie = vereist(o.engine, wie, Actie.BETAALRUN_DOWNLOADEN)
    with Session(o.engine) as s:
        run = lc.get_run(s, lc.parse_periode(periode), volgnummer)
        kenmerk, run_id = run.kenmerk, run.id
    folder = o.betaalbestanden / f"betaalrun-{kenmerk}"
    kandidaten = {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}
    if naam.startswith(".") or naam not in kandidaten or not kandidaten[naam].is_file():
        raise LookupError(naam)
    if naam.startswith("pain.001"):  # who fetched the payment file is part of the audit trail
        from lks.app import audit
        with Session(o.engine) as s, s.begin():
            audit.vastleggen(s, wie, "betaalbestand_gedownload", dt.datetime.now(dt.timezone.utc),
                             betaalrun_id=run_id, naam=naam)
    return kandidaten[naam].resolve()  # absolute: a face must not resolve it against its own folder
