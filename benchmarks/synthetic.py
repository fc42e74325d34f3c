"""Synthetic plaatsingen for benchmarks: deterministic, realistic mix of regelingen and facts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from lks.calc.model import VERLOONDE_UREN_COLUMNS, CalcInput


def synthetic_input(n: int, first: str = "2023-01-01", last: str = "2026-06-30", seed: int = 1,
                    all_active: bool = False, verloond: float = 0.0) -> CalcInput:
    """``all_active``: every plaatsing runs the whole range (n × months result rows).
    ``verloond``: the share of plaatsingen paid on verloonde uren (rekenregels §7), with hours
    for their months from 2024 (the hourly WML starts then): about 5 % of months missing,
    3 % with 0 hours, the rest 0-200 h (some above the cao maximum)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.datetime64(first, "D"), np.datetime64(last, "D")
    span = int((hi - lo).astype(int))
    ids = np.array([f"P{i:06d}" for i in range(n)], dtype=object)
    regeling = rng.choice(np.array(["lks", "beschut", "ontwikkelbaan"], dtype=object), n, p=[0.75, 0.17, 0.08])
    start = lo + rng.integers(0, span // 3, n).astype("timedelta64[D]")
    start = np.where(regeling == "ontwikkelbaan", np.maximum(start, np.datetime64("2024-01-01")), start)
    ends = start + rng.integers(200, 2000, n).astype("timedelta64[D]")
    einde = np.where(rng.random(n) < 0.4, ends, np.datetime64("NaT"))
    if all_active:
        start = np.where(regeling == "ontwikkelbaan", lo, lo - rng.integers(0, 400, n).astype("timedelta64[D]"))
        regeling = np.where(regeling == "ontwikkelbaan", "beschut", regeling).astype(object)
        einde = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    voltijd = rng.choice([3600, 3800, 4000], n)
    contract = np.where(regeling == "ontwikkelbaan", 3200, rng.integers(12, 41, n) * 100)
    geboorte = start - (rng.integers(17 * 365, 60 * 365, n)).astype("timedelta64[D]")
    plaatsingen = pd.DataFrame({
        "plaatsing_id": ids, "werkgever_id": np.array([f"W{i % (n // 2 + 1):05d}" for i in range(n)], dtype=object),
        "regeling": regeling, "startdatum": start, "einddatum": einde,
        "contracturen": contract, "voltijdsuren": voltijd, "geboortedatum": geboorte,
    })
    lks = np.flatnonzero(regeling == "lks")
    lw_first = start[lks] + rng.integers(0, 120, lks.size).astype("timedelta64[D]")
    lw_second = lw_first + 365
    loonwaarden = pd.DataFrame({
        "plaatsing_id": np.concatenate([ids[lks], ids[lks]]),
        "ingangsdatum": np.concatenate([lw_first, lw_second]),
        "loonwaarde": rng.integers(0, 10001, 2 * lks.size),
    })
    some = rng.choice(n, n // 10, replace=False)
    urenwijzigingen = pd.DataFrame({
        "plaatsing_id": ids[some],
        "ingangsdatum": start[some] + rng.integers(1, 700, some.size).astype("timedelta64[D]"),
        "contracturen": rng.integers(12, 41, some.size) * 100,
        "voltijdsuren": voltijd[some],
    })
    if not verloond:
        return CalcInput(plaatsingen, loonwaarden, urenwijzigingen)
    is_v = rng.random(n) < verloond
    # before 2024 there is no hourly WML: verloond plaatsingen start then at the earliest
    start_2024 = np.maximum(start, np.datetime64("2024-01-01"))
    plaatsingen["startdatum"] = np.where(is_v, start_2024, start)
    plaatsingen["urenbasis"] = np.where(is_v, "verloond", "contract").astype(object)
    months = np.arange(np.datetime64("2024-01", "M"), hi.astype("datetime64[M]") + 1)
    v_idx = np.flatnonzero(is_v)
    pid = np.repeat(ids[v_idx], months.size)
    maand = np.tile(months, v_idx.size)
    kind = rng.random(pid.size)
    uren = np.where(kind < 0.03, 0, rng.integers(0, 20_001, pid.size))
    keep = kind >= 0.08  # 5 % of the months have no hours yet
    verloonde_uren = pd.DataFrame({
        "plaatsing_id": pid[keep],
        "periode": np.datetime_as_string(months, unit="M").astype(object)[np.tile(np.arange(months.size), v_idx.size)][keep],
        "uren": uren[keep],
    }, columns=VERLOONDE_UREN_COLUMNS)
    return CalcInput(plaatsingen, loonwaarden, urenwijzigingen, verloonde_uren)
