"""The Leveringen page lists the withdrawals: moment, user, what (with what went along with a
withdrawn plaatsing), the delivery and the reden; a BSN in a reden is masked."""
from __future__ import annotations

import datetime as dt

from lks.importer import import_directory
from tests.betaalrun.conftest import write_csv

UTC = dt.timezone.utc


def test_the_leveringen_page_lists_the_withdrawals(web, als, engine, tmp_path):
    assert "Nog geen intrekkingen." in als("carla").get("/leveringen").get_data(as_text=True)
    map_ = tmp_path / "weg"
    map_.mkdir()
    write_csv(map_, "intrekkingen.csv", ["bestand", "plaatsing_id", "sleutel", "reden"],
              [["plaatsingen", "P1", "", "werknemer met bsn 123456782 stond bij de verkeerde werkgever"]])
    import_directory(engine, map_, recorded_at=dt.datetime(2025, 3, 1, 8, 30, tzinfo=UTC), door="mira")
    pagina = als("carla").get("/leveringen")
    assert pagina.status_code == 200
    tekst = pagina.get_data(as_text=True)
    deel = tekst[tekst.index('id="intrekkingen"'):]
    assert "mira" in deel and "plaatsing P1" in deel
    assert "met loonwaarde van plaatsing P1 per 2024-06-01" in deel
    assert "werknemer met bsn ******782 stond bij de verkeerde werkgever" in deel
    assert "123456782" not in tekst
