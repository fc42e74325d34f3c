"""Frames that enter and leave the calculation core.

Units inside the core are integers, so no binary float ever touches an amount:
- hours (contracturen, voltijdsuren): hundredths of an hour per week (32.5 h -> 3250);
- loonwaarde: hundredths of a percent (62.5 % -> 6250);
- amounts: integer euro cents;
- dates: numpy ``datetime64[D]`` (pandas datetime columns are accepted); einddatum NaT = open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

PLAATSING_COLUMNS = ["plaatsing_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                     "contracturen", "voltijdsuren", "geboortedatum"]
LOONWAARDE_COLUMNS = ["plaatsing_id", "ingangsdatum", "loonwaarde"]
UREN_COLUMNS = ["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"]
RESULT_COLUMNS = ["plaatsing_id", "periode", "regeling", "budget",
                  "lks_basis", "werkgeverslasten", "lks_totaal", "reden"]
# CalcResult.segments (explain=True): one row per day-segment with every value it used
SEGMENT_COLUMNS = ["plaatsing_id", "periode", "van", "tot", "dagen", "dagen_maand", "regeling",
                   "wml_peildatum", "wml", "leeftijd", "staffel_leeftijd", "staffel_num",
                   "staffel_den", "vb_num", "vb_den", "heeft_loonwaarde", "loonwaarde",
                   "fractie_num", "fractie_den", "contracturen", "voltijdsuren", "urenregel",
                   "uren_num", "uren_den", "reden"]


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

    plaatsingen: PLAATSING_COLUMNS (werkgever_id is carried through, not used in amounts);
    loonwaarden: LOONWAARDE_COLUMNS; urenwijzigingen: UREN_COLUMNS.
    """

    plaatsingen: pd.DataFrame
    loonwaarden: pd.DataFrame
    urenwijzigingen: pd.DataFrame

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
