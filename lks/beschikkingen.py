"""The beschikkingen batch: detect what changed since the last letters and make only those.

Detection compares "what the letters said" (per plaatsing the newest ``beschikking_plaatsing``
row: full-month amount, WML, loonwaarde, hours, tijdvak) with "what is true now" (the
calculation core with the facts as known at ``now``) on a reference day: the letter date,
clamped to the plaatsing's active window. Per plaatsing:

- no letter yet and the subsidy runs → **verlening** (from the start of the current stretch
  of unchanged inputs, never before the startdatum);
- the last letter ended it (beëindiging) and the subsidy runs again after that end (a late
  loonwaarde after the forfait, a late extension) → a new **verlening**;
- an end of the subsidy within ``horizon`` days of the letter date: einddatum
  (``einde_dienstbetrekking``), the ontwikkelbaan's maximum duration (``maximale_duur``) or
  the forfait period over without loonwaarde (``loonwaarde_ontbreekt``) → **beëindiging**
  (it takes precedence over a wijziging of the same plaatsing on the same day);
- the full-month lks_totaal on the reference day differs from the letter's → **wijziging**,
  with the reason derived from what differs (loonwaarde, hours, WML = indexatie — in
  ``jaarlijks`` mode the core only moves the WML in January, so July makes nothing); an
  extended einddatum with the same amount is a wijziging too (verlenging);
- a plaatsing on verloonde uren (rekenregels §7): its letters state the subsidy per verloond
  uur and the most a full month can be (voltijdsuren × 13/3 hours); a **wijziging** when the
  hourly amount (indexatie of the hourly WML, a new loonwaarde, the jeugdloon), the cao week
  (``maximum_uren``) or the urenbasis itself changes (``urenbasis``) — never because the
  hours of a month differ: they follow from each month's loonstrook, which the verlening and
  wijziging oblige the werkgever to deliver by ``[betaalrun] loonstrook_dag``;
- a plaatsing withdrawn as imported by mistake (``intrekkingen.csv``) about which letters were
  made → **intrekking** (Awb art. 4:48; a vaststelling among them: 4:49), naming those letters
  and what was paid on the plaatsing in runs calculated before the withdrawal, which the next
  betaalrun sets off or turns into a vordering; its state is the one known just before the
  withdrawal. A withdrawn loonwaarde that changes the amount gives a wijziging with reason
  ``loonwaarde_ingetrokken``. A withdrawn plaatsing delivered again starts with a verlening;
- after a calendar year, for every plaatsing paid or calculated in it: **vaststelling**,
  Σ the core's lks_totaal of the year's months with current knowledge against Σ the
  Betaalregel amounts of approved runs for those months; also at the end of a plaatsing
  once the month of its einddatum lies behind the letter date; on verloonde uren with the
  year's hours added up and the months still without loonstrook;
- a vaststelling already made whose amount, computed the same way with the facts known now,
  differs for one of its plaatsingen from what it stated (a fact for that year recorded
  after it, which the betaalrun pays or reclaims as corrections): a **herziene
  vaststelling** (Awb art. 4:49) of the same werkgever, year and plaatsingen, naming the
  kenmerk and date of the vaststelling it replaces and the old and new amounts. A later
  herziening compares with the newest (herziene) vaststelling; none is made once the
  herzieningstermijn (Awb art. 4:49 lid 3: five years, a parameter, from the day the first
  vaststelling of the plaatsing-year was made known) has passed.

Letters are bundled: one per werkgever per soort per day (a vaststelling also per year, a
herziening per vaststelling it replaces), with a table when it holds several plaatsingen.
Nothing changed → nothing is rendered; running twice on one day makes nothing the second time.

Amounts come from the calculation core. The full-month amount of a letter is the core's
day-segment (WML, staffel, vakantiebijslag, fractie, urenfactor as the core used them) with
the two roundings of rekenregels §2; where the reference month is one whole segment the
core's own lks_totaal is checked against it.

Writing: the letters are rendered in memory, their rows committed in one short transaction
(the per-year kenmerk sequence guarded by a unique constraint), then the files are written
atomically (``lks.atomic``). A letter can always be re-derived from its stored ``inputs_json``
(``regenereer``), byte for byte; every batch first removes the temporary letter files a killed
batch left (never those of a batch writing now) and restores the files of concept letters that
are recorded but missing (``herstel_bestanden``: a batch killed between its commit and its
files), checked against the stored hashes.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from lks.atomic import remove_stale_temp_files, write_atomic
from lks.calc import calculate
from lks.calc.core import _forfait_einde, _ontwikkelbaan_einde  # the core's own period ends
from lks.calc.rules import REGELINGEN as CORE_REGELINGEN
from lks.calc.rules import WEKEN_PER_MAAND
from lks.db.models_beschikking import Beschikking as BeschikkingRow
from lks.db.models_beschikking import BeschikkingPlaatsing
from lks.db.models_betaalrun import BETAALD, AuditLog, Betaalregel, Betaalrun
from lks.documents import beschikking as doc
from lks.identifiers import mask_bsn
from lks.db.models import Loonwaarde
from lks.facts import current_versions, load_facts, plaatsingen_met_ingetrokken
from lks.faults import crash_point
from lks.nl import datum as nl_datum
from lks.nl import euro, getal, procent
from lks.parameters import Parameters
from lks.settings import Settings

TZ = ZoneInfo("Europe/Amsterdam")
HORIZON_DAGEN = 31
"""A beëindiging is made once the last subsidy day lies within this many days of the letter
date: with a monthly batch every end is announced before it happens."""
KENMERK_PREFIX = "LKS"
SOORT_VOLGORDE = {s: i for i, s in enumerate(doc.SOORTEN)}
ONTWIKKELBAAN_CODE = CORE_REGELINGEN.index("ontwikkelbaan")

REDEN_PRIORITEIT = ("urenbasis", "loonwaarde_ingetrokken", "loonwaarde", "uren", "maximum_uren", "indexatie")
REDEN_JEUGDLOON = "nieuw percentage minimumjeugdloon door de leeftijd van de werknemer"
REDEN_VERLENGING = "verlenging van de dienstbetrekking"


class BeschikkingFout(ValueError):
    """A request the batch cannot carry out (message in Dutch, for the user)."""


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class GemaakteBeschikking:
    kenmerk: str
    soort: str
    werkgever_id: str
    plaatsingen: tuple[str, ...]
    html_pad: Path
    pdf_pad: Path | None
    termijn_overschreden: bool
    aanleiding: str
    beschikking: doc.Beschikking
    herziet_kenmerk: str | None = None   # a herziene vaststelling: the kenmerk it replaces


@dataclass
class Resultaat:
    datum: dt.date
    beschikkingen: list[GemaakteBeschikking] = field(default_factory=list)
    hersteld: list[str] = field(default_factory=list)  # kenmerken whose files were restored
    opgeruimd: list[Path] = field(default_factory=list)  # temporary files of a killed batch, removed

    def per_soort(self) -> dict[str, int]:
        counts = {s: 0 for s in doc.SOORTEN}
        for b in self.beschikkingen:
            counts[b.soort] += 1
        return counts

    @property
    def pdfs(self) -> int:
        return sum(1 for b in self.beschikkingen if b.pdf_pad is not None)


# --------------------------------------------------------------------------------------------
# Gemeente and werkgever as the letters show them


def gemeente_uit_settings(settings: Settings) -> doc.Gemeente:
    """The letterhead from ``gemeente.toml``. The settings hold no telephone number, website or
    afdeling yet: for the built-in demo gemeente its public contact details are used,
    otherwise neutral defaults (a gap to close in the settings file)."""
    g = settings.gemeente
    demo = g.naam == "Het Hogeland"
    slug = "".join(c for c in g.naam.lower() if c.isalnum())
    return doc.Gemeente(
        naam=g.naam, straat=g.straat, huisnummer=g.huisnummer, postcode=g.postcode, plaats=g.plaats,
        telefoon=getattr(g, "telefoon", None) or ("14 0595" if demo else "zie de website"),
        website=getattr(g, "website", None) or f"www.{slug}.nl",
        ondertekenaar_naam=g.ondertekenaar.naam, ondertekenaar_functie=g.ondertekenaar.functie,
        bezwaar_postadres=g.postadres.adres, bezwaar_postcode=g.postadres.postcode,
        bezwaar_plaats=g.postadres.plaats,
        afdeling=getattr(g, "afdeling", None) or ("Ontwikkelplein Het Hogeland" if demo else None),
        email=getattr(g, "email", None),
        iban=_iban_groepen(g.iban),
        reintegratiebeleid=(f"Re-integratiebeleid gemeente {g.naam} 2024-2028" if demo else None),
    )


def _iban_groepen(iban: str) -> str:
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --------------------------------------------------------------------------------------------
# The state of a plaatsing on a day, from the core's segments


@dataclass(frozen=True)
class _Staat:
    """One plaatsing on one reference day, as the letters state it (full-month amounts).

    On verloonde uren (rekenregels §7) the letters state the subsidy per verloond uur
    (``uurbedrag``); ``wml_cent`` is then the hourly WML, ``urenfactor`` the most hours a full
    month is paid for (voltijdsuren × 13/3), and the amounts are the most a full month can be
    (``doc.BeschikkingRegel``)."""

    plaatsing_id: str
    regeling: str
    loopt: bool                    # subsidy runs (no maximale_duur / loonwaarde_ontbreekt)
    segment_van: dt.date           # first day of the stretch of unchanged inputs
    lks_basis_cent: int
    werkgeverslasten_cent: int
    wml_cent: int
    wml_ingang: dt.date
    loonwaarde: Fraction | None    # percent (lks only)
    contracturen: Fraction
    voltijdsuren: Fraction
    fractie: Fraction
    urenfactor: Fraction
    vakantiebijslag: Fraction
    werkgeverslasten_fractie: Fraction
    staffel: Fraction
    leeftijd: int
    parameters: tuple[doc.Parameter, ...]
    urenbasis: str = "contract"
    uurbedrag: Fraction | None = None  # verloonde uren: the subsidy per verloond uur, cents

    @property
    def maandbedrag_cent(self) -> int:
        return self.lks_basis_cent + self.werkgeverslasten_cent

    @property
    def verloond(self) -> bool:
        return self.urenbasis == "verloond"


_SIGNATUUR = ("regeling", "wml", "staffel_num", "staffel_den", "vb_num", "vb_den", "fractie_num",
              "fractie_den", "uren_num", "uren_den", "heeft_loonwaarde", "loonwaarde",
              "contracturen", "voltijdsuren", "urenbasis", "wml_uur")
# on verloonde uren the contracturen are information, not part of the amount (rekenregels §7)
_SIGNATUUR_VERLOOND = tuple(c for c in _SIGNATUUR if c != "contracturen")


class _Segmenten:
    """The core's day-segments, indexed per plaatsing for lookups by day."""

    def __init__(self, segments: pd.DataFrame, maanden: pd.DataFrame, params: Parameters, policy):
        self.params = params
        self.policy = policy
        self.frame = segments.reset_index(drop=True)
        self.van = self.frame["van"].to_numpy().astype("datetime64[D]")
        self.tot = self.frame["tot"].to_numpy().astype("datetime64[D]")
        self.cols = {c: self.frame[c].to_numpy() for c in _SIGNATUUR + (
            "wml_peildatum", "urenregel", "reden", "staffel_leeftijd", "leeftijd", "periode",
            "dagen", "dagen_maand", "uren_bekend", "verloonde_uren", "begrensd", "spreiding_num",
            "spreiding_den", "maximum_num", "maximum_den")}
        pids = self.frame["plaatsing_id"].to_numpy(dtype=object)
        self.range: dict[str, tuple[int, int]] = {}
        if len(pids):
            change = np.flatnonzero(np.r_[True, pids[1:] != pids[:-1], True])
            for lo, hi in zip(change[:-1], change[1:]):
                self.range[pids[lo]] = (int(lo), int(hi))
        self.totaal = {(p, str(m)): int(t) for p, m, t in zip(
            maanden["plaatsing_id"], maanden["periode"], maanden["lks_totaal"])}

    def index(self, plaatsing_id: str, day: dt.date) -> int | None:
        lo, hi = self.range.get(plaatsing_id, (0, 0))
        if lo == hi:
            return None
        d = np.datetime64(day, "D")
        i = lo + int(np.searchsorted(self.van[lo:hi], d, side="right")) - 1
        if i < lo or self.tot[i] < d:
            return None
        return i

    def _same(self, i: int, j: int) -> bool:
        signatuur = _SIGNATUUR_VERLOOND if self.cols["urenbasis"][i] == "verloond" else _SIGNATUUR
        return all(self.cols[c][i] == self.cols[c][j] for c in signatuur)

    def stretch_start(self, plaatsing_id: str, i: int) -> dt.date:
        lo, _ = self.range[plaatsing_id]
        j = i
        while j > lo and self.tot[j - 1] + 1 == self.van[j] and self._same(j - 1, i):
            j -= 1
        return _date(self.van[j])

    def laatste_dag_tot(self, plaatsing_id: str, day: dt.date) -> dt.date | None:
        """The last calculated day of the plaatsing on or before ``day`` (else its first
        calculated day); None when it has no segment in the window at all."""
        lo, hi = self.range.get(plaatsing_id, (0, 0))
        if lo == hi:
            return None
        d = np.datetime64(day, "D")
        i = lo + int(np.searchsorted(self.van[lo:hi], d, side="right")) - 1
        if i < lo:
            return _date(self.van[lo])
        return min(day, _date(self.tot[i]))

    def staat(self, plaatsing_id: str, day: dt.date) -> _Staat | None:
        i = self.index(plaatsing_id, day)
        if i is None:
            return None
        c = self.cols
        p = self.params
        regeling = str(c["regeling"][i])
        verloond = str(c["urenbasis"][i]) == "verloond"
        staffel = Fraction(int(c["staffel_num"][i]), int(c["staffel_den"][i]))
        vb = Fraction(int(c["vb_num"][i]), int(c["vb_den"][i])) - 1
        fractie = Fraction(int(c["fractie_num"][i]), int(c["fractie_den"][i]))
        voltijdsuren = Fraction(int(c["voltijdsuren"][i]), 100)
        if verloond:
            # rekenregels §7: the hourly WML, and per full month at most voltijdsuren × 13/3 hours
            wml = int(c["wml_uur"][i])
            urenfactor = voltijdsuren * Fraction(*WEKEN_PER_MAAND)
            uurbedrag = wml * staffel * (1 + vb) * fractie
        else:
            wml = int(c["wml"][i])
            urenfactor = Fraction(int(c["uren_num"][i]), int(c["uren_den"][i]))
            uurbedrag = None
        maand_start = dt.date.fromisoformat(str(c["periode"][i]) + "-01")
        wgl = p["werkgeverslasten"].at(maand_start)
        if regeling == "ontwikkelbaan" and not self.policy.ontwikkelbaan_werkgeverslasten:
            wgl = Fraction(0)
        basis = doc.round_half_up(wml * staffel * (1 + vb) * fractie * urenfactor)
        lasten = doc.round_half_up(basis * Fraction(wgl))
        # the core's own month total where the month is this one whole segment: for verloonde
        # uren with the month's hours, when known (the hours spread or, above it, the maximum)
        if int(c["dagen"][i]) == int(c["dagen_maand"][i]):
            core = self.totaal.get((plaatsing_id, str(c["periode"][i])))
            verwacht = basis + lasten
            if verloond:
                verwacht = None
                if bool(c["uren_bekend"][i]):
                    deel = "maximum" if bool(c["begrensd"][i]) else "spreiding"
                    uren = Fraction(int(c[f"{deel}_num"][i]), int(c[f"{deel}_den"][i]))
                    maand_basis = doc.round_half_up(uurbedrag * uren)
                    verwacht = maand_basis + doc.round_half_up(maand_basis * Fraction(wgl))
            if core is not None and verwacht is not None and core != verwacht:
                raise AssertionError(f"plaatsing {plaatsing_id} {c['periode'][i]}: maandbedrag "
                                     f"{verwacht} wijkt af van de rekenkern ({core})")
        peil = _date(c["wml_peildatum"][i])
        wml_param = p["wml_uurloon" if verloond else "wml_maandloon"]
        wml_ingang = wml_param.dates[int(wml_param.index_at([peil])[0])]
        heeft_lw = bool(c["heeft_loonwaarde"][i]) and regeling == "lks"
        reden = str(c["reden"][i])
        return _Staat(
            plaatsing_id=plaatsing_id, regeling=regeling,
            loopt=not ({"maximale_duur", "loonwaarde_ontbreekt"} & set(reden.split(";"))),
            segment_van=self.stretch_start(plaatsing_id, i),
            lks_basis_cent=basis, werkgeverslasten_cent=lasten, wml_cent=wml, wml_ingang=wml_ingang,
            loonwaarde=Fraction(int(c["loonwaarde"][i]), 100) if heeft_lw else None,
            contracturen=Fraction(int(c["contracturen"][i]), 100),
            voltijdsuren=voltijdsuren,
            fractie=fractie, urenfactor=urenfactor, vakantiebijslag=vb,
            werkgeverslasten_fractie=Fraction(wgl), staffel=staffel,
            leeftijd=int(c["leeftijd"][i]),
            parameters=self._parameters(regeling, day, peil, wml, wml_ingang, staffel, vb, wgl,
                                        heeft_lw, str(c["urenregel"][i]), int(c["leeftijd"][i])),
            urenbasis="verloond" if verloond else "contract", uurbedrag=uurbedrag,
        )

    def _parameters(self, regeling, day, peil, wml, wml_ingang, staffel, vb, wgl, heeft_lw,
                    urenregel, leeftijd) -> tuple[doc.Parameter, ...]:
        """The parameter values the amount used, each with its publication. On verloonde uren
        (``urenregel`` "verloond") the hourly WML instead of the monthly one."""
        p = self.params
        if urenregel == "verloond":
            out = [doc.Parameter("Wettelijk minimumloon per uur (21 jaar en ouder)",
                                 f"{euro(wml)} vanaf {nl_datum(wml_ingang)}",
                                 str(p["wml_uurloon"].reference_at(peil)))]
        else:
            out = [doc.Parameter("Wettelijk minimumloon per maand (21 jaar en ouder)",
                                 f"{euro(wml)} vanaf {nl_datum(wml_ingang)}",
                                 str(p["wml_maandloon"].reference_at(peil)))]
        if staffel != 1:
            out.append(doc.Parameter("Minimumjeugdloon", f"{procent(staffel)} bij {leeftijd} jaar",
                                     str(p["jeugdloon_staffel"].reference_at(day))))
        if vb:
            out.append(doc.Parameter("Vakantiebijslag", procent(vb),
                                     str(p["vakantiebijslag"].reference_at(day))))
        if regeling == "lks":
            name = "lks_maximum" if heeft_lw else "forfait_fractie"
            label = "Maximum loonkostensubsidie" if heeft_lw else "Forfaitaire loonkostensubsidie"
            out.append(doc.Parameter(label, procent(p[name].at(day)), str(p[name].reference_at(day))))
            if not heeft_lw:
                out.append(doc.Parameter("Duur forfaitaire loonkostensubsidie",
                                         f"{p['forfait_maanden'].at(day)} maanden",
                                         str(p["forfait_maanden"].reference_at(day))))
        elif regeling == "beschut":
            out.append(doc.Parameter("Loonkostensubsidie beschut werk",
                                     procent(p["beschut_fractie"].at(day)),
                                     str(p["beschut_fractie"].reference_at(day))))
        else:
            out.append(doc.Parameter("Loonkostensubsidie ontwikkelbaan",
                                     procent(p["ontwikkelbaan_fractie"].at(day)),
                                     str(p["ontwikkelbaan_fractie"].reference_at(day))))
            out.append(doc.Parameter("Maximale duur ontwikkelbaan",
                                     f"{p['ontwikkelbaan_maanden'].at(day)} maanden",
                                     str(p["ontwikkelbaan_maanden"].reference_at(day))))
        if urenregel == "referentie":
            out.append(doc.Parameter("Werkweek van het minimumloon per maand",
                                     f"{getal(p['referentie_weekuren'].at(day))} uur",
                                     str(p["referentie_weekuren"].reference_at(day))))
        if wgl:
            out.append(doc.Parameter("Vergoeding werkgeverslasten", procent(Fraction(wgl)),
                                     str(p["werkgeverslasten"].reference_at(day))))
        return tuple(out)


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


def _frac(value) -> Fraction | None:
    if value is None:
        return None
    return Fraction(Decimal(str(value)))


UURBEDRAG_QUANTUM = "0.0000000001"  # beschikking_plaatsing.uurbedrag_cent: Numeric(20, 10)


def _dec(value: Fraction | None, quantum: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if exact != exact.quantize(Decimal(quantum)):
        raise ValueError(f"{value} is niet exact op te slaan met {quantum}")
    return exact.quantize(Decimal(quantum))


# --------------------------------------------------------------------------------------------
# What the letters said


@dataclass(frozen=True)
class _Brief:
    soort: str
    tijdvak_van: dt.date
    tijdvak_tot: dt.date | None
    maandbedrag_cent: int
    wml_cent: int
    loonwaarde: Fraction | None
    fractie: Fraction
    contracturen: Fraction
    voltijdsuren: Fraction
    made_at: dt.datetime | None = None
    urenbasis: str = "contract"
    uurbedrag: Fraction | None = None  # verloonde uren: the subsidy per verloond uur, cents


@dataclass(frozen=True)
class _Vastgesteld:
    """The newest vaststelling (first or herziene) of one plaatsing for one year."""

    kenmerk: str
    datum: dt.date
    werkgever_id: str
    vastgesteld_cent: int
    bekendgemaakt: dt.date
    """When the first vaststelling of this plaatsing-year was made known: sent, or else
    dated. Awb art. 4:49 lid 3 counts from there; a herziening does not restart it."""


def _brieven(session: Session) -> tuple[dict[str, _Brief], dict[tuple[str, int], _Vastgesteld]]:
    """Per plaatsing the newest non-vaststelling letter state, and per (plaatsing, jaar)
    already vastgesteld the newest vaststelling."""
    rows = session.execute(
        select(BeschikkingPlaatsing, BeschikkingRow.soort, BeschikkingRow.kenmerk,
               BeschikkingRow.datum, BeschikkingRow.werkgever_id, BeschikkingRow.verzonden_op,
               BeschikkingRow.made_at)
        .join(BeschikkingRow, BeschikkingRow.id == BeschikkingPlaatsing.beschikking_id)
        .order_by(BeschikkingRow.id)).all()
    laatste: dict[str, _Brief] = {}
    vastgesteld: dict[tuple[str, int], _Vastgesteld] = {}
    for bp, soort, kenmerk, datum, werkgever_id, verzonden_op, made_at in rows:
        if soort == "vaststelling":
            key = (bp.plaatsing_id, bp.vaststelling_jaar)
            eerder = vastgesteld.get(key)
            bekend = verzonden_op.astimezone(TZ).date() if verzonden_op is not None else datum
            vastgesteld[key] = _Vastgesteld(
                kenmerk=kenmerk, datum=datum, werkgever_id=werkgever_id,
                vastgesteld_cent=int(bp.vastgesteld_cent),
                bekendgemaakt=eerder.bekendgemaakt if eerder is not None else bekend)
            continue
        laatste[bp.plaatsing_id] = _Brief(
            soort=soort, tijdvak_van=bp.tijdvak_van, tijdvak_tot=bp.tijdvak_tot,
            maandbedrag_cent=int(bp.maandbedrag_cent), wml_cent=int(bp.wml_cent),
            loonwaarde=_frac(bp.loonwaarde), fractie=_frac(bp.fractie),
            contracturen=_frac(bp.contracturen),
            voltijdsuren=_frac(bp.voltijdsuren), made_at=made_at,
            urenbasis=bp.urenbasis, uurbedrag=_frac(bp.uurbedrag_cent))
    return laatste, vastgesteld


def _voorschotten(session: Session) -> pd.DataFrame:
    """Σ Betaalregel.bedrag of approved runs per plaatsing and periode."""
    rows = session.execute(
        select(Betaalregel.plaatsing_id, Betaalregel.periode, func.sum(Betaalregel.bedrag))
        .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
        .where(Betaalrun.status.in_(BETAALD))
        .group_by(Betaalregel.plaatsing_id, Betaalregel.periode)).all()
    return pd.DataFrame([(p, m, int(b)) for p, m, b in rows],
                        columns=["plaatsing_id", "periode", "bedrag"])


# --------------------------------------------------------------------------------------------
# Detection


@dataclass
class _Besluit:
    """One plaatsing in one letter to be made."""

    soort: str
    werkgever_id: str
    plaatsing_id: str
    staat: _Staat
    tijdvak_van: dt.date
    tijdvak_tot: dt.date | None
    aanleiding: str
    oud_maandbedrag_cent: int | None = None
    oud_uurbedrag: Fraction | None = None       # a wijziging of a letter on verloonde uren
    reden_code: str | None = None
    reden: str | None = None
    loonwaarde_vastgesteld_op: dt.date | None = None
    jaar: int | None = None
    vastgesteld_cent: int | None = None
    voorschotten_cent: int | None = None
    vaststelling_tot: dt.date | None = None
    herziet: _Vastgesteld | None = None        # a herziene vaststelling: the one it replaces
    oud_vastgesteld_cent: int | None = None
    intrekking: doc.IntrekkingRegel | None = None  # an intrekking: what it withdraws, what was paid
    verloonde_uren: Fraction | None = None      # a vaststelling on verloonde uren: the year's hours
    maanden_zonder_loonstrook: tuple[str, ...] | None = None


def _month_end(day: dt.date) -> dt.date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def _clamp(day: dt.date, lo: dt.date, hi: dt.date | None) -> dt.date:
    day = max(day, lo)
    return min(day, hi) if hi is not None else day


def _gewijzigd(oud: _Brief, nu: _Staat) -> bool:
    """Whether the decision changed: the full-month amount on contracturen; on verloonde uren
    (rekenregels §7) the subsidy per verloond uur or the most a full month can be (a new cao
    week). The hours of a month are no decision: they follow from each month's loonstrook."""
    if oud.urenbasis != nu.urenbasis:
        return True
    if nu.verloond and oud.uurbedrag != nu.uurbedrag:
        return True
    return nu.maandbedrag_cent != oud.maandbedrag_cent


def _wijziging_redenen(oud: _Brief, nu: _Staat) -> list[str]:
    codes = []
    if oud.urenbasis != nu.urenbasis:
        codes.append("urenbasis")  # the WML per maand or per uur: no indexatie to compare
    if oud.loonwaarde != nu.loonwaarde and oud.fractie != nu.fractie:
        codes.append("loonwaarde")  # a new loonwaarde above the cap changes nothing
    if oud.urenbasis != nu.urenbasis:
        return codes
    if nu.verloond:
        if oud.voltijdsuren != nu.voltijdsuren:
            codes.append("maximum_uren")  # the contracturen are information only (§7)
    elif (oud.contracturen, oud.voltijdsuren) != (nu.contracturen, nu.voltijdsuren):
        codes.append("uren")
    if oud.wml_cent != nu.wml_cent:
        codes.append("indexatie")
    return codes


def _bedrag_tekst(staat: _Brief | _Staat) -> str:
    """For the aanleiding: 'maandbedrag 106505' or, on verloonde uren, 'uurbedrag 622,08'
    (cents)."""
    if staat.urenbasis == "verloond":
        return f"uurbedrag {getal(staat.uurbedrag, 10)}"
    return f"maandbedrag {staat.maandbedrag_cent}"


def _reden_velden(codes: list[str], nu: _Staat) -> tuple[str | None, str | None]:
    """(reden_code, reden text) for a wijziging: the first code by priority, and a text only
    when there are several reasons or none of the standard ones."""
    if "loonwaarde" in codes and nu.loonwaarde is not None and nu.loonwaarde >= 100:
        codes = ["loonwaarde_100"] + [c for c in codes if c != "loonwaarde"]
    if not codes:
        return None, REDEN_JEUGDLOON
    ordered = sorted(codes, key=lambda c: REDEN_PRIORITEIT.index(c) if c in REDEN_PRIORITEIT else -1)
    if len(ordered) == 1:
        return ordered[0], None
    return ordered[0], " en ".join(doc.REDEN_CODES[c] for c in ordered)


def _detect(datum: dt.date, facts, calc_input, segs: _Segmenten, brieven: dict[str, _Brief],
            vastgesteld: set, voorschotten: pd.DataFrame, maanden: pd.DataFrame, params: Parameters,
            settings: Settings, horizon: int,
            loonwaarde_ingetrokken: dict[str, dt.datetime] | None = None) -> list[_Besluit]:
    plaatsingen = calc_input.plaatsingen
    start = plaatsingen["startdatum"].to_numpy().astype("datetime64[D]")
    regeling = plaatsingen["regeling"].map(CORE_REGELINGEN.index).to_numpy(dtype=np.int64)
    p = {"start": start, "regeling": regeling}
    forfait_einde = _forfait_einde(p, params) if len(start) else start
    ob_einde = _ontwikkelbaan_einde(p, params) if len(start) else start
    lw = facts.loonwaarden
    lw_per = {pid: g.sort_values("ingangsdatum") for pid, g in lw.groupby("plaatsing_id")} if len(lw) else {}
    grens = datum + dt.timedelta(days=horizon)
    maand_einde = _month_end(datum)
    eerste = settings.betaalrun.eerste_periode
    systeem_start = (dt.date.fromisoformat(eerste + "-01") if eerste
                     else dt.date(datum.year, datum.month, 1))
    besluiten: list[_Besluit] = []

    for k, row in enumerate(plaatsingen.itertuples(index=False)):
        pid = row.plaatsing_id
        begin = _date(row.startdatum)
        einde = None if pd.isna(row.einddatum) else _date(row.einddatum)
        if begin > maand_einde:
            continue  # starts after this month: its verlening comes with a later batch
        ref = _clamp(datum, begin, einde)
        nu = segs.staat(pid, ref)
        if nu is None:
            continue  # outside the calculated window
        werkgever = row.werkgever_id

        # the subsidy's end: dienstbetrekking, ontwikkelbaan maximum, forfait without loonwaarde
        eindes = []
        if einde is not None:
            eindes.append((einde, "einde_dienstbetrekking"))
        if row.regeling == "ontwikkelbaan":
            eindes.append((_date(ob_einde[k]) - dt.timedelta(days=1), "maximale_duur"))
        if row.regeling == "lks":
            f_einde = _date(forfait_einde[k])
            facts_lw = lw_per.get(pid)
            heeft = facts_lw is not None and (facts_lw["ingangsdatum"].dt.date <= f_einde).any()
            if not heeft:
                eindes.append((f_einde - dt.timedelta(days=1), "loonwaarde_ontbreekt"))
        eindes = [e for e in eindes if e[0] >= begin]
        eind = min(eindes) if eindes else None

        oud = brieven.get(pid)
        if oud is not None and oud.soort == "intrekking":
            oud = None  # withdrawn by letter and delivered again: it starts afresh
        lw_op = _loonwaarde_vastgesteld_op(lw_per.get(pid), ref)
        if oud is None or oud.soort == "beeindiging":
            na = oud.tijdvak_tot if oud is not None else None
            if not nu.loopt or (na is not None and ref <= na):
                continue
            if oud is None and einde is not None and einde < systeem_start:
                continue  # ended before this system paid anything: the old system's letters
            nieuwe_lw = nu.loonwaarde is not None and (oud is None or oud.loonwaarde != nu.loonwaarde)
            van = max(nu.segment_van, begin, (na + dt.timedelta(days=1)) if na else begin)
            aanleiding = (f"plaatsing {pid}: subsidie loopt weer na beëindiging per {na.isoformat()}"
                          if na else f"plaatsing {pid} heeft nog geen beschikking")
            besluiten.append(_Besluit("verlening", werkgever, pid, nu, van, einde, aanleiding,
                                      loonwaarde_vastgesteld_op=lw_op if nieuwe_lw else None))
            continue

        if eind is not None and eind[0] <= grens and eind[0] >= oud.tijdvak_van and not (
                nu.loopt and nu.segment_van > eind[0]):
            dag, code = eind
            staat = segs.staat(pid, _clamp(min(datum, dag), begin, dag)) or nu
            besluiten.append(_Besluit(
                "beeindiging", werkgever, pid, staat, min(max(staat.segment_van, begin), dag), dag,
                f"plaatsing {pid}: {doc.REDEN_CODES[code]} per {dag.isoformat()}", reden_code=code))
            continue

        if _gewijzigd(oud, nu):
            codes = _wijziging_redenen(oud, nu)
            ingetrokken_op = (loonwaarde_ingetrokken or {}).get(pid)
            if "loonwaarde" in codes and ingetrokken_op is not None and (
                    oud.made_at is None or ingetrokken_op > oud.made_at):
                codes = ["loonwaarde_ingetrokken" if c == "loonwaarde" else c for c in codes]
            code, tekst = _reden_velden(codes, nu)
            besluiten.append(_Besluit(
                "wijziging", werkgever, pid, nu, max(nu.segment_van, begin), einde,
                f"plaatsing {pid}: {_bedrag_tekst(oud)} → {_bedrag_tekst(nu)} cent "
                f"({', '.join(codes) or 'jeugdloon'})",
                oud_maandbedrag_cent=oud.maandbedrag_cent, reden_code=code, reden=tekst,
                oud_uurbedrag=oud.uurbedrag,
                loonwaarde_vastgesteld_op=lw_op if "loonwaarde" in codes and nu.loonwaarde is not None else None))
        elif oud.tijdvak_tot is not None and (einde is None or einde > oud.tijdvak_tot):
            besluiten.append(_Besluit(
                "wijziging", werkgever, pid, nu, oud.tijdvak_tot + dt.timedelta(days=1), einde,
                f"plaatsing {pid}: einddatum {oud.tijdvak_tot.isoformat()} → "
                f"{einde.isoformat() if einde else 'open'}",
                oud_maandbedrag_cent=oud.maandbedrag_cent, reden=REDEN_VERLENGING, oud_uurbedrag=oud.uurbedrag))

    besluiten += _vaststellingen(datum, plaatsingen, segs, vastgesteld, voorschotten, maanden, settings,
                                 params)
    return besluiten


def _loonwaarden_ingetrokken(session: Session, now: dt.datetime) -> dict[str, dt.datetime]:
    """Per plaatsing the last moment one of its loonwaarden was withdrawn (as known at now)."""
    rows = session.execute(current_versions(Loonwaarde, now, ingetrokken=True)).mappings()
    out: dict[str, dt.datetime] = {}
    for row in rows:
        if row["ingetrokken"] is not None:
            out[row["plaatsing_id"]] = max(out.get(row["plaatsing_id"], row["recorded_at"]), row["recorded_at"])
    return out


def _intrekkingen(session: Session, datum: dt.date, now: dt.datetime, brieven: dict[str, _Brief],
                  params: Parameters, settings: Settings) -> list[_Besluit]:
    """An intrekking (Awb art. 4:48) per withdrawn plaatsing about which letters were made and
    not yet withdrawn by letter. Its state is the one known just before the withdrawal (the
    subsidy as granted); the amount is what runs calculated before the withdrawal paid on it:
    exactly what the first run after it takes back."""
    alle = plaatsingen_met_ingetrokken(session, as_of=now)
    weg = alle[alle["ingetrokken"].notna()]
    weg = weg[[pid in brieven and brieven[pid].soort != "intrekking" for pid in weg["plaatsing_id"]]]
    if weg.empty:
        return []
    besluiten = []
    eerste_wml = params["wml_maandloon"].dates[0]
    for moment, groep in weg.groupby("recorded_at", sort=True):
        moment = moment.to_pydatetime()
        voor = load_facts(session, as_of=moment - dt.timedelta(microseconds=1)).to_calc_input()
        for row in groep.itertuples(index=False):
            pid, oud = row.plaatsing_id, brieven[row.plaatsing_id]
            begin = _date(row.startdatum)
            einde = None if pd.isna(row.einddatum) else _date(row.einddatum)
            invoer = _een_plaatsing(voor, pid)
            staat = None
            for dag in (_clamp(min(datum, moment.astimezone(TZ).date()), begin, einde), oud.tijdvak_van):
                dag = max(dag, eerste_wml)
                maand = dag.strftime("%Y-%m")
                result = calculate(invoer, maand, maand, params, settings.policy(), explain=True)
                staat = _Segmenten(result.segments, result.plaatsing_maanden, params,
                                   settings.policy()).staat(pid, dag)
                if staat is not None:
                    break
            if staat is None:
                raise BeschikkingFout(f"plaatsing {pid} is ingetrokken, maar de subsidie zoals verleend is niet "
                                      "te berekenen; maak de intrekkingsbeschikking met de hand")
            betaald = session.scalar(
                select(func.coalesce(func.sum(Betaalregel.bedrag), 0))
                .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
                .where(Betaalregel.plaatsing_id == pid, Betaalrun.status.in_(BETAALD),
                       Betaalrun.feiten_per < moment))
            eerdere = session.execute(
                select(BeschikkingRow.kenmerk, BeschikkingRow.datum, BeschikkingRow.soort)
                .join(BeschikkingPlaatsing, BeschikkingPlaatsing.beschikking_id == BeschikkingRow.id)
                .where(BeschikkingPlaatsing.plaatsing_id == pid, BeschikkingRow.soort != "intrekking")
                .order_by(BeschikkingRow.id)).all()
            regel = doc.IntrekkingRegel(pid, str(row.ingetrokken), tuple(
                doc.IngetrokkenBesluit(k, d, s) for k, d, s in eerdere), max(int(betaald), 0))
            besluiten.append(_Besluit(
                "intrekking", str(row.werkgever_id), pid, staat, oud.tijdvak_van, oud.tijdvak_tot,
                f"plaatsing {pid} ingetrokken ({row.ingetrokken}); betaald {regel.betaald_cent} cent",
                voorschotten_cent=regel.betaald_cent, intrekking=regel))
    return besluiten


def _een_plaatsing(invoer, plaatsing_id: str):
    """The calculation input of one plaatsing."""
    return type(invoer)(**{name: frame[frame["plaatsing_id"] == plaatsing_id]
                           for name, frame in vars(invoer).items()})


def _loonwaarde_vastgesteld_op(facts_lw: pd.DataFrame | None, ref: dt.date) -> dt.date | None:
    """The day the gemeente had the loonwaarde valid on ``ref``: the (Dutch) date it was
    recorded. The facts carry no separate measurement date; a loonwaarde cannot have been set
    later than it was recorded (Pw art. 10d lid 12 counts five weeks from there)."""
    if facts_lw is None:
        return None
    geldig = facts_lw[facts_lw["ingangsdatum"].dt.date <= ref]
    if geldig.empty:
        return None
    return pd.Timestamp(geldig["recorded_at"].iloc[-1]).tz_convert(TZ).date()


def _vaststellingen(datum, plaatsingen, segs, vastgesteld, voorschotten, maanden, settings,
                    params) -> list[_Besluit]:
    """Per (plaatsing, year): after the year, or at the end of the plaatsing once the month of
    its einddatum is behind us. vastgesteld = Σ the core's lks_totaal of the year's months
    (current knowledge), voorschotten = Σ approved Betaalregel amounts of those months.
    Then the herzieningen of vaststellingen already made (``_herzieningen``)."""
    eerste = settings.betaalrun.eerste_periode or "0000-00"
    calc = maanden[["plaatsing_id", "periode", "lks_totaal"]].copy()
    calc["periode"] = calc["periode"].astype(str)
    calc = calc[calc["periode"] >= eerste]
    paid = voorschotten[voorschotten["periode"] >= eerste]
    if paid.empty:
        return []  # nothing was paid as voorschot by this system: nothing to vaststellen
    calc = calc.assign(jaar=calc["periode"].str[:4].astype(int))
    paid = paid.assign(jaar=paid["periode"].str[:4].astype(int))
    vast = calc.groupby(["plaatsing_id", "jaar"])["lks_totaal"].sum()
    voor = paid.groupby(["plaatsing_id", "jaar"])["bedrag"].sum()
    jaren_betaald = set(paid["jaar"])
    info = plaatsingen.set_index("plaatsing_id")
    uren = _verloonde_uren_per_jaar(segs, eerste)
    out = []
    for pid, jaar in sorted(set(vast.index) | set(voor.index)):
        if (pid, jaar) in vastgesteld or jaar not in jaren_betaald or pid not in info.index:
            continue  # (not in the facts: withdrawn, its intrekking settles it)
        row = info.loc[pid]
        besluit = _vaststelling_besluit(datum, pid, jaar, row, segs, vast, voor, uren=uren)
        if besluit is None:
            continue
        out.append(besluit)
    return out + _herzieningen(datum, info, segs, vastgesteld, vast, voor, params, uren)


def _verloonde_uren_per_jaar(segs: _Segmenten, eerste: str) -> dict[tuple[str, int], tuple[Fraction, tuple[str, ...]]]:
    """Per (plaatsing, year) on verloonde uren, over the months a vaststelling adds up (from
    ``eerste``, the first month this system paid): the hours of the loonstroken as known now
    added up, and the months without a loonstrook in which the subsidy runs (a fractie above 0
    on some day: a month at 0 for another reason is not waiting for hours). Rekenregels §7."""
    f = segs.frame
    if f.empty:
        return {}
    f = f[(f["urenbasis"] == "verloond") & (f["periode"].astype(str) >= eerste)]
    if f.empty:
        return {}
    maanden = (f.assign(periode=f["periode"].astype(str))
               .groupby(["plaatsing_id", "periode"], sort=True)
               .agg(uren=("verloonde_uren", "first"), bekend=("uren_bekend", "first"),
                    fractie=("fractie_num", "max"))
               .reset_index())
    maanden["jaar"] = maanden["periode"].str[:4].astype(int)
    maanden["uren"] = np.where(maanden["bekend"].astype(bool), maanden["uren"].astype(np.int64), 0)
    som = maanden.groupby(["plaatsing_id", "jaar"])["uren"].sum()  # hundredths of an hour
    zonder = (maanden[~maanden["bekend"].astype(bool) & (maanden["fractie"] > 0)]
              .groupby(["plaatsing_id", "jaar"])["periode"].agg(tuple))
    return {key: (Fraction(int(honderdsten), 100), zonder.get(key, ())) for key, honderdsten in som.items()}


def _vaststelling_besluit(datum, pid, jaar, row, segs, vast, voor,
                          herziet: _Vastgesteld | None = None, uren=None) -> _Besluit | None:
    """The vaststelling of one plaatsing for one year, None while it is not due (the year is
    not over and the plaatsing has not ended in a month behind us)."""
    einde = None if pd.isna(row["einddatum"]) else _date(row["einddatum"])
    begin = _date(row["startdatum"])
    if jaar < datum.year:
        tot = dt.date(jaar, 12, 31) if einde is None or einde.year > jaar else einde
    elif einde is not None and einde.year == jaar and einde.strftime("%Y-%m") < datum.strftime("%Y-%m"):
        tot = einde
    else:
        return None
    if einde is not None and einde < dt.date(jaar, 1, 1):
        tot = dt.date(jaar, 12, 31)  # paid after its end (a correction year): the year
    staat_dag = _clamp(min(tot, dt.date(jaar, 12, 31)), begin, einde)
    staat = segs.staat(pid, staat_dag)
    if staat is None and herziet is not None:
        # a herziening must name every plaatsing of the vaststelling it replaces, also one
        # that the new facts moved off that day: the state on its nearest calculated day
        dag = segs.laatste_dag_tot(pid, staat_dag)
        staat = segs.staat(pid, dag) if dag is not None else None
    if staat is None:
        return None
    v = int(vast.get((pid, jaar), 0))
    b = int(voor.get((pid, jaar), 0))
    regel_van = min(max(dt.date(jaar, 1, 1), begin), staat_dag)
    regel_tot = max(min(einde, dt.date(jaar, 12, 31)) if einde else dt.date(jaar, 12, 31), regel_van)
    # on verloonde uren: the year's hours beside the amount, and the months still without loonstrook
    verloond = {}
    if staat.verloond:
        totaal, zonder = (uren or {}).get((pid, jaar), (Fraction(0), ()))
        verloond = dict(verloonde_uren=totaal, maanden_zonder_loonstrook=zonder or None)
    if herziet is None:
        return _Besluit(
            "vaststelling", str(row["werkgever_id"]), pid, staat, regel_van, regel_tot,
            f"plaatsing {pid}: vaststelling {jaar} (vastgesteld {v}, voorschotten {b} cent)",
            jaar=jaar, vastgesteld_cent=v, voorschotten_cent=b, vaststelling_tot=tot, **verloond)
    return _Besluit(
        "vaststelling", herziet.werkgever_id, pid, staat, regel_van, regel_tot,
        f"plaatsing {pid}: herziening vaststelling {jaar} ({herziet.kenmerk}): vastgesteld "
        f"{herziet.vastgesteld_cent} → {v}, voorschotten {b} cent",
        jaar=jaar, vastgesteld_cent=v, voorschotten_cent=b, vaststelling_tot=tot,
        herziet=herziet, oud_vastgesteld_cent=herziet.vastgesteld_cent, **verloond)


def _herzienbaar(datum: dt.date, bekendgemaakt: dt.date, params: Parameters) -> bool:
    """Whether a vaststelling made known on ``bekendgemaakt`` may still be herzien on
    ``datum``: Awb art. 4:49 lid 3 bars a change ten nadele of the ontvanger once five years
    (the parameter) have passed since. The batch makes no herziening after that either way:
    the betaalrun's retro window (by default as long) no longer moves money for those years,
    and a late claim in the werkgever's favour that old is a decision for a person."""
    jaren = int(params["herzieningstermijn_vaststelling_jaren"].at(bekendgemaakt))
    return datum < bekendgemaakt + relativedelta(years=jaren)


def _herzieningen(datum, info, segs, vastgesteld: dict[tuple[str, int], _Vastgesteld], vast, voor,
                  params, uren=None) -> list[_Besluit]:
    """Per vaststelling still in force (the newest for its plaatsingen and year) and within
    the herzieningstermijn: compute its amounts again exactly as a first vaststelling would,
    with the facts known now. When the amount of one of its plaatsingen differs from what it
    stated, a herziene vaststelling of all its plaatsingen replaces it (one letter, the old
    and new amount per plaatsing). Not while the year of a plaatsing is not yet due again (an
    end of plaatsing moved on into the current year): the year end decides; nor for a
    plaatsing the calculation no longer reaches at all (no day in the window: facts that
    moved it out of the years calculated), which needs a person.

    A plaatsing of the werkgever that gets its first vaststelling for that year only now
    (recorded after the vaststelling) gets its own vaststelling letter, not a place in the
    herziening: the herziening replaces exactly the plaatsingen of the letter it names."""
    per_brief: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, v in vastgesteld.items():
        per_brief[v.kenmerk].append(key)
    out: list[_Besluit] = []
    for kenmerk in sorted(per_brief):
        sleutels = sorted(per_brief[kenmerk])
        oud = [vastgesteld[k] for k in sleutels]
        if not _herzienbaar(datum, min(o.bekendgemaakt for o in oud), params):
            continue
        besluiten = []
        for (pid, jaar), o in zip(sleutels, oud):
            besluit = (_vaststelling_besluit(datum, pid, jaar, info.loc[pid], segs, vast, voor,
                                             herziet=o, uren=uren) if pid in info.index else None)
            if besluit is None:
                break
            besluiten.append(besluit)
        else:
            if any(b.vastgesteld_cent != b.oud_vastgesteld_cent for b in besluiten):
                out += besluiten
    return out


# --------------------------------------------------------------------------------------------
# Letters


def _regel(b: _Besluit, werknemer_naam: str, bsn: str) -> doc.BeschikkingRegel:
    s = b.staat
    return doc.BeschikkingRegel(
        plaatsing_id=b.plaatsing_id, werknemer_naam=werknemer_naam, bsn_masked=mask_bsn(bsn),
        regeling=s.regeling, tijdvak_van=b.tijdvak_van, tijdvak_tot=b.tijdvak_tot,
        maandbedrag_cent=s.maandbedrag_cent, lks_basis_cent=s.lks_basis_cent,
        werkgeverslasten_cent=s.werkgeverslasten_cent, loonwaarde=s.loonwaarde,
        contracturen=s.contracturen, voltijdsuren=s.voltijdsuren, wml_cent=s.wml_cent,
        wml_ingangsdatum=s.wml_ingang, fractie=s.fractie, urenfactor=s.urenfactor,
        vakantiebijslag=s.vakantiebijslag, werkgeverslasten_fractie=s.werkgeverslasten_fractie,
        parameters=s.parameters, jeugdloon_staffel=s.staffel if s.staffel != 1 else None,
        oud_maandbedrag_cent=b.oud_maandbedrag_cent, reden=b.reden, reden_code=b.reden_code,
        urenbasis="verloond" if s.verloond else None, oud_uurbedrag=b.oud_uurbedrag)


def _groepen(besluiten: list[_Besluit]) -> list[list[_Besluit]]:
    """One letter per werkgever per soort (per year for a vaststelling, per replaced
    vaststelling for a herziening), in a fixed order."""
    groups: dict[tuple, list[_Besluit]] = defaultdict(list)
    for b in besluiten:
        groups[(SOORT_VOLGORDE[b.soort], b.werkgever_id, b.jaar or 0,
                b.herziet.kenmerk if b.herziet else "")].append(b)
    return [sorted(groups[k], key=lambda b: b.plaatsing_id) for k in sorted(groups)]


def _kenmerk(jaar: int, volgnummer: int) -> str:
    return f"{KENMERK_PREFIX}/{jaar}/{volgnummer:06d}"


def bestandsnaam(kenmerk: str) -> str:
    """'LKS/2026/000123' -> 'LKS-2026-000123'."""
    return kenmerk.replace("/", "-")


LETTER_FILE_NAMES = re.compile(rf"{re.escape(KENMERK_PREFIX)}-\d{{4}}-\d{{6,}}\.(?:html|pdf)")
"""The names of the letter files (``bestandsnaam`` + .html/.pdf), to find their temporary files."""
LETTER_CRASH = "beschikkingen.tijdelijk_bestand"  # lks.faults: a letter complete in its temporary file


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, crash_step=LETTER_CRASH)


def maak_beschikkingen(engine: Engine, datum: dt.date, now: dt.datetime, params: Parameters,
                       settings: Settings, out: Path, pdf: bool | Callable[[doc.Beschikking], bool] = True,
                       workers: int = 2, progress: Callable[[int, int], None] | None = None,
                       horizon_dagen: int = HORIZON_DAGEN) -> Resultaat:
    """Detect what changed since the last letters (facts as known at ``now``), make those
    letters dated ``datum`` and write them to ``out/beschikkingen/``.

    ``pdf``: True renders every letter as PDF too, False none, a predicate selects letters
    (the demo renders only a few). ``progress(done, total)`` is called while PDFs render.
    Returns what was made; nothing changed → an empty result and no files."""
    out = Path(out) / "beschikkingen"
    # first what a killed batch left: its temporary files (not those of a batch writing now,
    # which holds their locks; lks.atomic), then the files of its recorded letters
    opgeruimd = remove_stale_temp_files(out, LETTER_FILE_NAMES)
    resultaat = Resultaat(datum, hersteld=herstel_bestanden(engine, out), opgeruimd=opgeruimd)
    with Session(engine) as session:
        facts = load_facts(session, as_of=now)
        brieven, vastgesteld = _brieven(session)
        voorschotten = _voorschotten(session)
        intrekkingen = _intrekkingen(session, datum, now, brieven, params, settings)
        lw_ingetrokken = _loonwaarden_ingetrokken(session, now)
        alle_plaatsingen = plaatsingen_met_ingetrokken(session, as_of=now)
    calc_input = facts.to_calc_input()
    besluiten = (_wijzigingen(datum, facts, calc_input, brieven, vastgesteld, voorschotten, params, settings,
                              horizon_dagen, lw_ingetrokken) if not calc_input.plaatsingen.empty else [])
    besluiten += intrekkingen
    if not besluiten:
        return resultaat
    _maak(besluiten, engine, datum, now, settings, facts, alle_plaatsingen, out, pdf, workers, progress, resultaat)
    return resultaat


def _wijzigingen(datum, facts, calc_input, brieven, vastgesteld, voorschotten, params, settings, horizon_dagen,
                 lw_ingetrokken) -> list[_Besluit]:
    """Every letter due for the plaatsingen in force (``_detect``), from one calculation."""
    van = dt.date(datum.year - 1, 1, 1)
    if len(voorschotten):
        open_jaren = [int(m[:4]) for p, m in zip(voorschotten["plaatsing_id"], voorschotten["periode"])
                      if (p, int(m[:4])) not in vastgesteld]
        if open_jaren:
            van = min(van, dt.date(min(open_jaren), 1, 1))
    # the years of vaststellingen that may still be herzien are calculated again
    herzienbaar = [jaar for (_, jaar), v in vastgesteld.items()
                   if _herzienbaar(datum, v.bekendgemaakt, params)]
    if herzienbaar:
        van = min(van, dt.date(min(herzienbaar), 1, 1))
    eerste_wml = params["wml_maandloon"].dates[0]
    van = max(van, eerste_wml.replace(day=1))
    result = calculate(calc_input, van.strftime("%Y-%m"), datum.strftime("%Y-%m"), params,
                       settings.policy(), explain=True)
    segs = _Segmenten(result.segments, result.plaatsing_maanden, params, settings.policy())
    return _detect(datum, facts, calc_input, segs, brieven, vastgesteld, voorschotten,
                   result.plaatsing_maanden, params, settings, horizon_dagen, lw_ingetrokken)


def _maak(besluiten: list[_Besluit], engine: Engine, datum: dt.date, now: dt.datetime, settings: Settings, facts,
          alle_plaatsingen: pd.DataFrame, out: Path, pdf, workers: int, progress, resultaat: Resultaat) -> None:
    """Render, record and write the letters of ``besluiten`` (appended to ``resultaat``)."""
    gemeente = gemeente_uit_settings(settings)
    werkgevers = facts.werkgevers.set_index("werkgever_id")
    werknemers = facts.werknemers.set_index("werknemer_id")
    # a withdrawn plaatsing keeps its werknemer: its intrekking names him
    werknemer_van = dict(zip(alle_plaatsingen["plaatsing_id"], alle_plaatsingen["werknemer_id"]))

    with Session(engine) as session:
        volgnummer = session.scalar(select(func.max(BeschikkingRow.volgnummer))
                                    .where(BeschikkingRow.jaar == datum.year)) or 0
    brieven_nieuw = []
    for groep in _groepen(besluiten):
        volgnummer += 1
        eerste = groep[0]
        w = werkgevers.loc[eerste.werkgever_id]
        regels = []
        for b in groep:
            wn = werknemers.loc[werknemer_van[b.plaatsing_id]]
            regels.append(_regel(b, str(wn["naam"]), str(wn["bsn"])))
        vaststelling = None
        if eerste.soort == "vaststelling":
            herziening = None
            if eerste.herziet is not None:
                herziening = doc.Herziening(
                    kenmerk=eerste.herziet.kenmerk, datum=eerste.herziet.datum,
                    vastgesteld_cent=sum(b.oud_vastgesteld_cent for b in groep))
            vaststelling = doc.Vaststelling(
                tijdvak_van=dt.date(eerste.jaar, 1, 1),
                tijdvak_tot=max(b.vaststelling_tot for b in groep),
                vastgesteld_cent=sum(b.vastgesteld_cent for b in groep),
                voorschotten_cent=sum(b.voorschotten_cent for b in groep),
                per_plaatsing=tuple(doc.VaststellingRegel(b.plaatsing_id, b.vastgesteld_cent,
                                                          b.voorschotten_cent, b.oud_vastgesteld_cent,
                                                          b.verloonde_uren, b.maanden_zonder_loonstrook)
                                    for b in groep),
                herziening=herziening)
        lw_data = [b.loonwaarde_vastgesteld_op for b in groep if b.loonwaarde_vastgesteld_op]
        intrekking = (doc.Intrekking(tuple(b.intrekking for b in groep)) if eerste.soort == "intrekking"
                      else None)
        beschikking = doc.Beschikking(
            soort=eerste.soort, kenmerk=_kenmerk(datum.year, volgnummer), datum=datum,
            gemeente=gemeente,
            werkgever=doc.Werkgever(naam=str(w["naam"]), straat=str(w["straat"]),
                                    huisnummer=str(w["huisnummer"]), postcode=str(w["postcode"]),
                                    plaats=str(w["plaats"])),
            regels=tuple(regels), loonwaarde_vastgesteld_op=min(lw_data) if lw_data else None,
            vaststelling=vaststelling, intrekking=intrekking,
            # the monthly loonstrook obligation of plaatsingen on verloonde uren (rekenregels §7)
            loonstrook_dag=(settings.betaalrun.loonstrook_dag
                            if eerste.soort in ("verlening", "wijziging") and any(r.verloond for r in regels)
                            else None))
        brieven_nieuw.append((beschikking, groep, volgnummer))

    # render: HTML for all, PDF for the selected (on ``workers`` processes, one pool)
    htmls = [doc.render_html(b) for b, _, _ in brieven_nieuw]
    kies = (lambda b: pdf) if isinstance(pdf, bool) else pdf
    met_pdf = [i for i, (b, _, _) in enumerate(brieven_nieuw) if kies(b)]
    pdfs: dict[int, bytes] = {}
    if met_pdf:
        if progress:
            progress(0, len(met_pdf))
        pdfs = dict(zip(met_pdf, doc.render_pdf_many([brieven_nieuw[i][0] for i in met_pdf],
                                                     workers=workers, progress=progress)))

    # record (short transaction; the unique kenmerk guards against a parallel batch) ...
    with Session(engine) as session, session.begin():
        for i, (b, groep, nummer) in enumerate(brieven_nieuw):
            row = BeschikkingRow(
                kenmerk=b.kenmerk, jaar=datum.year, volgnummer=nummer, soort=b.soort,
                werkgever_id=groep[0].werkgever_id, datum=datum,
                aanleiding="; ".join(x.aanleiding for x in groep),
                herziet_kenmerk=groep[0].herziet.kenmerk if groep[0].herziet else None,
                inputs_json=doc.inputs_json(b), inputs_sha256=doc.inputs_hash(b),
                html_sha256=doc.letter_hash(htmls[i]),
                pdf_sha256=doc.letter_hash(pdfs[i]) if i in pdfs else None,
                status="concept", termijn_overschreden=doc.termijn_overschreden(b), made_at=now)
            session.add(row)
            session.flush()
            for x in groep:
                s = x.staat
                session.add(BeschikkingPlaatsing(
                    beschikking_id=row.id, plaatsing_id=x.plaatsing_id, regeling=s.regeling,
                    tijdvak_van=x.tijdvak_van, tijdvak_tot=x.tijdvak_tot,
                    maandbedrag_cent=s.maandbedrag_cent, lks_basis_cent=s.lks_basis_cent,
                    wml_cent=s.wml_cent, wml_ingang=s.wml_ingang, loonwaarde=_dec(s.loonwaarde),
                    fractie=_dec(s.fractie, "0.0001"),
                    contracturen=_dec(s.contracturen), voltijdsuren=_dec(s.voltijdsuren),
                    reden_code=x.reden_code, vaststelling_jaar=x.jaar,
                    vastgesteld_cent=x.vastgesteld_cent, voorschotten_cent=x.voorschotten_cent,
                    urenbasis=s.urenbasis, uurbedrag_cent=_dec(s.uurbedrag, UURBEDRAG_QUANTUM)))

    crash_point("beschikkingen.na_vastleggen")
    # ... then the files, atomically; if this fails, the next batch restores them from the
    # stored inputs (herstel_bestanden)
    for i, (b, groep, _) in enumerate(brieven_nieuw):
        if i == len(brieven_nieuw) // 2:
            crash_point("beschikkingen.halve_bestanden")
        naam = bestandsnaam(b.kenmerk)
        html_pad = out / f"{naam}.html"
        _write(html_pad, htmls[i].encode("utf-8"))
        pdf_pad = None
        if i in pdfs:
            pdf_pad = out / f"{naam}.pdf"
            _write(pdf_pad, pdfs[i])
        resultaat.beschikkingen.append(GemaakteBeschikking(
            kenmerk=b.kenmerk, soort=b.soort, werkgever_id=groep[0].werkgever_id,
            plaatsingen=tuple(x.plaatsing_id for x in groep), html_pad=html_pad, pdf_pad=pdf_pad,
            termijn_overschreden=doc.termijn_overschreden(b),
            aanleiding="; ".join(x.aanleiding for x in groep), beschikking=b,
            herziet_kenmerk=groep[0].herziet.kenmerk if groep[0].herziet else None))


# --------------------------------------------------------------------------------------------
# Status, listing, regeneration


def markeer_verzonden(engine: Engine, kenmerk: str, now: dt.datetime, door: str = "systeem",
                      client_adres: str | None = None) -> BeschikkingRow:
    """concept → verzonden (once; a conditional UPDATE, so a second call is refused), with
    its audit record in the same transaction."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.scalar(select(BeschikkingRow).where(BeschikkingRow.kenmerk == kenmerk))
        if row is None:
            raise BeschikkingFout(f"geen beschikking met kenmerk {kenmerk}")
        result = session.execute(
            update(BeschikkingRow)
            .where(BeschikkingRow.id == row.id, BeschikkingRow.status == "concept")
            .values(status="verzonden", verzonden_op=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            session.rollback()
            session.refresh(row)
            raise BeschikkingFout(f"beschikking {kenmerk} is al verzonden op "
                                  f"{row.verzonden_op.astimezone(TZ):%d-%m-%Y %H:%M}")
        session.add(AuditLog(moment=now, gebruiker=door, actie="beschikking_verzonden", client_adres=client_adres,
                             details=json.dumps({"kenmerk": kenmerk, "werkgever_id": row.werkgever_id})))
        session.commit()
        session.refresh(row)
        return row


def lijst(engine: Engine, soort: str | None = None) -> list[BeschikkingRow]:
    with Session(engine, expire_on_commit=False) as session:
        query = select(BeschikkingRow).order_by(BeschikkingRow.id)
        if soort:
            query = query.where(BeschikkingRow.soort == soort)
        return list(session.scalars(query))


def aantallen_plaatsingen(engine: Engine) -> dict[int, int]:
    with Session(engine) as session:
        return dict(session.execute(
            select(BeschikkingPlaatsing.beschikking_id, func.count())
            .group_by(BeschikkingPlaatsing.beschikking_id)).all())


def herstel_bestanden(engine: Engine, out: Path) -> list[str]:
    """Write the files of concept letters that are recorded but missing in ``out`` (a batch
    that died, or a disk that filled up, between its commit and its files), re-derived from
    the stored inputs and checked against the stored hashes: byte for byte the letter that
    was recorded, never a new one. Returns their kenmerken."""
    with Session(engine) as session:
        rows = session.execute(
            select(BeschikkingRow.kenmerk, BeschikkingRow.html_sha256, BeschikkingRow.pdf_sha256)
            .where(BeschikkingRow.status == "concept").order_by(BeschikkingRow.id)).all()
    hersteld = []
    for kenmerk, html_hash, pdf_hash in rows:
        html_pad = out / f"{bestandsnaam(kenmerk)}.html"
        pdf_pad = out / f"{bestandsnaam(kenmerk)}.pdf"
        html_mist = not html_pad.exists()
        pdf_mist = pdf_hash is not None and not pdf_pad.exists()
        if not (html_mist or pdf_mist):
            continue
        _, html, data = regenereer(engine, kenmerk, pdf=pdf_mist)
        for mist, inhoud, verwacht, pad in ((html_mist, html.encode("utf-8"), html_hash, html_pad),
                                            (pdf_mist, data, pdf_hash, pdf_pad)):
            if not mist:
                continue
            if doc.letter_hash(inhoud) != verwacht:
                raise BeschikkingFout(f"beschikking {kenmerk}: de brief uit de vastgelegde gegevens "
                                      f"wijkt af van de vastgelegde brief ({pad.suffix[1:]}); niet hersteld")
            _write(pad, inhoud)
        hersteld.append(kenmerk)
    return hersteld


def regenereer(engine: Engine, kenmerk: str, pdf: bool = True) -> tuple[doc.Beschikking, str, bytes | None]:
    """Re-derive a letter from its stored inputs: (inputs, HTML, PDF). Compare with the
    stored hashes to prove the file on disk is the letter that was recorded."""
    with Session(engine) as session:
        text = session.scalar(select(BeschikkingRow.inputs_json).where(BeschikkingRow.kenmerk == kenmerk))
    if text is None:
        raise BeschikkingFout(f"geen beschikking met kenmerk {kenmerk}")
    b = doc.from_inputs_json(text)
    return b, doc.render_html(b), doc.render_pdf(b) if pdf else None


__all__ = ["BeschikkingFout", "GemaakteBeschikking", "Resultaat", "bestandsnaam",
           "gemeente_uit_settings", "herstel_bestanden", "lijst", "maak_beschikkingen",
           "markeer_verzonden", "regenereer"]
