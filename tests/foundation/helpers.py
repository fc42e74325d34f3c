"""Helpers of the foundation tests: a valid set of import files, writing them, running the
CLI in-process and dumping the database for before/after comparison."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from lks.cli import app, state

BACKENDS = ["sqlite", "postgresql"]

# A small, valid gemeente: two werkgevers, three werknemers, one plaatsing per regeling.
VALID: dict[str, list[list[str]]] = {
    "werkgevers.csv": [
        ["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode",
         "plaats"],
        ["WG001", "Groenvoorziening Noord BV", "12345678", "NL91ABNA0417164300", "ABNANL2A",
         "Stationsweg", "12", "9951 AB", "Winsum"],
        ["WG002", "Bakkerij De Korenaar", "87654321", "NL69 INGB 0123 4567 89", "",
         "Hoofdstraat", "3a", "9981AA", "Uithuizen"],
    ],
    "werknemers.csv": [
        ["werknemer_id", "bsn", "naam", "geboortedatum"],
        ["W001", "123456782", "Jan Jansen", "1990-05-01"],
        ["W002", "111222333", "Fatima el Amrani", "2004-02-29"],
        ["W003", "100000022", "Kees de Boer", "1968-11-30"],
    ],
    "plaatsingen.csv": [
        ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
         "contracturen", "voltijdsuren"],
        ["P001", "W001", "WG001", "lks", "2025-01-01", "", "32", "38"],
        ["P002", "W002", "WG002", "beschut", "2024-09-01", "2025-12-31", "32.5", "38.00"],
        ["P003", "W003", "WG001", "ontwikkelbaan", "2025-03-14", "", "24.25", "36"],
    ],
    "loonwaarden.csv": [
        ["plaatsing_id", "ingangsdatum", "loonwaarde"],
        ["P001", "2025-01-01", "60"],
        ["P001", "2025-07-01", "62.5"],
    ],
    "urenwijzigingen.csv": [
        ["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"],
        ["P001", "2025-06-01", "36", "38"],
    ],
}

FIRST_IMPORT_AT = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.timezone.utc)


def valid_files() -> dict[str, list[list[str]]]:
    """A fresh, modifiable copy of the valid file set."""
    return copy.deepcopy(VALID)


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_files(directory: Path, files: dict[str, list[list[str]] | str | bytes]) -> Path:
    """Write import files: rows (CSV-encoded), text (as is, UTF-8) or raw bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(to_csv(content).encode("utf-8"))
    return directory


def dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal dumps mean an untouched database."""
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        return {name: sorted(tuple(map(repr, row)) for row in
                             connection.execute(sa.text(f'SELECT * FROM "{name}"')))
                for name in names}


# The users every test database has (``maak_testgebruikers``), each linked to an account of
# the same name: ``Cli(url, als="klaas")`` runs a command as if the operating-system account
# (SQLite) or database login (PostgreSQL) of the process were that account.
TESTGEBRUIKERS = {"bea": "beheerder", "piet": "medewerker", "mira": "medewerker", "klaas": "goedkeurder",
                  "bert": "goedkeurder", "carla": "controller"}
TESTWACHTWOORD = "Test-wachtwoord-2025"


def maak_testgebruikers(target) -> None:
    """The test users (``TESTGEBRUIKERS``) in a database at head: ``bea`` is the first
    beheerder and adds the others through the application layer."""
    from lks.app import gebruikers
    from lks.app.identiteit import Rol
    from lks.db import make_engine

    engine = make_engine(target) if isinstance(target, str) else target
    try:
        moment = dt.datetime(2024, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
        gebruikers.eerste_beheerder(engine, moment, naam="bea", account="bea", wachtwoord=TESTWACHTWOORD,
                                    rollen=(Rol.BEHEERDER,))
        bea = gebruikers.als(engine, "bea", "test")
        for naam, rol in TESTGEBRUIKERS.items():
            if naam != "bea":
                gebruikers.voeg_toe(engine, bea, naam, rol, account=naam, wachtwoord=TESTWACHTWOORD, now=moment)
    finally:
        if isinstance(target, str):
            engine.dispose()


@contextmanager
def als_account(account: str):
    """Run as if this process's account were ``account`` (the seam of
    ``lks.app.gebruikers.systeemaccount``; the real one reads the kernel or the database)."""
    from unittest import mock
    with mock.patch("lks.app.gebruikers.systeemaccount", lambda engine: account):
        yield


class Cli:
    """Runs ``lks`` in-process against one database URL, as the user of account ``als``."""

    def __init__(self, url: str, als: str = "piet"):
        self.url = url
        self.als = als
        self.runner = CliRunner()

    def __call__(self, *args: str, db: bool = True, als: str | None = None, input: str | None = None):
        arguments = (["--db", self.url] if db else []) + [str(a) for a in args]
        try:
            with als_account(als or self.als):
                return self.runner.invoke(app, arguments, input=input)
        finally:
            state.db_url = None


def _psycopg_url(uri: str) -> str:
    # pgserver answers e.g. postgresql://postgres:@/postgres?host=/tmp/…/ (a unix socket)
    assert uri.startswith("postgresql://"), uri
    return "postgresql+psycopg://" + uri[len("postgresql://"):]


def create_database(server, name: str, template: str | None = None) -> str:
    admin = sa.create_engine(_psycopg_url(server.get_uri()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"'
                                       + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        admin.dispose()
    return _psycopg_url(server.get_uri(name))


def drop_database(server, name: str) -> None:
    admin = sa.create_engine(_psycopg_url(server.get_uri()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def new_database(request, backend: str, directory: Path, initialised: bool = True):
    """A database of its own on ``backend``: at head (a copy of the template) or empty."""
    if backend == "sqlite":
        path = directory / f"lks-{uuid.uuid4().hex[:8]}.db"
        if initialised:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template") if initialised else None
    name = "lks_" + uuid.uuid4().hex[:12]
    try:
        yield create_database(server, name, template=template)
    finally:
        drop_database(server, name)


def koppel_dit_account(url: str, naam: str = "piet") -> None:
    """Link the real account of this test process (the OS user, or the database login on
    PostgreSQL) to test user ``naam``, for tests that run ``lks`` as a separate process."""
    from lks.app import gebruikers
    from lks.db import make_engine

    engine = make_engine(url)
    try:
        gebruikers.koppel_account(engine, gebruikers.als(engine, "bea", "test"), naam,
                                  gebruikers.systeemaccount(engine))
    finally:
        engine.dispose()
