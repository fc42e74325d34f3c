"""Dutch formatting in the templates: amounts, dates, moments in Europe/Amsterdam, IBANs."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Amsterdam")
MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")


def euro(cents) -> str:
    from lks.nl import euro as nl_euro
    return nl_euro(int(cents or 0))


def datum(dag) -> str:
    if not dag:
        return ""
    from lks.nl import datum as nl_datum
    return nl_datum(dag if isinstance(dag, dt.date) and not isinstance(dag, dt.datetime) else dag.date())


def moment(tijd: dt.datetime | None) -> str:
    if tijd is None:
        return ""
    return f"{tijd.astimezone(TZ):%d-%m-%Y %H:%M}"


def maand(periode: str | None) -> str:
    """'2025-07' as 'juli 2025'."""
    if not periode or len(periode) != 7:
        return periode or ""
    return f"{MAANDEN[int(periode[5:]) - 1]} {periode[:4]}"


def iban(nummer: str | None) -> str:
    nummer = "".join((nummer or "").split())
    return " ".join(nummer[i:i + 4] for i in range(0, len(nummer), 4))


def getal(waarde) -> str:
    """32.00 as '32', 62.50 as '62,5': a number of hours or a percentage as people write it."""
    from decimal import Decimal
    if waarde is None:
        return ""
    tekst = format(Decimal(str(waarde)).normalize(), "f")
    return tekst.replace(".", ",")


# The regeling as a werkgever calls it. "loonkostensubsidie" carries a soft hyphen: in a narrow
# table column it breaks as "loonkosten-" / "subsidie", not in the middle of a syllable
# (Chromium on Linux has no Dutch hyphenation dictionary for ``hyphens: auto``).
REGELING = {"lks": "loonkosten\u00adsubsidie", "beschut": "beschut werk", "ontwikkelbaan": "ontwikkelbaan"}


def regeling(code: str) -> str:
    return REGELING.get(code, code)


def registreer(app) -> None:
    app.jinja_env.filters.update(euro=euro, datum=datum, moment=moment, maand=maand, iban=iban, getal=getal,
                                 regeling=regeling)
    from lks.app.identiteit import Actie
    app.jinja_env.globals["Actie"] = Actie
