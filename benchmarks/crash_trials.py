"""N crash trials (default 1,000): each starts from a fresh copy of a small gemeente whose
run 2025-02 is paid, kills a process (SIGKILL via LKS_CRASH_AT) at a random step of the run
2025-03 — optionally after an earlier calculation was committed — resumes, and checks the
outcome against a run without crash (tests/reliability/trial.py). Prints the counts of double
payments and lost lines; both must be 0 (exit code 1 otherwise).

    .venv/bin/python benchmarks/crash_trials.py [N] [--backend sqlite|postgresql|both]

PostgreSQL runs on a throwaway pgserver (test extras)."""
from __future__ import annotations

import argparse
import collections
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lks.db import init_database  # noqa: E402
from tests.foundation.helpers import create_database, drop_database  # noqa: E402
from tests.reliability import trial  # noqa: E402


def trials(backend: str, n: int, tmp: Path, rng: random.Random, server=None) -> dict:
    if backend == "sqlite":
        template = tmp / "template.db"
        init_database(f"sqlite:///{template}")
        trial.prepare(f"sqlite:///{template}", tmp / "in")

        def new():
            path = tmp / f"t-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}", lambda: path.unlink()
    else:
        init_database(create_database(server, "crash_tpl"))
        trial.prepare(server_url(server, "crash_tpl"), tmp / "in")

        def new():
            name = "t_" + uuid.uuid4().hex[:10]
            return create_database(server, name, template="crash_tpl"), lambda: drop_database(server, name)

    url, drop = new()
    trial.run_sequence(url, tmp / "ref")
    reference = trial.snapshot(url)
    drop()
    totals = collections.Counter()
    killed_at = collections.Counter()
    for i in range(n):
        crash_at = rng.choice(trial.CRASH_POINTS)
        prefix = rng.random() < 0.5
        url, drop = new()
        out = tmp / f"out-{i}"
        steps = trial.SEQUENCE
        if prefix:
            trial.run_sequence(url, out, steps[:2])
            steps = steps[2:]
        code = trial.crash(url, out, crash_at, steps)
        killed_at[crash_at] += code == -9
        trial.run_sequence(url, out)
        check = trial.problems(url, out, reference)
        totals["dubbele betalingen"] += check["dubbel"]
        totals["verloren regels"] += check["kwijt"]
        totals["andere afwijkingen"] += len(check["problemen"])
        drop()
        shutil.rmtree(out, ignore_errors=True)
    return {"totals": totals, "killed": killed_at}


def server_url(server, name):
    from tests.foundation.helpers import _psycopg_url
    return _psycopg_url(server.get_uri(name))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    bad = 0
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            server = None
            if backend == "postgresql":
                import pgserver
                server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
            n = args.n // len(backends) if args.backend == "both" else args.n
            t = time.perf_counter()
            (tmp / "work").mkdir()
            try:
                result = trials(backend, n, tmp / "work", rng, server)
            finally:
                if server is not None:
                    server.cleanup()
            print(f"{backend}: {n} proeven in {time.perf_counter() - t:.0f} s; "
                  f"gedood per stap: {dict(sorted(result['killed'].items()))}")
            for name in ("dubbele betalingen", "verloren regels", "andere afwijkingen"):
                print(f"  {name}: {result['totals'][name]}")
                bad += result["totals"][name]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
