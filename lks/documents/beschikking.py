"""Beschikkingen loonkostensubsidie (Awb decisions): immutable inputs in, HTML/PDF bytes out.

Pure rendering layer: no database and no clock. The letter date and the date of sending are
inputs, so the same inputs always give the same letter, byte for byte (for one installed
WeasyPrint/Pango version; the fonts are bundled in templates/beschikking/fonts). ``inputs_json`` stores the inputs canonically so a letter can be
re-derived later and compared with ``letter_hash``.

Five kinds (rekenregels §4): ``verlening`` (new plaatsing), ``wijziging`` (new loonwaarde,
changed hours, indexatie of the WML), ``beeindiging`` (end of the plaatsing, ontwikkelbaan at
its maximum duration, forfait period over without loonwaarde), ``vaststelling`` (per
calendar year or at the end: vastgesteld amount against voorschotten paid; a herziene
vaststelling, Awb art. 4:49, is a vaststelling that names the one it replaces) and
``intrekking`` (a plaatsing withdrawn as imported by mistake: its verlening and later
decisions are withdrawn with retroactive effect, Awb art. 4:48 and 4:49, and what was paid on
it is set off or recovered, Awb art. 4:57). Several
plaatsingen of one werkgever go into one letter, with a table when there is more than one.

A plaatsing on verloonde uren (rekenregels §7) has a subsidy per verloond uur instead of an
amount per month: its letters state that hourly amount with its parts, the most hours (and
so the most money) a full month is paid for, that payment follows the monthly loonstrook, and
the day by which the werkgever delivers it (``Beschikking.loonstrook_dag``). In a letter with
several plaatsingen they get a table of their own.

Amounts are integer cents; fractions, loonwaarden and hours are exact (Fraction/Decimal/int),
never floats. Everything the werkgever reads is Dutch.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import json
import math
import re
import types
import typing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from multiprocessing import get_context
from typing import Callable, Literal, Sequence

from babel.dates import format_date
from dateutil.easter import easter

from lks.calc.rules import WEKEN_PER_MAAND
from lks.nl import LOCALE, bedrag, datum, euro, euro_exact, getal, is_maand, procent, weken
from lks.paths import TEMPLATES_DIR

TEMPLATE_DIR = TEMPLATES_DIR / "beschikking"
SCHEMA = "lks.beschikking/1"

Soort = Literal["verlening", "wijziging", "beeindiging", "vaststelling", "intrekking"]
Regeling = Literal["lks", "beschut", "ontwikkelbaan"]
SOORTEN: tuple[str, ...] = ("verlening", "wijziging", "beeindiging", "vaststelling", "intrekking")
REGELINGEN: tuple[str, ...] = ("lks", "beschut", "ontwikkelbaan")

# Why an amount changes or ends; selects the standard motivering paragraph of the letter.
REDEN_CODES: dict[str, str] = {
    "indexatie": "aanpassing van het wettelijk minimumloon",
    "loonwaarde": "nieuwe loonwaarde",
    "uren": "gewijzigde arbeidsuren",
    "einde_dienstbetrekking": "einde van de dienstbetrekking",
    "maximale_duur": "maximale duur van de ontwikkelbaan bereikt",
    "loonwaarde_ontbreekt": "forfaitaire periode voorbij zonder vastgestelde loonwaarde",
    "loonwaarde_100": "loonwaarde van 100 % of meer",
    "loonwaarde_ingetrokken": "intrekking van een onjuist vastgelegde loonwaarde",
    # verloonde uren (rekenregels §7)
    "maximum_uren": "gewijzigde volledige werkweek volgens de cao (het maximum aantal verloonde uren)",
    "urenbasis": "overgang tussen vaste arbeidsuren en verloonde uren",
    "uren_ontbreken": "geen loonstrook ontvangen",
}

# Legal terms. One place, so a correction of a citation is one edit.
@lru_cache(maxsize=1)
def _parameters():
    """The shipped tables: a letter is re-derived from its stored inputs alone, so the legal
    terms it applies (``ALLEEN_GELEVERD`` in lks.parameters) cannot come from a gemeente's
    folder — the loader refuses a local file for them rather than ignore it."""
    from lks.parameters import Parameters
    return Parameters.load()


def _termijn(naam: str, dag: dt.date) -> dt.timedelta:
    """A legal term in weeks from its dated parameter file (bezwaartermijn_weken: Awb 6:7;
    betaaltermijn_weken: Awb 4:87; beslistermijn_loonwaarde_weken: Pw art. 10d lid 12)."""
    return dt.timedelta(weeks=int(_parameters()[naam].at(dag)))
ARTIKEL_BESLISTERMIJN = "artikel 10d, twaalfde lid, van de Participatiewet"


def herzieningstermijn_jaren(dag: dt.date) -> int:
    """Years after its bekendmaking within which a vaststelling may still be changed ten
    nadele of the ontvanger (Awb art. 4:49 lid 3), from its dated parameter file."""
    return int(_parameters()["herzieningstermijn_vaststelling_jaren"].at(dag))


# --------------------------------------------------------------------------------------------
# Termijnen: bezwaar (Awb 6:7, 6:8) and the Algemene termijnenwet


def algemeen_erkende_feestdagen(jaar: int) -> frozenset[dt.date]:
    """The algemeen erkende feestdagen of Algemene termijnenwet art. 3 lid 1 in ``jaar``:
    Nieuwjaarsdag, Tweede Paasdag, Hemelvaartsdag, Tweede Pinksterdag, Eerste en Tweede
    Kerstdag, the day the King's birthday is celebrated and 5 mei. Goede Vrijdag is not one.

    Koningsdag is 27 April, or 26 April when the 27th is a Sunday (Wet vaststelling
    Koningsdag); before 2014 Koninginnedag was 30 April, or 29 April when the 30th was a
    Sunday. Days equated by royal decree (art. 3 lid 2) are not included."""
    pasen = easter(jaar)
    if jaar >= 2014:
        koning = dt.date(jaar, 4, 27)
    else:
        koning = dt.date(jaar, 4, 30)
    if koning.weekday() == 6:
        koning -= dt.timedelta(days=1)
    return frozenset({
        dt.date(jaar, 1, 1),
        pasen + dt.timedelta(days=1),
        pasen + dt.timedelta(days=39),
        pasen + dt.timedelta(days=50),
        dt.date(jaar, 12, 25),
        dt.date(jaar, 12, 26),
        koning,
        dt.date(jaar, 5, 5),
    })


def is_termijnvrije_dag(dag: dt.date) -> bool:
    """Saturday, Sunday or algemeen erkende feestdag (Algemene termijnenwet art. 1 and 3)."""
    return dag.weekday() >= 5 or dag in algemeen_erkende_feestdagen(dag.year)


def verleng_termijn(laatste_dag: dt.date) -> dt.date:
    """Algemene termijnenwet art. 1: a statutory term that ends on a Saturday, Sunday or
    algemeen erkende feestdag runs on to the next day that is none of those."""
    while is_termijnvrije_dag(laatste_dag):
        laatste_dag += dt.timedelta(days=1)
    return laatste_dag


def bezwaar_einddatum(verzenddatum: dt.date) -> dt.date:
    """Last day to lodge bezwaar. The term is six weeks (Awb 6:7) and starts the day after
    the letter is sent (Awb 6:8), so it ends at the end of verzenddatum + 42 days; a last day
    on a weekend or feestdag moves to the next working day (Algemene termijnenwet)."""
    return verleng_termijn(verzenddatum + _termijn("bezwaartermijn_weken", verzenddatum))


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Gemeente:
    """The sender: letterhead, signature and the college's postal address for bezwaar."""

    naam: str                       # "Het Hogeland"
    straat: str
    huisnummer: str
    postcode: str
    plaats: str
    telefoon: str
    website: str
    ondertekenaar_naam: str
    ondertekenaar_functie: str
    bezwaar_postadres: str          # "Postbus 13"
    bezwaar_postcode: str
    bezwaar_plaats: str
    afdeling: str | None = None     # "Ontwikkelplein Het Hogeland"
    email: str | None = None
    iban: str | None = None         # for a terugvordering
    reintegratieverordening: str | None = None   # citeertitel; default from naam
    reintegratiebeleid: str | None = None        # "Re-integratiebeleid gemeente Het Hogeland 2024-2028"
    meldtermijn_dagen: int = 14     # werkgever reports changes within this many days
    ziekte_meldgrens_weken: int = 4  # report sickness longer than this

    @property
    def verordening_titel(self) -> str:
        return self.reintegratieverordening or f"Re-integratieverordening Participatiewet {self.naam}"


@dataclass(frozen=True)
class Werkgever:
    naam: str
    straat: str
    huisnummer: str
    postcode: str
    plaats: str
    contactpersoon: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A parameter value used in the calculation, as shown to the werkgever, with its source."""

    naam: str
    waarde: str
    bron: str


_BSN_MASKED = re.compile(r"[*•xX]{5,}\d{0,4}")


def _exact(value, name: str) -> Fraction:
    if isinstance(value, (bool, float)) or not isinstance(value, (int, Fraction, Decimal)):
        raise TypeError(f"{name}: exacte waarde verwacht (int, Fraction of Decimal), niet {value!r}")
    return Fraction(value)


def _cents(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: bedrag in hele centen verwacht, niet {value!r}")
    return value


def round_half_up(value: Fraction) -> int:
    """Exact value in cents, rounded half-up to whole cents (rekenregels §2)."""
    return math.floor(value + Fraction(1, 2))


# A field added to the inputs after letters were recorded: left out of ``inputs_json`` while
# it is None, so the stored inputs (and the hash in every letter) of older letters stay the same.
OPTIONEEL = {"weglaten_als_leeg": True}


@dataclass(frozen=True)
class BeschikkingRegel:
    """One plaatsing in a beschikking: werknemer, regeling, tijdvak and the full-month
    calculation (rekenregels §2) with the parameter values used.

    loonwaarde is a percentage (Fraction(60) = 60 %); fractie, urenfactor, vakantiebijslag
    and werkgeverslasten_fractie are fractions (Fraction(2, 5) = 40 %). The amounts must
    follow from the factors, or the letter would print a calculation that does not add up:
    ``lks_basis = round(wml × staffel × (1 + vakantiebijslag) × fractie × urenfactor)``,
    ``werkgeverslasten = round(lks_basis × werkgeverslasten_fractie)``, ``maandbedrag =
    lks_basis + werkgeverslasten``. For an ontwikkelbaan without vakantiebijslag or
    werkgeverslasten (policy settings) pass 0 for the respective fraction.

    A plaatsing paid on verloonde uren (``urenbasis`` "verloond", rekenregels §7) gets a
    subsidy per hour of the loonstrook, not a monthly amount. The same fields then hold the
    same product in hourly units: ``wml_cent`` is the hourly WML (with its
    ``wml_ingangsdatum``), ``urenfactor`` the most verloonde uren a full month is paid for
    (voltijdsuren × 13/3, never rounded), so ``lks_basis``, ``werkgeverslasten`` and
    ``maandbedrag`` are the most the subsidy can be in a full month, and ``uurbedrag`` is the
    subsidy per verloond uur. The ``contracturen`` of such a plaatsing are information only.
    ``oud_uurbedrag``: in a wijziging, the subsidy per verloond uur the previous letter stated
    when that letter was on verloonde uren (else None, and ``oud_maandbedrag_cent`` is what it
    stated per full month, or at most per full month)."""

    plaatsing_id: str
    werknemer_naam: str
    bsn_masked: str
    regeling: Regeling
    tijdvak_van: dt.date
    tijdvak_tot: dt.date | None
    maandbedrag_cent: int
    lks_basis_cent: int
    werkgeverslasten_cent: int
    loonwaarde: Fraction | None
    contracturen: Fraction
    voltijdsuren: Fraction
    wml_cent: int
    wml_ingangsdatum: dt.date
    fractie: Fraction
    urenfactor: Fraction
    vakantiebijslag: Fraction
    werkgeverslasten_fractie: Fraction
    parameters: tuple[Parameter, ...] = ()
    jeugdloon_staffel: Fraction | None = None
    oud_maandbedrag_cent: int | None = None
    reden: str | None = None
    reden_code: str | None = None
    urenbasis: Literal["verloond"] | None = field(default=None, metadata=OPTIONEEL)
    oud_uurbedrag: Fraction | None = field(default=None, metadata=OPTIONEEL)

    def __post_init__(self):
        if self.regeling not in REGELINGEN:
            raise ValueError(f"onbekende regeling {self.regeling!r} ({', '.join(REGELINGEN)})")
        if not _BSN_MASKED.fullmatch(self.bsn_masked):
            raise ValueError("bsn_masked moet een gemaskeerd BSN zijn (bijv. '******782'), "
                             "nooit het volledige BSN")
        if self.reden_code is not None and self.reden_code not in REDEN_CODES:
            raise ValueError(f"onbekende reden_code {self.reden_code!r}")
        if self.tijdvak_tot is not None and self.tijdvak_tot < self.tijdvak_van:
            raise ValueError(f"plaatsing {self.plaatsing_id}: tijdvak_tot ligt voor tijdvak_van")
        for name in ("maandbedrag_cent", "lks_basis_cent", "werkgeverslasten_cent", "wml_cent"):
            if _cents(getattr(self, name), name) < 0:
                raise ValueError(f"{name} is negatief")
        if self.oud_maandbedrag_cent is not None:
            _cents(self.oud_maandbedrag_cent, "oud_maandbedrag_cent")
        for name in ("contracturen", "voltijdsuren", "fractie", "urenfactor", "vakantiebijslag",
                     "werkgeverslasten_fractie", "loonwaarde", "jeugdloon_staffel", "oud_uurbedrag"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _exact(value, name))
        if self.urenbasis not in (None, "verloond"):
            raise ValueError(f"onbekende urenbasis {self.urenbasis!r} (leeg voor contracturen, of verloond)")
        if self.verloond:
            # rekenregels §7: at most the cao full-time week × 13/3 weeks a month
            weken, per = WEKEN_PER_MAAND
            if self.urenfactor != self.voltijdsuren * weken / per:
                raise ValueError(f"plaatsing {self.plaatsing_id}: het maximum aantal verloonde uren per maand "
                                 f"is de volledige werkweek × {weken}/{per}, niet {self.urenfactor}")
        if self.oud_uurbedrag is not None and self.oud_maandbedrag_cent is None:
            raise ValueError(f"plaatsing {self.plaatsing_id}: een oud bedrag per uur hoort bij een wijziging")
        object.__setattr__(self, "parameters", tuple(
            p if isinstance(p, Parameter) else Parameter(*p) for p in self.parameters))
        basis = round_half_up(self.wml_cent * self.staffel * (1 + self.vakantiebijslag)
                              * self.fractie * self.urenfactor)
        lasten = round_half_up(basis * self.werkgeverslasten_fractie)
        if (basis, lasten, basis + lasten) != (self.lks_basis_cent, self.werkgeverslasten_cent,
                                               self.maandbedrag_cent):
            raise ValueError(
                f"plaatsing {self.plaatsing_id}: de bedragen volgen niet uit de factoren "
                f"(verwacht lks_basis {basis}, werkgeverslasten {lasten}, totaal {basis + lasten} "
                f"cent; gekregen {self.lks_basis_cent}, {self.werkgeverslasten_cent}, "
                f"{self.maandbedrag_cent})")

    @property
    def staffel(self) -> Fraction:
        return Fraction(1) if self.jeugdloon_staffel is None else self.jeugdloon_staffel

    @property
    def verloond(self) -> bool:
        """Paid on verloonde uren (rekenregels §7) rather than contracturen."""
        return self.urenbasis == "verloond"

    @property
    def uurbedrag(self) -> Fraction | None:
        """The subsidy per verloond uur in cents, exact (werkgeverslasten not included):
        hourly WML × staffel × (1 + vakantiebijslag) × fractie. None on contracturen."""
        if not self.verloond:
            return None
        return self.wml_cent * self.staffel * (1 + self.vakantiebijslag) * self.fractie

    @property
    def maximum_uren(self) -> Fraction | None:
        """The most verloonde uren a full month is paid for (voltijdsuren × 13/3)."""
        return self.urenfactor if self.verloond else None


@dataclass(frozen=True)
class VaststellingRegel:
    """Vastgesteld amount and voorschotten of one plaatsing (optional breakdown); in a
    herziening also the amount the replaced vaststelling stated (``oud_vastgesteld_cent``).

    A plaatsing on verloonde uren (rekenregels §7) also has ``verloonde_uren``: the hours of
    the loonstroken of the tijdvak's months added up (exact, as delivered), and
    ``maanden_zonder_loonstrook``: its months (JJJJ-MM) for which no loonstrook had arrived,
    vastgesteld at 0 (``uren_ontbreken``). Both None on contracturen."""

    plaatsing_id: str
    vastgesteld_cent: int
    voorschotten_cent: int
    oud_vastgesteld_cent: int | None = field(default=None, metadata=OPTIONEEL)
    verloonde_uren: Fraction | None = field(default=None, metadata=OPTIONEEL)
    maanden_zonder_loonstrook: tuple[str, ...] | None = field(default=None, metadata=OPTIONEEL)

    def __post_init__(self):
        _cents(self.vastgesteld_cent, "vastgesteld_cent")
        _cents(self.voorschotten_cent, "voorschotten_cent")
        if self.oud_vastgesteld_cent is not None:
            _cents(self.oud_vastgesteld_cent, "oud_vastgesteld_cent")
        if self.verloonde_uren is not None:
            object.__setattr__(self, "verloonde_uren", _exact(self.verloonde_uren, "verloonde_uren"))
            if self.verloonde_uren < 0:
                raise ValueError(f"plaatsing {self.plaatsing_id}: verloonde uren zijn niet negatief")
        if self.maanden_zonder_loonstrook is not None:
            maanden = tuple(self.maanden_zonder_loonstrook)
            if self.verloonde_uren is None:
                raise ValueError(f"plaatsing {self.plaatsing_id}: maanden zonder loonstrook horen alleen "
                                 "bij verloonde uren")
            if not all(is_maand(m) for m in maanden) or list(maanden) != sorted(set(maanden)):
                raise ValueError(f"plaatsing {self.plaatsing_id}: maanden zonder loonstrook zijn "
                                 "verschillende maanden JJJJ-MM, op volgorde")
            object.__setattr__(self, "maanden_zonder_loonstrook", maanden or None)

    @property
    def verloond(self) -> bool:
        return self.verloonde_uren is not None

    @property
    def verschil_cent(self) -> int:
        return self.vastgesteld_cent - self.voorschotten_cent


@dataclass(frozen=True)
class Herziening:
    """The vaststelling a herziene vaststelling replaces (Awb art. 4:49): its kenmerk, its
    date and the total it vastgesteld. The old amount per plaatsing is in the
    ``VaststellingRegel`` rows."""

    kenmerk: str
    datum: dt.date
    vastgesteld_cent: int

    def __post_init__(self):
        if _cents(self.vastgesteld_cent, "vastgesteld_cent") < 0:
            raise ValueError("het eerder vastgestelde bedrag is niet negatief")


@dataclass(frozen=True)
class Vaststelling:
    """The subsidy vastgesteld over a tijdvak (a calendar year, or up to the end of the
    plaatsing) against the voorschotten paid. A positive difference is a nabetaling; a
    negative one is set off against the next payments (verrekenen, the default of
    rekenregels §4) or, with ``verrekenen=False``, recovered (terugvordering).

    With ``herziening`` the letter is a herziene vaststelling: it replaces the vaststelling
    named there (Awb art. 4:49) and states, per plaatsing, the old and the new amount; the
    voorschotten are then everything paid for the tijdvak so far, including the
    nabetalingen and verrekeningen that settled the replaced vaststelling."""

    tijdvak_van: dt.date
    tijdvak_tot: dt.date
    vastgesteld_cent: int
    voorschotten_cent: int
    verrekenen: bool = True
    per_plaatsing: tuple[VaststellingRegel, ...] = ()
    herziening: Herziening | None = field(default=None, metadata=OPTIONEEL)

    def __post_init__(self):
        _cents(self.vastgesteld_cent, "vastgesteld_cent")
        _cents(self.voorschotten_cent, "voorschotten_cent")
        if self.vastgesteld_cent < 0 or self.voorschotten_cent < 0:
            raise ValueError("vastgesteld bedrag en voorschotten zijn niet negatief")
        if self.tijdvak_tot < self.tijdvak_van:
            raise ValueError("tijdvak_tot ligt voor tijdvak_van")
        object.__setattr__(self, "per_plaatsing", tuple(
            r if isinstance(r, VaststellingRegel) else VaststellingRegel(*r)
            for r in self.per_plaatsing))
        if self.per_plaatsing:
            if (sum(r.vastgesteld_cent for r in self.per_plaatsing) != self.vastgesteld_cent
                    or sum(r.voorschotten_cent for r in self.per_plaatsing) != self.voorschotten_cent):
                raise ValueError("de bedragen per plaatsing tellen niet op tot de totalen")
        oud = [r.oud_vastgesteld_cent for r in self.per_plaatsing]
        if self.herziening is None:
            if any(o is not None for o in oud):
                raise ValueError("een eerder vastgesteld bedrag hoort alleen bij een herziening")
        elif not self.per_plaatsing or None in oud:
            raise ValueError("een herziening noemt per plaatsing het eerder vastgestelde bedrag")
        elif sum(oud) != self.herziening.vastgesteld_cent:
            raise ValueError("de eerder vastgestelde bedragen per plaatsing tellen niet op tot "
                             "het eerder vastgestelde totaal")

    @classmethod
    def voor_jaar(cls, jaar: int, vastgesteld_cent: int, voorschotten_cent: int,
                  **kwargs) -> "Vaststelling":
        return cls(dt.date(jaar, 1, 1), dt.date(jaar, 12, 31), vastgesteld_cent,
                   voorschotten_cent, **kwargs)

    @property
    def jaar(self) -> int | None:
        """The calendar year when the tijdvak is exactly one, else None."""
        if (self.tijdvak_van.year == self.tijdvak_tot.year
                and (self.tijdvak_van.month, self.tijdvak_van.day) == (1, 1)
                and (self.tijdvak_tot.month, self.tijdvak_tot.day) == (12, 31)):
            return self.tijdvak_van.year
        return None

    @property
    def verschil_cent(self) -> int:
        return self.vastgesteld_cent - self.voorschotten_cent

    @property
    def herziening_cent(self) -> int | None:
        """New minus old vastgesteld amount of a herziening (negative: ten nadele)."""
        if self.herziening is None:
            return None
        return self.vastgesteld_cent - self.herziening.vastgesteld_cent

    @property
    def uitkomst(self) -> Literal["nabetaling", "verrekening", "terugvordering", "geen_verschil"]:
        if self.verschil_cent > 0:
            return "nabetaling"
        if self.verschil_cent == 0:
            return "geen_verschil"
        return "verrekening" if self.verrekenen else "terugvordering"


SOORT_BESLUIT = {"verlening": "verlening", "wijziging": "wijziging", "beeindiging": "beëindiging",
                 "vaststelling": "vaststelling"}


@dataclass(frozen=True)
class IngetrokkenBesluit:
    """An earlier letter about a withdrawn plaatsing that an intrekking withdraws."""

    kenmerk: str
    datum: dt.date
    soort: str

    def __post_init__(self):
        if self.soort not in SOORT_BESLUIT:
            raise ValueError(f"een intrekking trekt een {', '.join(SOORT_BESLUIT)} in, geen {self.soort!r}")


@dataclass(frozen=True)
class IntrekkingRegel:
    """One withdrawn plaatsing: the reason recorded with the withdrawal, the letters it
    withdraws, and what was paid on it before (to be set off or recovered)."""

    plaatsing_id: str
    reden: str
    besluiten: tuple[IngetrokkenBesluit, ...]
    betaald_cent: int

    def __post_init__(self):
        object.__setattr__(self, "besluiten", tuple(
            b if isinstance(b, IngetrokkenBesluit) else IngetrokkenBesluit(*b) for b in self.besluiten))
        if not self.besluiten:
            raise ValueError(f"plaatsing {self.plaatsing_id}: een intrekking trekt ten minste één besluit in")
        if _cents(self.betaald_cent, "betaald_cent") < 0:
            raise ValueError("betaald_cent is niet negatief")
        if not self.reden.strip():
            raise ValueError("een intrekking heeft een reden")

    @property
    def vaststelling_ingetrokken(self) -> bool:
        return any(b.soort == "vaststelling" for b in self.besluiten)


@dataclass(frozen=True)
class Intrekking:
    """What an intrekkingsbeschikking (Awb art. 4:48) withdraws, per plaatsing."""

    per_plaatsing: tuple[IntrekkingRegel, ...]

    def __post_init__(self):
        object.__setattr__(self, "per_plaatsing", tuple(self.per_plaatsing))
        if not self.per_plaatsing:
            raise ValueError("een intrekking gaat over ten minste één plaatsing")

    @property
    def betaald_cent(self) -> int:
        return sum(r.betaald_cent for r in self.per_plaatsing)


@dataclass(frozen=True)
class Beschikking:
    """One letter to one werkgever. ``datum`` is the date of the decision (the letter date),
    ``verzenddatum`` the day it is sent (default: datum); the bezwaartermijn runs from the
    day after sending."""

    soort: Soort
    kenmerk: str
    datum: dt.date
    gemeente: Gemeente
    werkgever: Werkgever
    regels: tuple[BeschikkingRegel, ...]
    verzenddatum: dt.date | None = None
    loonwaarde_vastgesteld_op: dt.date | None = None
    vaststelling: Vaststelling | None = None
    motivering: str | None = None
    intrekking: Intrekking | None = field(default=None, metadata=OPTIONEEL)
    loonstrook_dag: int | None = field(default=None, metadata=OPTIONEEL)
    """Plaatsingen on verloonde uren: the day of the next month by which the werkgever
    delivers each month's loonstrook (settings ``[betaalrun] loonstrook_dag``); a verlening
    or wijziging of such a plaatsing states it as an obligation (Awb art. 4:37)."""

    def __post_init__(self):
        if self.soort not in SOORTEN:
            raise ValueError(f"onbekende soort beschikking {self.soort!r} ({', '.join(SOORTEN)})")
        object.__setattr__(self, "regels", tuple(self.regels))
        if not self.regels:
            raise ValueError("een beschikking gaat over ten minste één plaatsing")
        ids = [r.plaatsing_id for r in self.regels]
        if len(set(ids)) != len(ids):
            raise ValueError("een plaatsing staat meer dan eens in de beschikking")
        if self.verzenddatum is not None and self.verzenddatum < self.datum:
            raise ValueError("verzenddatum ligt voor de datum van de beschikking")
        if (self.soort == "vaststelling") != (self.vaststelling is not None):
            raise ValueError("een vaststelling (en alleen die) heeft vaststellingsgegevens")
        if (self.soort == "intrekking") != (self.intrekking is not None):
            raise ValueError("een intrekking (en alleen die) heeft intrekkingsgegevens")
        if self.intrekking is not None and [r.plaatsing_id for r in self.intrekking.per_plaatsing] != ids:
            raise ValueError("een intrekking noemt per plaatsing van de brief wat zij intrekt, in dezelfde volgorde")
        if self.soort == "beeindiging":
            for r in self.regels:
                if r.tijdvak_tot is None:
                    raise ValueError(f"beëindiging van plaatsing {r.plaatsing_id} zonder einddatum")
        if self.soort == "wijziging":
            for r in self.regels:
                if r.oud_maandbedrag_cent is None:
                    raise ValueError(f"wijziging van plaatsing {r.plaatsing_id} zonder oud bedrag")
        if self.loonstrook_dag is not None and not (isinstance(self.loonstrook_dag, int)
                                                    and 1 <= self.loonstrook_dag <= 28):
            raise ValueError(f"loonstrook_dag {self.loonstrook_dag!r} is geen dag van de maand (1 tot en met 28)")
        if self.soort in ("verlening", "wijziging") and any(r.verloond for r in self.regels) \
                and self.loonstrook_dag is None:
            raise ValueError("een verlening of wijziging op verloonde uren noemt de dag waarop de loonstrook "
                             "uiterlijk binnen moet zijn (loonstrook_dag)")
        if self.vaststelling is not None:
            unknown = {r.plaatsing_id for r in self.vaststelling.per_plaatsing} - set(ids)
            if unknown:
                raise ValueError(f"vaststelling noemt onbekende plaatsingen: {sorted(unknown)}")
            h = self.vaststelling.herziening
            if h is not None and (h.kenmerk == self.kenmerk or h.datum > self.datum):
                raise ValueError("een herziening vervangt een eerdere vaststelling: een ander kenmerk, "
                                 "niet later gedateerd")

    @property
    def verzonden(self) -> dt.date:
        return self.verzenddatum or self.datum


def termijn_overschreden(beschikking: Beschikking) -> bool:
    """A verlening or wijziging decided more than five weeks after the loonwaarde was set
    (Pw art. 10d lid 12). Shown in the letter; the caller can raise a signaal with it."""
    return (beschikking.soort in ("verlening", "wijziging")
            and beschikking.loonwaarde_vastgesteld_op is not None
            and beschikking.datum > beschikking.loonwaarde_vastgesteld_op
            + _termijn("beslistermijn_loonwaarde_weken", beschikking.loonwaarde_vastgesteld_op))


# --------------------------------------------------------------------------------------------
# Canonical inputs (JSON) and hashes


def _to_plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (f.metadata.get("weglaten_als_leeg") and getattr(value, f.name) is None)}
    if isinstance(value, (tuple, list)):
        return [_to_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (Fraction, Decimal)):
        return str(Fraction(value))          # '60', '2/5', '65/2': exact, never a float
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"niet serialiseerbaar: {value!r}")


def inputs_json(beschikking: Beschikking) -> str:
    """Canonical JSON of every input of the letter: sorted keys, no whitespace, dates ISO,
    exact numbers as strings ('2/5'), amounts as integer cents. Equal inputs give equal text
    (a Decimal('32.0') and Fraction(32) are the same input); ``from_inputs_json`` reads it
    back. Fields added later (``OPTIONEEL``) are left out while empty, so the schema stays
    ``lks.beschikking/1`` and an older letter's stored inputs read back to the same text."""
    return json.dumps({"schema": SCHEMA, "beschikking": _to_plain(beschikking)},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _from_plain(tp, value):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _from_plain(args[0], value)
    if origin is Literal:
        return value
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(tp)
        return tuple(_from_plain(item, v) for v in value)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{k: _from_plain(hints[k], v) for k, v in value.items()})
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if tp is Fraction:
        return Fraction(value)
    return value


def from_inputs_json(text: str) -> Beschikking:
    data = json.loads(text)
    if data.get("schema") != SCHEMA:
        raise ValueError(f"onbekend schema {data.get('schema')!r} (verwacht {SCHEMA})")
    return _from_plain(Beschikking, data["beschikking"])


def letter_hash(data: bytes | str) -> str:
    """sha256 (hex) of a rendered letter (PDF bytes or HTML text)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def inputs_hash(beschikking: Beschikking) -> str:
    return letter_hash(inputs_json(beschikking))


# --------------------------------------------------------------------------------------------
# View model: every decision about wording is made here, the templates only lay it out


SOORT_ONDERWERP = {
    "verlening": "Verlening loonkostensubsidie",
    "wijziging": "Wijziging loonkostensubsidie",
    "beeindiging": "Beëindiging loonkostensubsidie",
    "vaststelling": "Vaststelling loonkostensubsidie",
    "intrekking": "Intrekking loonkostensubsidie",
}
REGELING_NAAM = {
    "lks": "loonkostensubsidie",
    "beschut": "loonkostensubsidie beschut werk",
    "ontwikkelbaan": "loonkostensubsidie ontwikkelbaan",
}
REGELING_KORT = {"lks": "LKS", "beschut": "beschut werk", "ontwikkelbaan": "ontwikkelbaan"}


def grondslag(regel: BeschikkingRegel, gemeente: Gemeente) -> str:
    """The legal basis of one plaatsing (rekenregels §4)."""
    if regel.regeling == "lks":
        if regel.loonwaarde is None:
            return ("artikel 10d, vijfde lid, van de Participatiewet (forfaitaire "
                    "loonkostensubsidie zolang de loonwaarde nog niet is vastgesteld)")
        return "artikel 10d, vierde lid, van de Participatiewet (loonkostensubsidie op basis van de loonwaarde)"
    if regel.regeling == "beschut":
        return ("artikel 10b, negende lid, juncto artikel 10d van de Participatiewet "
                "(loonkostensubsidie voor beschut werk)")
    beleid = f" en het {gemeente.reintegratiebeleid} (De Ontwikkelbaan)" if gemeente.reintegratiebeleid else ""
    return f"de {gemeente.verordening_titel}{beleid}"


def _uren(value: Fraction) -> str:
    return getal(value, 2)


def _fractie_uitleg(regel: BeschikkingRegel) -> str:
    if regel.regeling == "lks":
        if regel.loonwaarde is None:
            return "forfaitair percentage zolang de loonwaarde nog niet is vastgesteld"
        rest = 1 - regel.loonwaarde / 100
        lw = getal(regel.loonwaarde, 2) + " %"
        if rest <= 0:
            return f"loonwaarde {lw}: geen loonkostensubsidie"
        if regel.fractie < rest:
            return f"100 % min loonwaarde {lw} is {procent(rest)}, begrensd op het maximum"
        return f"100 % min loonwaarde {lw}"
    if regel.regeling == "beschut":
        return "vast percentage voor beschut werk"
    return "forfaitair percentage ontwikkelbaan, zonder loonwaardemeting"


def _urenfactor_tekst(regel: BeschikkingRegel) -> str:
    """'32 uur per week gedeeld door 36 uur (…)': the urenfactor's own derivation, with the
    divisor recovered from the factor so both rule variants (rekenregels §2.3) read right."""
    uren = min(regel.contracturen, regel.voltijdsuren)
    tekst = f"{_uren(regel.contracturen)} uur per week"
    if regel.contracturen > regel.voltijdsuren:
        tekst += f", begrensd op de volledige werkweek van {_uren(regel.voltijdsuren)} uur"
    if regel.urenfactor == 0 or uren == 0:
        return tekst
    noemer = uren / regel.urenfactor
    if noemer == regel.voltijdsuren:
        return f"{tekst}, gedeeld door de volledige werkweek van {_uren(noemer)} uur"
    return (f"{tekst}, gedeeld door {_uren(noemer)} uur (de werkweek waarop het "
            f"minimumloon per maand is gebaseerd)")


def _regeling_details(regel: BeschikkingRegel) -> list[str]:
    """'loonwaarde 55 %' / 'forfait' / 'jeugdloon 80 %' for a table cell (no-break spaces)."""
    details = []
    if regel.regeling == "lks":
        details.append(f"loonwaarde {getal(regel.loonwaarde, 2)}\u00a0%"
                       if regel.loonwaarde is not None else "forfait")
    if regel.jeugdloon_staffel is not None:
        details.append("jeugdloon " + procent(regel.jeugdloon_staffel).replace(" ", "\u00a0"))
    return details


def _tijdvak_kort(regel: BeschikkingRegel) -> str:
    van = regel.tijdvak_van.strftime("%d-%m-%Y")
    return f"{van} t/m {regel.tijdvak_tot.strftime('%d-%m-%Y')}" if regel.tijdvak_tot else f"vanaf {van}"


def _verloond_view(regel: BeschikkingRegel) -> dict:
    """The subsidy per verloond uur and its maximum as the letter words them (rekenregels §7)."""
    weken, per = WEKEN_PER_MAAND
    view = {
        "uurbedrag": euro_exact(regel.uurbedrag),
        "maximum_uren": _uren(regel.maximum_uren),
        "weken": f"{weken}/{per}",
        "oud_uurbedrag": None,
        "verschil": None,
    }
    if regel.oud_uurbedrag is not None:
        verschil = regel.uurbedrag - regel.oud_uurbedrag
        view.update(oud_uurbedrag=euro_exact(regel.oud_uurbedrag), verschil=verschil,
                    verschil_tekst=euro_exact(abs(verschil)))
    return view


def _regel_view(regel: BeschikkingRegel, gemeente: Gemeente) -> dict:
    return {
        "verloond": _verloond_view(regel) if regel.verloond else None,
        "bedrag_tekst": (f"{euro_exact(regel.uurbedrag)} per verloond uur" if regel.verloond
                         else f"{euro(regel.maandbedrag_cent)} per volledige maand"),
        "regeling_details": _regeling_details(regel),
        "tijdvak_kort": _tijdvak_kort(regel),
        "r": regel,
        "regeling_naam": REGELING_NAAM[regel.regeling],
        "regeling_kort": REGELING_KORT[regel.regeling],
        "grondslag": grondslag(regel, gemeente),
        "fractie_uitleg": _fractie_uitleg(regel),
        "urenfactor_tekst": _urenfactor_tekst(regel),
        "reden": regel.reden or (REDEN_CODES[regel.reden_code] if regel.reden_code else None),
        "verschil_cent": (regel.maandbedrag_cent - regel.oud_maandbedrag_cent
                          if regel.oud_maandbedrag_cent is not None else None),
        "einde_subsidie": (regel.tijdvak_tot + dt.timedelta(days=1)) if regel.tijdvak_tot else None,
    }


def _maand_naam(periode: str) -> str:
    """'2025-07' -> 'juli 2025'."""
    return format_date(dt.date(int(periode[:4]), int(periode[5:]), 1), "MMMM y", locale=LOCALE)


def _wml_eenheid(regel: BeschikkingRegel) -> str:
    return "per uur" if regel.verloond else "per maand"


def _loonstrook_view(b: Beschikking) -> dict | None:
    """The monthly loonstrook obligation, with the month of the letter as the example: the
    loonstrook over that month is due on ``loonstrook_dag`` of the next month."""
    if b.loonstrook_dag is None:
        return None
    maand = b.datum.replace(day=1)
    volgende = (maand + dt.timedelta(days=31)).replace(day=b.loonstrook_dag)
    return {
        "dag": b.loonstrook_dag,
        "voorbeeld_maand": _maand_naam(maand.strftime("%Y-%m")),
        "voorbeeld_datum": volgende,
    }


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _onderwerp(b: Beschikking) -> str:
    regelingen = {r.regeling for r in b.regels}
    tekst = SOORT_ONDERWERP[b.soort]
    if regelingen == {"ontwikkelbaan"}:
        tekst += " ontwikkelbaan"
    elif regelingen == {"beschut"}:
        tekst += " beschut werk"
    if b.soort == "vaststelling":
        v = b.vaststelling
        if v.herziening is not None:
            tekst = tekst.replace("Vaststelling", "Herziening vaststelling", 1)
        tekst += f" {v.jaar}" if v.jaar else f" {datum(v.tijdvak_van)} tot en met {datum(v.tijdvak_tot)}"
    elif len(b.regels) == 1:
        tekst += f" {b.regels[0].werknemer_naam}"
    else:
        tekst += f" ({len(b.regels)} plaatsingen)"
    return tekst


ARTIKEL_HERZIENING_NADEEL = ("artikel 4:49, eerste lid, onder a, van de Algemene wet bestuursrecht "
                             "(wijziging van de subsidievaststelling)")
ARTIKEL_INTREKKING_VERLENING = ("artikel 4:48 van de Algemene wet bestuursrecht (intrekking van de "
                                "subsidieverlening, met terugwerkende kracht tot de verlening)")
ARTIKEL_INTREKKING_VASTSTELLING = ("artikel 4:49, eerste lid, onder b, van de Algemene wet bestuursrecht "
                                   "(intrekking van een onjuiste subsidievaststelling)")
ARTIKEL_TERUGVORDERING = ("artikel 4:57 van de Algemene wet bestuursrecht (terugvordering van onverschuldigd "
                          "betaalde subsidie)")


def _intrekking_view(b: Beschikking, regels: list[dict]) -> dict | None:
    """Per withdrawn plaatsing its regel, the letters withdrawn and the amount paid; whether a
    vaststelling is among them (then Awb 4:49 too)."""
    i = b.intrekking
    if i is None:
        return None
    by_id = {v["r"].plaatsing_id: v for v in regels}
    return {
        "i": i,
        "per_plaatsing": [{"x": x, "regel": by_id[x.plaatsing_id],
                           "besluiten": [(SOORT_BESLUIT[s.soort], s) for s in x.besluiten]} for x in i.per_plaatsing],
        "vaststelling": any(x.vaststelling_ingetrokken for x in i.per_plaatsing),
        "betaald_cent": i.betaald_cent,
        "redenen": _unique(x.reden for x in i.per_plaatsing),
    }


def _herziening_view(v: Vaststelling) -> dict | None:
    """What a herziene vaststelling says about the one it replaces: the direction decides the
    motivering (Awb art. 4:49 limits only a change ten nadele of the ontvanger)."""
    h = v.herziening
    if h is None:
        return None
    wijziging = v.herziening_cent
    return {
        "h": h,
        "wijziging_cent": wijziging,
        "richting": "nadeel" if wijziging < 0 else "voordeel" if wijziging > 0 else "gelijk",
    }


def context(beschikking: Beschikking) -> dict:
    """Everything the templates need, with every wording choice already made."""
    b = beschikking
    regels = [_regel_view(r, b.gemeente) for r in b.regels]
    codes = _unique(r.reden_code for r in b.regels if r.reden_code)
    redenen = _unique(v["reden"] for v in regels if v["reden"])
    overschreden = termijn_overschreden(b)
    vaststelling = b.vaststelling
    # the WML per maand (contracturen) or per uur (verloonde uren, rekenregels §7)
    wml_bedragen = sorted(_unique((r.wml_cent, r.wml_ingangsdatum, _wml_eenheid(r)) for r in b.regels),
                          key=lambda x: (x[1], x[0], x[2]))
    gedeeld = _unique((r.wml_cent, r.wml_ingangsdatum, r.vakantiebijslag,
                       r.werkgeverslasten_fractie, _wml_eenheid(r)) for r in b.regels)
    rekengegevens = None
    if len(gedeeld) == 1:
        wml, ingang, vb, wgl, eenheid = gedeeld[0]
        delen = [f"wettelijk minimumloon {euro(wml)} {eenheid} (vanaf {datum(ingang)})"]
        if vb:
            delen.append(f"vakantiebijslag {procent(vb)}")
        if wgl:
            delen.append(f"vergoeding werkgeverslasten {procent(wgl)}")
        rekengegevens = ", ".join(delen[:-1]) + " en " + delen[-1] if len(delen) > 1 else delen[0]
    einde = bezwaar_einddatum(b.verzonden)
    per_plaatsing = []
    herziening = None
    grondslagen = _unique(v["grondslag"] for v in regels)
    if vaststelling is not None:
        by_id = {v["r"].plaatsing_id: v for v in regels}
        per_plaatsing = [{"v": v, "regel": by_id[v.plaatsing_id],
                          "maanden_zonder_loonstrook": [_maand_naam(m) for m in v.maanden_zonder_loonstrook or ()]}
                         for v in vaststelling.per_plaatsing]
        herziening = _herziening_view(vaststelling)
        if herziening is not None and herziening["richting"] == "nadeel":
            grondslagen.append(ARTIKEL_HERZIENING_NADEEL)
    intrekking = _intrekking_view(b, regels)
    if intrekking is not None:
        grondslagen.append(ARTIKEL_INTREKKING_VERLENING)
        if intrekking["vaststelling"]:
            grondslagen.append(ARTIKEL_INTREKKING_VASTSTELLING)
        if intrekking["betaald_cent"]:
            grondslagen.append(ARTIKEL_TERUGVORDERING)
    contract = [v for v in regels if not v["r"].verloond]
    verloond = [v for v in regels if v["r"].verloond]
    return {
        "b": b,
        "g": b.gemeente,
        "w": b.werkgever,
        "soort": b.soort,
        "onderwerp": _onderwerp(b),
        "regels": regels,
        # plaatsingen on contracturen have an amount per month, those on verloonde uren one
        # per verloond uur (rekenregels §7): two tables, and the monthly totals only of the first
        "contract_regels": contract,
        "verloond_regels": verloond,
        "loonstrook": _loonstrook_view(b) if verloond else None,
        "weken_per_maand": "{}/{}".format(*WEKEN_PER_MAAND),
        "vaststelling_verloond": (vaststelling is not None
                                  and any(r.verloond for r in vaststelling.per_plaatsing)),
        "enkel": regels[0] if len(regels) == 1 else None,
        "meervoudig": len(regels) > 1,
        "regelingen": _unique(r.regeling for r in b.regels),
        "grondslagen": grondslagen,
        # an intrekking grants nothing: the calculation's sources are beside the point
        "parameters": _unique(p for r in b.regels for p in r.parameters) if intrekking is None else [],
        "intrekking": intrekking,
        "reden_codes": codes,
        "redenen": redenen,
        "gemeenschappelijke_reden": redenen[0] if len(redenen) == 1 and all(v["reden"] for v in regels) else None,
        "totaal_cent": sum(v["r"].maandbedrag_cent for v in contract),
        "totaal_oud_cent": sum(v["r"].oud_maandbedrag_cent or 0 for v in contract
                               if v["r"].oud_uurbedrag is None),
        "totaal_basis_cent": sum(v["r"].lks_basis_cent for v in contract),
        "totaal_lasten_cent": sum(v["r"].werkgeverslasten_cent for v in contract),
        "ingangsdata": _unique(r.tijdvak_van for r in b.regels),
        "termijn_overschreden": overschreden,
        "beslistermijn_einde": (b.loonwaarde_vastgesteld_op
                                + _termijn("beslistermijn_loonwaarde_weken", b.loonwaarde_vastgesteld_op)
                                if b.loonwaarde_vastgesteld_op else None),
        "beslistermijn_weken": (weken(_termijn("beslistermijn_loonwaarde_weken", b.loonwaarde_vastgesteld_op).days // 7)
                                if b.loonwaarde_vastgesteld_op else None),
        "artikel_beslistermijn": ARTIKEL_BESLISTERMIJN,
        "bezwaar_einddatum": einde,
        "bezwaartermijn_weken": weken(_termijn("bezwaartermijn_weken", b.verzonden).days // 7),
        "betaaltermijn_weken": weken(_termijn("betaaltermijn_weken", b.verzonden).days // 7),
        "bezwaar_verlengd": einde != b.verzonden + _termijn("bezwaartermijn_weken", b.verzonden),
        "wml_bedragen": wml_bedragen,
        "rekengegevens": rekengegevens,
        "betaal_einddatum": verleng_termijn(b.verzonden + _termijn("betaaltermijn_weken", b.verzonden)),
        "vaststelling": vaststelling,
        "per_plaatsing": per_plaatsing,
        "herziening": herziening,
        "herzieningstermijn_jaren": (herzieningstermijn_jaren(b.datum) if herziening is not None
                                     else None),
        "herzieningstermijn_jaren_intrekking": (herzieningstermijn_jaren(b.datum)
                                                if intrekking is not None and intrekking["vaststelling"] else None),
        "inputs_hash": inputs_hash(b),
    }


# --------------------------------------------------------------------------------------------
# Rendering


def _dag_datum(day: dt.date) -> str:
    """'maandag 4 januari 2027'."""
    return format_date(day, "EEEE d MMMM y", locale=LOCALE)


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    # Babel formatting dominates the HTML time of a letter with many plaatsingen, and the
    # same percentages, hours and dates recur in every row: memoise (all arguments hashable).
    cached = lru_cache(maxsize=4096)
    env.filters.update(euro=cached(euro), bedrag=cached(bedrag), datum=cached(datum),
                       euro_exact=cached(euro_exact),
                       dag_datum=_dag_datum,
                       getal=cached(getal), procent=cached(procent), uren=cached(_uren))
    return env


@lru_cache(maxsize=1)
def _stylesheet_text() -> str:
    return (TEMPLATE_DIR / "beschikking.css").read_text(encoding="utf-8")


def _html(beschikking: Beschikking, inline_css: bool) -> str:
    from markupsafe import Markup
    template = _environment().get_template(f"{beschikking.soort}.html.j2")
    css = Markup(_stylesheet_text()) if inline_css else None
    return template.render(css=css, **context(beschikking))


def render_html(beschikking: Beschikking) -> str:
    """The letter as a self-contained HTML document (stylesheet inline)."""
    return _html(beschikking, inline_css=True)


def _opmaak():
    """The stylesheet and its font configuration, made once per process (lks.documents.pdf)."""
    from lks.documents.pdf import stylesheet
    return stylesheet(TEMPLATE_DIR / "beschikking.css", TEMPLATE_DIR.as_uri() + "/")


def render_pdf(beschikking: Beschikking) -> bytes:
    """The letter as PDF (A4, 'pagina X van Y'): the HTML of ``render_html`` laid out by
    WeasyPrint with the same stylesheet (parsed once per process).

    Deterministic: the document dates are the letter date from the inputs (never the clock),
    the file identifier is derived from the inputs, and the bundled fonts are embedded whole
    (``full_fonts``), so no font subsetter stamps the current time into the file. Equal inputs
    give identical bytes for one installed WeasyPrint version.

    Not for concurrent use from several threads (the font configuration is shared per
    process); render in parallel with ``render_pdf_many``."""
    from weasyprint import HTML
    html = _html(beschikking, inline_css=False)
    identifier = inputs_hash(beschikking)[:32].encode("ascii")
    css, font_config = _opmaak()
    document = HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/").render(
        stylesheets=[css], font_config=font_config)
    return document.write_pdf(pdf_identifier=identifier, full_fonts=True)


def _render_pdf_chunk(chunk: Sequence[Beschikking]) -> list[bytes]:
    return [render_pdf(b) for b in chunk]


def _pdf_worker_start() -> None:
    """Start of a PDF worker: the font configuration and the stylesheet are made once, then
    everything that exists by now (WeasyPrint's modules, fonts, stylesheet) is frozen out of
    the garbage collector, which from then on walks only what a letter creates (about a
    quarter less collection time)."""
    _opmaak()
    gc.collect()
    gc.freeze()


def render_pdf_many(beschikkingen: Sequence[Beschikking], workers: int = 2,
                    progress: Callable[[int, int], None] | None = None) -> list[bytes]:
    """Render many letters on ``workers`` processes (WeasyPrint is single-threaded Python);
    the result keeps the order of the input and each PDF is byte for byte what
    :func:`render_pdf` gives. ``progress(done, total)`` is called as letters are done.

    One pool for the whole batch, so each worker sets up its fonts and stylesheet once. The
    letters go out in small chunks, the longest (most plaatsingen, most pages) first, so no
    worker is left with a long letter while the other has finished. Workers are started with
    'forkserver' so a caller with threads (scheduler, database pool) is never forked
    mid-lock."""
    beschikkingen = list(beschikkingen)
    totaal = len(beschikkingen)
    if workers <= 1 or totaal <= 1:
        pdfs = []
        for b in beschikkingen:
            pdfs.append(render_pdf(b))
            if progress:
                progress(len(pdfs), totaal)
        return pdfs
    workers = min(workers, totaal)
    volgorde = sorted(range(totaal), key=lambda i: -len(beschikkingen[i].regels))
    size = max(1, min(8, math.ceil(totaal / (workers * 4))))
    chunks = [volgorde[i:i + size] for i in range(0, totaal, size)]
    mp = get_context("forkserver")
    # Workers fork from a server that has imported WeasyPrint once, instead of each paying
    # for the import (only effective when this starts the forkserver; harmless otherwise).
    mp.set_forkserver_preload(["weasyprint", "lks.documents.beschikking"])
    pdfs: list[bytes | None] = [None] * totaal
    klaar = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp,
                             initializer=_pdf_worker_start) as pool:
        futures = {pool.submit(_render_pdf_chunk, [beschikkingen[i] for i in chunk]): chunk
                   for chunk in chunks}
        try:
            for future in as_completed(futures):
                chunk = futures[future]
                for i, pdf in zip(chunk, future.result()):
                    pdfs[i] = pdf
                klaar += len(chunk)
                if progress:
                    progress(klaar, totaal)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return pdfs


__all__ = [
    "Beschikking", "BeschikkingRegel", "Gemeente", "Herziening", "Parameter", "Vaststelling",
    "VaststellingRegel", "Werkgever", "SOORTEN", "Intrekking", "IntrekkingRegel", "IngetrokkenBesluit", "REGELINGEN", "REDEN_CODES",
    "algemeen_erkende_feestdagen", "bezwaar_einddatum", "context", "from_inputs_json",
    "grondslag", "herzieningstermijn_jaren", "inputs_hash", "inputs_json", "is_termijnvrije_dag", "letter_hash",
    "render_html", "render_pdf", "render_pdf_many", "round_half_up", "termijn_overschreden",
    "verleng_termijn",
]
