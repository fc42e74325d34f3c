"""The legal rules, one small function each, named after the legal quantity.

Every function works on whole numpy arrays (one element per day-segment) and on exact
integers: a rational quantity is an int64 numerator over a stated denominator. The article
each rule implements is in its docstring, so a jurist can check the code against the law
(rekenregels.md §2).
"""
from __future__ import annotations

import numpy as np

# Regeling codes inside the core, and the budget that pays each (rekenregels §1, §6).
REGELINGEN = ("lks", "beschut", "ontwikkelbaan")
LKS, BESCHUT, ONTWIKKELBAAN = 0, 1, 2
BUDGETS = ("buig", "reintegratie")
BUDGET_VAN_REGELING = np.array([0, 0, 1])
"""Pw art. 69 (BUIG) pays art. 10d LKS, which includes beschut werk (art. 10b lid 9 → 10d);
the ontwikkelbaan is a municipal provision charged to the re-integratiebudget."""

# Reason codes (rekenregels §2.4) as bits; alphabetical bit order keeps the export sorted.
REDENEN = ("loonwaarde_100", "loonwaarde_ontbreekt", "maximale_duur", "niet_actief", "uren_ontbreken")
LOONWAARDE_100, LOONWAARDE_ONTBREEKT, MAXIMALE_DUUR, NIET_ACTIEF, UREN_ONTBREKEN = 1, 2, 4, 8, 16
REDEN_TEKST = np.array(
    [";".join(r for bit, r in enumerate(REDENEN) if mask & (1 << bit))
     for mask in range(1 << len(REDENEN))],
    dtype=object)

HONDERD_PROCENT = 10_000  # loonwaarde is in hundredths of a percent


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Date + N months keeping the day of the month, clamped to the last day of a shorter
    month (dateutil.relativedelta semantics, rekenregels §2.2: 31-08-2024 + 6 = 28-02-2025)."""
    days = np.asarray(days, dtype="datetime64[D]")
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    last_day = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64) - 1
    return target.astype("datetime64[D]") + np.minimum(day_of_month, last_day)


def leeftijd(geboortedatum: np.ndarray, dag: np.ndarray) -> np.ndarray:
    """Age in whole years on ``dag``. The birthday itself starts the new year of age; a
    29 February birthday falls on 1 March in other years (rekenregels §2.1), which the
    (month, day) comparison below gives without a special case."""
    gy, gmd = year_and_monthday(geboortedatum)
    dy, dmd = year_and_monthday(dag)
    return leeftijd_uit_delen(gy, gmd, dy, dmd)


def leeftijd_uit_delen(geboorte_jaar, geboorte_md, jaar, md):
    """``leeftijd`` from (year, month*100+day) parts that the caller already has."""
    return jaar - geboorte_jaar - (md < geboorte_md)


def verjaardag(geboortedatum: np.ndarray, jaren: int) -> np.ndarray:
    """The first day on which the werknemer is ``jaren`` old (29 Feb → 1 March in other years)."""
    g = np.asarray(geboortedatum, dtype="datetime64[D]")
    month = g.astype("datetime64[M]")
    offset = (g - month.astype("datetime64[D]")).astype(np.int64)
    # 1 February + 28 days is 1 March in a common year: exactly the 29 February rule.
    return (month + 12 * jaren).astype("datetime64[D]") + offset


def year_and_monthday(days):
    days = np.asarray(days, dtype="datetime64[D]")
    year = days.astype("datetime64[Y]")
    month = days.astype("datetime64[M]")
    m = (month - year.astype("datetime64[M]")).astype(np.int64) + 1
    d = (days - month.astype("datetime64[D]")).astype(np.int64) + 1
    return year.astype(np.int64) + 1970, m * 100 + d


def wml_peildatum(dag: np.ndarray, startdatum: np.ndarray, indexatie: str) -> np.ndarray:
    """The date whose WML applies (rekenregels §2.1).

    halfjaarlijks (Het Hogeland policy): the WML valid on the day itself.
    jaarlijks (Pw art. 10d lid 7, statutory minimum): the WML valid on
    max(1 January of that year, startdatum)."""
    if indexatie == "halfjaarlijks":
        return dag
    jan1 = np.asarray(dag, dtype="datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]")
    return np.maximum(jan1, startdatum)


def fractie_lks(loonwaarde: np.ndarray, heeft_loonwaarde: np.ndarray, in_forfait: np.ndarray,
                maximum: np.ndarray, forfait: np.ndarray, den: int):
    """Fractie for regeling lks, as numerator over ``den`` plus reason bits.

    Pw art. 10d lid 4: the gap between WML and loonwaarde, at most 70 % (``maximum``);
    0 when the loonwaarde is 100 % or more (reason loonwaarde_100).
    Pw art. 10d lid 5: without a loonwaarde, a forfait (50 %) during the first six months;
    after that nothing until a loonwaarde is set (reason loonwaarde_ontbreekt)."""
    gap = (HONDERD_PROCENT - np.minimum(loonwaarde, HONDERD_PROCENT)) * (den // HONDERD_PROCENT)
    met_loonwaarde = np.minimum(gap, maximum)
    fractie = np.where(heeft_loonwaarde, met_loonwaarde, np.where(in_forfait, forfait, 0))
    reden = np.where(heeft_loonwaarde & (loonwaarde >= HONDERD_PROCENT), LOONWAARDE_100, 0)
    reden |= np.where(~heeft_loonwaarde & ~in_forfait, LOONWAARDE_ONTBREEKT, 0)
    return fractie, reden


def fractie_beschut(beschut: np.ndarray) -> np.ndarray:
    """Beschut werk (Pw art. 10b lid 9 → art. 10d): the standard LKS fractie of the policy
    (70 %), whatever loonwaarde is recorded."""
    return beschut


def fractie_ontwikkelbaan(ontwikkelbaan: np.ndarray, binnen_maximale_duur: np.ndarray):
    """Ontwikkelbaan (re-integratieverordening; Het Hogeland beleid 2024-2028): a flat 50 %
    without loonwaardemeting, for at most 18 months; after that 0 (reason maximale_duur)."""
    fractie = np.where(binnen_maximale_duur, ontwikkelbaan, 0)
    reden = np.where(binnen_maximale_duur, 0, MAXIMALE_DUUR)
    return fractie, reden


def urenfactor(contracturen: np.ndarray, voltijdsuren: np.ndarray, regel_referentie: np.ndarray,
               weekuren_num: np.ndarray, weekuren_den: np.ndarray):
    """Urenfactor as (numerator, denominator); hours in hundredths.

    Since 2024-01-01 (Wet invoering minimumuurloon): min(contracturen, voltijdsuren) / 36, the
    referentiemaandloon being for 36 hours; hours above the cao full-time are never subsidised.
    Before: min(contracturen, voltijdsuren) / voltijdsuren (WML was a full-time month)."""
    uren = np.minimum(contracturen, voltijdsuren)
    num = np.where(regel_referentie, uren * weekuren_den, uren)
    den = np.where(regel_referentie, 100 * weekuren_num, voltijdsuren)
    return num, den


# 52 weeks / 12 months = 13/3 weeks in a month: the month's maximum of verloonde uren is the
# cao full-time week × 13/3 (rekenregels §7), the same count of weeks the referentiemaandloon
# is built on (uurloon × 36 × 52/12, see parameters/wml_maandloon.yaml).
WEKEN_PER_MAAND = (13, 3)


def verloonde_uren(uren: np.ndarray, dagen: np.ndarray, actief: np.ndarray,
                   voltijdsuren: np.ndarray, dagen_maand: np.ndarray, delen: bool = False) -> dict:
    """Hours of a segment on verloonde uren (rekenregels §7), exact; hours in hundredths.

    The month's hours H (per the loonstrook: what the werkgever paid, for oproep-, min-max- and
    nul-urencontracten) are spread evenly over the A active days:
    ``spreiding = H × dagen / A``; at most the cao full-time hours of the segment's share of the
    month: ``maximum = voltijdsuren × 13/3 × dagen / dagen_maand`` (hours above the cao
    full-time are never subsidised, as in §2.3). The comparison cancels ``dagen``:
    spreiding > maximum ⇔ 3·H·dagen_maand > 13·voltijdsuren·A.

    Returns ``uren``: the segment's subsidised hours as (numerator, denominator) in hours, the
    smaller of the two; ``begrensd``: the maximum applies. With ``delen`` (for the
    explanation) also ``spreiding`` and ``maximum`` as (numerator, denominator); without, the
    arrays are reused in place (millions of segments: fewer fresh pages)."""
    w, m = WEKEN_PER_MAAND
    begrensd = m * uren * dagen_maand > w * voltijdsuren * actief
    spreiding = (uren * dagen, 100 * actief)
    maximum = (w * voltijdsuren * dagen, 100 * m * dagen_maand)
    uit = {"begrensd": begrensd}
    if delen:
        uit["spreiding"], uit["maximum"] = spreiding, maximum
        spreiding = (spreiding[0].copy(), spreiding[1].copy())
    np.copyto(spreiding[0], maximum[0], where=begrensd)
    np.copyto(spreiding[1], maximum[1], where=begrensd)
    uit["uren"] = spreiding
    return uit


def round_half_up_div(num, den):
    """round_half_up(num / den) for non-negative integers (rekenregels §2: the only rounding)."""
    return (2 * num + den) // (2 * den)
