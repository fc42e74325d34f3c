"""`lks calculate`, `lks explain` and `lks betaalrun …` through the real CLI, on SQLite and
on PostgreSQL."""
import csv

import pytest
from typer.testing import CliRunner

from lks.cli import app
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import als_account, new_database


@pytest.fixture
def lks(request, backend, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray gemeente.toml; the built-in demo settings apply
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    runner = CliRunner()
    # a database at schema head: `lks import` leaves its schema as it is and loads the gemeente
    with new_database(request, backend, tmp_path) as db:

        def run(*args, user="piet"):
            with als_account(user):
                return runner.invoke(app, ["--db", db, *args])

        result = run("import", str(gemeente_dir(tmp_path / "in")), "--recorded-at", "2025-01-02T08:00:00")
        assert result.exit_code == 0, result.output
        yield run


def test_calculate_export_contract(lks, tmp_path):
    result = lks("calculate", "--from", "2025-01", "--to", "2025-02", "--csv", str(tmp_path / "uit.csv"))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "uit.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["plaatsing_id", "periode", "regeling", "budget", "lks_basis",
                       "werkgeverslasten", "lks_totaal", "reden"]
    body = rows[1:]
    assert [(r[0], r[1]) for r in body] == sorted((r[0], r[1]) for r in body)
    # P1: lks, loonwaarde 60 %, 32 of 38 h, January 2025, WML 2.191,80 (rekenregels §2):
    # 2191.80 × 1.08 × 0.40 × 32/36 = 841.6512 → 841.65; × 0.235 = 197.78775 → 197.79
    assert body[0] == ["P1", "2025-01", "lks", "buig", "841.65", "197.79", "1039.44", ""]
    # P3: ontwikkelbaan 32 of 36 h at 50 %: 2191.80 × 1.08 × 0.50 × 32/36 = 1052.064 → 1052.06;
    # × 0.235 = 247.2341 → 247.23; 1299.29 on the re-integratiebudget
    p3 = [r for r in body if r[0] == "P3" and r[1] == "2025-01"][0]
    assert p3 == ["P3", "2025-01", "ontwikkelbaan", "reintegratie", "1052.06", "247.23", "1299.29", ""]
    jaarlijks = lks("calculate", "--from", "2025-07", "--to", "2025-07", "--indexatie", "jaarlijks",
                    "--csv", str(tmp_path / "j.csv"))
    assert jaarlijks.exit_code == 0
    with open(tmp_path / "j.csv", encoding="utf-8") as f:
        p1 = [line for line in f if line.startswith("P1,")][0]
    # rekenregels §3, second row: jaarlijks keeps WML 2.191,80 in July: 841.65 / 197.79 / 1039.44
    assert p1.strip() == "P1,2025-07,lks,buig,841.65,197.79,1039.44,"


@pytest.mark.parametrize("args, message", [
    (["--from", "2025-13", "--to", "2025-12"], "geen maand"),
    (["--from", "2025-06", "--to", "2025-01"], "ligt voor"),
    (["--from", "2026-07", "--to", "2026-07"], "parameter ontbreekt: wml_maandloon"),
    (["--from", "2025-01", "--to", "2025-01", "--indexatie", "maandelijks"], "onbekend"),
])
def test_calculate_refuses_bad_input(lks, tmp_path, args, message):
    result = lks("calculate", *args, "--csv", str(tmp_path / "x.csv"))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "x.csv").exists()


def test_explain(lks):
    result = lks("explain", "P1", "--periode", "2025-07")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Participatiewet art. 10d lid 4" in out
    assert "€ 2.245,80" in out.replace("\xa0", " ")
    assert "€ 862,39" in out.replace("\xa0", " ") and "€ 1.065,05" in out.replace("\xa0", " ")
    assert lks("explain", "P9", "--periode", "2025-07").exit_code == 1


def test_betaalrun_cycle(lks, tmp_path):
    assert lks("betaalrun", "request", "--periode", "2025-01", user="piet").exit_code == 0
    calc = lks("betaalrun", "calculate", "--periode", "2025-01", user="piet")
    assert calc.exit_code == 0, calc.output
    self_approve = lks("betaalrun", "approve", "--periode", "2025-01", user="piet")
    assert self_approve.exit_code == 1 and "vereist de rol goedkeurder" in self_approve.output
    assert lks("betaalrun", "approve", "--periode", "2025-01", user="klaas").exit_code == 0
    export = lks("betaalrun", "export", "--periode", "2025-01", "--out", str(tmp_path / "bank"), user="mira")
    assert export.exit_code == 0, export.output
    assert (tmp_path / "bank" / "betaalrun-2025-01-1" / "pain.001-2025-01-1.xml").exists()
    assert lks("betaalrun", "mark-sent", "--periode", "2025-01", user="klaas").exit_code == 1  # not a goedkeurder's
    assert lks("betaalrun", "mark-sent", "--periode", "2025-01", user="mira").exit_code == 0
    again = lks("betaalrun", "mark-sent", "--periode", "2025-01", user="mira")
    assert again.exit_code == 1 and "al als verzonden" in again.output
    show = lks("betaalrun", "show", "--periode", "2025-01", user="carla")
    assert show.exit_code == 0 and "goedkeuren" in show.output and "klaas" in show.output
    assert lks("betaalrun", "show", "--periode", "2025-01", user="bea").exit_code == 1  # beheerder: no data
    assert lks("betaalrun", "calculate", "--periode", "2025-1x").exit_code == 1


def test_calculate_on_a_database_without_schema(request, backend, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with new_database(request, backend, tmp_path, initialised=False) as url:
        result = CliRunner().invoke(app, ["--db", url, "calculate",
                                          "--from", "2025-01", "--to", "2025-01", "--csv", "x.csv"])
    assert result.exit_code == 1 and "lks init" in result.output
