"""The demo's controller step: budgets and capacity from the Het Hogeland plan, a recovered
vordering, a ledger export with one seeded misbooking (beschut werk booked on the
re-integratiebudget, as in the 2018-2019 memo), a camt.053 bank statement with one rejected
payment, and the reports in ``demo-out/rapport/``. The identities must hold."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.facts import load_facts
from lks.verantwoording.rapport import maak_rapport
from lks.verantwoording.invoer import (betalingen_voor_bank, grootboek_csv, importeer_camt053, importeer_grootboek,
                                       maak_camt053, open_vorderingen, voeg_ontvangst_toe, zet_budget, zet_capaciteit)
from lks.verantwoording.uitvoer import write_html, write_xlsx

UTC = dt.timezone.utc
CONTROLLER = "r.dijkstra"  # controller who records budgets and reads in the exports
PLAN = "Re-integratiebeleid Participatiewet Het Hogeland 2024-2028"
REKENINGEN = {"buig": "623110 LKS BUIG", "reintegratie": "623120 Re-integratie ontwikkelbaan"}
WEIGERREDEN = "AC04"  # rekening opgeheven
JAREN = (2025, 2026)


def _beschut_betaling(engine, betalingen: list[dict]) -> dict | None:
    """The first payment whose lines are all beschut werk: the memo's misbooking candidate."""
    with Session(engine) as s:
        rows = s.execute(select(Betaalrun.periode, Betaalrun.volgnummer, Betaalregel.werkgever_id,
                                Betaalregel.budget, Betaalregel.regeling)
                         .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)).all()
    regelingen: dict[tuple, set] = {}
    for periode, volgnummer, werkgever, budget, regeling in rows:
        regelingen.setdefault((f"{periode}-{volgnummer}", werkgever, budget), set()).add(regeling)
    for b in betalingen:
        if regelingen.get((b["kenmerk"], b["werkgever_id"], b["budget"])) == {"beschut"}:
            return b
    return None


def verantwoording_demo(out: Path, engine, settings, params, now: dt.datetime) -> dict:
    folder = Path(out) / "rapport"
    folder.mkdir(parents=True, exist_ok=True)
    zet_budget(engine, 2025, "reintegratie", 887_000_00, f"{PLAN}: re-integratiebudget (begroot 2024, € 887.000)",
               CONTROLLER, now)
    zet_budget(engine, 2025, "buig", 1_400_000_00, "demo: raming LKS-deel van de BUIG-uitgaven 2025", CONTROLLER, now)
    zet_budget(engine, 2026, "reintegratie", 887_000_00, f"{PLAN}: re-integratiebudget", CONTROLLER, now)
    zet_budget(engine, 2026, "buig", 1_550_000_00, "demo: raming LKS-deel van de BUIG-uitgaven 2026", CONTROLLER, now)
    for jaar in JAREN:
        zet_capaciteit(engine, jaar, {"beschut_taakstelling": 43, "ontwikkelbanen": 16, "ontwikkelbaan_uren": 32},
                       f"{PLAN}: taakstelling beschut 43 (Stcrt. 22-12-2023), 16 ontwikkelbanen van 32 uur",
                       CONTROLLER, now)

    # a werkgever pays back its open vordering (the next run would otherwise set it off)
    ontvangsten = []
    with Session(engine) as s:
        openstaand = open_vorderingen(s)
    for vordering_id, v in sorted(openstaand.items()):
        if v["open"] > 0:
            voeg_ontvangst_toe(engine, v["werkgever_id"], v["budget"], v["open"], dt.date(2025, 6, 16), vordering_id,
                               f"terugbetaling vordering {vordering_id}", CONTROLLER, now)
            ontvangsten.append((v["werkgever_id"], v["open"]))
            break

    betalingen = betalingen_voor_bank(engine)
    namen = dict(load_facts(engine).werkgevers[["werkgever_id", "naam"]].itertuples(index=False))
    misboeking = _beschut_betaling(engine, betalingen)
    afwijkend = {misboeking["end_to_end_id"]: "reintegratie"} if misboeking else {}
    ledger = folder / "grootboekexport-2025-2026.csv"
    ledger.write_bytes(grootboek_csv(betalingen, REKENINGEN, afwijkend))
    importeer_grootboek(engine, ledger, CONTROLLER, now)

    geweigerd = next((b for b in betalingen if b["periode"] == "2025-11" and b["budget"] == "reintegratie"),
                     betalingen[0] if betalingen else None)
    camt = folder / "camt053-2025-2026.xml"
    camt.write_bytes(maak_camt053(betalingen, settings.gemeente.iban.replace(" ", ""), "HOGELAND-LKS-2026-06",
                                  now, {geweigerd["end_to_end_id"]: WEIGERREDEN} if geweigerd else {}, namen))
    importeer_camt053(engine, camt, CONTROLLER, now)

    result = {"misboeking": misboeking, "geweigerd": geweigerd, "ontvangsten": ontvangsten, "bestanden": []}
    for jaar in JAREN:
        rapport = maak_rapport(engine, jaar, params, settings, bestanden=Path(out) / "betaalruns", now=now)
        if not rapport.identiteiten_kloppen:
            fouten = [f"{c.code}: {u}" for c in rapport.controles if c.code.startswith("I") for u in c.uitzonderingen]
            raise RuntimeError("identiteiten kloppen niet in de demo: " + "; ".join(fouten[:10]))
        result["bestanden"] += [write_xlsx(rapport, folder / f"rapport-{jaar}.xlsx"),
                                write_html(rapport, folder / f"rapport-{jaar}.html")]
        result[jaar] = rapport
    return result


def leesmij_tekst(v: dict) -> str:
    """The LEESMIJ section about ``rapport/``."""
    from lks.nl import euro
    m, g = v.get("misboeking"), v.get("geweigerd")
    r25 = v.get(2025)
    sisa = ""
    if r25 is not None:
        s = r25.sisa.set_index("budget")
        sisa = (f"  SiSa 2025: besteding LKS art. 10d (BUIG, incl. beschut) {euro(s.loc['buig', 'besteding'])}, "
                f"baten {euro(s.loc['buig', 'baten'])}; ontwikkelbaan {euro(s.loc['reintegratie', 'besteding'])}.\n")
    ontv = "".join(f"  Werkgever {w} heeft zijn vordering van {euro(b)} terugbetaald (`lks ontvangst add`).\n"
                   for w, b in v.get("ontvangsten", []))
    return f"""- `rapport/` — de verantwoording voor de controller (`lks rapport --jaar 2025 --xlsx … --html …`):
  - `rapport-2025.html` en `rapport-2026.html`: lasten per maand tegen het budget (grafieken),
    budget en prognose, capaciteit tegen het plan (16 ontwikkelbanen van 32 uur, taakstelling
    beschut werk 43), SiSa, alle controles met hun uitzonderingen, grootboek en bank;
    2026 toont de prognose voor juli-december met het laatst bekende WML (gemarkeerd);
  - `rapport-2025.xlsx` en `rapport-2026.xlsx`: dezelfde overzichten, één blad per overzicht;
  - `grootboekexport-2025-2026.csv`: de boekingen zoals het financiële systeem ze exporteert,
    met één bewust ingezaaide misboeking: {f"betaling {m['end_to_end_id']} ({euro(m['bedrag_cent'])}, beschut werk) staat op het re-integratiebudget in plaats van BUIG" if m else "geen"},
    de fout uit de memo re-integratie 2018-2019. De grootboekcontrole vangt hem;
  - `camt053-2025-2026.xml`: het bankafschrift van alle betalingen, waarin {f"betaling {g['end_to_end_id']} ({euro(g['bedrag_cent'])}) is teruggeboekt (reden {WEIGERREDEN}, rekening opgeheven)" if g else "niets is geweigerd"};
    de bankcontrole meldt hem als geweigerd.
  Budgetten: re-integratiebudget € 887.000 (plan Het Hogeland), BUIG-deel LKS een demoraming.
{ontv}{sisa}  De identiteiten (betaalregels = SEPA + verrekend − nieuwe vorderingen = controletotaal van het
  pain.001-bestand, goedgekeurd = betaald, budget volgt de regeling, geen maand dubbel betaald,
  berekend − betaald = openstaande correcties) worden bij elke demorun gecontroleerd.
"""
