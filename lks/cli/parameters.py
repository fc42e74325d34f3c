"""CLI: ``lks parameters list|show|check`` — the parameters in force for this gemeente: the
shipped tables with its own folder on top (interfaces §4).

Parameters are files, not personal data: these commands need no database and no role."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lks.cli.kern import LksTyper, app, console, err_console, fail, settings

parameters_app = LksTyper(
    help="Parameters: de meegeleverde tabellen (wet en beleid) en de eigen map van de gemeente "
         "([parameters] lokaal in gemeente.toml).",
    no_args_is_help=True)
app.add_typer(parameters_app, name="parameters")

def _laden(instellingen):
    from lks.parameters import ParameterFout, Parameters
    try:
        return Parameters.voor(instellingen)
    except ParameterFout as exc:
        fail(str(exc))


def _toon(table) -> None:
    """A terminal wraps the table to its width; written to a file or pipe (a LEESMIJ, a log)
    the table keeps its rows on one line each."""
    if console.is_terminal:
        console.print(table)
    else:
        Console(width=200, file=console.file, no_color=console.no_color).print(table)


def _tot(p) -> str:
    return f"t/m {p.valid_until.isoformat()}" if p.valid_until else "open"


def _bron(p) -> str:
    bronnen = set(p.bronnen) or {"geleverd"}
    return " + ".join(b for b in ("geleverd", "lokaal") if b in bronnen)


@parameters_app.command("list")
def list_command():
    """Toon alle parameters: wet of beleid, de laatste waarde, tot wanneer die bekend is en
    waar de waarden vandaan komen (meegeleverd of de eigen map van de gemeente)."""
    from lks.parameters import toon_waarde

    params = _laden(settings())
    table = Table(title="Parameters", title_justify="left")
    table.add_column("parameter", no_wrap=True)
    for column in ("soort", "laatste waarde", "vanaf", "geldig", "bron"):
        table.add_column(column)
    for name in sorted(params):
        p = params[name]
        laatste = p.values[-1]
        waarde = (f"staffel {min(laatste)}-{max(laatste)} jaar" if isinstance(laatste, dict)
                  else toon_waarde(laatste, p.unit))
        table.add_row(name, p.soort, waarde, p.dates[-1].isoformat(), _tot(p), _bron(p))
    _toon(table)
    console.print(_map_regel(params), highlight=False, soft_wrap=True, markup=False)


def _map_regel(params) -> str:
    if params.lokaal is None:
        return ("Geen eigen parametermap ingesteld ([parameters] lokaal in gemeente.toml): de meegeleverde "
                "tabellen gelden; het beleid daarin is dat van Het Hogeland.")
    return f"Eigen parametermap: {params.lokaal}"


@parameters_app.command("show")
def show_command(naam: str = typer.Argument(..., metavar="NAAM", help="De parameter, bijvoorbeeld wml_maandloon.")):
    """Toon de waarden van één parameter die gelden, elk met de datum vanaf wanneer, de bron
    (meegeleverd of de eigen map van de gemeente) en de publicatie."""
    import difflib

    from lks.parameters import toelichting

    params = _laden(settings())
    if naam not in params:
        lijkt = difflib.get_close_matches(naam, sorted(params), n=1)
        fail(f"onbekende parameter {naam!r}" + (f" (bedoelt u {lijkt[0]}?)" if lijkt else "")
             + "; zie 'lks parameters list'")
    uitleg = toelichting(params, naam)
    console.print(f"[bold]{escape(naam)}[/]: {escape(uitleg.omschrijving)}", highlight=False, soft_wrap=True)
    for regel in uitleg.kenmerken:
        console.print(regel, highlight=False, soft_wrap=True, markup=False)
    table = Table(title_justify="left")
    for column in ("vanaf", "waarde", "bron", "publicatie"):
        table.add_column(column, overflow="fold")
    for rij in uitleg.rijen:
        table.add_row(*map(escape, rij))
    _toon(table)
    for regel in uitleg.slot:
        console.print(regel, highlight=False, soft_wrap=True, markup=False)


@parameters_app.command("check")
def check_command():
    """Controleer de eigen parametermap van de gemeente tegen de meegeleverde tabellen: beleid
    vervangt, wet mag alleen na de meegeleverde tabel worden aangevuld, elke nieuwe waarde met
    haar publicatie. Elke fout met bestand en reden; bij een fout geldt niets van de map."""
    from lks.parameters import REGELING_PARAMETERS, ParameterFout, Parameters

    instellingen = settings()
    lokaal = instellingen.parameters_lokaal
    try:
        params = Parameters.voor(instellingen)
    except ParameterFout as exc:
        for fout in exc.fouten:
            err_console.print(fout, markup=False, highlight=False, soft_wrap=True)
        fail(f"eigen parametermap {lokaal} geweigerd: {len(exc.fouten)} "
             f"{'fout' if len(exc.fouten) == 1 else 'fouten'}; een berekening, betaalrun of import gebruikt "
             "deze map pas als hij in orde is")
    if lokaal is None:
        console.print(_map_regel(params), highlight=False, soft_wrap=True, markup=False)
    else:
        table = Table(title=f"Eigen parametermap {lokaal}: in orde", title_justify="left")
        for column in ("bestand", "soort", "werking"):
            table.add_column(column, overflow="fold")
        for bestand in params.lokale_bestanden:
            table.add_row(bestand.pad.name, bestand.soort, bestand.werking)
        if not params.lokale_bestanden:
            table.add_row("(geen bestanden)", "", "de meegeleverde tabellen gelden")
        _toon(table)
    regelingen = "; ".join(f"{r} vanaf {params.regeling_vanaf(r).isoformat()}"
                           for r in ("lks", "beschut", "ontwikkelbaan"))
    console.print(f"Regelingen van de gemeente: {regelingen}.", highlight=False, soft_wrap=True, markup=False)
    for regeling, namen in REGELING_PARAMETERS.items():
        begin = {name: params[name].dates[0] for name in namen}
        if len(set(begin.values())) > 1:
            laatste = max(begin, key=begin.get)
            console.print(f"Let op: {', '.join(f'{n} begint op {d.isoformat()}' for n, d in begin.items())}; "
                          f"de gemeente heeft de regeling {regeling} dus pas vanaf {begin[laatste].isoformat()} "
                          "(een plaatsing die eerder begint, wordt bij import geweigerd).",
                          highlight=False, soft_wrap=True, markup=False)
    wml = params["wml_maandloon"]
    if wml.valid_until is not None:
        console.print(f"Minimumloon bekend tot en met {wml.valid_until.isoformat()}.", highlight=False,
                      soft_wrap=True, markup=False)
