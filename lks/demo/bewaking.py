"""The demo's last step: what the system refuses, shown on the demo gemeente after its last
month, through the same functions the command line uses.

- A werkgever's late delivery with errors (a BSN failing the elfproef, a date that does not
  exist) is refused whole, every error with file, line and column, and nothing is stored.
- The betaalrun of 2026-07, a month the shipped WML table (rekenregels §5) does not cover yet,
  is refused at calculation ("parameter ontbreekt"): no amount without its legal parameter.
  The request is cancelled again, so the demo database ends as the months left it.

Each refusal is checked: a step that was not refused, or a database that changed, stops the
demo with an error (the demo must never show a guard that does not hold)."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.orm import Session

from lks.app import betaalruns, leveringen
from lks.app.identiteit import Geweigerd
from lks.calc.core import CalcFout
from lks.db.models import Plaatsing
from lks.importer import ImportFouten
from lks.parameters import ParameterOntbreekt

ONGEDEKTE_PERIODE = "2026-07"


def _rijen(engine: Engine) -> dict[str, int]:
    """Rows per table: equal counts before and after show that nothing was stored."""
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar()
                for name in names}


def _foutieve_levering(folder: Path, plaatsing_id: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "werknemers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["werknemer_id", "bsn", "naam", "geboortedatum"],
            ["W9999", "123456789", "Nieuwe Werknemer", "1995-03-14"]])  # elfproef: 147 mod 11 = 4
    with open(folder / "loonwaarden.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["plaatsing_id", "ingangsdatum", "loonwaarde"],
            [plaatsing_id, "2026-02-30", "55"]])
    return folder


def bewaking_demo(o, staging: Path, now: dt.datetime, medewerker) -> list[str]:
    """Run the refusals (``o``: the application layer's Omgeving; ``medewerker``: the demo
    medewerker's identity); returns one Dutch line per refusal for the summary and LEESMIJ."""
    engine = o.engine
    regels = []
    voor = _rijen(engine)
    with Session(engine) as session:
        plaatsing_id = session.scalars(select(Plaatsing.plaatsing_id).order_by(Plaatsing.plaatsing_id)).first()
    try:
        leveringen.importeren(engine, medewerker, _foutieve_levering(staging / "foutieve-levering", plaatsing_id),
                              recorded_at=now, params=o.params)
    except ImportFouten as fouten:
        regels.append("Een levering met fouten is in zijn geheel geweigerd, er is niets opgeslagen: "
                      + "; ".join(str(f) for f in fouten.fouten) + ".")
    else:
        raise RuntimeError("demo: de foutieve levering is niet geweigerd")

    betaalruns.aanvragen(o, medewerker, ONGEDEKTE_PERIODE, now)
    try:
        betaalruns.berekenen(o, medewerker, ONGEDEKTE_PERIODE, now)
    except (ParameterOntbreekt, CalcFout) as fout:
        regels.append(f"Betaalrun {ONGEDEKTE_PERIODE} niet berekend: {fout}. De aanvraag is geannuleerd.")
    else:
        raise RuntimeError(f"demo: betaalrun {ONGEDEKTE_PERIODE} is berekend zonder WML-parameter")
    try:
        betaalruns.goedkeuren(o, medewerker, ONGEDEKTE_PERIODE, now)
    except Geweigerd as fout:
        regels.append(f"Goedkeuren door een medewerker: {fout}.")
    else:
        raise RuntimeError("demo: een medewerker kon een betaalrun goedkeuren")
    betaalruns.annuleren(o, medewerker, ONGEDEKTE_PERIODE, now)

    na = _rijen(engine)
    # the request and its cancellation are recorded (one run, its audit records): nothing else
    veranderd = {name for name in voor if voor[name] != na[name]}
    if not veranderd <= {"betaalrun", "audit_log"} or na["betaalrun"] != voor["betaalrun"] + 1:
        raise RuntimeError(f"demo: de weigeringen veranderden {sorted(veranderd)}")
    return regels
