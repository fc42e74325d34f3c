"""National scale on PostgreSQL: N plaatsingen (default 50,000) in a throwaway PostgreSQL
server (pgserver), with history from 2023-01 — the first month the shipped WML parameters
cover (parameters/ starts 2023-01-01, so "5 years back" is capped there: 42 months up to
2026-06, the last month the WML table covers; ontwikkelbanen from 2024, where their
parameters start).

Two runs: 2026-05 pays the whole history at once (the worst case: a first run or a migration
from another system), is approved and exported; 2026-06 then recalculates all 42 months
against everything already paid (the monthly steady state). Times per phase are printed.

    .venv/bin/python benchmarks/bench_scale_pg.py [N]
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from dataset import write_dataset  # noqa: E402

from lks.betaalrun import lifecycle as lc  # noqa: E402
from lks.betaalrun.bestand import maak_bestanden  # noqa: E402
from lks.db import init_database, make_engine  # noqa: E402
from lks.importer import import_directory  # noqa: E402
from lks.parameters import Parameters  # noqa: E402
from lks.settings import load_settings  # noqa: E402

UTC = dt.timezone.utc


def shift_back(directory: Path, days: int) -> None:
    """Move every lks and beschut plaatsing (and its loonwaarde) ``days`` earlier: history
    from 2023. Ontwikkelbanen stay: their parameters start 2024-01-01."""
    plaatsingen = pd.read_csv(directory / "plaatsingen.csv", dtype=str, keep_default_na=False)
    moved = set(plaatsingen.loc[plaatsingen["regeling"] != "ontwikkelbaan", "plaatsing_id"])
    for name, columns in (("plaatsingen.csv", ["startdatum", "einddatum"]), ("loonwaarden.csv", ["ingangsdatum"])):
        frame = pd.read_csv(directory / name, dtype=str, keep_default_na=False)
        for column in columns:
            rows = (frame[column] != "") & frame["plaatsing_id"].isin(moved)
            frame.loc[rows, column] = (pd.to_datetime(frame.loc[rows, column])
                                       - pd.Timedelta(days=days)).dt.strftime("%Y-%m-%d")
        frame.to_csv(directory / name, index=False, lineterminator="\n")


def main() -> None:
    import pgserver

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    settings = load_settings()
    settings = settings.model_copy(update={"betaalrun": settings.betaalrun.model_copy(
        update={"eerste_periode": "2023-01", "retro_jaren": 5})})
    params = Parameters.load()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
        try:
            url = "postgresql+psycopg://" + server.get_uri()[len("postgresql://"):]
            init_database(url)
            timings["PostgreSQL starten + schema"] = time.perf_counter() - t
            data = write_dataset(tmp / "in", n)
            shift_back(data, 365)
            engine = make_engine(url)
            t = time.perf_counter()
            import_directory(engine, data, recorded_at=dt.datetime(2026, 5, 1, tzinfo=UTC))
            timings[f"import {n:,} plaatsingen"] = time.perf_counter() - t
            infos = {}
            for periode, now in (("2026-05", dt.datetime(2026, 5, 18, 9, tzinfo=UTC)),
                                 ("2026-06", dt.datetime(2026, 6, 18, 9, tzinfo=UTC))):
                t = time.perf_counter()
                lc.aanvragen(engine, periode, "m.jansen", now)
                infos[periode] = lc.berekenen(engine, periode, "m.jansen", now, params, settings)
                timings[f"{periode} aanvragen + berekenen"] = time.perf_counter() - t
                t = time.perf_counter()
                lc.goedkeuren(engine, periode, "a.bakker", now, now.date() + dt.timedelta(days=7))
                timings[f"{periode} goedkeuren"] = time.perf_counter() - t
                t = time.perf_counter()
                maak_bestanden(engine, periode, None, "m.jansen", now, settings, tmp / "out", specificaties=False)
                timings[f"{periode} SEPA-bestand (XSD-gevalideerd)"] = time.perf_counter() - t
            engine.dispose()
        finally:
            server.cleanup()
    print(f"PostgreSQL, {n:,} plaatsingen, historie 2023-01 t/m 2026-06 (42 maanden):")
    for periode, info in infos.items():
        print(f"  run {periode}: {info['regels']:,} betaalregels ({info['correcties']:,} correcties), "
              f"{info['werkgevers']:,} werkgevers met betaling")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
