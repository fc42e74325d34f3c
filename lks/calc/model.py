"""Frames that enter and leave the calculation core.

Units inside the core are integers, so no binary float ever touches an amount:
- hours (contracturen, voltijdsuren): hundredths of an hour per week (32.5 h -> 3250);
- verloonde uren: hundredths of an hour in the calendar month (the loonstrook's 93.25 h -> 9325);
- loonwaarde: hundredths of a percent (62.5 % -> 6250);
- amounts: integer euro cents;
- dates: numpy ``datetime64[D]`` (pandas datetime columns are accepted); einddatum NaT = open;
- periode of verloonde uren: text ``YYYY-MM``, as in the import file and the export.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

PLAATSING_COLUMNS = ["plaatsing_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                     "contracturen", "voltijdsuren", "geboortedatum"]
# optional column of plaatsingen (rekenregels §7); absent, None, NaN or "" mean "contract"
URENBASIS_COLUMN = "urenbasis"
URENBASES = ("contract", "verloond")
LOONWAARDE_COLUMNS = ["plaatsing_id", "ingangsdatum", "loonwaarde"]
UREN_COLUMNS = ["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"]
VERLOONDE_UREN_COLUMNS = ["plaatsing_id", "periode", "uren"]
RESULT_COLUMNS = ["plaatsing_id", "periode", "regeling", "budget",
                  "lks_basis", "werkgeverslasten", "lks_totaal", "reden"]
# CalcResult.segments (explain=True): one row per day-segment with every value it used.
# For a segment on verloonde uren (rekenregels §7): ``urenbasis`` "verloond", ``urenregel``
# "verloond", ``wml`` 0 and uren_num/uren_den 0/1 (no urenfactor); ``wml_uur`` the hourly WML
# in cents on the peildatum (before the staffel); ``verloonde_uren`` the month's delivered
# hours H in hundredths (-1 when not known, ``uren_bekend`` False); ``dagen_actief`` A, the
# month's active days; ``spreiding`` = H × dagen / A and ``maximum`` = voltijdsuren × 13/3 ×
# dagen / dagen_maand, exact hours as numerator/denominator; ``begrensd``: the maximum applies.
# For a contract segment these are "contract", 0, False, -1, A, 0/1, 0/1 and False.
SEGMENT_COLUMNS = ["plaatsing_id", "periode", "van", "tot", "dagen", "dagen_maand", "regeling",
                   "wml_peildatum", "wml", "leeftijd", "staffel_leeftijd", "staffel_num",
                   "staffel_den", "vb_num", "vb_den", "heeft_loonwaarde", "loonwaarde",
                   "fractie_num", "fractie_den", "contracturen", "voltijdsuren", "urenregel",
                   "uren_num", "uren_den", "reden",
                   "urenbasis", "wml_uur", "uren_bekend", "verloonde_uren", "dagen_actief",
                   "spreiding_num", "spreiding_den", "maximum_num", "maximum_den", "begrensd"]


@dataclass(frozen=True)
class Policy:
    """The gemeente's choices where the law leaves one (rekenregels §2.1, §2.2)."""

    indexatie: Literal["halfjaarlijks", "jaarlijks"] = "halfjaarlijks"
    ontwikkelbaan_vakantiebijslag: bool = True
    ontwikkelbaan_werkgeverslasten: bool = True

    def __post_init__(self):
        if self.indexatie not in ("halfjaarlijks", "jaarlijks"):
            raise ValueError(f"onbekende indexatie {self.indexatie!r} (halfjaarlijks of jaarlijks)")


@dataclass(frozen=True)
class CalcInput:
    """The dated facts as known at one moment, one row per current version.

    plaatsingen: PLAATSING_COLUMNS (werkgever_id is carried through, not used in amounts),
    optionally ``urenbasis`` ("contract" or "verloond", rekenregels §7; contract when the
    column is absent or the value empty); loonwaarden: LOONWAARDE_COLUMNS; urenwijzigingen:
    UREN_COLUMNS; verloonde_uren (optional, default empty): VERLOONDE_UREN_COLUMNS, one row per
    plaatsing and calendar month, periode text "YYYY-MM", uren integer hundredths of an hour
    (the hours paid in that month per the loonstrook). Rows for a plaatsing that is not
    verloond, or for a month without an active day, do not enter any amount.
    """

    plaatsingen: pd.DataFrame
    loonwaarden: pd.DataFrame
    urenwijzigingen: pd.DataFrame
    verloonde_uren: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=VERLOONDE_UREN_COLUMNS))

    @classmethod
    def empty_facts(cls, plaatsingen: pd.DataFrame) -> "CalcInput":
        return cls(plaatsingen, pd.DataFrame(columns=LOONWAARDE_COLUMNS),
                   pd.DataFrame(columns=UREN_COLUMNS))


@dataclass(frozen=True)
class CalcResult:
    """plaatsing_maanden: one row per plaatsing per month with an active day, RESULT_COLUMNS
    plus werkgever_id, dagen_actief and dagen_maand; amounts int64 cents, sorted by
    plaatsing_id, periode. segments (only with ``explain``): every day-segment with the values
    it used (SEGMENT_COLUMNS), for ``lks uitleg`` and beschikkingen. Without any active
    plaatsing-month both frames have their columns and zero rows."""

    plaatsing_maanden: pd.DataFrame
    segments: pd.DataFrame
