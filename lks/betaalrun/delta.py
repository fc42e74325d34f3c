"""Payment lines and verrekening for one betaalrun — pure functions over frames.

rekenregels §4: a run recalculates every earlier month with what is known now and pays the
*delta* against everything already paid for that plaatsing-month (earlier corrections
included). Past lines are never edited. A negative balance of a werkgever is first set off
against its positive amounts in the run; what remains is a vordering carried to the next
run — never a negative or zero SEPA transaction.

Verrekening is per werkgever *and budget*: setting off a re-integratie correction against a
BUIG payment would move money between budgets, the misbooking controllers look for (§6).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEY = ["plaatsing_id", "periode"]
LINE_COLUMNS = ["plaatsing_id", "werkgever_id", "regeling", "budget", "periode", "soort",
                "lks_basis", "werkgeverslasten", "bedrag", "berekend_totaal"]
PAID_COLUMNS = ["plaatsing_id", "werkgever_id", "regeling", "budget", "periode",
                "lks_basis", "werkgeverslasten", "bedrag"]


def payment_lines(calculated: pd.DataFrame, paid: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Delta lines for a run of ``periode``.

    calculated: the core's plaatsing_maanden up to and including ``periode`` (current knowledge).
    paid: one row per earlier approved line (PAID_COLUMNS; ``bedrag`` = lks_totaal delta).
    A plaatsing-month paid before but no longer calculated (e.g. an end date moved back) gets
    a line that takes the whole amount back."""
    calc = calculated[["plaatsing_id", "werkgever_id", "regeling", "budget", "periode",
                       "lks_basis", "werkgeverslasten", "lks_totaal"]].copy()
    for column in ("plaatsing_id", "werkgever_id", "regeling", "budget", "periode"):
        calc[column] = calc[column].astype(str)
    calc = calc[calc["periode"] <= periode]
    if len(paid):
        done = (paid.groupby(KEY, sort=False, observed=True)
                .agg(werkgever_id=("werkgever_id", "last"), regeling=("regeling", "last"),
                     budget=("budget", "last"), paid_basis=("lks_basis", "sum"),
                     paid_wgl=("werkgeverslasten", "sum"), paid=("bedrag", "sum"))
                .reset_index())
    else:
        done = pd.DataFrame(columns=KEY + ["werkgever_id", "regeling", "budget",
                                           "paid_basis", "paid_wgl", "paid"])
    merged = calc.merge(done, on=KEY, how="outer", suffixes=("", "_paid"))
    for column in ("werkgever_id", "regeling", "budget"):
        merged[column] = merged[column].fillna(merged[f"{column}_paid"])
    amounts = ["lks_basis", "werkgeverslasten", "lks_totaal", "paid_basis", "paid_wgl", "paid"]
    merged[amounts] = merged[amounts].fillna(0).astype(np.int64)
    lines = pd.DataFrame({
        "plaatsing_id": merged["plaatsing_id"],
        "werkgever_id": merged["werkgever_id"],
        "regeling": merged["regeling"],
        "budget": merged["budget"],
        "periode": merged["periode"],
        "soort": np.where(merged["periode"] == periode, "regulier", "correctie"),
        "lks_basis": merged["lks_basis"] - merged["paid_basis"],
        "werkgeverslasten": merged["werkgeverslasten"] - merged["paid_wgl"],
        "bedrag": merged["lks_totaal"] - merged["paid"],
        "berekend_totaal": merged["lks_totaal"],
    })
    lines = lines[(lines["bedrag"] != 0) | (lines["lks_basis"] != 0)]
    return lines.sort_values(["werkgever_id", "budget", "plaatsing_id", "periode"]).reset_index(drop=True)


@dataclass(frozen=True)
class Verrekening:
    """The outcome of setting off per werkgever and budget.

    betalingen: werkgever_id, budget, bruto (Σ lines), verrekend (old vorderingen set off),
                bedrag (> 0, the SEPA amount);
    aflossingen: vordering_id, bedrag (how much of each open vordering is set off now);
    nieuwe_vorderingen: werkgever_id, budget, bedrag (> 0) from a net negative balance."""

    betalingen: pd.DataFrame
    aflossingen: pd.DataFrame
    nieuwe_vorderingen: pd.DataFrame


def verreken(lines: pd.DataFrame, open_vorderingen: pd.DataFrame) -> Verrekening:
    """Set off per werkgever and budget: negative lines against positive ones in the run,
    then open vorderingen (oldest first) against what is left. open_vorderingen columns:
    vordering_id, werkgever_id, budget, open (cents > 0), ordered oldest first."""
    saldo = (lines.groupby(["werkgever_id", "budget"], sort=True, observed=True)["bedrag"].sum()
             .rename("bruto").reset_index())
    aflossingen = []
    betalingen = []
    nieuwe = []
    vorderingen: dict[tuple, list] = {}
    for vordering_id, werkgever_id, budget, openstaand in open_vorderingen[
            ["vordering_id", "werkgever_id", "budget", "open"]].itertuples(index=False):
        vorderingen.setdefault((werkgever_id, budget), []).append((vordering_id, int(openstaand)))
    # one small loop per werkgever-budget pair: hundreds per run, not the hot path
    for werkgever_id, budget, bruto in saldo.itertuples(index=False):
        bruto = int(bruto)
        if bruto < 0:
            nieuwe.append((werkgever_id, budget, -bruto))
            continue
        beschikbaar = bruto
        verrekend = 0
        for vordering_id, openstaand in vorderingen.get((werkgever_id, budget), []):
            if beschikbaar == 0:
                break
            af = min(openstaand, beschikbaar)
            aflossingen.append((vordering_id, af))
            beschikbaar -= af
            verrekend += af
        if beschikbaar > 0:
            betalingen.append((werkgever_id, budget, bruto, verrekend, beschikbaar))
        elif verrekend:
            betalingen.append((werkgever_id, budget, bruto, verrekend, 0))
    betaal = pd.DataFrame(betalingen, columns=["werkgever_id", "budget", "bruto", "verrekend", "bedrag"])
    return Verrekening(
        betalingen=betaal,
        aflossingen=pd.DataFrame(aflossingen, columns=["vordering_id", "bedrag"]),
        nieuwe_vorderingen=pd.DataFrame(nieuwe, columns=["werkgever_id", "budget", "bedrag"]),
    )
