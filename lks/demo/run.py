"""``lks demo``: the Het Hogeland demo gemeente through a year and a half of monthly cycles.

Facts arrive as they became known (``DemoGemeente.snapshots``), each import recorded on its
own day; every month a betaalrun is requested and calculated by one demo user, approved by
another (four eyes), its SEPA file and betaalspecificaties written and marked sent. The
clock is simulated, so two runs give byte-identical payment files.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import maak_bestanden
from lks.betaalrun.kalender import uitvoerdatum
from lks.calc import calculate
from lks.db import init_database, make_engine
from lks.demo.gemeente import build_gemeente, samenvatting, write_import_dir
from lks.export import write_calculation_csv
from lks.facts import load_facts
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import Settings, load_settings

UTC = dt.timezone.utc
BEREKENAAR = "m.jansen"   # medewerker financiën who requests and calculates
GOEDKEURDER = "a.bakker"  # teamleider who approves (four eyes)
EERSTE, LAATSTE = "2025-01", "2026-06"
RUNDAG = 18  # day of the month on which the betaalrun is prepared
PDF_WERKGEVERS = ("W001", "W002", "W003")


@dataclass
class DemoResultaat:
    out: Path
    runs: list[dict] = field(default_factory=list)
    imports: int = 0
    bestanden: list[Path] = field(default_factory=list)
    samenvatting_regels: list[str] = field(default_factory=list)


def months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def run_demo(out: Path, db_url: str | None = None, console=None, seed: int = 2025) -> DemoResultaat:
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    url = db_url or f"sqlite:///{out / 'lks-demo.db'}"
    init_database(url)
    engine = make_engine(url)
    settings: Settings = load_settings()
    params = Parameters.load()
    gemeente = build_gemeente(seed)
    snapshots = gemeente.snapshots()
    result = DemoResultaat(out)
    result.samenvatting_regels = samenvatting(gemeente.final()).regels()

    staging = Path(tempfile.mkdtemp(prefix="lks-demo-"))
    pending = list(snapshots)
    maanden = months(EERSTE, LAATSTE)
    progress = Progress(transient=True, console=console) if console else None
    task = progress.add_task("Maandcycli", total=len(maanden)) if progress else None
    if progress:
        progress.start()
    try:
        for periode in maanden:
            year, month = map(int, periode.split("-"))
            rundag = dt.datetime(year, month, RUNDAG, 9, 0, tzinfo=UTC)
            while pending and pending[0].known_on <= rundag.date():
                snap = pending.pop(0)
                folder = staging / snap.known_on.isoformat()
                write_import_dir(snap.tables, folder)
                import_directory(engine, folder,
                                 recorded_at=dt.datetime.combine(snap.known_on, dt.time(6, 0), UTC))
                result.imports += 1
            lc.aanvragen(engine, periode, BEREKENAAR, rundag)
            info = lc.berekenen(engine, periode, BEREKENAAR, rundag, params, settings)
            goedkeuring = rundag + dt.timedelta(hours=5)
            lc.goedkeuren(engine, periode, GOEDKEURDER, goedkeuring,
                          uitvoerdatum(periode, settings.betaalrun.betaaldag, goedkeuring.date()))
            # PDFs cost about a second each: the last run shows them for a few werkgevers
            pdf = frozenset(PDF_WERKGEVERS) if periode == LAATSTE else False
            bestanden = maak_bestanden(engine, periode, None, BEREKENAAR, goedkeuring + dt.timedelta(minutes=10),
                                       settings, out / "betaalruns", pdf=pdf)
            lc.verzonden(engine, periode, GOEDKEURDER, goedkeuring + dt.timedelta(minutes=30))
            result.bestanden.append(bestanden.sepa_pad)
            result.runs.append({k: v for k, v in info.items() if k != "run"} | {"periode": periode,
                                                                                "sha256": bestanden.sha256})
            if progress:
                progress.advance(task)
    finally:
        if progress:
            progress.stop()
        shutil.rmtree(staging, ignore_errors=True)

    # the calculation export as other tools read it (interfaces §3), with current knowledge
    facts = load_facts(engine)
    berekening = calculate(facts.to_calc_input(), EERSTE, LAATSTE, params, settings.policy())
    write_calculation_csv(berekening.plaatsing_maanden, out / "berekening-2025-01-2026-06.csv")
    _uitleg_voorbeelden(out / "uitleg", facts.to_calc_input(), gemeente.scenario, params, settings)
    engine.dispose()
    _leesmij(out, result)
    return result


def _uitleg_voorbeelden(folder: Path, calc_input, scenario: dict, params, settings) -> None:
    """The derivation of a few telling plaatsing-months, as ``lks explain`` prints them."""
    from lks.uitleg import uitleg

    folder.mkdir(parents=True, exist_ok=True)
    result = calculate(calc_input, EERSTE, LAATSTE, params, settings.policy(), explain=True)
    months = result.plaatsing_maanden
    for name, plaatsing_id in sorted(scenario.items()):
        rows = months[months["plaatsing_id"] == plaatsing_id]
        if rows.empty:
            continue
        interesting = rows[(rows["reden"] != "") | (rows["dagen_actief"] < rows["dagen_maand"])]
        periode = str((interesting if len(interesting) else rows)["periode"].iloc[0])
        lines = uitleg(result, plaatsing_id, periode, params, settings.policy())
        (folder / f"{name}-{plaatsing_id}-{periode}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _leesmij(out: Path, result: DemoResultaat) -> None:
    runs = "\n".join(f"- `betaalruns/betaalrun-{r['periode']}-1/`" for r in result.runs[:2]) + "\n- …"
    text = f"""# Demo loonkostensubsidie — gemeente Het Hogeland

Deze map is gemaakt door `lks demo`. De demogemeente is gebaseerd op het re-integratiebeleid
2024-2028 van Het Hogeland: loonkostensubsidie (Participatiewet art. 10d), beschut werk en de
ontwikkelbaan. Alle namen, BSN's en rekeningnummers zijn verzonnen.

## Wat is hier gebeurd
- De gegevens (werkgevers, werknemers, plaatsingen, loonwaarden, urenwijzigingen) zijn
  ingelezen zoals ze in de loop van de tijd bekend werden: {result.imports} imports, elk
  vastgelegd op de dag dat het feit bekend werd. Zo laat de demo correcties met
  terugwerkende kracht zien, bijvoorbeeld een loonwaarde die in maart wordt gemeten en per
  januari ingaat.
- Voor elke maand van 2025-01 tot en met 2026-06 is een betaalrun aangevraagd en berekend
  door {BEREKENAAR}, goedgekeurd door {GOEDKEURDER} (vier ogen), het SEPA-bestand gemaakt
  en als verzonden gemarkeerd.

## Wat staat waar
- `lks-demo.db` — de SQLite-database met alle gegevens, betaalruns en het auditlog.
  Bekijk hem met bijvoorbeeld `lks --db sqlite:///demo-out/lks-demo.db betaalrun list`.
- `betaalruns/betaalrun-JJJJ-MM-1/` — per betaalrun:
  - `pain.001-JJJJ-MM-1.xml`: het SEPA-betaalbestand (pain.001.001.09), één betaalopdracht
    per budget (BUIG en re-integratiebudget), één transactie per werkgever per budget;
  - `specificatie-…-Wnnn.html` en `.csv`: de betaalspecificatie per werkgever, met
    correcties op eerdere maanden, verrekening en vorderingen. In de laatste betaalrun ook
    als PDF voor {", ".join(PDF_WERKGEVERS)} (een PDF kost ongeveer een seconde; de demo maakt
    er daarom maar een paar).
{runs}
- `berekening-2025-01-2026-06.csv` — de berekening per plaatsing per maand met de kennis
  van nu (het exportformaat van `lks calculate`).
- `uitleg/` — de afleiding van enkele bijzondere plaatsing-maanden (jeugdloon, forfait,
  ontwikkelbaan na 18 maanden, loonwaarde 100 %, late loonwaarde …), zoals
  `lks explain PLAATSING --periode JJJJ-MM` ze toont.
"""
    (out / "LEESMIJ.md").write_text(text, encoding="utf-8")
