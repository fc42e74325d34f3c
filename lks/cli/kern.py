"""The ``lks`` command line. Verbs and generic options in English, domain nouns and every
message a user reads in Dutch (interfaces.md §1). Commands parse arguments, call the modules
that do the work, and print; they hold no rules themselves."""
from __future__ import annotations

import datetime as dt
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

try:
    from typer._click import exceptions as _click_exceptions  # typer ≥ 0.24 vendors click
except ImportError:  # pragma: no cover
    from click import exceptions as _click_exceptions

console = Console()
err_console = Console(stderr=True)

_TYPEFOUTEN = {"int_parsing": "is geen geheel getal", "int_from_float": "is geen geheel getal",
               "int_type": "is geen geheel getal", "float_parsing": "is geen getal",
               "bool_parsing": "is geen ja/nee-waarde", "literal_error": "is geen geldige keuze",
               "enum": "is geen geldige keuze"}


def _gebruiksfout(error) -> str:
    """A usage error of the command line (click's English text) as one Dutch line that names
    the option or argument and the reason."""
    param = getattr(error, "param", None)
    naam = None
    if param is not None:
        lang = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
        naam = lang[0] if getattr(param, "param_type_name", "") == "option" and lang else (
            getattr(param, "metavar", None) or str(param.name).upper())
    bericht = error.message or ""
    if isinstance(error, _click_exceptions.MissingParameter):
        soort = getattr(error, "param_type", None) or getattr(param, "param_type_name", "")
        reden = f"{'argument' if soort == 'argument' else 'optie'} {naam} ontbreekt"
    elif isinstance(error, _click_exceptions.BadParameter):
        oorzaak = error.__cause__
        details = oorzaak.errors()[0] if hasattr(oorzaak, "errors") and oorzaak.errors() else {}
        if "input" in details:
            reden = f"{naam}: {details['input']!r} {_TYPEFOUTEN.get(details.get('type'), 'is ongeldig')}"
        else:
            reden = f"{naam}: ongeldige waarde ({bericht})"
    elif isinstance(error, _click_exceptions.NoSuchOption):
        mogelijk = sorted(getattr(error, "possibilities", None) or ())
        reden = f"onbekende optie {error.option_name}" + (
            f" (bedoelt u {' of '.join(mogelijk)}?)" if mogelijk else "")
    elif match := re.fullmatch(r"Option '(.+)' requires an argument\.", bericht):
        reden = f"optie {match.group(1)} verwacht een waarde"
    elif match := re.fullmatch(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?", bericht):
        reden = f"onbekend commando '{match.group(1)}'" + (
            f" (bedoelt u {match.group(2).replace(', ', ' of ')}?)" if match.group(2) else "")
    elif match := re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", bericht):
        reden = f"onverwacht extra argument: {match.group(1)}"
    elif bericht == "Missing command.":
        reden = "commando ontbreekt"
    else:
        reden = f"ongeldige aanroep ({bericht})"
    ctx = getattr(error, "ctx", None)
    return reden + (f"; zie '{ctx.command_path} --help'" if ctx is not None else "")


@contextmanager
def _nederlandse_gebruiksfouten():
    try:
        yield
    except _click_exceptions.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            raise  # prints the help
        err_console.print(f"[bold red]fout:[/] {escape(_gebruiksfout(error))}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(2) from None


# --- Dutch help screens -------------------------------------------------------------------
# typer/click write their own chrome around the Dutch help texts: panel titles, "Usage:",
# "[OPTIONS]", "[default: …]", the help option, type labels. The public knobs for that are the
# typer.rich_utils constants (set here, once), the metavar arguments of typer.Typer/command(),
# and click's overridable Command methods (format_usage, get_help_option), used by the command
# and group classes below. Every ``typer.Typer`` of lks is an ``LksTyper``, which uses them.

HULPTEKST = "Toon deze hulp en stop."
OPTIES_METAVAR = "[OPTIES]"
SUBCOMMANDO_METAVAR = "COMMANDO [ARGUMENTEN]..."

RICH_TEKSTEN = {
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Commando's",
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "DEFAULT_STRING": "[standaard: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "DEPRECATED_STRING": "(verouderd) ",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "RICH_HELP": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
}


def _nederlandse_rich_teksten(rich_utils) -> None:
    """typer's help and error panels in Dutch: the texts are module constants of typer.rich_utils."""
    for naam, tekst in RICH_TEKSTEN.items():
        if hasattr(rich_utils, naam):  # a constant typer drops is no reason to fail
            setattr(rich_utils, naam, tekst)


class _NaImportRichUtils:
    """Sets the Dutch texts the moment typer imports ``typer.rich_utils``. typer imports that
    module only when it draws a help screen, an error panel or a traceback; importing it here
    to set the texts would cost every command ~0.1 s of start-up (it pulls in rich's markdown
    and syntax highlighting). This finder finds nothing itself: it asks the other finders for
    the module's spec and wraps the loader so the texts are set right after the module ran."""

    NAAM = "typer.rich_utils"

    def find_spec(self, fullname, path, target=None):
        if fullname != self.NAAM:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        laden = spec.loader.exec_module

        def exec_module(module):
            laden(module)
            _nederlandse_rich_teksten(module)

        spec.loader.exec_module = exec_module
        return spec


if _NaImportRichUtils.NAAM in sys.modules:  # already imported (by a test or a plug-in)
    _nederlandse_rich_teksten(sys.modules[_NaImportRichUtils.NAAM])
elif not any(isinstance(f, _NaImportRichUtils) for f in sys.meta_path):
    sys.meta_path.insert(0, _NaImportRichUtils())

# typer's type labels (<str>, <int>, <path>, …) where a parameter has no metavar of its own;
# the lks commands give every option a Dutch metavar, this is the safety net
_TYPELABELS = {"str": "TEKST", "text": "TEKST", "int": "GETAL", "integer": "GETAL", "float": "GETAL",
               "bool": "JA|NEE", "boolean": "JA|NEE", "path": "PAD", "file": "BESTAND",
               "directory": "MAP", "datetime": "TIJDSTIP", "uuid": "UUID"}


def _typelabel(label: str | None) -> str | None:
    """``<int>`` as ``GETAL``, ``<path>...`` as ``PAD...``; a label it does not know unchanged."""
    match = re.fullmatch(r"<(\w+)>(\.\.\.)?", label or "")
    if match and match.group(1).lower() in _TYPELABELS:
        return _TYPELABELS[match.group(1).lower()] + (match.group(2) or "")
    return label


class _Optie(TyperOption):
    """An option whose help row shows no type label for a flag (it takes no value), its
    metavar if it has one, and otherwise a Dutch type label."""

    def display_type_rich(self, ctx):
        if self.is_flag and not self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        return _typelabel(super().display_type_rich(ctx))


class _Argument(TyperArgument):
    """An argument whose help row shows its metavar (in the name column) and no English type
    label next to it."""

    def display_type_rich(self, ctx):
        if self.metavar is not None:
            return None
        return _typelabel(super().display_type_rich(ctx))


def _nederlandse_parameter(param) -> None:
    """Give a parameter typer made (a TyperOption or TyperArgument, the help option included)
    the Dutch type labels of ``_Optie``/``_Argument``. typer (≥ 0.29) builds its parameters
    itself and has no setting for their class or their type label, so this swaps the class of
    the object for the subclass, which only overrides ``display_type_rich`` (what typer's help
    screen calls for the type column). Should typer's classes change so this is not possible,
    the parameter stays as it is: an English type label, never a crash."""
    dutch = {TyperOption: _Optie, TyperArgument: _Argument}.get(type(param))
    if dutch is not None:
        try:
            param.__class__ = dutch
        except TypeError:  # pragma: no cover - a typer whose parameter layout differs
            pass


class _NederlandseHulp:
    """Mixin for lks's command and group classes: "Gebruik:" instead of "Usage:", a Dutch help
    option (-h/--help) and Dutch type labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            _nederlandse_parameter(param)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix="Gebruik: ")

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HULPTEKST
            _nederlandse_parameter(option)
        return option


class LksCommando(_NederlandseHulp, TyperCommand):
    """Every ``lks`` command (``LksTyper.command`` makes them)."""


class LksGroep(_NederlandseHulp, TyperGroup):
    """Every ``lks`` command group (``lks beschikkingen``, ``lks betaalrun``, …)."""


class LksTyper(typer.Typer):
    """``typer.Typer`` with Dutch help screens: its groups are ``LksGroep``, its commands
    ``LksCommando``, and the usage line says ``[OPTIES]`` and ``COMMANDO [ARGUMENTEN]...``."""

    def __init__(self, *, cls=None, options_metavar=OPTIES_METAVAR,
                 subcommand_metavar=SUBCOMMANDO_METAVAR, **kwargs):
        super().__init__(cls=cls or LksGroep, options_metavar=options_metavar,
                         subcommand_metavar=subcommand_metavar, **kwargs)

    def command(self, name=None, *, cls=None, **kwargs):
        return super().command(name, cls=cls or LksCommando, **kwargs)


class _Hoofdcommando(LksGroep):
    """``lks`` itself: a usage error anywhere below it (a missing or malformed option, an
    unknown option or command) is one Dutch line and exit code 2, not click's English panel."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _nederlandse_gebruiksfouten():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _nederlandse_gebruiksfouten():
            return super().invoke(ctx)


app = LksTyper(
    help="lks — loonkostensubsidie berekenen, uitbetalen en verantwoorden.",
    cls=_Hoofdcommando,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # a traceback must never print local variables: they hold BSNs, names and IBANs
    pretty_exceptions_show_locals=False,
)


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


def uitvoerpad(path: Path, option: str, *, is_map: bool = False, map_moet_bestaan: bool = False) -> Path:
    """Refuse, before any work is done, an output path that cannot be written: a directory
    where a file goes (or a file where a directory goes), a file among its parents, or (with
    ``map_moet_bestaan``) a parent directory that does not exist."""
    if path.exists() and path.is_dir() != is_map:
        fail(f"{option} {path}: " + ("is een bestand, geen map" if is_map else "is een map, geen bestand"))
    for deel in path.parents:
        if deel.exists():
            if not deel.is_dir():
                fail(f"{option} {path}: {deel} is een bestand, geen map")
            break
    if map_moet_bestaan and not path.parent.is_dir():
        fail(f"{option} {path}: de map {path.parent} bestaat niet")
    return path


def schrijffout(error: OSError, path: Path | str) -> "typer.Exit":
    """A file that could not be written after all: one Dutch line."""
    from lks.nl import systeemfout
    fail(f"kan {getattr(error, 'filename', None) or path} niet schrijven: {systeemfout(error)}")


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


# --- helpers every command module shares (public: the modules never take each other's) ------

def now() -> dt.datetime:
    """The clock of a command (tests replace it)."""
    return dt.datetime.now(dt.timezone.utc)


def settings():
    """The gemeente's settings (``gemeente.toml``); a broken file is one Dutch line."""
    from lks.settings import InstellingenFout, load_settings
    try:
        return load_settings()
    except InstellingenFout as exc:
        fail(str(exc))


def params(instellingen=None):
    """The parameters in force for the gemeente of ``instellingen`` (default: its settings
    file): the shipped tables with its own folder on top (``Parameters.voor``). A refused
    local file is one Dutch line with file and reason, before any work is done."""
    from lks.parameters import ParameterFout, Parameters
    instellingen = instellingen if instellingen is not None else settings()
    try:
        return Parameters.voor(instellingen)
    except ParameterFout as exc:
        fail(str(exc))


def periode(value: str, option: str = "--periode") -> str:
    """A periode option written JJJJ-MM exactly ('2025-7' is refused, not read as July)."""
    from lks.nl import is_maand
    if not is_maand(value):
        fail(f"{option} '{value}' is geen maand in de vorm JJJJ-MM")
    return value


def datum(value: str, option: str) -> dt.date:
    """A date option written JJJJ-MM-DD; a date that does not exist is refused."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"ongeldige datum voor {option}: {value!r} (verwacht JJJJ-MM-DD)")


@contextmanager
def meldingen(*soorten: type[Exception]):
    """Errors meant for the user (a refused action, a Dutch domain error) as one line and
    exit code 1; anything else is a bug and keeps its traceback."""
    from lks.app.identiteit import Geweigerd
    try:
        yield
    except (Geweigerd, *soorten) as exc:
        fail(str(exc))
    except (LookupError, ValueError) as exc:
        # a refused local parameter file or a missing parameter value, wherever it surfaces
        from lks.parameters import ParameterFout, ParameterOntbreekt
        if isinstance(exc, (ParameterFout, ParameterOntbreekt)):
            fail(str(exc))
        raise


def identiteit(engine):
    """The acting user: the lks user linked to this process's operating-system account
    (SQLite) or database login role (PostgreSQL). Never a name typed on the command line."""
    from lks.app.gebruikers import account_identiteit
    with meldingen():
        return account_identiteit(engine)


def omgeving(uitvoer: Path | None = None):
    """Database (at the newest schema), settings and, when needed, parameters. A gemeente
    with its own parameter folder has it checked here, before the command does anything."""
    from lks.app.omgeving import Omgeving
    instellingen = settings()
    eigen = params(instellingen) if instellingen.parameters_lokaal is not None else None
    return Omgeving(engine=open_engine(), settings=instellingen, uitvoer=uitvoer or Path("."), _params=eigen)
