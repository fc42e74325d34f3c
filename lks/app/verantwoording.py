"""The controller's work: the year's rapport, the finance system's ledger and the bank's
statements read in, budgets and norms, and money a werkgever paid back."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


def rapport(o: Omgeving, wie: Identiteit, jaar: int, periode: str | None = None, bestanden: Path | None = None):
    """Calculated, approved, paid, set off and recovered per budget, regeling, werkgever and
    month, with every identity and its exceptions (``lks.verantwoording.rapport``)."""
    from lks.verantwoording.rapport import maak_rapport
    vereist(o.engine, wie, Actie.RAPPORT_MAKEN)
    map_ = bestanden if bestanden is not None else o.betaalbestanden
    return maak_rapport(o.engine, jaar, o.params, o.settings, periode=periode,
                        bestanden=map_ if map_.is_dir() else None)


def grootboek(o: Omgeving, wie: Identiteit, pad: Path, now: dt.datetime):
    from lks.verantwoording.invoer import importeer_grootboek
    wie = vereist(o.engine, wie, Actie.GROOTBOEK_IMPORTEREN)
    return importeer_grootboek(o.engine, pad, wie.naam, now)


def bankafschrift(o: Omgeving, wie: Identiteit, pad: Path, now: dt.datetime):
    from lks.verantwoording.invoer import importeer_camt053
    wie = vereist(o.engine, wie, Actie.BANK_IMPORTEREN)
    return importeer_camt053(o.engine, pad, wie.naam, now)


def budget(o: Omgeving, wie: Identiteit, jaar: int, budget_: str, bedrag_cent: int, bron: str, now: dt.datetime):
    from lks.verantwoording.invoer import zet_budget
    wie = vereist(o.engine, wie, Actie.BUDGET_VASTLEGGEN)
    return zet_budget(o.engine, jaar, budget_, bedrag_cent, bron, wie.naam, now)


def capaciteit(o: Omgeving, wie: Identiteit, jaar: int, waarden: dict[str, int], bron: str, now: dt.datetime):
    from lks.verantwoording.invoer import zet_capaciteit
    wie = vereist(o.engine, wie, Actie.BUDGET_VASTLEGGEN)
    return zet_capaciteit(o.engine, jaar, waarden, bron, wie.naam, now)


def ontvangst(o: Omgeving, wie: Identiteit, werkgever_id: str, budget_: str | None, bedrag_cent: int,
              datum: dt.date, vordering_id: int | None, kenmerk: str | None, now: dt.datetime) -> int:
    from lks.verantwoording.invoer import voeg_ontvangst_toe
    wie = vereist(o.engine, wie, Actie.ONTVANGST_VASTLEGGEN)
    return voeg_ontvangst_toe(o.engine, werkgever_id, budget_, bedrag_cent, datum, vordering_id, kenmerk,
                              wie.naam, now)
