"""A loonwaarde, urenwijziging or verloonde uren delivered after their plaatsing was withdrawn
is refused with what happened to the plaatsing (when, by which delivery, why), not as an
unknown plaatsing_id; the help of ``lks import`` names every file it reads."""
from __future__ import annotations

import pytest

from .helpers import dump, valid_files, write_files

KOP = ["bestand", "plaatsing_id", "sleutel", "reden"]


@pytest.mark.parametrize("naam, rij", [
    ("loonwaarden.csv", [["plaatsing_id", "ingangsdatum", "loonwaarde"], ["P002", "2025-04-01", "55"]]),
    ("urenwijzigingen.csv", [["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"],
                             ["P002", "2025-04-01", "30", "38"]]),
    ("verloonde_uren.csv", [["plaatsing_id", "periode", "uren"], ["P002", "2025-03", "100"]]),
])
def test_a_fact_for_a_withdrawn_plaatsing_says_it_was_withdrawn(cli, engine, tmp_path, naam, rij):
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    weg = write_files(tmp_path / "weg", {"intrekkingen.csv": [KOP, ["plaatsingen", "P002", "", "verkeerde werknemer"]]})
    assert cli("import", weg, "--recorded-at", "2025-03-01T08:00:00").exit_code == 0
    before = dump(engine)
    result = cli("import", write_files(tmp_path / "later", {naam: rij}), "--recorded-at", "2025-04-01")
    assert result.exit_code == 1
    tekst = " ".join(result.stderr.split())
    assert (f"{naam}, regel 2, kolom plaatsing_id: plaatsing 'P002' is ingetrokken op 2025-03-01T08:00:00Z "
            "(intrekking in levering 2, reden: verkeerde werknemer)") in tekst, tekst
    assert "onbekende plaatsing_id" not in tekst
    assert dump(engine) == before


def test_import_help_names_verloonde_uren(cli):
    result = cli("import", "--help", db=False)
    tekst = " ".join(result.stdout.replace("│", " ").split())
    assert "verloonde_uren.csv" in tekst
    assert "maand verloonde uren in" in tekst
