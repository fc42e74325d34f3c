"""The ``lks`` command line. Verbs and generic options in English, domain nouns and every
message a user reads in Dutch (interfaces.md §1). Commands parse arguments, call the modules
that do the work, and print; they hold no rules themselves."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="lks — loonkostensubsidie berekenen, uitbetalen en verantwoorden.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # a traceback must never print local variables: they hold BSNs, names and IBANs
    pretty_exceptions_show_locals=False,
)
console = Console()
err_console = Console(stderr=True)


class State:
    db_url: str | None = None


state = State()


def fail(message: str, code: int = 1) -> "typer.Exit":
    """One clear line on stderr and a non-zero exit."""
    err_console.print(f"[bold red]fout:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _database_excepthook(kind, error, tb):
    """An unexpected database error ends in one line without traceback, parameters or the
    server's DETAIL (which can quote a whole row, BSN included); anything else as before."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, SQLAlchemyError):
        from lks.db.engine import safe_error
        err_console.print(f"[bold red]fout:[/] {escape(safe_error(error))}", highlight=False, soft_wrap=True)
        return
    _database_excepthook.previous(kind, error, tb)


_database_excepthook.previous = sys.excepthook


@app.callback()
def main(
    db: str = typer.Option(None, "--db", metavar="URL",
                           help="Database-URL (standaard: LKS_DATABASE_URL, anders sqlite:///lks.db)."),
    gemeente: str = typer.Option(None, "--gemeente", metavar="CODE",
                                 help="Gemeente op een gedeelde PostgreSQL-server: werkt in schema "
                                      "gemeente_CODE (standaard: LKS_GEMEENTE). Bij SQLite is een "
                                      "gemeente een eigen databasebestand."),
):
    """lks — loonkostensubsidie voor gemeenten: import, berekening, betaalrun, beschikkingen, rapportage."""
    state.db_url = db
    if sys.excepthook is not _database_excepthook:
        _database_excepthook.previous = sys.excepthook
        sys.excepthook = _database_excepthook
    if gemeente is not None or os.environ.get("LKS_GEMEENTE"):
        from lks.db import GEMEENTE_VAR, GemeenteFout, resolve_gemeente, resolve_url
        try:
            code = resolve_gemeente(gemeente)
        except GemeenteFout as error:
            fail(str(error))
        if code and resolve_url(db).startswith("sqlite"):
            fail(f"gemeente {code!r}: op SQLite is een gemeente een eigen databasebestand "
                 "(--db sqlite:///<gemeente>.db); --gemeente en LKS_GEMEENTE alleen met PostgreSQL")
        # every engine of this process (make_engine reads LKS_GEMEENTE) works in its schema
        os.environ[GEMEENTE_VAR] = code or ""


MAX_FOUTEN = 50  # errors listed by `lks import`; the rest is counted


def _database_url() -> str:
    from lks.db import resolve_url
    return resolve_url(state.db_url)


def _init_schema(url: str) -> tuple[str | None, str]:
    """Create or upgrade the schema; (revision before, revision now)."""
    from sqlalchemy.exc import SQLAlchemyError

    from lks.db import current_revision, display_url, init_database, make_engine
    try:
        engine = make_engine(url)
    except Exception as error:  # a malformed URL or an unknown driver
        fail(f"ongeldige database-URL {display_url(url)!r}: {error}")
    try:
        before = current_revision(engine)
        return before, init_database(engine)
    except SQLAlchemyError as error:
        fail(f"database {display_url(url)} niet bereikbaar of niet bij te werken: "
             f"{str(error.orig if getattr(error, 'orig', None) else error).splitlines()[0]}")
    finally:
        engine.dispose()


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


def parse_moment(value: str | None, option: str) -> dt.datetime | None:
    """An ISO date or timestamp option; without a time zone it is UTC."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"ongeldig tijdstip voor {option}: {value!r} (verwacht bijvoorbeeld 2025-03-01T09:30:00Z)")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def open_engine():
    """The engine of ``--db``, refusing a database whose schema is not at the newest revision."""
    from lks.db import current_revision, head_revision, make_engine, resolve_url

    engine = make_engine(resolve_url(state.db_url))
    if current_revision(engine) != head_revision():
        fail("de database is niet bijgewerkt: voer eerst 'lks init' of 'lks import' uit")
    return engine


@app.command("import")
def import_command(
    directory: Path = typer.Argument(..., metavar="MAP",
                                     help="Map met werkgevers.csv, werknemers.csv, "
                                          "plaatsingen.csv, loonwaarden.csv en/of "
                                          "urenwijzigingen.csv."),
    recorded_at: str = typer.Option(None, "--recorded-at", metavar="TIJDSTIP",
                                    help="Vastlegmoment (ISO 8601, zonder tijdzone: UTC; "
                                         "standaard nu). Moet na de vorige import liggen."),
):
    """CSV-bestanden inlezen als nieuwe versie van de gegevens: alles of niets.

    Elke fout wordt gemeld met bestand, regel en kolom; bij een fout wordt niets geladen.
    Ongewijzigde regels voegen niets toe, gewijzigde regels worden een nieuwe versie
    (de geschiedenis van wat wanneer bekend was blijft opvraagbaar)."""
    from lks.db import make_engine
    from lks.importer import ImportFouten, import_directory

    moment = parse_moment(recorded_at, "--recorded-at")
    if not directory.is_dir():
        fail(f"map {directory} bestaat niet")
    url = _database_url()
    _init_schema(url)
    engine = make_engine(url)
    try:
        with console.status("Bestanden controleren en inlezen…"):
            result = import_directory(engine, directory, recorded_at=moment)
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


# The commands of later pipeline stages live in their own modules and register on ``app``.
from lks import cli_beschikkingen, cli_betaalrun, cli_calc, cli_demo, cli_rapport, cli_scheduler  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
