"""`lks init` and `lks import` as a user runs them."""
from __future__ import annotations

import sqlalchemy as sa

from lks.db import head_revision, make_engine
from lks.facts import load_facts
from lks.settings import EXAMPLE_TOML

from .helpers import Cli, dump, valid_files, write_files


def test_init_creates_schema_and_example_once(empty_db_url, tmp_path):
    cli = Cli(empty_db_url)
    first = cli("init")
    assert first.exit_code == 0, first.output
    assert f"aangemaakt (schemaversie {head_revision()})" in first.stdout
    assert "gemeente.toml aangemaakt met de voorbeeldinstellingen" in first.stdout
    assert (tmp_path / "gemeente.toml").read_text(encoding="utf-8") == EXAMPLE_TOML

    own = EXAMPLE_TOML.replace('naam = "Het Hogeland"', 'naam = "Eemsdelta"')
    (tmp_path / "gemeente.toml").write_text(own, encoding="utf-8")
    engine = make_engine(empty_db_url)
    before = dump(engine)
    second = cli("init")
    assert second.exit_code == 0, second.output
    assert f"is al bijgewerkt (schemaversie {head_revision()})" in second.stdout
    assert "gemeente.toml bestaat al en is niet gewijzigd" in second.stdout
    assert (tmp_path / "gemeente.toml").read_text(encoding="utf-8") == own
    assert dump(engine) == before
    engine.dispose()


def test_init_reports_a_broken_settings_file(empty_db_url, tmp_path):
    (tmp_path / "gemeente.toml").write_text("[beleid]\nindexatie = \"soms\"\n", encoding="utf-8")
    result = Cli(empty_db_url)("init")
    assert result.exit_code == 1
    assert "fout: gemeente.toml: [gemeente]: ontbreekt" in result.stderr  # [..] survives rich
    assert "[beleid] indexatie: moet een van 'halfjaarlijks', 'jaarlijks' zijn" in result.stderr


def test_import_on_a_fresh_database_initialises_it(empty_db_url, tmp_path):
    """The contract `lks --db URL import DIR` works on a database that never saw `lks init`."""
    result = Cli(empty_db_url)("import", write_files(tmp_path / "import", valid_files()))
    assert result.exit_code == 0, result.output
    for line in ("werkgevers.csv", "plaatsingen.csv", "urenwijzigingen.csv"):
        assert line in result.stdout
    assert "nieuw" in result.stdout and "gewijzigd" in result.stdout
    engine = make_engine(empty_db_url)
    assert len(load_facts(engine).plaatsingen) == 3
    engine.dispose()


def test_import_table_shows_new_changed_unchanged(cli, tmp_path):
    directory = write_files(tmp_path / "a", valid_files())
    assert cli("import", directory, "--recorded-at", "2025-02-01T09:00:00").exit_code == 0
    files = valid_files()
    files["loonwaarden.csv"][1][2] = "58"
    files["loonwaarden.csv"].append(["P002", "2025-02-01", "45"])
    result = cli("import", write_files(tmp_path / "b", files), "--recorded-at", "2025-03-01")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "loonwaarden.csv" in line)
    assert [cell.strip() for cell in row.split("│")[2:5]] == ["1", "1", "1"]
    row = next(line for line in result.stdout.splitlines() if "werkgevers.csv" in line)
    assert [cell.strip() for cell in row.split("│")[2:5]] == ["0", "0", "2"]
    assert "Import 2, vastgelegd op 2025-03-01T00:00:00+00:00" in result.stdout


def test_help_is_dutch():
    cli = Cli("sqlite://")
    result = cli("import", "--help", db=False)
    assert result.exit_code == 0
    assert "alles of niets" in result.stdout and "Vastlegmoment" in result.stdout
    result = cli("init", "--help", db=False)
    assert "Database aanmaken of bijwerken" in result.stdout


def test_unreachable_database_is_one_clear_line(tmp_path):
    result = Cli("postgresql+psycopg://lks@127.0.0.1:1/lks?connect_timeout=2")("init")
    assert result.exit_code == 1
    assert result.stderr.startswith("fout: database postgresql+psycopg://lks@127.0.0.1:1/lks")
    result = Cli("geen-url")("init")
    assert result.exit_code == 1 and "ongeldige database-URL 'geen-url'" in result.stderr


def test_password_is_not_shown(tmp_path):
    result = Cli("postgresql+psycopg://lks:geheim@127.0.0.1:1/lks?connect_timeout=2")("init")
    assert result.exit_code == 1
    assert "geheim" not in result.output and "***" in result.stderr


def test_import_failure_leaves_no_batch(cli, db_url, tmp_path):
    files = valid_files()
    files["werknemers.csv"][2][1] = "111222334"
    result = cli("import", write_files(tmp_path / "fout", files))
    assert result.exit_code == 1
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM import_batch")).scalar() == 0
    engine.dispose()
