"""Every rejection reason of the import (interfaces.md §2): the CLI exits non-zero, names
file, line, column and reason in Dutch, and leaves the database exactly as it was."""
from __future__ import annotations

import datetime as dt

import pytest

from lks.db import make_engine
from lks.importer import ImportFout, import_directory

from .helpers import BACKENDS, FIRST_IMPORT_AT, Cli, dump, new_database, valid_files, write_files

WG, WN, PL = "werkgevers.csv", "werknemers.csv", "plaatsingen.csv"
LW, UW = "loonwaarden.csv", "urenwijzigingen.csv"


def cell(name: str, line: int, column: str, value: str):
    """Set one field; ``line`` as in the file (header = 1)."""
    def mutate(files):
        files[name][line - 1][files[name][0].index(column)] = value
    return mutate


def append(name: str, row: list[str]):
    def mutate(files):
        files[name].append(row)
    return mutate


def duplicate(name: str, line: int, column: str | None = None, value: str | None = None):
    """Append a copy of a row, optionally with one field changed (so only the key repeats)."""
    def mutate(files):
        row = list(files[name][line - 1])
        if column is not None:
            row[files[name][0].index(column)] = value
        files[name].append(row)
    return mutate


def drop_column(name: str, column: str):
    def mutate(files):
        index = files[name][0].index(column)
        for row in files[name]:
            del row[index]
    return mutate


def add_column(name: str, column: str):
    def mutate(files):
        files[name][0].append(column)
        for row in files[name][1:]:
            row.append("x")
    return mutate


def replace(name: str, content):
    def mutate(files):
        files[name] = content
    return mutate


def latin1_werknemers(files):
    rows = files[WN]
    rows[2][2] = "Zoë Ağaoğlu".replace("ğ", "g")  # é is in latin-1
    text = "\n".join(",".join(row) for row in rows) + "\n"
    files[WN] = text.encode("latin-1")


def short_row(files):
    files[PL][2] = files[PL][2][:-1]


def too_young(files):
    files[WN].append(["W004", "100000034", "Sem Bakker", "2010-03-02"])
    files[PL].append(["P004", "W004", "WG002", "lks", "2025-03-01", "", "20", "38"])


def born_tomorrow(files):
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
    files[WN][1][3] = tomorrow.isoformat()


CASES = [
    # id, mutation, file, line, column, reason (fragment)
    ("iban", cell(WG, 3, "iban", "NL00ABNA0123456789"), WG, 3, "iban",
     "ongeldige IBAN 'NL00ABNA0123456789' (controlegetal klopt niet)"),
    ("iban_lengte", cell(WG, 2, "iban", "NL91ABNA041716430"), WG, 2, "iban",
     "ongeldige IBAN 'NL91ABNA041716430' (onjuiste lengte)"),
    ("bic", cell(WG, 2, "bic", "ABNANL2"), WG, 2, "bic", "ongeldige BIC 'ABNANL2'"),
    ("bsn", cell(WN, 3, "bsn", "111222334"), WN, 3, "bsn",
     "ongeldig BSN ******334 (elfproef klopt niet)"),
    ("kvk", cell(WG, 2, "kvk", "1234567"), WG, 2, "kvk",
     "ongeldig KvK-nummer '1234567' (moet 8 cijfers zijn)"),
    ("werknemer_onbekend", cell(PL, 2, "werknemer_id", "W999"), PL, 2, "werknemer_id",
     "onbekende werknemer_id 'W999'"),
    ("werkgever_onbekend", cell(PL, 3, "werkgever_id", "WG999"), PL, 3, "werkgever_id",
     "onbekende werkgever_id 'WG999'"),
    ("plaatsing_onbekend_loonwaarde", cell(LW, 3, "plaatsing_id", "P999"), LW, 3,
     "plaatsing_id", "onbekende plaatsing_id 'P999'"),
    ("plaatsing_onbekend_uren", cell(UW, 2, "plaatsing_id", "P999"), UW, 2, "plaatsing_id",
     "onbekende plaatsing_id 'P999'"),
    ("dubbele_werkgever", duplicate(WG, 2, "naam", "Ander BV"), WG, 4, "werkgever_id",
     "dubbele werkgever_id 'WG001' (ook op regel 2)"),
    ("dubbele_werknemer", duplicate(WN, 3, "bsn", "100000046"), WN, 5, "werknemer_id",
     "dubbele werknemer_id 'W002' (ook op regel 3)"),
    ("dubbele_plaatsing", duplicate(PL, 4), PL, 5, "plaatsing_id",
     "dubbele plaatsing_id 'P003' (ook op regel 4)"),
    ("dubbele_loonwaarde", append(LW, ["P001", "2025-01-01", "70"]), LW, 4, "ingangsdatum",
     "dubbele combinatie plaatsing_id 'P001' en ingangsdatum 2025-01-01 (ook op regel 2)"),
    ("dubbele_urenwijziging", append(UW, ["P001", "2025-06-01", "30", "38"]), UW, 3,
     "ingangsdatum", "dubbele combinatie plaatsing_id 'P001' en ingangsdatum 2025-06-01"),
    ("start_na_einde", cell(PL, 3, "einddatum", "2024-08-31"), PL, 3, "einddatum",
     "einddatum 2024-08-31 ligt voor startdatum 2024-09-01"),
    ("datum_bestaat_niet", cell(PL, 2, "startdatum", "2025-02-30"), PL, 2, "startdatum",
     "ongeldige datum '2025-02-30' (bestaat niet)"),
    ("datum_niet_iso", cell(LW, 2, "ingangsdatum", "01-03-2025"), LW, 2, "ingangsdatum",
     "ongeldige datum '01-03-2025' (verwacht JJJJ-MM-DD)"),
    ("uren_negatief", cell(PL, 2, "contracturen", "-4"), PL, 2, "contracturen",
     "negatief aantal uren '-4'"),
    ("uren_absurd", cell(UW, 2, "contracturen", "61"), UW, 2, "contracturen",
     "onwaarschijnlijk aantal uren '61' (meer dan 60 per week)"),
    ("voltijdsuren_nul", cell(PL, 2, "voltijdsuren", "0"), PL, 2, "voltijdsuren",
     "voltijdsuren mag niet 0 zijn"),
    ("uren_decimalen", cell(PL, 2, "contracturen", "32.125"), PL, 2, "contracturen",
     "'32.125' heeft meer dan 2 decimalen"),
    ("uren_komma", cell(PL, 2, "contracturen", "32,5"), PL, 2, "contracturen",
     "geen getal: '32,5' (gebruik een punt als decimaalteken"),
    ("loonwaarde_boven_100", cell(LW, 2, "loonwaarde", "100.5"), LW, 2, "loonwaarde",
     "loonwaarde '100.5' ligt buiten 0-100"),
    ("loonwaarde_negatief", cell(LW, 3, "loonwaarde", "-1"), LW, 3, "loonwaarde",
     "loonwaarde '-1' ligt buiten 0-100"),
    ("loonwaarde_decimalen", cell(LW, 2, "loonwaarde", "62.555"), LW, 2, "loonwaarde",
     "'62.555' heeft meer dan 2 decimalen"),
    ("regeling_onbekend", cell(PL, 2, "regeling", "wsw"), PL, 2, "regeling",
     "onbekende regeling 'wsw' (kies lks, beschut of ontwikkelbaan)"),
    ("kolom_ontbreekt", drop_column(WG, "bic"), WG, 1, None, "kolommen ontbreken: bic"),
    ("kolom_onbekend", add_column(PL, "opmerking"), PL, 1, None,
     "onbekende kolommen: opmerking"),
    ("geen_utf8", latin1_werknemers, WN, 3, None, "bestand is geen geldige UTF-8 (byte 0xeb)"),
    ("leeg_bestand", replace(LW, ""), LW, None, None, "leeg bestand: de kopregel ontbreekt"),
    ("jonger_dan_15", too_young, PL, 5, "startdatum",
     "werknemer W004 is op startdatum 2025-03-01 jonger dan 15 jaar"),
    ("verplicht_leeg", cell(WN, 2, "naam", " "), WN, 2, "naam", "verplicht veld is leeg"),
    ("verplicht_leeg_datum", cell(PL, 2, "startdatum", ""), PL, 2, "startdatum",
     "verplicht veld is leeg"),
    ("geboortedatum_toekomst", born_tomorrow, WN, 2, "geboortedatum", "ligt in de toekomst"),
    ("aantal_velden", short_row, PL, 3, None, "verwacht 8 velden, gevonden 7"),
    ("onbekend_bestand", replace("contracten.csv", [["id"], ["1"]]), "contracten.csv", None,
     None, "onbekend bestand (verwacht: werkgevers.csv, werknemers.csv"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    """One database per backend holding the valid set, shared by the rejection cases:
    each case proves it left the database exactly as it found it."""
    directory = tmp_path_factory.mktemp("geladen")
    with new_database(request, request.param, directory) as url:
        engine = make_engine(url)
        import_directory(engine, write_files(directory / "eerste", valid_files()),
                         recorded_at=FIRST_IMPORT_AT)
        yield engine, Cli(url)
        engine.dispose()


@pytest.mark.parametrize("mutate, bestand, regel, kolom, reden",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_rejected_with_place_and_reason(loaded, tmp_path, mutate, bestand, regel, kolom, reden):
    engine, cli = loaded
    before = dump(engine)
    files = valid_files()
    mutate(files)
    directory = write_files(tmp_path / "fout", files)

    result = cli("import", directory)

    assert result.exit_code == 1, result.output
    prefix = str(ImportFout(bestand, regel, kolom, "@"))[:-1]
    lines = result.stderr.splitlines()
    assert any(line.startswith(prefix) and reden in line for line in lines), result.stderr
    assert "import geweigerd" in result.stderr and "er is niets geladen" in result.stderr
    assert result.stdout == ""
    assert dump(engine) == before


def test_every_error_is_reported_not_just_the_first(engine, cli, tmp_path):
    files = valid_files()
    for mutate in (cell(WG, 3, "iban", "NL00ABNA0123456789"), cell(WN, 2, "bsn", "123456789"),
                   cell(PL, 4, "regeling", "wsw"), cell(LW, 3, "loonwaarde", "101")):
        mutate(files)
    result = cli("import", write_files(tmp_path / "fout", files))
    assert result.exit_code == 1
    fouten = result.stderr.splitlines()
    assert [line.split(":")[0] for line in fouten[:4]] == [
        "werkgevers.csv, regel 3, kolom iban", "werknemers.csv, regel 2, kolom bsn",
        "plaatsingen.csv, regel 4, kolom regeling", "loonwaarden.csv, regel 3, kolom loonwaarde"]
    assert "import geweigerd: 4 fouten" in result.stderr
    assert dump(engine)["werkgever"] == []


def test_full_bsn_never_shown(engine, cli, tmp_path):
    files = valid_files()
    cell(WN, 2, "bsn", "123456789")(files)
    duplicate(WN, 3)(files)  # a second error on a row with a valid BSN
    result = cli("import", write_files(tmp_path / "fout", files))
    assert result.exit_code == 1
    assert "******789" in result.stderr
    for bsn in ("123456789", "111222333", "23456789"):
        assert bsn not in result.output


def test_error_list_is_capped_at_50(engine, cli, tmp_path):
    files = valid_files()
    files[LW] += [["P999", f"2025-01-{day:02d}", "50"] for day in range(1, 29)]
    files[UW] += [["P998", f"2025-02-{day:02d}", "30", "38"] for day in range(1, 29)]
    result = cli("import", write_files(tmp_path / "fout", files))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert sum(1 for line in lines if "onbekende plaatsing_id" in line) == 50
    assert "… en 6 meer" in lines
    assert "import geweigerd: 56 fouten" in result.stderr


def test_time_must_move_forward(engine, cli, tmp_path):
    directory = write_files(tmp_path / "import", valid_files())
    import_directory(engine, directory, recorded_at=FIRST_IMPORT_AT)
    before = dump(engine)
    for moment in ("2025-01-31T09:00:00Z", "2025-02-01T09:00:00+00:00", "2025-02-01T10:00:00+01:00"):
        result = cli("import", directory, "--recorded-at", moment)
        assert result.exit_code == 1
        assert "ligt niet na de vorige import (2025-02-01T09:00:00Z)" in result.stderr
    assert dump(engine) == before
    assert cli("import", directory, "--recorded-at", "2025-02-01T09:00:01").exit_code == 0


def test_bad_recorded_at_and_missing_directory(cli, tmp_path):
    result = cli("import", tmp_path, "--recorded-at", "gisteren")
    assert result.exit_code == 1 and "ongeldig tijdstip voor --recorded-at" in result.stderr
    result = cli("import", tmp_path / "bestaat-niet")
    assert result.exit_code == 1 and "bestaat niet" in result.stderr


def test_directory_without_import_files(engine, cli, tmp_path):
    (tmp_path / "leeg").mkdir()
    (tmp_path / "leeg" / "LEESMIJ.txt").write_text("geen csv")
    result = cli("import", tmp_path / "leeg")
    assert result.exit_code == 1
    assert "geen importbestanden gevonden" in result.stderr


def test_age_check_against_stored_plaatsing(loaded, tmp_path):
    """A new geboortedatum that makes a stored plaatsing's werknemer younger than 15."""
    engine, cli = loaded
    before = dump(engine)
    files = {WN: valid_files()[WN]}
    files[WN][1][3] = "2011-01-01"  # W001, plaatsing P001 starts 2025-01-01
    result = cli("import", write_files(tmp_path / "fout", files))
    assert result.exit_code == 1
    assert ("werknemers.csv, regel 2, kolom geboortedatum: met geboortedatum 2011-01-01 is "
            "werknemer W001 jonger dan 15 jaar op startdatum 2025-01-01 van plaatsing P001"
            in result.stderr)
    assert dump(engine) == before


def test_fifteenth_birthday_on_startdatum_is_allowed(engine, tmp_path):
    files = valid_files()
    files[WN].append(["W004", "100000034", "Sem Bakker", "2010-03-01"])
    files[PL].append(["P004", "W004", "WG002", "lks", "2025-03-01", "", "20", "38"])
    # 29 February: the birthday falls on 1 March in other years (rekenregels §2.1)
    files[WN].append(["W005", "100000046", "Lotte Smit", "2008-02-29"])
    files[PL].append(["P005", "W005", "WG002", "lks", "2023-03-01", "", "20", "38"])
    import_directory(engine, write_files(tmp_path / "import", files))
