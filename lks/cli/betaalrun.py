"""CLI: ``lks betaalrun request|calculate|approve|export|mark-sent|cancel|show|list``.

The acting user is the lks user of this process's account (``kern.identiteit``); the
application layer (``lks.app.betaalruns``) checks the role and the four-eyes rule."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from lks.cli.kern import (LksTyper, app, console, identiteit, meldingen, now, omgeving, periode,
                          schrijffout, uitvoerpad)

betaalrun_app = LksTyper(help="De maandelijkse betaalrun: aanvragen, berekenen, goedkeuren (vier ogen), "
                              "SEPA-bestand en specificaties maken, verzonden markeren.",
                         no_args_is_help=True)
app.add_typer(betaalrun_app, name="betaalrun")

PERIODE = typer.Option(..., "--periode", metavar="JJJJ-MM", help="De maand die de betaalrun betaalt.")
VOLGNUMMER = typer.Option(None, "--volgnummer", metavar="GETAL", help="Volgnummer binnen de periode (standaard: de lopende run).")
OUT = typer.Option(Path("betaalbestanden"), "--out", metavar="MAP",
                   help="Map voor het SEPA-bestand en de specificaties.")


def _fouten():
    from lks.betaalrun.lifecycle import BetaalrunFout
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterFout, ParameterOntbreekt
    return BetaalrunFout, CalcFout, ParameterFout, ParameterOntbreekt


@betaalrun_app.command("request")
def request(periode_: str = typer.Option(..., "--periode", metavar="JJJJ-MM", help="De maand die de betaalrun betaalt.")):
    """Vraag de betaalrun voor een periode aan (nog een keer vragen geeft dezelfde run)."""
    from lks.app import betaalruns
    o = omgeving()
    with meldingen(*_fouten()):
        run, created = betaalruns.aanvragen(o, identiteit(o.engine), periode(periode_), now())
    console.print(f"Betaalrun {run.kenmerk} {'aangevraagd' if created else 'bestaat al'} (status: {run.status}).")


@betaalrun_app.command("calculate")
def calculate(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER):
    """Bereken de betaalrun: alle maanden binnen de retrotermijn opnieuw, betaal het verschil."""
    from lks.app import betaalruns
    o = omgeving()
    wie = identiteit(o.engine)
    with meldingen(*_fouten()), console.status("Betaalrun berekenen…"):
        info = betaalruns.berekenen(o, wie, periode(periode_), now(), volgnummer)
    _print_summary(info)


def _print_summary(info: dict) -> None:
    from lks.nl import euro
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
    if info.get("aangehouden"):
        table.add_row("aangehouden (rekeningwijziging wacht op goedkeuring)", euro(info["aangehouden"]))
    console.print(table)
    if not info["regels"]:
        console.print("Geen betaalregels: er is niets te betalen of te corrigeren in deze run.")


@betaalrun_app.command("approve")
def approve(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER):
    """Keur de berekende betaalrun goed (vier ogen: niet door wie hem berekende)."""
    from lks.app import betaalruns
    o = omgeving()
    with meldingen(*_fouten()):
        run = betaalruns.goedkeuren(o, identiteit(o.engine), periode(periode_), now(), volgnummer)
    console.print(f"Betaalrun {run.kenmerk} goedgekeurd door {run.goedgekeurd_door}; uitvoerdatum {run.uitvoerdatum}.")


@betaalrun_app.command("export")
def export(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER, out: Path = OUT):
    """Maak het SEPA-bestand (pain.001.001.09) en de betaalspecificaties van een goedgekeurde run.
    Betaalt de run niets uit (alleen vorderingen of verrekening), dan alleen de specificaties."""
    from lks.app import betaalruns
    from lks.betaalrun.bestand import GEEN_BETAALBESTAND, BestandFout

    uitvoerpad(out, "--out", is_map=True)
    o = omgeving()
    wie = identiteit(o.engine)
    try:
        with meldingen(BestandFout, *_fouten()):
            result = betaalruns.exporteren(o, wie, periode(periode_), now(), out, volgnummer, progress=console)
    except OSError as exc:  # before the file's hash is recorded: the run is unchanged
        schrijffout(exc, out)
    for pad in result.opgeruimd:
        console.print(f"Opgeruimd: {pad.name}, een tijdelijk bestand van een afgebroken export.",
                      markup=False, highlight=False, soft_wrap=True)
    if result.sepa_pad is None:
        console.print(f"{GEEN_BETAALBESTAND[0].upper()}{GEEN_BETAALBESTAND[1:]}; {result.specificaties} "
                      f"specificaties in {result.map}. Sluit de betaalrun af met 'lks betaalrun mark-sent'.",
                      markup=False, highlight=False, soft_wrap=True)
        return
    console.print(f"SEPA-bestand: {result.sepa_pad} (sha256 {result.sha256[:16]}…), "
                  f"{result.specificaties} specificaties in {result.map}")


@betaalrun_app.command("mark-sent")
def mark_sent(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER):
    """Markeer het SEPA-bestand als verzonden naar de bank (kan maar één keer). Een run zonder
    betaalbestand (niets uit te betalen) wordt hiermee afgesloten."""
    from lks.app import betaalruns
    o = omgeving()
    with meldingen(*_fouten()):
        run = betaalruns.verzonden(o, identiteit(o.engine), periode(periode_), now(), volgnummer)
    if run.bestand_naam:
        console.print(f"Betaalrun {run.kenmerk} gemarkeerd als verzonden.")
    else:
        console.print(f"Betaalrun {run.kenmerk} afgesloten (status verzonden): er was geen betaalbestand "
                      "nodig, niets uit te betalen.")


@betaalrun_app.command("cancel")
def cancel(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER):
    """Annuleer een betaalrun die nog niet is goedgekeurd."""
    from lks.app import betaalruns
    o = omgeving()
    with meldingen(*_fouten()):
        run = betaalruns.annuleren(o, identiteit(o.engine), periode(periode_), now(), volgnummer)
    console.print(f"Betaalrun {run.kenmerk} geannuleerd.")


@betaalrun_app.command("list")
def list_runs():
    """Toon alle betaalruns met status en totalen."""
    from lks.app import betaalruns
    from lks.nl import euro
    o = omgeving()
    with meldingen():
        runs = betaalruns.lijst(o, identiteit(o.engine))
    table = Table(title="Betaalruns")
    for column in ("kenmerk", "status", "berekend door", "goedgekeurd door", "uitvoerdatum", "te betalen"):
        table.add_column(column, justify="right" if column == "te betalen" else "left")
    for run in runs:
        table.add_row(run.kenmerk, run.status, run.berekend_door or "", run.goedgekeurd_door or "",
                      str(run.uitvoerdatum or ""), euro(run.te_betalen))
    console.print(table)
    if not runs:
        console.print("Nog geen betaalruns.")


@betaalrun_app.command("show")
def show(periode_: str = PERIODE, volgnummer: int = VOLGNUMMER,
         out: Path = typer.Option(Path("betaalbestanden"), "--out", metavar="MAP",
                                  help="Map van de export (om achtergebleven tijdelijke bestanden te melden).")):
    """Toon één betaalrun: status, totalen per budget, correcties, het auditlog en tijdelijke
    bestanden die een afgebroken export in de map achterliet."""
    from lks.app import betaalruns
    from lks.betaalrun.bestand import GEEN_BETAALBESTAND
    from lks.nl import euro
    o = omgeving()
    with meldingen(*_fouten()):
        d = betaalruns.toon(o, identiteit(o.engine), periode(periode_), volgnummer, map_=out)
    console.print(f"Betaalrun {d.run.kenmerk}: status {d.run.status}")
    table = Table(title="Betalingen per budget")
    for column in ("budget", "werkgevers", "te betalen", "verrekend"):
        table.add_column(column)
    for budget, n, bedrag, verrekend in d.per_budget:
        table.add_row(budget, str(n), euro(bedrag), euro(verrekend))
    console.print(table)
    for soort, n, bedrag in d.per_soort:
        console.print(f"  {soort}: {n} regels, {euro(bedrag)}")
    for a in d.aangehouden:
        console.print(f"  aangehouden: werkgever {a['werkgever_id']} ({a['budget']}), {a['regels']} regels, "
                      f"{euro(a['bedrag'])} — nieuw rekeningnummer wacht op goedkeuring; de volgende run betaalt "
                      "het na goedkeuring", highlight=False)
    log = Table(title="Auditlog")
    for column in ("moment (UTC)", "gebruiker", "actie", "van", "naar"):
        log.add_column(column)
    for a in d.audit:
        log.add_row(f"{a.moment:%Y-%m-%d %H:%M:%S}", a.gebruiker, a.actie, a.van_status or "", a.naar_status or "")
    console.print(log)
    if d.run.bestand_naam:
        console.print(f"SEPA-bestand: {out / f'betaalrun-{d.run.kenmerk}' / d.run.bestand_naam} "
                      f"(sha256 {d.run.bestand_sha256})", markup=False, highlight=False, soft_wrap=True)
    elif d.zonder_betaalbestand:
        console.print(f"SEPA-bestand: {GEEN_BETAALBESTAND}; specificaties in "
                      f"{out / f'betaalrun-{d.run.kenmerk}'}", markup=False, highlight=False, soft_wrap=True)
    for tijdelijk in d.achtergebleven:
        if tijdelijk.in_use:
            uitleg = "wordt nu geschreven door een lopende export (of is niet te controleren)"
        else:
            uitleg = (f"is achtergelaten door een afgebroken export; niet gebruiken (het bestand is "
                      f"{tijdelijk.final_name}); de volgende 'lks betaalrun export' ruimt het op")
        console.print(f"Let op: tijdelijk bestand {tijdelijk.path} {uitleg}.", markup=False,
                      highlight=False, soft_wrap=True)
