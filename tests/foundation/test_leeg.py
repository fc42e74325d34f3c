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


def _close(cli, periode, uit):
    """Export and mark-sent as a finance team does for every run; for a run without anything
    to pay both succeed without a SEPA file."""
    export = cli("betaalrun", "export", "--periode", periode, "--out", uit)
    assert export.exit_code == 0, export.output
    assert "Traceback" not in export.output
    return export


def test_an_empty_betaalrun(cli, tmp_path):
    result = _approve(cli, "2025-03")
    assert "Geen betaalregels: er is niets te betalen of te corrigeren in deze run." in result.stdout
    export = _close(cli, "2025-03", tmp_path / "uit")
    assert "Geen betaalbestand nodig: niets uit te betalen" in " ".join(export.stdout.split())
    assert not list((tmp_path / "uit").glob("betaalrun-*/pain.001-*"))
    show = cli("betaalrun", "show", "--periode", "2025-03", "--out", tmp_path / "uit")
    assert show.exit_code == 0 and "status bestand_aangemaakt" in show.stdout, show.output
    assert "geen betaalbestand nodig: niets uit te betalen" in " ".join(show.stdout.split())
    # a second export makes the same (no) file again; the run keeps its state
    assert cli("betaalrun", "export", "--periode", "2025-03", "--out", tmp_path / "uit").exit_code == 0
    sent = cli("betaalrun", "mark-sent", "--periode", "2025-03")
    assert sent.exit_code == 0, sent.output
    assert "afgesloten" in sent.stdout
    assert "status verzonden" in cli("betaalrun", "show", "--periode", "2025-03").stdout
    rapport = cli("rapport", "--jaar", "2025", "--bestanden", tmp_path / "uit", als="carla")
    assert rapport.exit_code == 0, rapport.output


def test_the_rapport_names_an_open_run_in_plain_text(cli, tmp_path):
    """An approved run not yet sent: I3 says so in plain text on the terminal (no HTML
    entities) and the HTML report escapes it once."""
    _approve(cli, "2025-03")
    rapport = cli("rapport", "--jaar", "2025", "--html", tmp_path / "r.html", als="carla")
    assert rapport.exit_code == 2 and "I3 Goedgekeurd = betaald (verzonden)" in rapport.output, rapport.output
    assert "betaalrun 2025-03-1 is 'goedgekeurd'" in rapport.output
    assert "&#39;" not in rapport.output and "&amp;" not in rapport.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "is &#39;goedgekeurd&#39;" in html and "&amp;#39;" not in html


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
    # recorded now: the run of 2025-02 was calculated with what was known now (the CLI's clock)
    assert cli("import", intrekking).exit_code == 0
    uit = tmp_path / "uit"
    _close(cli, "2025-02", uit)
    assert cli("betaalrun", "mark-sent", "--periode", "2025-02").exit_code == 0
    result = _approve(cli, "2025-03")
    assert "correcties eerdere maanden" in result.stdout
    show = cli("betaalrun", "show", "--periode", "2025-03")
    assert show.exit_code == 0, show.output
    # the run only takes money back: vorderingen, no SEPA file, the specificaties tell the werkgevers
    export = _close(cli, "2025-03", uit)
    assert "Geen betaalbestand nodig: niets uit te betalen" in " ".join(export.stdout.split())
    folder = uit / "betaalrun-2025-03-1"
    assert not list(folder.glob("pain.001-*")) and list(folder.glob("specificatie-2025-03-1-*.html"))
    before = cli("rapport", "--jaar", "2025", "--bestanden", uit, als="carla")
    assert before.exit_code == 2 and "zonder betaalbestand (niets uit te betalen), nog niet afgesloten" in \
        " ".join(before.output.split()), before.output
    assert cli("betaalrun", "mark-sent", "--periode", "2025-03").exit_code == 0
    rapport = cli("rapport", "--jaar", "2025", "--bestanden", uit, als="carla")
    assert rapport.exit_code == 0, rapport.output
    assert "Traceback" not in rapport.output
