"""Full BSNs stay in the database: never in CLI output, error messages, SEPA files, werkgever
CSV/HTML exports or database errors; bank details of the settings are never echoed; bad input
gives a clear message and changes nothing."""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from lks.cli import app, state
from tests.foundation.helpers import als_account
from lks.db import make_engine
from lks.db.models import Werknemer
from tests.foundation.helpers import dump

UTC = dt.timezone.utc


def bsns(data_dir: Path) -> set[str]:
    with open(data_dir / "werknemers.csv", encoding="utf-8") as f:
        return {row["bsn"] for row in csv.DictReader(f)}


def leaks(text: str, secret: set[str]) -> set[str]:
    return {b for b in secret if b in re.sub(r"\s", "", text)}   # also spread over lines


@pytest.fixture
def cli(trial_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.setenv("LKS_GEMEENTE", "")
    copies, _ = trial_db
    url = copies.new()
    runner = CliRunner()

    def run(*args, user="piet"):
        try:
            with als_account(user):
                return runner.invoke(app, ["--db", url, *map(str, args)])
        finally:
            state.db_url = None
    run.url = url
    return run


def test_no_full_bsn_in_any_output_or_file(cli, tmp_path):
    import sys
    from tests.reliability import trial
    sys.path.insert(0, str(trial.ROOT / "benchmarks"))
    from dataset import write_dataset

    secret = bsns(write_dataset(tmp_path / "data", 40))
    out = tmp_path / "bank"
    results = [
        cli("betaalrun", "request", "--periode", "2025-03"),
        cli("betaalrun", "calculate", "--periode", "2025-03"),
        cli("betaalrun", "approve", "--periode", "2025-03"),                 # refused: four eyes
        cli("betaalrun", "approve", "--periode", "2025-03", user="klaas"),
        cli("betaalrun", "export", "--periode", "2025-03", "--out", out),
        cli("betaalrun", "show", "--periode", "2025-03"),
        cli("betaalrun", "list"),
        cli("calculate", "--from", "2025-01", "--to", "2025-03", "--csv", tmp_path / "uit.csv"),
        cli("explain", "P000001", "--periode", "2025-03"),
        cli("betaalrun", "calculate", "--periode", "2025-13"),                # bad input
    ]
    assert results[4].exit_code == 0, results[4].output
    assert results[2].exit_code == 1 and results[9].exit_code == 1
    for result in results:
        assert "Traceback" not in result.output
        assert not leaks(result.output, secret), result.output
    files = [p for p in out.rglob("*") if p.is_file()] + [tmp_path / "uit.csv"]
    assert any(p.suffix == ".xml" for p in files) and any(p.suffix == ".csv" for p in files)
    for path in files:
        assert not leaks(path.read_text(encoding="utf-8"), secret), path


def test_rejected_import_masks_bsns_and_changes_nothing(cli, tmp_path):
    engine = make_engine(cli.url)
    before = dump(engine)
    directory = tmp_path / "slecht"
    directory.mkdir()
    (directory / "werknemers.csv").write_text(
        "werknemer_id,bsn,naam,geboortedatum\nX1,123456789,Een,1990-01-01\nX2,100000009,Twee,1990-01-01\n"
        "X3,100000009,Drie,1990-01-01\n", encoding="utf-8")
    result = cli("import", directory)
    assert result.exit_code == 1 and "niets geladen" in result.output
    assert not leaks(result.output, {"123456789", "100000009"}), result.output
    assert dump(engine) == before
    engine.dispose()


def test_database_errors_never_carry_bsns(trial_db):
    copies, _ = trial_db
    engine = make_engine(copies.new())
    row = dict(werknemer_id="N000001", bsn="999999990", naam="X", geboortedatum=dt.date(1990, 1, 1),
               geldig_vanaf=dt.date(2000, 1, 1), vastgelegd_op=dt.datetime(2025, 1, 1), import_id=1)
    columns = {c.name for c in Werknemer.__table__.columns}
    with pytest.raises(IntegrityError) as caught, engine.begin() as c:
        c.execute(insert(Werknemer), [{k: v for k, v in row.items() if k in columns}] * 2)
    engine.dispose()
    from lks.db.engine import safe_error
    message = safe_error(caught.value)
    assert "999999990" not in message and "[SQL" not in message and message.startswith("databasefout")
    if copies.backend == "sqlite":   # PostgreSQL's DETAIL quotes the row: only safe_error drops it
        assert "999999990" not in str(caught.value)


def test_scheduler_log_of_a_failing_database_step_carries_no_bsn(trial_db, caplog):
    """A cyclus that fails on the database is logged with its traceback (lks/scheduler.py);
    the driver's text quotes the row (PostgreSQL's DETAIL) and SQLAlchemy's the parameters.
    The log keeps the traceback and the masked number, never the full BSN."""
    import logging

    from lks.scheduler import log
    copies, _ = trial_db
    engine = make_engine(copies.new())
    row = dict(werknemer_id="N000001", bsn="999999990", naam="X", geboortedatum=dt.date(1990, 1, 1),
               geldig_vanaf=dt.date(2000, 1, 1), vastgelegd_op=dt.datetime(2025, 1, 1), import_id=1)
    columns = {c.name for c in Werknemer.__table__.columns}
    with caplog.at_level(logging.INFO, logger="lks.scheduler"):
        try:
            with engine.begin() as c:
                c.execute(insert(Werknemer), [{k: v for k, v in row.items() if k in columns}] * 2)
        except IntegrityError as exc:
            if copies.backend == "postgresql":   # DETAIL quotes the row: the filter must act
                assert "999999990" in str(exc)
            log.exception("cyclus %s mislukt: %s", "betaalrun-maandelijks", exc)
        try:   # whatever the backend: a message of our own code that names the number
            raise ValueError("werknemer met 999999990 bestaat al")
        except ValueError as exc:
            log.exception("cyclus %s mislukt: %s", "import", exc)
    engine.dispose()
    assert "Traceback" in caplog.text and "IntegrityError" in caplog.text
    assert "999999990" not in caplog.text and "******990" in caplog.text


def test_cli_reports_an_unexpected_database_error_in_one_masked_line(capsys):
    from sqlalchemy.exc import OperationalError

    from lks.cli import kern as cli
    error = OperationalError("SELECT 1", {"bsn": "999999990"},
                             Exception("boom 999999990\nDETAIL: Failing row contains (999999990)"))
    cli._database_excepthook(type(error), error, None)
    err = capsys.readouterr().err
    assert "databasefout" in err and "999999990" not in err and "Traceback" not in err


def test_settings_with_bank_details_are_read_never_echoed(tmp_path, monkeypatch):
    from lks.settings import EXAMPLE_TOML
    iban = "NL91ABNA0417164300"
    text = EXAMPLE_TOML.replace("NL38 BNGH 0285 0123 45", iban).replace('bic = "BNGHNL2G"', 'bic = "XXXXNL2X1"')
    (tmp_path / "gemeente.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.setenv("LKS_GEMEENTE", "")
    try:
        result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "init"])
    finally:
        state.db_url = None
    assert result.exit_code == 1 and "bic" in result.output.lower()
    assert iban not in result.output and "0417164300" not in result.output
