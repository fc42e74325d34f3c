"""Several gemeenten on one PostgreSQL server, one schema each (README "Meerdere gemeenten"):
a run, a calculation report, an import, a SEPA file or a letter of one gemeente never sees
another's data, and a gemeente's commands refuse another gemeente's settings file (its IBAN,
name and address). On SQLite a gemeente is its own file and a gemeente code is refused."""
from __future__ import annotations

import csv
import datetime as dt
import uuid

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lks.betaalrun import lifecycle as lc
from lks.cli import app, state
from lks.db import GemeenteFout, current_revision, head_revision, init_database, make_engine
from lks.db.models import Plaatsing
from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.importer import import_directory
from tests.foundation.helpers import als_account, maak_testgebruikers
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import create_database, drop_database
from tests.reliability import trial

UTC = dt.timezone.utc


@pytest.fixture
def shared_server(request, tmp_path, monkeypatch):
    """One empty PostgreSQL database with gemeente 'a' (the small gemeente of
    tests/betaalrun) and gemeente 'b' (the 40-plaatsingen trial gemeente) in it."""
    monkeypatch.setenv("LKS_GEMEENTE", "")   # restored after the CLI set it
    server = request.getfixturevalue("pg_server")
    name = "lks_gr_" + uuid.uuid4().hex[:8]
    url = create_database(server, name)
    engines = {}
    for code in ("a", "b"):
        init_database(make_engine(url, gemeente=code))
        engines[code] = make_engine(url, gemeente=code)
        maak_testgebruikers(engines[code])
    import_directory(engines["a"], gemeente_dir(tmp_path / "a"), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    import sys
    sys.path.insert(0, str(trial.ROOT / "benchmarks"))
    from dataset import write_dataset
    import_directory(engines["b"], write_dataset(tmp_path / "b", 40), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
    yield url, engines
    for engine in engines.values():
        engine.dispose()
    drop_database(server, name)


def plaatsingen(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Plaatsing.plaatsing_id)))


def test_each_gemeente_has_its_own_schema_and_migration_state(shared_server):
    url, engines = shared_server
    plain = make_engine(url)
    with plain.connect() as c:
        schemas = set(inspect(c).get_schema_names())
        assert {"gemeente_a", "gemeente_b"} <= schemas
        assert inspect(c).get_table_names(schema="public") == []   # nothing shared
        for code in ("a", "b"):
            assert "alembic_version" in inspect(c).get_table_names(schema=f"gemeente_{code}")
    plain.dispose()
    assert current_revision(engines["a"]) == current_revision(engines["b"]) == head_revision()
    assert init_database(engines["a"]) == head_revision()   # idempotent per schema


def test_a_betaalrun_of_one_gemeente_never_sees_the_other(shared_server):
    url, engines = shared_server
    a, b = engines["a"], engines["b"]
    assert plaatsingen(a) == {"P1", "P2", "P3"}
    assert plaatsingen(b).isdisjoint({"P1", "P2", "P3"}) and len(plaatsingen(b)) == 40
    now = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)
    for engine in (a, b):   # the same periode in both: each its own volgnummer 1, own end-to-end ids
        run, created = lc.aanvragen(engine, "2025-03", "anna", now)
        assert created and run.volgnummer == 1
        lc.berekenen(engine, "2025-03", "anna", now, trial.PARAMS, trial.SETTINGS)
    lc.goedkeuren(a, "2025-03", "bert", now, dt.date(2025, 3, 25))
    for engine, own in ((a, plaatsingen(a)), (b, plaatsingen(b))):
        with Session(engine) as s:
            lines = set(s.scalars(select(Betaalregel.plaatsing_id)))
            assert lines and lines <= own
    with Session(b) as s:   # a's approval is not b's
        assert s.scalars(select(Betaalrun.status)).all() == ["berekend"]
    with b.connect() as c:   # an unqualified name resolves in the gemeente's own schema only
        assert c.execute(text("SHOW search_path")).scalar() == "gemeente_b"


def test_cli_report_per_gemeente(shared_server, tmp_path):
    url, _ = shared_server
    rows = {}
    for code in ("a", "b"):
        out = tmp_path / f"lks-{code}.csv"
        settings, _ = _settings_file(tmp_path, code, f"Gemeente {code}", f"028500000{ord(code) % 10}")
        result = _lks(url, code, settings, "calculate", "--from", "2025-01", "--to", "2025-03", "--csv", out)
        assert result.exit_code == 0, result.output
        with open(out, encoding="utf-8") as f:
            rows[code] = {r["plaatsing_id"] for r in csv.DictReader(f)}
    assert rows["a"] == {"P1", "P2", "P3"}
    assert rows["b"].isdisjoint(rows["a"]) and rows["b"]


def test_a_gemeente_code_is_refused_on_sqlite_and_when_malformed(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_GEMEENTE", "")
    with pytest.raises(GemeenteFout, match="eigen databasebestand"):
        make_engine(f"sqlite:///{tmp_path / 'x.db'}", gemeente="a")
    with pytest.raises(GemeenteFout, match="ongeldig"):
        make_engine("postgresql+psycopg://u@/x", gemeente="a; DROP SCHEMA public")
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "--gemeente", "a", "init"])
    finally:
        state.db_url = None
    assert result.exit_code == 1 and "eigen databasebestand" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.db").exists()


def _settings_file(directory, code: str | None, naam: str, account: str):
    """gemeente.toml of one gemeente: the example with its own name, code and IBAN."""
    from schwifty import IBAN

    from lks.settings import EXAMPLE_TOML
    iban = str(IBAN.generate("NL", bank_code="BNGH", account_code=account))
    text = EXAMPLE_TOML.replace('naam = "Het Hogeland"', f'naam = "{naam}"')
    text = text.replace('code = "1966"\n', f'code = "{code}"\n' if code else "")
    text = text.replace('iban = "NL38 BNGH 0285 0123 45"', f'iban = "{iban}"')
    path = directory / f"gemeente-{code or 'zonder-code'}.toml"
    path.write_text(text, encoding="utf-8")
    return path, iban


def _lks(url, code, settings, *args, gebruiker="piet"):
    env = {"LKS_GEMEENTE": ""}
    if settings is not None:
        env["LKS_SETTINGS"] = str(settings)
    try:
        with als_account(gebruiker):
            return CliRunner().invoke(app, ["--db", url, "--gemeente", code, *map(str, args)], env=env)
    finally:
        state.db_url = None


def test_the_settings_of_another_gemeente_are_refused(shared_server, tmp_path, monkeypatch):
    """Gemeente a's SEPA file must never debit gemeente b's account, nor its letters carry b's
    name: with --gemeente the settings file must say it belongs to that gemeente."""
    from tests.foundation.helpers import dump

    monkeypatch.chdir(tmp_path)   # no ./gemeente.toml: the demo settings would apply
    url, engines = shared_server
    b_settings, _ = _settings_file(tmp_path, "b", "Gemeente Bee", "0285000002")
    zonder_code, _ = _settings_file(tmp_path, None, "Gemeente Zonder", "0285000003")
    before = dump(engines["a"])
    cases = [
        (b_settings, "[gemeente] code: dit bestand hoort bij gemeente b (Gemeente Bee), niet bij --gemeente a"),
        (zonder_code, '[gemeente] code: ontbreekt; met --gemeente a moet het bestand zeggen bij welke gemeente '
                      'het hoort (code = "a")'),
        (None, "gemeente.toml: bestand bestaat niet; met --gemeente a zijn de instellingen van die gemeente nodig"),
    ]
    for settings, message in cases:
        for args in (["betaalrun", "calculate", "--periode", "2025-03"],
                     ["beschikkingen", "make", "--datum", "2025-03-18", "--out", tmp_path / "uit"],
                     ["calculate", "--from", "2025-01", "--to", "2025-03", "--csv", tmp_path / "a.csv"]):
            result = _lks(url, "a", settings, *args)
            assert result.exit_code == 1, (args, result.output)
            assert message in " ".join(result.output.split()), (args, result.output)
            assert "Traceback" not in result.output
    assert dump(engines["a"]) == before
    assert not (tmp_path / "uit").exists() and not (tmp_path / "a.csv").exists()


def test_sepa_files_and_letters_of_each_gemeente_hold_only_its_own_data(shared_server, tmp_path):
    from lks.db.models import Werkgever

    url, engines = shared_server
    settings = {"a": _settings_file(tmp_path, "a", "Gemeente Aa", "0285000001"),
                "b": _settings_file(tmp_path, "b", "Gemeente Bee", "0285000002")}
    werkgevers = {}
    for code, engine in engines.items():
        with Session(engine) as s:
            werkgevers[code] = {(w.naam, w.iban) for w in s.scalars(select(Werkgever))}
    assert werkgevers["a"] and werkgevers["b"] and not werkgevers["a"] & werkgevers["b"]
    texts = {}
    for code in ("a", "b"):
        path, _ = settings[code]
        out = tmp_path / f"uit-{code}"
        steps = [(["betaalrun", "request", "--periode", "2025-03"], "piet"),
                 (["betaalrun", "calculate", "--periode", "2025-03"], "piet"),
                 (["betaalrun", "approve", "--periode", "2025-03"], "klaas"),
                 (["betaalrun", "export", "--periode", "2025-03", "--out", out], "piet"),
                 (["beschikkingen", "make", "--datum", "2025-03-18", "--out", out, "--no-pdf"], "piet")]
        for args, gebruiker in steps:
            result = _lks(url, code, path, *args, gebruiker=gebruiker)
            assert result.exit_code == 0, (code, args, result.output)
        files = [p for p in out.rglob("*") if p.is_file()]
        assert any(p.suffix == ".xml" for p in files) and any(p.suffix == ".html" for p in files)
        # both gemeenten number their own letters from 1
        assert (out / "beschikkingen" / "LKS-2025-000001.html").exists()
        texts[code] = "\n".join(p.read_text(encoding="utf-8") for p in files if p.suffix in (".xml", ".html", ".csv"))
    namen = {"a": "Gemeente Aa", "b": "Gemeente Bee"}
    for own, other in (("a", "b"), ("b", "a")):
        text = texts[own]
        assert settings[own][1] in text and namen[own] in text      # the debtor account, the letterhead
        assert settings[other][1] not in text and namen[other] not in text
        for naam, iban in werkgevers[other]:
            assert iban not in text, (own, naam)
        assert any(iban in text for _, iban in werkgevers[own])
