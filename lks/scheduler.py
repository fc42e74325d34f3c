"""The batch cycles: one APScheduler 3 process (``lks scheduler``) and its replay with a
controlled clock (``lks scheduler --tot DATUM``).

The cycles are data (``batches/cycli.yaml``): an explicit id, a taak and a cron trigger in
Europe/Amsterdam, with day and times from the ``[scheduler]`` section of gemeente.toml. A
taak never does the work itself; it calls the same idempotent functions as the command line
(``lifecycle.aanvragen``/``berekenen``, ``maak_beschikkingen``, ``maak_signalen``), so the
database's unique natural keys and conditional transitions make every effect happen once,
whatever the scheduler does twice.

Exactly once, restart-safe:
- jobs live in the project's database (SQLAlchemyJobStore, table ``apscheduler_jobs``), are
  added with explicit ids and ``replace_existing``, ``coalesce``, ``max_instances=1`` and a
  misfire grace of ``inhaaltermijn_dagen``; a stored next run time that has already passed is
  kept when the jobs are re-added at start-up (APScheduler would otherwise move it to the next
  future fire time and silently drop the missed cycle), so a scheduler that was down catches
  up once;
- the taak gets its *scheduled* time (``gepland``): a catch-up after the month end still
  requests the month it was planned for;
- a failing taak is logged and retried after ``herhaal_minuten`` (at most ``herhaal_pogingen``
  times, then the next regular cycle tries again); the retry calls the same idempotent function;
- one scheduler per database: a PostgreSQL advisory lock held on a dedicated connection for
  the process lifetime, on SQLite a lock row with a heartbeat (stale after
  ``vergrendeling_minuten``). A second process refuses with a clear message.

Jobs run one after another in the scheduler's own thread (``CyclusExecutor``): batch work
never overlaps, and the executor hands the job its scheduled time.

The replay (``replay``) computes the fire times of every cycle between two dates with the
same triggers and calls the same taken in time order with the clock set to each fire time,
without sleeping; optionally a second user approves every calculated run (simulation of the
human four-eyes step, labelled as such).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.base import BaseExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, column, delete, inspect, select, table, text, update

from lks.identifiers import BsnMaskingFilter, mask_bsns_in_text
from lks.paths import BATCHES_DIR
from lks.settings import Settings

log = logging.getLogger("lks.scheduler")
log.addFilter(BsnMaskingFilter())  # failures may quote a row: no full BSN in any log

TIJDZONE = ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc
CYCLI_BESTAND = BATCHES_DIR / "cycli.yaml"
JOBS_TABEL = "apscheduler_jobs"
HERHALING = "~herhaling~"
LOCK_NAAM = "scheduler"


def pg_lock_key(engine: Engine) -> int:
    """The advisory lock key: one per gemeente schema (``make_engine(url, gemeente)`` sets
    ``lks_schema``), so schedulers of two gemeenten in one PostgreSQL database do not block
    each other."""
    schema = getattr(engine, "lks_schema", None) or "public"
    return int.from_bytes(hashlib.sha256(f"lks.scheduler:{schema}".encode()).digest()[:8], "big", signed=True)
CRON_VELDEN = {"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"}
SIMULATIE_GOEDKEURING = "goedkeuring (simulatie)"


class SchedulerFout(RuntimeError):
    """The scheduler cannot start or a cycle definition is wrong (message in Dutch)."""


class SchedulerBezet(SchedulerFout):
    """Another scheduler process holds the lock on this database."""


def systeemklok() -> dt.datetime:
    return dt.datetime.now(UTC)


# --------------------------------------------------------------------------- cycle definitions

@dataclass(frozen=True)
class Cyclus:
    id: str
    taak: str
    omschrijving: str
    cron: dict

    def trigger(self) -> CronTrigger:
        return CronTrigger(timezone=TIJDZONE, **self.cron)


def _placeholders(settings: Settings) -> dict[str, str]:
    s = settings.scheduler
    bu, bm = s.betaalrun_tijd.split(":")
    su, sm = s.signalen_tijd.split(":")
    return {"betaalrun_dag": str(s.betaalrun_dag), "betaalrun_uur": str(int(bu)),
            "betaalrun_minuut": str(int(bm)), "signalen_uur": str(int(su)),
            "signalen_minuut": str(int(sm)),
            "wml_maanden": "1" if settings.beleid.indexatie == "jaarlijks" else "1,7"}


def laad_cycli(settings: Settings, path: Path = CYCLI_BESTAND) -> list[Cyclus]:
    """The cycle definitions with the gemeente's values filled in; refuses what it does not
    understand (unknown keys, taken or cron fields, a fixed time in the 02:00-03:00 hour)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchedulerFout(f"{path}: kan de cyclusdefinities niet lezen ({exc})") from None
    if not isinstance(data, dict) or set(data) != {"tijdzone", "cycli"}:
        raise SchedulerFout(f"{path}: verwacht precies de sleutels 'tijdzone' en 'cycli'")
    if data["tijdzone"] != str(TIJDZONE):
        raise SchedulerFout(f"{path}: tijdzone moet {TIJDZONE} zijn, niet {data['tijdzone']!r}")
    values = _placeholders(settings)
    cycli, ids = [], set()
    for i, entry in enumerate(data["cycli"] or [], start=1):
        waar = f"{path}: cyclus {i}"
        if not isinstance(entry, dict) or set(entry) != {"id", "taak", "omschrijving", "cron"}:
            raise SchedulerFout(f"{waar}: verwacht de sleutels id, taak, omschrijving en cron")
        if entry["taak"] not in TAKEN:
            raise SchedulerFout(f"{waar}: onbekende taak {entry['taak']!r} (bekend: {', '.join(TAKEN)})")
        if entry["id"] in ids or HERHALING in str(entry["id"]):
            raise SchedulerFout(f"{waar}: id {entry['id']!r} is dubbel of ongeldig")
        ids.add(entry["id"])
        onbekend = set(entry["cron"]) - CRON_VELDEN
        if onbekend:
            raise SchedulerFout(f"{waar}: onbekende cron-velden {', '.join(sorted(onbekend))}")
        try:
            cron = {k: str(v).format(**values) for k, v in entry["cron"].items()}
        except KeyError as exc:
            raise SchedulerFout(f"{waar}: onbekende instelling {exc} in de cron-velden") from None
        if cron.get("hour") == "2":
            raise SchedulerFout(f"{waar}: {entry['id']} valt in het uur van de zomertijdwissel (02:00-03:00)")
        cyclus = Cyclus(str(entry["id"]), entry["taak"], " ".join(str(entry["omschrijving"]).split()), cron)
        try:
            cyclus.trigger()
        except ValueError as exc:
            raise SchedulerFout(f"{waar}: ongeldige cron-trigger ({exc})") from None
        cycli.append(cyclus)
    return cycli


# --------------------------------------------------------------------------- the taken

@dataclass
class Omgeving:
    """What the taken need, set once per scheduler process (or replay). Nothing of this is
    stored in the job store: a database password never ends up in a pickled job."""
    engine: Engine
    params: object
    settings: Settings
    out: Path
    wie: object = None
    """The scheduler's own identity (``lks.app.gebruikers.systeem_identiteit``): it may
    request and calculate, never approve. None: looked up when a taak first needs it."""
    klok: Callable[[], dt.datetime] = systeemklok
    pdf: bool = True
    workers: int = 2

    def identiteit(self):
        if self.wie is None:
            from lks.app.gebruikers import systeem_identiteit
            self.wie = systeem_identiteit(self.engine)
        return self.wie

    def app(self):
        """The application layer's view of this environment."""
        from lks.app.omgeving import Omgeving as AppOmgeving
        return AppOmgeving(engine=self.engine, settings=self.settings, uitvoer=self.out, _params=self.params)


_omgeving: Omgeving | None = None


def zet_omgeving(omgeving: Omgeving | None) -> None:
    global _omgeving
    _omgeving = omgeving


def omgeving() -> Omgeving:
    if _omgeving is None:
        raise SchedulerFout("de scheduler is niet gestart: geen database en instellingen voor de taken")
    return _omgeving


def _lokaal(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TIJDZONE)


def taak_betaalrun(o: Omgeving, gepland: dt.datetime) -> dict:
    """Request the run of the planned month and calculate it if that has not happened yet
    (a run someone already calculated or approved is left alone)."""
    from lks.app import betaalruns

    periode = f"{_lokaal(gepland):%Y-%m}"
    eerste = o.settings.betaalrun.eerste_periode
    if eerste and periode < eerste:
        return {"periode": periode, "status": "overgeslagen (vóór eerste_periode)"}
    now = o.klok()
    run, _created = betaalruns.aanvragen(o.app(), o.identiteit(), periode, now)
    if run.status != "aangevraagd":
        return {"periode": periode, "volgnummer": run.volgnummer, "status": run.status, "al_gedaan": True}
    info = betaalruns.berekenen(o.app(), o.identiteit(), periode, now, run.volgnummer)
    return {"periode": periode, "volgnummer": run.volgnummer, "status": "berekend",
            **{k: v for k, v in info.items() if k != "run"}}


def _beschikkingen(o: Omgeving, gepland: dt.datetime) -> dict:
    from lks.app import beschikkingen  # lazy: the module is optional at import time

    datum = _lokaal(gepland).date()
    result = beschikkingen.maak(o.app(), o.identiteit(), datum, o.klok(), o.out,
                                pdf=o.pdf, workers=o.workers)  # writes into out/beschikkingen/
    samenvatting = {"datum": datum.isoformat(), "resultaat": _samenvatting(result)}
    if result.hersteld:  # files of letters recorded by a batch that died before writing them
        samenvatting["hersteld"] = list(result.hersteld)
    return samenvatting


def taak_beschikkingen(o: Omgeving, gepland: dt.datetime) -> dict:
    """WML change date: the wijzigingsbeschikkingen that are due (idempotent)."""
    return _beschikkingen(o, gepland)


def taak_vaststelling(o: Omgeving, gepland: dt.datetime) -> dict:
    """After year end: the vaststellingsbeschikkingen that are due (idempotent)."""
    return _beschikkingen(o, gepland)


def taak_signalen(o: Omgeving, gepland: dt.datetime) -> dict:
    from lks.app import werklijst

    vandaag = _lokaal(gepland).date()
    nieuw = werklijst.maak(o.app(), o.identiteit(), vandaag, o.klok())
    return {"datum": vandaag.isoformat(), "nieuw": len(nieuw)}


def _samenvatting(result) -> object:
    """Letters made per soort (only the soorten with letters)."""
    per_soort = getattr(result, "per_soort", None)
    if callable(per_soort):
        return {soort: n for soort, n in per_soort().items() if n}
    return result


TAKEN: dict[str, Callable[[Omgeving, dt.datetime], dict]] = {
    "betaalrun": taak_betaalrun,
    "beschikkingen": taak_beschikkingen,
    "signalen": taak_signalen,
    "vaststelling": taak_vaststelling,
}


def voer_uit(taak: str, gepland: dt.datetime | None = None, poging: int = 0) -> dict:
    """The function every stored job refers to (``lks.scheduler:voer_uit``, args ``(taak,)``):
    a stable reference, whatever the taken are called inside. ``gepland`` is the scheduled
    time (``CyclusExecutor`` passes it); without it, now."""
    gepland = gepland or omgeving().klok()
    if poging:
        log.info("taak %s (gepland %s): herhaling %d", taak, _lokaal(gepland).isoformat(), poging)
    return TAKEN[taak](omgeving(), gepland)


# --------------------------------------------------------------------------- executor

class CyclusExecutor(BaseExecutor):
    """Runs a due job in the scheduler's thread, one at a time, and passes it its scheduled
    time (``gepland``). Misfires are judged on the Omgeving's clock. A failure is logged and a
    retry is planned as a one-off job with the same scheduled time."""

    def _do_submit_job(self, job, run_times):
        o = omgeving()
        events = []
        for run_time in run_times:
            late = o.klok() - run_time
            if job.misfire_grace_time is not None and late > dt.timedelta(seconds=job.misfire_grace_time):
                log.warning("cyclus %s (gepland %s) is gemist en valt buiten de inhaaltermijn", job.id,
                            _lokaal(run_time).isoformat())
                events.append(JobExecutionEvent(EVENT_JOB_MISSED, job.id, job._jobstore_alias, run_time))
                continue
            kwargs = {"gepland": run_time, **job.kwargs}  # a retry carries its original time
            log.info("cyclus %s start (gepland %s)", job.id, _lokaal(kwargs["gepland"]).isoformat())
            try:
                retval = job.func(*job.args, **kwargs)
            except Exception as exc:  # logged, retried; the scheduler keeps running
                log.exception("cyclus %s mislukt: %s", job.id, exc)
                events.append(JobExecutionEvent(EVENT_JOB_ERROR, job.id, job._jobstore_alias, run_time,
                                                exception=exc, traceback=None))
                self._herhaal(job, kwargs, o)
            else:
                log.info("cyclus %s klaar: %s", job.id, retval)
                events.append(JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_time,
                                                retval=retval))
        self._run_job_success(job.id, events)

    def _herhaal(self, job, kwargs: dict, o: Omgeving) -> None:
        poging = int(kwargs.get("poging", 0)) + 1
        if poging > o.settings.scheduler.herhaal_pogingen:
            log.error("cyclus %s: na %d herhalingen opgegeven; de volgende cyclus probeert het opnieuw",
                      job.id, poging - 1)
            return
        basis = job.id.split(HERHALING)[0]
        gepland = kwargs["gepland"]
        moment = o.klok() + dt.timedelta(minutes=o.settings.scheduler.herhaal_minuten)
        self._scheduler.add_job(
            job.func, "date", run_date=moment, args=job.args, kwargs={**kwargs, "poging": poging},
            id=f"{basis}{HERHALING}{gepland.astimezone(UTC):%Y%m%dT%H%M}~{poging}",
            name=f"herhaling {poging} van {basis}", replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=_grace_seconds(o.settings))
        log.info("cyclus %s: herhaling %d gepland om %s", basis, poging, _lokaal(moment).isoformat())


def _grace_seconds(settings: Settings) -> int:
    return settings.scheduler.inhaaltermijn_dagen * 24 * 3600


# --------------------------------------------------------------------------- building the scheduler

def _stored_next_run_times(engine: Engine) -> dict[str, dt.datetime | None]:
    if not inspect(engine).has_table(JOBS_TABEL):
        return {}
    jobs = table(JOBS_TABEL, column("id"), column("next_run_time"))
    with engine.connect() as connection:
        rows = connection.execute(select(jobs.c.id, jobs.c.next_run_time)).all()
    return {job_id: (dt.datetime.fromtimestamp(ts, UTC) if ts is not None else None) for job_id, ts in rows}


def maak_scheduler(o: Omgeving, scheduler_cls: type[BaseScheduler] = BlockingScheduler,
                   cycli: list[Cyclus] | None = None) -> BaseScheduler:
    """A configured scheduler (not started) with every cycle planned in the database's job
    store. A stored next run time that has passed is kept, so the missed cycle runs once at
    start; cycles no longer defined are removed, pending retries kept."""
    zet_omgeving(o)
    cycli = laad_cycli(o.settings) if cycli is None else cycli
    grace = _grace_seconds(o.settings)
    scheduler = scheduler_cls(
        timezone=TIJDZONE,
        jobstores={"default": SQLAlchemyJobStore(engine=o.engine, tablename=JOBS_TABEL)},
        executors={"default": CyclusExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace})
    stored = _stored_next_run_times(o.engine)
    now = o.klok()
    ids = {c.id for c in cycli}
    weg = [job_id for job_id in stored if job_id not in ids and HERHALING not in job_id]
    if weg:
        jobs = table(JOBS_TABEL, column("id"))
        with o.engine.begin() as connection:
            connection.execute(delete(jobs).where(jobs.c.id.in_(weg)))
        log.info("vervallen cycli verwijderd: %s", ", ".join(weg))
    for cyclus in cycli:
        options = dict(trigger=cyclus.trigger(), args=(cyclus.taak,), id=cyclus.id, name=cyclus.omschrijving,
                       replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=grace)
        vorige = stored.get(cyclus.id)
        if vorige is not None and vorige <= now:
            options["next_run_time"] = vorige  # missed while down: catch up once
            log.info("cyclus %s: gemist moment %s wordt ingehaald", cyclus.id, _lokaal(vorige).isoformat())
        scheduler.add_job(voer_uit, **options)
    return scheduler


# --------------------------------------------------------------------------- one scheduler per database

class Vergrendeling:
    """At most one scheduler per database. PostgreSQL: ``pg_try_advisory_lock`` on a dedicated
    connection held for the process lifetime (the server releases it when the process dies);
    the ``scheduler_lock`` row only says who holds it. SQLite: the row itself is the lock,
    taken in a write transaction; a heartbeat older than ``vergrendeling_minuten`` counts as
    a stopped scheduler and may be taken over."""

    def __init__(self, engine: Engine, settings: Settings, klok: Callable[[], dt.datetime] = systeemklok,
                 holder: str | None = None):
        self.engine = engine
        self.klok = klok
        self.verloopt = dt.timedelta(minutes=settings.scheduler.vergrendeling_minuten)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pg_connection = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _row(self, connection):
        from lks.db.models_signalen import SchedulerLock
        return connection.execute(select(SchedulerLock.holder, SchedulerLock.acquired_at, SchedulerLock.heartbeat)
                                  .where(SchedulerLock.name == LOCK_NAAM)).first()

    def _bezet(self, row) -> SchedulerBezet:
        if row is None:
            return SchedulerBezet("er draait al een scheduler op deze database; een tweede scheduler start niet")
        host, pid = (row.holder.split(":") + ["?", "?"])[:2]
        return SchedulerBezet(
            f"er draait al een scheduler op deze database (computer {host}, proces {pid}, gestart "
            f"{_lokaal(row.acquired_at):%Y-%m-%d %H:%M}, laatste teken van leven "
            f"{_lokaal(row.heartbeat):%Y-%m-%d %H:%M}); een tweede scheduler start niet")

    def verkrijg(self) -> None:
        """Take the lock or raise ``SchedulerBezet``."""
        from lks.db.engine import begin_write
        from lks.db.models_signalen import SchedulerLock

        now = self.klok()
        if self.postgresql:
            connection = self.engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": pg_lock_key(self.engine)}).scalar()
            connection.commit()  # a session-level advisory lock survives the commit
            if not got:
                row = self._row(connection)
                connection.close()
                raise self._bezet(row)
            self._pg_connection = connection
            with self.engine.begin() as c:
                c.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAAM))
                c.execute(SchedulerLock.__table__.insert().values(
                    name=LOCK_NAAM, holder=self.holder, acquired_at=now, heartbeat=now))
            return
        with begin_write(self.engine) as c:  # BEGIN IMMEDIATE: one writer decides at a time
            row = self._row(c)
            if row is not None and row.holder != self.holder and now - row.heartbeat <= self.verloopt:
                raise self._bezet(row)
            if row is not None and row.holder != self.holder:
                log.warning("vergrendeling van %s overgenomen: geen teken van leven sinds %s", row.holder,
                            _lokaal(row.heartbeat).isoformat())
            c.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAAM))
            c.execute(SchedulerLock.__table__.insert().values(
                name=LOCK_NAAM, holder=self.holder, acquired_at=now, heartbeat=now))

    def hartslag(self) -> bool:
        """Renew the heartbeat; False when another process has taken the lock over."""
        from lks.db.models_signalen import SchedulerLock

        with self.engine.begin() as c:
            result = c.execute(update(SchedulerLock)
                               .where(SchedulerLock.name == LOCK_NAAM, SchedulerLock.holder == self.holder)
                               .values(heartbeat=self.klok()))
        return result.rowcount == 1 or self.postgresql

    def start_hartslag(self, bij_verlies: Callable[[], None], interval_s: float | None = None) -> None:
        interval = interval_s or max(5.0, min(60.0, self.verloopt.total_seconds() / 3))

        def loop():
            while not self._stop.wait(interval):
                try:
                    if not self.hartslag():
                        log.error("vergrendeling kwijt: een andere scheduler heeft hem overgenomen; deze stopt")
                        bij_verlies()
                        return
                except Exception:  # a database hiccup: try again next beat
                    log.exception("hartslag van de scheduler mislukt")

        self._thread = threading.Thread(target=loop, name="lks-scheduler-hartslag", daemon=True)
        self._thread.start()

    def geef_vrij(self) -> None:
        from lks.db.models_signalen import SchedulerLock

        self._stop.set()
        try:
            with self.engine.begin() as c:
                c.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAAM,
                                                      SchedulerLock.holder == self.holder))
        finally:
            if self._pg_connection is not None:
                try:
                    self._pg_connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                                {"key": pg_lock_key(self.engine)})
                    self._pg_connection.commit()
                finally:
                    self._pg_connection.close()
                    self._pg_connection = None

    def __enter__(self):
        self.verkrijg()
        return self

    def __exit__(self, *exc):
        self.geef_vrij()


def draai(o: Omgeving, bij_start: Callable[[BaseScheduler], None] | None = None) -> None:
    """``lks scheduler``: take the lock, plan the cycles, block until stopped (SIGINT/SIGTERM)."""
    import signal

    from apscheduler.events import EVENT_SCHEDULER_STARTED
    from apscheduler.schedulers import SchedulerNotRunningError

    with Vergrendeling(o.engine, o.settings) as lock:
        scheduler = maak_scheduler(o, BlockingScheduler)
        gevraagd = threading.Event()

        def stop(*_args):
            # Also the SIGINT/SIGTERM handler: it runs in the main thread wherever that is,
            # on PostgreSQL even inside a database call (psycopg runs signal handlers while it
            # waits for the server), so it must never raise. A stop before the scheduler runs
            # (while start() plans the jobs) is carried out as soon as it runs; a stop after
            # the shutdown (a second Ctrl-C) does nothing.
            if not gevraagd.is_set():
                gevraagd.set()
                log.info("scheduler stopt")
            if scheduler.running:
                try:
                    scheduler.shutdown(wait=False)
                except SchedulerNotRunningError:  # stopped in between (heartbeat thread and signal)
                    pass

        scheduler.add_listener(lambda _event: gevraagd.is_set() and stop(), EVENT_SCHEDULER_STARTED)
        lock.start_hartslag(bij_verlies=stop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop)
        if bij_start:
            bij_start(scheduler)
        scheduler.start()  # blocks until shutdown


def volgende_momenten(o: Omgeving) -> list[tuple[Cyclus, dt.datetime]]:
    """The next fire time of every cycle from now (for the start-up message)."""
    now = o.klok()
    return [(c, c.trigger().get_next_fire_time(None, now)) for c in laad_cycli(o.settings)]


# --------------------------------------------------------------------------- replay

@dataclass
class Gebeurtenis:
    moment: dt.datetime
    cyclus: str
    taak: str
    soort: str = "cyclus"  # cyclus, herhaling, goedkeuring (simulatie)
    resultaat: dict | None = None
    fout: str | None = None


@dataclass
class _SimKlok:
    nu: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.nu


@dataclass(order=True)
class _Item:
    moment: dt.datetime
    volgorde: int
    seq: int
    soort: str = field(compare=False)
    cyclus: Cyclus = field(compare=False)
    gepland: dt.datetime = field(compare=False)
    poging: int = field(default=0, compare=False)
    data: dict = field(default_factory=dict, compare=False)


def vuurmomenten(cyclus: Cyclus, vanaf: dt.datetime, tot: dt.datetime) -> list[dt.datetime]:
    """Every fire time of the cycle in [vanaf, tot], from the same trigger the scheduler uses."""
    trigger = cyclus.trigger()
    out = []
    moment = trigger.get_next_fire_time(None, vanaf)
    while moment is not None and moment <= tot:
        out.append(moment)
        moment = trigger.get_next_fire_time(moment, moment)
    return out


def replay(o: Omgeving, vanaf: dt.datetime, tot: dt.datetime, goedkeurder=None,
           voor: Callable[[Gebeurtenis], None] | None = None,
           na_goedkeuring: Callable[[object, dt.datetime], None] | None = None,
           taken: set[str] | None = None,
           goedkeuring_na: dt.timedelta = dt.timedelta(hours=4),
           goedkeuren_tot: str | None = None) -> list[Gebeurtenis]:
    """Replay the cycles between ``vanaf`` and ``tot`` with a controlled clock: each taak is
    called with the clock at its fire time, in time order, exactly as the scheduler would
    have. Failures are recorded and retried like the scheduler does. With ``goedkeurder``
    (an authenticated :class:`~lks.app.identiteit.Identiteit` with the goedkeurder role),
    that user approves every run the replay calculated, ``goedkeuring_na`` later, through the
    application layer (the four-eyes step of a person; the scheduler never approves). ``voor(stap)`` runs before every step with the
    step about to happen (moment, cyclus, taak, soort; the demo imports the facts known by
    then), ``na_goedkeuring(run, moment)`` after every approval. ``goedkeuren_tot``: the
    goedkeurder approves runs of periodes up to and including this one; later runs stay
    'berekend' for a person to approve (the demo leaves its last month to the browser)."""
    from lks.app import betaalruns
    from lks.app.identiteit import Geweigerd
    from lks.betaalrun import lifecycle as lc

    cycli = [c for c in laad_cycli(o.settings) if taken is None or c.taak in taken]
    klok = _SimKlok(vanaf)
    vorige = _omgeving
    zet_omgeving(Omgeving(o.engine, o.params, o.settings, o.out, o.identiteit(), klok, o.pdf, o.workers))
    heap: list[_Item] = []
    seq = 0
    for volgorde, cyclus in enumerate(cycli):
        for moment in vuurmomenten(cyclus, vanaf, tot):
            seq += 1
            heap.append(_Item(moment, volgorde, seq, "cyclus", cyclus, moment))
    heapq.heapify(heap)
    events: list[Gebeurtenis] = []
    try:
        while heap:
            item = heapq.heappop(heap)
            klok.nu = item.moment
            soort = item.soort if item.soort == SIMULATIE_GOEDKEURING else (
                "herhaling" if item.poging else "cyclus")
            if voor:
                voor(Gebeurtenis(item.moment, item.cyclus.id, item.cyclus.taak, soort))
            if item.soort == SIMULATIE_GOEDKEURING:
                periode, volgnummer = item.data["periode"], item.data["volgnummer"]
                try:
                    run = betaalruns.goedkeuren(o.app(), goedkeurder, periode, item.moment, volgnummer)
                except (lc.BetaalrunFout, Geweigerd) as exc:
                    events.append(Gebeurtenis(item.moment, item.cyclus.id, item.cyclus.taak, item.soort, fout=str(exc)))
                    continue
                events.append(Gebeurtenis(item.moment, item.cyclus.id, item.cyclus.taak, item.soort,
                                          {"periode": periode, "volgnummer": volgnummer,
                                           "goedgekeurd_door": run.goedgekeurd_door,
                                           "uitvoerdatum": run.uitvoerdatum.isoformat()}))
                if na_goedkeuring:
                    na_goedkeuring(run, item.moment)
                continue
            try:
                resultaat = voer_uit(item.cyclus.taak, gepland=item.gepland, poging=item.poging)
            except Exception as exc:
                log.warning("replay: cyclus %s (%s) mislukt: %s", item.cyclus.id, item.moment.isoformat(), exc)
                events.append(Gebeurtenis(item.moment, item.cyclus.id, item.cyclus.taak, soort,
                                          fout=mask_bsns_in_text(f"{type(exc).__name__}: {exc}")))
                if item.poging < o.settings.scheduler.herhaal_pogingen:
                    moment = item.moment + dt.timedelta(minutes=o.settings.scheduler.herhaal_minuten)
                    if moment <= tot:
                        seq += 1
                        heapq.heappush(heap, _Item(moment, item.volgorde, seq, "cyclus", item.cyclus,
                                                   item.gepland, item.poging + 1))
                continue
            events.append(Gebeurtenis(item.moment, item.cyclus.id, item.cyclus.taak, soort, resultaat))
            if (goedkeurder and item.cyclus.taak == "betaalrun" and resultaat.get("status") == "berekend"
                    and (goedkeuren_tot is None or resultaat["periode"] <= goedkeuren_tot)):
                moment = item.moment + goedkeuring_na
                if moment <= tot:
                    seq += 1
                    heapq.heappush(heap, _Item(moment, item.volgorde, seq, SIMULATIE_GOEDKEURING, item.cyclus,
                                               item.gepland, data={"periode": resultaat["periode"],
                                                                   "volgnummer": resultaat["volgnummer"]}))
    finally:
        zet_omgeving(vorige)
    return events
