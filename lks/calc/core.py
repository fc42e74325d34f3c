"""Vectorised, exact LKS calculation for many plaatsingen and months in one pass.

Shape of the computation (rekenregels §2 and §7):
1. every plaatsing's active window within the requested months;
2. change points: month starts, start and end, loonwaarde and hours facts, birthdays that
   change the jeugdloon band, the end of the forfait and of the ontwikkelbaan, and every
   parameter change date; between two change points every input is constant: a segment;
3. per segment, look up facts and parameters (searchsorted, no Python loop) and apply the
   rules of ``lks.calc.rules``;
4. per plaatsing-month, sum exactly in integers and round half up to cents at the two
   rounding points: for contracturen the segments' full-month amounts weighted by calendar
   days (§2), for verloonde uren the segments' hourly amounts times their share of the
   month's hours, each at most the segment's maximum (§7). The urenbasis is per plaatsing,
   so a plaatsing-month is one or the other; both go through the same exact sum.

Exactness without floats or big integers: every factor is an int64 numerator over a fixed
denominator; the month sum is carried as quotient and remainder so no intermediate product
leaves int64 (see ``_lks_basis``). Months whose terms would not fit fall back to
Python integers for those months only.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lks.calc import rules
from lks.calc.model import (SEGMENT_COLUMNS, URENBASES, URENBASIS_COLUMN, CalcInput, CalcResult,
                            Policy)
from lks.parameters import Parameter, ParameterOntbreekt, Parameters

_PERIODE = r"[0-9]{4}-(0[1-9]|1[0-2])"
CHUNK = 25_000  # plaatsingen per pass: bounds memory, not a per-plaatsing loop
_FACT_EPOCH = np.datetime64("1900-01-01", "D")
_MONTH_EPOCH = np.datetime64("1900-01", "M")
_INT64_SAFE = 2 ** 62


class CalcFout(ValueError):
    """Input the core cannot compute (e.g. a werknemer younger than 15)."""


def calculate(calc_input: CalcInput, van: str, tot: str, params: Parameters,
              policy: Policy = Policy(), explain: bool = False) -> CalcResult:
    """LKS per plaatsing per month for the months ``van``..``tot`` (YYYY-MM, inclusive).
    With ``explain`` the result also holds every day-segment with the values it used."""
    first = np.datetime64(van, "M")
    last = np.datetime64(tot, "M")
    if last < first:
        raise CalcFout(f"--to {tot} ligt voor --from {van}")
    window = (first.astype("datetime64[D]"), (last + 1).astype("datetime64[D]") - 1)
    plaatsingen = _plaatsing_arrays(calc_input.plaatsingen)
    facts = _FactTables(calc_input, plaatsingen["plaatsing_id"])
    look = _Lookup(params)
    maanden, segmenten = [], []
    n = len(plaatsingen["plaatsing_id"])
    for lo in range(0, n, CHUNK):
        chunk = {k: v[lo:lo + CHUNK] for k, v in plaatsingen.items()}
        m, s = _calculate_chunk(chunk, lo, facts, window, look, policy, explain)
        if m is not None:  # a chunk without any active plaatsing-month adds nothing
            maanden.append(m)
            segmenten.append(s)
    look.raise_missing()
    if not maanden:  # no plaatsing-month at all: the same columns and types, zero rows
        return CalcResult(_empty_months(window), _empty_segments() if explain else pd.DataFrame())
    return CalcResult(pd.concat(maanden, ignore_index=True),
                      pd.concat(segmenten, ignore_index=True) if explain else pd.DataFrame())


def _periodes(window) -> np.ndarray:
    return np.arange(window[0].astype("datetime64[M]"), window[1].astype("datetime64[M]") + 1)


def _month_frame(plaatsing_id, maand, window, regeling, lks_basis, werkgeverslasten, reden,
                 werkgever_id, actief, dagen_maand) -> pd.DataFrame:
    """The plaatsing_maanden frame (RESULT_COLUMNS + werkgever_id, dagen_actief, dagen_maand).
    Low-cardinality text as categoricals: building millions of strings costs more than the sums."""
    periodes = _periodes(window)
    return pd.DataFrame({
        "plaatsing_id": plaatsing_id,
        "periode": pd.Categorical.from_codes((maand - periodes[0]).astype(np.int64),
                                             categories=np.datetime_as_string(periodes, unit="M")),
        "regeling": pd.Categorical.from_codes(regeling, categories=rules.REGELINGEN),
        "budget": pd.Categorical.from_codes(rules.BUDGET_VAN_REGELING[regeling], categories=rules.BUDGETS),
        "lks_basis": lks_basis,
        "werkgeverslasten": werkgeverslasten,
        "lks_totaal": lks_basis + werkgeverslasten,
        "reden": pd.Categorical.from_codes(reden, categories=rules.REDEN_TEKST),
        "werkgever_id": werkgever_id,
        "dagen_actief": actief,
        "dagen_maand": dagen_maand,
    })


def _empty_months(window) -> pd.DataFrame:
    none = np.empty(0, dtype=np.int64)
    return _month_frame(np.empty(0, dtype=object), np.empty(0, dtype="datetime64[M]"), window,
                        none, none, none, none, np.empty(0, dtype=object), none, none)


def _empty_segments() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SEGMENT_COLUMNS})


def _days(series) -> np.ndarray:
    return pd.to_datetime(pd.Series(series)).to_numpy().astype("datetime64[D]")


def _plaatsing_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    # sorted by plaatsing_id once, so every later step yields rows in export order
    frame = frame.sort_values("plaatsing_id", kind="stable")
    regeling = frame["regeling"].map({r: i for i, r in enumerate(rules.REGELINGEN)})
    if regeling.isna().any():
        bad = frame.loc[regeling.isna(), "regeling"].iloc[0]
        raise CalcFout(f"onbekende regeling {bad!r}")
    einde = _days(frame["einddatum"])
    einde[np.isnat(einde)] = np.datetime64("9999-12-31", "D")
    return {
        "plaatsing_id": frame["plaatsing_id"].to_numpy(dtype=object),
        "werkgever_id": (frame["werkgever_id"].to_numpy(dtype=object) if "werkgever_id" in frame
                         else np.full(len(frame), None, dtype=object)),
        "regeling": regeling.to_numpy(dtype=np.int64),
        "start": _days(frame["startdatum"]),
        "einde": einde,
        "contracturen": frame["contracturen"].to_numpy(dtype=np.int64),
        "voltijdsuren": frame["voltijdsuren"].to_numpy(dtype=np.int64),
        "geboorte": _days(frame["geboortedatum"]),
        "verloond": _verloond(frame),
    }


def _verloond(frame: pd.DataFrame) -> np.ndarray:
    """urenbasis per plaatsing as a boolean (rekenregels §7): contract unless "verloond"."""
    if URENBASIS_COLUMN not in frame:
        return np.zeros(len(frame), dtype=bool)
    basis = frame[URENBASIS_COLUMN].astype(object).where(frame[URENBASIS_COLUMN].notna(), "contract")
    basis = basis.replace("", "contract")
    bad = ~basis.isin(URENBASES)
    if bad.any():
        row = frame[bad.to_numpy()].iloc[0]
        raise CalcFout(f"plaatsing {row['plaatsing_id']}: onbekende urenbasis "
                       f"{row[URENBASIS_COLUMN]!r} (contract of verloond)")
    return (basis == "verloond").to_numpy(dtype=bool)


def _indexer_by_runs(index: pd.Index, ids: np.ndarray) -> np.ndarray:
    """``index.get_indexer(ids)`` for ids that come in runs (a plaatsing's months together):
    one hash lookup per run instead of per row. Any order is correct, runs only make it fast."""
    if ids.size == 0:
        return np.empty(0, np.int64)
    heads = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    return np.repeat(index.get_indexer(ids[heads]), np.diff(np.r_[heads, ids.size]))


class _FactTables:
    """Dated facts sorted by (plaatsing index, ingangsdatum) for as-of lookups."""

    def __init__(self, calc_input: CalcInput, plaatsing_ids: np.ndarray):
        index = pd.Index(plaatsing_ids)
        self.loonwaarde = self._table(calc_input.loonwaarden, index, ["loonwaarde"])
        self.uren = self._table(calc_input.urenwijzigingen, index, ["contracturen", "voltijdsuren"])
        self.verloonde_uren = self._uren_tabel(*self._verloonde_uren(calc_input.verloonde_uren, index),
                                               len(index))

    @staticmethod
    def _verloonde_uren(frame: pd.DataFrame, index: pd.Index):
        """Verloonde uren sorted by key (plaatsing index << 32 | month): (keys, hours)."""
        if frame is None or len(frame) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # a few distinct months among many rows: check and parse each text once
        codes, texts = pd.factorize(frame["periode"], use_na_sentinel=False)
        texts = np.asarray(texts, dtype=object)
        ok = np.array([isinstance(t, str) and re.fullmatch(_PERIODE, t) is not None for t in texts], dtype=bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok[codes])[0])
            raise CalcFout(f"verloonde uren van plaatsing {frame['plaatsing_id'].iloc[i]}: periode "
                           f"{texts[codes[i]]!r} is geen maand JJJJ-MM")
        raw = frame["uren"].to_numpy()
        uren = raw.astype(np.int64)
        # month arithmetic on the distinct months, then spread over the rows by their code
        maanden = texts.astype("datetime64[M]")
        dagen_maand = ((maanden + 1).astype("datetime64[D]") - maanden.astype("datetime64[D]")).astype(np.int64)
        bad = None
        if raw.dtype.kind not in "iu" or uren.min() < 0 or uren.max() > 2400 * dagen_maand.min():
            # the full check per row only when a simple bound over all rows does not settle it
            bad = (uren != raw) | (uren < 0) | (uren > (2400 * dagen_maand)[codes])
        if bad is not None and bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CalcFout(f"verloonde uren van plaatsing {frame['plaatsing_id'].iloc[i]} in "
                           f"{texts[codes[i]]}: {raw[i]!r} is geen geheel aantal honderdsten uur "
                           f"tussen 0 en het aantal uren van de maand")
        pidx = _indexer_by_runs(index, frame["plaatsing_id"].to_numpy(dtype=object))
        key = (pidx.astype(np.int64) << 32) | (maanden - _MONTH_EPOCH).astype(np.int64)[codes]
        rows = np.flatnonzero(pidx >= 0)  # hours of plaatsingen outside this calculation are ignored
        if rows.size < pidx.size:
            key, uren = key[rows], uren[rows]
        if not (key[1:] > key[:-1]).all():  # facts come sorted by natural key: mostly no sort
            order = np.argsort(key, kind="stable")
            key, uren, rows = key[order], uren[order], rows[order]
        double = np.flatnonzero(key[1:] == key[:-1])
        if double.size:
            i = int(rows[double[0]])
            raise CalcFout(f"verloonde uren van plaatsing {frame['plaatsing_id'].iloc[i]} in "
                           f"{texts[codes[i]]} komen meer dan eens voor")
        return key, uren

    @staticmethod
    def _uren_tabel(keys: np.ndarray, uren: np.ndarray, n: int):
        """The sorted (key, hours) pairs as a table: a row per plaatsing with hours, a column
        per month from the first to the last month delivered; -1 where nothing was delivered.
        A lookup is then two array indexings instead of a binary search per segment. Hours
        spread over many years for few plaatsingen would make a sparse table: then None and
        the lookups search the sorted keys."""
        if keys.size == 0:
            return keys, uren, None
        p, m = keys >> 32, keys & 0xFFFFFFFF
        heads = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])  # keys are sorted: p in runs
        first, span = int(m.min()), int(m.max() - m.min()) + 1
        if heads.size * span > 4 * keys.size + 1_000_000:
            return keys, uren, None
        rij = np.full(n, -1, dtype=np.int64)
        rij[p[heads]] = np.arange(heads.size)
        tabel = np.full((heads.size, span), -1, dtype=np.int64)
        tabel[np.repeat(np.arange(heads.size), np.diff(np.r_[heads, p.size])), m - first] = uren
        return keys, uren, (rij, first, tabel)

    def verloond_in(self, pidx: np.ndarray, maand: np.ndarray):
        """For each (plaatsing, month): the verloonde uren (hundredths) and whether known."""
        keys, uren, tabel = self.verloonde_uren
        if keys.size == 0:
            return np.zeros(pidx.shape, np.int64), np.zeros(pidx.shape, bool)
        m = (maand - _MONTH_EPOCH).astype(np.int64)
        if tabel is not None:
            rij, first, values = tabel
            r, kolom = rij[pidx], m - first
            binnen = (r >= 0) & (kolom >= 0) & (kolom < values.shape[1])
            found = np.where(binnen, values[np.where(binnen, r, 0), np.where(binnen, kolom, 0)], -1)
            bekend = found >= 0
            return np.where(bekend, found, 0), bekend
        key = (pidx << 32) | m
        idx = np.minimum(np.searchsorted(keys, key), keys.size - 1)
        bekend = keys[idx] == key
        return np.where(bekend, uren[idx], 0), bekend

    @staticmethod
    def _table(frame: pd.DataFrame, index: pd.Index, columns: list[str]):
        pidx = index.get_indexer(frame["plaatsing_id"]) if len(frame) else np.empty(0, np.int64)
        known = pidx >= 0  # facts of plaatsingen outside this calculation are ignored
        day = _days(frame["ingangsdatum"])[known] if len(frame) else np.empty(0, "datetime64[D]")
        pidx = pidx[known].astype(np.int64)
        key = (pidx << 32) | (day - _FACT_EPOCH).astype(np.int64)
        order = np.argsort(key, kind="stable")
        values = {c: frame[c].to_numpy(dtype=np.int64)[known][order] for c in columns} if len(frame) else {c: np.empty(0, np.int64) for c in columns}
        return key[order], pidx[order], day[order], values

    @staticmethod
    def as_of(table, pidx: np.ndarray, day: np.ndarray):
        """For each (plaatsing, day): index of the fact valid on that day, or -1. A fact dated
        before startdatum holds from startdatum (rekenregels §2.2): the as-of lookup gives that."""
        keys, fact_pidx, _, _ = table
        key = (pidx << 32) | (day - _FACT_EPOCH).astype(np.int64)
        idx = np.searchsorted(keys, key, side="right") - 1
        ok = idx >= 0
        ok[ok] = fact_pidx[idx[ok]] == pidx[ok]
        return np.where(ok, idx, -1)


class _Ids:
    """The plaatsing ids of the rows of a lookup, as a selection to apply only when a message
    needs them (gathering millions of Python strings per lookup would cost more than the
    lookup itself)."""

    def __init__(self, ids: np.ndarray, *selections):
        self._ids = ids
        self._selections = selections

    def __getitem__(self, selection) -> "_Ids":
        return _Ids(self._ids, *self._selections, selection)

    def get(self) -> np.ndarray:
        ids = self._ids
        for selection in self._selections:
            ids = ids[selection]
        return np.asarray(ids, dtype=object)


class _Lookup:
    """Parameter values for many (plaatsing, day) pairs at once (searchsorted, no loop).

    A day without a known value (before the first ingangsdatum, or after ``valid_until``:
    rekenregels §5, never extrapolate) does not stop the pass at once: it is recorded with
    its plaatsingen and a placeholder index is returned, so that after every chunk
    ``raise_missing`` can name the quantity, the first day and *all* plaatsingen it stops on
    (issue 14). Whatever was computed with a placeholder is discarded by that raise."""

    SHOWN = 5  # plaatsing ids named in the message

    def __init__(self, params: Parameters):
        self.params = params
        self._dates = {}
        self.missing: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}

    def __getitem__(self, name: str) -> Parameter:
        return self.params[name]

    def index(self, name: str, days, ids: _Ids) -> np.ndarray:
        """Index into ``params[name].values`` for each day; ``ids``: the plaatsing of each day."""
        param = self.params[name]
        if name not in self._dates:
            self._dates[name] = np.array(param.dates, dtype="datetime64[D]")
        days = np.asarray(days, dtype="datetime64[D]")
        idx = np.searchsorted(self._dates[name], days, side="right") - 1
        bad = idx < 0
        if param.valid_until is not None:
            bad |= days > np.datetime64(param.valid_until, "D")
        if bad.any():
            self.missing.setdefault(name, []).append((days[bad], ids.get()[bad]))
            idx = np.maximum(idx, 0)
        return idx

    def fixed(self, name: str, days, ids: _Ids, den: int | None = None):
        """Numerators over one common denominator for the values valid on ``days``."""
        param = self.params[name]
        den = den or param.common_denominator()
        return param.numerators(den)[self.index(name, days, ids)], den

    def raise_missing(self) -> None:
        """One Dutch line: the parameter's own message (quantity, first day without a value,
        what is known) and the plaatsingen that need it; other missing quantities by name."""
        if not self.missing:
            return
        first = {name: min(d.min() for d, _ in found) for name, found in self.missing.items()}
        name = min(first, key=lambda k: first[k])  # dicts keep order: ties go to the first found
        try:
            self.params[name].index_at([first[name]])
            text = f"parameter ontbreekt: {name} heeft geen waarde voor {first[name]}"
        except ParameterOntbreekt as exc:
            text = str(exc)
        ids = np.unique(np.concatenate([i for _, i in self.missing[name]]).astype(str))
        shown = ", ".join(ids[:self.SHOWN])
        if len(ids) == 1:
            text += f"; nodig voor plaatsing {shown}"
        elif len(ids) <= self.SHOWN:
            text += f"; nodig voor plaatsingen {shown}"
        else:
            aantal = f"{len(ids):,}".replace(",", ".")  # Dutch thousands separator
            text += f"; nodig voor {aantal} plaatsingen, waaronder {shown}"
        others = [n for n in self.missing if n != name]
        if others:
            text += f" (ook zonder waarde: {', '.join(others)})"
        raise ParameterOntbreekt(text)


def _change_points(p, pidx, a, b, facts, look, policy, window):
    """All (plaatsing, day) where a new segment starts, sorted, unique."""
    points_p = [pidx]
    points_d = [a]
    # month starts inside each active window
    ma, mb = a.astype("datetime64[M]"), b.astype("datetime64[M]")
    count = (mb - ma).astype(np.int64)
    rep = np.repeat(np.arange(len(pidx)), count)
    step = np.arange(rep.size) - np.repeat(np.cumsum(count) - count, count) + 1
    points_p.append(pidx[rep])
    points_d.append((ma[rep] + step).astype("datetime64[D]"))
    # facts: loonwaarde and hours changes
    for table in (facts.loonwaarde, facts.uren):
        _, fact_pidx, fact_day, _ = table
        points_p.append(fact_pidx)
        points_d.append(fact_day)
    # birthdays that change the jeugdloon band; forfait end; ontwikkelbaan end
    staffel = look["jeugdloon_staffel"]
    ages = sorted({age for value in staffel.values for age in value})
    for age in ages[1:]:
        points_p.append(pidx)
        points_d.append(rules.verjaardag(p["geboorte"], age))
    points_p += [pidx, pidx]
    points_d += [_forfait_einde(p, look), _ontwikkelbaan_einde(p, look)]
    # parameter change dates (the WML only where it changes mid-plaatsing: halfjaarlijks)
    dates = [param.change_dates() for name, param in look.params.items()
             if name not in ("wml_maandloon", "wml_uurloon") or policy.indexatie == "halfjaarlijks"]
    dates = np.unique(np.concatenate(dates))
    dates = dates[(dates > window[0]) & (dates <= window[1])]
    if dates.size:
        hit_p, hit_d = np.nonzero((dates[None, :] > a[:, None]) & (dates[None, :] <= b[:, None]))
        points_p.append(pidx[hit_p])
        points_d.append(dates[hit_d])

    all_p = np.concatenate(points_p).astype(np.int64)
    all_d = np.concatenate(points_d).astype("datetime64[D]")
    local = np.searchsorted(pidx, all_p)  # pidx is sorted and contiguous within a chunk
    local = np.clip(local, 0, len(pidx) - 1)
    inside = (pidx[local] == all_p) & (all_d >= a[local]) & (all_d <= b[local])
    key = (all_p[inside] << 32) | (all_d[inside] - _FACT_EPOCH).astype(np.int64)
    key = np.sort(key)
    key = key[np.r_[True, key[1:] != key[:-1]]]
    seg_p = key >> 32
    seg_start = _FACT_EPOCH + (key & 0xFFFFFFFF).astype("timedelta64[D]")
    return seg_p, seg_start


def _forfait_einde(p, params) -> np.ndarray:
    """First day after the forfait period: startdatum + N months (Pw art. 10d lid 5).
    ``params``: the core's lookup, or ``Parameters`` (lks.beschikkingen asks too)."""
    n = _maanden(params, "forfait_maanden", p["start"], p.get("ids"))
    return rules.add_months(p["start"], n)


def _ontwikkelbaan_einde(p, params) -> np.ndarray:
    """First day after the maximum duration of the ontwikkelbaan (18 months from startdatum)."""
    is_ob = p["regeling"] == rules.ONTWIKKELBAAN
    einde = np.full(p["start"].shape, np.datetime64("9999-12-31", "D"))
    if is_ob.any():
        ids = p.get("ids")
        n = _maanden(params, "ontwikkelbaan_maanden", p["start"][is_ob],
                     ids[is_ob] if ids is not None else None)
        einde[is_ob] = rules.add_months(p["start"][is_ob], n)
    return einde


def _maanden(params, name: str, days, ids) -> np.ndarray:
    """A whole number of months on each day. Through the core's lookup a missing value is
    collected with its plaatsingen; asked with plain ``Parameters`` it raises the parameter's
    own message at once."""
    if isinstance(params, _Lookup):
        return params.fixed(name, days, ids, 1)[0]
    param = params[name]
    return param.numerators(1)[param.index_at(days)]


def _calculate_chunk(p, offset, facts, window, look, policy, explain):
    n = len(p["plaatsing_id"])
    pidx = np.arange(offset, offset + n, dtype=np.int64)
    a = np.maximum(p["start"], window[0])
    b = np.minimum(p["einde"], window[1])
    active = a <= b
    if not active.any():
        return None, None
    p = {k: v[active] for k, v in p.items()}
    p["ids"] = _Ids(p["plaatsing_id"])
    pidx, a, b = pidx[active], a[active], b[active]

    seg_p, s = _change_points(p, pidx, a, b, facts, look, policy, window)
    local = np.searchsorted(pidx, seg_p)  # index into the chunk's (active) arrays
    last_of_p = np.r_[seg_p[1:] != seg_p[:-1], True]
    e = np.where(last_of_p, b[local], np.r_[s[1:], s[:1]] - 1)
    dagen = (e - s).astype(np.int64) + 1
    maand = s.astype("datetime64[M]")
    maand_start = maand.astype("datetime64[D]")
    dagen_maand = ((maand + 1).astype("datetime64[D]") - maand_start).astype(np.int64)
    regeling = p["regeling"][local]
    start = p["start"][local]
    ids = _Ids(p["plaatsing_id"], local)
    # one group per plaatsing-month; a plaatsing's urenbasis holds for all its segments
    groups = np.flatnonzero(np.r_[True, (seg_p[1:] != seg_p[:-1]) | (maand[1:] != maand[:-1])])
    sizes = np.diff(np.r_[groups, len(s)])
    actief = np.add.reduceat(dagen, groups)
    verloond = p["verloond"][local]
    any_verloond = bool(verloond.any())
    if any_verloond:  # index arrays: cheaper than boolean masks for the many selections below
        vi, ci = np.flatnonzero(verloond), np.flatnonzero(~verloond)

    # facts valid on the segment's first day
    lw_idx = facts.as_of(facts.loonwaarde, seg_p, s)
    heeft_loonwaarde = lw_idx >= 0
    loonwaarde = _take(facts.loonwaarde[3]["loonwaarde"], lw_idx, 0)
    uren_idx = facts.as_of(facts.uren, seg_p, s)
    contracturen = _take(facts.uren[3]["contracturen"], uren_idx, p["contracturen"][local])
    voltijdsuren = _take(facts.uren[3]["voltijdsuren"], uren_idx, p["voltijdsuren"][local])

    # WML_basis = WML on the peildatum × jeugdloon staffel (rekenregels §2.1): the
    # referentiemaandloon for contracturen, the hourly WML for verloonde uren (§7; both are
    # published and rounded separately, neither is derived from the other)
    peildatum = rules.wml_peildatum(s, start, policy.indexatie)
    # base: the WML in cents, monthly for contract segments and hourly for verloonde uren
    if not any_verloond:  # all on contracturen: no masks, no copies
        base = look.fixed("wml_maandloon", peildatum, ids, 100)[0]
    else:
        base = np.empty(len(s), dtype=np.int64)
        base[ci] = look.fixed("wml_maandloon", peildatum[ci], ids[ci], 100)[0]
        base[vi] = look.fixed("wml_uurloon", peildatum[vi], ids[vi], 100)[0]
    geboorte_jaar, geboorte_md = rules.year_and_monthday(p["geboorte"])
    maand_nr = maand.astype(np.int64)
    seg_md = (maand_nr % 12 + 1) * 100 + (s - maand_start).astype(np.int64) + 1
    leeftijd = rules.leeftijd_uit_delen(geboorte_jaar[local], geboorte_md[local], maand_nr // 12 + 1970, seg_md)
    staffel_num, staffel_den, age = _staffel(look, s, leeftijd, ids)

    # vakantiebijslag (WML art. 15); the ontwikkelbaan includes it only by policy
    vb, vb_den = look.fixed("vakantiebijslag", s, ids)
    is_ob = regeling == rules.ONTWIKKELBAAN
    if not policy.ontwikkelbaan_vakantiebijslag:
        vb = np.where(is_ob, 0, vb)
    vb_num = vb_den + vb

    fractie, reden, fractie_den = _fractie(regeling, s, start, loonwaarde, heeft_loonwaarde, ids, look)

    # hours: weight / uren_den per segment, and a divisor per plaatsing-month, such that
    # Σ base × weight / uren_den / divisor is the month's amount in cents (base: the
    # full-month amount for contracturen, the hourly amount for verloonde uren)
    divisor = dagen_maand[groups]
    if not any_verloond:
        regel_ref, uren_num, uren_den = _urenfactor(look, s, ids, contracturen, voltijdsuren)
        weight = uren_num * dagen
    else:
        vg = verloond[groups]
        c_ref, c_num, c_den = _urenfactor(look, s[ci], ids[ci], contracturen[ci], voltijdsuren[ci])
        v = _verloond_segments(facts, seg_p, maand, dagen, actief, sizes, voltijdsuren,
                               dagen_maand, vi, vg, explain)
        weight, uren_den = np.empty(len(s), dtype=np.int64), np.empty(len(s), dtype=np.int64)
        weight[ci], weight[vi] = c_num * dagen[ci], v["weight"]
        uren_den[ci], uren_den[vi] = c_den, v["den"]
        reden[vi] |= v["reden"]
        divisor = np.where(vg, 1, divisor)
        if explain:  # the urenfactor columns, 0 for verloond segments
            regel_ref, uren_num = np.zeros(len(s), dtype=bool), np.zeros(len(s), dtype=np.int64)
            regel_ref[ci], uren_num[ci] = c_ref, c_num

    # full-month (or hourly) amount × hours: P/C × weight/uren_den / divisor, C fixed for the chunk
    c = vb_den * staffel_den * fractie_den
    bound = (max(int(base.max()), 1) * max(int(vb_num.max()), 1) * max(int(staffel_num.max()), 1)
             * max(int(fractie.max()), 1))
    if bound >= _INT64_SAFE:
        raise CalcFout("bedragen buiten het rekenbereik (controleer de parameterbestanden)")
    product = base * vb_num * staffel_num * fractie
    lks_basis = _lks_basis(product, c, weight, uren_den, divisor, groups, sizes)

    g_local = local[groups]
    g_maand = maand[groups]
    wgl, wgl_den = look.fixed("werkgeverslasten", g_maand.astype("datetime64[D]"), ids[groups])
    g_regeling = regeling[groups]
    if not policy.ontwikkelbaan_werkgeverslasten:
        wgl = np.where(g_regeling == rules.ONTWIKKELBAAN, 0, wgl)
    werkgeverslasten = rules.round_half_up_div(lks_basis * wgl, wgl_den)

    g_reden = np.bitwise_or.reduceat(reden, groups)
    g_reden |= np.where(actief < dagen_maand[groups], rules.NIET_ACTIEF, 0)

    maanden = _month_frame(p["plaatsing_id"][g_local], g_maand, window, g_regeling, lks_basis,
                           werkgeverslasten, g_reden, p["werkgever_id"][g_local], actief,
                           dagen_maand[groups])
    if not explain:
        return maanden, None
    if not any_verloond:
        vi = np.flatnonzero(verloond)
        v = _verloond_segments(facts, seg_p, maand, dagen, actief, sizes, voltijdsuren,
                               dagen_maand, vi, verloond[groups], True)
    none = np.zeros(len(s), dtype=np.int64)
    one = np.ones(len(s), dtype=np.int64)

    def per_segment(values, default):
        out = np.array(default, copy=True)
        out[vi] = values
        return out

    segmenten = pd.DataFrame({
        "plaatsing_id": ids.get(),
        "periode": np.datetime_as_string(maand, unit="M"),
        "van": s, "tot": e, "dagen": dagen, "dagen_maand": dagen_maand,
        "regeling": np.array(rules.REGELINGEN, dtype=object)[regeling],
        "wml_peildatum": peildatum, "wml": np.where(verloond, 0, base),
        "leeftijd": leeftijd, "staffel_leeftijd": age, "staffel_num": staffel_num, "staffel_den": staffel_den,
        "vb_num": vb_num, "vb_den": vb_den,
        "heeft_loonwaarde": heeft_loonwaarde, "loonwaarde": loonwaarde,
        "fractie_num": fractie, "fractie_den": fractie_den,
        "contracturen": contracturen, "voltijdsuren": voltijdsuren,
        "urenregel": np.where(verloond, "verloond", np.where(regel_ref, "referentie", "voltijd")),
        "uren_num": uren_num, "uren_den": np.where(verloond, 1, uren_den),
        "reden": rules.REDEN_TEKST[reden],
        "urenbasis": np.where(verloond, "verloond", "contract"),
        "wml_uur": np.where(verloond, base, 0),
        "uren_bekend": per_segment(v["bekend"], np.zeros(len(s), dtype=bool)),
        "verloonde_uren": per_segment(np.where(v["bekend"], v["uren"], -1), -one),
        "dagen_actief": np.repeat(actief, sizes),
        "spreiding_num": per_segment(v["spreiding_num"], none),
        "spreiding_den": per_segment(v["spreiding_den"], one),
        "maximum_num": per_segment(v["maximum_num"], none),
        "maximum_den": per_segment(v["maximum_den"], one),
        "begrensd": per_segment(v["begrensd"], np.zeros(len(s), dtype=bool)),
    })
    return maanden, segmenten


def _urenfactor(look, s, ids, contracturen, voltijdsuren):
    """Urenfactor of contract segments by the rule variant valid on the day (rekenregels §2.3):
    (referentie rule?, numerator, denominator)."""
    regel_ref = np.array([v == "referentie" for v in look["urenfactor_regel"].values])[
        look.index("urenfactor_regel", s, ids)]
    wk_num = np.ones(len(s), dtype=np.int64)
    wk_den = np.ones(len(s), dtype=np.int64)
    if regel_ref.any():
        wk = look["referentie_weekuren"]
        wk_idx = look.index("referentie_weekuren", s[regel_ref], ids[regel_ref])
        wk_num[regel_ref] = np.array([v.numerator for v in wk.values])[wk_idx]
        wk_den[regel_ref] = np.array([v.denominator for v in wk.values])[wk_idx]
    uren_num, uren_den = rules.urenfactor(contracturen, voltijdsuren, regel_ref, wk_num, wk_den)
    return regel_ref, uren_num, uren_den


def _verloond_segments(facts, seg_p, maand, dagen, actief, sizes, voltijdsuren, dagen_maand, vi,
                       vg, delen):
    """The hours of the verloond segments (indices ``vi``, of the groups ``vg``; rekenregels §7)
    as weight / den in hours, with the reason uren_ontbreken where the month's hours are not
    known: they count as 0 hours, so weight 0. H = 0 is a delivery: weight 0 without a reason.
    With ``delen`` also the parts the explanation shows."""
    uren, bekend = facts.verloond_in(seg_p[vi], maand[vi])  # 0 where not known
    a = np.repeat(actief[vg], sizes[vg])  # the month's active days, per verloond segment
    h = rules.verloonde_uren(uren, dagen[vi], a, voltijdsuren[vi], dagen_maand[vi], delen=delen)
    v = {"weight": h["uren"][0], "den": h["uren"][1],
         "reden": np.where(bekend, 0, rules.UREN_ONTBREKEN)}
    if delen:
        v.update(uren=uren, bekend=bekend, begrensd=h["begrensd"],
                 spreiding_num=h["spreiding"][0], spreiding_den=h["spreiding"][1],
                 maximum_num=h["maximum"][0], maximum_den=h["maximum"][1])
    return v


def _take(values: np.ndarray, idx: np.ndarray, default):
    """values[idx] where idx >= 0, else default (idx -1: no fact valid on that day)."""
    if values.size == 0:
        return np.broadcast_to(default, idx.shape).astype(np.int64)
    return np.where(idx >= 0, values[np.maximum(idx, 0)], default)


def _staffel(look: _Lookup, s, leeftijd, plaatsing_ids):
    """Jeugdloon staffel numerators (WML art. 9): the band of the age on the day; 21 and older
    get the highest band. Younger than the lowest band is refused (rekenregels §2.1)."""
    param = look["jeugdloon_staffel"]
    idx = look.index("jeugdloon_staffel", s, plaatsing_ids)
    den = 1
    for value in param.values:
        for pct in value.values():
            den = int(np.lcm(den, pct.denominator))
    lowest = min(min(v) for v in param.values)
    highest = max(max(v) for v in param.values)
    te_jong = leeftijd < lowest
    if te_jong.any():
        first = int(np.flatnonzero(te_jong)[0])
        raise CalcFout(f"plaatsing {plaatsing_ids.get()[first]}: werknemer is {int(leeftijd[first])} jaar op "
                       f"{s[first]}, jonger dan {lowest}")
    age = np.minimum(leeftijd, highest)
    table = np.zeros((len(param.values), highest - lowest + 1), dtype=np.int64)
    for i, value in enumerate(param.values):
        for a in range(lowest, highest + 1):
            table[i, a - lowest] = int(value[a] * den)
    return table[idx, age - lowest], den, age


def _fractie(regeling, s, start, loonwaarde, heeft_loonwaarde, ids, look):
    """Fractie per regeling (rekenregels §2.2) as numerator over a common denominator."""
    names = ("lks_maximum", "forfait_fractie", "beschut_fractie", "ontwikkelbaan_fractie")
    den = rules.HONDERD_PROCENT
    for name in names:
        den = int(np.lcm(den, look[name].common_denominator()))
    fractie = np.zeros(s.shape, dtype=np.int64)
    reden = np.zeros(s.shape, dtype=np.int64)

    is_lks = regeling == rules.LKS
    if is_lks.any():
        d, i = s[is_lks], ids[is_lks]
        in_forfait = d < _forfait_einde({"start": start[is_lks], "ids": i}, look)
        f, r = rules.fractie_lks(loonwaarde[is_lks], heeft_loonwaarde[is_lks], in_forfait,
                                 look.fixed("lks_maximum", d, i, den)[0],
                                 look.fixed("forfait_fractie", d, i, den)[0], den)
        fractie[is_lks], reden[is_lks] = f, r
    is_beschut = regeling == rules.BESCHUT
    if is_beschut.any():
        fractie[is_beschut] = rules.fractie_beschut(
            look.fixed("beschut_fractie", s[is_beschut], ids[is_beschut], den)[0])
    is_ob = regeling == rules.ONTWIKKELBAAN
    if is_ob.any():
        d, i = s[is_ob], ids[is_ob]
        binnen = d < _ontwikkelbaan_einde({"start": start[is_ob], "regeling": regeling[is_ob],
                                           "ids": i}, look)
        f, r = rules.fractie_ontwikkelbaan(look.fixed("ontwikkelbaan_fractie", d, i, den)[0], binnen)
        fractie[is_ob], reden[is_ob] = f, r
    return fractie, reden, den


def _lks_basis(product, c, weight, uren_den, divisor, groups, sizes):
    """round_half_up(Σ product/c × weight/uren_den / divisor) per group, exactly.

    A group is one plaatsing-month. For contracturen product/c is the full-month amount in
    cents before the urenfactor, weight/uren_den the urenfactor × segment days and divisor
    dagen_maand; for verloonde uren product/c is the hourly amount in cents, weight/uren_den
    the segment's hours and divisor 1. Splitting product = q·c + r keeps every term in int64:
    value·K = Σ q·w·(K/u) + (Σ r·w·(K/u)) / c with K = lcm(u in month) × divisor.
    Months whose terms could leave int64 are computed with Python integers, those months only;
    the bounds that decide this use floats, which bound the terms but never compute an amount.
    """
    q, r = np.divmod(product, c)
    q_max = max(c, int(q.max())) + 1
    # the common case: one denominator per month (lcm = u, scale 1); a bound over all months
    # at once shows that no term leaves int64
    change = uren_den[1:] != uren_den[:-1]
    change[groups[1:] - 1] = False  # a new month may have a new denominator
    if not change.any():
        k_uren = uren_den[groups]
        if (int(k_uren.max()) <= (_INT64_SAFE // c) // int(divisor.max())
                and int(weight.max()) * int(sizes.max()) * q_max < _INT64_SAFE // 2):
            return _basis_sums(q, r, c, weight, None, k_uren * divisor, groups)
    # lcm(u) ≤ the product of the group's u where u changes: at most 60 bits fits int64
    change = np.r_[True, change]
    change[groups] = True
    bits = np.zeros(len(uren_den))
    bits[change] = np.log2(np.maximum(uren_den[change], 1))
    safe = np.add.reduceat(bits, groups) < 60
    k_uren = np.lcm.reduceat(uren_den, groups)  # may overflow only where not safe: unused there
    scale = np.repeat(k_uren, sizes) // uren_den
    safe &= k_uren <= (_INT64_SAFE // c) // divisor
    # Σ q·w·scale and Σ r·w·scale are at most max(q, c) × Σ w·scale
    ws = np.add.reduceat(weight.astype(np.float64) * scale, groups)
    safe &= ws * (2.0 * q_max) < _INT64_SAFE
    if safe.all():
        return _basis_sums(q, r, c, weight, scale, k_uren * divisor, groups)
    out = np.empty(len(groups), dtype=np.int64)
    for part, exact in ((safe, False), (~safe, True)):
        if not part.any():
            continue
        seg = np.repeat(part, sizes)
        g = np.r_[0, np.cumsum(sizes[part])[:-1]]
        if exact:  # rare: several voltijdsuren in one pre-2024 month, extreme hours
            qq, rr, ww, uu = (x[seg].astype(object) for x in (q, r, weight, uren_den))
            ku = np.lcm.reduceat(uu, g)
            out[part] = _basis_sums(qq, rr, c, ww, np.repeat(ku, sizes[part]) // uu,
                                    ku * divisor[part].astype(object), g)
        else:
            out[part] = _basis_sums(q[seg], r[seg], c, weight[seg], scale[seg],
                                    k_uren[part] * divisor[part], g)
    return out


def _basis_sums(q, r, c, weight, scale, k, groups):
    """round_half_up((Σ q·w·scale + Σ r·w·scale / c) / k) per group (int64 or Python ints);
    ``scale`` None: 1 everywhere."""
    ws = weight if scale is None else weight * scale
    big_a = np.add.reduceat(q * ws, groups)
    big_b = np.add.reduceat(r * ws, groups)
    carry, b0 = big_b // c, big_b % c  # (np.divmod has no loop for Python integers)
    big_a = big_a + carry
    whole, rest = big_a // k, big_a % k
    round_up = 2 * (rest * c + b0) >= k * c
    return (whole + round_up).astype(np.int64)
