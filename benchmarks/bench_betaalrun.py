"""Benchmark of a betaalrun on SQLite: N plaatsingen (default 10,000) with 24 months of retro
recalculation (plaatsingen from 2024, run for 2025-12, nothing paid before): request +
calculate + approve + SEPA file and specificaties (HTML/CSV). Target: under 15 s.

    .venv/bin/python benchmarks/bench_betaalrun.py [N]
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import write_dataset  # noqa: E402

from lks.betaalrun import lifecycle as lc  # noqa: E402
from lks.betaalrun.bestand import maak_bestanden  # noqa: E402
from lks.db import init_database, make_engine  # noqa: E402
from lks.importer import import_directory  # noqa: E402
from lks.parameters import Parameters  # noqa: E402
from lks.settings import load_settings  # noqa: E402

UTC = dt.timezone.utc


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    settings = load_settings()
    settings = settings.model_copy(update={"betaalrun": settings.betaalrun.model_copy(update={"eerste_periode": None})})
    params = Parameters.load()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = f"sqlite:///{tmp / 'bench.db'}"
        init_database(url)
        engine = make_engine(url)
        import_directory(engine, write_dataset(tmp / "in", n), recorded_at=dt.datetime(2025, 12, 1, tzinfo=UTC))
        now = dt.datetime(2025, 12, 18, 9, tzinfo=UTC)
        timings = {}
        t = time.perf_counter()
        lc.aanvragen(engine, "2025-12", "m.jansen", now)
        info = lc.berekenen(engine, "2025-12", "m.jansen", now, params, settings)
        timings["aanvragen + berekenen"] = time.perf_counter() - t
        t = time.perf_counter()
        lc.goedkeuren(engine, "2025-12", "a.bakker", now, dt.date(2025, 12, 24))
        timings["goedkeuren"] = time.perf_counter() - t
        t = time.perf_counter()
        maak_bestanden(engine, "2025-12", None, "m.jansen", now, settings, tmp / "out", specificaties=False)
        timings["SEPA-bestand (XSD-gevalideerd)"] = time.perf_counter() - t
        t = time.perf_counter()
        result = maak_bestanden(engine, "2025-12", None, "m.jansen", now, settings, tmp / "out")
        timings["specificaties HTML + CSV (en SEPA opnieuw)"] = time.perf_counter() - t
    total = sum(v for k, v in timings.items() if not k.startswith("specificaties"))
    print(f"betaalrun 2025-12, {n:,} plaatsingen, 24 maanden terug: {info['regels']:,} betaalregels, "
          f"{result.specificaties:,} specificaties")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.2f} s")
    print(f"  totaal berekenen + goedkeuren + SEPA-bestand: {total:.2f} s")


if __name__ == "__main__":
    main()
