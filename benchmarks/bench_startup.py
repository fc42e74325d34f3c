"""Start-up of the command line as a whole process (interpreter included), the way a user
waits for it: ``lks --help`` and ``lks betaalrun list`` on the demo database.

    .venv/bin/python benchmarks/bench_startup.py [DEMO_DB] [REPEATS=10]

Prints the median and the fastest of REPEATS runs. Without DEMO_DB only ``lks --help`` is
timed (make the demo database with ``lks demo``: demo-out/lks-demo.db). The demo database
links the account that made it to the demo medewerker, so ``betaalrun list`` runs as that user.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

LKS = str(Path(sys.executable).parent / "lks")


def timed(args: list[str], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([LKS, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    demo = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    cases = [("lks --help", ["--help"])]
    if demo is not None:
        cases.append(("lks betaalrun list (demo)", ["--db", f"sqlite:///{demo}", "betaalrun", "list"]))
    for name, args in cases:
        median, best = timed(args, repeats)
        print(f"{name:32} median {median:.3f} s   fastest {best:.3f} s   ({repeats} runs)")


if __name__ == "__main__":
    main()
