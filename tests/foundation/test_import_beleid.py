"""A gemeente's policy at the door (issue 14, rekenregels §2.2 and §5): a plaatsing under a
regeling the gemeente did not have on its startdatum is refused at import with file, line and
reason — together with its loonwaarden and urenwijzigingen — instead of stopping every later
calculation; once the gemeente's own policy says it had the regeling, the same delivery is
accepted and calculated with that policy. A WML the gemeente adds with its publication is used.

Expected amounts worked out by hand from rekenregels §2 (WML × 1,08 × fractie × urenfactor,
rounded half up to cents, werkgeverslasten 23,5 % of the rounded basis)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lks.settings import EXAMPLE_TOML

from .helpers import dump, valid_files, write_files

from tests.parameters.test_lokaal import STAATSCOURANT, WML_JULI_2026

BELEID_SINDS_2021 = {
    "ontwikkelbaan_fractie.yaml": """\
description: Ontwikkelbaan van gemeente Voorbeeld (re-integratieverordening 2021), 60 %.
soort: beleid
unit: fractie
reference: {title: 'Re-integratieverordening Voorbeeld 2021, art. 7'}
valid_until: open
values:
  2021-01-01:
    value: "0.60"
""",
    "ontwikkelbaan_maanden.yaml": """\
description: Maximale duur van de ontwikkelbaan van gemeente Voorbeeld, 60 maanden.
soort: beleid
unit: maanden
reference: {title: 'Re-integratieverordening Voorbeeld 2021, art. 8'}
valid_until: open
values:
  2021-01-01:
    value: "60"
""",
}


def levering_met_ontwikkelbaan_sinds_2021():
    """The valid delivery plus an ontwikkelbaan that started on 1 January 2021 (line 5 of
    plaatsingen.csv), with an urenwijziging (line 3) and a loonwaarde (line 4) for it."""
    files = valid_files()
    files["plaatsingen.csv"].append(["OB21", "W003", "WG002", "ontwikkelbaan", "2021-01-01", "", "32", "38"])
    files["urenwijzigingen.csv"].append(["OB21", "2022-01-01", "32", "38"])
    files["loonwaarden.csv"].append(["OB21", "2022-01-01", "40"])
    return files


def gemeente(tmp_path: Path, monkeypatch, folder: dict[str, str] | None) -> Path:
    """gemeente.toml in its own directory, with ``folder`` as its own parameters (or none)."""
    directory = tmp_path / "instellingen"
    directory.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE_TOML
    if folder is not None:
        (directory / "eigen").mkdir(exist_ok=True)
        for name, content in folder.items():
            (directory / "eigen" / name).write_text(content, encoding="utf-8")
        text = text.replace('# lokaal = "parameters-lokaal"', 'lokaal = "eigen"')
    (directory / "gemeente.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("LKS_SETTINGS", str(directory / "gemeente.toml"))
    return directory


def rows(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(encoding="utf-8") as handle:
        return {(r["plaatsing_id"], r["periode"]): r for r in csv.DictReader(handle)}


def test_an_ontwikkelbaan_before_the_gemeentes_policy_is_refused_at_the_door(cli, engine, tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, None)  # the shipped policy: Het Hogeland, ontwikkelbaan since 2024
    before = dump(engine)
    result = cli("import", write_files(tmp_path / "in", levering_met_ontwikkelbaan_sinds_2021()),
                 "--recorded-at", "2025-02-01T09:00:00")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "plaatsingen.csv, regel 5, kolom regeling: regeling ontwikkelbaan bestond voor deze gemeente niet op "
        "startdatum 2021-01-01 (volgens het beleid van de gemeente: ontwikkelbaan_fractie heeft een waarde vanaf "
        "2024-01-01); had de gemeente de ontwikkelbaan toen al, leg dat vast in haar eigen parametermap "
        "('lks parameters show ontwikkelbaan_fractie', 'lks parameters check')",
        "loonwaarden.csv, regel 4, kolom plaatsing_id: plaatsing OB21 wordt in deze levering geweigerd "
        "(plaatsingen.csv regel 5)",
        "urenwijzigingen.csv, regel 3, kolom plaatsing_id: plaatsing OB21 wordt in deze levering geweigerd "
        "(plaatsingen.csv regel 5)",
        "fout: import geweigerd: 3 fouten; er is niets geladen",
    ]
    assert dump(engine) == before


def test_the_same_delivery_is_calculated_once_the_gemeentes_policy_says_so(cli, engine, tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, BELEID_SINDS_2021)
    result = cli("import", write_files(tmp_path / "in", levering_met_ontwikkelbaan_sinds_2021()),
                 "--recorded-at", "2025-02-01T09:00:00")
    assert result.exit_code == 0, result.output
    result = cli("calculate", "--from", "2025-07", "--to", "2026-01", "--csv", tmp_path / "uit.csv")
    assert result.exit_code == 0, result.output
    out = rows(tmp_path / "uit.csv")
    # OB21, July 2025 (cao 38, 32 h; policy 60 %): 2245.80 × 1.08 × 0.60 × 32/36
    #   = 1455.2784 × 32/36 = 1293.5808 → 1293.58; werkgeverslasten 1293.58 × 0.235 = 303.9913 → 303.99
    assert (out["OB21", "2025-07"]["lks_basis"], out["OB21", "2025-07"]["werkgeverslasten"],
            out["OB21", "2025-07"]["lks_totaal"]) == ("1293.58", "303.99", "1597.57")
    assert out["OB21", "2025-07"]["budget"] == "reintegratie"
    # 60 months from 2021-01-01: the last subsidised day is 2025-12-31; January 2026 is 0
    assert out["OB21", "2025-12"]["lks_totaal"] != "0.00"
    assert (out["OB21", "2026-01"]["lks_totaal"], out["OB21", "2026-01"]["reden"]) == ("0.00", "maximale_duur")
    # P003 (ontwikkelbaan since 2025-03-14, cao 36, 24.25 h) also gets the gemeente's 60 %:
    # 2245.80 × 1.08 × 0.60 × 24.25/36 = 1455.2784 × 24.25/36 = 980.29170 → 980.29;
    # 980.29 × 0.235 = 230.36815 → 230.37; total 1210.66 (Het Hogeland's 50 % would give 816.91 + 191.97)
    assert (out["P003", "2025-07"]["lks_basis"], out["P003", "2025-07"]["lks_totaal"]) == ("980.29", "1210.66")

    result = cli("explain", "OB21", "--periode", "2025-07")
    assert result.exit_code == 0, result.output
    assert "Re-integratieverordening Voorbeeld 2021, art. 7" in result.stdout


def test_the_gemeentes_policy_never_reaches_another_policy(cli, engine, tmp_path, monkeypatch):
    """The same database calculated with the shipped policy (no folder) gives Het Hogeland's
    50 % for P003: the folder is read from the settings, never remembered."""
    gemeente(tmp_path, monkeypatch, BELEID_SINDS_2021)
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    assert cli("calculate", "--from", "2025-07", "--to", "2025-07", "--csv", tmp_path / "a.csv").exit_code == 0
    gemeente(tmp_path / "ander", monkeypatch, None)
    result = cli("calculate", "--from", "2025-07", "--to", "2025-07", "--csv", tmp_path / "b.csv")
    assert result.exit_code == 0, result.output
    # 2245.80 × 1.08 × 0.50 × 24.25/36 = 816.90975 → 816.91; 816.91 × 0.235 = 191.97385 → 191.97
    assert rows(tmp_path / "a.csv")["P003", "2025-07"]["lks_totaal"] == "1210.66"
    assert rows(tmp_path / "b.csv")["P003", "2025-07"]["lks_totaal"] == "1008.88"


def test_a_new_wml_added_with_its_publication_is_used(cli, engine, tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, None)
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    refused = cli("calculate", "--from", "2026-07", "--to", "2026-07", "--csv", tmp_path / "uit.csv")
    assert refused.exit_code == 1
    assert "parameter ontbreekt: wml_maandloon heeft geen waarde voor 2026-07-01" in refused.stderr
    assert "lokale parametermap van de gemeente" in refused.stderr and "'lks parameters check'" in refused.stderr
    assert "parameters/wml_maandloon.yaml" not in refused.stderr

    gemeente(tmp_path, monkeypatch, {"wml_maandloon.yaml": WML_JULI_2026})
    result = cli("calculate", "--from", "2026-07", "--to", "2026-07", "--csv", tmp_path / "uit.csv")
    assert result.exit_code == 0, result.output
    # P001 (lks, loonwaarde 62.5 % since 2025-07-01, 36 of 38 h since 2025-06-01), July 2026 with the
    # gemeente's WML 2340.00: fractie min(1 − 0.625, 0.70) = 0.375, urenfactor 36/36 = 1;
    # 2340.00 × 1.08 × 0.375 = 947.70; werkgeverslasten 947.70 × 0.235 = 222.7095 → 222.71
    p001 = rows(tmp_path / "uit.csv")["P001", "2026-07"]
    assert (p001["lks_basis"], p001["werkgeverslasten"], p001["lks_totaal"]) == ("947.70", "222.71", "1170.41")
    explain = cli("explain", "P001", "--periode", "2026-07")
    assert explain.exit_code == 0, explain.output
    assert "Staatscourant 2026, 12345" in " ".join(explain.stdout.split())


@pytest.mark.parametrize("regeling, start, param", [
    ("beschut", "2014-12-31", "beschut_fractie"),
    ("lks", "2014-12-31", "lks_maximum"),
])
def test_other_regelingen_before_their_first_value_are_refused(cli, engine, tmp_path, monkeypatch, regeling,
                                                               start, param):
    gemeente(tmp_path, monkeypatch, None)
    files = valid_files()
    files["plaatsingen.csv"][2][3:5] = [regeling, start]
    result = cli("import", write_files(tmp_path / "in", files))
    assert result.exit_code == 1
    assert (f"plaatsingen.csv, regel 3, kolom regeling: regeling {regeling} bestond voor deze gemeente niet op "
            f"startdatum {start} (volgens ") in result.stderr
    assert f"{param} heeft een waarde vanaf 2015-01-01" in result.stderr


def test_import_refuses_a_broken_local_folder_before_it_reads_the_delivery(cli, engine, tmp_path, monkeypatch):
    gemeente(tmp_path, monkeypatch, {"wml_maandloon.yaml": WML_JULI_2026.replace(
        f"    reference: {STAATSCOURANT}\n", "")})
    before = dump(engine)
    result = cli("import", write_files(tmp_path / "in", valid_files()))
    assert result.exit_code == 1
    assert result.stderr.startswith("fout: ") and "wml_maandloon.yaml: 2026-07-01: nieuwe waarde zonder publicatie" \
        in result.stderr
    assert dump(engine) == before
