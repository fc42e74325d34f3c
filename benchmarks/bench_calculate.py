"""End-to-end benchmark of `lks calculate`: reading the database, calculating and writing the
CSV, for N plaatsingen × 12 months (target: 20,000 × 12 in under 5 s).

    .venv/bin/python benchmarks/bench_calculate.py [N]
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import write_dataset  # noqa: E402

LKS = str(Path(sys.executable).with_name("lks"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = f"sqlite:///{tmp / 'bench.db'}"
        write_dataset(tmp / "in", n)
        t0 = time.perf_counter()
        subprocess.run([LKS, "--db", db, "import", str(tmp / "in")], check=True, capture_output=True)
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([LKS, "--db", db, "calculate", "--from", "2025-01", "--to", "2025-12",
                        "--csv", str(tmp / "uit.csv")], check=True, capture_output=True, cwd=tmp)
        t_calc = time.perf_counter() - t0
        rows = sum(1 for _ in open(tmp / "uit.csv")) - 1
    print(f"lks import: {n:,} plaatsingen in {t_import:.1f} s")
    print(f"lks calculate: {n:,} plaatsingen × 12 maanden = {rows:,} rijen in {t_calc:.2f} s "
          f"(proces incl. opstarten, database lezen, CSV schrijven) = {rows / t_calc:,.0f} per s")


if __name__ == "__main__":
    main()
