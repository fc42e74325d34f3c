"""lks.atomic: a file is written whole or not at all; a temporary file a killed writer left is
found and removed, one a living writer holds is reported and left alone, and nothing else in
the folder is ever touched."""
from __future__ import annotations

import multiprocessing
import os
import re
import signal

import pytest

from lks import atomic
from lks.atomic import atomic_file, remove_stale_temp_files, temp_files, write_atomic
from lks.faults import ENV_VAR

FINAL = "pain.001-2025-03-1.xml"
OURS = re.compile(r"pain\.001-2025-03-1\.xml|specificatie-2025-03-1-.+\.html")


def _killed_writer(path: str, data: bytes) -> None:
    os.environ[ENV_VAR] = "test.tijdelijk_bestand"
    write_atomic(path, data, crash_step="test.tijdelijk_bestand")


def _kill_while_writing(path, data: bytes) -> None:
    process = multiprocessing.get_context("fork").Process(target=_killed_writer, args=(str(path), data))
    process.start()
    process.join(60)
    assert process.exitcode == -signal.SIGKILL


def test_write_leaves_the_file_and_nothing_else(tmp_path):
    write_atomic(tmp_path / FINAL, b"<Document/>")
    assert os.listdir(tmp_path) == [FINAL]
    assert (tmp_path / FINAL).read_bytes() == b"<Document/>"
    assert temp_files(tmp_path, OURS) == []


def test_a_failing_write_leaves_the_old_file(tmp_path):
    (tmp_path / FINAL).write_bytes(b"oud")
    with pytest.raises(RuntimeError):
        with atomic_file(tmp_path / FINAL) as handle:
            handle.write(b"half")
            raise RuntimeError("schijf vol")
    assert os.listdir(tmp_path) == [FINAL] and (tmp_path / FINAL).read_bytes() == b"oud"


def test_a_killed_writer_leaves_a_temporary_file_that_is_found_and_removed(tmp_path):
    (tmp_path / FINAL).write_bytes(b"het goede bestand")
    _kill_while_writing(tmp_path / FINAL, b"nieuw")
    [left] = temp_files(tmp_path, OURS)
    assert left.path.name.startswith(f".{FINAL}.") and left.path.name.endswith(".tmp")
    assert left.final_name == FINAL and not left.in_use
    assert left.path.read_bytes() == b"nieuw"                      # complete, with the same content
    assert (tmp_path / FINAL).read_bytes() == b"het goede bestand"  # the final path untouched
    assert remove_stale_temp_files(tmp_path, OURS) == [left.path]
    assert os.listdir(tmp_path) == [FINAL] and (tmp_path / FINAL).read_bytes() == b"het goede bestand"


def test_a_temporary_file_being_written_is_reported_and_left_alone(tmp_path):
    """A living writer holds the lock on its temporary file until after the rename: the
    cleaner (here in the same process: flock belongs to an open file, not to a process) must
    not delete it from under the writer."""
    with atomic_file(tmp_path / FINAL) as handle:
        handle.write(b"bezig")
        [busy] = temp_files(tmp_path, OURS)
        assert busy.in_use
        assert remove_stale_temp_files(tmp_path, OURS) == []
        assert busy.path.exists()
        handle.write(b" en klaar")
    assert os.listdir(tmp_path) == [FINAL] and (tmp_path / FINAL).read_bytes() == b"bezig en klaar"


def test_a_temporary_file_held_by_another_living_process_is_left_alone(tmp_path):
    started, release = multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event()

    def writer():
        with atomic_file(tmp_path / FINAL) as handle:
            handle.write(b"van een ander proces")
            started.set()
            release.wait(60)

    process = multiprocessing.get_context("fork").Process(target=writer)
    process.start()
    try:
        assert started.wait(60)
        assert [t.in_use for t in temp_files(tmp_path, OURS)] == [True]
        assert remove_stale_temp_files(tmp_path, OURS) == []
    finally:
        release.set()
        process.join(60)
    assert process.exitcode == 0
    assert os.listdir(tmp_path) == [FINAL] and (tmp_path / FINAL).read_bytes() == b"van een ander proces"


def test_only_temporary_files_of_the_callers_names_are_touched(tmp_path):
    _kill_while_writing(tmp_path / FINAL, b"x")
    _kill_while_writing(tmp_path / "specificatie-2025-03-1-W1.html", b"x")
    _kill_while_writing(tmp_path / "pain.001-2025-03-10.xml", b"x")   # another run's name
    _kill_while_writing(tmp_path / "notities.txt", b"x")
    others = [FINAL, "specificatie-2025-03-1-W1.html", "pain.001-2025-03-1.xml.tmp", "notities.tmp",
              ".pain.001-2025-03-1.xml.tmp", ".verborgen", "pain.001-2025-03-1.xml.abcdefgh.tmp"]
    for name in others:
        (tmp_path / name).write_bytes(b"blijft")
    removed = remove_stale_temp_files(tmp_path, OURS)
    assert sorted(re.sub(r"\.[a-z0-9_]+\.tmp$", "", p.name) for p in removed) == [
        ".pain.001-2025-03-1.xml", ".specificatie-2025-03-1-W1.html"]
    left = sorted(os.listdir(tmp_path))
    assert all(name in left for name in others)
    assert len([n for n in left if n.startswith(".pain.001-2025-03-10.xml.")]) == 1
    assert len([n for n in left if n.startswith(".notities.txt.")]) == 1
    assert remove_stale_temp_files(tmp_path / "bestaat-niet", OURS) == []


def test_a_writer_whose_new_temporary_file_is_removed_at_once_makes_another(tmp_path, monkeypatch):
    """The instant between creating a temporary file and locking it: a cleaner may lock and
    delete it there. The writer notices (its file is gone) and starts over with a new one."""
    real = atomic.tempfile.mkstemp
    calls = []

    def mkstemp_then_a_cleaner(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        calls.append(name)
        if len(calls) == 1:
            assert remove_stale_temp_files(tmp_path, OURS) == [tmp_path / os.path.basename(name)]
        return fd, name

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp_then_a_cleaner)
    write_atomic(tmp_path / FINAL, b"toch geschreven")
    assert len(calls) == 2
    assert os.listdir(tmp_path) == [FINAL] and (tmp_path / FINAL).read_bytes() == b"toch geschreven"


def test_durable_flushes_the_file_and_the_rename_and_the_bulk_writes_do_not(tmp_path, monkeypatch):
    """SEPA files and letters are flushed to disk before the rename and the folder after it (a
    power cut keeps the old or the new file); specificaties and the calculation CSV, derived
    and written by the thousand, only get the rename (as before: +5 ms a file otherwise)."""
    flushed = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (flushed.append(fd), real(fd)))
    write_atomic(tmp_path / FINAL, b"x")
    assert len(flushed) == 2   # the temporary file, then the folder
    flushed.clear()
    write_atomic(tmp_path / "specificatie-2025-03-1-W1.html", b"x", durable=False)
    assert flushed == [] and sorted(os.listdir(tmp_path)) == [FINAL, "specificatie-2025-03-1-W1.html"]
