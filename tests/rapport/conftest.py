"""Fixtures for the controller reports: the small gemeente of tests/betaalrun (P1 lks at W1,
P2 beschut and P3 ontwikkelbaan at W2) and helpers to run whole months."""
import datetime as dt

import pytest

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import maak_bestanden
from lks.parameters import Parameters
from lks.settings import load_settings
from tests.betaalrun.conftest import UTC, engine, gemeente_dir, write_csv  # noqa: F401

PARAMS = Parameters.load()
SETTINGS = load_settings()


def run_month(engine, periode, now, out=None, sent=True):
    """Request, calculate (anna), approve (bert), write the files and mark sent."""
    lc.aanvragen(engine, periode, "anna", now)
    lc.berekenen(engine, periode, "anna", now, PARAMS, SETTINGS)
    lc.goedkeuren(engine, periode, "bert", now + dt.timedelta(hours=1), now.date() + dt.timedelta(days=5))
    if out is not None:
        maak_bestanden(engine, periode, None, "carla", now + dt.timedelta(hours=2), SETTINGS, out, specificaties=False)
        if sent:
            lc.verzonden(engine, periode, "bert", now + dt.timedelta(hours=3))


@pytest.fixture
def bestanden(tmp_path):
    return tmp_path / "betaalbestanden"
