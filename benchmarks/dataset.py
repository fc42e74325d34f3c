"""A synthetic gemeente of N plaatsingen as import CSV files (valid IBANs and BSNs), for the
end-to-end benchmarks. Deterministic."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from schwifty import IBAN


def _bsn(n: int) -> str:
    base = f"{10_000_000 + n:08d}"
    weights = range(9, 1, -1)
    for last in range(10):
        if (sum(int(c) * w for c, w in zip(base, weights)) - last) % 11 == 0:
            return base + str(last)
    return _bsn(n + 20_000_000)


def write_dataset(directory: Path, n: int, seed: int = 7, all_active_from: str | None = None) -> Path:
    """``all_active_from`` (a date): every plaatsing runs from on or before that date without
    end, so N plaatsingen × M months are N × M plaatsing-months (ontwikkelbanen become
    beschut: their parameters start in 2024); a tenth works 32.5 or 24.75 hours."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_werkgevers = max(1, n // 4)
    with open(directory / "werkgevers.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer", "postcode", "plaats"])
        for i in range(n_werkgevers):
            iban = IBAN.generate("NL", bank_code="RABO", account_code=f"{100000 + i:010d}")
            w.writerow([f"W{i:06d}", f"Werkgever {i}", f"{10000000 + i}", str(iban), "RABONL2U",
                        "Hoofdstraat", str(1 + i % 200), "9981 AA", "Uithuizen"])
    regeling = rng.choice(["lks", "beschut", "ontwikkelbaan"], n, p=[0.75, 0.17, 0.08])
    start_offset = rng.integers(0, 700, n)
    with open(directory / "werknemers.csv", "w", newline="", encoding="utf-8") as fw, \
            open(directory / "plaatsingen.csv", "w", newline="", encoding="utf-8") as fp, \
            open(directory / "loonwaarden.csv", "w", newline="", encoding="utf-8") as fl:
        ww, wp, wl = (csv.writer(x, lineterminator="\n") for x in (fw, fp, fl))
        ww.writerow(["werknemer_id", "bsn", "naam", "geboortedatum"])
        wp.writerow(["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                     "contracturen", "voltijdsuren"])
        wl.writerow(["plaatsing_id", "ingangsdatum", "loonwaarde"])
        base = np.datetime64("2024-01-01")
        if all_active_from is not None:
            regeling = np.where(regeling == "ontwikkelbaan", "beschut", regeling)
            base = np.datetime64(all_active_from) - 400
            start_offset = rng.integers(0, 401, n)
        for i in range(n):
            start = base + int(start_offset[i])
            ww.writerow([f"N{i:06d}", _bsn(i), f"Werknemer {i}", str(start - 365 * int(20 + i % 40))])
            uren = "32" if regeling[i] == "ontwikkelbaan" else str(16 + i % 25)
            einde = str(start + 900) if i % 3 == 0 else ""
            if all_active_from is not None:
                einde = ""
                uren = ("32.5", "24.75")[i % 2] if i % 10 == 0 else uren
            wp.writerow([f"P{i:06d}", f"N{i:06d}", f"W{i % n_werkgevers:06d}", regeling[i], str(start), einde,
                         uren, str([36, 38, 40][i % 3])])
            if regeling[i] == "lks":
                wl.writerow([f"P{i:06d}", str(start + int(i % 90)), str(20 + i % 70)])
    return directory
