"""The demo's refusals (lks/demo/bewaking.py) on the small gemeente of tests/betaalrun, on
SQLite and PostgreSQL: each refusal happens, with file, line and reason, and the database
keeps everything but the cancelled request."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.app.gebruikers import als
from lks.app.omgeving import Omgeving
from lks.db.models_betaalrun import AuditLog, Betaalrun
from lks.demo.bewaking import bewaking_demo
from lks.parameters import Parameters
from lks.settings import EXAMPLE_TOML, parse_settings
from tests.betaalrun.conftest import engine  # noqa: F401  (both backends)
from tests.foundation.helpers import dump

UTC = dt.timezone.utc


def test_refusals_are_shown_and_leave_only_the_cancelled_request(engine, tmp_path):  # noqa: F811
    before = dump(engine)
    o = Omgeving(engine=engine, settings=parse_settings(EXAMPLE_TOML), _params=Parameters.load())
    with Session(engine) as s:
        voor = s.scalar(select(func.max(AuditLog.id)))
    regels = bewaking_demo(o, tmp_path, dt.datetime(2026, 7, 18, 7, tzinfo=UTC), als(engine, "piet", "test"))
    assert regels[0] == (
        "Een levering met fouten is in zijn geheel geweigerd, er is niets opgeslagen: werknemers.csv, "
        "regel 2, kolom bsn: ongeldig BSN ******789 (elfproef klopt niet); loonwaarden.csv, regel 2, "
        "kolom ingangsdatum: ongeldige datum '2026-02-30' (bestaat niet).")
    assert regels[1].startswith("Betaalrun 2026-07 niet berekend: parameter ontbreekt: wml_maandloon heeft "
                                "geen waarde voor 2026-07-01")
    assert regels[2] == ("Goedkeuren door een medewerker: geweigerd: een betaalrun goedkeuren vereist de rol "
                         "goedkeurder; piet heeft de rol medewerker.")
    assert "123456789" not in " ".join(regels)
    after = dump(engine)
    assert {k for k in before if before[k] != after[k]} == {"betaalrun", "audit_log"}
    with Session(engine) as s:
        assert [(r.periode, r.status) for r in s.scalars(select(Betaalrun))] == [("2026-07", "geannuleerd")]
        assert [a.actie for a in s.scalars(select(AuditLog).where(AuditLog.id > voor).order_by(AuditLog.id))] == [
            "aanvragen", "annuleren"]
