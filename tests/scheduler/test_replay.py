"""The replay (``lks scheduler --tot``) equals running the same steps by hand."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.app.gebruikers import als
from lks.cli import betaalrun as betaalrun_cli
from lks.db import make_engine
from lks.db.models_betaalrun import Betaalregel, Betaalrun, Betaling
from lks.importer import import_directory
from lks.scheduler import SIMULATIE_GOEDKEURING, TIJDZONE, Omgeving, replay
from tests.foundation.helpers import Cli, new_database

from .conftest import FIRST_IMPORT, PARAMS, gemeente_dir, local

UTC = dt.timezone.utc
LATE_IMPORT = dt.datetime(2025, 5, 2, 6, 0, tzinfo=UTC)  # a loonwaarde measured late, effective earlier


def late_dir(tmp_path):
    return gemeente_dir(tmp_path / "late", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-02-01", "45"]])


def fresh(request, backend, tmp_path, name):
    ctx = new_database(request, backend, tmp_path / name)
    (tmp_path / name).mkdir()
    url = ctx.__enter__()
    request.addfinalizer(lambda: ctx.__exit__(None, None, None))
    engine = make_engine(url)
    request.addfinalizer(engine.dispose)
    import_directory(engine, gemeente_dir(tmp_path / name / "in"), recorded_at=FIRST_IMPORT)
    return url, engine


def snapshot(engine):
    with Session(engine) as s:
        runs = s.execute(select(Betaalrun.periode, Betaalrun.volgnummer, Betaalrun.status,
                                Betaalrun.aangevraagd_op, Betaalrun.berekend_op, Betaalrun.feiten_per,
                                Betaalrun.goedgekeurd_door, Betaalrun.goedgekeurd_op, Betaalrun.uitvoerdatum)
                         .order_by(Betaalrun.periode)).all()
        lines = s.execute(select(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode,
                                 Betaalregel.soort, Betaalregel.budget, Betaalregel.bedrag)
                          .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
                          .order_by(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode)).all()
        payments = s.execute(select(Betaalrun.periode, Betaling.werkgever_id, Betaling.budget, Betaling.bruto,
                                    Betaling.verrekend, Betaling.bedrag, Betaling.end_to_end_id)
                             .join(Betaalrun, Betaalrun.id == Betaling.betaalrun_id)
                             .order_by(Betaalrun.periode, Betaling.werkgever_id, Betaling.budget)).all()
    return runs, lines, payments


def test_replay_of_a_year_equals_the_steps_by_hand(request, backend, tmp_path, settings, monkeypatch):
    # --- the replay: the scheduler's own cycles, approval simulated by a second user
    _, replayed = fresh(request, backend, tmp_path, "replay")
    pending = [LATE_IMPORT]

    def voor(stap):
        while pending and pending[0] <= stap.moment:
            import_directory(replayed, late_dir(tmp_path / "r"), recorded_at=pending.pop(0))

    o = Omgeving(replayed, PARAMS, settings, tmp_path / "out", pdf=False)
    events = replay(o, local(2025, 1, 1), local(2025, 12, 31, 23, 59), goedkeurder=als(replayed, "klaas", "test"),
                    voor=voor,
                    taken={"betaalrun", "signalen"})
    assert not [e for e in events if e.fout]
    assert sum(e.soort == SIMULATIE_GOEDKEURING for e in events) == 12
    assert sum(e.taak == "signalen" for e in events) == 365

    # --- by hand: the same commands people type, on the 18th at 07:00 (the medewerker piet
    # requests and calculates), approval at 11:00 (the goedkeurder klaas)
    url, manual = fresh(request, backend, tmp_path, "manual")
    cli = Cli(url)
    clock = {}
    monkeypatch.setattr(betaalrun_cli, "now", lambda: clock["now"])
    for month in range(1, 13):
        periode = f"2025-{month:02d}"
        clock["now"] = dt.datetime(2025, month, 18, 7, 0, tzinfo=TIJDZONE)
        if month == 5:
            import_directory(manual, late_dir(tmp_path / "m"), recorded_at=LATE_IMPORT)
        for command in ("request", "calculate"):
            result = cli("betaalrun", command, "--periode", periode, als="piet")
            assert result.exit_code == 0, result.output
        clock["now"] = dt.datetime(2025, month, 18, 11, 0, tzinfo=TIJDZONE)
        result = cli("betaalrun", "approve", "--periode", periode, als="klaas")
        assert result.exit_code == 0, result.output

    runs, lines, payments = snapshot(replayed)
    assert (runs, lines, payments) == snapshot(manual)
    assert len(runs) == 12 and {r.status for r in runs} == {"goedgekeurd"}
    assert {r.goedgekeurd_door for r in runs} == {"klaas"}
    assert door(replayed) == {("scheduler", "scheduler")} and door(manual) == {("piet", "piet")}
    assert any(line.soort == "correctie" for line in lines)  # the late loonwaarde was paid back in May
    assert sum(p.bedrag for p in payments) > 0


def door(engine):
    with Session(engine) as s:
        return set(s.execute(select(Betaalrun.aangevraagd_door, Betaalrun.berekend_door)).all())


def test_replay_without_approver_leaves_runs_calculated_and_is_idempotent(engine, settings, tmp_path):
    o = Omgeving(engine, PARAMS, settings, tmp_path / "out", pdf=False)
    replay(o, local(2025, 1, 1), local(2025, 3, 31, 23, 59), taken={"betaalrun"})
    # the second run of a periode is not requested while the first waits for approval
    assert [(p, s) for p, _, s in _runs(engine)] == [("2025-01", "berekend"), ("2025-02", "berekend"),
                                                            ("2025-03", "berekend")]
    again = replay(o, local(2025, 1, 1), local(2025, 3, 31, 23, 59), taken={"betaalrun"})
    assert all(e.resultaat["al_gedaan"] for e in again)
    assert len(_runs(engine)) == 3


def _runs(engine):
    with Session(engine) as s:
        return s.execute(select(Betaalrun.periode, Betaalrun.volgnummer, Betaalrun.status)
                         .order_by(Betaalrun.periode)).all()


def test_cli_replay(engine, settings):
    """The replay calculates as the scheduler; nobody approves in it. There is no flag to
    approve in bulk (issue 16: not a flag anyone can type): a goedkeurder approves each run
    afterwards, at the real time, like any other run."""
    cli = Cli(engine.url.render_as_string(hide_password=False))
    result = cli("scheduler", "--vanaf", "2025-01-01", "--tot", "2025-02-28", "--goedkeuren", als="piet")
    assert result.exit_code == 2 and "--goedkeuren" in result.output
    assert _runs(engine) == []
    result = cli("scheduler", "--vanaf", "2025-01-01", als="piet")
    assert result.exit_code != 0 and "--tot" in result.output
    result = cli("scheduler", "--vanaf", "2025-01-01", "--tot", "2025-02-28", als="klaas")
    assert result.exit_code == 1 and "de scheduler starten vereist de rol" in " ".join(result.output.split())
    result = cli("scheduler", "--vanaf", "2025-01-01", "--tot", "2025-02-28", als="piet")
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert output.startswith("SIMULATIE") and "blijven 'berekend'" in output
    assert "(simulatie)" in output and "0 mislukt" in output
    assert [(p, s) for p, _, s in _runs(engine)] == [("2025-01", "berekend"), ("2025-02", "berekend")]
    assert door(engine) == {("scheduler", "scheduler")}
    # the goedkeurder approves afterwards, one run at a time, through the normal command
    result = cli("betaalrun", "approve", "--periode", "2025-01", als="klaas")
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        assert s.execute(select(Betaalrun.goedgekeurd_door).where(Betaalrun.periode == "2025-01")).scalar() == "klaas"


@pytest.fixture(autouse=True)
def _no_leftover_omgeving():
    yield
    from lks.scheduler import zet_omgeving
    zet_omgeving(None)
