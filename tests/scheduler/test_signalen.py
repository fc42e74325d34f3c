"""Signalen: each made once, resolved by the system when the situation is over, by a person
with a toelichting otherwise."""
from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.calc.core import calculate
from lks.db.models_signalen import Signaal
from lks.facts import load_facts
from lks.importer import import_directory
from lks.parameters import ParameterOntbreekt, Parameters
from lks.paths import PARAMETERS_DIR
from lks.settings import EXAMPLE_TOML, Settings, parse_settings
from lks.signalen import lijst, maak_signalen
from tests.foundation.helpers import Cli

from .conftest import PARAMS, gemeente_dir, write_extra

UTC = dt.timezone.utc


def at(*args):
    return dt.datetime(*args, 12, 0, tzinfo=UTC)


def open_soorten(engine):
    return sorted((s.soort, s.plaatsing_id or s.betaalrun_id) for s in lijst(engine))


def test_signalen_are_made_once_and_resolved(engine, settings, tmp_path):
    # P1 (lks) has loonwaarde 60 % since 2024-06-01: herbeoordeling due 2025-06-01, listed 6 weeks before
    assert maak_signalen(engine, dt.date(2025, 4, 1), at(2025, 4, 1), PARAMS, settings) == []
    lc.aanvragen(engine, "2025-04", "scheduler", at(2025, 4, 18))
    nieuw = maak_signalen(engine, dt.date(2025, 4, 25), at(2025, 4, 25), PARAMS, settings)
    assert sorted(s.soort for s in nieuw) == ["betaalrun_niet_goedgekeurd", "herbeoordeling_loonwaarde"]
    herbeoordeling = next(s for s in nieuw if s.soort == "herbeoordeling_loonwaarde")
    assert herbeoordeling.vervaldatum == dt.date(2025, 6, 1) and "1 juni 2025" in herbeoordeling.omschrijving
    assert maak_signalen(engine, dt.date(2025, 4, 26), at(2025, 4, 26), PARAMS, settings) == []
    assert maak_signalen(engine, dt.date(2025, 4, 26), at(2025, 4, 26), PARAMS, settings) == []

    # the run is cancelled and a new loonwaarde arrives: both signalen are resolved by the system
    lc.annuleren(engine, "2025-04", "anna", at(2025, 4, 28))
    import_directory(engine, gemeente_dir(tmp_path / "nieuw", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                           ["P1", "2025-05-01", "55"]]),
                     recorded_at=at(2025, 5, 2))
    assert maak_signalen(engine, dt.date(2025, 5, 3), at(2025, 5, 3), PARAMS, settings) == []
    assert open_soorten(engine) == []
    with Session(engine) as s:
        resolved = s.scalars(select(Signaal).order_by(Signaal.id)).all()
    assert {r.opgelost_door for r in resolved} == {"systeem"}
    assert all(r.toelichting.startswith("automatisch opgelost") for r in resolved)

    # ontwikkelbaan P3 (start 2024-09-01) ends after 18 months on 2026-02-28; listed 2 months before
    assert maak_signalen(engine, dt.date(2025, 12, 27), at(2025, 12, 27), PARAMS, settings) == []
    nieuw = maak_signalen(engine, dt.date(2025, 12, 28), at(2025, 12, 28), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw] == [
        ("ontwikkelbaan_eindigt", "P3", dt.date(2026, 2, 28))]
    assert "contract van minstens 12 maanden" in nieuw[0].omschrijving

    cli = Cli(engine.url.render_as_string(hide_password=False))
    result = cli("signalen", "list")
    assert result.exit_code == 0 and "ontwikkelbaan_eindigt" in result.output
    result = cli("signalen", "resolve", str(nieuw[0].id), "--toelichting",
                 "contract van 12 maanden per 1 maart 2026 ontvangen", als="mira")
    assert result.exit_code == 0, result.output
    result = cli("signalen", "resolve", str(nieuw[0].id), "--toelichting", "nogmaals", als="mira")
    assert result.exit_code == 1 and "al opgelost" in result.output
    result = cli("signalen", "resolve", "999", "--toelichting", "x")
    assert result.exit_code == 1 and "bestaat niet" in result.output
    assert lijst(engine) == []
    alle = lijst(engine, alle=True)
    assert [s.toelichting for s in alle if s.opgelost_door == "mira"] == [
        "contract van 12 maanden per 1 maart 2026 ontvangen"]
    # a resolved signaal is not made again
    assert maak_signalen(engine, dt.date(2026, 1, 5), at(2026, 1, 5), PARAMS, settings) == []


def test_forfait_and_missing_loonwaarde(engine, settings, tmp_path):
    write_extra(tmp_path / "p4")  # P4: lks from 2025-01-01 without loonwaarde, forfait until 2025-06-30
    import_directory(engine, tmp_path / "p4", recorded_at=at(2025, 1, 3))
    nieuw = maak_signalen(engine, dt.date(2025, 5, 18), at(2025, 5, 18), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id) for s in nieuw] == [("herbeoordeling_loonwaarde", "P1")]
    nieuw = maak_signalen(engine, dt.date(2025, 5, 19), at(2025, 5, 19), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw] == [
        ("forfait_eindigt", "P4", dt.date(2025, 6, 30))]
    nieuw = maak_signalen(engine, dt.date(2025, 7, 1), at(2025, 7, 1), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id) for s in nieuw] == [("geen_loonwaarde_na_forfait", "P4")]
    assert "loonwaarde_ontbreekt" in nieuw[0].omschrijving
    assert open_soorten(engine) == [("geen_loonwaarde_na_forfait", "P4"), ("herbeoordeling_loonwaarde", "P1")]


def test_beschikking_not_taken_within_five_weeks_of_a_loonwaarde(engine, settings, tmp_path):
    from lks.beschikkingen import maak_beschikkingen

    maak_beschikkingen(engine, dt.date(2025, 1, 15), at(2025, 1, 15), PARAMS, settings, tmp_path / "out", pdf=False)
    import_directory(engine, gemeente_dir(tmp_path / "nieuw", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                           ["P1", "2025-05-01", "55"]]),
                     recorded_at=at(2025, 5, 2))
    assert maak_signalen(engine, dt.date(2025, 6, 6), at(2025, 6, 6), PARAMS, settings) == []
    nieuw = maak_signalen(engine, dt.date(2025, 6, 7), at(2025, 6, 7), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw] == [
        ("beschikking_ontbreekt", "P1", dt.date(2025, 6, 6))]
    maak_beschikkingen(engine, dt.date(2025, 6, 8), at(2025, 6, 8), PARAMS, settings, tmp_path / "out", pdf=False)
    maak_signalen(engine, dt.date(2025, 6, 9), at(2025, 6, 9), PARAMS, settings)
    assert "beschikking_ontbreekt" not in {s.soort for s in lijst(engine)}


# --- the durations come from the parameter files, the horizons from [signalen] --------------

def params_met(tmp_path, **values: str) -> Parameters:
    """A copy of parameters/ in which each named file gets other dated values (YAML text of
    its ``values:`` block), loaded as the real loader loads it."""
    directory = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, directory)
    for naam, block in values.items():
        path = directory / f"{naam}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text[:text.index("values:")] + "values:\n" + block, encoding="utf-8")
    return Parameters.load(directory)


def signalen_met(**keys) -> Settings:
    """The demo settings with other values in [signalen]."""
    text = EXAMPLE_TOML
    for key, value in keys.items():
        old = f"\n{key} = "
        start = text.index(old) + len(old)
        text = text[:start] + str(value) + text[text.index("\n", start):]
    return parse_settings(text)


def nieuw_op(engine, dag, params, settings, soort=None):
    nieuw = maak_signalen(engine, dag, at(dag.year, dag.month, dag.day), params, settings)
    return [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw if soort is None or s.soort == soort]


def test_settings_move_the_horizons_and_name_the_contract(engine, tmp_path):
    settings = signalen_met(vooruit_herbeoordeling_weken=1, vooruit_forfait_weken=2,
                            vooruit_ontwikkelbaan_maanden=1, contract_maanden=24)
    write_extra(tmp_path / "p4")  # P4: lks from 2025-01-01 without loonwaarde
    import_directory(engine, tmp_path / "p4", recorded_at=at(2025, 1, 3))
    # P1: loonwaarde since 2024-06-01, herbeoordeling due 2024-06-01 + 12 months = 2025-06-01;
    # 1 week ahead: from 2025-06-01 - 7 days = 2025-05-25 (the default 6 weeks: 2025-04-20).
    # P4: forfait 2025-01-01 + 6 months - 1 day = 2025-06-30; 2 weeks ahead: from
    # 2025-06-30 - 14 days = 2025-06-16 (the default 6 weeks: 2025-05-19).
    assert nieuw_op(engine, dt.date(2025, 5, 24), PARAMS, settings) == []
    assert nieuw_op(engine, dt.date(2025, 5, 25), PARAMS, settings) == [
        ("herbeoordeling_loonwaarde", "P1", dt.date(2025, 6, 1))]
    assert nieuw_op(engine, dt.date(2025, 6, 15), PARAMS, settings) == []
    assert nieuw_op(engine, dt.date(2025, 6, 16), PARAMS, settings) == [
        ("forfait_eindigt", "P4", dt.date(2025, 6, 30))]
    # P3: ontwikkelbaan 2024-09-01 + 18 months - 1 day = 2026-02-28; 1 month ahead: from
    # 2026-02-28 - 1 month = 2026-01-28 (the default 2 months: 2025-12-28)
    assert nieuw_op(engine, dt.date(2026, 1, 27), PARAMS, settings, "ontwikkelbaan_eindigt") == []
    nieuw = maak_signalen(engine, dt.date(2026, 1, 28), at(2026, 1, 28), PARAMS, settings)
    assert [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw] == [
        ("ontwikkelbaan_eindigt", "P3", dt.date(2026, 2, 28))]
    assert "contract van minstens 24 maanden" in nieuw[0].omschrijving


def test_forfait_and_ontwikkelbaan_follow_the_parameter_files_at_the_startdatum(engine, tmp_path):
    # A (fictitious) change of the law: the forfait is 3 months for plaatsingen starting on or
    # after 2025-02-01, and the ontwikkelbaan lasts 12 months instead of 18.
    params = params_met(tmp_path,
                        forfait_maanden='  2015-01-01:\n    value: "6"\n  2025-02-01:\n    value: "3"\n',
                        ontwikkelbaan_maanden='  2024-01-01:\n    value: "12"\n')
    settings = signalen_met()  # the default horizons: 6 weeks, 2 months
    write_extra(tmp_path / "p45")  # P4: lks from 2025-01-01 without loonwaarde
    with open(tmp_path / "p45" / "plaatsingen.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(["P5", "N2", "W1", "lks", "2025-02-01", "", "20", "38"])
    import_directory(engine, tmp_path / "p45", recorded_at=at(2025, 1, 3))

    # P5 starts 2025-02-01, under the new value: 2025-02-01 + 3 months - 1 day = 2025-04-30,
    # listed from 2025-04-30 - 42 days = 2025-03-19 (with 6 months it would be 2025-07-31).
    assert nieuw_op(engine, dt.date(2025, 3, 18), params, settings, "forfait_eindigt") == []
    assert nieuw_op(engine, dt.date(2025, 3, 19), params, settings, "forfait_eindigt") == [
        ("forfait_eindigt", "P5", dt.date(2025, 4, 30))]
    # P4 started 2025-01-01, before the change: still 6 months (2025-06-30), although the value
    # on the day of the signaal is 3; listed from 2025-05-19 as with the real files
    assert nieuw_op(engine, dt.date(2025, 5, 18), params, settings, "forfait_eindigt") == []
    assert nieuw_op(engine, dt.date(2025, 5, 19), params, settings, "forfait_eindigt") == [
        ("forfait_eindigt", "P4", dt.date(2025, 6, 30))]
    # the day after P5's forfait (2025-05-01): 0 without a loonwaarde
    assert ("geen_loonwaarde_na_forfait", "P5", dt.date(2025, 5, 1)) in {
        (s.soort, s.plaatsing_id, s.vervaldatum) for s in lijst(engine)}

    # the payment agrees: the core, with the same parameters, pays P5 in April and stops in May
    with Session(engine) as session:
        facts = load_facts(session, as_of=at(2025, 5, 19))
    maanden = calculate(facts.to_calc_input(), "2025-04", "2025-05", params).plaatsing_maanden
    p5 = maanden[maanden["plaatsing_id"] == "P5"].astype({"periode": str}).set_index("periode")
    assert p5.loc["2025-04", "lks_totaal"] > 0 and "loonwaarde_ontbreekt" not in p5.loc["2025-04", "reden"]
    assert p5.loc["2025-05", "lks_totaal"] == 0 and "loonwaarde_ontbreekt" in p5.loc["2025-05", "reden"]

    # P3: ontwikkelbaan 2024-09-01 + 12 months - 1 day = 2025-08-31, listed from
    # 2025-08-31 - 2 months = 2025-06-30 (with 18 months: 2026-02-28, from 2025-12-28)
    assert nieuw_op(engine, dt.date(2025, 6, 29), params, settings, "ontwikkelbaan_eindigt") == []
    assert nieuw_op(engine, dt.date(2025, 6, 30), params, settings, "ontwikkelbaan_eindigt") == [
        ("ontwikkelbaan_eindigt", "P3", dt.date(2025, 8, 31))]


def test_beslistermijn_follows_the_parameter_file(engine, settings, tmp_path):
    from lks.beschikkingen import maak_beschikkingen

    # (fictitious) 3 weeks instead of 5 for loonwaarden set from 2025-05-01
    params = params_met(tmp_path, beslistermijn_loonwaarde_weken=(
        '  1994-01-01:\n    value: "5"\n  2025-05-01:\n    value: "3"\n'))
    maak_beschikkingen(engine, dt.date(2025, 1, 15), at(2025, 1, 15), PARAMS, settings, tmp_path / "out", pdf=False)
    import_directory(engine, gemeente_dir(tmp_path / "nieuw", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                           ["P1", "2025-05-01", "55"]]),
                     recorded_at=at(2025, 5, 2))
    # recorded 2025-05-02, when the term is 3 weeks: uiterlijk 2025-05-02 + 21 days = 2025-05-23,
    # signalled the day after (with the real 5 weeks: 2025-06-06, signalled on 2025-06-07)
    assert nieuw_op(engine, dt.date(2025, 5, 23), params, settings, "beschikking_ontbreekt") == []
    assert nieuw_op(engine, dt.date(2025, 5, 24), params, settings, "beschikking_ontbreekt") == [
        ("beschikking_ontbreekt", "P1", dt.date(2025, 5, 23))]


def test_beslistermijn_counts_from_the_dutch_date_of_recording(engine, settings, tmp_path):
    from lks.beschikkingen import maak_beschikkingen

    maak_beschikkingen(engine, dt.date(2025, 1, 15), at(2025, 1, 15), PARAMS, settings, tmp_path / "out", pdf=False)
    # recorded 2025-05-01 22:30 UTC = 2025-05-02 00:30 in Amsterdam: set on 2 May, as the letter
    # counts it (loonwaarde_vastgesteld_op); uiterlijk 2025-05-02 + 35 days = 2025-06-06
    import_directory(engine, gemeente_dir(tmp_path / "nieuw", loonwaarden=[["P1", "2024-06-01", "60"],
                                                                           ["P1", "2025-05-01", "55"]]),
                     recorded_at=dt.datetime(2025, 5, 1, 22, 30, tzinfo=UTC))
    assert nieuw_op(engine, dt.date(2025, 6, 6), PARAMS, settings, "beschikking_ontbreekt") == []
    nieuw = maak_signalen(engine, dt.date(2025, 6, 7), at(2025, 6, 7), PARAMS, settings)
    assert [(s.soort, s.vervaldatum) for s in nieuw] == [("beschikking_ontbreekt", dt.date(2025, 6, 6))]
    assert "vastgelegd op 2 mei 2025" in nieuw[0].omschrijving


def test_a_missing_parameter_value_is_a_dutch_error_naming_the_plaatsing(engine, tmp_path):
    # forfait_maanden known only from 2025-02-01: P4 (start 2025-01-01, no loonwaarde) has none
    params = params_met(tmp_path, forfait_maanden='  2025-02-01:\n    value: "6"\n')
    write_extra(tmp_path / "p4")
    import_directory(engine, tmp_path / "p4", recorded_at=at(2025, 1, 3))
    with pytest.raises(ParameterOntbreekt) as caught:
        maak_signalen(engine, dt.date(2025, 5, 19), at(2025, 5, 19), params, signalen_met())
    assert str(caught.value) == (
        "parameter ontbreekt: forfait_maanden heeft geen waarde voor 2025-01-01 (eerste bekende "
        "waarde geldt vanaf 2025-02-01); nodig voor de forfaitperiode van plaatsing P4")
    assert lijst(engine) == []  # nothing half done
    # a Parameters without the file at all (built by hand; Parameters.load refuses that):
    # P3, an active ontwikkelbaan, needs ontwikkelbaan_maanden
    params_zonder = dict(params)
    del params_zonder["ontwikkelbaan_maanden"]
    with pytest.raises(ParameterOntbreekt, match="ontwikkelbaan_maanden is niet geladen"):
        maak_signalen(engine, dt.date(2025, 1, 2), at(2025, 1, 2), Parameters(params_zonder), signalen_met())


def test_the_cli_names_a_missing_parameter_in_one_line(engine, tmp_path, monkeypatch):
    from lks.parameters import Parameters
    from tests.foundation.helpers import Cli, dump

    params = params_met(tmp_path, forfait_maanden='  2025-02-01:\n    value: "6"\n')
    write_extra(tmp_path / "p4")
    import_directory(engine, tmp_path / "p4", recorded_at=at(2025, 1, 3))
    monkeypatch.setattr(Parameters, "load", classmethod(lambda cls, *args, **kwargs: params))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    before = dump(engine)
    result = Cli(engine.url.render_as_string(hide_password=False))("signalen", "make", "--datum", "2025-05-19")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a clean exit, no crash
    assert "Traceback" not in result.output
    assert " ".join(result.stderr.split()) == (
        "fout: parameter ontbreekt: forfait_maanden heeft geen waarde voor 2025-01-01 (eerste "
        "bekende waarde geldt vanaf 2025-02-01); nodig voor de forfaitperiode van plaatsing P4")
    assert dump(engine) == before
