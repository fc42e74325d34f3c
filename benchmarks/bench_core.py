"""Benchmark of the calculation core alone: plaatsing-months per second and peak memory.

    .venv/bin/python benchmarks/bench_core.py [N_PLAATSINGEN] [VAN] [TOT] [--mix | --vergelijk] [--repeat K]

The shipped WML table ends on 2026-06-30 (rekenregels §5). To time the target of 60 months,
this benchmark runs on a *copy* of the parameter files whose WML is marked valid until
2028-12-31 (amounts are not checked here; correctness is the tests' job).

``--mix``: half the plaatsingen on verloonde uren (rekenregels §7), half on contracturen,
over 2024-01..2028-12 by default (60 months again: the hourly WML starts in 2024).

``--repeat K`` (default 5): the same calculation K times in one process. The first call pays
for fresh memory pages; the fastest call is the figure to compare, because on this shared
virtual machine the CPU time of the same work varies by up to 1.8x from run to run (other
guests), and the fastest run is the one least disturbed. Compare ``--mix`` with the contract
figure back to back, not with a figure measured at another moment: ``--vergelijk`` does that,
contract and mix in turns in one process, and prints the ratio (issue 15: at most 1.10).
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
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


def _input(n: int, mix: bool, van: str | None, tot: str | None):
    # 60 months: 2023-01..2027-12, or 2024-01..2028-12 with verloonde uren
    van = van or ("2024-01" if mix else "2023-01")
    tot = tot or ("2028-12" if mix else "2027-12")
    last = str((np.datetime64(tot, "M") + 1).astype("datetime64[D]") - 1)
    return van, tot, synthetic_input(n, first=f"{van}-01", last=last, all_active=True,
                                     verloond=0.5 if mix else 0.0)


def _timed(calc_input, van, tot, params) -> tuple[float, float, int]:
    t0, c0 = time.perf_counter(), time.process_time()
    rows = len(calculate(calc_input, van, tot, params, Policy()).plaatsing_maanden)
    return time.perf_counter() - t0, time.process_time() - c0, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=50_000)
    parser.add_argument("van", nargs="?")
    parser.add_argument("tot", nargs="?")
    parser.add_argument("--mix", action="store_true")
    parser.add_argument("--vergelijk", action="store_true",
                        help="contract and mix in turns in one process, with the ratio")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    params = benchmark_parameters()
    soorten = [False, True] if args.vergelijk else [args.mix]
    inputs = {mix: _input(args.n, mix, args.van, args.tot) for mix in soorten}
    seconds = {mix: [] for mix in soorten}
    cpu = {mix: [] for mix in soorten}
    rows = {}
    for _ in range(args.repeat):
        for mix in soorten:  # in turns: both see the same moments of the machine
            van, tot, calc_input = inputs[mix]
            wall, proc, rows[mix] = _timed(calc_input, van, tot, params)
            seconds[mix].append(wall)
            cpu[mix].append(proc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for mix in soorten:
        van, tot, _ = inputs[mix]
        best = min(seconds[mix])
        soort = "helft verloond" if mix else "contract"
        print(f"core ({soort}): {args.n} plaatsingen, {van}..{tot}: {rows[mix]:,} plaatsing-maanden; "
              f"snelste van {args.repeat} {best:.2f} s = {rows[mix] / best:,.0f} per s "
              f"(eerste {seconds[mix][0]:.2f} s, mediaan {statistics.median(seconds[mix]):.2f} s, "
              f"cpu snelste {min(cpu[mix]):.2f} s)")
    if args.vergelijk:
        print(f"helft verloond / contract: snelste {min(seconds[True]) / min(seconds[False]):.2f}, "
              f"mediaan {statistics.median(seconds[True]) / statistics.median(seconds[False]):.2f}")
    print(f"piekgeheugen proces {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
