"""Two real scheduler processes on one database: the second refuses, clearly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_signalen import SchedulerLock


def test_a_second_scheduler_process_refuses(sqlite_engine, tmp_path):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if k not in ("LKS_SETTINGS", "LKS_DATABASE_URL")}
    command = [str(Path(sys.executable).parent / "lks"), "--db", url, "scheduler", "--out", str(tmp_path / "out")]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 30
        holder = None
        while holder is None and time.monotonic() < deadline and first.poll() is None:
            with Session(sqlite_engine) as s:
                holder = s.scalar(select(SchedulerLock.holder))
            time.sleep(0.2)
        assert holder is not None and holder.split(":")[1] == str(first.pid), first.stderr.read() if first.poll() else ""
        second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "er draait al een scheduler op deze database" in second.stderr
        assert f"proces {first.pid}" in second.stderr
        assert first.poll() is None  # the first keeps running
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
    with Session(sqlite_engine) as s:
        assert s.scalar(select(SchedulerLock.holder)) is None  # released on a clean stop
