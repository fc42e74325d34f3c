"""CLI: ``lks scheduler`` (the batch cycles, or their replay with ``--tot``) and
``lks signalen list|resolve|make`` (the werklijst).

Verbs in English, domain nouns and every message in Dutch."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from lks.cli.kern import (LksTyper, app, console, fail, identiteit, meldingen, now, omgeving, open_engine,
                          params as _params, settings as _settings)
from lks.cli.kern import datum as _datum

signalen_app = LksTyper(help="De werklijst: signalen voor medewerkers (herbeoordeling loonwaarde, "
                             "forfait, ontwikkelbaan, beschikking, betaalrun, loonstrook).", no_args_is_help=True)
app.add_typer(signalen_app, name="signalen")


@app.command("scheduler")
def scheduler_command(
    tot: str = typer.Option(None, "--tot", metavar="DATUM",
                            help="Simulatie: speel de cycli tot en met deze dag (JJJJ-MM-DD) na met een "
                                 "gestuurde klok, zonder te wachten. Schrijft in de database."),
    vanaf: str = typer.Option(None, "--vanaf", metavar="DATUM",
                              help="Simulatie: eerste dag (standaard de eerste dag van betaalrun.eerste_periode)."),
    out: Path = typer.Option(Path("uitvoer"), "--out", metavar="MAP", help="Map voor beschikkingen die de cycli maken."),
):
    """Start de batchcycli (één scheduler per database): maandelijkse betaalrun aanvragen en
    berekenen, beschikkingen op WML-wijzigingsdata, dagelijkse signalen, vaststelling na
    de jaarwisseling. De cycli handelen als de systeemgebruiker 'scheduler', die aanvraagt en
    berekent maar nooit goedkeurt. Met --tot: speel de cycli na (simulatie)."""
    from lks.app.identiteit import Actie, Rol
    from lks.scheduler import Omgeving, SchedulerFout, TIJDZONE, draai, laad_cycli, volgende_momenten

    if tot is None and vanaf:
        fail("--vanaf hoort bij de simulatie: geef ook --tot DATUM")
    engine = open_engine()
    settings = _settings()
    wie = identiteit(engine)
    if not wie.mag(Actie.SCHEDULER_STARTEN) and not (tot is not None and Rol.MEDEWERKER in wie.rollen):
        with meldingen():
            wie.vereist(Actie.SCHEDULER_STARTEN)
    o = Omgeving(engine=engine, params=_params(settings), settings=settings, out=out)
    try:
        laad_cycli(settings)
    except SchedulerFout as exc:
        fail(str(exc))
    if tot is not None:
        _replay(o, tot, vanaf)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    def bij_start(_scheduler):
        table = Table(title="Scheduler gestart (Europe/Amsterdam); stoppen met Ctrl-C")
        for column in ("cyclus", "volgende keer", "omschrijving"):
            table.add_column(column)
        for cyclus, moment in volgende_momenten(o):
            table.add_row(cyclus.id, f"{moment.astimezone(TIJDZONE):%Y-%m-%d %H:%M}", cyclus.omschrijving)
        console.print(table)

    try:
        draai(o, bij_start=bij_start)
    except SchedulerFout as exc:
        fail(str(exc))
    finally:
        engine.dispose()


def _replay(o, tot: str, vanaf: str | None) -> None:
    """The cycles replayed with a simulated clock. Runs stay 'berekend': approving is done by
    a goedkeurder with ``lks betaalrun approve`` or on the web, at the real time, after
    looking at the run — never in bulk by the person who typed the replay (only ``lks demo``,
    on its own fresh database, approves as its demo goedkeurder)."""
    from lks.nl import datum
    from lks.scheduler import TIJDZONE, SchedulerBezet, Vergrendeling, replay

    tot_dag = _datum(tot, "--tot")
    if vanaf is not None:
        vanaf_dag = _datum(vanaf, "--vanaf")
    elif o.settings.betaalrun.eerste_periode:
        vanaf_dag = dt.date.fromisoformat(o.settings.betaalrun.eerste_periode + "-01")
    else:
        fail("geef --vanaf DATUM (de instellingen noemen geen betaalrun.eerste_periode)")
    if vanaf_dag > tot_dag:
        fail(f"--vanaf {vanaf_dag} ligt na --tot {tot_dag}")
    begin = dt.datetime.combine(vanaf_dag, dt.time(0, 0), TIJDZONE)
    eind = dt.datetime.combine(tot_dag, dt.time(23, 59, 59), TIJDZONE)
    console.print(f"SIMULATIE: cycli van {datum(vanaf_dag)} tot en met {datum(tot_dag)} met een gestuurde klok"
                  "; betaalruns blijven 'berekend': een goedkeurder keurt ze daarna goed "
                  "(lks betaalrun approve of de webapplicatie)", highlight=False)
    try:
        with Vergrendeling(o.engine, o.settings):
            with console.status("Cycli naspelen…"):
                events = replay(o, begin, eind)
    except SchedulerBezet as exc:
        fail(str(exc))
    table = Table(title="Nagespeelde cycli (simulatie)")
    table.add_column("moment", no_wrap=True)
    table.add_column("cyclus", no_wrap=True)
    table.add_column("soort")
    table.add_column("resultaat")
    stille = 0
    for e in events:
        if e.fout is None and e.taak == "signalen" and not e.resultaat.get("nieuw"):
            stille += 1
            continue
        table.add_row(f"{e.moment.astimezone(TIJDZONE):%Y-%m-%d %H:%M}", e.cyclus, e.soort,
                      f"[red]fout: {escape(e.fout)}[/]" if e.fout else escape(_kort(e.resultaat)))
    console.print(table)
    fouten = sum(1 for e in events if e.fout)
    console.print(f"{len(events)} stappen ({stille} signalenrondes zonder nieuwe signalen niet getoond), "
                  f"{fouten} mislukt.", highlight=False)
    o.engine.dispose()
    if fouten:
        raise typer.Exit(1)


def _kort(r: dict) -> str:
    """One Dutch line per step."""
    from lks.nl import euro

    if "goedgekeurd_door" in r:
        return f"{r['periode']}: goedgekeurd door {r['goedgekeurd_door']}, uitvoerdatum {r['uitvoerdatum']}"
    if "periode" in r:
        if r.get("status") == "berekend" and "regels" in r:
            return (f"{r['periode']}: berekend, {r['regels']} regels, BUIG {euro(r['totaal_buig'])}, "
                    f"re-integratie {euro(r['totaal_reintegratie'])}")
        return f"{r['periode']}: {r.get('status')}" + (" (al gedaan)" if r.get("al_gedaan") else "")
    if "nieuw" in r:
        return f"{r['nieuw']} nieuwe signalen"
    if "resultaat" in r:
        brieven = r["resultaat"]
        if isinstance(brieven, dict):
            return ", ".join(f"{n} {soort}" for soort, n in brieven.items()) or "geen brieven nodig"
        return str(brieven)
    return str(r)


@signalen_app.command("list")
def signalen_list(alle: bool = typer.Option(False, "--alle", help="Ook de opgeloste signalen tonen.")):
    """Toon de open signalen (met --alle ook de opgeloste), vroegste vervaldatum eerst."""
    from lks.app import werklijst

    o = omgeving()
    wie = identiteit(o.engine)
    with meldingen():
        signalen = werklijst.lijst(o, wie, alle=alle)
        rekeningen = werklijst.wachtende_rekeningen(o, wie)
    for w in rekeningen:
        console.print(f"Rekeningwijziging {w.id}: werkgever {w.werkgever_id} {escape(w.werkgever_naam)} heeft een nieuw "
                      f"rekeningnummer dat wacht op goedkeuring (aangeleverd door {w.ingediend_door}); betalingen "
                      "worden aangehouden. Zie 'lks rekening list'.", highlight=False)
    if not signalen:
        console.print("Geen open signalen." if not alle else "Geen signalen.")
        return
    table = Table(title="Signalen" if alle else "Open signalen")
    for column in ("id", "soort", "betreft", "vervaldatum", "omschrijving") + (("opgelost",) if alle else ()):
        table.add_column(column)
    for s in signalen:
        betreft = s.plaatsing_id or (f"betaalrun {s.betaalrun_id}" if s.betaalrun_id else "") or s.werkgever_id or ""
        row = [str(s.id), s.soort, betreft, str(s.vervaldatum or ""), escape(s.omschrijving)]
        if alle:
            row.append(escape(f"{s.opgelost_op:%Y-%m-%d} {s.opgelost_door}: {s.toelichting}") if s.opgelost_op else "")
        table.add_row(*row)
    console.print(table)


@signalen_app.command("resolve")
def signalen_resolve(
    signaal_id: int = typer.Argument(..., metavar="ID", help="Het id uit 'lks signalen list'."),
    toelichting: str = typer.Option(..., "--toelichting", metavar="TEKST",
                                    help="Wat er is gedaan; bij een ontwikkelbaan: of het toegezegde contract "
                                         "er is gekomen."),
):
    """Los een signaal op, met een toelichting."""
    from lks.app import werklijst
    from lks.signalen import SignaalFout

    o = omgeving()
    with meldingen(SignaalFout):
        signaal = werklijst.los_op(o, identiteit(o.engine), signaal_id, toelichting, now())
    console.print(f"Signaal {signaal.id} ({signaal.soort}) opgelost door {signaal.opgelost_door}.", highlight=False)


@signalen_app.command("make")
def signalen_make(
    op: str = typer.Option(None, "--datum", metavar="DATUM", help="De dag waarvoor (standaard vandaag)."),
):
    """Werk de werklijst bij (wat de dagelijkse cyclus doet; veilig om te herhalen)."""
    from lks.app import werklijst
    from lks.nl import datum
    from lks.parameters import ParameterFout, ParameterOntbreekt
    from lks.scheduler import TIJDZONE

    moment = now()
    vandaag = _datum(op, "--datum") if op else moment.astimezone(TIJDZONE).date()
    o = omgeving()
    with meldingen(ParameterFout, ParameterOntbreekt):
        nieuw = werklijst.maak(o, identiteit(o.engine), vandaag, moment)
    console.print(f"{len(nieuw)} nieuwe signalen op {datum(vandaag)}.", highlight=False)
