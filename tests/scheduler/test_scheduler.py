"""The scheduler with a controlled clock: fires once, catches up once after being down,
handles DST, retries a failing taak without duplicating, one scheduler per database."""
from __future__ import annotations

import datetime as dt

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.db.models_betaalrun import AuditLog, Betaalrun
from lks.scheduler import (HERHALING, TIJDZONE, SchedulerBezet, SchedulerFout, Vergrendeling, laad_cycli,
                           vuurmomenten)
from lks.settings import EXAMPLE_TOML, InstellingenFout, parse_settings

from .conftest import local

BETAALRUN = {"betaalrun-maandelijks"}


def runs(engine):
    with Session(engine) as s:
        return s.execute(select(Betaalrun.periode, Betaalrun.volgnummer, Betaalrun.status)
                         .order_by(Betaalrun.periode, Betaalrun.volgnummer)).all()


def acties(engine):
    """The betaalrun steps in the audit log (users and deliveries have records of their own)."""
    with Session(engine) as s:
        return s.scalars(select(AuditLog.actie).where(AuditLog.betaalrun_id.is_not(None)).order_by(AuditLog.id)).all()


def test_cycle_definitions_follow_the_settings(settings):
    cycli = {c.id: c for c in laad_cycli(settings)}
    assert set(cycli) == {"betaalrun-maandelijks", "beschikkingen-wml", "signalen-dagelijks",
                          "vaststelling-jaarlijks"}
    assert cycli["betaalrun-maandelijks"].taak == "betaalrun"
    wml = vuurmomenten(cycli["beschikkingen-wml"], local(2025, 1, 1), local(2026, 12, 31))
    assert [m.date() for m in wml] == [dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2026, 1, 1),
                                       dt.date(2026, 7, 1)]
    jaarlijks = parse_settings(EXAMPLE_TOML.replace('indexatie = "halfjaarlijks"', 'indexatie = "jaarlijks"'))
    wml = vuurmomenten({c.id: c for c in laad_cycli(jaarlijks)}["beschikkingen-wml"],
                       local(2025, 1, 1), local(2026, 12, 31))
    assert [m.date() for m in wml] == [dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    vaststelling = vuurmomenten(cycli["vaststelling-jaarlijks"], local(2025, 1, 1), local(2026, 12, 31))
    assert [m.date() for m in vaststelling] == [dt.date(2025, 1, 15), dt.date(2026, 1, 15)]
    with pytest.raises(InstellingenFout, match="zomertijdwissel"):
        parse_settings(EXAMPLE_TOML.replace('betaalrun_tijd = "07:00"', 'betaalrun_tijd = "02:30"'))


def test_an_unknown_taak_in_the_definitions_is_refused(settings, tmp_path):
    bad = tmp_path / "cycli.yaml"
    bad.write_text("tijdzone: Europe/Amsterdam\ncycli:\n  - {id: x, taak: goedkeuren, omschrijving: x, "
                   "cron: {hour: 7}}\n", encoding="utf-8")
    with pytest.raises(SchedulerFout, match="onbekende taak 'goedkeuren'"):
        laad_cycli(settings, bad)


def test_monthly_run_fires_once(engine, klok, start):
    klok.zet(2025, 3, 10, 12, 0)
    scheduler, events = start(engine, BETAALRUN)
    klok.zet(2025, 3, 18, 6, 59)
    scheduler.tik()
    assert runs(engine) == []
    klok.zet(2025, 3, 18, 7, 0)
    scheduler.tik()
    klok.zet(2025, 3, 18, 7, 1)
    scheduler.tik()
    klok.zet(2025, 4, 1, 7, 0)
    scheduler.tik()
    assert runs(engine) == [("2025-03", 1, "berekend")]
    assert acties(engine) == ["aanvragen", "berekenen"]
    assert [(code, job) for code, job, _ in events] == [(EVENT_JOB_EXECUTED, "betaalrun-maandelijks")]
    assert scheduler.get_job("betaalrun-maandelijks").next_run_time == local(2025, 4, 18, 7, 0)


def test_scheduler_down_over_month_end_catches_up_once(engine, klok, start):
    klok.zet(2025, 3, 10, 12, 0)
    first, _ = start(engine, BETAALRUN)
    klok.zet(2025, 3, 18, 7, 0)
    first.tik()
    klok.zet(2025, 3, 20, 17, 0)
    first.shutdown()                     # down from 20 March …
    klok.zet(2025, 5, 2, 9, 0)           # … until 2 May: the 18 April cycle was missed
    second, events = start(engine, BETAALRUN)
    second.tik()
    second.tik()
    klok.zet(2025, 5, 2, 9, 30)
    second.tik()
    assert runs(engine) == [("2025-03", 1, "berekend"), ("2025-04", 1, "berekend")]
    assert [(job, when) for _, job, when in events] == [("betaalrun-maandelijks", local(2025, 4, 18, 7, 0))]
    assert second.get_job("betaalrun-maandelijks").next_run_time == local(2025, 5, 18, 7, 0)
    # a restart while nothing was missed adds nothing
    second.shutdown()
    third, events = start(engine, BETAALRUN)
    third.tik()
    assert events == [] and len(runs(engine)) == 2


def test_dst_transitions_fire_once_per_day(engine, klok, start, settings):
    vroeg = settings.model_copy(update={"scheduler": settings.scheduler.model_copy(
        update={"signalen_tijd": "03:00"})})
    cyclus = {c.id: c for c in laad_cycli(vroeg)}["signalen-dagelijks"]
    for begin, eind in ((local(2025, 3, 29), local(2025, 4, 1)), (local(2025, 10, 25), local(2025, 10, 28))):
        momenten = vuurmomenten(cyclus, begin, eind)
        assert [m.date() for m in momenten] == [(begin + dt.timedelta(days=i)).date() for i in range(3)]
        assert all((m.hour, m.minute) == (3, 0) for m in momenten)
        assert len({m.utcoffset() for m in momenten}) == 2  # the offset changes in between
    # the running scheduler: a tick every 10 minutes (in UTC, so no local hour is skipped or doubled)
    for begin in (dt.datetime(2025, 3, 28, 23, 0, tzinfo=dt.timezone.utc),
                  dt.datetime(2025, 10, 24, 22, 0, tzinfo=dt.timezone.utc)):
        klok.nu = begin
        scheduler, events = start(engine, {"signalen-dagelijks"}, settings_=vroeg)
        for _ in range(3 * 24 * 6):
            klok.nu += dt.timedelta(minutes=10)
            scheduler.tik()
        scheduler.shutdown()
        # (the October start first catches up the cycle missed since the March window, once)
        fired = [when.astimezone(TIJDZONE) for code, _, when in events if code == EVENT_JOB_EXECUTED
                 and when > begin]
        assert len(fired) == 3 and len({f.date() for f in fired}) == 3
        assert all((f.hour, f.minute) == (3, 0) for f in fired)


def test_failing_job_is_retried_next_tick_without_duplicating(engine, klok, start, monkeypatch):
    real = lc.berekenen
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database even weg")
        return real(*args, **kwargs)

    monkeypatch.setattr(lc, "berekenen", flaky)
    klok.zet(2025, 3, 10, 12, 0)
    scheduler, events = start(engine, BETAALRUN)
    klok.zet(2025, 3, 18, 7, 0)
    scheduler.tik()
    assert runs(engine) == [("2025-03", 1, "aangevraagd")]
    assert [code for code, _, _ in events] == [EVENT_JOB_ERROR]
    retry = [j for j in scheduler.get_jobs() if HERHALING in j.id]
    assert len(retry) == 1 and retry[0].next_run_time == local(2025, 3, 18, 7, 30)
    klok.zet(2025, 3, 18, 7, 20)
    scheduler.tik()
    assert len(events) == 1
    klok.zet(2025, 3, 18, 7, 30)
    scheduler.tik()
    klok.zet(2025, 3, 18, 8, 30)
    scheduler.tik()
    assert runs(engine) == [("2025-03", 1, "berekend")]
    assert acties(engine) == ["aanvragen", "berekenen"]
    assert [code for code, _, _ in events] == [EVENT_JOB_ERROR, EVENT_JOB_EXECUTED]
    assert events[1][2] == local(2025, 3, 18, 7, 30)
    assert [j.id for j in scheduler.get_jobs()] == ["betaalrun-maandelijks"]
    # the cycle firing again for a run that is already calculated changes nothing
    from lks.scheduler import voer_uit
    assert voer_uit("betaalrun", gepland=local(2025, 3, 18, 7, 0))["al_gedaan"] is True
    assert acties(engine) == ["aanvragen", "berekenen"]


def test_one_scheduler_per_database(engine, settings):
    first = Vergrendeling(engine, settings)
    second = Vergrendeling(engine, settings)
    first.verkrijg()
    try:
        with pytest.raises(SchedulerBezet, match="er draait al een scheduler op deze database"):
            second.verkrijg()
        assert first.hartslag()
    finally:
        first.geef_vrij()
    second.verkrijg()
    second.geef_vrij()


@pytest.mark.parametrize("backend", ["sqlite"])  # the heartbeat row is the lock only on SQLite
def test_a_stale_sqlite_lock_is_taken_over(engine, settings):
    t = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    dead = Vergrendeling(engine, settings, klok=lambda: t)
    dead.verkrijg()
    soon = Vergrendeling(engine, settings, klok=lambda: t + dt.timedelta(minutes=4))
    with pytest.raises(SchedulerBezet):
        soon.verkrijg()
    later = Vergrendeling(engine, settings, klok=lambda: t + dt.timedelta(minutes=6))
    later.verkrijg()
    assert not dead.hartslag()  # the old holder learns it lost the lock and stops
    later.geef_vrij()
