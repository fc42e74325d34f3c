"""End-to-end benchmark of `lks calculate` as a whole process: start-up, reading the
database, calculating and writing the CSV, with the process's peak memory.

    .venv/bin/python benchmarks/bench_calculate.py [N] [REPEATS=3]
    .venv/bin/python benchmarks/bench_calculate.py --issue18 [REPEATS=3]

With N: N plaatsingen × 12 months (2025). ``--issue18`` prints the two figures of issue 18:
20,000 plaatsingen × 12 months (target < 1.2 s) and 50,000 plaatsingen × 42 months,
2023-01 … 2026-06, every plaatsing active in every month: 2.1 million plaatsing-months
(target < 4 s and < 1.5 GiB). Each calculation runs REPEATS times; the fastest counts (the
machine is shared), with the load average of the moment.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import write_dataset  # noqa: E402

LKS = str(Path(sys.executable).with_name("lks"))


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, peak RSS in MiB) of one ``lks`` process."""
    start = time.perf_counter()
    process = subprocess.Popen([LKS, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"lks {' '.join(args)}: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def case(tmp: Path, n: int, van: str, tot: str, repeats: int, all_active_from: str | None = None) -> None:
    db = f"sqlite:///{tmp / f'bench-{n}-{van}.db'}"
    data = write_dataset(tmp / f"in-{n}-{van}", n, all_active_from=all_active_from)
    t_import, _ = run(["--db", db, "import", str(data)], tmp)
    times = []
    for _ in range(repeats):
        times.append(run(["--db", db, "calculate", "--from", van, "--to", tot, "--csv", str(tmp / "uit.csv")], tmp))
    rows = sum(1 for _ in open(tmp / "uit.csv", "rb")) - 1
    seconds, peak = min(times)
    print(f"lks calculate: {n:,} plaatsingen, {van} … {tot} = {rows:,} plaatsing-maanden: "
          f"{seconds:.2f} s (snelste van {repeats}: {', '.join(f'{t:.2f}' for t, _ in times)}), "
          f"piek {max(p for _, p in times):,.0f} MiB; import {t_import:.1f} s; "
          f"load {os.getloadavg()[0]:.1f}")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--issue18"]
    repeats = int(args[1] if "--issue18" not in sys.argv and len(args) > 1 else
                  args[0] if "--issue18" in sys.argv and args else 3)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "--issue18" in sys.argv:
            case(tmp, 20_000, "2025-01", "2025-12", repeats)
            case(tmp, 50_000, "2023-01", "2026-06", repeats, all_active_from="2023-01-01")
        else:
            case(tmp, int(args[0]) if args else 20_000, "2025-01", "2025-12", repeats)


if __name__ == "__main__":
    main()
