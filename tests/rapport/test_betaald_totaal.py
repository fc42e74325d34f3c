"""Identity I9: the paid totals a betaalrun subtracts (``betaald_totaal``) equal the lines of
the approved runs. Holds after runs with corrections and a vordering; a total that drifted
from its lines (here: the guard removed and a row changed behind the application's back) is
reported with the plaatsing-month and the amounts."""
import datetime as dt

from sqlalchemy import text

from lks.verantwoording.rapport import maak_rapport

from .conftest import PARAMS, SETTINGS, UTC
from .test_rapport import NOW, four_months_with_vordering


def test_i9_holds_and_reports_a_drifted_total(engine, tmp_path, bestanden):
    four_months_with_vordering(engine, tmp_path, bestanden)
    r = maak_rapport(engine, 2025, PARAMS, SETTINGS, bestanden=bestanden, now=NOW)
    i9 = r.controle("I9")
    # P2 and P3 in January-April 2025 (8), P1 January-March (paid, then taken back to 0: the rows
    # stay); P1 April at loonwaarde 100 % is 0 and never got a line: 11 plaatsing-months
    assert i9.ok and i9.gecontroleerd == 11, i9.uitzonderingen
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE betaald_totaal DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER betaald_totaal_update"))
        connection.execute(text("UPDATE betaald_totaal SET bedrag = bedrag + 1 "
                                "WHERE plaatsing_id = 'P2' AND periode = '2025-02'"))
    i9 = maak_rapport(engine, 2025, PARAMS, SETTINGS, bestanden=bestanden,
                      now=NOW + dt.timedelta(minutes=1)).controle("I9")
    assert not i9.ok and len(i9.uitzonderingen) == 1
    assert i9.uitzonderingen[0].startswith("plaatsing P2 2025-02: betaald totaal wijkt af van de betaalregels in bedrag")
