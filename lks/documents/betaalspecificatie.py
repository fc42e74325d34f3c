"""Betaalspecificatie per werkgever: what one betaalrun pays a werkgever, and why.

Pure document layer: immutable dataclasses in, text/bytes out (HTML, PDF via WeasyPrint,
CSV). No database, no clock, no randomness; the same ``Specificatie`` always gives the same
HTML, CSV and PDF bytes (for one installed WeasyPrint/Pango/font set).

Arithmetic (checked when a ``Specificatie`` is made, so an inconsistent one cannot exist).
Per budget b (BUIG and re-integratie are paid as separate SEPA transactions)::

    Σ bedrag of the regels of b  −  verrekend_b  +  nieuwe_vordering_b  =  uitbetaald_b

* ``verrekend_b`` (>= 0): an open vordering from earlier runs set off against this payment;
* ``nieuwe_vordering_b`` (>= 0): a net negative balance that is not paid out but carried to a
  next run as a vordering (so ``uitbetaald_b`` is never negative);
* ``uitbetaald_b`` (>= 0) is the SEPA amount for this werkgever and budget; the printed total
  per budget is exactly this number.

The caller may give the totals ``verrekend_cent`` / ``nieuwe_vordering_cent`` only; the split
per budget is then derived from the difference between the regels and the payment of each
budget (a shortfall is verrekend, a surplus is a new vordering) and must add up to the given
totals. When a set-off crosses budgets or both happen within one budget, pass
``verrekend_per_budget`` / ``nieuwe_vordering_per_budget`` explicitly.

Privacy: a BSN is never printed. ``SpecificatieRegel`` refuses a ``bsn_masked`` with more than
three digits; use :func:`mask_bsn`.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import threading
import types
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import jinja2
from babel.dates import format_date
from markupsafe import Markup

from lks.identifiers import mask_bsn  # noqa: F401  (part of this module's interface)
from lks.nl import LOCALE, bedrag, datum, euro, is_maand
from lks.paths import TEMPLATES_DIR

TEMPLATE_DIR = TEMPLATES_DIR / "betaalspecificatie"
TEMPLATE_NAME = "specificatie.html.j2"
CSS_PATH = TEMPLATES_DIR / "documenten.css"

Budget = Literal["buig", "reintegratie"]
BUDGETS: tuple[str, ...] = ("buig", "reintegratie")
SOORTEN: tuple[str, ...] = ("regulier", "correctie")

BUDGET_TEKST = {
    "buig": "BUIG (Participatiewet art. 69)",
    "reintegratie": "Re-integratiebudget",
}
REGELING_TEKST = {
    "lks": "Loonkostensubsidie (Pw art. 10d)",
    "beschut": "Beschut werk (Pw art. 10b)",
    "ontwikkelbaan": "Ontwikkelbaan",
}



def _check_cent(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} moet een geheel aantal centen (int) zijn")


def _check_periode(value: str) -> None:
    if not is_maand(value):
        raise ValueError(f"periode {value!r} heeft niet de vorm JJJJ-MM")


@dataclass(frozen=True, kw_only=True)
class SpecificatieRegel:
    """One payment line: one plaatsing, one month, regular or a correction of an earlier
    month. Amounts are the delta paid in this run (a correction may be negative)."""
    plaatsing_id: str
    werknemer_naam: str
    bsn_masked: str
    regeling: str
    budget: Budget
    periode: str
    soort: Literal["regulier", "correctie"]
    lks_basis_cent: int
    werkgeverslasten_cent: int
    bedrag_cent: int

    def __post_init__(self) -> None:
        if sum(c.isdigit() for c in self.bsn_masked) > 3:
            raise ValueError("bsn_masked bevat meer dan 3 cijfers: maskeer het BSN met mask_bsn()")
        if self.budget not in BUDGETS:
            raise ValueError(f"onbekend budget {self.budget!r}")
        if self.soort not in SOORTEN:
            raise ValueError(f"onbekende soort {self.soort!r} (verwacht: regulier of correctie)")
        _check_periode(self.periode)
        for name in ("lks_basis_cent", "werkgeverslasten_cent", "bedrag_cent"):
            _check_cent(name, getattr(self, name))

    @property
    def omschrijving(self) -> str:
        """'2025-07' for a regular line, 'correctie 2025-03' for a correction."""
        return self.periode if self.soort == "regulier" else f"correctie {self.periode}"


@dataclass(frozen=True)
class BudgetTotaal:
    """The arithmetic of one budget in one specificatie (all cents)."""
    budget: str
    regels_cent: int
    verrekend_cent: int
    nieuwe_vordering_cent: int
    uitbetaald_cent: int


def _lines(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    return tuple(value)


def _budget_map(name: str, value: Mapping[str, int] | None) -> Mapping[str, int] | None:
    if value is None:
        return None
    result = {}
    for budget, cents in value.items():
        if budget not in BUDGETS:
            raise ValueError(f"{name}: onbekend budget {budget!r}")
        _check_cent(f"{name}[{budget}]", cents)
        if cents < 0:
            raise ValueError(f"{name}[{budget}] mag niet negatief zijn")
        result[budget] = cents
    return types.MappingProxyType({b: result[b] for b in BUDGETS if b in result})


@dataclass(frozen=True, kw_only=True)
class Specificatie:
    """The betaalspecificatie of one werkgever in one betaalrun (see the module docstring
    for the arithmetic that is checked here; a ValueError names the budget that fails)."""
    gemeente_naam: str
    gemeente_adres: tuple[str, ...]
    werkgever_naam: str
    werkgever_adres: tuple[str, ...]
    werkgever_iban: str
    betaalrun_kenmerk: str
    periode: str
    datum: dt.date
    regels: tuple[SpecificatieRegel, ...]
    uitbetaald_per_budget: Mapping[str, int]
    verrekend_cent: int = 0
    nieuwe_vordering_cent: int = 0
    verrekend_per_budget: Mapping[str, int] | None = None
    nieuwe_vordering_per_budget: Mapping[str, int] | None = None
    totalen: tuple[BudgetTotaal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("gemeente_adres", _lines(self.gemeente_adres))
        put("werkgever_adres", _lines(self.werkgever_adres))
        put("regels", tuple(self.regels))
        _check_periode(self.periode)
        for name in ("verrekend_cent", "nieuwe_vordering_cent"):
            _check_cent(name, getattr(self, name))
            if getattr(self, name) < 0:
                raise ValueError(f"{name} mag niet negatief zijn")
        uitbetaald = _budget_map("uitbetaald_per_budget", self.uitbetaald_per_budget)
        verrekend = _budget_map("verrekend_per_budget", self.verrekend_per_budget)
        vordering = _budget_map("nieuwe_vordering_per_budget", self.nieuwe_vordering_per_budget)
        put("uitbetaald_per_budget", uitbetaald)

        regels_per_budget: dict[str, int] = {}
        for regel in self.regels:
            regels_per_budget[regel.budget] = regels_per_budget.get(regel.budget, 0) + regel.bedrag_cent
        budgets = [b for b in BUDGETS if b in regels_per_budget or b in uitbetaald
                   or (verrekend and b in verrekend) or (vordering and b in vordering)]

        if verrekend is None and vordering is None:
            # Derive the split: a shortfall against the regels is verrekend, a surplus is a
            # new vordering (a net negative balance carried forward).
            verschil = {b: uitbetaald.get(b, 0) - regels_per_budget.get(b, 0) for b in budgets}
            verrekend = {b: max(-v, 0) for b, v in verschil.items()}
            vordering = {b: max(v, 0) for b, v in verschil.items()}
            if (sum(verrekend.values()), sum(vordering.values())) != (
                    self.verrekend_cent, self.nieuwe_vordering_cent):
                raise ValueError(
                    "betaalspecificatie klopt niet: uit de regels en de uitbetaalde bedragen volgt "
                    f"verrekend {euro(sum(verrekend.values()))} en nieuwe vordering "
                    f"{euro(sum(vordering.values()))}, opgegeven is verrekend "
                    f"{euro(self.verrekend_cent)} en nieuwe vordering "
                    f"{euro(self.nieuwe_vordering_cent)} (geef zo nodig verrekend_per_budget en "
                    "nieuwe_vordering_per_budget op)")
        else:
            verrekend = dict(verrekend or {})
            vordering = dict(vordering or {})
            for name, per_budget in (("verrekend", verrekend), ("nieuwe_vordering", vordering)):
                total = sum(per_budget.values())
                given = getattr(self, f"{name}_cent")
                if given == 0:
                    put(f"{name}_cent", total)
                elif given != total:
                    raise ValueError(f"{name}_cent ({given}) is niet de som van "
                                     f"{name}_per_budget ({total})")

        totalen = []
        for b in budgets:
            t = BudgetTotaal(b, regels_per_budget.get(b, 0), verrekend.get(b, 0),
                             vordering.get(b, 0), uitbetaald.get(b, 0))
            if t.uitbetaald_cent < 0:
                raise ValueError(f"uitbetaald bedrag voor {b} is negatief")
            if t.regels_cent - t.verrekend_cent + t.nieuwe_vordering_cent != t.uitbetaald_cent:
                raise ValueError(
                    f"betaalspecificatie klopt niet voor budget {b}: regels {euro(t.regels_cent)} "
                    f"- verrekend {euro(t.verrekend_cent)} + nieuwe vordering "
                    f"{euro(t.nieuwe_vordering_cent)} is niet het uitbetaalde bedrag "
                    f"{euro(t.uitbetaald_cent)}")
            totalen.append(t)
        put("verrekend_per_budget", types.MappingProxyType({t.budget: t.verrekend_cent for t in totalen}))
        put("nieuwe_vordering_per_budget",
            types.MappingProxyType({t.budget: t.nieuwe_vordering_cent for t in totalen}))
        put("totalen", tuple(totalen))

    @property
    def uitbetaald_cent(self) -> int:
        """Total paid to this werkgever in this run (sum of its SEPA transactions)."""
        return sum(t.uitbetaald_cent for t in self.totalen)


# --------------------------------------------------------------------------------------------
# Presentation helpers
# --------------------------------------------------------------------------------------------

def _maand(periode: str) -> str:
    """'2025-07' -> 'juli 2025'."""
    year, month = map(int, periode.split("-"))
    return format_date(dt.date(year, month, 1), "MMMM y", locale=LOCALE)


def _iban_leesbaar(iban: str) -> str:
    """IBAN in groups of four ('NL91 ABNA 0417 1643 00'); a long digit run would look like a
    number that has to be searched for BSNs."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def _groepen(spec: Specificatie, budget: str) -> list[dict]:
    """The regels of one budget grouped per plaatsing, ordered by werknemer and plaatsing;
    inside a plaatsing chronologically (corrections of earlier months first)."""
    per_plaatsing: dict[str, list[SpecificatieRegel]] = {}
    for regel in spec.regels:
        if regel.budget == budget:
            per_plaatsing.setdefault(regel.plaatsing_id, []).append(regel)
    groepen = []
    for plaatsing_id, regels in per_plaatsing.items():
        regels.sort(key=lambda r: (r.periode, SOORTEN.index(r.soort)))
        eerste = regels[0]
        groepen.append({
            "plaatsing_id": plaatsing_id,
            "werknemer_naam": eerste.werknemer_naam,
            "bsn": eerste.bsn_masked,
            "regeling": REGELING_TEKST.get(eerste.regeling, eerste.regeling),
            "regels": regels,
            "totaal_cent": sum(r.bedrag_cent for r in regels),
        })
    groepen.sort(key=lambda g: (g["werknemer_naam"].casefold(), g["plaatsing_id"]))
    return groepen


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(euro=euro, bedrag=bedrag, datum=datum, maand=_maand)
    return env


@lru_cache(maxsize=1)
def _css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def render_specificatie_html(spec: Specificatie) -> str:
    """The specificatie as a self-contained HTML page (style sheet embedded), in Dutch."""
    budgetten = [
        {
            "naam": BUDGET_TEKST[t.budget],
            "groepen": _groepen(spec, t.budget),
            "totaal": t,
        }
        for t in spec.totalen
    ]
    # The printed totals are the SEPA amounts: re-check what the template will print.
    for b, t in zip(budgetten, spec.totalen):
        assert sum(g["totaal_cent"] for g in b["groepen"]) == t.regels_cent
    return _environment().get_template(TEMPLATE_NAME).render(
        spec=spec,
        css=Markup(_css()),
        periode_tekst=_maand(spec.periode),
        iban=_iban_leesbaar(spec.werkgever_iban),
        budgetten=budgetten,
        totaal_uitbetaald=spec.uitbetaald_cent,
    )


_PDF_LOCK = threading.Lock()


@contextmanager
def _source_date_epoch(moment: dt.date):
    """Fix the timestamp fontTools writes into subsetted fonts (``head.modified``).

    WeasyPrint subsets fonts with fontTools when the system HarfBuzz has no subset library;
    fontTools then stamps the current time into every embedded font unless
    ``SOURCE_DATE_EPOCH`` is set (reproducible-builds convention). We set it to the
    specificatie's date for the duration of the render, unless the caller already set it."""
    with _PDF_LOCK:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        if previous is None:
            midnight = dt.datetime.combine(moment, dt.time(), tzinfo=dt.timezone.utc)
            os.environ["SOURCE_DATE_EPOCH"] = str(int(midnight.timestamp()))
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)


def render_specificatie_pdf(spec: Specificatie) -> bytes:
    """The specificatie as PDF (A4, page numbers). Reproducible: the PDF dates are the
    specificatie's own ``datum`` (``dcterms.created``/``modified`` in the HTML), the PDF
    identifier is derived from the HTML, and font subsets carry no clock time (see
    :func:`_source_date_epoch`): two renders of the same specificatie give identical bytes.

    The style sheet is not parsed from the page each time: WeasyPrint gets the page without
    it and the sheet parsed once per process, with its fonts registered once
    (``lks.documents.pdf``); the result is the same."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    from lks.documents.pdf import stylesheet

    html = render_specificatie_html(spec)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    zonder_css = html.replace(_css(), "", 1)
    with _source_date_epoch(spec.datum):  # also serialises renders: one font configuration
        css, font_config = stylesheet(CSS_PATH, TEMPLATES_DIR.as_uri() + "/")
        return HTML(string=zonder_css, base_url=TEMPLATES_DIR.as_uri() + "/").render(
            stylesheets=[css], font_config=font_config).write_pdf(
            pdf_identifier=identifier, full_fonts=True)


CSV_KOLOMMEN = ("betaalrun", "werkgever", "budget", "plaatsing", "werknemer", "bsn", "regeling",
                "periode", "soort", "lks_basis", "werkgeverslasten", "bedrag")
"""Column names of :func:`specificatie_csv`. ``soort`` is regulier or correctie for payment
lines, then per budget verrekening (negative), nieuwe_vordering (positive) and uitbetaald:
the regels plus verrekening plus nieuwe_vordering of a budget add up to its uitbetaald row."""

_FORMULE_START = ("=", "+", "-", "@", "\t", "\r")


def _cel(text: str) -> str:
    """Text cell safe to open in a spreadsheet (no formula injection via a name)."""
    return "'" + text if text.startswith(_FORMULE_START) else text


def _punt(cents: int) -> str:
    """Cents with a decimal point: -1250 -> '-12.50' (machine-readable CSV)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def specificatie_csv(spec: Specificatie) -> str:
    """The specificatie as CSV: comma-separated, UTF-8 text, dot decimals, '\\n' line ends,
    Dutch column names (:data:`CSV_KOLOMMEN`), masked BSN only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_KOLOMMEN)
    kop = [_cel(spec.betaalrun_kenmerk), _cel(spec.werkgever_naam)]
    for t in spec.totalen:
        for groep in _groepen(spec, t.budget):
            for r in groep["regels"]:
                writer.writerow(kop + [t.budget, _cel(r.plaatsing_id), _cel(r.werknemer_naam),
                                       r.bsn_masked, _cel(r.regeling), r.periode, r.soort,
                                       _punt(r.lks_basis_cent), _punt(r.werkgeverslasten_cent),
                                       _punt(r.bedrag_cent)])
        leeg = ["", "", "", ""]
        if t.verrekend_cent:
            writer.writerow(kop + [t.budget, *leeg, spec.periode, "verrekening", "", "",
                                   _punt(-t.verrekend_cent)])
        if t.nieuwe_vordering_cent:
            writer.writerow(kop + [t.budget, *leeg, spec.periode, "nieuwe_vordering", "", "",
                                   _punt(t.nieuwe_vordering_cent)])
        writer.writerow(kop + [t.budget, *leeg, spec.periode, "uitbetaald", "", "",
                               _punt(t.uitbetaald_cent)])
    return out.getvalue()
