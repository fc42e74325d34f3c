"""2–4 real OS processes request, calculate and approve the same betaalrun at once, on SQLite
and on PostgreSQL: exactly one run, no duplicate payment line, nothing paid twice, and every
loser gets a Dutch message (BetaalrunFout), never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.db import make_engine
from lks.db.models_betaalrun import AuditLog, Betaalrun
from tests.reliability import trial

ROOT = Path(__file__).resolve().parents[2]
P = trial.PERIODE


def race(url: str, tmp: Path, plans: list[list[list[str]]]) -> list[list[dict]]:
    """Start one process per plan, release them at the same moment, return their outputs."""
    start = tmp / "start"
    processes = []
    for i, stappen in enumerate(plans):
        spec = {"url": url, "stappen": stappen, "klaar": str(tmp / f"klaar-{i}"), "start": str(start)}
        processes.append(subprocess.Popen([sys.executable, "-m", "tests.reliability.worker", json.dumps(spec)],
                                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 120
    while not all((tmp / f"klaar-{i}").exists() for i in range(len(plans))):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.01)
    start.touch()
    outputs = []
    for p in processes:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and "Traceback" not in err, err
        outputs.append([json.loads(line) for line in out.splitlines()])
    return outputs


def live_runs(url: str, periode: str = P) -> list[Betaalrun]:
    engine = make_engine(url)
    with Session(engine) as s:
        runs = s.scalars(select(Betaalrun).where(Betaalrun.periode == periode)).all()
    engine.dispose()
    return runs


def acties(url: str) -> list[str]:
    engine = make_engine(url)
    with Session(engine) as s:
        out = s.scalars(select(AuditLog.actie).join(Betaalrun).where(Betaalrun.periode == P)
                        .order_by(AuditLog.id)).all()
    engine.dispose()
    return out


def dutch_refusal(result: dict) -> bool:
    return "fout" in result and "betaalrun" in result["fout"] and "Error" not in result["fout"]


def test_four_processes_request_and_calculate_the_same_run(trial_db, tmp_path):
    copies, reference = trial_db
    url = copies.new()
    users = ["anna", "carla", "dirk", "erik"]
    outputs = race(url, tmp_path, [[["aanvragen", P, u], ["berekenen", P, u]] for u in users])
    assert all(r.get("ok") or dutch_refusal(r) for out in outputs for r in out), outputs
    assert len(live_runs(url)) == 1
    assert acties(url).count("aanvragen") == 1
    assert trial.snapshot(url).regels == reference.regels   # one complete set of lines, no duplicates
    assert trial.problems(url, tmp_path)["problemen"] == []


def test_four_processes_approve_the_same_run(trial_db, tmp_path):
    copies, reference = trial_db
    url = copies.new()
    trial.run_sequence(url, tmp_path, trial.SEQUENCE[:2])      # anna requested and calculated
    outputs = race(url, tmp_path, [[["goedkeuren", P, u]] for u in ["bert", "carla", "dirk", "anna"]])
    results = [out[0] for out in outputs]
    assert sum(1 for r in results if r.get("ok")) == 1, results
    assert results[3]["fout"].startswith("vier-ogenprincipe") or "is 'goedgekeurd'" in results[3]["fout"]
    assert all(r.get("ok") or dutch_refusal(r) for r in results), results
    assert acties(url).count("goedkeuren") == 1
    check = trial.problems(url, tmp_path, reference)
    assert (check["dubbel"], check["kwijt"], check["problemen"]) == (0, 0, [])


def test_three_processes_run_the_whole_cycle_at_once(trial_db, tmp_path):
    copies, reference = trial_db
    url = copies.new()
    users = ["anna", "bert", "carla"]
    plans = [[["aanvragen", P, u], ["berekenen", P, u], ["goedkeuren", P, users[(i + 1) % 3]]]
             for i, u in enumerate(users)]
    outputs = race(url, tmp_path, plans)
    assert all(r.get("ok") or dutch_refusal(r) for out in outputs for r in out), outputs
    runs = live_runs(url)
    assert len(runs) == 1
    # nobody who calculated or recalculated the run may approve it: when the race made every
    # approver also a calculator, all three approvals are refused by the four-eyes rule
    if runs[0].status == "berekend":
        goedkeuringen = [r for out in outputs for r in out if not r.get("ok") and "vier-ogenprincipe" in r.get("fout", "")]
        assert len(goedkeuringen) == 3, outputs
        assert acties(url).count("goedkeuren") == 0
    else:
        assert runs[0].status == "goedgekeurd"
        assert acties(url).count("goedkeuren") == 1
    check = trial.problems(url, tmp_path, reference)
    assert (check["dubbel"], check["kwijt"], check["problemen"]) == (0, 0, [])


def test_approvals_of_two_periodes_at_once_never_pay_a_month_twice(trial_db, tmp_path):
    """2025-03 and 2025-04 were both calculated while March was unpaid, so both contain March.
    Approved at the same moment, one must be refused ('bereken hem opnieuw'), else March is
    paid twice."""
    copies, _ = trial_db
    url = copies.new()
    engine = make_engine(url)
    for periode in (P, "2025-04"):
        lc.aanvragen(engine, periode, "anna", trial.NOW)
        lc.berekenen(engine, periode, "anna", trial.NOW, trial.PARAMS, trial.SETTINGS)
    engine.dispose()
    outputs = race(url, tmp_path, [[["goedkeuren", P, "bert"]], [["goedkeuren", "2025-04", "carla"]]])
    results = [out[0] for out in outputs]
    assert sum(1 for r in results if r.get("ok")) == 1, results
    assert any("bereken hem opnieuw" in r.get("fout", "") for r in results), results
    assert trial.problems(url, tmp_path)["dubbel"] == 0


def test_a_busy_sqlite_database_gives_a_dutch_message(tmp_path, monkeypatch):
    """SQLite: a step that cannot get the write lock within the busy timeout is refused with a
    message, and changes nothing."""
    import sqlite3

    from lks.db import engine as engine_module
    from lks.db import init_database

    path = tmp_path / "bezet.db"
    init_database(f"sqlite:///{path}")
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        engine = make_engine(f"sqlite:///{path}")
        try:
            lc.aanvragen(engine, P, "anna", trial.NOW)
        except lc.BetaalrunFout as exc:
            assert "bezet" in str(exc)
        else:
            raise AssertionError("expected BetaalrunFout")
        engine.dispose()
    finally:
        holder.rollback()
        holder.close()
    assert live_runs(f"sqlite:///{path}") == []
