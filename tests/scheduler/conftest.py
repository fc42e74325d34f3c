"""A controlled clock for the scheduler tests: the real APScheduler machinery (job store in
the project's database, triggers, coalescing, misfire handling, our executor) driven one
tick at a time, without sleeping."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import apscheduler.schedulers.base as aps_base
import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.schedulers.base import BaseScheduler

from lks.parameters import Parameters
from lks.scheduler import TIJDZONE, Omgeving, maak_scheduler, zet_omgeving
from lks.settings import load_settings

PARAMS = Parameters.load()


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TIJDZONE)


class Klok:
    """The one clock of a test: APScheduler's ``datetime.now`` and the taken's ``now``."""

    def __init__(self, nu: dt.datetime):
        self.nu = nu

    def __call__(self) -> dt.datetime:
        return self.nu

    def zet(self, *args) -> None:
        self.nu = local(*args)


class StapScheduler(BaseScheduler):
    """APScheduler's own scheduling logic without a loop or thread: ``tik()`` is one wake-up
    (``_process_jobs``) at the controlled clock."""

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def wakeup(self):
        pass

    def tik(self):
        return self._process_jobs()


@pytest.fixture
def klok(monkeypatch):
    k = Klok(local(2025, 3, 1, 9, 0))
    monkeypatch.setattr(aps_base, "datetime", SimpleNamespace(now=lambda tz=None: k.nu.astimezone(tz)))
    return k


@pytest.fixture
def settings(monkeypatch, tmp_path):
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)  # no gemeente.toml here: the demo gemeente's settings
    return load_settings()


@pytest.fixture
def start(klok, settings, tmp_path):
    """start(engine, cycli=None) -> a started StapScheduler on that database, plus the list of
    (event code, job id, scheduled time) it reported."""
    schedulers = []

    def _start(engine, cycli_ids=None, settings_=None):
        from lks.scheduler import laad_cycli

        s = settings_ or settings
        o = Omgeving(engine=engine, params=PARAMS, settings=s, out=tmp_path / "out", klok=klok, pdf=False)
        cycli = [c for c in laad_cycli(s) if cycli_ids is None or c.id in cycli_ids]
        scheduler = maak_scheduler(o, StapScheduler, cycli=cycli)
        events = []
        scheduler.add_listener(lambda e: events.append((e.code, e.job_id, e.scheduled_run_time)),
                               EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        scheduler.start()
        schedulers.append(scheduler)
        return scheduler, events

    yield _start
    for scheduler in schedulers:
        if scheduler.running:
            scheduler.shutdown()
    zet_omgeving(None)


from tests.betaalrun.conftest import engine, gemeente_dir  # noqa: E402,F401  (engine: both backends)

FIRST_IMPORT = dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc)  # the import date of that engine


def write_extra(directory):
    """The small gemeente plus P4: lks from 2025-01-01 without loonwaarde."""
    import csv

    gemeente_dir(directory)
    with open(directory / "plaatsingen.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(["P4", "N1", "W1", "lks", "2025-01-01", "", "20", "38"])
    return directory
