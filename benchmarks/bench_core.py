"""Benchmark of the calculation core alone: plaatsing-months per second and peak memory.

    .venv/bin/python benchmarks/bench_core.py [N_PLAATSINGEN] [VAN] [TOT]

The shipped WML table ends on 2026-06-30 (rekenregels §5). To time the target of 60 months,
this benchmark runs on a *copy* of the parameter files whose WML is marked valid until
2027-12-31 (amounts are not checked here; correctness is the tests' job).
"""
from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_input  # noqa: E402

from lks.calc import Policy, calculate  # noqa: E402
from lks.parameters import Parameters  # noqa: E402
from lks.paths import PARAMETERS_DIR  # noqa: E402


def benchmark_parameters() -> Parameters:
    tmp = Path(tempfile.mkdtemp())
    for path in PARAMETERS_DIR.glob("*.yaml"):
        text = path.read_text()
        if path.stem in ("wml_maandloon", "wml_uurloon"):
            text = text.replace("valid_until: 2026-06-30", "valid_until: 2027-12-31")
        (tmp / path.name).write_text(text)
    params = Parameters.load(tmp)
    shutil.rmtree(tmp)
    return params


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    van = sys.argv[2] if len(sys.argv) > 2 else "2023-01"  # 2023-01..2027-12: 60 months
    tot = sys.argv[3] if len(sys.argv) > 3 else "2027-12"
    params = benchmark_parameters()
    calc_input = synthetic_input(n, first=f"{van}-01", last="2027-12-31", all_active=True)
    t0 = time.perf_counter()
    result = calculate(calc_input, van, tot, params, Policy())
    seconds = time.perf_counter() - t0
    rows = len(result.plaatsing_maanden)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"core: {n} plaatsingen, {van}..{tot}: {rows:,} plaatsing-maanden in {seconds:.2f} s "
          f"= {rows / seconds:,.0f} per s; piekgeheugen proces {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
