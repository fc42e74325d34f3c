"""CLI: ``lks init`` (create or upgrade the schema) and ``lks import`` (a delivery of the CSV
files of interfaces §2, all or nothing)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from lks.cli.kern import (MAX_FOUTEN, LksTyper, _database_url, _init_schema, app, console, err_console, fail,
                          identiteit, meldingen, omgeving, params, parse_moment, settings)

intrekkingen_app = LksTyper(help="Intrekkingen: wat per vergissing was aangeleverd en met intrekkingen.csv is "
                                 "ingetrokken, door wie, wanneer en waarom.", no_args_is_help=True)
app.add_typer(intrekkingen_app, name="intrekkingen")


@app.command("init")
def init_command():
    """Database aanmaken of bijwerken naar het nieuwste schema (veilig om te herhalen) en
    een voorbeeld-gemeente.toml schrijven als die nog niet bestaat."""
    from lks.db import display_url
    from lks.settings import InstellingenFout, load_settings, settings_path, write_example

    url = _database_url()
    before, now = _init_schema(url)
    if before == now:
        console.print(f"Database {display_url(url)} is al bijgewerkt (schemaversie {now}).",
                      markup=False, highlight=False, soft_wrap=True)
    elif before is None:
        console.print(f"Database {display_url(url)} aangemaakt (schemaversie {now}).",
                      markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(f"Database {display_url(url)} bijgewerkt van schemaversie {before} "
                      f"naar {now}.", markup=False, highlight=False, soft_wrap=True)
    _eerste_beheerder(url)
    path = settings_path()
    if write_example(path):
        console.print(f"{path} aangemaakt met de voorbeeldinstellingen van de demogemeente; "
                      "vul naam, adressen, IBAN en ondertekenaar van uw gemeente in.",
                      markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(f"{path} bestaat al en is niet gewijzigd.", markup=False, highlight=False,
                      soft_wrap=True)
    try:
        load_settings(path)
    except InstellingenFout as error:
        fail(str(error))


@app.command("import")
def import_command(
    directory: Path = typer.Argument(..., metavar="MAP",
                                     help="Map met werkgevers.csv, werknemers.csv, "
                                          "plaatsingen.csv, loonwaarden.csv, "
                                          "urenwijzigingen.csv, verloonde_uren.csv en/of "
                                          "intrekkingen.csv."),
    recorded_at: str = typer.Option(None, "--recorded-at", metavar="TIJDSTIP",
                                    help="Vastlegmoment (ISO 8601, zonder tijdzone: UTC; "
                                         "standaard nu). Moet na de vorige import liggen."),
):
    """CSV-bestanden inlezen als nieuwe versie van de gegevens: alles of niets.

    Elke fout wordt gemeld met bestand, regel en kolom; bij een fout wordt niets geladen.
    Ongewijzigde regels voegen niets toe, gewijzigde regels worden een nieuwe versie
    (de geschiedenis van wat wanneer bekend was blijft opvraagbaar). verloonde_uren.csv
    geeft per maand de uren van de loonstrook (plaatsingen met urenbasis verloond).
    intrekkingen.csv trekt een per vergissing aangeleverde plaatsing, loonwaarde,
    urenwijziging of maand verloonde uren in, met reden: vanaf deze levering telt die als
    nooit waar geweest; de volgende betaalrun corrigeert wat erop is betaald. 'lks
    intrekkingen list' toont wie wat wanneer en waarom introk."""
    from lks.app import leveringen
    from lks.db import make_engine
    from lks.importer import ImportFouten

    moment = parse_moment(recorded_at, "--recorded-at")
    if not directory.is_dir():
        fail(f"map {directory} bestaat niet")
    parameters = params(settings())  # the gemeente's policy, checked before anything is touched
    url = _database_url()
    _init_schema(url)
    _eerste_beheerder(url)
    engine = make_engine(url)
    wie = identiteit(engine)
    try:
        with console.status("Bestanden controleren en inlezen…"), meldingen():
            result = leveringen.importeren(engine, wie, directory, recorded_at=moment, params=parameters)
    except ImportFouten as error:
        for fout in error.fouten[:MAX_FOUTEN]:
            err_console.print(str(fout), markup=False, highlight=False, soft_wrap=True)
        if len(error.fouten) > MAX_FOUTEN:
            err_console.print(f"… en {len(error.fouten) - MAX_FOUTEN} meer", markup=False,
                              highlight=False, soft_wrap=True)
        fail(f"import geweigerd: {len(error.fouten)} "
             f"{'fout' if len(error.fouten) == 1 else 'fouten'}; er is niets geladen")
    finally:
        engine.dispose()

    table = Table(title=f"Import {result.import_id}, vastgelegd op "
                        f"{result.recorded_at.isoformat(timespec='seconds')}")
    table.add_column("bestand")
    for column in ("nieuw", "gewijzigd", "ongewijzigd"):
        table.add_column(column, justify="right")
    for name, counts in result.counts.items():
        table.add_row(name, str(counts.new), str(counts.changed), str(counts.unchanged))
    console.print(table)
    for regel in result.ingetrokken:
        console.print(f"Ingetrokken: {regel}.", markup=False, highlight=False, soft_wrap=True)
    if result.ingetrokken:
        console.print("De volgende betaalrun corrigeert wat op het ingetrokkene is betaald; 'lks beschikkingen "
                      "make' maakt de brieven.", markup=False, highlight=False, soft_wrap=True)
    for regel in result.opnieuw:
        console.print(f"Let op: {regel}.", markup=False, highlight=False, soft_wrap=True)
    for werkgever_id in result.rekeningwijzigingen:
        console.print(f"Let op: nieuw rekeningnummer voor werkgever {werkgever_id}; betalingen aan deze "
                      "werkgever worden aangehouden tot een goedkeurder (niet u) de wijziging goedkeurt "
                      "('lks rekening list').", highlight=False, soft_wrap=True)


def _eerste_beheerder(url: str) -> None:
    """On a database without people, the installing account becomes the first beheerder."""
    from lks.app.gebruikers import eerste_beheerder
    from lks.db import make_engine
    engine = make_engine(url)
    try:
        naam = eerste_beheerder(engine)
    finally:
        engine.dispose()
    if naam:
        console.print(f"Eerste gebruiker: {naam} (dit account), met de rollen beheerder en medewerker. Voeg met "
                      "'lks gebruiker add' de goedkeurders, controllers en andere medewerkers toe; goedkeuren "
                      "doet altijd een ander dan wie berekent, en een beheerder kent zichzelf geen rollen toe.",
                      markup=False, highlight=False, soft_wrap=True)


@intrekkingen_app.command("list")
def intrekkingen_list(limiet: int = typer.Option(None, "--limiet", metavar="AANTAL", min=1,
                                                 help="Alleen de nieuwste AANTAL intrekkingen.")):
    """Toon de intrekkingen, nieuwste eerst: moment, gebruiker, wat is ingetrokken
    (plaatsing, loonwaarde, urenwijziging of verloonde uren), de levering en de reden."""
    from lks.app import leveringen
    o = omgeving()
    with meldingen():
        rows = leveringen.intrekkingen(o.engine, identiteit(o.engine), limiet)
    if not rows:
        console.print("Nog geen intrekkingen.")
        return
    # one block per withdrawal (not a table: a reden is free text and folds badly in columns)
    console.print(f"Intrekkingen ({len(rows)}), nieuwste eerst; tijden in UTC:", highlight=False)
    for r in rows:
        levering = "" if r.import_id is None else f", levering {r.import_id}"
        console.print(f"{r.moment:%Y-%m-%d %H:%M:%S}  {r.gebruiker}: {r.wat} ingetrokken{levering}",
                      markup=False, highlight=False, soft_wrap=True)
        if r.meegenomen:
            console.print(f"    met: {', '.join(r.meegenomen)}", markup=False, highlight=False, soft_wrap=True)
        console.print(f"    reden: {r.reden}", markup=False, highlight=False, soft_wrap=True)
