"""A small gemeente in CSV, imported through the real importer into a fresh database."""
import csv
import datetime as dt
from pathlib import Path

import pytest
from schwifty import IBAN

from lks.db import make_engine
from lks.importer import import_directory
from tests.foundation.helpers import new_database

UTC = dt.timezone.utc


def bsn(n: int) -> str:
    """A 9-digit number passing the elfproef, derived from n (test data only)."""
    base = f"{100000 + n:08d}"
    for last in range(10):
        digits = [int(c) for c in base + str(last)]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1))) - digits[8]
        if total % 11 == 0:
            return base + str(last)
    return bsn(n + 50_000)


def write_csv(directory: Path, name: str, header: list[str], rows: list[list]) -> None:
    with open(directory / name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def gemeente_dir(directory: Path, loonwaarden: list[list] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory, "werkgevers.csv",
              ["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode", "plaats"],
              [["W1", "Bakkerij Ömer & Zn.", "12345678", str(IBAN.generate("NL", bank_code="RABO", account_code="0123456789")),
                "RABONL2U", "Hoofdstraat", "1", "9981 AA", "Uithuizen"],
               ["W2", "Zorgboerderij De Horst", "87654321", str(IBAN.generate("NL", bank_code="INGB", account_code="0001234567")),
                "", "Dorpsweg", "12a", "9951 BB", "Winsum"]])
    write_csv(directory, "werknemers.csv", ["werknemer_id", "bsn", "naam", "geboortedatum"],
              [["N1", bsn(1), "Anna de Vries", "1990-04-01"],
               ["N2", bsn(2), "Bram Smit", "1985-09-15"],
               ["N3", bsn(3), "Cor Mulder", "1979-01-20"]])
    write_csv(directory, "plaatsingen.csv",
              ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
               "contracturen", "voltijdsuren"],
              [["P1", "N1", "W1", "lks", "2024-06-01", "", "32", "38"],
               ["P2", "N2", "W2", "beschut", "2024-03-01", "", "38", "38"],
               ["P3", "N3", "W2", "ontwikkelbaan", "2024-09-01", "", "32", "36"]])
    write_csv(directory, "loonwaarden.csv", ["plaatsing_id", "ingangsdatum", "loonwaarde"],
              loonwaarden if loonwaarden is not None else [["P1", "2024-06-01", "60"]])
    return directory


@pytest.fixture
def engine(request, backend, tmp_path):
    """The small gemeente imported into a fresh database, on SQLite and on PostgreSQL."""
    with new_database(request, backend, tmp_path) as url:
        engine = make_engine(url)
        import_directory(engine, gemeente_dir(tmp_path / "in"), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
        yield engine
        engine.dispose()
