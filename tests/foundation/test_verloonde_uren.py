"""Verloonde uren through the import (interfaces §2: the ``urenbasis`` column and
``verloonde_uren.csv``), the facts as known at a moment, the calculation (rekenregels §7) and
the betaalrun that pays in arrears — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.calc import calculate
from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.facts import load_facts
from lks.importer import ImportFouten, import_directory
from lks.parameters import Parameters
from lks.settings import load_settings

from .helpers import dump, write_files

UTC = dt.timezone.utc
PARAMS = Parameters.load()
WG = [["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode", "plaats"],
      ["WG1", "Groenvoorziening Noord BV", "12345678", "NL91ABNA0417164300", "", "Stationsweg", "12", "9951 AB",
       "Winsum"]]
WN = [["werknemer_id", "bsn", "naam", "geboortedatum"], ["W1", "123456782", "Jan Jansen", "1990-05-01"],
      ["W2", "100000022", "Kees de Boer", "1968-11-30"]]
PL = [["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum", "contracturen",
       "voltijdsuren", "urenbasis"],
      ["OP1", "W1", "WG1", "lks", "2025-06-01", "2025-12-31", "0", "38", "verloond"],
      ["VAST", "W2", "WG1", "lks", "2025-06-01", "", "32", "38", ""]]
LW = [["plaatsing_id", "ingangsdatum", "loonwaarde"], ["OP1", "2025-06-01", "60"], ["VAST", "2025-06-01", "60"]]
T1 = dt.datetime(2025, 7, 1, 8, tzinfo=UTC)


def _levering(tmp_path, naam="basis", **extra):
    files = {"werkgevers.csv": WG, "werknemers.csv": WN, "plaatsingen.csv": PL, "loonwaarden.csv": LW}
    files.update({f"{k}.csv": v for k, v in extra.items()})
    return write_files(tmp_path / naam, files)


def test_urenbasis_and_hours_import_and_calculate(engine, tmp_path):
    import_directory(engine, _levering(tmp_path, verloonde_uren=[["plaatsing_id", "periode", "uren"],
                                                                  ["OP1", "2025-07", "100"]]), recorded_at=T1)
    facts = load_facts(engine)
    assert dict(zip(facts.plaatsingen["plaatsing_id"], facts.plaatsingen["urenbasis"])) == {
        "OP1": "verloond", "VAST": "contract"}  # an empty value is contract (interfaces §2)
    result = calculate(facts.to_calc_input(), "2025-07", "2025-08", PARAMS, load_settings().policy())
    m = {(r.plaatsing_id, r.periode): r for r in result.plaatsing_maanden.itertuples()}
    # rekenregels §7, first worked example: 14.40 × 1.08 × 0.40 × 100 h = 622.08; × 0.235 = 146.1888 → 146.19
    assert (m["OP1", "2025-07"].lks_basis, m["OP1", "2025-07"].werkgeverslasten) == (622_08, 146_19)
    # August: no loonstrook yet → 0 with uren_ontbreken
    assert (m["OP1", "2025-08"].lks_totaal, m["OP1", "2025-08"].reden) == (0, "uren_ontbreken")


def test_a_corrected_loonstrook_is_a_new_version(engine, tmp_path):
    import_directory(engine, _levering(tmp_path, verloonde_uren=[["plaatsing_id", "periode", "uren"],
                                                                  ["OP1", "2025-07", "100"]]), recorded_at=T1)
    t2 = dt.datetime(2025, 8, 5, 8, tzinfo=UTC)
    import_directory(engine, write_files(tmp_path / "correctie", {"verloonde_uren.csv": [
        ["plaatsing_id", "periode", "uren"], ["OP1", "2025-07", "93.5"]]}), recorded_at=t2)
    nu = load_facts(engine).verloonde_uren
    toen = load_facts(engine, as_of=t2 - dt.timedelta(seconds=1)).verloonde_uren
    assert [str(u) for u in nu["uren"]] == ["93.50"] and [str(u) for u in toen["uren"]] == ["100.00"]


@pytest.mark.parametrize("rij, verwacht", [
    (["VAST", "2025-07", "10"], "verloonde_uren.csv, regel 2, kolom plaatsing_id: plaatsing VAST heeft urenbasis contract"),
    (["OP1", "2026-01", "10"], "verloonde_uren.csv, regel 2, kolom periode: plaatsing OP1 is in 2026-01 niet actief"),
    (["OP1", "2025-05", "10"], "verloonde_uren.csv, regel 2, kolom periode: plaatsing OP1 is in 2025-05 niet actief"),
    (["OP1", "2025-07", "-1"], "verloonde_uren.csv, regel 2, kolom uren: negatief aantal uren '-1'"),
    (["OP1", "2025-07", "10.125"], "verloonde_uren.csv, regel 2, kolom uren: '10.125' heeft meer dan 2 decimalen"),
    (["OP1", "2025-06", "720.01"], "verloonde_uren.csv, regel 2, kolom uren: 720.01 uur is meer dan 2025-06 heeft"),
    (["ONBEKEND", "2025-07", "10"], "verloonde_uren.csv, regel 2, kolom plaatsing_id: onbekende plaatsing_id 'ONBEKEND'"),
    (["OP1", "2025-13", "10"], "verloonde_uren.csv, regel 2, kolom periode: ongeldige periode '2025-13'"),
    (["OP1", "2025-7", "10"], "verloonde_uren.csv, regel 2, kolom periode: ongeldige periode '2025-7'"),
], ids=["contract", "na_einde", "voor_start", "negatief", "decimalen", "meer_dan_de_maand", "onbekend",
        "maand_13", "maand_zonder_nul"])
def test_bad_hours_refuse_the_whole_delivery(engine, tmp_path, rij, verwacht):
    import_directory(engine, _levering(tmp_path), recorded_at=T1)
    before = dump(engine)
    with pytest.raises(ImportFouten) as fout:
        import_directory(engine, write_files(tmp_path / "uren", {"verloonde_uren.csv": [
            ["plaatsing_id", "periode", "uren"], ["OP1", "2025-08", "12"], rij]}),
            recorded_at=T1 + dt.timedelta(days=1))
    meldingen = [str(f).replace("regel 3", "regel 2") for f in fout.value.fouten]
    assert any(m.startswith(verwacht) for m in meldingen), meldingen
    assert dump(engine) == before


def test_a_duplicate_month_in_one_file(engine, tmp_path):
    import_directory(engine, _levering(tmp_path), recorded_at=T1)
    with pytest.raises(ImportFouten) as fout:
        import_directory(engine, write_files(tmp_path / "uren", {"verloonde_uren.csv": [
            ["plaatsing_id", "periode", "uren"], ["OP1", "2025-08", "12"], ["OP1", "2025-08", "13"]]}),
            recorded_at=T1 + dt.timedelta(days=1))
    assert any("regel 3" in str(f) and "dubbele combinatie plaatsing_id 'OP1' en periode '2025-08'" in str(f)
               for f in fout.value.fouten), [str(f) for f in fout.value.fouten]


def test_hours_are_paid_in_arrears_by_the_normal_run(engine, tmp_path):
    """In the run of July, OP1 (verloond) has no loonstrook: 0, uren_ontbreken. The hours
    arrive; the August run pays July as a correction — no special path."""
    settings = load_settings()
    import_directory(engine, _levering(tmp_path), recorded_at=T1)
    for periode, moment in (("2025-07", dt.datetime(2025, 7, 18, 7, tzinfo=UTC)),):
        lc.aanvragen(engine, periode, "piet", moment)
        lc.berekenen(engine, periode, "piet", moment, PARAMS, settings)
        lc.goedkeuren(engine, periode, "klaas", moment, dt.date(2025, 7, 25))
    import_directory(engine, write_files(tmp_path / "juli", {"verloonde_uren.csv": [
        ["plaatsing_id", "periode", "uren"], ["OP1", "2025-06", "50"], ["OP1", "2025-07", "100"]]}),
        recorded_at=dt.datetime(2025, 8, 8, 8, tzinfo=UTC))
    moment = dt.datetime(2025, 8, 18, 7, tzinfo=UTC)
    lc.aanvragen(engine, "2025-08", "piet", moment)
    lc.berekenen(engine, "2025-08", "piet", moment, PARAMS, settings)
    with Session(engine) as s:
        runs = {r.periode: r.id for r in s.scalars(select(Betaalrun))}
        juli = {(r.plaatsing_id, r.periode): r for r in s.scalars(
            select(Betaalregel).where(Betaalregel.betaalrun_id == runs["2025-07"]))}
        aug = {(r.plaatsing_id, r.periode): r for r in s.scalars(
            select(Betaalregel).where(Betaalregel.betaalrun_id == runs["2025-08"]))}
    assert ("OP1", "2025-07") not in juli or juli["OP1", "2025-07"].bedrag == 0
    # July 2025, 100 h: 622.08 + 146.19 = 768.27 (§7 first example), now paid as a correction
    assert (aug["OP1", "2025-07"].soort, aug["OP1", "2025-07"].bedrag) == ("correctie", 768_27)
    # June 2025, 50 h at the July-2025 WML date? No: June's hourly WML is 14.06 (2025-01-01):
    # 14.06 × 1.08 × 0.40 × 50 = 303.696 → 303.70; × 0.235 = 71.3695 → 71.37; total 375.07
    assert (aug["OP1", "2025-06"].soort, aug["OP1", "2025-06"].bedrag) == ("correctie", 375_07)
    assert ("OP1", "2025-08") not in aug or aug["OP1", "2025-08"].bedrag == 0  # August not delivered yet
