"""Databases for the reliability tests: the trial gemeente (tests/reliability/trial.py) prepared
once per backend, and a factory of fresh copies (SQLite: file copy; PostgreSQL: CREATE
DATABASE … TEMPLATE)."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from tests.foundation.helpers import drop_database, new_database, create_database
from tests.reliability import trial


class Copies:
    def __init__(self, backend: str, template: str, server=None, directory: Path | None = None):
        self.backend, self.template, self.server, self.directory = backend, template, server, directory
        self.made: list[str] = []

    def new(self) -> str:
        if self.backend == "sqlite":
            path = self.directory / f"kopie-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        name = "lks_rel_" + uuid.uuid4().hex[:10]
        self.made.append(name)
        return create_database(self.server, name, template=self.template)

    def cleanup(self) -> None:
        for name in self.made:
            drop_database(self.server, name)
        self.made.clear()


@pytest.fixture(scope="session")
def _prepared(request, tmp_path_factory):
    """backend -> (template, reference outcome), made on first use."""
    cache: dict = {}

    def get(backend: str):
        if backend not in cache:
            directory = tmp_path_factory.mktemp(f"rel-{backend}")
            if backend == "sqlite":
                path = directory / "trial-template.db"
                shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
                trial.prepare(f"sqlite:///{path}", directory / "in")
                copies = Copies(backend, str(path), directory=directory)
            else:
                server = request.getfixturevalue("pg_server")
                name = "lks_rel_tpl_" + uuid.uuid4().hex[:8]
                url = create_database(server, name, template=request.getfixturevalue("pg_template"))
                trial.prepare(url, directory / "in")
                copies = Copies(backend, name, server=server, directory=directory)
            url = copies.new()
            out = directory / "referentie-out"
            trial.run_sequence(url, out)
            cache[backend] = (copies, trial.snapshot(url))
        return cache[backend]

    # The templates live as long as the throwaway server (dropped with it): the server, asked
    # for lazily, is torn down before this fixture could drop them.
    yield get


@pytest.fixture
def trial_db(_prepared, backend, tmp_path):
    """(factory of fresh copies of the trial gemeente, reference outcome of a run without crash)."""
    copies, reference = _prepared(backend)
    copies.directory = tmp_path if backend == "sqlite" else copies.directory
    yield copies, reference
    if backend == "postgresql":
        copies.cleanup()


@pytest.fixture
def small_db(request, backend, tmp_path):
    """A fresh database with the small gemeente of tests/betaalrun imported."""
    import datetime as dt

    from lks.db import make_engine
    from lks.importer import import_directory
    from tests.betaalrun.conftest import gemeente_dir

    with new_database(request, backend, tmp_path) as url:
        engine = make_engine(url)
        import_directory(engine, gemeente_dir(tmp_path / "in"),
                         recorded_at=dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc))
        engine.dispose()
        yield url
