"""Where the project's data directories live (the repository root of an editable install)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS_DIR = ROOT / "parameters"
TEMPLATES_DIR = ROOT / "templates"
SCHEMAS_DIR = ROOT / "schemas"
SQL_DIR = ROOT / "sql"
BATCHES_DIR = ROOT / "batches"
