"""``lks --help`` (and every group's help) starts without the heavy libraries: each command
imports what it needs when it runs. This keeps the start-up of the command line fast
(benchmarks/bench_startup.py prints the time) and stops the gain from silently coming back."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

# (pydantic is not among them: typer itself converts option values with it)
HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "weasyprint", "xmlschema", "lxml", "openpyxl",
         "apscheduler", "jinja2", "babel", "flask", "waitress", "argon2", "lks.calc", "lks.db",
         "lks.app", "lks.web", "lks.betaalrun", "lks.documents")

PROBE = """
import json, sys
from lks.cli import app
try:
    app({args!r}, standalone_mode=True)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r} or m in {heavy!r})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["betaalrun", "--help"], ["gebruiker", "--help"], ["parameters", "--help"],
                                  ["beschikkingen", "make", "--help"], ["serve", "--help"]])
def test_help_imports_no_heavy_module(args):
    roots = sorted({h.split(".")[0] for h in HEAVY if "." not in h})
    code = PROBE.format(args=args, roots=roots, heavy=[h for h in HEAVY if "." in h])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert loaded == [], f"lks {' '.join(args)} imported {loaded}"


# a command that reads the database needs SQLAlchemy and the application layer, but not the
# calculation (pandas), the migrations machinery (Alembic), babel or typer's help screens
LIST_HEAVY = ("pandas", "numpy", "alembic", "weasyprint", "xmlschema", "lxml", "openpyxl", "apscheduler",
              "jinja2", "babel", "flask", "waitress", "argon2", "lks.calc", "lks.web", "lks.betaalrun",
              "lks.documents", "typer.rich_utils")


def test_betaalrun_list_imports_no_calculation(sqlite_template, tmp_path):
    import shutil

    from tests.foundation.helpers import koppel_dit_account

    db = tmp_path / "lks.db"
    shutil.copyfile(sqlite_template, db)
    koppel_dit_account(f"sqlite:///{db}")
    roots = sorted({h for h in LIST_HEAVY if "." not in h})
    code = PROBE.format(args=["--db", f"sqlite:///{db}", "betaalrun", "list"], roots=roots,
                        heavy=[h for h in LIST_HEAVY if "." in h])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Nog geen betaalruns" in result.stdout
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert loaded == [], f"lks betaalrun list imported {loaded}"


def test_dutch_help_texts_set_when_typer_draws_help():
    """typer.rich_utils is imported only for a help screen or an error panel; the Dutch
    texts are set the moment it is (lks.cli.kern's import hook)."""
    code = ("import sys\nfrom lks.cli import app\nassert 'typer.rich_utils' not in sys.modules\n"
            "from typer import rich_utils\nprint(rich_utils.OPTIONS_PANEL_TITLE, rich_utils.ABORTED_TEXT)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Opties", "Afgebroken."]
