"""Vectorised, exact LKS calculation for many plaatsingen and months in one pass.

Shape of the computation (rekenregels §2):
1. every plaatsing's active window within the requested months;
2. change points: month starts, start and end, loonwaarde and hours facts, birthdays that
   change the jeugdloon band, the end of the forfait and of the ontwikkelbaan, and every
   parameter change date; between two change points every input is constant: a segment;
3. per segment, look up facts and parameters (searchsorted, no Python loop) and apply the
   rules of ``lks.calc.rules``;
4. per plaatsing-month, sum the segments' full-month amounts weighted by calendar days in
   exact integer arithmetic, and round half up to cents at the two rounding points.

Exactness without floats or big integers: every factor is an int64 numerator over a fixed
denominator; the month sum is carried as quotient and remainder so no intermediate product
leaves int64 (see ``_lks_basis``). Months whose denominators would not fit fall back to
Python integers for those months only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lks.calc import rules
from lks.calc.model import SEGMENT_COLUMNS, CalcInput, CalcResult, Policy
from lks.parameters import Parameter, ParameterOntbreekt, Parameters

CHUNK = 25_000  # plaatsingen per pass: bounds memory, not a per-plaatsing loop
_FACT_EPOCH = np.datetime64("1900-01-01", "D")
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
    }


class _FactTables:
    """Dated facts sorted by (plaatsing index, ingangsdatum) for as-of lookups."""

    def __init__(self, calc_input: CalcInput, plaatsing_ids: np.ndarray):
        index = pd.Index(plaatsing_ids)
        self.loonwaarde = self._table(calc_input.loonwaarden, index, ["loonwaarde"])
        self.uren = self._table(calc_input.urenwijzigingen, index, ["contracturen", "voltijdsuren"])

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

    def index(self, name: str, days, ids) -> np.ndarray:
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
            self.missing.setdefault(name, []).append((days[bad], np.asarray(ids, dtype=object)[bad]))
            idx = np.maximum(idx, 0)
        return idx

    def fixed(self, name: str, days, ids, den: int | None = None):
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
             if name != "wml_maandloon" or policy.indexatie == "halfjaarlijks"]
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


def _forfait_einde(p, look) -> np.ndarray:
    """First day after the forfait period: startdatum + N months (Pw art. 10d lid 5)."""
    n, _ = look.fixed("forfait_maanden", p["start"], p["plaatsing_id"], 1)
    return rules.add_months(p["start"], n)


def _ontwikkelbaan_einde(p, look) -> np.ndarray:
    """First day after the maximum duration of the ontwikkelbaan (18 months from startdatum)."""
    is_ob = p["regeling"] == rules.ONTWIKKELBAAN
    einde = np.full(p["start"].shape, np.datetime64("9999-12-31", "D"))
    if is_ob.any():
        n, _ = look.fixed("ontwikkelbaan_maanden", p["start"][is_ob], p["plaatsing_id"][is_ob], 1)
        einde[is_ob] = rules.add_months(p["start"][is_ob], n)
    return einde


def _calculate_chunk(p, offset, facts, window, look, policy, explain):
    n = len(p["plaatsing_id"])
    pidx = np.arange(offset, offset + n, dtype=np.int64)
    a = np.maximum(p["start"], window[0])
    b = np.minimum(p["einde"], window[1])
    active = a <= b
    if not active.any():
        return None, None
    p = {k: v[active] for k, v in p.items()}
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
    ids = p["plaatsing_id"][local]

    # facts valid on the segment's first day
    lw_idx = facts.as_of(facts.loonwaarde, seg_p, s)
    heeft_loonwaarde = lw_idx >= 0
    loonwaarde = _take(facts.loonwaarde[3]["loonwaarde"], lw_idx, 0)
    uren_idx = facts.as_of(facts.uren, seg_p, s)
    contracturen = _take(facts.uren[3]["contracturen"], uren_idx, p["contracturen"][local])
    voltijdsuren = _take(facts.uren[3]["voltijdsuren"], uren_idx, p["voltijdsuren"][local])

    # WML_basis = referentiemaandloon on the peildatum × jeugdloon staffel (rekenregels §2.1)
    peildatum = rules.wml_peildatum(s, start, policy.indexatie)
    wml, _ = look.fixed("wml_maandloon", peildatum, ids, 100)  # cents
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

    regel_ref = np.array([v == "referentie" for v in look["urenfactor_regel"].values])[
        look.index("urenfactor_regel", s, ids)]
    wk_num = np.ones_like(dagen)
    wk_den = np.ones_like(dagen)
    if regel_ref.any():
        wk = look["referentie_weekuren"]
        wk_idx = look.index("referentie_weekuren", s[regel_ref], ids[regel_ref])
        wk_num[regel_ref] = np.array([v.numerator for v in wk.values])[wk_idx]
        wk_den[regel_ref] = np.array([v.denominator for v in wk.values])[wk_idx]
    uren_num, uren_den = rules.urenfactor(contracturen, voltijdsuren, regel_ref, wk_num, wk_den)

    # full-month amount × days: P/C × uren_num/uren_den × dagen, C fixed for the chunk
    c = vb_den * staffel_den * fractie_den
    bound = (max(int(wml.max()), 1) * max(int(vb_num.max()), 1) * max(int(staffel_num.max()), 1)
             * max(int(fractie.max()), 1))
    if bound >= _INT64_SAFE:
        raise CalcFout("bedragen buiten het rekenbereik (controleer de parameterbestanden)")
    product = wml * vb_num * staffel_num * fractie
    groups = np.flatnonzero(np.r_[True, (seg_p[1:] != seg_p[:-1]) | (maand[1:] != maand[:-1])])
    lks_basis = _lks_basis(product, c, uren_num * dagen, uren_den, dagen_maand, groups)

    g_local = local[groups]
    g_maand = maand[groups]
    wgl, wgl_den = look.fixed("werkgeverslasten", g_maand.astype("datetime64[D]"), ids[groups])
    g_regeling = regeling[groups]
    if not policy.ontwikkelbaan_werkgeverslasten:
        wgl = np.where(g_regeling == rules.ONTWIKKELBAAN, 0, wgl)
    werkgeverslasten = rules.round_half_up_div(lks_basis * wgl, wgl_den)

    actief = np.add.reduceat(dagen, groups)
    g_reden = np.bitwise_or.reduceat(reden, groups)
    g_reden |= np.where(actief < dagen_maand[groups], rules.NIET_ACTIEF, 0)

    maanden = _month_frame(p["plaatsing_id"][g_local], g_maand, window, g_regeling, lks_basis,
                           werkgeverslasten, g_reden, p["werkgever_id"][g_local], actief,
                           dagen_maand[groups])
    if not explain:
        return maanden, None
    segmenten = pd.DataFrame({
        "plaatsing_id": p["plaatsing_id"][local],
        "periode": np.datetime_as_string(maand, unit="M"),
        "van": s, "tot": e, "dagen": dagen, "dagen_maand": dagen_maand,
        "regeling": np.array(rules.REGELINGEN, dtype=object)[regeling],
        "wml_peildatum": peildatum, "wml": wml,
        "leeftijd": leeftijd, "staffel_leeftijd": age, "staffel_num": staffel_num, "staffel_den": staffel_den,
        "vb_num": vb_num, "vb_den": vb_den,
        "heeft_loonwaarde": heeft_loonwaarde, "loonwaarde": loonwaarde,
        "fractie_num": fractie, "fractie_den": fractie_den,
        "contracturen": contracturen, "voltijdsuren": voltijdsuren,
        "urenregel": np.where(regel_ref, "referentie", "voltijd"),
        "uren_num": uren_num, "uren_den": uren_den,
        "reden": rules.REDEN_TEKST[reden],
    })
    return maanden, segmenten


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
        raise CalcFout(f"plaatsing {plaatsing_ids[first]}: werknemer is {int(leeftijd[first])} jaar op "
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
        in_forfait = d < _forfait_einde({"start": start[is_lks], "plaatsing_id": i}, look)
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
                                           "plaatsing_id": i}, look)
        f, r = rules.fractie_ontwikkelbaan(look.fixed("ontwikkelbaan_fractie", d, i, den)[0], binnen)
        fractie[is_ob], reden[is_ob] = f, r
    return fractie, reden, den


def _lks_basis(product, c, weight, uren_den, dagen_maand, groups):
    """round_half_up(Σ product/c × weight/uren_den / dagen_maand) per group, exactly.

    product/c is the full-month amount in cents before the urenfactor; weight is
    urenfactor numerator × segment days. Splitting product = q·c + r keeps every term in
    int64: value·K = Σ q·w·(K/u) + (Σ r·w·(K/u)) / c with K = lcm(u in month) × dagen_maand.
    """
    k_uren = np.lcm.reduceat(uren_den, groups)
    k_rep = np.repeat(k_uren, np.diff(np.r_[groups, len(uren_den)]))
    scale = k_rep // uren_den
    k = k_uren * dagen_maand[groups]
    q, r = np.divmod(product, c)
    safe = (k <= _INT64_SAFE // c) & (np.maximum.reduceat(scale, groups) <= 1_000)
    if not safe.all():  # rare: several different voltijdsuren in one pre-2024 month
        q, r, weight, scale = (x.astype(object) for x in (q, r, weight, scale))
        k = k.astype(object)
    big_a = np.add.reduceat(q * weight * scale, groups)
    big_b = np.add.reduceat(r * weight * scale, groups)
    carry, b0 = big_b // c, big_b % c  # (np.divmod has no loop for Python integers)
    big_a = big_a + carry
    whole, rest = big_a // k, big_a % k
    round_up = 2 * (rest * c + b0) >= k * c
    return (whole + round_up).astype(np.int64)

