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


TOTAL_COLUMNS = ["plaatsing_id", "periode", "werkgever_id", "regeling", "budget",
                 "lks_basis", "werkgeverslasten", "bedrag"]
"""What approved runs paid per plaatsing-month so far (the ``betaald_totaal`` table): the sums
of the lines, and werkgever, regeling and budget of the last line."""


def paid_totals(paid: pd.DataFrame) -> pd.DataFrame:
    """Paid lines (PAID_COLUMNS, oldest first) summed per plaatsing-month: TOTAL_COLUMNS."""
    if not len(paid):
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    return (paid.groupby(KEY, sort=False, observed=True)
            .agg(werkgever_id=("werkgever_id", "last"), regeling=("regeling", "last"),
                 budget=("budget", "last"), lks_basis=("lks_basis", "sum"),
                 werkgeverslasten=("werkgeverslasten", "sum"), bedrag=("bedrag", "sum"))
            .reset_index()[TOTAL_COLUMNS])


def payment_lines(calculated: pd.DataFrame, paid: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Delta lines for a run of ``periode``.

    calculated: the core's plaatsing_maanden up to and including ``periode`` (current knowledge).
    paid: one row per earlier approved line (PAID_COLUMNS; ``bedrag`` = lks_totaal delta).
    A plaatsing-month paid before but no longer calculated (e.g. an end date moved back) gets
    a line that takes the whole amount back."""
    return payment_lines_against_totals(calculated, paid_totals(paid), periode)


def payment_lines_against_totals(calculated: pd.DataFrame, totals: pd.DataFrame, periode: str,
                                 teksten=None) -> pd.DataFrame:
    """``payment_lines`` against what was paid per plaatsing-month (TOTAL_COLUMNS, one row per
    plaatsing-month, as ``paid_totals`` or the ``betaald_totaal`` table give it). Without the
    text columns werkgever_id, regeling and budget in ``totals``, ``teksten(keys)`` gives them
    for the plaatsing-months taken back (the only ones that need them).

    By columns: every plaatsing-month becomes one integer key (plaatsing × month), the
    calculation and the totals are aligned on it, and only the plaatsing-months whose amounts
    differ become rows of the result (a monthly run: tens of thousands out of millions)."""
    # months as codes into their few distinct texts, the run's later months left out
    mcode_c, maanden_c = _factorize(calculated, "periode")
    calc = calculated
    later = np.asarray([m > periode for m in maanden_c], dtype=bool)
    if later.any():
        binnen = ~later[mcode_c]
        calc, mcode_c = calculated[binnen], mcode_c[binnen]
    mcode_t, maanden_t = _factorize(totals, "periode")
    maanden = pd.Index(sorted(set(maanden_c) | set(maanden_t)))
    mcode_c = maanden.get_indexer(maanden_c)[mcode_c] if len(mcode_c) else mcode_c
    mcode_t = maanden.get_indexer(maanden_t)[mcode_t] if len(mcode_t) else mcode_t
    ids_c, ids_t = _text(calc, "plaatsing_id"), _text(totals, "plaatsing_id")
    # integer keys: plaatsing code × number of months + month code (months in order)
    code_c, uniek_c = _codes(ids_c)
    code_t, uniek_t = _codes(ids_t)
    extra = uniek_t[pd.Index(uniek_c).get_indexer(uniek_t) < 0]
    plaatsingen = pd.Index(np.concatenate([uniek_c, extra]))
    code_t = plaatsingen.get_indexer(uniek_t)[code_t]
    width = max(len(maanden), 1)
    key_c = code_c * width + mcode_c
    key_t = code_t * width + mcode_t
    maandtekst = np.asarray(list(maanden), dtype=object)
    mnd_c, mnd_t = maandtekst[mcode_c], maandtekst[mcode_t]
    if not pd.Index(key_t).is_unique:
        raise ValueError("betaalde totalen: een plaatsing-maand komt meer dan eens voor")
    where = _positions(key_c, key_t)
    found = where >= 0

    def bedragen(frame, column):
        return frame[column].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, dtype=np.int64)

    betaald = {c: np.zeros(len(calc), dtype=np.int64) for c in ("lks_basis", "werkgeverslasten", "bedrag")}
    for column, values in betaald.items():
        values[where[found]] = bedragen(totals, column)[found]
    totaal_c = bedragen(calc, "lks_totaal")
    d_basis = bedragen(calc, "lks_basis") - betaald["lks_basis"]
    d_wgl = bedragen(calc, "werkgeverslasten") - betaald["werkgeverslasten"]
    d_bedrag = totaal_c - betaald["bedrag"]
    rows_c = np.flatnonzero((d_bedrag != 0) | (d_basis != 0))
    weg = np.flatnonzero(~found)  # paid, no longer calculated: the whole amount back
    t_basis, t_bedrag = -bedragen(totals, "lks_basis")[weg], -bedragen(totals, "bedrag")[weg]
    keep_t = (t_bedrag != 0) | (t_basis != 0)
    rows_t = weg[keep_t]
    if "werkgever_id" not in totals.columns:
        totals = _met_teksten(totals, rows_t, ids_t, mnd_t, teksten)

    def samen(column, links, rechts):
        return np.concatenate([_text(calc, column, rows_c) if len(calc) else links[:0],
                               _text(totals, column, rows_t) if len(totals) else rechts[:0]])

    leeg = np.empty(0, dtype=object)
    maand = np.concatenate([mnd_c[rows_c], mnd_t[rows_t]]).astype(object)
    lines = pd.DataFrame({
        "plaatsing_id": np.concatenate([ids_c[rows_c], ids_t[rows_t]]).astype(object),
        "werkgever_id": samen("werkgever_id", leeg, leeg),
        "regeling": samen("regeling", leeg, leeg),
        "budget": samen("budget", leeg, leeg),
        "periode": maand,
        "soort": np.where(maand == periode, "regulier", "correctie"),
        "lks_basis": np.concatenate([d_basis[rows_c], t_basis[keep_t]]),
        "werkgeverslasten": np.concatenate([d_wgl[rows_c], -bedragen(totals, "werkgeverslasten")[rows_t]]),
        "bedrag": np.concatenate([d_bedrag[rows_c], t_bedrag[keep_t]]),
        "berekend_totaal": np.concatenate([totaal_c[rows_c], np.zeros(len(rows_t), dtype=np.int64)]),
    })
    for column in ("plaatsing_id", "werkgever_id", "regeling", "budget", "periode"):
        lines[column] = lines[column].astype(str)
    return lines.sort_values(["werkgever_id", "budget", "plaatsing_id", "periode"]).reset_index(drop=True)


def _met_teksten(totals: pd.DataFrame, rows: np.ndarray, ids: np.ndarray, maanden: np.ndarray,
                 teksten) -> pd.DataFrame:
    """``totals`` with werkgever_id, regeling and budget filled in for ``rows`` (from
    ``teksten``); the other rows' texts are never used."""
    keys = pd.DataFrame({"plaatsing_id": ids[rows], "periode": maanden[rows]})
    found = teksten(keys) if len(rows) else pd.DataFrame(columns=["plaatsing_id", "periode", "werkgever_id",
                                                                  "regeling", "budget"])
    found = keys.merge(found, on=["plaatsing_id", "periode"], how="left", validate="one_to_one")
    if found[["werkgever_id", "regeling", "budget"]].isna().any().any():
        raise ValueError("betaalde totalen: werkgever, regeling of budget van een plaatsing-maand ontbreekt")
    totals = totals.copy()
    for column in ("werkgever_id", "regeling", "budget"):
        values = np.empty(len(totals), dtype=object)
        values[rows] = found[column].to_numpy(dtype=object)
        totals[column] = values
    return totals


def _text(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> np.ndarray:
    """A text column (its ``rows``) as an object array of str (categories resolved once
    each; values that are not text as ``str`` makes them)."""
    if not len(frame):
        return np.empty(0, dtype=object)
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = np.asarray([str(c) for c in values.cat.categories] + ["nan"], dtype=object)
        codes = values.cat.codes.to_numpy()
        return categories[codes if rows is None else codes[rows]]  # code -1 (missing): "nan"
    values = values.to_numpy(dtype=object)
    if rows is not None:
        values = values[rows]
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        values = np.array([str(v) for v in values.tolist()], dtype=object)
    return values


def _factorize(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """(code per row, the distinct texts) of a low-cardinality text column: a categorical's
    own codes, else pandas' factorize."""
    if not len(frame):
        return np.empty(0, dtype=np.int64), []
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        texts = [str(c) for c in values.cat.categories]
        if (codes < 0).any():  # a missing value reads "nan", as astype(str) gives it
            codes = np.where(codes < 0, len(texts), codes)
            texts.append("nan")
        return codes, texts
    codes, uniques = pd.factorize(values.astype(str).to_numpy(dtype=object))
    return codes.astype(np.int64), [str(u) for u in uniques]


def _codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, distinct values in order of appearance). Rows of one plaatsing come
    together (the core's result, the totals by key): then comparing each row with the one
    before finds them without hashing every row; otherwise pandas factorizes."""
    if len(ids) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    new = np.empty(len(ids), dtype=bool)
    new[0] = True
    new[1:] = ids[1:] != ids[:-1]
    firsts = ids[new]
    if pd.Index(firsts).is_unique:
        return np.cumsum(new) - 1, firsts
    codes, uniques = pd.factorize(ids)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _positions(key_c: np.ndarray, key_t: np.ndarray) -> np.ndarray:
    """For each key of ``key_t`` its row in ``key_c`` (unique keys), -1 where it has none."""
    if len(key_c) == 0:
        return np.full(len(key_t), -1, dtype=np.int64)
    if len(key_c) < 2 or (key_c[1:] > key_c[:-1]).all():  # the core's order: no hash table
        pos = np.minimum(np.searchsorted(key_c, key_t), len(key_c) - 1)
        return np.where(key_c[pos] == key_t, pos, -1)
    return pd.Index(key_c).get_indexer(key_t)


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
