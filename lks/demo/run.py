"""``lks demo``: the Het Hogeland demo gemeente through a year and a half of monthly cycles.

Facts arrive as they became known (``DemoGemeente.snapshots``), each import recorded on its
own day; the months are replayed through the scheduler's own cycles (``lks.scheduler.replay``):
every month the scheduler requests and calculates the betaalrun, a demo user approves it
(four eyes, simulated), its SEPA file and betaalspecificaties are written and marked sent;
every day the signalen are updated (``signalen.csv``). The clock is simulated, so two runs
give byte-identical payment files.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from lks.app import beschikkingen as app_beschikkingen
from lks.app import betaalruns, leveringen
from lks.app import rekeningen as app_rekeningen
from lks.app.omgeving import Omgeving as AppOmgeving
from lks.calc import calculate
from lks.db import init_database, make_engine
from lks.demo import oproepkrachten, vergissing
from lks.demo.gemeente import build_gemeente, samenvatting, write_import_dir
from lks.export import write_calculation_csv
from lks.facts import load_facts
from lks.parameters import Parameters, toelichting
from lks.scheduler import TIJDZONE, Omgeving, replay
from lks.settings import Settings, load_settings
from lks.signalen import lijst

UTC = dt.timezone.utc
from lks.demo import gebruikers as demo_gebruikers  # noqa: E402
from lks.demo.gebruikers import GOEDKEURDER, MEDEWERKER as BEREKENAAR  # noqa: E402

SCHEDULER = "scheduler"   # the batch cycles request and calculate the betaalrun
EERSTE, LAATSTE = "2025-01", "2026-06"
LAATST_BETAALD = "2026-05"
"""The demo approves and pays the runs up to and including this month; the run of LAATSTE is
calculated by the scheduler and left waiting for the goedkeurder, so that a new user walks
that month's cycle in the browser as two people (approve, make the files, mark sent)."""


@dataclass
class DemoResultaat:
    out: Path
    runs: list[dict] = field(default_factory=list)
    imports: int = 0
    bestanden: list[Path] = field(default_factory=list)
    samenvatting_regels: list[str] = field(default_factory=list)
    beschikkingen: dict[str, int] = field(default_factory=dict)  # soort -> letters
    beschikking_pdfs: int = 0
    pdf: bool = True  # every beschikking, and the last run's betaalspecificaties, also as PDF
    herzieningen: list[str] = field(default_factory=list)  # "kenmerk herziet kenmerk" (Awb 4:49)
    signalen: int = 0  # signalen on the werklijst (open and resolved), in signalen.csv
    verantwoording: dict = field(default_factory=dict)  # lks.demo.verantwoording: the controller step
    bewaking: list[str] = field(default_factory=list)  # lks.demo.bewaking: what the system refused
    gebruikers: dict[str, str] = field(default_factory=dict)  # demo user -> role (lks.demo.gebruikers)
    rekeningwijzigingen: list[str] = field(default_factory=list)  # held, then approved
    vergissing: list[str] = field(default_factory=list)  # lks.demo.vergissing: a mistake withdrawn
    oproepkrachten: list[str] = field(default_factory=list)  # lks.demo.oproepkrachten: verloonde uren
    parameters_wml: object = None  # lks.parameters.Toelichting of wml_maandloon, for the LEESMIJ
    open_run: dict | None = None  # the run of LAATSTE: calculated, waiting for the goedkeurder


def months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def run_demo(out: Path, db_url: str | None = None, console=None, seed: int = 2025,
             pdf: bool = True) -> DemoResultaat:
    """``pdf``: every beschikking is written as HTML and PDF, as a gemeente sends them, and
    the betaalspecificaties of the last run too (False: HTML only, a faster demo)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    url = db_url or f"sqlite:///{out / 'lks-demo.db'}"
    init_database(url)
    engine = make_engine(url)
    settings: Settings = load_settings()
    params = Parameters.voor(settings)
    gemeente = build_gemeente(seed)
    snapshots = gemeente.snapshots()
    result = DemoResultaat(out, pdf=pdf)
    result.samenvatting_regels = samenvatting(gemeente.final()).regels()
    result.gebruikers = demo_gebruikers.maak(engine, dt.datetime(2024, 12, 1, 9, 0, tzinfo=UTC))
    medewerker = demo_gebruikers.als(engine, BEREKENAAR)
    goedkeurder = demo_gebruikers.als(engine, GOEDKEURDER)
    app = AppOmgeving(engine=engine, settings=settings, uitvoer=out, _params=params)

    staging = Path(tempfile.mkdtemp(prefix="lks-demo-"))
    # the deliveries in time order: the gemeente's snapshots (06:00 on the day they became
    # known) and the mistake and its correction (06:30, lks.demo.vergissing)
    fout = vergissing.kies(gemeente.final())
    pending = sorted(
        [(dt.datetime.combine(s.known_on, dt.time(6, 0), UTC), "snapshot", s) for s in snapshots]
        + [(dt.datetime.combine(vergissing.VERGISSING_OP, dt.time(6, 30), UTC), "vergissing",
            vergissing.levering_vergissing),
           (dt.datetime.combine(vergissing.ONTDEKT_OP, dt.time(6, 30), UTC), "correctie",
            vergissing.levering_correctie)], key=lambda x: x[0])
    maanden = months(EERSTE, LAATSTE)
    progress = Progress(transient=True, console=console) if console else None
    task = progress.add_task("Maandcycli", total=len(maanden)) if progress else None
    bestanden_per_periode: dict[str, Path] = {}
    sha_per_periode: dict[str, str] = {}

    def voor(stap) -> None:
        """Before every step of the scheduler's cycles: import what became known by then, and
        before the betaalrun the beschikkingen that are due."""
        while pending and pending[0][0] <= stap.moment:
            moment, soort, levering = pending.pop(0)
            folder = staging / f"{moment:%Y-%m-%dT%H%M}-{soort}"
            if soort == "snapshot":
                write_import_dir(levering.tables, folder)
            else:
                levering(fout, folder)
            leveringen.importeren(engine, medewerker, folder, recorded_at=moment, params=params)
            result.imports += 1
        if stap.taak == "betaalrun" and stap.soort == "cyclus":
            # beschikkingen before the run: a verlening precedes the first voorschot, and the
            # vaststelling of a year compares with what was paid before this run's corrections
            brieven = app_beschikkingen.maak(app, medewerker, stap.moment.astimezone(TIJDZONE).date(), stap.moment,
                                             out, pdf=pdf, workers=2)
            for soort, aantal in brieven.per_soort().items():
                result.beschikkingen[soort] = result.beschikkingen.get(soort, 0) + aantal
            result.beschikking_pdfs += brieven.pdfs
            result.herzieningen += [f"{b.kenmerk} herziet {b.herziet_kenmerk}"
                                    for b in brieven.beschikkingen if b.herziet_kenmerk]

    def na_goedkeuring(run, goedkeuring: dt.datetime) -> None:
        # the specificaties of every run as HTML and CSV, of the last run also as PDF
        bestanden = betaalruns.exporteren(app, medewerker, run.periode, goedkeuring + dt.timedelta(minutes=10),
                                          out / "betaalruns", run.volgnummer, pdf=pdf and run.periode == LAATST_BETAALD)
        betaalruns.verzonden(app, medewerker, run.periode, goedkeuring + dt.timedelta(minutes=30), run.volgnummer)
        # a new bank account delivered this month was held in this run; the goedkeurder checks it
        # with the werkgever (not the medewerker who delivered it) and approves it after the run,
        # so the next run pays what was held, on the new account
        for wijziging in app_rekeningen.lijst(app, goedkeurder):
            app_rekeningen.beoordeel(app, goedkeurder, wijziging.id, True, None, goedkeuring + dt.timedelta(hours=1))
            result.rekeningwijzigingen.append(f"{wijziging.werkgever_id} ({wijziging.werkgever_naam}): nieuw "
                                              f"rekeningnummer aangehouden in betaalrun {run.kenmerk}, daarna "
                                              f"goedgekeurd door {goedkeurder.naam}")
        bestanden_per_periode[run.periode] = bestanden.sepa_pad
        sha_per_periode[run.periode] = bestanden.sha256
        if progress:
            progress.advance(task)

    if progress:
        progress.start()
    try:
        # the months replayed through the scheduler's own cycles (batches/cycli.yaml): the
        # betaalrun requested and calculated by the scheduler, approved by the second demo user
        # (simulated four eyes), the daily signalen; the beschikkingen as above
        omgeving = Omgeving(engine=engine, params=params, settings=settings, out=out)
        stappen = replay(omgeving, dt.datetime(2025, 1, 1, tzinfo=TIJDZONE),
                         dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=TIJDZONE), goedkeurder=goedkeurder,
                         voor=voor, na_goedkeuring=na_goedkeuring, taken={"betaalrun", "signalen"},
                         goedkeuren_tot=LAATST_BETAALD)
    finally:
        if progress:
            progress.stop()
        shutil.rmtree(staging, ignore_errors=True)
    fouten = [s for s in stappen if s.fout]
    if fouten:
        raise RuntimeError(f"demo: cyclus {fouten[0].cyclus} op {fouten[0].moment} mislukt: {fouten[0].fout}")
    for stap in stappen:
        if stap.taak == "betaalrun" and stap.soort == "cyclus" and stap.resultaat.get("status") == "berekend":
            periode = stap.resultaat["periode"]
            if periode not in bestanden_per_periode:  # left for the goedkeurder in the browser
                result.open_run = {k: v for k, v in stap.resultaat.items() if k != "status"}
                continue
            if bestanden_per_periode[periode] is not None:  # None: nothing to pay, no SEPA file
                result.bestanden.append(bestanden_per_periode[periode])
            result.runs.append({k: v for k, v in stap.resultaat.items() if k not in ("volgnummer", "status")}
                               | {"sha256": sha_per_periode[periode]})
    result.signalen = _signalen_csv(engine, out / "signalen.csv")
    facts = load_facts(engine)
    # the werkgeversportaal: a user for two werkgevers and for the werkgever whose loonstrook is
    # missing (its portal shows the loonstroken still expected), to log in on the demo database
    plaatsingen = facts.plaatsingen.set_index("plaatsing_id")
    oproep_wg = plaatsingen.loc[gemeente.scenario["loonstrook_ontbreekt"], "werkgever_id"]
    result.gebruikers.update(demo_gebruikers.maak_werkgevers(engine, dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
                                                             extra=(oproep_wg,)))
    result.vergissing = vergissing.verslag(engine, fout)
    # the withdrawal as the audit shows it (lks intrekkingen list, the Leveringen page)
    for r in leveringen.intrekkingen(engine, medewerker):
        result.vergissing.append(f"Auditlog (`lks intrekkingen list`): {r.moment:%Y-%m-%d %H:%M} trok {r.gebruiker} "
                                 f"{r.wat} in (levering {r.import_id}), reden: '{r.reden}'"
                                 + (f"; mee ingetrokken: {', '.join(r.meegenomen)}" if r.meegenomen else "") + ".")
    result.oproepkrachten = oproepkrachten.verslag(engine, gemeente.scenario)
    oproep_naam = facts.werkgevers.set_index("werkgever_id").loc[oproep_wg, "naam"]
    result.oproepkrachten.append(
        f"Werkgeversportaal: log in als {demo_gebruikers.werkgever_gebruiker(oproep_wg)} ({oproep_naam}). Onder "
        "'Mijn werknemers' staat per oproepkracht in één regel welke loonstroken nog verwacht worden: de te late "
        "maanden samengevat (aaneengesloten maanden als 'van … tot en met …'), de datum waarop de eerste er had "
        "moeten zijn en een link om de uren door te geven.")

    # the calculation export as other tools read it (interfaces §3), with current knowledge
    berekening = calculate(facts.to_calc_input(), EERSTE, LAATSTE, params, settings.policy())
    write_calculation_csv(berekening.plaatsing_maanden, out / "berekening-2025-01-2026-06.csv")
    _uitleg_voorbeelden(out / "uitleg", facts.to_calc_input(), gemeente.scenario, params, settings)
    # controller step: budgets, ledger export with a seeded misbooking, camt.053, rapport/
    from lks.demo.verantwoording import verantwoording_demo
    result.verantwoording = verantwoording_demo(out, engine, settings, params,
                                                dt.datetime(2026, 7, 10, 9, 0, tzinfo=UTC))
    # and what it refuses: a delivery with errors, a month without its legal WML
    from lks.demo.bewaking import bewaking_demo
    bewaking_map = Path(tempfile.mkdtemp(prefix="lks-demo-bewaking-"))
    try:
        result.bewaking = bewaking_demo(app, bewaking_map, dt.datetime(2026, 7, 18, 7, 0, tzinfo=UTC),
                                        medewerker)
    finally:
        shutil.rmtree(bewaking_map, ignore_errors=True)
    result.parameters_wml = toelichting(params, "wml_maandloon")
    engine.dispose()
    _leesmij(out, result)
    return result


def _signalen_csv(engine, path: Path) -> int:
    """The werklijst as staff see it with ``lks signalen list --alle``."""
    import csv

    signalen = sorted(lijst(engine, alle=True), key=lambda s: s.id)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "soort", "plaatsing_id", "werkgever_id", "betaalrun_id", "vervaldatum",
                         "gemaakt_op", "opgelost_op", "opgelost_door", "toelichting", "omschrijving"])
        for s in signalen:
            writer.writerow([s.id, s.soort, s.plaatsing_id or "", s.werkgever_id or "", s.betaalrun_id or "",
                             s.vervaldatum or "", f"{s.gemaakt_op:%Y-%m-%dT%H:%M:%SZ}",
                             f"{s.opgelost_op:%Y-%m-%dT%H:%M:%SZ}" if s.opgelost_op else "",
                             s.opgelost_door or "", s.toelichting or "", s.omschrijving])
    return len(signalen)


def _uitleg_voorbeelden(folder: Path, calc_input, scenario: dict, params, settings) -> None:
    """The derivation of a few telling plaatsing-months, as ``lks explain`` prints them."""
    from lks.uitleg import uitleg

    folder.mkdir(parents=True, exist_ok=True)
    result = calculate(calc_input, EERSTE, LAATSTE, params, settings.policy(), explain=True)
    months = result.plaatsing_maanden
    segments = result.segments
    # verloonde uren above the cap of the cao (rekenregels §7) are telling too
    begrensd = set(zip(segments.loc[segments["begrensd"], "plaatsing_id"], segments.loc[segments["begrensd"], "periode"]))
    for name, plaatsing_id in sorted(scenario.items()):
        rows = months[months["plaatsing_id"] == plaatsing_id]
        if rows.empty:
            continue
        capped = pd.Series([(p, m) in begrensd for p, m in zip(rows["plaatsing_id"], rows["periode"])],
                           index=rows.index, dtype=bool)
        interesting = rows[(rows["reden"] != "") | (rows["dagen_actief"] < rows["dagen_maand"]) | capped]
        periode = str((interesting if len(interesting) else rows)["periode"].iloc[0])
        lines = uitleg(result, plaatsing_id, periode, params, settings.policy())
        (folder / f"{name}-{plaatsing_id}-{periode}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _parameters_tekst(uitleg) -> str:
    """Why 2026-07 cannot be paid, as ``lks parameters show wml_maandloon`` shows it, and how
    a gemeente adds the new amount the day it is published."""
    if uitleg is None:
        return ""
    rijen = "\n".join(f"| {' | '.join(rij)} |" for rij in uitleg.rijen)
    kenmerken = "\n".join(f"    {regel}" for regel in uitleg.kenmerken)
    slot = "\n".join(uitleg.slot)
    return f"""### Waarom 2026-07 niet betaald kan worden: `lks parameters show {uitleg.naam}`
Het minimumloon is nationale wet; de tabel die met lks wordt meegeleverd, loopt tot en met
de laatste gepubliceerde waarde. `lks parameters show {uitleg.naam}` toont:

    {uitleg.naam}: {uitleg.omschrijving}
{kenmerken}

| vanaf | waarde | bron | publicatie |
|---|---|---|---|
{rijen}

{slot}

Zodra de Staatscourant het minimumloon per 1 juli 2026 bekendmaakt, zet de gemeente dat bedrag
met zijn publicatie in haar eigen parametermap (`[parameters] lokaal = "parameters-lokaal"` in
gemeente.toml), zonder het geïnstalleerde pakket aan te passen, in een bestand
`parameters-lokaal/{uitleg.naam}.yaml`:

```yaml
description: Wettelijk minimumloon per maand (21 jaar en ouder), aangevuld door de gemeente.
soort: wet
unit: eur_per_maand
reference: {{title: 'Wet minimumloon en minimumvakantiebijslag, art. 8 en art. 14'}}
valid_until: 2026-12-31
values:
  2026-07-01:
    value: "…"   # het bedrag uit de Staatscourant, met een punt als decimaalteken
    reference: {{title: 'Halfjaarlijkse aanpassing minimumloon per 1 juli 2026 (Staatscourant …)', href: 'https://zoek.officielebekendmakingen.nl/…'}}
```

`lks parameters check` controleert het bestand: een nieuwe waarde alleen na de meegeleverde
tabel, altijd met publicatie, nooit in strijd met een meegeleverde waarde. Ook het
uurloon (`wml_uurloon`) krijgt zo zijn nieuwe waarde. Beleid (de ontwikkelbaan: fractie,
duur en vanaf wanneer de gemeente hem heeft; de fractie voor beschut werk) legt de gemeente
in dezelfde map vast; de meegeleverde beleidswaarden zijn die van Het Hogeland.
"""


def _leesmij(out: Path, result: DemoResultaat) -> None:
    labels = {"verlening": "verleningen", "wijziging": "wijzigingen", "beeindiging": "beëindigingen",
              "vaststelling": "vaststellingen", "intrekking": "intrekkingen"}
    brieven = ", ".join(f"{n} {labels[s]}" for s, n in result.beschikkingen.items()) or "geen"
    runs = "\n".join(f"- `betaalruns/betaalrun-{r['periode']}-1/`" for r in result.runs[:2]) + "\n- …"
    weigeringen = "\n".join(f"- {regel}" for regel in result.bewaking) or "- (geen)"
    vergissing_tekst = "\n".join(f"- {regel}" for regel in result.vergissing) or "- (niet uitgevoerd)"
    oproep_tekst = ""
    if result.oproepkrachten:
        oproep_tekst = ("## Oproepkrachten: betaald op de verloonde uren, achteraf\n"
                        "Voor oproep-, min-max- en nulurencontracten betaalt de gemeente per maand over de uren die de "
                        "loonstrook noemt (rekenregels §7; kolom `urenbasis` = `verloond` in `plaatsingen.csv`, de "
                        "uren in `verloonde_uren.csv`). Zonder speciaal betaalpad: een maand zonder loonstrook krijgt "
                        "0, en zodra de uren er zijn betaalt de volgende betaalrun het verschil.\n"
                        + "\n".join(f"- {regel}" for regel in result.oproepkrachten) + "\n\n")
    wml = _parameters_tekst(result.parameters_wml)
    herzieningen = ", ".join(result.herzieningen) or "geen"
    if result.pdf:
        brief_pdf = f" en als PDF (`.pdf`, {result.beschikking_pdfs} brieven), zoals de gemeente ze verstuurt"
        specificatie_pdf = f" Die van de laatste betaalde run ({LAATST_BETAALD}) ook als PDF."
    else:
        brief_pdf = " (deze demo draaide zonder PDF's: `lks demo --no-pdf`)"
        specificatie_pdf = ""
    text = f"""# Demo loonkostensubsidie — gemeente Het Hogeland

Deze map is gemaakt door `lks demo`. De demogemeente is gebaseerd op het re-integratiebeleid
2024-2028 van Het Hogeland: loonkostensubsidie (Participatiewet art. 10d), beschut werk en de
ontwikkelbaan. Alle namen, BSN's en rekeningnummers zijn verzonnen.

## Wat is hier gebeurd
- De gegevens (werkgevers, werknemers, plaatsingen, loonwaarden, urenwijzigingen, verloonde
  uren van loonstroken) zijn
  ingelezen zoals ze in de loop van de tijd bekend werden: {result.imports} imports, elk
  vastgelegd op de dag dat het feit bekend werd. Zo laat de demo correcties met
  terugwerkende kracht zien, bijvoorbeeld een loonwaarde die in maart wordt gemeten en per
  januari ingaat.
- De maanden 2025-01 tot en met 2026-06 zijn nagespeeld met de eigen cycli van de scheduler
  (`batches/cycli.yaml`, zoals `lks scheduler --tot` doet): elke maand op de 18e om 07:00
  heeft de scheduler ({SCHEDULER}) de betaalrun aangevraagd en berekend; tot en met
  {LAATST_BETAALD} keurde {GOEDKEURDER} hem goed (vier ogen; in de demo gesimuleerd),
  {BEREKENAAR} maakte het SEPA-bestand en het is als verzonden gemarkeerd. Elke dag werkte de
  scheduler de werklijst met signalen bij.
- De betaalrun van {LAATSTE} is berekend en wacht op goedkeuring: die maand doet u zelf in de
  webapplicatie (zie onder).

## Een vergissing intrekken
Een plaatsing die per vergissing is ingevoerd, wordt niet overschreven maar ingetrokken
(`intrekkingen.csv`, met een verplichte reden). Vanaf de levering die haar intrekt, telt zij
als nooit waar geweest; wat eerder bekend was, blijft opvraagbaar
(`lks calculate … --as-of` met een moment ervoor), en het auditlog noemt wie wat introk en
waarom. De volgende betaalrun corrigeert wat erop betaald is, precies zoals bij elk ander
laat bekend feit (negatieve regels, verrekening, zo nodig een vordering), en de werkgever
krijgt een intrekkingsbeschikking (Awb art. 4:48) met bezwaarclausule:
{vergissing_tekst}

{oproep_tekst}## Wat het systeem weigert
Na de laatste maand probeert de demo twee dingen die niet mogen; de database blijft zoals
de maanden hem achterlieten (alleen de geannuleerde aanvraag staat in het auditlog):
{weigeringen}

{wml}

## Wat staat waar
- `lks-demo.db` — de SQLite-database met alle gegevens, betaalruns en het auditlog.
  Bekijk hem met bijvoorbeeld `lks --db sqlite:///demo-out/lks-demo.db betaalrun list`.
- `betaalruns/betaalrun-JJJJ-MM-1/` — per betaalrun:
  - `pain.001-JJJJ-MM-1.xml`: het SEPA-betaalbestand (pain.001.001.09), één betaalopdracht
    per budget (BUIG en re-integratiebudget), één transactie per werkgever per budget;
  - `specificatie-…-Wnnn.html` en `.csv`: de betaalspecificatie per werkgever, met
    correcties op eerdere maanden, verrekening en vorderingen.{specificatie_pdf}
{runs}
- `signalen.csv` — de werklijst ({result.signalen} signalen, open en opgelost): herbeoordeling
  van de loonwaarde, forfait dat afloopt, geen loonwaarde na het forfait, ontwikkelbaan die
  eindigt (met de vraag of het toegezegde contract er kwam), beschikking die uitblijft,
  betaalrun die niet op tijd is goedgekeurd, loonstrook die ontbreekt (verloonde uren die
  `[signalen] loonstrook_ontbreekt_dagen` na het einde van de maand nog niet zijn geleverd). Zie ook
  `lks --db sqlite:///demo-out/lks-demo.db signalen list`.
- `berekening-2025-01-2026-06.csv` — de berekening per plaatsing per maand met de kennis
  van nu (het exportformaat van `lks calculate`).
- `uitleg/` — de afleiding van enkele bijzondere plaatsing-maanden (jeugdloon, forfait,
  ontwikkelbaan na 18 maanden, loonwaarde 100 %, late loonwaarde …), zoals
  `lks explain PLAATSING --periode JJJJ-MM` ze toont.
- `beschikkingen/` — de beschikkingen aan werkgevers, gemaakt op elke
  rundag vóór de betaalrun, alleen voor wat sinds de vorige brieven veranderd is: verleningen
  bij de eerste run en bij nieuwe plaatsingen, wijzigingen bij de indexatie van het
  minimumloon (juli 2025 en januari 2026), nieuwe loonwaarden en uren, beëindigingen
  (einde dienstverband, ontwikkelbaan na 18 maanden, forfait zonder loonwaarde) en in januari
  2026 de vaststellingen over 2025; werd daarna nog iets over 2025 bekend, dan volgt een
  herziene vaststelling (Awb art. 4:49): {herzieningen}. Eén brief per werkgever per soort per dag, met een tabel
  als het om meer plaatsingen gaat. Elke brief staat er als HTML (`LKS-JJJJ-NNNNNN.html`){brief_pdf}.
  Status, hashes en invoer staan in de
  database: `lks --db sqlite:///demo-out/lks-demo.db beschikkingen list`.
  In deze demo: {brieven}.
"""
    rekening = "\n".join(f"- {regel}" for regel in result.rekeningwijzigingen) or "- (geen)"
    text += f"""
## Een nieuw rekeningnummer: vier ogen
Een levering bracht een nieuw rekeningnummer voor een werkgever. Het telde pas na goedkeuring door
een goedkeurder (niet degene die het aanleverde); tot dan werden de betalingen aan die werkgever
aangehouden en de volgende run betaalde ze:
{rekening}

## Webapplicatie en werkgeversportaal
`lks --db sqlite:///demo-out/lks-demo.db serve --uitvoer demo-out --betaalbestanden demo-out/betaalruns`
start de webapplicatie op http://127.0.0.1:8000/login. Inloggen kan als elk van de demogebruikers
die `lks demo` aan het eind toont (de wachtwoorden zijn alleen voor deze lokale demo): een
medewerker, een tweede medewerker, een goedkeurder, een controller, twee beheerders en drie werkgevers
(het portaal: eigen werknemers, brieven, betalingen, uren en wijzigingen doorgeven). De eerste beheerder
zette de andere gebruikers alleen op (de opzetfase, zo gemarkeerd op de pagina Beheer); sinds de tweede
beheerder er is, geldt een nieuwe gebruiker, een rol erbij of een wachtwoord pas als de andere beheerder
het bevestigt.

De maandcyclus als twee mensen: betaalrun {LAATSTE} is berekend door de scheduler en wacht op
goedkeuring. Log in als {GOEDKEURDER} (goedkeurder) en keur hem goed onder Betaalruns; log daarna in
als {BEREKENAAR} (medewerker), maak de bestanden, download het SEPA-bestand en de specificaties en
markeer de run als verzonden. {BEREKENAAR} ziet geen knop om goed te keuren, en wie een run heeft
berekend, kan hem nooit zelf goedkeuren.
"""
    if result.verantwoording:
        from lks.demo.verantwoording import leesmij_tekst
        text += leesmij_tekst(result.verantwoording)
    (out / "LEESMIJ.md").write_text(text, encoding="utf-8")
