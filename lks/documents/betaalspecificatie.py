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

Verloonde uren (rekenregels §7): a line of a plaatsing paid on the hours of the loonstrook
carries ``verloonde_uren`` (:class:`VerloondeUren`): the month's hours as known when the run
was calculated and the subsidy per verloond uur the calculation used. The choice of what to
show as "the hourly amount": never an average. Mostly a month has one hourly amount (the WML
changes on 1 January and 1 July); when it changes within the month (a loonwaarde from the
16th, a birthday into the next jeugdloon band, the end of the forfait), the line shows each
hourly amount with the hours it applied to — the month's hours spread evenly over its active
days, at most the cao full-time hours (voltijdsuren × 13/3 a month, pro rata) — so hours ×
amount add up to the line's calculation and nothing is hidden in a mean. For a correction
line the hours and amounts are those of the month as calculated now; the amounts of the
line are the difference with what was paid before. A specificatie with such lines gets two
more columns (HTML, PDF) and three more CSV columns (``CSV_KOLOMMEN_VERLOOND``, at the end); one
without them is exactly as before.
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
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

import jinja2
from babel.dates import format_date
from markupsafe import Markup

from lks.calc.rules import WEKEN_PER_MAAND
from lks.identifiers import mask_bsn  # noqa: F401  (part of this module's interface)
from lks.nl import LOCALE, bedrag, datum, euro, euro_exact, getal, is_maand
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


@dataclass(frozen=True)
class UrenDeel:
    """One subsidy per verloond uur within a month and the hours it was paid on (exact)."""
    uren: Fraction
    uurbedrag_cent: Fraction

    def __post_init__(self) -> None:
        for name in ("uren", "uurbedrag_cent"):
            value = getattr(self, name)
            if isinstance(value, (bool, float)) or not isinstance(value, (int, Fraction, Decimal)):
                raise TypeError(f"{name}: exacte waarde verwacht, niet {value!r}")
            if value < 0:
                raise ValueError(f"{name} is negatief")
            object.__setattr__(self, name, Fraction(value))


@dataclass(frozen=True, kw_only=True)
class VerloondeUren:
    """The month of a line on verloonde uren as the run's calculation used it (rekenregels §7):
    ``uren`` the hours of the loonstrook (None: none had arrived), ``delen`` each subsidy per
    verloond uur with the hours it applied to, in order of time (empty without loonstrook),
    ``begrensd`` whether the cao maximum cut the hours on some day."""
    uren: Fraction | None
    delen: tuple[UrenDeel, ...] = ()
    begrensd: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "delen", tuple(self.delen))
        if self.uren is not None:
            if isinstance(self.uren, (bool, float)) or not isinstance(self.uren, (int, Fraction, Decimal)):
                raise TypeError(f"uren: exacte waarde verwacht, niet {self.uren!r}")
            object.__setattr__(self, "uren", Fraction(self.uren))
            if self.uren < 0:
                raise ValueError("verloonde uren zijn niet negatief")
            if not self.begrensd and sum(d.uren for d in self.delen) != self.uren:
                raise ValueError("de uren per bedrag tellen niet op tot de verloonde uren")
        elif self.delen or self.begrensd:
            raise ValueError("zonder loonstrook zijn er geen uren per bedrag")


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
    verloonde_uren: VerloondeUren | None = None
    """A plaatsing on verloonde uren: the month's hours and the subsidy per verloond uur."""

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

    @property
    def verloond(self) -> bool:
        """Whether a line is on verloonde uren: then the hours and hourly amounts are shown."""
        return any(r.verloonde_uren is not None for r in self.regels)


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


def _uren_tekst(uren: Fraction) -> str:
    return getal(uren, 2)


def _uren_cel(v: VerloondeUren | None) -> str:
    """'100', '180 (ten hoogste 164,66…)' or 'geen loonstrook'; '' on contracturen."""
    if v is None:
        return ""
    if v.uren is None:
        return "geen loonstrook"
    if v.begrensd:
        return f"{_uren_tekst(v.uren)} (ten hoogste {_uren_tekst(sum(d.uren for d in v.delen))})"
    return _uren_tekst(v.uren)


def _uurbedrag_regels(v: VerloondeUren | None) -> list[str]:
    """One hourly amount: ['€ 6,2208']; several within the month: each with its hours."""
    if v is None or not v.delen:
        return []
    if len(v.delen) == 1:
        return [euro_exact(v.delen[0].uurbedrag_cent)]
    return [f"{euro_exact(d.uurbedrag_cent)} over {_uren_tekst(d.uren)} uur" for d in v.delen]


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
    env.filters.update(euro=euro, bedrag=bedrag, datum=datum, maand=_maand, uren_cel=_uren_cel,
                       uurbedragen=_uurbedrag_regels)
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
            "verloond": any(r.verloonde_uren is not None for r in spec.regels if r.budget == t.budget),
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
        Markup=Markup,
        weken_per_maand="{}/{}".format(*WEKEN_PER_MAAND),
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

CSV_KOLOMMEN_VERLOOND = ("verloonde_uren", "uren_per_uurbedrag", "uurbedrag")
"""Added after :data:`CSV_KOLOMMEN` when a line is on verloonde uren (rekenregels §7), empty on
the other lines: ``verloonde_uren`` the month's hours per the loonstrook as known at the run
(empty: no loonstrook), ``uurbedrag`` the subsidy per verloond uur in euro and
``uren_per_uurbedrag`` the hours it applied to (after spreading and the cao maximum); when the
hourly amount changed within the month, the amounts and their hours in order of time,
separated by ``;``. Hours with up to four decimals and amounts with up to six, exact when
they have no more, else rounded half up."""

_FORMULE_START = ("=", "+", "-", "@", "\t", "\r")


def _cel(text: str) -> str:
    """Text cell safe to open in a spreadsheet (no formula injection via a name)."""
    return "'" + text if text.startswith(_FORMULE_START) else text


def _punt(cents: int) -> str:
    """Cents with a decimal point: -1250 -> '-12.50' (machine-readable CSV)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def _decimaal(value: Fraction, decimals: int) -> str:
    """An exact number with a decimal point, trailing zeros dropped: exact when it has at most
    ``decimals`` decimals, else rounded half up to that many (machine-readable CSV)."""
    d = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _uren_kolommen(v: VerloondeUren | None) -> list[str]:
    if v is None:
        return ["", "", ""]
    return ["" if v.uren is None else _decimaal(v.uren, 4),
            ";".join(_decimaal(d.uren, 4) for d in v.delen),
            ";".join(_decimaal(d.uurbedrag_cent / 100, 6) for d in v.delen)]


def specificatie_csv(spec: Specificatie) -> str:
    """The specificatie as CSV: comma-separated, UTF-8 text, dot decimals, '\\n' line ends,
    Dutch column names (:data:`CSV_KOLOMMEN`, with :data:`CSV_KOLOMMEN_VERLOOND` after them
    when a line is on verloonde uren), masked BSN only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    verloond = spec.verloond
    extra = ["", "", ""] if verloond else []
    writer.writerow(CSV_KOLOMMEN + (CSV_KOLOMMEN_VERLOOND if verloond else ()))
    kop = [_cel(spec.betaalrun_kenmerk), _cel(spec.werkgever_naam)]
    for t in spec.totalen:
        for groep in _groepen(spec, t.budget):
            for r in groep["regels"]:
                writer.writerow(kop + [t.budget, _cel(r.plaatsing_id), _cel(r.werknemer_naam),
                                       r.bsn_masked, _cel(r.regeling), r.periode, r.soort,
                                       _punt(r.lks_basis_cent), _punt(r.werkgeverslasten_cent),
                                       _punt(r.bedrag_cent)]
                                + (_uren_kolommen(r.verloonde_uren) if verloond else []))
        leeg = ["", "", "", ""]
        if t.verrekend_cent:
            writer.writerow(kop + [t.budget, *leeg, spec.periode, "verrekening", "", "",
                                   _punt(-t.verrekend_cent)] + extra)
        if t.nieuwe_vordering_cent:
            writer.writerow(kop + [t.budget, *leeg, spec.periode, "nieuwe_vordering", "", "",
                                   _punt(t.nieuwe_vordering_cent)] + extra)
        writer.writerow(kop + [t.budget, *leeg, spec.periode, "uitbetaald", "", "",
                               _punt(t.uitbetaald_cent)] + extra)
    return out.getvalue()
