"""The demo's mistake and how it is undone (issue 14 §3: ``intrekkingen.csv``).

On 2 September 2025 the gemeente records a new lks plaatsing at a werkgever from
1 September, but for the wrong werknemer: someone who works elsewhere (the clerk picked the
wrong name). It is paid, as forfait (Pw art. 10d lid 5), in the runs of September and
October. On 4 November 2025 the mistake is found: one delivery withdraws the plaatsing with
its reason (``intrekkingen.csv``), records the right werknemer and the right plaatsing, and
the loonwaarde measured for him. The beschikkingen of 18 November withdraw the first
plaatsing's verlening (intrekkingsbeschikking, Awb art. 4:48) and grant the right one; the
November run takes back what was paid on the wrong plaatsing (negative deltas) and sets it
off against the werkgever's other amounts — exactly as for any late fact, no special path.

Everything is derived from the demo gemeente's own final state, deterministically.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from lks.db.models_beschikking import Beschikking, BeschikkingPlaatsing
from lks.db.models_betaalrun import Betaalregel, Betaalrun, Betaling, Vordering
from lks.identifiers import check_bsn, mask_bsn
from lks.nl import datum, euro

VERGISSING_OP = dt.date(2025, 9, 2)
ONTDEKT_OP = dt.date(2025, 11, 4)
START = dt.date(2025, 9, 1)
FOUT, GOED, NIEUWE_WERKNEMER = "P9001", "P9002", "N9001"
NIEUWE_NAAM = "Tjeerd Wiersma"
LOONWAARDE = "55"


@dataclass(frozen=True)
class Vergissing:
    werkgever_id: str
    werkgever_naam: str
    voltijdsuren: str
    verkeerde_werknemer_id: str
    verkeerde_naam: str
    bsn: str  # of the right, new werknemer

    @property
    def reden(self) -> str:
        return (f"plaatsing ingevoerd voor de verkeerde werknemer: {self.verkeerde_naam} in plaats van "
                f"{NIEUWE_NAAM}")


def kies(tables: dict) -> Vergissing:
    """The werkgever: the first (by id) with an lks plaatsing on contracturen running through
    September to November 2025 and without a cao change; the wrong werknemer: the first (by
    id) working at another werkgever then."""
    werkgevers = {w["werkgever_id"]: w for w in tables["werkgevers.csv"]}
    namen = {w["werknemer_id"]: w["naam"] for w in tables["werknemers.csv"]}

    def loopt(p) -> bool:
        return (p["startdatum"] <= "2025-09-01" and (not p["einddatum"] or p["einddatum"] >= "2025-11-30"))
    # a plaatsing on contracturen: the mistake copies its werkgever's hours, and an oproepkracht
    # (verloonde uren) has none to copy
    lopend = [p for p in tables["plaatsingen.csv"] if p["regeling"] == "lks" and loopt(p)
              and p.get("urenbasis", "contract") != "verloond"]
    werkgever = min(p["werkgever_id"] for p in lopend if p["voltijdsuren"] in ("36", "38", "36.00", "38.00"))
    bij = next(p for p in sorted(lopend, key=lambda p: p["plaatsing_id"]) if p["werkgever_id"] == werkgever)
    elders = min(p["werknemer_id"] for p in lopend if p["werkgever_id"] != werkgever)
    bekend = {w["bsn"] for w in tables["werknemers.csv"]}
    bsn = next(b for b in (f"{n:09d}" for n in range(223_344_550, 223_345_000))
               if b not in bekend and _elfproef(b))
    return Vergissing(werkgever, werkgevers[werkgever]["naam"], bij["voltijdsuren"], elders, namen[elders], bsn)


def _elfproef(bsn: str) -> bool:
    try:
        check_bsn(bsn)
    except ValueError:
        return False
    return True


def _schrijf(folder: Path, naam: str, rows: list[list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / naam, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


PLAATSING_KOP = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                 "contracturen", "voltijdsuren"]


def levering_vergissing(v: Vergissing, folder: Path) -> Path:
    """2 September 2025: the plaatsing, for the wrong werknemer."""
    _schrijf(folder, "plaatsingen.csv", [PLAATSING_KOP, [FOUT, v.verkeerde_werknemer_id, v.werkgever_id, "lks",
                                                         START.isoformat(), "", "32", v.voltijdsuren]])
    return folder


def levering_correctie(v: Vergissing, folder: Path) -> Path:
    """4 November 2025: the withdrawal with its reason, the right werknemer and plaatsing, and
    the loonwaarde measured for him."""
    _schrijf(folder, "intrekkingen.csv", [["bestand", "plaatsing_id", "sleutel", "reden"],
                                          ["plaatsingen", FOUT, "", v.reden]])
    _schrijf(folder, "werknemers.csv", [["werknemer_id", "bsn", "naam", "geboortedatum"],
                                        [NIEUWE_WERKNEMER, v.bsn, NIEUWE_NAAM, "1991-04-23"]])
    _schrijf(folder, "plaatsingen.csv", [PLAATSING_KOP, [GOED, NIEUWE_WERKNEMER, v.werkgever_id, "lks",
                                                         START.isoformat(), "", "32", v.voltijdsuren]])
    _schrijf(folder, "loonwaarden.csv", [["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                         [GOED, START.isoformat(), LOONWAARDE]])
    return folder


def verslag(engine: Engine, v: Vergissing) -> list[str]:
    """What happened, from the database: the payments on the wrong plaatsing, the correcting
    run, the verrekening or vordering, and the letters."""
    with Session(engine) as s:
        regels = s.execute(
            select(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode, Betaalregel.bedrag)
            .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
            .where(Betaalregel.plaatsing_id.in_((FOUT, GOED)))
            .order_by(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode)).all()
        correctie_run = min((r for r, p, _, b in regels if p == FOUT and b < 0), default=None)
        betaling = vordering = None
        if correctie_run is not None:
            run_id = s.scalar(select(Betaalrun.id).where(Betaalrun.periode == correctie_run))
            betaling = s.execute(select(Betaling.bruto, Betaling.verrekend, Betaling.bedrag).where(
                Betaling.betaalrun_id == run_id, Betaling.werkgever_id == v.werkgever_id,
                Betaling.budget == "buig")).first()
            vordering = s.scalar(select(Vordering.bedrag).where(
                Vordering.betaalrun_id == run_id, Vordering.werkgever_id == v.werkgever_id, Vordering.budget == "buig"))
        brieven = s.execute(
            select(Beschikking.soort, Beschikking.kenmerk, Beschikking.datum, BeschikkingPlaatsing.plaatsing_id)
            .join(BeschikkingPlaatsing, BeschikkingPlaatsing.beschikking_id == Beschikking.id)
            .where(BeschikkingPlaatsing.plaatsing_id.in_((FOUT, GOED)))
            .order_by(Beschikking.id)).all()
    betaald = [(run, m, b) for run, p, m, b in regels if p == FOUT and b > 0]
    terug = [(m, b) for run, p, m, b in regels if p == FOUT and run == correctie_run and b < 0]
    goed = [(m, b) for run, p, m, b in regels if p == GOED and run == correctie_run]
    uit = [f"Op {datum(VERGISSING_OP)} is plaatsing {FOUT} bij {v.werkgever_naam} ({v.werkgever_id}) vastgelegd voor "
           f"de verkeerde werknemer ({v.verkeerde_naam}). Betaald als forfait: "
           + ", ".join(f"{m} {euro(b)} (betaalrun {run})" for run, m, b in betaald) + "."]
    uit.append(f"Op {datum(ONTDEKT_OP)} is de vergissing ontdekt: intrekkingen.csv trekt {FOUT} in met de reden "
               f"'{v.reden}'; dezelfde levering legt de juiste werknemer {NIEUWE_NAAM} (BSN {mask_bsn(v.bsn)}) vast, "
               f"met plaatsing {GOED} per {datum(START)} en loonwaarde {LOONWAARDE} %.")
    if correctie_run is not None:
        uit.append(f"Betaalrun {correctie_run} corrigeert: {FOUT} "
                   + ", ".join(f"{m} {euro(b)}" for m, b in terug) + "; " + GOED + " "
                   + ", ".join(f"{m} {euro(b)}" for m, b in goed) + ".")
        if betaling is not None:
            bruto, verrekend, bedrag = betaling
            uit.append(f"Verrekening: voor {v.werkgever_naam} (BUIG) zijn de negatieve regels van {FOUT} in die run "
                       f"verrekend met de bedragen voor {GOED} en de andere plaatsingen van de werkgever; saldo "
                       f"{euro(bruto)}"
                       + (f", waarvan {euro(verrekend)} met een eerdere vordering" if verrekend else "")
                       + f"; uitbetaald {euro(bedrag)}. Een negatief bedrag gaat nooit naar de bank.")
        if vordering:
            uit.append(f"Wat niet te verrekenen was, staat als vordering open: {euro(vordering)}.")
    for soort, kenmerk, dag, pid in brieven:
        if soort in ("intrekking", "verlening") and dag >= ONTDEKT_OP:
            uit.append(f"Brief {kenmerk} ({soort}, {datum(dag)}) over {pid}: beschikkingen/{kenmerk.replace('/', '-')}.html")
    return uit
