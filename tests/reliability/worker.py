"""A separate OS process that performs betaalrun steps against one database URL, as a user at
the command line would (the concurrency and crash tests start several of these at once).

    python -m tests.reliability.worker '<json spec>'

spec: {"url": ..., "stappen": [["aanvragen", periode, gebruiker], ["berekenen", periode,
gebruiker], ["goedkeuren", periode, gebruiker], ["exporteren", periode, gebruiker, map]],
"klaar": path (touched when imports are done), "start": path (waited for before the first
step)}. Prints one JSON line per step: {"stap", "ok"} or {"stap", "fout"} — a Dutch message of
BetaalrunFout/BestandFout. Anything else escapes as a traceback, which the tests forbid."""
from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from lks.betaalrun import lifecycle as lc
from lks.betaalrun.bestand import BestandFout, maak_bestanden
from lks.db import make_engine
from lks.parameters import Parameters
from lks.settings import load_settings

UTC = dt.timezone.utc
NOW = dt.datetime(2025, 3, 20, 9, 0, tzinfo=UTC)   # fixed: results are comparable across runs
UITVOERDATUM = dt.date(2025, 3, 25)


def settings():
    return load_settings()


def run_step(engine, stap, params, instellingen):
    soort, periode, gebruiker, *rest = stap
    if soort == "aanvragen":
        lc.aanvragen(engine, periode, gebruiker, NOW)
    elif soort == "berekenen":
        lc.berekenen(engine, periode, gebruiker, NOW, params, instellingen)
    elif soort == "goedkeuren":
        lc.goedkeuren(engine, periode, gebruiker, NOW + dt.timedelta(hours=1), UITVOERDATUM)
    elif soort == "exporteren":
        maak_bestanden(engine, periode, None, gebruiker, NOW + dt.timedelta(hours=2), instellingen,
                       Path(rest[0]), specificaties=False)
    else:
        raise SystemExit(f"onbekende stap {soort}")


def main(spec: dict) -> None:
    params, instellingen = Parameters.load(), settings()
    engine = make_engine(spec["url"])
    if spec.get("klaar"):
        Path(spec["klaar"]).touch()
    if spec.get("start"):
        deadline = time.monotonic() + 60
        while not Path(spec["start"]).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
    for stap in spec["stappen"]:
        try:
            run_step(engine, stap, params, instellingen)
            print(json.dumps({"stap": stap[0], "ok": True}), flush=True)
        except (lc.BetaalrunFout, BestandFout) as exc:
            print(json.dumps({"stap": stap[0], "fout": str(exc)}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
