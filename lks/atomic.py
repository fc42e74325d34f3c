"""Files written so that their final path never holds a half-written file, and the temporary
files a killed writer leaves behind: found, reported and removed — never one still in use.

Writing (:func:`atomic_file`, :func:`write_atomic`): the bytes go to a temporary file beside
the final one, named ``.<final name>.<random>.tmp`` (hidden from a plain listing, so nobody
picks it for the file), and the temporary file is renamed over the final path (``os.replace``,
atomic on POSIX): a reader, or a process killed at any moment, sees the old content or the
complete new one. ``durable`` (the default) also survives a power cut: the bytes are flushed
to disk before the rename and the rename after it (the folder's fsync). That costs about 5 ms
per file here, nothing next to a PDF letter, but five times the rendering of a betaalspecificatie
(2,500 werkgevers: +25 s); files that are derived, not recorded, and written by the thousand
(specificaties, the calculation CSV) are written without it and made again by the next export.

A process killed between writing and renaming (SIGKILL, power cut, OOM) leaves its temporary
file: complete or half-written, for a SEPA file with the same MsgId as the final one. Which of
those are debris, and which belong to a writer that is still running? The writer holds an
exclusive ``flock`` on its temporary file from creation until after the rename; the kernel
releases that lock when the process ends, however it ends. So a temporary file that can be
locked has no living writer and is safe to delete; one that cannot is being written now and
is left alone (:func:`temp_files`, :func:`remove_stale_temp_files`). A cleaner only ever looks
at names of this pattern whose final name the caller claims (one betaalrun's files, the
letters), so it never touches a final file or anything else in the folder.

``flock`` locks belong to an open file (not a process), so even a writer and a cleaner in one
process exclude each other. On NFS, Linux emulates ``flock`` with POSIX locks, which hold
between hosts (not between two opens in one process). Without ``fcntl`` (Windows) nothing is
locked and no temporary file is ever deleted: they are reported as possibly in use.
"""
from __future__ import annotations

import errno
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from lks.faults import crash_point

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\.(?P<final>.+)\.(?P<random>[a-z0-9_]+)" + re.escape(TEMP_SUFFIX))
"""``.<final name>.<random>.tmp``: what ``tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp")``
makes (its random part: lower-case letters, digits and '_')."""


@dataclass(frozen=True)
class TempFile:
    path: Path
    final_name: str
    in_use: bool
    """A living process holds its lock: it is being written now (or the platform cannot tell)."""


@contextmanager
def atomic_file(path: str | os.PathLike, *, durable: bool = True,
                crash_step: str | None = None) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content to; on a normal exit of the block it
    becomes ``path`` (renamed; ``durable``: flushed to disk before, the rename flushed after),
    on an exception it is removed and ``path`` is unchanged. ``crash_step`` names the crash
    point (``lks.faults``) between the complete temporary file and the rename."""
    target = Path(path)
    fd, tmp = _locked_temp(target)
    handle = os.fdopen(fd, "wb")
    try:
        yield handle
        handle.flush()
        if durable:
            os.fsync(handle.fileno())
        if crash_step:
            crash_point(crash_step)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        handle.close()  # releases the lock: after the rename, or after the removal
    if durable:
        _fsync_folder(target.parent)


def write_atomic(path: str | os.PathLike, data: bytes, *, durable: bool = True,
                 crash_step: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path, durable=durable, crash_step=crash_step) as handle:
        handle.write(data)


def temp_files(folder: str | os.PathLike, final_names: re.Pattern) -> list[TempFile]:
    """The temporary files in ``folder`` of the final names ``final_names`` matches in full,
    sorted by name, with whether a living writer holds them. Nothing is changed."""
    found = []
    for path, final in _candidates(Path(folder), final_names):
        state = _try_lock(path)
        if state is None:
            continue  # renamed into place or removed meanwhile
        held, fd = state
        if fd is not None:
            os.close(fd)
        found.append(TempFile(path, final, held))
    return found


def remove_stale_temp_files(folder: str | os.PathLike, final_names: re.Pattern) -> list[Path]:
    """Delete the temporary files in ``folder`` of the final names ``final_names`` matches in
    full that no living writer holds (left by a killed or crashed writer); returns them. One
    being written now is left alone, as is every other file."""
    removed = []
    for path, _ in _candidates(Path(folder), final_names):
        state = _try_lock(path)
        if state is None or state[0]:
            continue
        _, fd = state
        try:
            # under our lock: no writer can hold it any more; still the same file at this name?
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                os.unlink(path)
                removed.append(path)
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)
    return removed


# ------------------------------------------------------------------------------------------

def _locked_temp(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, locked by us. A cleaner may lock and delete a
    file in the instant between its creation and our lock; then we make another."""
    for _ in range(5):
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits at most for a cleaner's stat and unlink
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)
    raise OSError(errno.EAGAIN, "tijdelijk bestand werd steeds direct verwijderd", str(target))


def _candidates(folder: Path, final_names: re.Pattern) -> Iterator[tuple[Path, str]]:
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return
    for name in names:
        match = _TEMP_NAME.fullmatch(name)
        if match and final_names.fullmatch(match["final"]):
            yield folder / name, match["final"]


def _try_lock(path: Path) -> tuple[bool, int | None] | None:
    """(held by someone else, our locked fd if not); None if the file is gone."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError:  # not ours to open (another user's, a symlink): never deleted
        return True, None
    if fcntl is None:
        os.close(fd)
        return True, None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return True, None
    except BaseException:
        os.close(fd)
        raise
    return False, fd


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); not possible everywhere."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
