"""Dutch formatting for everything a user reads (babel, locale nl_NL): € 1.065,05,
22 november 2026, 23,5 %. Amounts arrive as integer cents or exact fractions, never floats."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

# babel is imported where it is used: a command that only prints amounts (``euro``) pays
# nothing for it at start-up

LOCALE = "nl_NL"
MAAND = re.compile(r"(?!0000)[0-9]{4}-(0[1-9]|1[0-2])")  # a periode: JJJJ-MM exactly (not 2025-7, not year 0)


def is_maand(text: object) -> bool:
    """Whether ``text`` is a periode written JJJJ-MM (the one form every file and option uses)."""
    return isinstance(text, str) and MAAND.fullmatch(text) is not None


def bedrag(cents: int) -> str:
    """Integer cents as '1.065,05' (no currency sign, for tables).

    Written out instead of calling babel per amount: a betaalrun formats hundreds of
    thousands of amounts and babel takes ~60 µs each. The tests check it against babel's
    nl_NL pattern."""
    cents = int(cents)
    whole, frac = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    return "-" + text if cents < 0 else text


def euro(cents: int) -> str:
    """Integer cents as '€ 1.065,05' (babel's nl_NL currency pattern, no-break space)."""
    return "€\xa0" + bedrag(cents)


def euro_exact(cents: Fraction | int, decimals: int = 6) -> str:
    """An exact amount in cents that need not be whole, as euro with at least two decimals:
    Fraction(15552, 25) (622,08 cents, the subsidy per verloond uur of rekenregels §7) ->
    '€ 6,2208'. A value with more than ``decimals`` decimals of a euro is cut off and marked
    with '…', as ``getal`` does, so a reader never mistakes it for exact."""
    from babel.numbers import format_decimal
    value = Fraction(cents) / 100
    scaled = value * 10 ** decimals
    digits = Decimal(int(scaled)) / (10 ** decimals)
    text = format_decimal(digits, format="#,##0.00" + "#" * (decimals - 2), locale=LOCALE)
    return "€\xa0" + (text if scaled.denominator == 1 else text + "…")


def euro_babel(cents: int) -> str:
    """The same through babel; the reference for ``euro`` in the tests."""
    from babel.numbers import format_currency
    return format_currency(Decimal(int(cents)) / 100, "EUR", locale=LOCALE)


def datum(day: dt.date) -> str:
    """'22 november 2026'."""
    from babel.dates import format_date
    return format_date(day, "d MMMM y", locale=LOCALE)


MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def maand(periode: str) -> str:
    """'2025-02' as 'februari 2025' (anything else as it is)."""
    if not is_maand(periode):
        return periode
    return f"{MAANDEN[int(periode[5:]) - 1]} {periode[:4]}"


def getal(value: Fraction | int | Decimal, decimals: int = 6) -> str:
    """An exact number in Dutch notation; a non-terminating fraction is cut off after
    ``decimals`` digits and marked with '…' so a reader never mistakes it for exact."""
    from babel.numbers import format_decimal
    value = Fraction(value)
    scaled = value * 10 ** decimals
    exact = scaled.denominator == 1
    digits = Decimal(int(scaled)) / (10 ** decimals)
    text = format_decimal(digits, format="#,##0." + "#" * decimals, locale=LOCALE)
    return text if exact else text + "…"


def procent(value: Fraction) -> str:
    """A fraction as a percentage: Fraction(47, 200) -> '23,5 %'."""
    return getal(Fraction(value) * 100, 4) + " %"


_SYSTEEMFOUTEN = {
    "ENOENT": "bestaat niet",
    "ENOTDIR": "een deel van het pad is een bestand, geen map",
    "EISDIR": "is een map, geen bestand",
    "EEXIST": "bestaat al als bestand",
    "EACCES": "geen toegang",
    "EPERM": "geen toegang",
    "EROFS": "het bestandssysteem is alleen-lezen",
    "ENOSPC": "de schijf is vol",
    "ENAMETOOLONG": "de naam is te lang",
}


def systeemfout(error: OSError) -> str:
    """The reason of a failed file operation in Dutch (the operating system's own text is
    English): 'bestaat niet', 'is een map, geen bestand', …"""
    import errno

    naam = errno.errorcode.get(error.errno or 0)
    if naam in _SYSTEEMFOUTEN:
        return _SYSTEEMFOUTEN[naam]
    return f"systeemfout {naam or error.errno}" if error.errno else "onbekende systeemfout"


_WOORDEN = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien",
            "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien",
            "negentien", "twintig")


def weken(aantal: int) -> str:
    """A term in weeks as a letter writes it: numbers up to twenty in words (Dutch house
    style), 'een week' in the singular: 6 -> 'zes weken', 1 -> 'een week', 26 -> '26 weken'."""
    if aantal == 1:
        return "een week"
    return f"{_WOORDEN[aantal] if 0 <= aantal <= 20 else aantal} weken"
