"""A delivery cannot be recorded before the knowledge moment (feiten_per) of a betaalrun that
is already calculated: that run's lines, and the letters that compare with what was known at
it, would no longer agree (a withdrawal dated back made a letter say nothing was paid)."""
from __future__ import annotations

import datetime as dt

import pytest

from lks.betaalrun import lifecycle as lc
from lks.importer import ImportFouten, import_directory
from lks.parameters import Parameters
from lks.settings import load_settings

from .helpers import dump, valid_files, write_files

UTC = dt.timezone.utc
KOP = ["bestand", "plaatsing_id", "sleutel", "reden"]


def _berekend(engine, tmp_path, now):
    import_directory(engine, write_files(tmp_path / "in", valid_files()), recorded_at=dt.datetime(2025, 2, 1, tzinfo=UTC))
    lc.aanvragen(engine, "2025-03", "piet", now)
    lc.berekenen(engine, "2025-03", "piet", now, Parameters.load(), load_settings())


def _intrekking(tmp_path):
    return write_files(tmp_path / "weg", {"intrekkingen.csv": [KOP, ["plaatsingen", "P001", "", "verkeerde werknemer"]]})


def test_a_withdrawal_dated_before_a_calculated_run_is_refused(engine, tmp_path):
    feiten_per = dt.datetime(2025, 3, 20, 9, 0, tzinfo=UTC)
    _berekend(engine, tmp_path, feiten_per)
    before = dump(engine)
    for moment in (dt.datetime(2025, 3, 1, tzinfo=UTC), feiten_per):
        with pytest.raises(ImportFouten) as info:
            import_directory(engine, _intrekking(tmp_path), recorded_at=moment)
        [fout] = info.value.fouten
        assert "ligt niet na het moment waarop betaalrun 2025-03-1 is berekend (2025-03-20T09:00:00Z" in str(fout)
        assert dump(engine) == before
    # a moment after the run's knowledge is fine: the next run corrects
    import_directory(engine, _intrekking(tmp_path), recorded_at=feiten_per + dt.timedelta(seconds=1))


def test_a_cancelled_run_is_no_basis(engine, tmp_path):
    _berekend(engine, tmp_path, dt.datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    lc.annuleren(engine, "2025-03", "piet", dt.datetime(2025, 3, 20, 10, 0, tzinfo=UTC))
    import_directory(engine, _intrekking(tmp_path), recorded_at=dt.datetime(2025, 3, 1, tzinfo=UTC))


def test_the_cli_refuses_with_one_dutch_line(cli, tmp_path):
    assert cli("import", write_files(tmp_path / "in", valid_files()), "--recorded-at", "2025-02-01").exit_code == 0
    assert cli("betaalrun", "request", "--periode", "2025-02").exit_code == 0
    assert cli("betaalrun", "calculate", "--periode", "2025-02").exit_code == 0  # feiten_per: now
    result = cli("import", _intrekking(tmp_path), "--recorded-at", "2025-03-01")
    assert result.exit_code == 1
    assert "ligt niet na het moment waarop betaalrun 2025-02-1 is berekend" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert "ingetrokken" not in result.stdout
