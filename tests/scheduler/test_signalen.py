"""Signalen: each made once, resolved by the system when the situation is over, by a person
with a toelichting otherwise."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.db.models_signalen import Signaal
from lks.importer import import_directory
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
                 "contract van 12 maanden per 1 maart 2026 ontvangen", "--gebruiker", "carla")
    assert result.exit_code == 0, result.output
    result = cli("signalen", "resolve", str(nieuw[0].id), "--toelichting", "nogmaals", "--gebruiker", "carla")
    assert result.exit_code == 1 and "al opgelost" in result.output
    result = cli("signalen", "resolve", "999", "--toelichting", "x")
    assert result.exit_code == 1 and "bestaat niet" in result.output
    assert lijst(engine) == []
    alle = lijst(engine, alle=True)
    assert [s.toelichting for s in alle if s.opgelost_door == "carla"] == [
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
