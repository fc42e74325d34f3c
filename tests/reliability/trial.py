"""One crash trial and the invariants checked after it; shared by the tests and by
``benchmarks/crash_trials.py``.

The scenario: a gemeente (``benchmarks/dataset.write_dataset``) whose run 2025-02 was paid;
the run 2025-03 is requested and calculated by anna, recalculated by carla, approved by bert
and exported. A child process (fork) does (part of) that with ``LKS_CRASH_AT`` set and dies by
SIGKILL; then a normal process resumes with the whole sequence (steps already done give a
Dutch refusal, which is fine). Afterwards the database and the output folder must equal a run
without crash: same lines, same payments, the file marked only when complete, nothing paid
twice, an audit log whose transitions chain, no temporary file left beside the files."""
from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.betaald import afwijkingen
from lks.betaalrun.bestand import BestandFout, maak_bestanden
from lks.db import make_engine
from lks.db.models_betaalrun import BETAALD, AuditLog, Betaalregel, Betaalrun, Betaling
from lks.faults import ENV_VAR
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc
PERIODE = "2025-03"
NOW = dt.datetime(2025, 3, 20, 9, 0, tzinfo=UTC)
CRASH_POINTS = ["berekenen.na_verwijderen", "berekenen.halve_regels", "berekenen.voor_commit",
                "goedkeuren.voor_commit", "goedkeuren.na_commit", "specificaties.tijdelijk_bestand",
                "sepa.tijdelijk_bestand", "bestand.voor_vastleggen"]
SEQUENCE = [("aanvragen", "anna"), ("berekenen", "anna"), ("berekenen", "carla"),
            ("goedkeuren", "bert"), ("exporteren", "bert")]

PARAMS = Parameters.load()
SETTINGS = load_settings()


def prepare(url: str, data_dir: Path, n: int = 40) -> None:
    """Import the gemeente and pay 2025-02 (the database every trial starts from)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from dataset import write_dataset

    engine = make_engine(url)
    try:
        import_directory(engine, write_dataset(data_dir, n), recorded_at=dt.datetime(2025, 2, 1, tzinfo=UTC))
        now = dt.datetime(2025, 2, 18, 9, tzinfo=UTC)
        lc.aanvragen(engine, "2025-02", "anna", now)
        lc.berekenen(engine, "2025-02", "anna", now, PARAMS, SETTINGS)
        lc.goedkeuren(engine, "2025-02", "bert", now, dt.date(2025, 2, 25))
    finally:
        engine.dispose()


def step(engine, soort: str, gebruiker: str, out: Path) -> None:
    if soort == "aanvragen":
        lc.aanvragen(engine, PERIODE, gebruiker, NOW)
    elif soort == "berekenen":
        lc.berekenen(engine, PERIODE, gebruiker, NOW, PARAMS, SETTINGS)
    elif soort == "goedkeuren":
        lc.goedkeuren(engine, PERIODE, gebruiker, NOW + dt.timedelta(hours=1), dt.date(2025, 3, 25))
    elif soort == "exporteren":
        maak_bestanden(engine, PERIODE, None, gebruiker, NOW + dt.timedelta(hours=2), SETTINGS, out)


def run_sequence(url: str, out: Path, steps=SEQUENCE) -> list[str]:
    """All steps in this process; refusals (a step already done) are collected, not raised."""
    engine = make_engine(url)
    refusals = []
    try:
        for soort, gebruiker in steps:
            try:
                step(engine, soort, gebruiker, out)
            except (lc.BetaalrunFout, BestandFout) as exc:
                refusals.append(f"{soort}: {exc}")
    finally:
        engine.dispose()
    return refusals


def _child(url: str, out: str, crash_at: str, steps) -> None:
    os.environ[ENV_VAR] = crash_at
    run_sequence(url, Path(out), steps)


def crash(url: str, out: Path, crash_at: str, steps=SEQUENCE) -> int:
    """Run ``steps`` in a forked child with the crash hook set; its exit code (-9: killed)."""
    process = multiprocessing.get_context("fork").Process(target=_child, args=(url, str(out), crash_at, steps))
    process.start()
    process.join(120)
    return process.exitcode


@dataclass
class Uitkomst:
    regels: dict = field(default_factory=dict)      # (plaatsing, periode) -> bedrag of the 2025-03 run
    betalingen: dict = field(default_factory=dict)  # (werkgever, budget) -> bedrag
    status: str | None = None
    sha256: str | None = None


def snapshot(url: str) -> Uitkomst:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            run = s.scalars(select(Betaalrun).where(Betaalrun.periode == PERIODE,
                                                    Betaalrun.status != "geannuleerd")).first()
            if run is None:
                return Uitkomst()
            regels = {(p, m): b for p, m, b in s.execute(
                select(Betaalregel.plaatsing_id, Betaalregel.periode, Betaalregel.bedrag)
                .where(Betaalregel.betaalrun_id == run.id))}
            betalingen = {(w, b): x for w, b, x in s.execute(
                select(Betaling.werkgever_id, Betaling.budget, Betaling.bedrag)
                .where(Betaling.betaalrun_id == run.id))}
            return Uitkomst(regels, betalingen, run.status, run.bestand_sha256)
    finally:
        engine.dispose()


def problems(url: str, out: Path, reference: Uitkomst | None = None) -> dict:
    """Counts of double payments and lost lines, and a list of every broken invariant."""
    found: list[str] = []
    double = lost = 0
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            runs = s.scalars(select(Betaalrun).order_by(Betaalrun.id)).all()
            live = {}
            for run in runs:
                if run.status != "geannuleerd":
                    if run.periode in live:
                        found.append(f"twee lopende runs voor {run.periode}")
                    live[run.periode] = run
            # cumulative payment per plaatsing-month over approved runs = last calculated total
            rows = s.execute(select(Betaalregel.plaatsing_id, Betaalregel.periode, Betaalregel.bedrag,
                                    Betaalregel.berekend_totaal, Betaalrun.id)
                             .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
                             .where(Betaalrun.status.in_(BETAALD)).order_by(Betaalrun.id)).all()
            paid, last_total = {}, {}
            for p, m, bedrag, totaal, _ in rows:
                paid[(p, m)] = paid.get((p, m), 0) + bedrag
                last_total[(p, m)] = totaal
            double += sum(1 for k in paid if paid[k] > last_total[k])
            lost += sum(1 for k in paid if paid[k] < last_total[k])
            dupes = s.execute(select(func.count()).select_from(
                select(Betaalregel.betaalrun_id, Betaalregel.plaatsing_id, Betaalregel.periode)
                .group_by(Betaalregel.betaalrun_id, Betaalregel.plaatsing_id, Betaalregel.periode)
                .having(func.count() > 1).subquery())).scalar()
            double += dupes
            # the paid totals per plaatsing-month are exactly the approved lines (a killed
            # approval leaves neither, a committed one both)
            found.extend(afwijkingen(s.connection())[1])
            # audit log: per run, the transitions chain and end in the run's status
            for run in runs:
                entries = s.scalars(select(AuditLog).where(AuditLog.betaalrun_id == run.id)
                                    .order_by(AuditLog.id)).all()
                state = None
                for e in entries:
                    if e.van_status != state:
                        found.append(f"auditlog {run.kenmerk}: {e.actie} van {e.van_status}, status was {state}")
                    state = e.naar_status
                if state != run.status:
                    found.append(f"auditlog {run.kenmerk} eindigt in {state}, run is {run.status}")
                if run.status in ("bestand_aangemaakt", "verzonden"):
                    path = out / f"betaalrun-{run.kenmerk}" / run.bestand_naam
                    if not path.exists():
                        found.append(f"{run.kenmerk} gemarkeerd, maar {path.name} ontbreekt")
                    elif hashlib.sha256(path.read_bytes()).hexdigest() != run.bestand_sha256:
                        found.append(f"{run.kenmerk}: bestand wijkt af van de vastgelegde sha256")
    finally:
        engine.dispose()
    if reference is not None:   # after a resume: what a killed export left is gone
        for path in sorted(out.glob("betaalrun-*/.*.tmp")):
            found.append(f"tijdelijk bestand achtergebleven: {path.name}")
        now = snapshot(url)
        if now.status in BETAALD:
            lost += sum(1 for k in reference.regels if k not in now.regels)
            double += sum(1 for k, v in now.regels.items() if v > reference.regels.get(k, 0))
            if now.regels != reference.regels:
                found.append("betaalregels wijken af van een run zonder crash")
            if now.betalingen != reference.betalingen:
                found.append("betalingen wijken af van een run zonder crash")
        if now.sha256 is not None and now.sha256 != reference.sha256:
            found.append("SEPA-bestand wijkt af van een run zonder crash")
    return {"dubbel": double, "kwijt": lost, "problemen": found}
