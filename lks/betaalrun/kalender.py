"""The execution date of a SEPA payment: the gemeente's betaaldag, or the next TARGET2
business day when that day has passed at approval (banks do not execute on weekends and
TARGET2 closing days: 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December)."""
from __future__ import annotations

import datetime as dt

from dateutil.easter import easter


def target2_gesloten(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return True
    e = easter(day.year)
    closed = {dt.date(day.year, 1, 1), e - dt.timedelta(days=2), e + dt.timedelta(days=1),
              dt.date(day.year, 5, 1), dt.date(day.year, 12, 25), dt.date(day.year, 12, 26)}
    return day in closed


def volgende_werkdag(day: dt.date) -> dt.date:
    while target2_gesloten(day):
        day += dt.timedelta(days=1)
    return day


def uitvoerdatum(periode: str, betaaldag: int, goedgekeurd_op: dt.date) -> dt.date:
    """The betaaldag of the periode's month (moved to a business day), but never before the
    day after approval."""
    year, month = map(int, periode.split("-"))
    planned = volgende_werkdag(dt.date(year, month, betaaldag))
    earliest = volgende_werkdag(goedgekeurd_op + dt.timedelta(days=1))
    return max(planned, earliest)
