"""A process killed (SIGKILL, ``LKS_CRASH_AT``) at a chosen step of the betaalrun, then a normal
process resumes: the result equals a run without crash — transactions rolled back, no
half-written file at the final path, never 'bestand_aangemaakt' without the complete file,
nothing paid twice, no line lost, an audit log that chains, and the temporary file a killed
export left removed by the next one."""
from __future__ import annotations

import random
import signal

import pytest

from lks.betaalrun.bestand import maak_bestanden
from tests.reliability import trial

KILLED = -signal.SIGKILL


def one_trial(copies, reference, tmp_path, crash_at: str, prefix_done: bool) -> None:
    url = copies.new()
    out = tmp_path / f"out-{crash_at}-{prefix_done}"
    steps = trial.SEQUENCE
    if prefix_done:   # anna's calculation committed: the crash hits carla's recalculation
        trial.run_sequence(url, out, steps[:2])
        steps = steps[2:]
    assert trial.crash(url, out, crash_at, steps) == KILLED
    # right after the crash: consistent (what was not committed is not there)
    after = trial.problems(url, out)
    assert (after["dubbel"], after["problemen"]) == (0, []), after
    state = trial.snapshot(url)
    if crash_at.startswith("berekenen."):
        assert state.status in ("aangevraagd", "berekend")
        if prefix_done:   # anna's lines survived the killed recalculation untouched
            assert state.regels == reference.regels
        else:
            assert state.regels == {}
    final_files = list(out.glob("betaalrun-*/pain.001-*.xml"))
    temporary = [p.name for p in out.glob("betaalrun-*/.*.tmp")]
    if crash_at.endswith(".tijdelijk_bestand"):   # killed between a file's write and its rename
        assert final_files == [] and state.status == "goedgekeurd"   # only the temporary file
        prefix = ".pain.001-" if crash_at.startswith("sepa.") else ".specificatie-"
        assert len(temporary) == 1 and temporary[0].startswith(prefix), temporary
    else:
        assert temporary == []
    if crash_at == "bestand.voor_vastleggen":
        assert state.status == "goedgekeurd" and state.sha256 is None
    trial.run_sequence(url, out)          # resume: everything again, done steps are refused
    check = trial.problems(url, out, reference)
    assert (check["dubbel"], check["kwijt"], check["problemen"]) == (0, 0, []), check
    final = trial.snapshot(url)
    assert final.status == "bestand_aangemaakt" and final.sha256 == reference.sha256


@pytest.mark.parametrize("crash_at", trial.CRASH_POINTS)
def test_crash_then_resume(trial_db, tmp_path, crash_at):
    copies, reference = trial_db
    one_trial(copies, reference, tmp_path, crash_at, prefix_done=False)


def test_crash_in_a_recalculation_keeps_the_earlier_lines(trial_db, tmp_path):
    copies, reference = trial_db
    one_trial(copies, reference, tmp_path, "berekenen.halve_regels", prefix_done=True)


def test_random_crash_points(trial_db, tmp_path):
    copies, reference = trial_db
    rng = random.Random(9)
    for _ in range(3):
        one_trial(copies, reference, tmp_path, rng.choice(trial.CRASH_POINTS), rng.random() < 0.5)


def test_export_of_an_unapproved_run_writes_nothing(trial_db, tmp_path):
    from lks.betaalrun.bestand import BestandFout
    from lks.db import make_engine

    copies, _ = trial_db
    url = copies.new()
    trial.run_sequence(url, tmp_path, trial.SEQUENCE[:2])
    engine = make_engine(url)
    with pytest.raises(BestandFout, match="alleen een goedgekeurde"):
        maak_bestanden(engine, trial.PERIODE, None, "bert", trial.NOW, trial.SETTINGS, tmp_path / "x")
    engine.dispose()
    assert not (tmp_path / "x").exists()
