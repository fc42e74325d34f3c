"""CLI: ``lks betaalrun request|calculate|approve|export|mark-sent|cancel|show|list``.

Verbs in English, domain nouns and every message in Dutch (DEVELOPERS.md)."""
from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.kalender import uitvoerdatum
from lks.calc.core import CalcFout
from lks.cli import LksTyper, app, console, fail, open_engine, schrijffout, uitvoerpad
from lks.db.models_betaalrun import USER, AuditLog, Betaalregel, Betaalrun, Betaling
from lks.nl import euro
from lks.parameters import ParameterFout, ParameterOntbreekt, Parameters
from lks.settings import InstellingenFout, load_settings

betaalrun_app = LksTyper(help="De maandelijkse betaalrun: aanvragen, berekenen, goedkeuren (vier ogen), "
                                 "SEPA-bestand en specificaties maken, verzonden markeren.",
                         no_args_is_help=True)
app.add_typer(betaalrun_app, name="betaalrun")

PERIODE = typer.Option(..., "--periode", metavar="JJJJ-MM", help="De maand die de betaalrun betaalt.")
VOLGNUMMER = typer.Option(None, "--volgnummer", metavar="GETAL", help="Volgnummer binnen de periode (standaard: de lopende run).")
GEBRUIKER = typer.Option(None, "--gebruiker", metavar="NAAM",
                         help="Wie deze stap zet (standaard: LKS_GEBRUIKER, anders de systeemgebruiker).")


def _gebruiker(value: str | None) -> str:
    name = (value or os.environ.get("LKS_GEBRUIKER") or getpass.getuser() or "").strip()
    if not name:
        fail("geen gebruiker bekend: geef --gebruiker NAAM")
    if len(name) > USER.length:
        fail(f"--gebruiker: de naam is langer dan {USER.length} tekens")
    return name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_engine = open_engine


def _settings():
    try:
        return load_settings()
    except InstellingenFout as exc:
        fail(str(exc))


def _periode(value: str) -> str:
    """--periode as JJJJ-MM exactly (lifecycle.parse_periode)."""
    try:
        return lc.parse_periode(value)
    except lc.BetaalrunFout:
        fail(f"--periode '{value}' is geen geldige maand (JJJJ-MM)")


@betaalrun_app.command("request")
def request(periode: str = PERIODE, gebruiker: str = GEBRUIKER):
    """Vraag de betaalrun voor een periode aan (nog een keer vragen geeft dezelfde run)."""
    run, created = lc.aanvragen(_engine(), _periode(periode), _gebruiker(gebruiker), _now())
    console.print(f"Betaalrun {run.kenmerk} {'aangevraagd' if created else 'bestaat al'} (status: {run.status}).")


@betaalrun_app.command("calculate")
def calculate(periode: str = PERIODE, volgnummer: int = VOLGNUMMER, gebruiker: str = GEBRUIKER):
    """Bereken de betaalrun: alle maanden binnen de retrotermijn opnieuw, betaal het verschil."""
    engine = _engine()
    try:
        params = Parameters.load()
        with console.status("Betaalrun berekenen…"):
            info = lc.berekenen(engine, _periode(periode), _gebruiker(gebruiker), _now(), params,
                                _settings(), volgnummer)
    except (lc.BetaalrunFout, ParameterFout, ParameterOntbreekt, CalcFout) as exc:
        fail(str(exc))
    _print_summary(info)


def _print_summary(info: dict) -> None:
    run = info["run"]
    table = Table(title=f"Betaalrun {run.kenmerk} — berekend")
    table.add_column("onderdeel")
    table.add_column("waarde", justify="right")
    table.add_row("betaalregels", str(info["regels"]))
    table.add_row("waarvan correcties eerdere maanden", str(info["correcties"]))
    table.add_row("plaatsingen", str(info["plaatsingen"]))
    table.add_row("werkgevers met betaling", str(info["werkgevers"]))
    table.add_row("te betalen BUIG", euro(info["totaal_buig"]))
    table.add_row("te betalen re-integratiebudget", euro(info["totaal_reintegratie"]))
    table.add_row("verrekend met vorderingen", euro(info["verrekend"]))
    table.add_row("nieuwe vorderingen", euro(info["nieuwe_vorderingen"]))
    console.print(table)


@betaalrun_app.command("approve")
def approve(periode: str = PERIODE, volgnummer: int = VOLGNUMMER, gebruiker: str = GEBRUIKER):
    """Keur de berekende betaalrun goed (vier ogen: niet door wie hem berekende)."""
    engine = _engine()
    settings = _settings()
    now = _now()
    periode = _periode(periode)
    try:
        run = lc.goedkeuren(engine, periode, _gebruiker(gebruiker), now,
                            uitvoerdatum(periode, settings.betaalrun.betaaldag, now.date()), volgnummer)
    except lc.BetaalrunFout as exc:
        fail(str(exc))
    console.print(f"Betaalrun {run.kenmerk} goedgekeurd door {run.goedgekeurd_door}; uitvoerdatum {run.uitvoerdatum}.")


UITVOERMAP = Path("betaalbestanden")


@betaalrun_app.command("export")
def export(periode: str = PERIODE, volgnummer: int = VOLGNUMMER, gebruiker: str = GEBRUIKER,
           out: Path = typer.Option(UITVOERMAP, "--out", metavar="MAP",
                                     help="Map voor het SEPA-bestand en de specificaties.")):
    """Maak het SEPA-bestand (pain.001.001.09) en de betaalspecificaties van een goedgekeurde run."""
    from lks.betaalrun.bestand import BestandFout, maak_bestanden

    uitvoerpad(out, "--out", is_map=True)
    engine = _engine()
    try:
        result = maak_bestanden(engine, _periode(periode), volgnummer, _gebruiker(gebruiker), _now(),
                                _settings(), out, progress=console)
    except (lc.BetaalrunFout, BestandFout) as exc:
        fail(str(exc))
    except OSError as exc:  # before the file's hash is recorded: the run is unchanged
        schrijffout(exc, out)
    for pad in result.opgeruimd:
        console.print(f"Opgeruimd: {pad.name}, een tijdelijk bestand van een afgebroken export.",
                      markup=False, highlight=False, soft_wrap=True)
    console.print(f"SEPA-bestand: {result.sepa_pad} (sha256 {result.sha256[:16]}…), "
                  f"{result.specificaties} specificaties in {result.map}")


@betaalrun_app.command("mark-sent")
def mark_sent(periode: str = PERIODE, volgnummer: int = VOLGNUMMER, gebruiker: str = GEBRUIKER):
    """Markeer het SEPA-bestand als verzonden naar de bank (kan maar één keer)."""
    try:
        run = lc.verzonden(_engine(), _periode(periode), _gebruiker(gebruiker), _now(), volgnummer)
    except lc.BetaalrunFout as exc:
        fail(str(exc))
    console.print(f"Betaalrun {run.kenmerk} gemarkeerd als verzonden.")


@betaalrun_app.command("cancel")
def cancel(periode: str = PERIODE, volgnummer: int = VOLGNUMMER, gebruiker: str = GEBRUIKER):
    """Annuleer een betaalrun die nog niet is goedgekeurd."""
    try:
        run = lc.annuleren(_engine(), _periode(periode), _gebruiker(gebruiker), _now(), volgnummer)
    except lc.BetaalrunFout as exc:
        fail(str(exc))
    console.print(f"Betaalrun {run.kenmerk} geannuleerd.")


@betaalrun_app.command("list")
def list_runs():
    """Toon alle betaalruns met status en totalen."""
    engine = _engine()
    with Session(engine) as s:
        totals = dict(s.execute(select(Betaling.betaalrun_id, func.sum(Betaling.bedrag))
                                .group_by(Betaling.betaalrun_id)).all())
        runs = s.scalars(select(Betaalrun).order_by(Betaalrun.periode, Betaalrun.volgnummer)).all()
        table = Table(title="Betaalruns")
        for column in ("kenmerk", "status", "berekend door", "goedgekeurd door", "uitvoerdatum", "te betalen"):
            table.add_column(column, justify="right" if column == "te betalen" else "left")
        for run in runs:
            table.add_row(run.kenmerk, run.status, run.berekend_door or "", run.goedgekeurd_door or "",
                          str(run.uitvoerdatum or ""), euro(int(totals.get(run.id) or 0)))
    console.print(table)


@betaalrun_app.command("show")
def show(periode: str = PERIODE, volgnummer: int = VOLGNUMMER,
         out: Path = typer.Option(UITVOERMAP, "--out", metavar="MAP",
                                  help="Map van de export (om achtergebleven tijdelijke bestanden te melden).")):
    """Toon één betaalrun: status, totalen per budget, correcties, het auditlog en tijdelijke
    bestanden die een afgebroken export in de map achterliet."""
    engine = _engine()
    with Session(engine) as s:
        try:
            run = lc.get_run(s, _periode(periode), volgnummer)
        except lc.BetaalrunFout as exc:
            fail(str(exc))
        per_budget = s.execute(select(Betaling.budget, func.count(), func.sum(Betaling.bedrag),
                                      func.sum(Betaling.verrekend))
                               .where(Betaling.betaalrun_id == run.id).group_by(Betaling.budget)).all()
        soorten = s.execute(select(Betaalregel.soort, func.count(), func.sum(Betaalregel.bedrag))
                            .where(Betaalregel.betaalrun_id == run.id).group_by(Betaalregel.soort)).all()
        audit = s.scalars(select(AuditLog).where(AuditLog.betaalrun_id == run.id).order_by(AuditLog.id)).all()
        console.print(f"Betaalrun {run.kenmerk}: status {run.status}")
        table = Table(title="Betalingen per budget")
        for column in ("budget", "werkgevers", "te betalen", "verrekend"):
            table.add_column(column)
        for budget, n, bedrag, verrekend in per_budget:
            table.add_row(budget, str(n), euro(int(bedrag or 0)), euro(int(verrekend or 0)))
        console.print(table)
        for soort, n, bedrag in soorten:
            console.print(f"  {soort}: {n} regels, {euro(int(bedrag or 0))}")
        log = Table(title="Auditlog")
        for column in ("moment (UTC)", "gebruiker", "actie", "van", "naar"):
            log.add_column(column)
        for a in audit:
            log.add_row(f"{a.moment:%Y-%m-%d %H:%M:%S}", a.gebruiker, a.actie, a.van_status or "", a.naar_status or "")
        console.print(log)
        _meld_tijdelijke_bestanden(run, out)


def _meld_tijdelijke_bestanden(run: Betaalrun, out: Path) -> None:
    """Which file in the run's folder is the SEPA file, and every temporary file beside it."""
    from lks.betaalrun.bestand import run_folder, temp_files_of_run

    if run.bestand_naam:
        console.print(f"SEPA-bestand: {run_folder(out, run.kenmerk) / run.bestand_naam} "
                      f"(sha256 {run.bestand_sha256})", markup=False, highlight=False, soft_wrap=True)
    for tijdelijk in temp_files_of_run(out, run.kenmerk):
        if tijdelijk.in_use:
            uitleg = "wordt nu geschreven door een lopende export (of is niet te controleren)"
        else:
            uitleg = (f"is achtergelaten door een afgebroken export; niet gebruiken (het bestand is "
                      f"{tijdelijk.final_name}); de volgende 'lks betaalrun export' ruimt het op")
        console.print(f"Let op: tijdelijk bestand {tijdelijk.path} {uitleg}.", markup=False,
                      highlight=False, soft_wrap=True)
