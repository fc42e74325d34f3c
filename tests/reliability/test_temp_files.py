"""``lks betaalrun export`` killed (SIGKILL, ``LKS_CRASH_AT``) between writing a file to its
temporary name and renaming it into place, as a real ``lks`` process on SQLite and PostgreSQL:

(a) the temporary file is left beside the final files (hidden, ``.<name>.<random>.tmp``);
(b) ``lks betaalrun show`` says so, in Dutch, and names the file to use;
(c) the next export removes it and leaves exactly the run's files, the SEPA file with the
    recorded sha256 (that of a run without crash).

And a temporary file an export is writing right now is not removed by another one."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.atomic import atomic_file
from lks.betaalrun.bestand import run_file_names, run_folder
from lks.db import make_engine
from lks.db.models_betaalrun import Betaalregel, Betaalrun, Betaling
from lks.faults import ENV_VAR
from tests.foundation.helpers import koppel_dit_account
from tests.reliability import trial

KENMERK = f"{trial.PERIODE}-1"
SEPA = f"pain.001-{KENMERK}.xml"


def lks(url: str, cwd: Path, *args, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """The real ``lks`` command in a process of its own (the demo settings: no gemeente.toml in
    ``cwd``, as the trial's reference run)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LKS_SETTINGS", "LKS_DATABASE_URL", "LKS_GEMEENTE", ENV_VAR)}
    env.update(LKS_GEBRUIKER="bert", COLUMNS="200")
    if crash_at:
        env[ENV_VAR] = crash_at
    return subprocess.run([str(Path(sys.executable).parent / "lks"), "--db", url, *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def expected_files(url: str) -> set[str]:
    """The run's own files: its SEPA file and an HTML and CSV specificatie per werkgever with a
    line or a payment in the run."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            run = s.scalars(select(Betaalrun).where(Betaalrun.periode == trial.PERIODE)).one()
            werkgevers = set(s.scalars(select(Betaalregel.werkgever_id).where(Betaalregel.betaalrun_id == run.id)))
            werkgevers |= set(s.scalars(select(Betaling.werkgever_id).where(Betaling.betaalrun_id == run.id)))
    finally:
        engine.dispose()
    assert werkgevers
    return {SEPA} | {f"specificatie-{KENMERK}-{w}.{ext}" for w in werkgevers for ext in ("html", "csv")}


def temporary(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


@pytest.mark.parametrize("crash_at", ["specificaties.tijdelijk_bestand", "sepa.tijdelijk_bestand"])
def test_a_killed_export_leaves_a_temporary_file_that_show_reports_and_the_next_export_removes(
        trial_db, tmp_path, crash_at):
    copies, reference = trial_db
    url = copies.new()
    koppel_dit_account(url)
    out = tmp_path / "betaalbestanden"
    assert trial.run_sequence(url, out, trial.SEQUENCE[:4]) == []   # approved by bert
    folder = run_folder(out, KENMERK)

    killed = lks(url, tmp_path, "betaalrun", "export", "--periode", trial.PERIODE, "--out", out, crash_at=crash_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    # (a) one temporary file beside the final files; the run is not marked
    [left] = temporary(folder)
    final_name = left.name[1:left.name.rindex(".", 0, -len(".tmp"))]
    assert run_file_names(KENMERK).fullmatch(final_name)
    if crash_at == "sepa.tijdelijk_bestand":
        # the complete SEPA file, MsgId and all, under a name that is not the file to upload
        assert final_name == SEPA and not (folder / SEPA).exists()
        assert hashlib.sha256(left.read_bytes()).hexdigest() == reference.sha256
        assert {p.name for p in folder.iterdir()} == expected_files(url) - {SEPA} | {left.name}
    else:
        assert final_name.startswith(f"specificatie-{KENMERK}-") and final_name.endswith(".html")
        assert {p.name for p in folder.iterdir()} == {left.name}
    assert trial.snapshot(url).status == "goedgekeurd"

    # (b) show says which file it is, that it is not to be used, and what removes it
    shown = lks(url, tmp_path, "betaalrun", "show", "--periode", trial.PERIODE, "--out", out)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert f"Let op: tijdelijk bestand {folder / left.name} is achtergelaten door een afgebroken export" in text
    assert f"niet gebruiken (het bestand is {final_name}); de volgende 'lks betaalrun export' ruimt het op" in text

    # (c) the next export removes it, and the folder holds exactly the run's files
    again = lks(url, tmp_path, "betaalrun", "export", "--periode", trial.PERIODE, "--out", out)
    assert again.returncode == 0, again.stderr
    assert f"Opgeruimd: {left.name}, een tijdelijk bestand van een afgebroken export." in " ".join(again.stdout.split())
    assert {p.name for p in folder.iterdir()} == expected_files(url)
    after = trial.snapshot(url)
    assert after.status == "bestand_aangemaakt" and after.sha256 == reference.sha256
    assert hashlib.sha256((folder / SEPA).read_bytes()).hexdigest() == after.sha256
    check = trial.problems(url, out, reference)
    assert (check["dubbel"], check["kwijt"], check["problemen"]) == (0, 0, []), check

    shown = lks(url, tmp_path, "betaalrun", "show", "--periode", trial.PERIODE, "--out", out)
    assert shown.returncode == 0 and "tijdelijk bestand" not in shown.stdout
    assert f"SEPA-bestand: {folder / SEPA} (sha256 {reference.sha256})" in " ".join(shown.stdout.split())


def test_an_export_leaves_the_temporary_file_of_an_export_writing_now_alone(trial_db, tmp_path):
    """While another export holds its temporary file (here: this test process, in the middle
    of writing a specificatie), show reports it as being written, and an export run meanwhile
    neither removes it nor fails; the writer then finishes as if nothing happened."""
    copies, _ = trial_db
    url = copies.new()
    koppel_dit_account(url)
    out = tmp_path / "betaalbestanden"
    trial.run_sequence(url, out, trial.SEQUENCE[:4])
    folder = run_folder(out, KENMERK)
    folder.mkdir(parents=True)
    busy_name = f"specificatie-{KENMERK}-bezig.html"
    with pytest.raises(KeyboardInterrupt):   # the writer is interrupted at the end: no file appears
        with atomic_file(folder / busy_name) as handle:
            handle.write(b"<html>half")
            [busy] = temporary(folder)
            shown = lks(url, tmp_path, "betaalrun", "show", "--periode", trial.PERIODE, "--out", out)
            assert f"Let op: tijdelijk bestand {busy} wordt nu geschreven door een lopende export" in \
                " ".join(shown.stdout.split())
            export = lks(url, tmp_path, "betaalrun", "export", "--periode", trial.PERIODE, "--out", out)
            assert export.returncode == 0, export.stderr
            assert "Opgeruimd" not in export.stdout and busy.exists()
            assert {p.name for p in folder.iterdir()} == expected_files(url) | {busy.name}
            raise KeyboardInterrupt
    assert {p.name for p in folder.iterdir()} == expected_files(url)
