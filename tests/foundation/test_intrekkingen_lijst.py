"""The audit shows who withdrew what and why (issue 14 §3): ``lks intrekkingen list`` and the
web Leveringen page read the withdrawals from the audit log through the application layer;
a BSN never appears unmasked, not even one typed into a reden."""
from __future__ import annotations

import datetime as dt

from lks.app import leveringen
from lks.app.gebruikers import als

from .helpers import valid_files, write_files

KOP = ["bestand", "plaatsing_id", "sleutel", "reden"]


def _withdraw(cli, tmp_path):
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    eerste = write_files(tmp_path / "weg1", {"intrekkingen.csv": [
        KOP, ["loonwaarden", "P001", "2025-07-01", "loonwaarde van een andere werknemer overgetypt"]]})
    result = cli("import", eerste, "--recorded-at", "2025-03-01T10:00:00")
    assert result.exit_code == 0, result.output
    tweede = write_files(tmp_path / "weg2", {"intrekkingen.csv": [
        KOP, ["plaatsingen", "P002", "", "verkeerde werknemer (bsn 111222333 ingevoerd)"]]})
    result = cli("import", tweede, "--recorded-at", "2025-04-01T10:00:00", als="mira")
    assert result.exit_code == 0, result.output


def test_the_cli_lists_who_withdrew_what_and_why(cli, tmp_path):
    assert "Nog geen intrekkingen." in cli("intrekkingen", "list").stdout
    _withdraw(cli, tmp_path)
    result = cli("intrekkingen", "list", als="carla")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    eerst = lines.index(next(x for x in lines if x.startswith("2025-04-01 10:00:00")))
    assert lines[eerst].startswith("2025-04-01 10:00:00  mira: plaatsing P002 ingetrokken, levering ")
    assert lines[eerst + 1] == "    reden: verkeerde werknemer (bsn ******333 ingevoerd)"
    later = lines.index(next(x for x in lines if x.startswith("2025-03-01 10:00:00")))
    assert later > eerst  # newest first
    assert lines[later].startswith("2025-03-01 10:00:00  piet: loonwaarde van plaatsing P001 per 2025-07-01 ingetrokken")
    assert lines[later + 1] == "    reden: loonwaarde van een andere werknemer overgetypt"
    assert "111222333" not in result.stdout and "******333" in result.stdout
    beperkt = cli("intrekkingen", "list", "--limiet", "1")
    assert beperkt.exit_code == 0 and "P002" in beperkt.stdout and "2025-03-01" not in beperkt.stdout


def test_the_application_layer_gives_the_records(cli, engine, tmp_path):
    _withdraw(cli, tmp_path)
    rows = leveringen.intrekkingen(engine, als(engine, "carla", "test"))
    assert [(r.gebruiker, r.bestand, r.plaatsing_id, r.sleutel) for r in rows] == [
        ("mira", "plaatsingen", "P002", None), ("piet", "loonwaarden", "P001", "2025-07-01")]
    assert rows[0].wat == "plaatsing P002" and rows[1].wat == "loonwaarde van plaatsing P001 per 2025-07-01"
    assert rows[0].moment == dt.datetime(2025, 4, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert rows[0].reden == "verkeerde werknemer (bsn ******333 ingevoerd)"
    assert rows[1].import_id is not None and rows[0].import_id > rows[1].import_id
