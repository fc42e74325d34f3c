"""The calculation export of interfaces.md §3: one row per plaatsing per month, exactly two
decimals with a dot, sorted by plaatsing_id, periode. Other tools compare against this file,
so its bytes depend only on the result."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lks.atomic import atomic_file
from lks.calc.model import RESULT_COLUMNS

AMOUNTS = ("lks_basis", "werkgeverslasten", "lks_totaal")


def cents_to_text(cents) -> np.ndarray:
    """Integer cents as '1234.56' (vectorised; negative amounts keep their sign)."""
    cents = np.asarray(cents, dtype=np.int64)
    if cents.size == 0:  # numpy's char.zfill cannot size an empty array
        return np.empty(cents.shape, dtype="<U4")
    sign = np.where(cents < 0, "-", "")
    whole, frac = np.divmod(np.abs(cents), 100)
    return np.char.add(np.char.add(sign, whole.astype(str)), np.char.add(".", np.char.zfill(frac.astype(str), 2)))


def calculation_frame(plaatsing_maanden: pd.DataFrame) -> pd.DataFrame:
    """The export's columns with amounts as text; zero plaatsing-months give a frame with the
    header only."""
    out = plaatsing_maanden[RESULT_COLUMNS].copy()
    for column in AMOUNTS:
        out[column] = cents_to_text(out[column].to_numpy())
    return out.sort_values(["plaatsing_id", "periode"], kind="stable")


def write_calculation_csv(plaatsing_maanden: pd.DataFrame, path: Path | str) -> int:
    """Write the export atomically (temporary file, then rename); returns the number of rows.
    Without plaatsing-months the file holds the header line only."""
    frame = calculation_frame(plaatsing_maanden)
    with atomic_file(path, durable=False) as handle:   # as before: derived, made again by rerunning
        frame.to_csv(handle, index=False, lineterminator="\n", encoding="utf-8")
    return len(frame)
