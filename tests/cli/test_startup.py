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
