"""Benchmark of the calculation core alone: plaatsing-months per second and peak memory.

    .venv/bin/python benchmarks/bench_core.py [N_PLAATSINGEN] [VAN] [TOT] [--mix]

The shipped WML table ends on 2026-06-30 (rekenregels §5). To time the target of 60 months,
this benchmark runs on a *copy* of the parameter files whose WML is marked valid until
2028-12-31 (amounts are not checked here; correctness is the tests' job).

``--mix``: half the plaatsingen on verloonde uren (rekenregels §7), half on contracturen,
over 2024-01..2028-12 by default (60 months again: the hourly WML starts in 2024).
"""
from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from synthetic import synthetic_input  # noqa: E402

from lks.calc import Policy, calculate  # noqa: E402
from lks.parameters import Parameters  # noqa: E402
from lks.paths import PARAMETERS_DIR  # noqa: E402


def benchmark_parameters() -> Parameters:
    tmp = Path(tempfile.mkdtemp())
    for path in PARAMETERS_DIR.glob("*.yaml"):
        text = path.read_text()
        if path.stem in ("wml_maandloon", "wml_uurloon"):
            text = text.replace("valid_until: 2026-06-30", "valid_until: 2028-12-31")
        (tmp / path.name).write_text(text)
    params = Parameters.load(tmp)
    shutil.rmtree(tmp)
    return params


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--mix"]
    mix = "--mix" in sys.argv[1:]
    n = int(args[0]) if len(args) > 0 else 50_000
    # 60 months: 2023-01..2027-12, or 2024-01..2028-12 with verloonde uren
    van = args[1] if len(args) > 1 else ("2024-01" if mix else "2023-01")
    tot = args[2] if len(args) > 2 else ("2028-12" if mix else "2027-12")
    params = benchmark_parameters()
    last = str((np.datetime64(tot, "M") + 1).astype("datetime64[D]") - 1)
    calc_input = synthetic_input(n, first=f"{van}-01", last=last, all_active=True,
                                 verloond=0.5 if mix else 0.0)
    t0 = time.perf_counter()
    result = calculate(calc_input, van, tot, params, Policy())
    seconds = time.perf_counter() - t0
    rows = len(result.plaatsing_maanden)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    soort = "helft verloond" if mix else "contract"
    print(f"core ({soort}): {n} plaatsingen, {van}..{tot}: {rows:,} plaatsing-maanden in {seconds:.2f} s "
          f"= {rows / seconds:,.0f} per s; piekgeheugen proces {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
