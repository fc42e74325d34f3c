"""Every help screen of every ``lks`` command is Dutch: not only the help texts of the commands
and options, but also the chrome typer and click put around them (usage line, panel titles,
the help option, "[default: …]", "[required]", type labels)."""
from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from lks.cli import app

# typer's and click's English; the upper-case metavars as whole words, because the Dutch usage
# line says "COMMANDO [ARGUMENTEN]..."
ENGELS = ("Usage", "Options", "Commands", "Arguments", "Show this message", "[default", "[required",
          "<bool>", "<path>", "<text>", "<int>", "[OPTIONS]")
ENGELSE_WOORDEN = ("COMMAND", "ARGS")

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _help(*args: str):
    """(result, output without colour codes) of ``lks <args>``."""
    result = CliRunner().invoke(app, list(args), prog_name="lks", env={"COLUMNS": "100"})
    return result, ANSI.sub("", result.output)


def _commandos(command, pad: tuple[str, ...] = ()):
    """(path, command) for the command and everything below it, hidden commands included."""
    yield pad, command
    for naam, sub in (getattr(command, "commands", None) or {}).items():
        yield from _commandos(sub, (*pad, naam))


COMMANDOS = list(_commandos(typer.main.get_command(app)))


def test_the_tree_is_complete():
    paden = {" ".join(pad) for pad, _ in COMMANDOS}
    # a sample from every level; a command that disappears from the tree fails here
    assert {"", "import", "init", "calculate", "explain", "uitleg", "betaalrun", "betaalrun approve",
            "beschikkingen make", "signalen resolve", "budget capaciteit", "ontvangst add",
            "ledger import", "bank import", "scheduler", "rapport", "demo"} <= paden
    assert len(paden) >= 30


@pytest.mark.parametrize("pad", [pad for pad, _ in COMMANDOS], ids=lambda pad: " ".join(pad) or "lks")
@pytest.mark.parametrize("hulp", ["--help", "-h"])
def test_help_screen_is_dutch(pad, hulp):
    result, uitvoer = _help(*pad, hulp)
    assert result.exit_code == 0, uitvoer
    for engels in ENGELS:
        assert engels not in uitvoer, (engels, uitvoer)
    for woord in ENGELSE_WOORDEN:
        assert not re.search(rf"\b{woord}\b", uitvoer), (woord, uitvoer)
    assert "Gebruik: lks" in uitvoer, uitvoer
    assert "Toon deze hulp en stop." in uitvoer, uitvoer
    assert "Opties" in uitvoer, uitvoer
    if getattr(dict(COMMANDOS)[pad], "commands", None):
        assert "[OPTIES] COMMANDO [ARGUMENTEN]..." in uitvoer and "Commando's" in uitvoer, uitvoer


def test_arguments_defaults_and_required_in_dutch():
    _, uitvoer = _help("import", "--help")
    assert "Argumenten" in uitvoer and "[verplicht]" in uitvoer
    _, uitvoer = _help("betaalrun", "export", "--help")
    assert "[standaard: betaalbestanden]" in uitvoer and "GETAL" in uitvoer and "MAP" in uitvoer


def test_error_texts_of_typer_are_dutch():
    from typer import rich_utils

    assert rich_utils.ERRORS_PANEL_TITLE == "Fout"
    assert rich_utils.ABORTED_TEXT == "Afgebroken."
    assert "voor hulp" in rich_utils.RICH_HELP
