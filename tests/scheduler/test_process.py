"""Real scheduler processes on one database: the second refuses, clearly; a stop signal stops
the scheduler cleanly whenever it comes; on PostgreSQL the advisory lock dies with the
holder's connection, even when the holder is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.orm import Session

from lks.db.models_signalen import SchedulerLock
from lks.scheduler import (JOBS_TABEL, Omgeving, SchedulerBezet, Vergrendeling, draai, laad_cycli, pg_lock_key,
                           zet_omgeving)

from .conftest import PARAMS


def _command(engine, tmp_path):
    """``lks scheduler`` as a separate process, run by the service account that a beheerder
    linked to the scheduler's system user (here: the real account of this test process)."""
    from lks.app.gebruikers import als, koppel_account, systeemaccount
    koppel_account(engine, als(engine, "bea", "test"), "scheduler", systeemaccount(engine))
    url = engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if k not in ("LKS_SETTINGS", "LKS_DATABASE_URL", "LKS_GEMEENTE")}
    return [str(Path(sys.executable).parent / "lks"), "--db", url, "scheduler", "--out", str(tmp_path / "out")], env


def _holder(engine):
    with Session(engine) as s:
        return s.scalar(select(SchedulerLock.holder))


def _jobs(engine) -> int:
    if not inspect(engine).has_table(JOBS_TABEL):
        return 0
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(text(JOBS_TABEL))).scalar_one()


def _start_and_wait_for_lock(engine, settings, tmp_path) -> subprocess.Popen:
    """A ``lks scheduler`` process, once it holds the lock (its pid in the lock row) and has
    planned its cycles in the job store (so it is in or past ``scheduler.start()``, its signal
    handlers installed)."""
    if _jobs(engine):
        with engine.begin() as c:
            c.execute(text(f"DELETE FROM {JOBS_TABEL}"))  # planned anew, by this process
    cycli = len(laad_cycli(settings))
    command, env = _command(engine, tmp_path)
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    holder = None
    while time.monotonic() < deadline and process.poll() is None:
        holder = _holder(engine)
        if holder is not None and holder.split(":")[1] == str(process.pid) and _jobs(engine) == cycli:
            break
        time.sleep(0.1)
    assert holder is not None and holder.split(":")[1] == str(process.pid), \
        process.stderr.read() if process.poll() is not None else holder
    assert _jobs(engine) == cycli
    return process


def _refused_by_second_process(engine, tmp_path, holder_pid: int) -> None:
    command, env = _command(engine, tmp_path)
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert "er draait al een scheduler op deze database" in second.stderr
    assert f"proces {holder_pid}" in second.stderr


def test_a_second_scheduler_process_refuses(engine, settings, tmp_path):
    first = _start_and_wait_for_lock(engine, settings, tmp_path)
    try:
        _refused_by_second_process(engine, tmp_path, first.pid)
        assert first.poll() is None  # the first keeps running
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, first.stderr.read()  # a clean stop, no traceback
    assert _holder(engine) is None  # released on a clean stop


def test_a_stop_signal_while_the_scheduler_does_not_run_stops_it_cleanly(engine, settings, tmp_path):
    """SIGTERM/SIGINT run ``stop`` in the main thread wherever it is — on PostgreSQL even inside
    a database call — so ``stop`` must never raise: a stop during start-up (handlers installed,
    scheduler not yet running) stops the scheduler as soon as it runs; a second stop after the
    shutdown does nothing."""
    seen = []

    def tweede_stop(_event):
        try:
            signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)  # what a second SIGTERM calls
            seen.append("tweede stop genegeerd")
        except Exception as exc:  # (a listener's exception would be swallowed by APScheduler)
            seen.append(exc)

    def bij_start(scheduler):
        scheduler.add_listener(tweede_stop, EVENT_SCHEDULER_SHUTDOWN)
        assert not scheduler.running
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, before start()
        seen.append("gestopt voor de start")

    o = Omgeving(engine, PARAMS, settings, tmp_path / "out", pdf=False)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    vangnet_af = []
    vangnet = threading.Timer(60, lambda: vangnet_af.append(1) or os.kill(os.getpid(), signal.SIGINT))
    vangnet.start()
    try:
        draai(o, bij_start=bij_start)  # returns: the scheduler started, then stopped
    finally:
        vangnet.cancel()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        zet_omgeving(None)
    assert vangnet_af == []  # it stopped by itself, not hanging until the safety net
    assert seen == ["gestopt voor de start", "tweede stop genegeerd"]
    assert _jobs(engine) == len(laad_cycli(settings))  # it did start: the cycles are planned
    assert _holder(engine) is None  # released on the way out
    if engine.dialect.name == "postgresql":
        assert _advisory_locks(engine) == 0


def _advisory_locks(engine) -> int:
    """Granted session advisory locks on the scheduler's key in this database (any session)."""
    key = pg_lock_key(engine) & 0xFFFF_FFFF_FFFF_FFFF  # a bigint key: classid = high, objid = low 32 bits
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid::bigint = :classid AND objid::bigint = :objid"),
            {"classid": key >> 32, "objid": key & 0xFFFF_FFFF}).scalar_one()


@pytest.mark.parametrize("backend", ["postgresql"])  # on SQLite: test_a_stale_sqlite_lock_is_taken_over
def test_a_killed_postgresql_scheduler_frees_its_advisory_lock(engine, settings, tmp_path):
    first = _start_and_wait_for_lock(engine, settings, tmp_path)
    try:
        assert _advisory_locks(engine) == 1
        _refused_by_second_process(engine, tmp_path, first.pid)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)  # no clean-up: the lock row stays behind, fresh heartbeat and all
        first.wait(timeout=30)
    assert _holder(engine).split(":")[1] == str(first.pid)
    # the server ends the killed client's session, and with it the session's advisory lock
    deadline = time.monotonic() + 30
    while _advisory_locks(engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _advisory_locks(engine) == 0

    # free as soon as the server has ended that session (no waiting for vergrendeling_minuten,
    # though the row still names the dead process with a fresh heartbeat): a new process takes it
    third = _start_and_wait_for_lock(engine, settings, tmp_path)
    try:
        assert third.poll() is None and _advisory_locks(engine) == 1
        # the advisory lock decides, not the row: without the row a scheduler still refuses
        with engine.begin() as c:
            c.execute(delete(SchedulerLock))
        with pytest.raises(SchedulerBezet, match="er draait al een scheduler op deze database"):
            Vergrendeling(engine, settings).verkrijg()
        assert third.poll() is None
    finally:
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=30) == 0, third.stderr.read()
    assert _advisory_locks(engine) == 0 and _holder(engine) is None  # a clean stop unlocks at once
    lock = Vergrendeling(engine, settings)
    lock.verkrijg()
    try:
        assert _advisory_locks(engine) == 1 and _holder(engine) == lock.holder
    finally:
        lock.geef_vrij()
    assert _advisory_locks(engine) == 0 and _holder(engine) is None
