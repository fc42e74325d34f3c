"""SEPA credit transfer files (ISO 20022 pain.001.001.09) for betaalruns.

Pure document layer: immutable dataclasses in, bytes out. No database, no clock, no
randomness: ``MsgId``, ``PmtInfId``, ``EndToEndId`` and ``CreDtTm`` come from the caller (the
betaalrun and its approval), so rendering the same ``Betaalbestand`` twice gives identical
bytes.

Rendering:

* one ``PmtInf`` per ``Betaalopdracht`` (one per budget: BUIG and re-integratie are debited
  as separate batch entries), one ``CdtTrfTxInf`` per ``Transactie``;
* amounts are integer cents, written with exactly two decimals (never via floats);
* every free text (names, addresses, remittance text) is transliterated into the SEPA Latin
  character set with :func:`transliterate` and cut to the length the EPC guidelines allow
  (names 70, street 70, house number 16, postcode 16, town 35, Ustrd 140): a name never makes
  rendering fail;
* identifiers are written exactly as given, never altered: an id that breaks the rules is
  reported by :func:`validate_pain001`, not silently "repaired" (that could break uniqueness).

Validation (:func:`validate_pain001`) parses the XML itself, independent of the dataclasses,
and checks the official XSD plus the rules an XSD cannot check; :func:`write_pain001` only
ever writes a validated file, atomically.

Transliteration decisions: diacritics are stripped (NFKD), ``&`` becomes ``+``
("Bakkerij Ömer & Zn." -> "Bakkerij Omer + Zn."; ``+`` is in the SEPA set and keeps the text
short, whereas "en" would change the language of a foreign name), ``ß`` -> ``ss``, ``æ`` ->
``ae``, ``ø`` -> ``o``, ``ł`` -> ``l``, curly quotes and ``"`` -> ``'``, dashes and ``_`` ->
``-``, ``;`` -> ``,``, ``!`` -> ``.``, brackets -> ``( )``, ``€`` -> ``EUR``; any other
character (e.g. Cyrillic, CJK, emoji, ``@``, ``#``, ``%``) becomes a space; whitespace is
collapsed. One input character never yields more than three output characters.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

import jinja2
from lxml import etree

from lks.atomic import write_atomic
from lks.paths import SCHEMAS_DIR, TEMPLATES_DIR

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
XSD_PATH = SCHEMAS_DIR / "pain.001.001.09.xsd"
TEMPLATE_DIR = TEMPLATES_DIR / "sepa"
TEMPLATE_NAME = "pain.001.001.09.xml.j2"

Budget = Literal["buig", "reintegratie"]
BUDGETS: tuple[str, ...] = ("buig", "reintegratie")

# --------------------------------------------------------------------------------------------
# Character set and transliteration
# --------------------------------------------------------------------------------------------

SEPA_TEKENS = frozenset(
    "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789"
    "/-?:().,'+ "
)
"""The EPC 'Latin character set' every text in a SEPA credit transfer must stay within."""

MAX_EXPANSIE = 3
"""One input character becomes at most this many output characters."""

_VERVANGING: dict[str, str] = {
    # letters NFKD does not decompose
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
    "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "Ł": "L", "ł": "l",
    "Ħ": "H", "ħ": "h", "ı": "i", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t", "ĸ": "k",
    # punctuation outside the set
    "&": "+", '"': "'", "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "´": "'", "“": "'", "”": "'", "„": "'", "‟": "'", "″": "'", "«": "'", "»": "'",
    "‹": "'", "›": "'", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-",
    "−": "-", "_": "-", "~": "-", "•": "-", ";": ",", "!": ".", "·": ".", "*": ".",
    "[": "(", "{": "(", "<": "(", "]": ")", "}": ")", ">": ")", "\\": "/", "|": "/",
    "⁄": "/", "×": "x", "€": "EUR",
}
assert all(0 < len(v) <= MAX_EXPANSIE and set(v) <= SEPA_TEKENS for v in _VERVANGING.values())


def _teken(c: str) -> str:
    """One character as SEPA text (possibly empty string or a space)."""
    if c in SEPA_TEKENS:
        return c
    if c in _VERVANGING:
        return _VERVANGING[c]
    if c.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", c)
    if decomposed != c:
        parts = []
        for d in decomposed:
            if d in SEPA_TEKENS:
                parts.append(d)
            elif unicodedata.combining(d):
                continue
            elif d in _VERVANGING:
                parts.append(_VERVANGING[d])
            else:
                parts.append(" ")
        result = "".join(parts)
        if result.strip() and len(result) <= MAX_EXPANSIE:
            return result
    return " "


class _Tekentabel(dict):
    """``str.translate`` table of :func:`_teken`, filled on demand: each character is worked
    out once per process instead of once per occurrence (a betaalrun transliterates ~100,000
    texts). Holds at most ``MAX`` characters, so odd input cannot make it grow without bound."""

    MAX = 10_000

    def __missing__(self, code: int) -> str:
        tekst = _teken(chr(code))
        if len(self) < self.MAX:
            self[code] = tekst
        return tekst


_TEKENTABEL = _Tekentabel()


def transliterate(text: str) -> str:
    """Any text in the SEPA Latin character set: "Bakkerij Ömer & Zn." -> "Bakkerij Omer + Zn.".

    Never fails; the result only contains :data:`SEPA_TEKENS`, has no leading, trailing or
    double spaces, is at most ``MAX_EXPANSIE * len(text)`` long, and transliterating it again
    changes nothing.
    """
    return " ".join(str(text).translate(_TEKENTABEL).split())


def _kort(text: str, max_len: int) -> str:
    """Cut ``text`` to ``max_len`` characters, preferably at a space in the second half."""
    if len(text) <= max_len:
        return text
    cut = text[:max_len]
    space = cut.rfind(" ")
    if space >= max_len // 2:
        cut = cut[:space]
    return cut.rstrip()


def _veld(text: str | None, max_len: int) -> str:
    """A free-text field: transliterated and cut to the field's maximum length."""
    if text is None:
        return ""
    return _kort(transliterate(text), max_len)


def ustrd(periode: str, kenmerk: str, *delen: str, max_len: int = 140) -> str:
    """Remittance text (Ustrd, at most 140 characters) in the SEPA character set.

    >>> ustrd("2025-07", "2025-07-1", "W012", "Bakkerij Ömer & Zn.")
    'LKS 2025-07 betaalrun 2025-07-1 W012 Bakkerij Omer + Zn.'

    Too long a text is cut at a word boundary, so the periode and the kenmerk at the front
    always survive.
    """
    tekst = " ".join(["LKS", periode, "betaalrun", kenmerk, *(d for d in delen if d)])
    return _kort(transliterate(tekst), max_len)


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------

def format_bedrag(cents: int) -> str:
    """Integer cents as an ISO 20022 amount with exactly two decimals: 5 -> '0.05',
    106505 -> '1065.05'. Floats are refused (they cannot represent cents exactly)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"bedrag moet een geheel aantal centen zijn, niet {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


# --------------------------------------------------------------------------------------------
# Input dataclasses
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Debiteur:
    """The paying gemeente: name, account and structured postal address."""
    naam: str
    iban: str
    bic: str | None = None
    straat: str
    huisnummer: str
    postcode: str
    plaats: str
    land: str = "NL"


@dataclass(frozen=True, kw_only=True)
class Transactie:
    """One credit transfer: one werkgever, one budget, a positive amount in cents."""
    end_to_end_id: str
    bedrag_cent: int
    naam: str
    iban: str
    bic: str | None = None
    straat: str
    huisnummer: str
    postcode: str
    plaats: str
    land: str = "NL"
    omschrijving: str

    def __post_init__(self) -> None:
        if isinstance(self.bedrag_cent, bool) or not isinstance(self.bedrag_cent, int):
            raise TypeError("bedrag_cent moet een geheel aantal centen (int) zijn")


@dataclass(frozen=True, kw_only=True)
class Betaalopdracht:
    """One PmtInf: the transactions charged to one budget, executed on one date."""
    pmt_inf_id: str
    budget: Budget
    uitvoerdatum: dt.date
    transacties: tuple[Transactie, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "transacties", tuple(self.transacties))
        if self.budget not in BUDGETS:
            raise ValueError(f"onbekend budget {self.budget!r} (verwacht: {', '.join(BUDGETS)})")
        if not self.transacties:
            raise ValueError(f"betaalopdracht {self.pmt_inf_id!r} heeft geen transacties")

    @property
    def totaal_cent(self) -> int:
        return sum(t.bedrag_cent for t in self.transacties)


@dataclass(frozen=True, kw_only=True)
class Betaalbestand:
    """One pain.001 file. ``aangemaakt`` is the approval moment (timezone-aware), so the
    file's CreDtTm never depends on when it is (re)generated."""
    msg_id: str
    aangemaakt: dt.datetime
    initiator_naam: str
    debiteur: Debiteur
    opdrachten: tuple[Betaalopdracht, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "opdrachten", tuple(self.opdrachten))
        if self.aangemaakt.tzinfo is None or self.aangemaakt.utcoffset() is None:
            raise ValueError("aangemaakt moet een tijdstip met tijdzone zijn")
        if not self.opdrachten:
            raise ValueError(f"betaalbestand {self.msg_id!r} heeft geen betaalopdrachten")

    @property
    def aantal_transacties(self) -> int:
        return sum(len(o.transacties) for o in self.opdrachten)

    @property
    def totaal_cent(self) -> int:
        return sum(o.totaal_cent for o in self.opdrachten)

    def totaal_per_budget(self) -> dict[str, int]:
        """Control sum per budget in cents (for reconciliation against the specificaties)."""
        totals: dict[str, int] = {}
        for o in self.opdrachten:
            totals[o.budget] = totals.get(o.budget, 0) + o.totaal_cent
        return totals


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

NAAM_MAX, STRAAT_MAX, HUISNUMMER_MAX, POSTCODE_MAX, PLAATS_MAX, USTRD_MAX = 70, 70, 16, 16, 35, 140
ONBEKENDE_NAAM = "Onbekend"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # XML escaping of & < > " '
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _compact(code: str | None) -> str:
    """IBAN/BIC without spaces, upper case (presentation only; validity is checked later)."""
    return "".join((code or "").split()).upper()


def _adres(straat: str, huisnummer: str, postcode: str, plaats: str, land: str) -> dict:
    return {
        "straat": _veld(straat, STRAAT_MAX),
        "huisnummer": _veld(huisnummer, HUISNUMMER_MAX),
        "postcode": _veld(postcode, POSTCODE_MAX),
        "plaats": _veld(plaats, PLAATS_MAX),
        "land": _compact(land),
    }


def _naam(naam: str) -> str:
    return _veld(naam, NAAM_MAX) or ONBEKENDE_NAAM


def _context(bestand: Betaalbestand) -> dict:
    d = bestand.debiteur
    debiteur = {
        "naam": _naam(d.naam),
        "iban": _compact(d.iban),
        "bic": _compact(d.bic),
        "adres": _adres(d.straat, d.huisnummer, d.postcode, d.plaats, d.land),
    }
    opdrachten = []
    for o in bestand.opdrachten:
        transacties = [
            {
                "end_to_end_id": t.end_to_end_id,
                "bedrag": format_bedrag(t.bedrag_cent),
                "naam": _naam(t.naam),
                "iban": _compact(t.iban),
                "bic": _compact(t.bic),
                "adres": _adres(t.straat, t.huisnummer, t.postcode, t.plaats, t.land),
                "ustrd": _veld(t.omschrijving, USTRD_MAX),
            }
            for t in o.transacties
        ]
        opdrachten.append({
            "pmt_inf_id": o.pmt_inf_id,
            "aantal": len(o.transacties),
            "controlesom": format_bedrag(o.totaal_cent),
            "uitvoerdatum": o.uitvoerdatum.isoformat(),
            "transacties": transacties,
        })
    return {
        "namespace": NAMESPACE,
        "msg_id": bestand.msg_id,
        "aangemaakt": bestand.aangemaakt.isoformat(timespec="seconds"),
        "aantal": bestand.aantal_transacties,
        "controlesom": format_bedrag(bestand.totaal_cent),
        "initiator": _naam(bestand.initiator_naam),
        "debiteur": debiteur,
        "opdrachten": opdrachten,
    }


def render_pain001(bestand: Betaalbestand) -> bytes:
    """The pain.001.001.09 document as UTF-8 bytes; identical input gives identical bytes.

    Does not validate: use :func:`validate_pain001` or :func:`write_pain001`."""
    text = _environment().get_template(TEMPLATE_NAME).render(**_context(bestand))
    return text.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

class SepaFout(ValueError):
    """A SEPA file breaks the XSD or a SEPA rule. ``fouten`` lists every problem in Dutch."""

    def __init__(self, fouten: list[str] | tuple[str, ...]):
        self.fouten = tuple(fouten)
        super().__init__("Het SEPA-bestand (pain.001.001.09) is afgekeurd:\n"
                         + "\n".join(f"- {f}" for f in self.fouten))


class _PerThread(threading.local):
    """lxml parsers and schema validators are not to be shared between threads (a validator
    keeps the error log of its last run), so each thread gets its own, made once."""

    def __init__(self) -> None:
        # No entity expansion, no network: the file is data, never instructions. Comments
        # and processing instructions are not content and are dropped.
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True,
                                      remove_comments=True, remove_pis=True)
        self._xsd: etree.XMLSchema | None = None

    @property
    def xsd(self) -> etree.XMLSchema:
        if self._xsd is None:  # ~3 ms, once per thread
            self._xsd = etree.XMLSchema(etree.parse(str(XSD_PATH), self.parser))
        return self._xsd


_LOKAAL = _PerThread()
_NS = {"p": NAMESPACE}
_Q = f"{{{NAMESPACE}}}"
ID_MAX = 35
MAX_BEDRAG = Decimal("999999999.99")
MAX_XSD_FOUTEN = 10
_BUITEN_SEPA_TEKENS = re.compile("[^" + re.escape("".join(sorted(SEPA_TEKENS))) + "]")
_IBAN_REDEN = {
    "InvalidChecksumDigits": "het controlegetal klopt niet",
    "InvalidLength": "de lengte klopt niet",
    "InvalidStructure": "de opbouw klopt niet",
    "InvalidCountryCode": "onbekende landcode",
    "InvalidBBANChecksum": "het controlegetal van het rekeningnummer klopt niet",
    "InvalidBankCode": "onbekende bankcode",
    "InvalidAccountCode": "ongeldig rekeningnummer",
    "InvalidBranchCode": "ongeldige filiaalcode",
}


def _tekst(element: etree._Element | None, path: str) -> str | None:
    return None if element is None else _tekst_van(element.find(path, _NS))


def _tekst_van(element: etree._Element | None) -> str | None:
    return None if element is None or element.text is None else element.text.strip()


class _Transactie:
    """The parts of one CdtTrfTxInf the SEPA rules check: the first EndToEndId, InstdAmt and
    creditor IBAN (as ``find`` would give) and every Ustrd."""

    __slots__ = ("element", "e2e", "amt", "iban", "ustrd")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.e2e = self.amt = self.iban = None
        self.ustrd: list[etree._Element] = []


def _tags(*namen: str) -> tuple[str, ...]:
    return tuple(f"{_Q}{naam}" for naam in namen)


_TX, _E2E, _AMT, _IBAN, _USTRD = _tags("CdtTrfTxInf", "EndToEndId", "InstdAmt", "IBAN", "Ustrd")
# where each part sits below its CdtTrfTxInf: the tags of its ancestors, nearest first
_DEEL_PAD = {_E2E: _tags("PmtId"), _AMT: _tags("Amt"), _IBAN: _tags("Id", "CdtrAcct"),
             _USTRD: _tags("RmtInf")}


def _transacties(pmt_inf: etree._Element) -> list[_Transactie]:
    """The transactions of a PmtInf with their parts, in one pass over its elements that
    libxml2 filters by tag (a ``find`` per part and transaction costs most of the validation
    time of a large file). Each part counts only at its place in the schema, e.g. the IBAN of
    CdtrAcct/Id, not that of an intermediary agent."""
    transacties: list[_Transactie] = []
    for element in pmt_inf.iter(_TX, *_DEEL_PAD):
        tag = element.tag
        if tag == _TX:
            if element.getparent() is pmt_inf:
                transacties.append(_Transactie(element))
            continue
        voorouder = element.getparent()
        for verwacht in _DEEL_PAD[tag]:
            if voorouder is None or voorouder.tag != verwacht:
                break
            voorouder = voorouder.getparent()
        else:
            if not transacties or voorouder is not transacties[-1].element:
                continue
            tx = transacties[-1]
            if tag == _USTRD:
                tx.ustrd.append(element)
            elif tag == _E2E:
                tx.e2e = element if tx.e2e is None else tx.e2e
            elif tag == _AMT:
                tx.amt = element if tx.amt is None else tx.amt
            else:
                tx.iban = element if tx.iban is None else tx.iban
    return transacties


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _iban_fout(iban: str | None) -> str | None:
    from schwifty import IBAN

    if not iban:
        return "ontbreekt"
    try:
        IBAN(iban)
    except ValueError as exc:
        return _IBAN_REDEN.get(type(exc).__name__, "ongeldig")
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _controleer_id(soort: str, waarde: str | None, gezien: dict[str, int], fouten: list[str]) -> None:
    if not waarde:
        fouten.append(f"{soort} ontbreekt")
        return
    if len(waarde) > ID_MAX:
        fouten.append(f"{soort} {waarde!r} is {len(waarde)} tekens lang (maximaal {ID_MAX})")
    if waarde.startswith("/") or waarde.endswith("/") or "//" in waarde:
        fouten.append(f"{soort} {waarde!r} mag niet met '/' beginnen of eindigen en geen '//' bevatten")
    gezien[waarde] = gezien.get(waarde, 0) + 1


def _dubbel(soort: str, gezien: dict[str, int], fouten: list[str]) -> None:
    for waarde, aantal in gezien.items():
        if aantal > 1:
            fouten.append(f"{soort} {waarde!r} komt {aantal} keer voor (moet uniek zijn)")


def _controleer_som(wat: str, nb_tekst: str | None, som_tekst: str | None, aantal: int,
                    som: Decimal, fouten: list[str]) -> None:
    if nb_tekst is None:
        fouten.append(f"NbOfTxs van {wat} ontbreekt")
    elif nb_tekst != str(aantal):
        fouten.append(f"NbOfTxs van {wat} is {nb_tekst}, maar er zijn {aantal} transacties")
    ctrl = _decimal(som_tekst)
    if som_tekst is None:
        fouten.append(f"CtrlSum van {wat} ontbreekt")
    elif ctrl is None:
        fouten.append(f"CtrlSum van {wat} is geen geldig bedrag: {som_tekst!r}")
    elif ctrl != som:
        fouten.append(f"CtrlSum van {wat} is {som_tekst}, maar de som van de transacties is {som:.2f}")


def _buiten_tekenset(waarde: str, tag: str, fouten: list[str]) -> None:
    if _BUITEN_SEPA_TEKENS.search(waarde.strip()):
        vreemd = sorted({c for c in waarde.strip() if c not in SEPA_TEKENS})
        fouten.append(f"tekst in <{_local(tag)}> bevat tekens buiten de "
                      f"SEPA-tekenset: {''.join(vreemd)!r} in {waarde.strip()!r}")


def validate_pain001(xml: bytes) -> None:
    """Check a pain.001.001.09 file; raise :class:`SepaFout` listing every problem.

    Checks the whole file against the official XSD (libxml2 through lxml) and the SEPA rules
    it cannot express: NbOfTxs and CtrlSum per file and per PmtInf, every IBAN (schwifty),
    amounts in EUR, > 0, at most two decimals and at most 999,999,999.99, ids (MsgId,
    PmtInfId, EndToEndId) at most 35 characters and unique, every text in the SEPA character
    set, names at most 70 and Ustrd at most 140 characters. Works on the XML alone, so it also
    checks files that did not come from :func:`render_pain001`.
    """
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        root = etree.fromstring(xml, _LOKAAL.parser)
    except etree.XMLSyntaxError as exc:
        raise SepaFout([f"het bestand is geen geldige XML: {exc}"]) from None
    if root.getroottree().docinfo.doctype:
        # entities stay unexpanded (see _PerThread), so a DTD could hide text from the checks
        raise SepaFout(["het bestand bevat een DOCTYPE-declaratie; een SEPA-bestand heeft die niet"])
    if root.tag != f"{_Q}Document":
        raise SepaFout([f"het bestand is geen pain.001.001.09-document (root {root.tag!r})"])

    fouten: list[str] = []
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", _NS)
    msg_ids: dict[str, int] = {}
    _controleer_id("MsgId", _tekst(header, "p:MsgId"), msg_ids, fouten)

    pmt_inf_ids: dict[str, int] = {}
    e2e_ids: dict[str, int] = {}
    iban_fouten: dict[str | None, str | None] = {}  # a werkgever paid from two budgets: one check
    totaal_aantal, totaal_som = 0, Decimal(0)
    for index, pmt_inf in enumerate(root.findall("p:CstmrCdtTrfInitn/p:PmtInf", _NS), start=1):
        pmt_inf_id = _tekst(pmt_inf, "p:PmtInfId")
        _controleer_id("PmtInfId", pmt_inf_id, pmt_inf_ids, fouten)
        wat = f"PmtInf {pmt_inf_id or index!r}"
        fout = _iban_fout(_tekst(pmt_inf, "p:DbtrAcct/p:Id/p:IBAN"))
        if fout:
            fouten.append(f"IBAN van de debiteur in {wat} is ongeldig: {fout} "
                          f"({_tekst(pmt_inf, 'p:DbtrAcct/p:Id/p:IBAN')!r})")
        aantal, som = 0, Decimal(0)
        for tx in _transacties(pmt_inf):
            aantal += 1
            e2e = _tekst_van(tx.e2e)
            _controleer_id("EndToEndId", e2e, e2e_ids, fouten)
            tx_wat = f"transactie {e2e or aantal!r}"
            amt = tx.amt
            waarde = _decimal(amt.text.strip() if amt is not None and amt.text else None)
            if amt is None or waarde is None:
                fouten.append(f"bedrag van {tx_wat} ontbreekt of is ongeldig")
            else:
                som += waarde
                if amt.get("Ccy") != "EUR":
                    fouten.append(f"valuta van {tx_wat} is {amt.get('Ccy')!r}, SEPA vereist 'EUR'")
                if waarde <= 0:
                    fouten.append(f"bedrag van {tx_wat} is {amt.text.strip()}: moet groter dan 0 zijn")
                if waarde > MAX_BEDRAG:
                    fouten.append(f"bedrag van {tx_wat} is {amt.text.strip()}: hoger dan het SEPA-maximum")
                if waarde.as_tuple().exponent < -2:
                    fouten.append(f"bedrag van {tx_wat} is {amt.text.strip()}: meer dan 2 decimalen")
            iban = _tekst_van(tx.iban)
            if iban not in iban_fouten:
                iban_fouten[iban] = _iban_fout(iban)
            if iban_fouten[iban]:
                fouten.append(f"IBAN van de begunstigde in {tx_wat} is ongeldig: {iban_fouten[iban]} "
                              f"({iban!r})")
            for element in tx.ustrd:
                lengte = len(element.text or "")
                if lengte > USTRD_MAX:
                    fouten.append(f"omschrijving (Ustrd) van {tx_wat} is {lengte} tekens lang "
                                  f"(maximaal {USTRD_MAX})")
        _controleer_som(wat, _tekst(pmt_inf, "p:NbOfTxs"), _tekst(pmt_inf, "p:CtrlSum"),
                        aantal, som, fouten)
        totaal_aantal += aantal
        totaal_som += som
    _controleer_som("het bestand (GrpHdr)", _tekst(header, "p:NbOfTxs"), _tekst(header, "p:CtrlSum"),
                    totaal_aantal, totaal_som, fouten)
    for soort, gezien in (("MsgId", msg_ids), ("PmtInfId", pmt_inf_ids), ("EndToEndId", e2e_ids)):
        _dubbel(soort, gezien, fouten)

    for element in root.iter(f"{_Q}Nm"):
        naam = (element.text or "").strip()
        if len(naam) > NAAM_MAX:
            fouten.append(f"naam {naam[:40]!r}... is {len(naam)} "
                          f"tekens lang (SEPA staat maximaal {NAAM_MAX} toe)")
    buiten = _BUITEN_SEPA_TEKENS.search
    for element in root.iter():
        tekst = element.text
        if tekst is not None and buiten(tekst.strip()):
            _buiten_tekenset(tekst, element.tag, fouten)
    for waarde in root.xpath("//@*"):
        _buiten_tekenset(waarde, waarde.getparent().tag, fouten)

    xsd = _LOKAAL.xsd
    if not xsd.validate(root):
        for n, error in enumerate(xsd.error_log):
            if n == MAX_XSD_FOUTEN:
                fouten.append("... meer afwijkingen van het XSD-schema")
                break
            fouten.append(f"voldoet niet aan het XSD-schema pain.001.001.09: "
                          f"{error.message.replace(_Q, '')} (regel {error.line})")

    if fouten:
        raise SepaFout(fouten)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

def write_pain001(bestand: Betaalbestand, path: str | os.PathLike) -> str:
    """Render, validate and write the file atomically; return the sha256 (hex) of its bytes.

    The bytes go to a temporary file in the same directory, are flushed to disk and then
    renamed over ``path`` (``lks.atomic``): ``path`` either keeps its old content or gets the
    complete, validated file, never something half-written. On a validation error nothing is
    written and :class:`SepaFout` is raised.
    """
    data = render_pain001(bestand)
    validate_pain001(data)
    write_atomic(path, data, crash_step="sepa.tijdelijk_bestand")
    return hashlib.sha256(data).hexdigest()
