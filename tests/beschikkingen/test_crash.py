"""A beschikkingen batch killed (SIGKILL, ``LKS_CRASH_AT``) after recording its letters and
before or while writing their files: the next batch writes the missing files from the stored
inputs, byte for byte the recorded letters (hashes checked), makes no letter twice and no new
kenmerk. On SQLite and PostgreSQL.

The small gemeente of tests/betaalrun/conftest.py on 2025-01-18 gets two verleningen (W1 with
P1, W2 with P2 and P3): letter 1 has a PDF, letter 2 HTML only, so the crash after half of the
files leaves letter 1 complete and letter 2 missing."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.beschikkingen import BeschikkingFout, bestandsnaam, herstel_bestanden, maak_beschikkingen
from lks.db.models_beschikking import Beschikking as Row
from lks.documents.beschikking import letter_hash
from lks.faults import ENV_VAR
from lks.parameters import Parameters
from lks.settings import EXAMPLE_TOML, parse_settings
from tests.beschikkingen.test_batch import _engine

UTC = dt.timezone.utc
DAG = dt.date(2025, 1, 18)
PARAMS = Parameters.load()
SETTINGS = parse_settings(EXAMPLE_TOML)


def _pdf_for_first(b) -> bool:
    return b.kenmerk.endswith("000001")


def _batch(engine, out):
    return maak_beschikkingen(engine, DAG, dt.datetime(2025, 1, 18, 8, tzinfo=UTC), PARAMS, SETTINGS,
                              out, pdf=_pdf_for_first, workers=1)


def _child(url: str, out: str, crash_at: str) -> None:
    from lks.db import make_engine
    os.environ[ENV_VAR] = crash_at
    _batch(make_engine(url), out)


def _recorded(engine) -> dict[str, tuple[str, str | None]]:
    with Session(engine) as session:
        return {r.kenmerk: (r.html_sha256, r.pdf_sha256) for r in session.scalars(select(Row))}


def _files(directory) -> dict[str, str]:
    return {p.name: letter_hash(p.read_bytes()) for p in sorted(directory.iterdir())} if directory.exists() else {}


@pytest.mark.parametrize("crash_at", ["beschikkingen.na_vastleggen", "beschikkingen.halve_bestanden",
                                      "beschikkingen.tijdelijk_bestand"])
def test_a_batch_killed_before_its_files_are_written_is_completed_by_the_next(request, backend, tmp_path, crash_at):
    with _engine(request, backend, tmp_path) as engine:
        out = tmp_path / "out"
        url = engine.url.render_as_string(hide_password=False)
        process = multiprocessing.get_context("fork").Process(target=_child, args=(url, str(out), crash_at))
        process.start()
        process.join(120)
        assert process.exitcode == -9  # killed at the crash point, not an error

        recorded = _recorded(engine)
        assert sorted(recorded) == ["LKS/2025/000001", "LKS/2025/000002"]
        letters = out / "beschikkingen"
        na_crash = _files(letters)
        if crash_at == "beschikkingen.na_vastleggen":
            assert na_crash == {}
        elif crash_at == "beschikkingen.tijdelijk_bestand":
            # killed between writing letter 1's HTML to its temporary file and the rename: that
            # file is left (hidden, under a name nobody takes for the letter), nothing else
            [tijdelijk] = na_crash
            assert tijdelijk.startswith(".LKS-2025-000001.html.") and tijdelijk.endswith(".tmp")
            assert na_crash[tijdelijk] == recorded["LKS/2025/000001"][0]   # complete, in this case
        else:  # letter 1 (HTML and PDF) written, letter 2 not; never a temporary file left
            assert set(na_crash) == {"LKS-2025-000001.html", "LKS-2025-000001.pdf"}

        again = _batch(engine, out)
        assert again.beschikkingen == []  # nothing made twice, no new kenmerk
        assert again.hersteld == (["LKS/2025/000002"] if crash_at == "beschikkingen.halve_bestanden"
                                  else ["LKS/2025/000001", "LKS/2025/000002"])
        # the next batch removes the temporary file first (its writer is dead: no lock on it)
        assert [p.name for p in again.opgeruimd] == [n for n in na_crash if n.startswith(".")]
        assert _recorded(engine) == recorded
        expected = {}
        for kenmerk, (html_hash, pdf_hash) in recorded.items():
            expected[f"{bestandsnaam(kenmerk)}.html"] = html_hash
            if pdf_hash is not None:
                expected[f"{bestandsnaam(kenmerk)}.pdf"] = pdf_hash
        assert set(expected) == {"LKS-2025-000001.html", "LKS-2025-000001.pdf", "LKS-2025-000002.html"}
        assert _files(letters) == expected  # the recorded letters, byte for byte, and nothing else

        assert herstel_bestanden(engine, letters) == []  # complete: nothing more to restore


def test_a_restored_letter_must_match_its_recorded_hash(request, backend, tmp_path):
    """The stored inputs no longer give the recorded letter (a tampered row, or a template
    changed since): the file is not written and the batch says so, rather than send another
    letter under the same kenmerk."""
    with _engine(request, backend, tmp_path) as engine:
        out = tmp_path / "out"
        _batch(engine, out)
        letters = out / "beschikkingen"
        (letters / "LKS-2025-000002.html").unlink()
        with Session(engine) as session, session.begin():
            row = session.scalar(select(Row).where(Row.kenmerk == "LKS/2025/000002"))
            row.html_sha256 = "0" * 64
        with pytest.raises(BeschikkingFout, match="LKS/2025/000002.*wijkt af.*niet hersteld"):
            _batch(engine, out)
        assert not (letters / "LKS-2025-000002.html").exists()


def test_the_cli_batch_removes_a_killed_batchs_temporary_file_and_says_so(request, backend, tmp_path, monkeypatch):
    from tests.foundation.helpers import Cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    with _engine(request, backend, tmp_path) as engine:
        out = tmp_path / "out"
        url = engine.url.render_as_string(hide_password=False)
        process = multiprocessing.get_context("fork").Process(
            target=_child, args=(url, str(out), "beschikkingen.tijdelijk_bestand"))
        process.start()
        process.join(120)
        assert process.exitcode == -9
        [tijdelijk] = _files(out / "beschikkingen")
        result = Cli(url)("beschikkingen", "make", "--datum", "2025-01-18", "--out", out)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert f"Opgeruimd: {tijdelijk}, een tijdelijk bestand van een afgebroken batch." in text
        assert "LKS/2025/000001, LKS/2025/000002" in text and "Niets veranderd" in text
        recorded = _recorded(engine)
        assert _files(out / "beschikkingen") == {"LKS-2025-000001.html": recorded["LKS/2025/000001"][0],
                                                 "LKS-2025-000001.pdf": recorded["LKS/2025/000001"][1],
                                                 "LKS-2025-000002.html": recorded["LKS/2025/000002"][0]}


def test_the_cli_batch_restores_and_says_so(request, backend, tmp_path, monkeypatch):
    from tests.foundation.helpers import Cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    with _engine(request, backend, tmp_path) as engine:
        out = tmp_path / "out"
        url = engine.url.render_as_string(hide_password=False)
        process = multiprocessing.get_context("fork").Process(
            target=_child, args=(url, str(out), "beschikkingen.na_vastleggen"))
        process.start()
        process.join(120)
        assert process.exitcode == -9
        result = Cli(url)("beschikkingen", "make", "--datum", "2025-01-18", "--out", out)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "Hersteld uit de vastgelegde gegevens" in text
        assert "LKS/2025/000001, LKS/2025/000002" in text and "Niets veranderd" in text
        recorded = _recorded(engine)
        assert _files(out / "beschikkingen")["LKS-2025-000002.html"] == recorded["LKS/2025/000002"][0]
