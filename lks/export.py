"""The calculation export of interfaces.md §3: one row per plaatsing per month, exactly two
decimals with a dot, sorted by plaatsing_id, periode. Other tools compare against this file,
so its bytes depend only on the result.

The file is written from the columns, not row by row: the few distinct texts (each
plaatsing_id once, each periode/regeling/budget combination, each reden) are rendered by
Python's csv module — the writer pandas' ``to_csv`` uses, so quoting is the same — and the
rows are assembled as a matrix of 4-byte words, NUL-padded, whose bytes are joined with the
padding removed. An amount is looked up per 4 digits in a table of their texts. The bytes are
those of ``calculation_frame(...).to_csv(index=False, lineterminator="\\n")`` (the reference,
still used where the fast path does not apply; tests/calc/test_export.py compares both).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from lks.atomic import atomic_file
from lks.calc.model import RESULT_COLUMNS

AMOUNTS = ("lks_basis", "werkgeverslasten", "lks_totaal")
TEXTS = ("periode", "regeling", "budget", "reden")
ROWS_PER_BLOCK = 250_000  # rows assembled at once: bounds the memory of the word matrix


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
    blocks = _blocks(plaatsing_maanden)
    with atomic_file(path, durable=False) as handle:   # as before: derived, made again by rerunning
        if blocks is None:  # a frame the fast path does not handle: the reference writer
            calculation_frame(plaatsing_maanden).to_csv(handle, index=False, lineterminator="\n",
                                                        encoding="utf-8")
        else:
            for block in blocks:
                handle.write(block)
    return len(plaatsing_maanden)


# --- writing from the columns -------------------------------------------------------------

def _fields(values) -> list[str] | None:
    """Each value as the csv module writes it as a field within a row (quoted where needed);
    None when a value is not text or holds a NUL (the fast path removes NUL bytes)."""
    values = list(values)
    if not all(isinstance(value, str) for value in values):
        return None
    joined = "".join(values)
    if "\0" in joined:
        return None
    if not any(c in joined for c in _BIJZONDER):  # nothing to quote: the text is the field
        return values
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    texts = []
    for value in values:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([value, ""])
        texts.append(buffer.getvalue()[:-2])  # without the "," and "\n" of the second field
    return texts


_BIJZONDER = ',"\r\n'  # a field with one of these is quoted (csv.QUOTE_MINIMAL); else as is


def _words(texts: list[str]) -> np.ndarray:
    """Texts as a (len, w) matrix of 4-byte words: each text's UTF-8 bytes, NUL-padded."""
    encoded = [t.encode("utf-8") for t in texts]
    width = max(1, -(-max((len(e) for e in encoded), default=0) // 4))
    return np.frombuffer(np.array(encoded, dtype=f"S{4 * width}").tobytes(),
                         dtype=np.uint32).reshape(len(encoded), width)


_ZONDER_NULLEN = _words([str(i) for i in range(10_000)])[:, 0]   # '7', '42', '1065'
_MET_NULLEN = _words([f"{i:04d}" for i in range(10_000)])[:, 0]  # '0007', '0042', '1065'
_CENTEN = _words([f".{i:02d}," for i in range(100)])[:, 0]       # '.05,' with the separator
_MIN = np.frombuffer(b"-\0\0\0", dtype=np.uint32)[0]
_NIETS = np.uint32(0)


def _amount_words(cents: np.ndarray) -> list[np.ndarray]:
    """Integer cents as the words of '-1065.05,' (sign, whole euros per 4 digits, cents and
    separator), NUL-padded: what ``cents_to_text`` writes, plus the comma."""
    whole, frac = np.divmod(np.abs(cents), 100)
    groups = 1
    largest = int(whole.max()) if whole.size else 0
    while largest >= 10 ** (4 * groups):
        groups += 1
    words = [np.where(cents < 0, _MIN, _NIETS)] if (cents < 0).any() else []
    for k in range(groups - 1, -1, -1):
        digits = (whole // 10 ** (4 * k)) % 10_000
        higher = whole >= 10 ** (4 * (k + 1))   # digits above this group: keep its zeros
        if k == 0:
            words.append(np.where(higher, _MET_NULLEN[digits], _ZONDER_NULLEN[digits]))
        else:
            here = whole >= 10 ** (4 * k)
            words.append(np.where(higher, _MET_NULLEN[digits],
                                  np.where(here, _ZONDER_NULLEN[digits], _NIETS)))
    words.append(_CENTEN[frac])
    return words


def _codes(series: pd.Series) -> tuple[np.ndarray, list] | None:
    """Integer codes and the distinct values of a text column (None among them for a
    missing value, which pandas writes as an empty field)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        values = list(series.cat.categories)
    else:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
        values = list(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(values), codes)
        values.append("")
    return codes, values


def _blocks(frame: pd.DataFrame):
    """The export's bytes in blocks, or None when the frame is not one the fast path handles
    exactly (then the caller writes it with pandas)."""
    header = (",".join(RESULT_COLUMNS) + "\n").encode("utf-8")
    if len(frame) == 0:
        return [header]
    ids, new = _runs(frame)
    if not _sorted(frame, ids, new):
        frame = frame.sort_values(["plaatsing_id", "periode"], kind="stable")
        ids, new = _runs(frame)
    firsts = np.flatnonzero(new)
    run = np.repeat(np.arange(len(firsts)), np.diff(firsts, append=len(ids)))
    id_texts = _fields(ids[firsts])
    columns = {name: _codes(frame[name]) for name in TEXTS}
    texts = {name: _fields(values) for name, (_, values) in columns.items()}
    if id_texts is None or any(t is None for t in texts.values()):
        return None
    try:
        amounts = [frame[name].to_numpy(dtype=np.int64) for name in AMOUNTS]
    except (TypeError, ValueError):
        return None
    # periode, regeling and budget are adjacent: one word table for the combinations present
    (p, periodes), (r, regelingen), (b, budgets) = (columns[n] for n in ("periode", "regeling", "budget"))
    combinatie = (p * len(regelingen) + r) * len(budgets) + b
    present = np.flatnonzero(np.bincount(combinatie))
    index = np.zeros(int(present[-1]) + 1, dtype=np.int64)
    index[present] = np.arange(len(present))
    combinatie = index[combinatie]
    combinaties = [f"{texts['periode'][c // (len(regelingen) * len(budgets))]},"
                   f"{texts['regeling'][c // len(budgets) % len(regelingen)]},"
                   f"{texts['budget'][c % len(budgets)]}," for c in present.tolist()]
    id_words = _words([t + "," for t in id_texts])
    combinatie_words = _words(combinaties)
    reden, _ = columns["reden"]
    reden_texts = [t + "\n" for t in texts["reden"]]
    reden_words = _words(reden_texts)
    reden_width = np.array([-(-len(t.encode("utf-8")) // 4) for t in reden_texts])

    def blocks():
        yield header
        for lo in range(0, len(ids), ROWS_PER_BLOCK):
            rows = slice(lo, lo + ROWS_PER_BLOCK)
            parts = [id_words[run[rows]], combinatie_words[combinatie[rows]]]
            for cents in amounts:
                parts.extend(word[:, None] for word in _amount_words(cents[rows]))
            codes = reden[rows]
            parts.append(reden_words[codes, :int(reden_width[codes].max())])
            yield np.concatenate(parts, axis=1).tobytes().translate(None, b"\0")

    return blocks()


def _runs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The plaatsing_ids and where a new one starts (compared with the row before)."""
    ids = frame["plaatsing_id"].to_numpy(dtype=object)
    new = np.empty(len(ids), dtype=bool)
    new[:1] = True
    new[1:] = ids[1:] != ids[:-1]
    return ids, new


def _sorted(frame: pd.DataFrame, ids: np.ndarray, new: np.ndarray) -> bool:
    """Whether the rows are already in the export's order (the core returns them so): each
    plaatsing's rows together, the plaatsingen ascending, the periodes ascending within."""
    periode = frame["periode"]
    if isinstance(periode.dtype, pd.CategoricalDtype):
        codes = periode.cat.codes.to_numpy()
        categories = list(periode.cat.categories)
        if periode.cat.ordered or categories != sorted(categories) or (codes < 0).any():
            return False  # pandas sorts by category order, missing values last: let it
        rank = codes
    else:
        rank = periode.to_numpy(dtype=object)
    firsts = ids[new]
    try:
        return bool(np.all(firsts[1:] > firsts[:-1]) and np.all(new[1:] | (rank[1:] >= rank[:-1])))
    except TypeError:  # values that do not compare: let pandas sort (or refuse) as before
        return False
