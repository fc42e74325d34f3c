"""The werklijst forgets a withdrawn plaatsing (issue 14 §3): its open signalen are resolved by
the system, and none is made for it again."""
from __future__ import annotations

import datetime as dt

from lks.importer import import_directory
from lks.signalen import lijst, maak_signalen
from tests.betaalrun.conftest import write_csv

from .conftest import PARAMS, write_extra

UTC = dt.timezone.utc


def at(*args):
    return dt.datetime(*args, 12, 0, tzinfo=UTC)


def test_a_withdrawn_plaatsing_leaves_the_werklijst(engine, settings, tmp_path):
    write_extra(tmp_path / "p4")  # P4: lks from 2025-01-01 without loonwaarde, forfait until 2025-06-30
    import_directory(engine, tmp_path / "p4", recorded_at=at(2025, 1, 3))
    maak_signalen(engine, dt.date(2025, 5, 19), at(2025, 5, 19), PARAMS, settings)
    assert ("forfait_eindigt", "P4") in {(s.soort, s.plaatsing_id) for s in lijst(engine)}

    map_ = tmp_path / "intrekking"
    map_.mkdir()
    write_csv(map_, "intrekkingen.csv", ["bestand", "plaatsing_id", "sleutel", "reden"],
              [["plaatsingen", "P4", "", "werknemer verwisseld"]])
    import_directory(engine, map_, recorded_at=at(2025, 5, 20))
    assert maak_signalen(engine, dt.date(2025, 5, 21), at(2025, 5, 21), PARAMS, settings) == []
    assert "P4" not in {s.plaatsing_id for s in lijst(engine)}
    [opgelost] = [s for s in lijst(engine, alle=True) if s.plaatsing_id == "P4"]
    assert opgelost.opgelost_door == "systeem"
    # past the forfait: no "geen loonwaarde na forfait" for a plaatsing that never was
    assert maak_signalen(engine, dt.date(2025, 7, 1), at(2025, 7, 1), PARAMS, settings) == []
