"""Identifiers of people, companies and accounts: validation with the established libraries
(schwifty for IBAN mod-97 and BIC, python-stdnum for the BSN elfproef) and masking for
messages. Each check returns the normalised value or raises ``ValueError`` with a Dutch
reason; a message never shows a full BSN or a full bank account of the gemeente."""
from __future__ import annotations

import re

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.nl import bsn as stdnum_bsn

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


def mask_bsn(value: str) -> str:
    """Only the last three characters: ``******782``."""
    value = str(value)
    return "*" * max(len(value) - 3, 0) + value[-3:] if len(value) > 3 else "*" * len(value)


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
