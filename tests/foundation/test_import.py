"""Accepted imports, re-import semantics and the bitemporal "as known at" query."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lks.calc.model import LOONWAARDE_COLUMNS, PLAATSING_COLUMNS, UREN_COLUMNS
from lks.facts import load_facts, to_calc_input
from lks.importer import FileCounts, import_directory

from .helpers import FIRST_IMPORT_AT, dump, to_csv, valid_files, write_files

UTC = dt.timezone.utc
LATER = dt.datetime(2025, 9, 15, 12, 0, tzinfo=UTC)


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {name: (c.new, c.changed, c.unchanged) for name, c in result.counts.items()}


def test_valid_set_is_imported(engine, tmp_path):
    directory = write_files(tmp_path / "import", valid_files())
    result = import_directory(engine, directory, recorded_at=FIRST_IMPORT_AT)

    assert counts(result) == {"werkgevers.csv": (2, 0, 0), "werknemers.csv": (3, 0, 0),
                              "plaatsingen.csv": (3, 0, 0), "loonwaarden.csv": (2, 0, 0),
                              "urenwijzigingen.csv": (1, 0, 0)}
    assert result.recorded_at == FIRST_IMPORT_AT
    assert result.files == {name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
                            for name in valid_files()}
    with engine.connect() as connection:
        batch = connection.execute(sa.text("SELECT * FROM import_batch")).mappings().one()
    assert batch["id"] == result.import_id
    assert json.loads(batch["files"]) == result.files
    assert json.loads(batch["counts"])["plaatsingen.csv"] == {"new": 3, "changed": 0,
                                                              "unchanged": 0}
    assert batch["source"] == str(directory.resolve())

    facts = load_facts(engine)
    werkgevers = facts.werkgevers.set_index("werkgever_id")
    # normalised on the way in: compact IBAN, empty BIC is NULL, postcode "1234 AB"
    assert werkgevers.loc["WG002", "iban"] == "NL69INGB0123456789"
    assert pd.isna(werkgevers.loc["WG002", "bic"])
    assert werkgevers.loc["WG002", "postcode"] == "9981 AA"
    plaatsingen = facts.plaatsingen.set_index("plaatsing_id")
    assert plaatsingen.loc["P002", "contracturen"] == Decimal("32.50")
    assert pd.isna(plaatsingen.loc["P001", "einddatum"])
    assert (facts.plaatsingen["recorded_at"] == pd.Timestamp(FIRST_IMPORT_AT)).all()
    assert (facts.plaatsingen["import_id"] == result.import_id).all()


def test_calc_input_in_core_units(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "import", valid_files()))
    calc = to_calc_input(load_facts(engine))

    assert list(calc.plaatsingen.columns) == PLAATSING_COLUMNS + ["urenbasis"]
    assert set(calc.plaatsingen["urenbasis"]) == {"contract"}  # no urenbasis column in the delivery
    assert list(calc.loonwaarden.columns) == LOONWAARDE_COLUMNS
    assert list(calc.urenwijzigingen.columns) == UREN_COLUMNS
    p = calc.plaatsingen.set_index("plaatsing_id")
    assert p.loc["P002", "contracturen"] == 3250 and p.loc["P002", "voltijdsuren"] == 3800
    assert p.loc["P003", "contracturen"] == 2425
    assert p["contracturen"].dtype == np.int64 and p["voltijdsuren"].dtype == np.int64
    assert p.loc["P002", "geboortedatum"] == pd.Timestamp("2004-02-29")
    assert p.loc["P002", "einddatum"] == pd.Timestamp("2025-12-31")
    assert pd.isna(p.loc["P001", "einddatum"])
    for column in ("startdatum", "einddatum", "geboortedatum"):
        assert pd.api.types.is_datetime64_any_dtype(p[column])
    assert calc.loonwaarden["loonwaarde"].tolist() == [6000, 6250]
    assert calc.loonwaarden["loonwaarde"].dtype == np.int64
    assert calc.urenwijzigingen.iloc[0].tolist() == ["P001", pd.Timestamp("2025-06-01"), 3600, 3800]
    assert calc.plaatsingen["plaatsing_id"].tolist() == ["P001", "P002", "P003"]


def test_identical_reimport_adds_no_facts(engine, tmp_path):
    directory = write_files(tmp_path / "import", valid_files())
    import_directory(engine, directory, recorded_at=FIRST_IMPORT_AT)
    before = dump(engine)
    result = import_directory(engine, directory, recorded_at=LATER)

    assert all(c == FileCounts(0, 0, c.total) for c in result.counts.values())
    after = dump(engine)
    for table in ("werkgever", "werknemer", "plaatsing", "loonwaarde", "urenwijziging"):
        assert after[table] == before[table]
    assert len(after["import_batch"]) == 2  # the import itself is recorded


def test_equivalent_spelling_is_unchanged(engine, tmp_path):
    """Values equal after normalisation (32.5 vs 32.50, IBAN with spaces) are no change."""
    import_directory(engine, write_files(tmp_path / "a", valid_files()), recorded_at=FIRST_IMPORT_AT)
    files = valid_files()
    files["plaatsingen.csv"][2][6] = "32.50"
    files["werkgevers.csv"][1][3] = "nl91 abna 0417 1643 00"
    files["werknemers.csv"][1][1] = " 123456782 "
    result = import_directory(engine, write_files(tmp_path / "b", files), recorded_at=LATER)
    assert all(c.changed == 0 and c.new == 0 for c in result.counts.values())


def test_changed_loonwaarde_is_a_new_version_and_history_stays(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "a", valid_files()), recorded_at=FIRST_IMPORT_AT)
    # a late loonwaardemeting: P001 from 2025-01-01 is 55 %, not 60 %; and a new one for P002
    files = {"loonwaarden.csv": [["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                 ["P001", "2025-01-01", "55"],
                                 ["P001", "2025-07-01", "62.5"],
                                 ["P002", "2025-03-01", "40.25"]]}
    result = import_directory(engine, write_files(tmp_path / "b", files), recorded_at=LATER)
    assert counts(result) == {"loonwaarden.csv": (1, 1, 1)}

    def loonwaarden(as_of):
        frame = load_facts(engine, as_of=as_of).loonwaarden
        return {(r.plaatsing_id, r.ingangsdatum.date().isoformat()): r.loonwaarde
                for r in frame.itertuples()}

    before = loonwaarden(LATER - dt.timedelta(seconds=1))
    after = loonwaarden(LATER)
    assert before == {("P001", "2025-01-01"): Decimal("60.00"),
                      ("P001", "2025-07-01"): Decimal("62.50")}
    assert after == {("P001", "2025-01-01"): Decimal("55.00"),
                     ("P001", "2025-07-01"): Decimal("62.50"),
                     ("P002", "2025-03-01"): Decimal("40.25")}
    assert loonwaarden(None) == after
    assert loonwaarden(FIRST_IMPORT_AT - dt.timedelta(days=1)) == {}
    # naive datetimes are UTC
    assert loonwaarden(LATER.replace(tzinfo=None)) == after
    # the calculation input follows the same moment
    old = to_calc_input(load_facts(engine, as_of=FIRST_IMPORT_AT)).loonwaarden
    new = to_calc_input(load_facts(engine)).loonwaarden
    assert old["loonwaarde"].tolist() == [6000, 6250]
    assert new["loonwaarde"].tolist() == [5500, 6250, 4025]
    # nothing was updated: the old version is still a row
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT loonwaarde FROM loonwaarde WHERE plaatsing_id = 'P001' "
            "AND ingangsdatum = :d ORDER BY recorded_at"), {"d": dt.date(2025, 1, 1)}).scalars()
        assert [Decimal(str(v)) for v in rows] == [Decimal("60"), Decimal("55")]


def test_ending_a_plaatsing_and_changing_a_werkgever(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "a", valid_files()), recorded_at=FIRST_IMPORT_AT)
    files = valid_files()
    files["plaatsingen.csv"][1][5] = "2025-08-31"
    files["werkgevers.csv"][2][3] = "NL44RABO0123456789"
    result = import_directory(engine, write_files(tmp_path / "b", files), recorded_at=LATER)
    assert counts(result)["plaatsingen.csv"] == (0, 1, 2)
    assert counts(result)["werkgevers.csv"] == (0, 1, 1)
    now = load_facts(engine)
    then = load_facts(engine, as_of=FIRST_IMPORT_AT)
    assert now.plaatsingen.set_index("plaatsing_id").loc["P001", "einddatum"] == pd.Timestamp("2025-08-31")
    assert pd.isna(then.plaatsingen.set_index("plaatsing_id").loc["P001", "einddatum"])
    assert now.werkgevers.set_index("werkgever_id").loc["WG002", "iban"] == "NL44RABO0123456789"
    assert len(now.plaatsingen) == 3 and len(now.werkgevers) == 2


def test_references_resolve_against_the_database(engine, tmp_path):
    files = valid_files()
    first = {name: files[name] for name in ("werkgevers.csv", "werknemers.csv")}
    second = {name: files[name] for name in ("plaatsingen.csv", "loonwaarden.csv")}
    import_directory(engine, write_files(tmp_path / "a", first), recorded_at=FIRST_IMPORT_AT)
    result = import_directory(engine, write_files(tmp_path / "b", second), recorded_at=LATER)
    assert list(result.counts) == ["plaatsingen.csv", "loonwaarden.csv"]
    assert counts(result)["plaatsingen.csv"] == (3, 0, 0)


def test_header_only_file_bom_and_column_order(engine, tmp_path):
    files = valid_files()
    # columns in another order, with a UTF-8 BOM and CRLF line ends
    header = files["werknemers.csv"][0]
    order = [3, 2, 1, 0]
    text = to_csv([[row[i] for i in order] for row in files["werknemers.csv"]])
    files["werknemers.csv"] = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    files["urenwijzigingen.csv"] = [files["urenwijzigingen.csv"][0]]  # header only
    files["loonwaarden.csv"] = "plaatsing_id,ingangsdatum,loonwaarde\n\n"  # and a blank line
    result = import_directory(engine, write_files(tmp_path / "import", files))
    assert counts(result)["werknemers.csv"] == (3, 0, 0)
    assert counts(result)["urenwijzigingen.csv"] == (0, 0, 0)
    assert counts(result)["loonwaarden.csv"] == (0, 0, 0)
    werknemers = load_facts(engine).werknemers
    assert list(werknemers.columns[:4]) == header
    assert werknemers.set_index("werknemer_id").loc["W001", "naam"] == "Jan Jansen"


def test_quoted_fields_and_multiline_line_numbers(engine, cli, tmp_path):
    """Line numbers count physical lines, also after a quoted field spanning two lines."""
    files = valid_files()
    files["werkgevers.csv"][1][1] = "Groen, Noord\nen Zoon BV"
    files["werkgevers.csv"][2][4] = "GEENBIC"
    result = cli("import", write_files(tmp_path / "import", files))
    assert result.exit_code == 1
    assert "werkgevers.csv, regel 4, kolom bic: ongeldige BIC 'GEENBIC'" in result.stderr
    files["werkgevers.csv"][2][4] = ""
    import_directory(engine, write_files(tmp_path / "ok", files))
    naam = load_facts(engine).werkgevers.set_index("werkgever_id").loc["WG001", "naam"]
    assert naam == "Groen, Noord\nen Zoon BV"


def test_empty_database_gives_empty_facts(engine):
    facts = load_facts(engine)
    for frame in (facts.werkgevers, facts.werknemers, facts.plaatsingen, facts.loonwaarden,
                  facts.urenwijzigingen, facts.verloonde_uren):
        assert frame.empty
    calc = facts.to_calc_input()
    assert calc.plaatsingen.empty and list(calc.plaatsingen.columns) == PLAATSING_COLUMNS + ["urenbasis"]
    assert calc.verloonde_uren.empty


def test_load_facts_accepts_connection_and_session(engine, tmp_path):
    from sqlalchemy.orm import Session

    import_directory(engine, write_files(tmp_path / "import", valid_files()))
    with engine.connect() as connection:
        assert len(load_facts(connection).plaatsingen) == 3
    with Session(engine) as session:
        assert len(load_facts(session).werknemers) == 3
