"""Per-day reference implementation of rekenregels.md §2, for testing the vectorised core.

Written to be obviously correct, not fast: it walks every calendar day of every month,
computes that day's full-month amount with exact ``fractions.Fraction`` arithmetic, and adds
it weighted by 1/dagen(maand). A segment of constant inputs of length k contributes exactly
k × maandbedrag / dagen(maand), so summing per day is the rulebook formula
Σ maandbedrag(segment) × dagen(segment) / dagen(maand) without having to find segments.

Verloonde uren (§7) the same way: a month's hours H spread evenly over its A active days
give H/A hours a day, capped per day at voltijdsuren × 52/12 / dagen(maand); summed over the
days of a segment that is exactly min(H × dagen/A, voltijdsuren × 13/3 × dagen/dagen(maand)),
since both sides of the min scale with dagen(segment).

Every amount and percentage is read through ``lks.parameters.Parameters`` (``.at(date)``);
nothing legal is hard-coded here. Units of the input frames are those of lks/calc/model.py:
hours in hundredths of an hour per week (verloonde uren: per month), loonwaarde in
hundredths of a percent, dates. Output: the core's RESULT_COLUMNS, amounts as int cents.
"""
from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction

import pandas as pd
from dateutil.relativedelta import relativedelta

from lks.calc.model import RESULT_COLUMNS, CalcInput, Policy
from lks.parameters import Parameters

BUDGET = {"lks": "buig", "beschut": "buig", "ontwikkelbaan": "reintegratie"}  # rekenregels §2.2


class ReferenceFout(ValueError):
    """Bad input the reference refuses (werknemer under the lowest jeugdloon age, ...)."""


def _date(value) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def round_half_up(x: Fraction) -> int:
    """Round a non-negative exact number to the nearest integer, a half going up."""
    assert x >= 0, x
    return (x + Fraction(1, 2)).__floor__()


def add_months(day: dt.date, n: int) -> dt.date:
    """Keep the day of the month, clamp to the end of a shorter month (rekenregels §2.2)."""
    return day + relativedelta(months=n)


def birthday_in_year(geboortedatum: dt.date, year: int) -> dt.date:
    """The day the werknemer has their birthday in ``year``: 29 February falls on 1 March in a
    year without 29 February (rekenregels §2.1)."""
    if geboortedatum.month == 2 and geboortedatum.day == 29 and not calendar.isleap(year):
        return dt.date(year, 3, 1)
    return geboortedatum.replace(year=year)


def age_on(geboortedatum: dt.date, day: dt.date) -> int:
    """Whole years on ``day``; the birthday itself starts the new year of age."""
    age = day.year - geboortedatum.year
    if day < birthday_in_year(geboortedatum, day.year):
        age -= 1
    return age


def month_days(year: int, month: int) -> list[dt.date]:
    n = calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, n + 1)]


def months_between(van: str, tot: str) -> list[tuple[int, int]]:
    y, m = map(int, van.split("-"))
    y2, m2 = map(int, tot.split("-"))
    out = []
    while (y, m) <= (y2, m2):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class _Params:
    """``Parameters.at`` with a memo (the reference asks the same date many times)."""

    def __init__(self, params: Parameters):
        self.params = params
        self.memo = {}

    def at(self, name: str, day: dt.date):
        key = (name, day)
        if key not in self.memo:
            self.memo[key] = self.params[name].at(day)
        return self.memo[key]


def _as_of(facts: list[tuple[dt.date, object]], day: dt.date):
    """The value of the latest fact with ingangsdatum <= day, or None. Every day asked is
    >= startdatum, so a fact dated before startdatum holds from startdatum (rekenregels §2.2)."""
    best = None
    for ingangsdatum, value in facts:
        if ingangsdatum <= day and (best is None or ingangsdatum >= best[0]):
            best = (ingangsdatum, value)
    return None if best is None else best[1]


def _fractie(p: dict, day: dt.date, loonwaarde, P: _Params) -> tuple[Fraction, set[str]]:
    """rekenregels §2.2: (fractie, reason codes) for one day."""
    regeling = p["regeling"]
    start = p["startdatum"]
    if regeling == "beschut":
        # 0,70 whatever loonwaarde is recorded
        return P.at("beschut_fractie", day), set()
    if regeling == "ontwikkelbaan":
        # 0,50 for at most N (18) months from startdatum: up to the day before start + N months
        n = int(P.at("ontwikkelbaan_maanden", start))
        if day < add_months(start, n):
            return P.at("ontwikkelbaan_fractie", day), set()
        return Fraction(0), {"maximale_duur"}
    if regeling == "lks":
        if loonwaarde is not None:
            lw = Fraction(loonwaarde, 10_000)  # hundredths of a percent
            if lw >= 1:
                return Fraction(0), {"loonwaarde_100"}
            return min(1 - lw, P.at("lks_maximum", day)), set()
        # no loonwaarde: forfait within the first N (6) months, then 0
        n = int(P.at("forfait_maanden", start))
        if day < add_months(start, n):
            return P.at("forfait_fractie", day), set()
        return Fraction(0), {"loonwaarde_ontbreekt"}
    raise ReferenceFout(f"onbekende regeling {regeling!r}")


def _wml_basis_en_fractie(p: dict, day: dt.date, P: _Params, policy: Policy, wml_naam: str):
    """WML_basis × (1 + vb) × fractie on ``day`` and that day's reason codes; the WML is the
    monthly (§2) or the hourly (§7) one, by ``wml_naam``."""
    start = p["startdatum"]
    ontwikkelbaan = p["regeling"] == "ontwikkelbaan"

    # §2.1 WML date by indexatie setting
    if policy.indexatie == "halfjaarlijks":
        peildatum = day
    elif policy.indexatie == "jaarlijks":
        peildatum = max(dt.date(day.year, 1, 1), start)
    else:
        raise ReferenceFout(policy.indexatie)
    wml = P.at(wml_naam, peildatum)

    # §2.1 jeugdloon: staffel by age in whole years on the day, 21+ is the top band
    staffel = P.at("jeugdloon_staffel", day)
    age = age_on(p["geboortedatum"], day)
    if age < min(staffel):
        raise ReferenceFout(f"{p['plaatsing_id']}: werknemer is {age} jaar op {day}")
    wml_basis = wml * staffel[min(age, max(staffel))]

    # vakantiebijslag; the ontwikkelbaan includes it only by policy
    vb = P.at("vakantiebijslag", day)
    if ontwikkelbaan and not policy.ontwikkelbaan_vakantiebijslag:
        vb = Fraction(0)

    fractie, redenen = _fractie(p, day, _as_of(p["loonwaarden"], day), P)
    return wml_basis * (1 + vb) * fractie, redenen


def _uren_op(p: dict, day: dt.date) -> tuple[int, int]:
    """(contracturen, voltijdsuren) on ``day``, hundredths of an hour per week."""
    uren = _as_of(p["uren"], day)
    return uren if uren is not None else (p["contracturen"], p["voltijdsuren"])


def maandbedrag(p: dict, day: dt.date, P: _Params, policy: Policy) -> tuple[Fraction, set[str]]:
    """The full-month amount (euros, exact) if the inputs of ``day`` held all month, and the
    reason codes that hold on ``day``: WML_basis × (1 + vb) × fractie × urenfactor."""
    bedrag, redenen = _wml_basis_en_fractie(p, day, P, policy, "wml_maandloon")

    # §2.3 urenfactor by the rule variant valid on the day
    contracturen, voltijdsuren = _uren_op(p, day)
    c = Fraction(contracturen, 100)
    v = Fraction(voltijdsuren, 100)
    regel = P.at("urenfactor_regel", day)
    if regel == "voltijd":
        urenfactor = min(c, v) / v
    elif regel == "referentie":
        urenfactor = min(c, v) / P.at("referentie_weekuren", day)
    else:
        raise ReferenceFout(regel)

    return bedrag * urenfactor, redenen


# §7: 52 weeks in 12 months (the maximum of verloonde uren is the cao week × 52/12 a month)
WEKEN_PER_MAAND = Fraction(52, 12)


def verloond_dagbedrag(p: dict, day: dt.date, uren: int | None, actief: int, dagen_maand: int,
                       P: _Params, policy: Policy) -> tuple[Fraction, set[str]]:
    """§7, one active day of a month with ``uren`` verloonde uren (hundredths; None: not
    delivered): uurbedrag × min(H / A, voltijdsuren × 52/12 / dagen(maand)), in euros, and the
    reason codes of the day. The hourly WML is looked up even without hours (before 2024 it
    does not exist, and that must fail, not give 0)."""
    uurbedrag, redenen = _wml_basis_en_fractie(p, day, P, policy, "wml_uurloon")
    if uren is None:
        return Fraction(0), redenen | {"uren_ontbreken"}
    _, voltijdsuren = _uren_op(p, day)
    per_dag = Fraction(uren, 100) / actief
    maximum_per_dag = Fraction(voltijdsuren, 100) * WEKEN_PER_MAAND / dagen_maand
    return uurbedrag * min(per_dag, maximum_per_dag), redenen


def reference_calculate(calc_input: CalcInput, van: str, tot: str, params: Parameters,
                        policy: Policy = Policy()) -> pd.DataFrame:
    """LKS per plaatsing per month (months van..tot inclusive), RESULT_COLUMNS, int cents."""
    P = _Params(params)
    plaatsingen = []
    vu = calc_input.verloonde_uren
    for row in calc_input.plaatsingen.to_dict("records"):
        pid = row["plaatsing_id"]
        lw = calc_input.loonwaarden
        uw = calc_input.urenwijzigingen
        urenbasis = row.get("urenbasis")
        if urenbasis is None or (not isinstance(urenbasis, str) and pd.isna(urenbasis)) or urenbasis == "":
            urenbasis = "contract"
        if urenbasis not in ("contract", "verloond"):
            raise ReferenceFout(f"{pid}: urenbasis {urenbasis!r}")
        plaatsingen.append({
            "verloond": urenbasis == "verloond",
            "verloonde_uren": {str(r["periode"]): int(r["uren"])
                               for r in vu[vu["plaatsing_id"] == pid].to_dict("records")},
            "plaatsing_id": pid,
            "regeling": row["regeling"],
            "startdatum": _date(row["startdatum"]),
            "einddatum": _date(row["einddatum"]),
            "contracturen": int(row["contracturen"]),
            "voltijdsuren": int(row["voltijdsuren"]),
            "geboortedatum": _date(row["geboortedatum"]),
            "loonwaarden": [(_date(r["ingangsdatum"]), int(r["loonwaarde"]))
                            for r in lw[lw["plaatsing_id"] == pid].to_dict("records")],
            "uren": [(_date(r["ingangsdatum"]), (int(r["contracturen"]), int(r["voltijdsuren"])))
                     for r in uw[uw["plaatsing_id"] == pid].to_dict("records")],
        })
    plaatsingen.sort(key=lambda p: p["plaatsing_id"])

    rows = []
    for p in plaatsingen:
        for year, month in months_between(van, tot):
            days = month_days(year, month)
            active = [d for d in days
                      if p["startdatum"] <= d and (p["einddatum"] is None or d <= p["einddatum"])]
            if not active:
                continue  # a month without any active day has no row
            redenen = set()
            if len(active) < len(days):
                redenen.add("niet_actief")
            basis_exact = Fraction(0)
            for day in active:
                if p["verloond"]:  # §7
                    bedrag, r = verloond_dagbedrag(p, day, p["verloonde_uren"].get(f"{year:04d}-{month:02d}"),
                                                   len(active), len(days), P, policy)
                    basis_exact += bedrag
                else:  # §2
                    bedrag, r = maandbedrag(p, day, P, policy)
                    basis_exact += bedrag / len(days)
                redenen |= r
            lks_basis = round_half_up(basis_exact * 100)  # cents
            pct = P.at("werkgeverslasten", days[0])  # on the first day of the month
            if p["regeling"] == "ontwikkelbaan" and not policy.ontwikkelbaan_werkgeverslasten:
                pct = Fraction(0)
            werkgeverslasten = round_half_up(lks_basis * pct)  # cents
            rows.append({
                "plaatsing_id": p["plaatsing_id"],
                "periode": f"{year:04d}-{month:02d}",
                "regeling": p["regeling"],
                "budget": BUDGET[p["regeling"]],
                "lks_basis": lks_basis,
                "werkgeverslasten": werkgeverslasten,
                "lks_totaal": lks_basis + werkgeverslasten,
                "reden": ";".join(sorted(redenen)),
            })
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)
