"""The werkgeversportaal's operations: what a werkgever sees of what the gemeente decided and
paid, and what it delivers.

Strict tenancy: every function takes the werkgever from the authenticated identity
(``wie.werkgever_id``), never from the request, and filters every query on it. An id of another
werkgever (a plaatsing, a letter, a run's specificatie) is answered as not found
(``LookupError``), exactly like an id that does not exist, so the portal cannot even tell that
it exists. Staff roles have no portal action: the portal only acts as the werkgever.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


class NietGevonden(LookupError):
    """Tenancy: an id in a request that is not one of the werkgever's own (another
    werkgever's, or none at all). The web face answers 404, exactly as for an id that does
    not exist, and tells nothing about it."""


def _werkgever(o: Omgeving, wie: Identiteit) -> str:
    """The werkgever this portal user belongs to, checked against the database now."""
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    if not wie.werkgever_id:
        raise LookupError("geen werkgever")
    return wie.werkgever_id


# --------------------------------------------------------------------------- what it sees

@dataclass
class MijnPlaatsing:
    plaatsing_id: str
    werknemer: str
    bsn: str
    regeling: str
    startdatum: dt.date
    einddatum: dt.date | None
    contracturen: object
    voltijdsuren: object
    urenbasis: str
    loonwaarde: object | None
    loonwaarde_sinds: dt.date | None
    herbeoordeling: dt.date | None
    bedrag_maand: int | None
    maand: str | None


@dataclass
class Verwacht:
    """The loonstroken still expected for one werknemer: the late months as runs of
    consecutive months (van, tot), with the due day of the first; and the months not yet due,
    each with its day. Twenty late months read as one line, not twenty."""
    plaatsing_id: str
    werknemer: str
    te_laat: list[tuple[str, str]]   # (van, tot) JJJJ-MM, consecutive months
    aantal_te_laat: int
    eerste: str | None               # the oldest late month
    eerste_uiterlijk: dt.date | None
    nog_niet: list[dict]             # {periode, uiterlijk}: not yet late


@dataclass
class Overzicht:
    werkgever: dict
    plaatsingen: list[MijnPlaatsing]
    verwacht: list[dict] = field(default_factory=list)   # loonstroken still expected, by which day

    @property
    def verwacht_per_werknemer(self) -> list[Verwacht]:
        return verwacht_per_werknemer(self.verwacht)


def verwacht_per_werknemer(verwacht: list[dict]) -> list[Verwacht]:
    """``ontbrekende_loonstroken`` (one dict per plaatsing-month, sorted by plaatsing and month)
    per plaatsing, the late months folded into runs of consecutive months."""
    uit: list[Verwacht] = []
    for v in verwacht:
        if not uit or uit[-1].plaatsing_id != v["plaatsing_id"]:
            uit.append(Verwacht(v["plaatsing_id"], v["werknemer"], [], 0, None, None, []))
        g = uit[-1]
        if not v["te_laat"]:
            g.nog_niet.append({"periode": v["periode"], "uiterlijk": v["uiterlijk"]})
            continue
        if g.eerste is None:
            g.eerste, g.eerste_uiterlijk = v["periode"], v["uiterlijk"]
        g.aantal_te_laat += 1
        vorige = str(pd.Period(v["periode"], freq="M") - 1)
        if g.te_laat and g.te_laat[-1][1] == vorige:
            g.te_laat[-1] = (g.te_laat[-1][0], v["periode"])
        else:
            g.te_laat.append((v["periode"], v["periode"]))
    return uit


def overzicht(o: Omgeving, wie: Identiteit, vandaag: dt.date) -> Overzicht:
    """The werkgever's plaatsingen with the amount of this month (or the last month known),
    its current loonwaarde and next herbeoordeling; and what is still expected from it."""
    from dateutil.relativedelta import relativedelta

    from lks.calc import calculate
    from lks.calc.core import CalcFout
    from lks.facts import load_facts
    from lks.identifiers import mask_bsn
    from lks.parameters import ParameterOntbreekt
    werkgever_id = _werkgever(o, wie)
    facts = load_facts(o.engine)
    werkgever = facts.werkgevers[facts.werkgevers["werkgever_id"] == werkgever_id]
    if werkgever.empty:
        raise LookupError(werkgever_id)
    plaatsingen = facts.plaatsingen[facts.plaatsingen["werkgever_id"] == werkgever_id]
    eigen = set(plaatsingen["plaatsing_id"])
    invoer = facts.to_calc_input()
    invoer = type(invoer)(**{naam: (frame[frame["plaatsing_id"].isin(eigen)] if "plaatsing_id" in frame else frame)
                             for naam, frame in vars(invoer).items()})
    maand = vandaag.replace(day=1)
    geldig = o.params["wml_maandloon"].valid_until
    if geldig is not None and maand > geldig:
        maand = geldig.replace(day=1)
    bedragen: dict[str, int] = {}
    if eigen:
        try:
            result = calculate(invoer, f"{maand:%Y-%m}", f"{maand:%Y-%m}", o.params, o.settings.policy())
            bedragen = {m.plaatsing_id: int(m.lks_totaal) for m in result.plaatsing_maanden.itertuples()}
        except (CalcFout, ParameterOntbreekt):
            bedragen = {}
    werknemers = facts.werknemers.set_index("werknemer_id")
    lw = facts.loonwaarden.sort_values(["plaatsing_id", "ingangsdatum"])
    herbeoordeling = o.settings.scheduler.herbeoordeling_maanden
    rijen = []
    for p in plaatsingen.sort_values("startdatum").itertuples():
        eigen_lw = lw[(lw["plaatsing_id"] == p.plaatsing_id) & (lw["ingangsdatum"] <= pd.Timestamp(vandaag))]
        laatste = eigen_lw.iloc[-1] if len(eigen_lw) else None
        w = werknemers.loc[p.werknemer_id] if p.werknemer_id in werknemers.index else None
        rijen.append(MijnPlaatsing(
            plaatsing_id=p.plaatsing_id, werknemer=w["naam"] if w is not None else "",
            bsn=mask_bsn(w["bsn"]) if w is not None else "", regeling=p.regeling,
            startdatum=p.startdatum.date(), einddatum=None if pd.isna(p.einddatum) else p.einddatum.date(),
            contracturen=p.contracturen, voltijdsuren=p.voltijdsuren,
            urenbasis=getattr(p, "urenbasis", "contract") or "contract",
            loonwaarde=laatste["loonwaarde"] if laatste is not None else None,
            loonwaarde_sinds=laatste["ingangsdatum"].date() if laatste is not None else None,
            herbeoordeling=(laatste["ingangsdatum"].date() + relativedelta(months=herbeoordeling))
            if laatste is not None and p.regeling == "lks" else None,
            bedrag_maand=bedragen.get(p.plaatsing_id), maand=f"{maand:%Y-%m}"))
    from lks.app.werklijst import ontbrekende_loonstroken
    return Overzicht(werkgever=werkgever.iloc[0].to_dict(), plaatsingen=rijen,
                     verwacht=ontbrekende_loonstroken(o, wie, vandaag))


def plaatsing(o: Omgeving, wie: Identiteit, plaatsing_id: str, vandaag: dt.date):
    """One of the werkgever's own plaatsingen with its months and amounts; another
    werkgever's is not found."""
    from lks.app.inzage import plaatsing_detail
    from lks.db.models import Plaatsing
    from lks.facts import current_versions
    werkgever_id = _werkgever(o, wie)
    with Session(o.engine) as s:
        huidig = current_versions(Plaatsing).subquery()
        eigen = s.scalar(select(func.count()).select_from(huidig)
                         .where(huidig.c.plaatsing_id == plaatsing_id, huidig.c.werkgever_id == werkgever_id))
    if not eigen:
        raise NietGevonden(plaatsing_id)
    detail = plaatsing_detail(o, plaatsing_id, vandaag)
    if detail.rekenfout:  # the staff page's words (a command, an exception) said plainly
        detail.melding = ("Wij kunnen de subsidie nu niet berekenen. Neem contact op met de gemeente als dit "
                          "zo blijft.")
    elif detail.onberekend_na is not None:
        from lks.nl import datum as nl_datum
        detail.melding = (f"De maanden na {nl_datum(detail.onberekend_na)} kunnen wij nog niet berekenen. Het "
                          "minimumloon voor die maanden is nog niet bekend.")
    return detail


@dataclass(frozen=True)
class MijnBrief:
    kenmerk: str
    soort: str
    datum: dt.date
    status: str
    verzonden_op: dt.datetime | None
    bezwaar_tot: dt.date
    bestandsnaam: str


def beschikkingen(o: Omgeving, wie: Identiteit) -> list[MijnBrief]:
    """The werkgever's letters, newest first, with the last day for bezwaar each states."""
    from lks.db.models_beschikking import Beschikking
    from lks.documents.beschikking import bezwaar_einddatum
    werkgever_id = _werkgever(o, wie)
    with Session(o.engine) as s:
        rijen = s.scalars(select(Beschikking).where(Beschikking.werkgever_id == werkgever_id)
                          .order_by(Beschikking.id.desc())).all()
        return [MijnBrief(b.kenmerk, b.soort, b.datum, b.status, b.verzonden_op, bezwaar_einddatum(b.datum),
                          b.kenmerk.replace("/", "-")) for b in rijen]


def brief(o: Omgeving, wie: Identiteit, kenmerk: str, soort: str) -> bytes:
    from lks.app.beschikkingen import brief as lees
    _werkgever(o, wie)
    return lees(o, wie, kenmerk, soort)   # bound to wie.werkgever_id there too


@dataclass
class Betalingen:
    betalingen: list[dict]
    vorderingen: list[dict]


def betalingen(o: Omgeving, wie: Identiteit) -> Betalingen:
    """Per approved betaalrun what was paid to the werkgever: amount, execution date, the
    reference on the bank statement (EndToEndId and the remittance text), set off amounts;
    and its open vorderingen with how they are being set off."""
    from lks.betaalrun.lifecycle import vorderingen_met_saldo
    from lks.db.models import Werkgever
    from lks.db.models_betaalrun import BETAALD, Aflossing, Betaalrun, Betaling, Vordering
    from lks.betaalrun.bestand import omschrijving
    from lks.facts import current_versions
    werkgever_id = _werkgever(o, wie)
    with Session(o.engine) as s:
        huidig = current_versions(Werkgever).subquery()
        naam = s.scalar(select(huidig.c.naam).where(huidig.c.werkgever_id == werkgever_id)) or ""
        rijen = s.execute(select(Betaalrun, Betaling).join(Betaling, Betaling.betaalrun_id == Betaalrun.id)
                          .where(Betaling.werkgever_id == werkgever_id, Betaalrun.status.in_(BETAALD))
                          .order_by(Betaalrun.periode.desc(), Betaling.budget)).all()
        uit = []
        for run, b in rijen:
            uit.append(dict(kenmerk=run.kenmerk, periode=run.periode, volgnummer=run.volgnummer,
                            uitvoerdatum=run.uitvoerdatum, budget=b.budget, bruto=b.bruto, verrekend=b.verrekend,
                            bedrag=b.bedrag, end_to_end_id=b.end_to_end_id,
                            omschrijving=omschrijving(run.periode, run.kenmerk, b.budget, werkgever_id, naam)
                            if b.bedrag > 0 else "",
                            status=run.status))
        saldo = vorderingen_met_saldo(s)
        saldo = saldo[saldo["werkgever_id"] == werkgever_id]
        afgelost = {}
        for a, run in s.execute(select(Aflossing, Betaalrun).join(Betaalrun, Betaalrun.id == Aflossing.betaalrun_id)
                                .join(Vordering, Vordering.id == Aflossing.vordering_id)
                                .where(Vordering.werkgever_id == werkgever_id, Betaalrun.status.in_(BETAALD))):
            afgelost.setdefault(a.vordering_id, []).append(dict(kenmerk=run.kenmerk, bedrag=a.bedrag))
        periodes = dict(s.execute(select(Vordering.id, Vordering.periode)
                                  .where(Vordering.werkgever_id == werkgever_id)).all())
        vorderingen = [dict(id=int(v.vordering_id), budget=v.budget, bedrag=int(v.bedrag), open=int(v.open),
                            periode=periodes.get(int(v.vordering_id)), afgelost=afgelost.get(int(v.vordering_id), []))
                       for v in saldo.itertuples()]
    return Betalingen(uit, vorderingen)


def specificatie(o: Omgeving, wie: Identiteit, periode: str, volgnummer: int, soort: str) -> tuple[bytes, str]:
    """The betaalspecificatie of the werkgever for one approved run (``html``, ``csv`` or
    ``pdf``), made from the run's data for the werkgever of the identity (never one named by
    the request): byte for byte the file the run's export writes. Not found when the run did
    not pay this werkgever or is not approved."""
    from lks.betaalrun import lifecycle as lc
    from lks.betaalrun.bestand import BestandFout
    from lks.betaalrun.bestand import specificatie as maak
    werkgever_id = _werkgever(o, wie)
    if soort not in ("html", "csv", "pdf"):
        raise LookupError(soort)
    try:
        uit = maak(o.engine, o.settings, lc.parse_periode(periode), volgnummer, werkgever_id, soort)
    except (lc.BetaalrunFout, BestandFout):
        raise LookupError(periode) from None
    if uit is None:
        raise LookupError(periode)
    return uit


# --------------------------------------------------------------------------- what it delivers

@dataclass
class UrenLevering:
    """What happened to a delivery of verloonde uren: months that count now (within the
    month's maximum), and months above it that wait for a medewerker (a melding)."""
    import_id: int | None
    geteld: list[tuple[str, str, str]]        # plaatsing_id, periode, uren
    ter_beoordeling: list[tuple[str, str, str, str]]  # plaatsing_id, periode, uren, maximum
    namen: dict[str, str] = field(default_factory=dict)  # plaatsing_id → werknemer (for the messages)


class UrenFout(ValueError):
    """A delivery of hours refused as a whole: every problem with file, line and reason."""

    def __init__(self, fouten: list[str]):
        self.fouten = fouten
        super().__init__("; ".join(fouten))


BESTAND = "verloonde_uren.csv"


def lever_uren(o: Omgeving, wie: Identiteit, regels: list[dict], now: dt.datetime, *,
               bestand: str = BESTAND) -> UrenLevering:
    """Verloonde uren from the portal (a form per month, or a CSV upload in the format of
    interfaces §2; ``regels``: dicts with ``regel`` (line number), ``plaatsing_id``,
    ``periode``, ``uren`` as text). The same checks as ``lks import`` (all or nothing), and
    only plaatsingen of the werkgever itself. Hours within the month's maximum
    (voltijdsuren × 13/3 × active days / days of the month, rekenregels §7) count on arrival
    — the point of the portal; more than that waits for a medewerker, who sees it on the
    werklijst. A correction of a month already delivered is a new version."""
    import shutil
    import tempfile
    from decimal import Decimal, InvalidOperation
    from fractions import Fraction
    from pathlib import Path

    from lks.app import meldingen
    from lks.facts import load_facts
    from lks.importer import ImportFouten, import_directory
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    werkgever_id = wie.werkgever_id
    facts = load_facts(o.engine)
    eigen = set(facts.plaatsingen.loc[facts.plaatsingen["werkgever_id"] == werkgever_id, "plaatsing_id"])
    if any(r["plaatsing_id"] not in eigen for r in regels):
        # another werkgever's plaatsing, or none: not found, nothing stored, nothing said of it
        raise NietGevonden("plaatsing")
    if not regels:
        raise UrenFout([f"{bestand}: geen uren ingevuld"])
    map_ = Path(tempfile.mkdtemp(prefix="lks-uren-"))
    try:
        _schrijf_uren(map_ / BESTAND, regels)
        try:  # every check of the import, on this werkgever's rows only, nothing written
            import_directory(o.engine, map_, recorded_at=now, params=o.params, alleen_controleren=True)
        except ImportFouten as exc:
            raise UrenFout([_uitleg(str(f).replace(BESTAND, bestand, 1)) for f in exc.fouten]) from None
        maxima = _maxima(o, facts, {(r["plaatsing_id"], r["periode"]) for r in regels})
        binnen, boven = [], []
        for r in regels:
            uren = Decimal(r["uren"].strip())
            maximum = maxima.get((r["plaatsing_id"], r["periode"]))
            (binnen if maximum is not None and Fraction(uren) <= maximum else boven).append((r, uren, maximum))
        import_id = None
        if binnen:
            _schrijf_uren(map_ / BESTAND, [r for r, _, _ in binnen])
            import_id = import_directory(o.engine, map_, recorded_at=now, params=o.params, door=wie.naam,
                                         client_adres=wie.client_adres).import_id
        # this delivery supersedes every pending report of the same months: an old melding
        # accepted later would otherwise store its hours as a newer version than these
        meldingen.vervang_uren(o, wie, {(r["plaatsing_id"], r["periode"]) for r in regels}, now)
        for r, uren, maximum in boven:
            meldingen.meld(o, wie, "verloonde_uren", {
                "periode": r["periode"], "uren": str(uren),
                "maximum": _uren_tekst(maximum)}, now, plaatsing_id=r["plaatsing_id"])
        return UrenLevering(import_id, [(r["plaatsing_id"], r["periode"], str(u)) for r, u, _ in binnen],
                            [(r["plaatsing_id"], r["periode"], str(u), _uren_tekst(m)) for r, u, m in boven],
                            _namen(facts, eigen))
    except (InvalidOperation, ValueError) as exc:
        if isinstance(exc, UrenFout):
            raise
        raise UrenFout([f"{bestand}: {exc}"]) from None
    finally:
        shutil.rmtree(map_, ignore_errors=True)


def _uitleg(fout: str) -> str:
    """An import message with the words a werkgever may not know explained."""
    if "urenbasis contract" in fout:
        return (fout + " (voor deze werknemer betaalt de gemeente op de vaste uren uit het contract; "
                "u hoeft voor hem of haar geen uren door te geven)")
    return fout


def _namen(facts, plaatsingen) -> dict[str, str]:
    """plaatsing_id → the werknemer's name, for the werkgever's own plaatsingen only."""
    namen = facts.werknemers.set_index("werknemer_id")["naam"]
    p = facts.plaatsingen[facts.plaatsingen["plaatsing_id"].isin(set(plaatsingen))]
    return {r.plaatsing_id: str(namen.get(r.werknemer_id, "")) for r in p.itertuples()}


UREN_VORM = r"\d{1,4}([.,]\d{1,2})?"


def lever_uren_formulier(o: Omgeving, wie: Identiteit, periode: str, velden: dict[str, str],
                         now: dt.datetime) -> UrenLevering:
    """The hours form of one month (``velden``: plaatsing_id → the text typed in). Every
    message names the werknemer and the month, in plain words ("Bij Olga Oproep (maart
    2025): vul een getal in, zoals 38 of 37,5."), never a line or column: the form has none.
    A comma is a decimal separator, as people write it."""
    import re

    from lks.facts import load_facts
    from lks.nl import maand
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    facts = load_facts(o.engine)
    eigen = set(facts.plaatsingen.loc[facts.plaatsingen["werkgever_id"] == wie.werkgever_id, "plaatsing_id"])
    if any(pid not in eigen for pid in velden):
        raise NietGevonden("plaatsing")
    namen = _namen(facts, eigen)
    bij = lambda pid: f"Bij {namen.get(pid, '')} ({maand(periode)})"  # noqa: E731
    fouten = [f"{bij(pid)}: vul een getal in, zoals 38 of 37,5."
              for pid, tekst in sorted(velden.items()) if not re.fullmatch(UREN_VORM, tekst.strip())]
    if fouten:
        raise UrenFout(fouten)
    regels = [{"regel": i + 2, "plaatsing_id": pid, "periode": periode, "uren": tekst.strip().replace(",", ".")}
              for i, (pid, tekst) in enumerate(sorted(velden.items()))]
    per_regel = {r["regel"]: r["plaatsing_id"] for r in regels}
    try:
        return lever_uren(o, wie, regels, now, bestand="formulier")
    except UrenFout as fout:
        def gewoon(tekst: str) -> str:
            m = re.match(r"formulier, regel (\d+)(?:, kolom \w+)?: (.*)", tekst)
            if m and int(m.group(1)) in per_regel:
                return f"{bij(per_regel[int(m.group(1))])}: {m.group(2)}"
            return tekst.replace("formulier: ", "")
        raise UrenFout([gewoon(f) for f in fout.fouten]) from None


def lees_uren_csv(data: bytes, bestand: str) -> list[dict]:
    """An uploaded verloonde_uren.csv as rows with their line numbers (header: plaatsing_id,
    periode, uren — interfaces §2). A broken file is one UrenFout naming it."""
    import csv
    import io
    try:
        tekst = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UrenFout([f"{bestand}: het bestand is geen geldige UTF-8; sla het op als UTF-8 (CSV)"]) from None
    lezer = csv.reader(io.StringIO(tekst, newline=""))
    try:
        kop = [k.strip() for k in next(lezer)]
    except (StopIteration, csv.Error):
        raise UrenFout([f"{bestand}: leeg bestand: de kopregel ontbreekt"]) from None
    if kop != ["plaatsing_id", "periode", "uren"]:
        raise UrenFout([f"{bestand}, regel 1: de kopregel moet 'plaatsing_id,periode,uren' zijn"])
    regels = []
    try:
        for velden in lezer:
            if not velden:
                continue
            if len(velden) != 3:
                raise UrenFout([f"{bestand}, regel {lezer.line_num}: verwacht 3 velden, gevonden {len(velden)}"])
            regels.append({"regel": lezer.line_num, "plaatsing_id": velden[0].strip(), "periode": velden[1].strip(),
                           "uren": velden[2].strip()})
    except csv.Error:
        raise UrenFout([f"{bestand}, regel {lezer.line_num}: ongeldige CSV-opbouw"]) from None
    return regels


def _schrijf_uren(pad, regels: list[dict]) -> None:
    import csv
    with open(pad, "w", newline="", encoding="utf-8") as f:
        schrijver = csv.writer(f, lineterminator="\n")
        schrijver.writerow(["plaatsing_id", "periode", "uren"])
        regel = 1
        for r in sorted(regels, key=lambda r: r.get("regel", 0)):
            # keep the uploaded line numbers, so the import's messages name the user's lines
            while regel + 1 < r.get("regel", regel + 1):
                schrijver.writerow([])
                regel += 1
            schrijver.writerow([r["plaatsing_id"], r["periode"], r["uren"]])
            regel += 1


def _maxima(o: Omgeving, facts, sleutels: set[tuple[str, str]]) -> dict:
    """The month's maximum of verloonde uren per (plaatsing, periode) as the calculation
    applies it (rekenregels §7: Σ voltijdsuren × 13/3 × dagen / dagen_maand over the month's
    segments), exact; a month the calculation cannot make (parameter not yet known) has
    none: its hours wait for a medewerker."""
    from fractions import Fraction

    from lks.calc import calculate
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterOntbreekt
    uit = {}
    invoer = facts.to_calc_input()
    for periode in sorted({p for _, p in sleutels}):
        ids = {pid for pid, p in sleutels if p == periode}
        deel = type(invoer)(**{naam: (frame[frame["plaatsing_id"].isin(ids)] if "plaatsing_id" in frame else frame)
                               for naam, frame in vars(invoer).items()})
        try:
            seg = calculate(deel, periode, periode, o.params, o.settings.policy(), explain=True).segments
        except (CalcFout, ParameterOntbreekt):
            continue
        for pid, groep in seg.groupby("plaatsing_id"):
            maximum = sum((Fraction(int(n), int(d)) for n, d in zip(groep["maximum_num"], groep["maximum_den"])),
                          Fraction(0))
            uit[(pid, periode)] = maximum if maximum else None
    return uit


def _uren_tekst(maximum) -> str:
    """An exact number of hours for a person: rounded down to hundredths (display only)."""
    if maximum is None:
        return "onbekend"
    honderdsten = maximum.numerator * 100 // maximum.denominator
    return f"{honderdsten // 100}.{honderdsten % 100:02d}"


def uren_formulier(o: Omgeving, wie: Identiteit, periode: str) -> list[dict]:
    """The werkgever's plaatsingen on verloonde uren active in ``periode``, with the hours
    delivered so far for it (empty when none): the form of one month."""
    from lks.facts import load_facts
    from lks.nl import is_maand
    werkgever_id = _werkgever(o, wie)
    if not is_maand(periode):
        raise LookupError(periode)
    facts = load_facts(o.engine)
    p = facts.plaatsingen
    p = p[(p["werkgever_id"] == werkgever_id) & (p["urenbasis"] == "verloond")]
    begin, einde = pd.Timestamp(f"{periode}-01"), pd.Timestamp(f"{periode}-01") + pd.offsets.MonthEnd(0)
    p = p[(p["startdatum"] <= einde) & (p["einddatum"].isna() | (p["einddatum"] >= begin))]
    namen = facts.werknemers.set_index("werknemer_id")["naam"]
    geleverd = {(r.plaatsing_id, r.periode): r.uren for r in facts.verloonde_uren.itertuples()}
    return [dict(plaatsing_id=r.plaatsing_id, werknemer=namen.get(r.werknemer_id, ""),
                 uren=geleverd.get((r.plaatsing_id, periode))) for r in p.sort_values("plaatsing_id").itertuples()]
