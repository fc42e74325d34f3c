"""The ``lks`` command line. Verbs and generic options in English, domain nouns and every
message a user reads in Dutch (interfaces.md §1). Commands parse arguments, call the modules
that do the work, and print; they hold no rules themselves."""
from __future__ import annotations

import sys

import typer
from rich.console import Console

app = typer.Typer(
    help="lks — loonkostensubsidie berekenen, uitbetalen en verantwoorden.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True)


class State:
    db_url: str | None = None


state = State()


def fail(message: str, code: int = 1) -> "typer.Exit":
    """One clear line on stderr and a non-zero exit."""
    err_console.print(f"[bold red]fout:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def main(
    db: str = typer.Option(None, "--db", metavar="URL",
                           help="Database-URL (standaard: LKS_DATABASE_URL, anders sqlite:///lks.db)."),
):
    """lks — loonkostensubsidie voor gemeenten: import, berekening, betaalrun, beschikkingen, rapportage."""
    state.db_url = db


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
