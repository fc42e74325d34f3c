"""Empty input is a normal situation, not a crash (issue 14 §2): a betaalrun with nothing to
pay, a year without payments in ``lks rapport``, a werkgever without plaatsingen, the
werklijst and the letters of an empty database, and a gemeente whose every plaatsing was
withdrawn. Each through the CLI as its users run it, on SQLite and PostgreSQL."""
from __future__ import annotations

from .helpers import valid_files, write_files


def _approve(cli, periode):
    assert cli("betaalrun", "request", "--periode", periode).exit_code == 0
    result = cli("betaalrun", "calculate", "--periode", periode)
    assert result.exit_code == 0, result.output
    approved = cli("betaalrun", "approve", "--periode", periode, als="klaas")
    assert approved.exit_code == 0, approved.output
    return result


def test_an_empty_betaalrun(cli, tmp_path):
    result = _approve(cli, "2025-03")
    assert "Geen betaalregels: er is niets te betalen of te corrigeren in deze run." in result.stdout
    export = cli("betaalrun", "export", "--periode", "2025-03", "--out", tmp_path / "uit")
    assert export.exit_code == 1
    assert "heeft geen positieve betalingen: er is geen SEPA-bestand nodig" in export.stderr
    assert "Traceback" not in export.output


def test_letters_and_werklijst_of_an_empty_database(cli, tmp_path):
    result = cli("beschikkingen", "make", "--datum", "2025-03-18", "--no-pdf", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "geen nieuwe brieven" in result.stdout
    result = cli("signalen", "make")
    assert result.exit_code == 0, result.output
    assert cli("signalen", "list").exit_code == 0


def test_a_year_without_payments_in_the_report(cli, tmp_path):
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    for jaar in ("2024", "2025"):  # 2025 has plaatsingen but no run yet; 2024 nothing at all
        result = cli("rapport", "--jaar", jaar, "--xlsx", tmp_path / f"r{jaar}.xlsx",
                     "--html", tmp_path / f"r{jaar}.html", als="carla")
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"r{jaar}.xlsx").stat().st_size > 0 and (tmp_path / f"r{jaar}.html").stat().st_size > 0
        assert "Traceback" not in result.output


def test_a_werkgever_without_plaatsingen(cli, tmp_path):
    files = valid_files()
    files["werkgevers.csv"].append(["WG003", "Stichting Zonder Plaatsing", "11223344", "NL02ABNA0123456789", "",
                                    "Kerkstraat", "1", "9981 AB", "Uithuizen"])
    assert cli("import", write_files(tmp_path / "in", files), "--recorded-at", "2025-02-01").exit_code == 0
    _approve(cli, "2025-02")
    export = cli("betaalrun", "export", "--periode", "2025-02", "--out", tmp_path / "uit")
    assert export.exit_code == 0, export.output
    folder = next((tmp_path / "uit").glob("betaalrun-*"))
    assert not list(folder.glob("*WG003*"))  # no specificatie for a werkgever without lines
    assert "Zonder Plaatsing" not in next(folder.glob("pain.001-*.xml")).read_text(encoding="utf-8")
    letters = cli("beschikkingen", "make", "--datum", "2025-02-18", "--no-pdf", "--out", tmp_path)
    assert letters.exit_code == 0, letters.output
    assert cli("signalen", "make").exit_code == 0
    assert cli("betaalrun", "mark-sent", "--periode", "2025-02").exit_code == 0
    rapport = cli("rapport", "--jaar", "2025", "--bestanden", tmp_path / "uit", als="carla")
    assert rapport.exit_code == 0, rapport.output


def test_every_plaatsing_withdrawn(cli, tmp_path):
    """The last plaatsing gone: the run has nothing to calculate and takes back all that was paid."""
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    _approve(cli, "2025-02")
    intrekking = write_files(tmp_path / "weg", {"intrekkingen.csv": [
        ["bestand", "plaatsing_id", "sleutel", "reden"]] + [["plaatsingen", p, "", "proefbestand, geen echte plaatsing"]
                                                          for p in ("P001", "P002", "P003")]})
    assert cli("import", intrekking, "--recorded-at", "2025-03-01").exit_code == 0
    result = _approve(cli, "2025-03")
    assert "correcties eerdere maanden" in result.stdout
    show = cli("betaalrun", "show", "--periode", "2025-03")
    assert show.exit_code == 0, show.output
    rapport = cli("rapport", "--jaar", "2025", als="carla")
    # the identities hold except I3: the two runs were approved but not yet sent to the bank
    assert rapport.exit_code == 2 and "I3 Goedgekeurd = betaald (verzonden)" in rapport.output, rapport.output
    assert "Traceback" not in rapport.output
