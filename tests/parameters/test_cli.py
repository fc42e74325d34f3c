"""``lks parameters list|show|check``: the values in force with their source (shipped or the
gemeente's own folder) and their publication; ``check`` validates the folder. No database."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lks.cli import app
from lks.settings import EXAMPLE_TOML

from tests.parameters.test_lokaal import (ONTWIKKELBAAN_FRACTIE_2021, ONTWIKKELBAAN_MAANDEN_2021, STAATSCOURANT,
                                          WML_JULI_2026)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.delenv("LKS_GEMEENTE", raising=False)
    monkeypatch.chdir(tmp_path)


def gemeente(tmp_path, monkeypatch, **files: str):
    """A gemeente.toml naming the folder ``eigen-parameters`` with these files."""
    folder = tmp_path / "eigen-parameters"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = tmp_path / "gemeente.toml"
    path.write_text(EXAMPLE_TOML.replace('# lokaal = "parameters-lokaal"', 'lokaal = "eigen-parameters"'),
                    encoding="utf-8")
    monkeypatch.setenv("LKS_SETTINGS", str(path))
    return folder


def lks(*args):
    return CliRunner().invoke(app, list(args))


def test_list_without_a_folder_shows_the_shipped_tables():
    result = lks("parameters", "list")
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.stdout.splitlines() if line.startswith("│")}
    assert rows["wml_maandloon"] == ["wet", "2294.40", "2026-01-01", "t/m 2026-06-30", "geleverd"]
    assert rows["ontwikkelbaan_fractie"] == ["beleid", "0.5", "2024-01-01", "open", "geleverd"]
    assert rows["beschut_fractie"][0] == "beleid"
    assert len(rows) == 17
    assert "Geen eigen parametermap ingesteld ([parameters] lokaal in gemeente.toml)" in result.stdout


def test_list_and_show_name_the_local_source(tmp_path, monkeypatch):
    folder = gemeente(tmp_path, monkeypatch, **{"wml_maandloon.yaml": WML_JULI_2026,
                                                "ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021,
                                                "ontwikkelbaan_maanden.yaml": ONTWIKKELBAAN_MAANDEN_2021})
    result = lks("parameters", "list")
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.stdout.splitlines() if line.startswith("│")}
    assert rows["wml_maandloon"] == ["wet", "2340.00", "2026-07-01", "t/m 2026-12-31", "geleverd + lokaal"]
    assert rows["ontwikkelbaan_fractie"] == ["beleid", "0.6", "2021-01-01", "open", "lokaal"]
    assert f"Eigen parametermap: {folder}" in result.stdout

    result = lks("parameters", "show", "wml_maandloon")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert [c.strip() for c in lines[0].split("│")[1:4]] == ["2023-01-01", "1934.40", "geleverd"]
    nieuw = [c.strip() for c in lines[-1].split("│")[1:-1]]
    assert nieuw == ["2026-07-01", "2340.00", "lokaal", "Halfjaarlijkse aanpassing minimumloon per 1 juli 2026 "
                     "(Staatscourant 2026, 12345) (https://zoek.officielebekendmakingen.nl/stcrt-2026-12345)"]
    assert f"lokaal: {folder / 'wml_maandloon.yaml'}" in result.stdout
    assert "geldig: bekend tot en met 2026-12-31" in result.stdout
    assert f"toe in {folder / 'wml_maandloon.yaml'}; controleer met 'lks parameters check'" in result.stdout


def test_show_an_unknown_name():
    result = lks("parameters", "show", "wml_maandlon")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("fout: onbekende parameter 'wml_maandlon' (bedoelt u wml_maandloon?); "
                                     "zie 'lks parameters list'")


def test_check_a_good_folder(tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, **{"wml_maandloon.yaml": WML_JULI_2026,
                                       "ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021,
                                       "ontwikkelbaan_maanden.yaml": ONTWIKKELBAAN_MAANDEN_2021})
    result = lks("parameters", "check")
    assert result.exit_code == 0, result.output
    assert "in orde" in result.stdout
    assert "Let op" not in result.stdout
    assert "vervangt het geleverde beleid: 1 waarde vanaf 2021-01-01" in result.stdout
    assert "vult de geleverde tabel aan met 1 waarde vanaf 2026-07-01 (bekend tot en met 2026-12-31)" in result.stdout
    assert ("Regelingen van de gemeente: lks vanaf 2015-01-01; beschut vanaf 2015-01-01; ontwikkelbaan vanaf "
            "2021-01-01.") in result.stdout
    assert "Minimumloon bekend tot en met 2026-12-31." in result.stdout


def test_check_without_a_folder():
    result = lks("parameters", "check")
    assert result.exit_code == 0, result.output
    assert "Geen eigen parametermap ingesteld" in result.stdout
    assert "ontwikkelbaan vanaf 2024-01-01" in result.stdout


def test_check_lists_every_refusal_with_file_and_reason(tmp_path, monkeypatch):
    folder = gemeente(tmp_path, monkeypatch, **{
        "wml_maandloon.yaml": WML_JULI_2026.replace(f"    reference: {STAATSCOURANT}\n", ""),
        "wml_uurloon.yaml": WML_JULI_2026.replace("2026-07-01", "2026-01-01").replace("eur_per_maand", "eur_per_uur"),
    })
    result = lks("parameters", "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{folder / 'wml_maandloon.yaml'}: 2026-07-01: nieuwe waarde zonder publicatie")
    assert lines[1].startswith(f"{folder / 'wml_uurloon.yaml'}: 2026-01-01: waarde 2340.00 spreekt de geleverde "
                               "waarde 14.71 tegen")
    assert lines[2].startswith(f"fout: eigen parametermap {folder} geweigerd: 2 fouten")


def test_check_refuses_a_gap_after_the_shipped_table(tmp_path, monkeypatch):
    folder = gemeente(tmp_path, monkeypatch, **{"wml_maandloon.yaml": WML_JULI_2026.replace("2026-07-01", "2026-09-01")})
    result = lks("parameters", "check")
    assert result.exit_code == 1 and "is in orde" not in result.stdout, result.output
    assert result.stderr.startswith(
        f"{folder / 'wml_maandloon.yaml'}: de eerste nieuwe waarde begint op 2026-09-01, maar de geleverde tabel "
        "loopt tot en met 2026-06-30; er mag geen gat zijn: voeg eerst de waarde per 2026-07-01 toe")
    calc = lks("--db", f"sqlite:///{tmp_path / 'lks.db'}", "calculate", "--from", "2026-07", "--to", "2026-08",
               "--csv", "uit.csv")
    assert calc.exit_code != 0 and "er mag geen gat zijn" in calc.output, calc.output
    assert not (tmp_path / "uit.csv").exists()


def test_every_command_that_calculates_refuses_a_bad_folder_before_it_starts(tmp_path, monkeypatch):
    folder = gemeente(tmp_path, monkeypatch, **{"ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021.replace(
        "soort: beleid", "soort: wet")})
    for args in (["parameters", "list"], ["parameters", "show", "wml_maandloon"],
                 ["--db", f"sqlite:///{tmp_path / 'lks.db'}", "calculate", "--from", "2025-01", "--to", "2025-01",
                  "--csv", "uit.csv"]):
        result = lks(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith(f"fout: {folder / 'ontwikkelbaan_fractie.yaml'}: soort wet klopt niet"), args
    assert not (tmp_path / "uit.csv").exists()


def test_check_warns_when_a_regeling_starts_on_different_days(tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, **{"ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021})
    result = lks("parameters", "check")
    assert result.exit_code == 0, result.output
    assert ("Let op: ontwikkelbaan_fractie begint op 2021-01-01, ontwikkelbaan_maanden begint op 2024-01-01; de "
            "gemeente heeft de regeling ontwikkelbaan dus pas vanaf 2024-01-01") in " ".join(result.stdout.split())
