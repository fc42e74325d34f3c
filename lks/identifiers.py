"""Identifiers of people, companies and accounts: validation with the established libraries
(schwifty for IBAN mod-97 and BIC, python-stdnum for the BSN elfproef) and masking for
messages. Each check returns the normalised value or raises ``ValueError`` with a Dutch
reason; a message never shows a full BSN or a full bank account of the gemeente."""
from __future__ import annotations

import logging
import re

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.nl import bsn as stdnum_bsn

GEMEENTECODE = re.compile(r"[a-z0-9_]{1,40}")  # a schema name part: gemeente_<code>
_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")
_KVK = re.compile(r"^[0-9]{8}$")

_SCHWIFTY_REDENEN = {
    "InvalidChecksumDigits": "controlegetal klopt niet",
    "InvalidLength": "onjuiste lengte",
    "InvalidCountryCode": "onbekende landcode",
    "InvalidStructure": "onjuiste opbouw",
    "InvalidBBANChecksum": "controlegetal van het rekeningnummer klopt niet",
    "InvalidBankCode": "onbekende bankcode",
    "InvalidBranchCode": "onbekende filiaalcode",
    "InvalidAccountCode": "ongeldig rekeningnummer",
}


def _schwifty_reden(error: SchwiftyException) -> str:
    return _SCHWIFTY_REDENEN.get(type(error).__name__, "ongeldig")


def mask_bsn(bsn: str | int) -> str:
    """Only the last three digits of a BSN stay visible: '123456782' -> '******782'.

    Always six asterisks, so the mask does not reveal the length; fewer than three digits
    give '*********'."""
    digits = "".join(c for c in str(bsn) if c.isdigit())
    if isinstance(bsn, int):
        digits = digits.zfill(9)
    if len(digits) < 3:
        return "*" * 9
    return "*" * 6 + digits[-3:]


_NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{6}(\d{3})(?!\d)")


def mask_bsns_in_text(text: str) -> str:
    """Every free-standing 9-digit number in a text (a BSN, perhaps) masked to ``******782``:
    for texts we do not compose ourselves, such as a driver's error message quoting a row."""
    return _NEGEN_CIJFERS.sub(r"******\1", text)


class BsnMaskingFilter(logging.Filter):
    """A logging filter that masks 9-digit numbers in the message and in the traceback of a
    logged exception (a database error's text may quote a row or the SQL parameters).
    Attach it to each logger that may log such texts: a logger's filters only see records
    logged on that logger itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_bsns_in_text(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = mask_bsns_in_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def mask_iban(iban: str) -> str:
    """Country, check digits and the last two characters: enough to recognise, not to use."""
    compact = re.sub(r"\s", "", iban).upper()
    if len(compact) <= 6:
        return "*" * len(compact)
    return compact[:4] + "*" * (len(compact) - 6) + compact[-2:]


def check_iban(value: str, masked: bool = False) -> str:
    """IBAN in compact form (spaces allowed in the input); mod-97, length and structure per
    country. ``masked`` hides the account in the message (the gemeente's own account)."""
    try:
        return IBAN(value).compact
    except SchwiftyException as error:
        shown = mask_iban(value) if masked else value
        raise ValueError(f"ongeldige IBAN {shown!r} ({_schwifty_reden(error)})") from None


def check_bic(value: str) -> str:
    """BIC (8 or 11 characters, structure and country code)."""
    try:
        return str(BIC(value))
    except SchwiftyException as error:
        raise ValueError(f"ongeldige BIC {value!r} ({_schwifty_reden(error)})") from None


def check_bsn(value: str) -> str:
    """BSN as 9 digits (leading zeros restored), elfproef."""
    try:
        return stdnum_bsn.validate(value)
    except InvalidChecksum:
        reden = "elfproef klopt niet"
    except InvalidLength:
        reden = "moet 9 cijfers hebben"
    except InvalidFormat:
        reden = "alleen cijfers, niet 000000000"
    raise ValueError(f"ongeldig BSN {mask_bsn(value)} ({reden})")


def check_kvk(value: str) -> str:
    """KvK-nummer: exactly 8 digits."""
    if not _KVK.match(value):
        raise ValueError(f"ongeldig KvK-nummer {value!r} (moet 8 cijfers zijn)")
    return value


def check_postcode(value: str) -> str:
    """Dutch postcode, normalised to ``1234 AB``."""
    match = _POSTCODE.match(value.strip())
    if not match:
        raise ValueError(f"ongeldige postcode {value!r} (verwacht bijvoorbeeld '9951 AC')")
    return f"{match.group(1)} {match.group(2).upper()}"
