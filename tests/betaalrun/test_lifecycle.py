"""The betaalrun lifecycle on a real database: four eyes, idempotence, refusal after
approval, retro deltas after a late loonwaarde, vordering."""
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.betaalrun import lifecycle as lc
from lks.db.models_betaalrun import AuditLog, Betaalregel, Betaalrun, Vordering
from lks.importer import import_directory
from lks.parameters import Parameters
from lks.settings import load_settings

from .conftest import UTC, gemeente_dir

PARAMS = Parameters.load()
SETTINGS = load_settings()
T = dt.datetime(2025, 1, 20, 9, 0, tzinfo=UTC)


def run_month(engine, periode, now, calc="anna", approve="bert"):
    lc.aanvragen(engine, periode, calc, now)
    info = lc.berekenen(engine, periode, calc, now, PARAMS, SETTINGS)
    lc.goedkeuren(engine, periode, approve, now + dt.timedelta(hours=1), now.date() + dt.timedelta(days=5))
    return info


def lines(engine, periode):
    with Session(engine) as s:
        run = lc.get_run(s, periode)
        return s.execute(select(Betaalregel.plaatsing_id, Betaalregel.periode, Betaalregel.soort,
                                Betaalregel.bedrag).where(Betaalregel.betaalrun_id == run.id)
                         .order_by(Betaalregel.plaatsing_id, Betaalregel.periode)).all()


def test_request_is_idempotent(engine):
    a, created_a = lc.aanvragen(engine, "2025-01", "anna", T)
    b, created_b = lc.aanvragen(engine, "2025-01", "bert", T)
    assert created_a and not created_b and a.id == b.id and a.volgnummer == 1


def test_four_eyes_and_no_recalculation_after_approval(engine):
    lc.aanvragen(engine, "2025-01", "anna", T)
    lc.berekenen(engine, "2025-01", "anna", T, PARAMS, SETTINGS)
    with pytest.raises(lc.BetaalrunFout, match="vier-ogenprincipe"):
        lc.goedkeuren(engine, "2025-01", "anna", T, dt.date(2025, 1, 27))
    lc.goedkeuren(engine, "2025-01", "bert", T, dt.date(2025, 1, 27))
    with pytest.raises(lc.BetaalrunFout, match="herberekenen kan alleen voor goedkeuring"):
        lc.berekenen(engine, "2025-01", "anna", T, PARAMS, SETTINGS)
    with pytest.raises(lc.BetaalrunFout, match="goedgekeurd"):
        lc.goedkeuren(engine, "2025-01", "carla", T, dt.date(2025, 1, 27))
    with pytest.raises(lc.BetaalrunFout):
        lc.annuleren(engine, "2025-01", "carla", T)
    with Session(engine) as s:
        acties = s.scalars(select(AuditLog.actie).where(AuditLog.betaalrun_id.is_not(None)).order_by(AuditLog.id)).all()
    assert acties == ["aanvragen", "berekenen", "goedkeuren"]


def test_four_eyes_holds_in_the_database(engine):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError
    lc.aanvragen(engine, "2025-01", "anna", T)
    lc.berekenen(engine, "2025-01", "anna", T, PARAMS, SETTINGS)
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.execute(update(Betaalrun).values(status="goedgekeurd", goedgekeurd_door="anna"))
        s.commit()


def test_nobody_who_calculated_or_recalculated_approves(engine):
    """Issue 16 §3: not the user who calculated *or recalculated* the run. ``berekend_door``
    holds only the last calculator; the first one is refused too, in the application layer
    and in the database (trigger of migration 0016 on the run's audit records)."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError
    lc.aanvragen(engine, "2025-01", "xander", T)
    lc.berekenen(engine, "2025-01", "xander", T, PARAMS, SETTINGS)
    lc.berekenen(engine, "2025-01", "root", T + dt.timedelta(minutes=5), PARAMS, SETTINGS)
    for wie in ("xander", "root"):
        with pytest.raises(lc.VierOgenFout, match=f"vier-ogenprincipe: {wie} heeft betaalrun .* berekend of herberekend"):
            lc.goedkeuren(engine, "2025-01", wie, T + dt.timedelta(hours=1), dt.date(2025, 1, 27))
    for wie in ("xander", "root"):  # raw SQL past the application: the database refuses
        with Session(engine) as s, pytest.raises(IntegrityError, match="vier-ogenprincipe"):
            s.execute(update(Betaalrun).values(status="goedgekeurd", goedgekeurd_door=wie,
                                               goedgekeurd_op=T, uitvoerdatum=dt.date(2025, 1, 27)))
            s.commit()
    with Session(engine) as s:
        assert s.scalars(select(Betaalrun.status)).one() == "berekend"
    run = lc.goedkeuren(engine, "2025-01", "bert", T + dt.timedelta(hours=1), dt.date(2025, 1, 27))
    assert (run.status, run.berekend_door, run.goedgekeurd_door) == ("goedgekeurd", "root", "bert")


def test_first_run_pays_the_month(engine):
    info = run_month(engine, "2025-01", T)
    got = lines(engine, "2025-01")
    assert [(p, m, s) for p, m, s, _ in got] == [("P1", "2025-01", "regulier"), ("P2", "2025-01", "regulier"),
                                                  ("P3", "2025-01", "regulier")]
    # P1: lks, loonwaarde 60 %, 32 of 38 h, January 2025, WML 2.191,80:
    # 2191.80 × 1.08 × 0.40 × 32/36 = 841.6512 → 841.65; × 0.235 = 197.78775 → 197.79; 1039.44
    assert dict((p, b) for p, _, _, b in got)["P1"] == 1039_44
    assert info["totaal_buig"] + info["totaal_reintegratie"] == sum(b for *_, b in got)


def test_late_loonwaarde_gives_corrections_and_vordering(engine, tmp_path):
    run_month(engine, "2025-01", T)
    run_month(engine, "2025-02", T + dt.timedelta(days=28))
    run_month(engine, "2025-03", T + dt.timedelta(days=56))
    # April: a loonwaarde of 100 % effective 1 January is recorded; P1 was overpaid 3 months
    later = gemeente_dir(tmp_path / "later", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-01-01", "100"]])
    import_directory(engine, later, recorded_at=T + dt.timedelta(days=80))
    info = run_month(engine, "2025-04", T + dt.timedelta(days=85))
    p1 = [(m, s, b) for p, m, s, b in lines(engine, "2025-04") if p == "P1"]
    # Jan 2025 1039.44 (above); Feb and Mar the same WML: each month taken back in full
    # April itself is 0 (loonwaarde 100 %): a zero delta makes no line
    assert p1 == [("2025-01", "correctie", -1039_44), ("2025-02", "correctie", -1039_44),
                  ("2025-03", "correctie", -1039_44)]
    # W1 has only P1: a net negative balance becomes a vordering, never a negative payment
    assert info["nieuwe_vorderingen"] == 3 * 1039_44
    with Session(engine) as s:
        v = s.scalars(select(Vordering)).all()
    assert [(x.werkgever_id, x.budget, x.bedrag) for x in v] == [("W1", "buig", 3 * 1039_44)]


def test_stale_calculation_cannot_be_approved(engine):
    lc.aanvragen(engine, "2025-01", "anna", T)
    lc.berekenen(engine, "2025-01", "anna", T, PARAMS, SETTINGS)
    lc.aanvragen(engine, "2025-02", "anna", T)
    lc.berekenen(engine, "2025-02", "anna", T, PARAMS, SETTINGS)
    lc.goedkeuren(engine, "2025-01", "bert", T, dt.date(2025, 1, 27))
    with pytest.raises(lc.BetaalrunFout, match="bereken hem opnieuw"):
        lc.goedkeuren(engine, "2025-02", "bert", T, dt.date(2025, 2, 25))
    lc.berekenen(engine, "2025-02", "anna", T, PARAMS, SETTINGS)
    lc.goedkeuren(engine, "2025-02", "bert", T, dt.date(2025, 2, 25))
    # January was not paid twice: February's run holds only February
    assert {m for _, m, _, _ in lines(engine, "2025-02")} == {"2025-02"}


def test_files_are_valid_identical_on_regeneration_and_sent_once(engine, tmp_path):
    from lks.betaalrun.bestand import maak_bestanden
    from lks.documents.sepa import validate_pain001

    run_month(engine, "2025-01", T)
    first = maak_bestanden(engine, "2025-01", None, "carla", T, SETTINGS, tmp_path / "out")
    data = first.sepa_pad.read_bytes()
    validate_pain001(data)
    assert b"Bakkerij Omer" in data and "Ömer".encode() not in data
    again = maak_bestanden(engine, "2025-01", None, "carla", T + dt.timedelta(days=3), SETTINGS, tmp_path / "out")
    assert again.sha256 == first.sha256 and again.sepa_pad.read_bytes() == data
    # one transaction per werkgever per budget, one PmtInf per budget
    assert data.count(b"<PmtInf>") == 2 and data.count(b"<CdtTrfTxInf>") == 3
    spec = (first.map / "specificatie-2025-01-1-W1.html").read_text()
    assert "1.039,44" in spec
    lc.verzonden(engine, "2025-01", "carla", T)
    with pytest.raises(lc.BetaalrunFout, match="al als verzonden"):
        lc.verzonden(engine, "2025-01", "carla", T)


def test_database_refuses_changing_audit_log_and_approved_lines(engine):
    from sqlalchemy import delete, text, update
    from sqlalchemy.exc import DatabaseError
    run_month(engine, "2025-01", T)
    with Session(engine) as s:
        voor = s.scalar(text("SELECT count(*) FROM audit_log"))
    for statement in (update(AuditLog).values(gebruiker="iemand"), delete(AuditLog),
                      update(Betaalregel).values(bedrag=1), delete(Betaalregel)):
        with Session(engine) as s, pytest.raises(DatabaseError, match="alleen aan te vullen|onveranderlijk"):
            s.execute(statement)
            s.commit()
    with Session(engine) as s:
        assert s.scalar(text("SELECT count(*) FROM audit_log WHERE betaalrun_id IS NOT NULL")) == 3
        assert s.scalar(text("SELECT count(*) FROM audit_log")) == voor


def test_vordering_paid_back_is_not_set_off_again(engine, tmp_path):
    from lks.db.models_verantwoording import Ontvangst
    run_month(engine, "2025-01", T)
    # P1 (W1's only plaatsing) ends up at loonwaarde 100 % from January: January's 1039.44
    # becomes a vordering in February's run
    later = gemeente_dir(tmp_path / "later", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-01-01", "100"]])
    import_directory(engine, later, recorded_at=T + dt.timedelta(days=10))
    run_month(engine, "2025-02", T + dt.timedelta(days=28))
    with Session(engine) as s:
        vordering = s.scalars(select(Vordering)).one()
        assert vordering.bedrag == 1039_44
        # the werkgever pays it back in full
        s.add(Ontvangst(werkgever_id="W1", budget="buig", bedrag_cent=1039_44, datum=dt.date(2025, 3, 1),
                        vordering_id=vordering.id, vastgelegd_door="carla", vastgelegd_op=T))
        s.commit()
    # a new positive line for W1 (loonwaarde back to 60 % from March) is paid in full, not set off
    again = gemeente_dir(tmp_path / "again", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-01-01", "100"],
                                                          ["P1", "2025-03-01", "60"]])
    import_directory(engine, again, recorded_at=T + dt.timedelta(days=50))
    info = run_month(engine, "2025-03", T + dt.timedelta(days=56))
    assert info["verrekend"] == 0
