"""Controller reconciliation (rekenregels §6): from the database to report data.

Reads the betaalruns, the facts and the controller inputs, and returns a ``Rapport``: frames
per budget, regeling, werkgever and month, the identity checks with every exception, the
SiSa totals with the lines that make them up, budget and forecast, the Het Hogeland capacity
check, the ledger check and the bank matching. No files are written here
(``lks.verantwoording_uitvoer`` renders terminal, Excel and HTML).

Definitions (all amounts integer cents):

- *lasten* are accrual: a payment line belongs to the month of its loonperiode, never to
  the month it was paid in (December paid in January counts for December);
- *berekend*: the core with current knowledge; *goedgekeurd*: Σ lines of approved runs
  (goedgekeurd, bestand_aangemaakt, verzonden); *betaald*: Σ lines of runs marked sent;
  *open correctie* = berekend − goedgekeurd, what the next run will pay (or take back);
- cash items (SEPA, verrekend, new vorderingen) belong to the run's periode; ontvangsten
  to their date;
- SiSa: per run × werkgever × budget, the lines of a balance that was paid (≥ 0) are
  *besteding*; the lines of a negative balance became a vordering and count as *baten*
  (sign reversed). Besteding − baten is then exactly the net lasten, and over all years
  Σ baten = Σ vorderingen opgelegd. Ontvangsten without a vordering are extra baten.
- *urenbasis* (rekenregels §7): the same lasten split by what the amounts rest on, the weekly
  contracturen or the verloonde uren of the loonstrook (the plaatsing's urenbasis as known
  now; a withdrawn plaatsing as it was last known);
- *loonstroken die ontbreken*: at the reporting date (the Dutch day of ``now``), the months
  of the year whose verloonde uren have not arrived (``lks.loonstroken``, the rule the
  werklijst signals): paid 0 so far, an open obligation. Its amount is unknown until the
  hours come; the report gives the most it can be — the month at the cap of §7 (voltijdsuren
  × 13/3, scaled by the active days), calculated by the core — never a guess in between.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from lks.betaalrun.delta import payment_lines
from lks.calc import calculate
from lks.calc.model import RESULT_COLUMNS
from lks.calc.rules import BUDGET_VAN_REGELING as _BUDGET_INDEX
from lks.calc.rules import BUDGETS
from lks.db.models import REGELINGEN
from lks.db.models_betaalrun import BETAALD, Aflossing, Betaalregel, Betaalrun, Betaling, Vordering
from lks.db.models_verantwoording import (Bankafschrift, Bankmutatie, Boeking, BoekingImport, BudgetJaar,
                                          CapaciteitJaar, Ontvangst)
from lks.calc.model import CalcInput
from lks.facts import load_facts, plaatsingen_met_ingetrokken
from lks.loonstroken import ontbrekende_loonstroken
from lks.parameters import Parameter, ParameterOntbreekt, Parameters
from lks.settings import Settings

BUDGET_VAN_REGELING = {r: BUDGETS[i] for r, i in zip(REGELINGEN, _BUDGET_INDEX)}
BUDGET_LABEL = {"buig": "BUIG", "reintegratie": "re-integratiebudget"}
REGELING_LABEL = {"lks": "LKS art. 10d", "beschut": "beschut werk", "ontwikkelbaan": "ontwikkelbaan"}
URENBASIS_LABEL = {"contract": "contracturen", "verloond": "verloonde uren"}
TIJDZONE = "Europe/Amsterdam"  # the reporting date is the gemeente's day
PAIN_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
MAX_UITZONDERINGEN = 200


def euro_tekst(cents: int) -> str:
    from lks.nl import euro
    return euro(int(cents))


@dataclass
class Controle:
    """One identity or check: what it checks, how many items, every exception in Dutch."""
    code: str
    titel: str
    uitleg: str
    gecontroleerd: int = 0
    uitzonderingen: list[str] = field(default_factory=list)
    niet_van_toepassing: bool = False

    @property
    def ok(self) -> bool:
        return not self.uitzonderingen

    def fout(self, tekst: str) -> None:
        if len(self.uitzonderingen) == MAX_UITZONDERINGEN:
            self.uitzonderingen.append("… meer uitzonderingen weggelaten")
        elif len(self.uitzonderingen) < MAX_UITZONDERINGEN:
            self.uitzonderingen.append(tekst)


@dataclass
class Rapport:
    jaar: int
    periode: str | None
    """Last month counted as realised (None: nothing realised in this year yet)."""
    gemeente: str
    gemaakt_op: dt.datetime
    laatste_run: str | None
    maanden: pd.DataFrame
    per_regeling: pd.DataFrame
    per_werkgever: pd.DataFrame
    runs: pd.DataFrame
    open_correcties: pd.DataFrame
    controles: list[Controle]
    sisa: pd.DataFrame
    sisa_regels: pd.DataFrame
    budget: pd.DataFrame
    prognose: pd.DataFrame
    prognose_meldingen: list[str]
    capaciteit: pd.DataFrame
    capaciteit_norm: dict
    grootboek: pd.DataFrame
    grootboek_totalen: pd.DataFrame
    grootboek_bron: str | None
    bank: pd.DataFrame
    bank_bron: list[str]
    per_urenbasis: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per budget and urenbasis (contract, verloond): plaatsingen, berekend, goedgekeurd,
    betaald and open of the realised months of the year."""
    loonstroken: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Months of the year waiting for their loonstrook at ``peildatum`` (one row per
    plaatsing-month, ``LOONSTROOK_KOLOMMEN``); ``maximum`` None when it cannot be calculated."""
    peildatum: dt.date | None = None

    @property
    def identiteiten_kloppen(self) -> bool:
        return all(c.ok for c in self.controles if c.code.startswith("I"))

    def controle(self, code: str) -> Controle:
        return next(c for c in self.controles if c.code == code)


def _frame(session: Session, query, columns) -> pd.DataFrame:
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def _months(first: str, last: str) -> list[str]:
    if last < first:
        return []
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _som(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].sum()) if len(frame) else 0


def _lifted(params: Parameters) -> tuple[Parameters, dict[str, dt.date]]:
    """Parameters whose last known value holds beyond its validity — for the forecast only."""
    lifted = Parameters()
    lifted.lokaal, lifted.lokale_bestanden = params.lokaal, params.lokale_bestanden
    limits = {}
    for name, p in params.items():
        if isinstance(p, Parameter) and p.valid_until is not None:
            limits[name] = p.valid_until
            p = dataclasses.replace(p, valid_until=None)
        lifted[name] = p
    return lifted, limits


def _parse_pain(path: Path) -> dict:
    root = ET.parse(path).getroot()
    hdr = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", PAIN_NS)
    ctrl = hdr.findtext("p:CtrlSum", namespaces=PAIN_NS)
    tx = {}
    for t in root.iterfind(".//p:CdtTrfTxInf", PAIN_NS):
        e2e = t.findtext("p:PmtId/p:EndToEndId", namespaces=PAIN_NS)
        amt = Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=PAIN_NS))
        tx[e2e] = int(amt * 100)
    return {"ctrl_sum": int(Decimal(ctrl) * 100) if ctrl else None,
            "nb": int(hdr.findtext("p:NbOfTxs", namespaces=PAIN_NS) or 0), "tx": tx}


def maak_rapport(engine: Engine, jaar: int, params: Parameters, settings: Settings,
                 periode: str | None = None, bestanden: Path | None = None,
                 now: dt.datetime | None = None) -> Rapport:
    """All views and checks for ``jaar`` (realised up to ``periode``, default: December or
    the last approved run). ``bestanden``: the folder holding ``betaalrun-KENMERK/`` with
    the SEPA files, to check their control sums."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with Session(engine) as s:
        runs = _frame(s, select(Betaalrun.id, Betaalrun.periode, Betaalrun.volgnummer, Betaalrun.status,
                                Betaalrun.uitvoerdatum, Betaalrun.bestand_naam, Betaalrun.bestand_sha256)
                      .order_by(Betaalrun.id),
                      ["run_id", "run_periode", "volgnummer", "status", "uitvoerdatum", "bestand_naam", "sha256"])
        runs["kenmerk"] = runs["run_periode"] + "-" + runs["volgnummer"].astype(str)
        regels = _frame(s, select(Betaalregel.betaalrun_id, Betaalregel.plaatsing_id, Betaalregel.werkgever_id,
                                  Betaalregel.regeling, Betaalregel.budget, Betaalregel.periode, Betaalregel.soort,
                                  Betaalregel.bedrag, Betaalregel.berekend_totaal),
                        ["run_id", "plaatsing_id", "werkgever_id", "regeling", "budget", "periode", "soort",
                         "bedrag", "berekend_totaal"])
        betalingen = _frame(s, select(Betaling.betaalrun_id, Betaling.werkgever_id, Betaling.budget, Betaling.bruto,
                                      Betaling.verrekend, Betaling.bedrag, Betaling.end_to_end_id),
                            ["run_id", "werkgever_id", "budget", "bruto", "verrekend", "bedrag", "end_to_end_id"])
        vorderingen = _frame(s, select(Vordering.id, Vordering.betaalrun_id, Vordering.werkgever_id, Vordering.budget,
                                       Vordering.bedrag),
                             ["vordering_id", "run_id", "werkgever_id", "budget", "bedrag"])
        aflossingen = _frame(s, select(Aflossing.vordering_id, Aflossing.betaalrun_id, Aflossing.bedrag),
                             ["vordering_id", "run_id", "bedrag"])
        ontvangsten = _frame(s, select(Ontvangst.id, Ontvangst.werkgever_id, Ontvangst.budget, Ontvangst.bedrag_cent,
                                       Ontvangst.datum, Ontvangst.vordering_id, Ontvangst.kenmerk),
                             ["ontvangst_id", "werkgever_id", "budget", "bedrag", "datum", "vordering_id", "kenmerk"])
        budgets = {b: int(c) for b, c in s.execute(select(BudgetJaar.budget, BudgetJaar.bedrag_cent)
                                                   .where(BudgetJaar.jaar == jaar))}
        budget_bron = {b: bron for b, bron in s.execute(select(BudgetJaar.budget, BudgetJaar.bron)
                                                        .where(BudgetJaar.jaar == jaar))}
        norm = {k: int(v) for k, v in s.execute(select(CapaciteitJaar.soort, CapaciteitJaar.aantal)
                                                .where(CapaciteitJaar.jaar == jaar))}
        latest_import = s.scalars(select(BoekingImport).order_by(BoekingImport.id.desc())).first()
        boekingen = _frame(s, select(Boeking.regel, Boeking.boekdatum, Boeking.grootboekrekening, Boeking.budget,
                                     Boeking.bedrag_cent, Boeking.kenmerk)
                           .where(Boeking.import_id == (latest_import.id if latest_import else -1))
                           .order_by(Boeking.regel),
                           ["regel", "boekdatum", "grootboekrekening", "budget", "bedrag", "kenmerk"])
        grootboek_bron = (f"{latest_import.bestand} (import {latest_import.id}, {latest_import.regels} regels)"
                          if latest_import else None)
        mutaties = _frame(s, select(Bankmutatie.bankafschrift_id, Bankmutatie.regel, Bankmutatie.end_to_end_id,
                                    Bankmutatie.bedrag_cent, Bankmutatie.richting, Bankmutatie.datum,
                                    Bankmutatie.status, Bankmutatie.reden, Bankmutatie.tegenpartij),
                          ["afschrift", "regel", "end_to_end_id", "bedrag", "richting", "datum", "status", "reden",
                           "tegenpartij"])
        bank_bron = [f"{b} (afschrift {i})" for i, b in s.execute(select(Bankafschrift.id, Bankafschrift.bestand)
                                                                  .order_by(Bankafschrift.id))]
    facts = load_facts(engine)
    namen = dict(zip(facts.werkgevers["werkgever_id"], facts.werkgevers["naam"]))

    approved_ids = set(runs.loc[runs["status"].isin(BETAALD), "run_id"])
    sent_ids = set(runs.loc[runs["status"] == "verzonden", "run_id"])
    regels = regels.merge(runs[["run_id", "run_periode", "kenmerk", "status"]], on="run_id", how="left")
    goedg = regels[regels["run_id"].isin(approved_ids)].copy()
    betalingen = betalingen.merge(runs[["run_id", "run_periode", "kenmerk", "status", "uitvoerdatum"]],
                                  on="run_id", how="left")
    bet_ok = betalingen[betalingen["run_id"].isin(approved_ids)].copy()
    vord_ok = vorderingen[vorderingen["run_id"].isin(approved_ids)].merge(
        runs[["run_id", "run_periode", "kenmerk"]], on="run_id", how="left")
    afl_ok = aflossingen[aflossingen["run_id"].isin(approved_ids)].merge(
        runs[["run_id", "run_periode"]], on="run_id", how="left")

    laatste_run = max(runs.loc[runs["run_id"].isin(approved_ids), "run_periode"], default=None)
    jaar_van, jaar_tot = f"{jaar}-01", f"{jaar}-12"
    cutoff = min(periode or jaar_tot, laatste_run or "0000-00")
    if cutoff < jaar_van:
        cutoff = None
    jaarmaanden = _months(jaar_van, jaar_tot)
    gerealiseerd = set(_months(jaar_van, cutoff)) if cutoff else set()

    controles: list[Controle] = []

    # ---- calculation with current knowledge, over the window the next run would recalculate
    calc_in = facts.to_calc_input()
    berekend = pd.DataFrame(columns=["plaatsing_id", "werkgever_id", "regeling", "budget", "periode", "lks_totaal"])
    venster_van = None
    if laatste_run:
        venster_van = str(pd.Period(laatste_run, freq="M") - (settings.betaalrun.retro_jaren * 12 - 1))
        if settings.betaalrun.eerste_periode and settings.betaalrun.eerste_periode > venster_van:
            venster_van = settings.betaalrun.eerste_periode
        try:
            calc_full = _bereken(calc_in, venster_van, laatste_run, params, settings.policy())
            berekend = calc_full
        except ParameterOntbreekt as exc:
            c = Controle("I0", "Berekening met de kennis van nu", "")
            c.fout(str(exc))
            controles.append(c)
    for column in ("plaatsing_id", "werkgever_id", "regeling", "budget", "periode"):
        berekend[column] = berekend[column].astype(str)
    berekend = berekend[["plaatsing_id", "werkgever_id", "regeling", "budget", "periode", "lks_totaal"]].rename(
        columns={"lks_totaal": "berekend"})

    key = ["plaatsing_id", "periode"]
    agg_goed = goedg.groupby(key, as_index=False).agg(
        werkgever_id=("werkgever_id", "last"), regeling=("regeling", "last"), budget=("budget", "last"),
        goedgekeurd=("bedrag", "sum"))
    agg_sent = (goedg[goedg["run_id"].isin(sent_ids)].groupby(key, as_index=False)["bedrag"].sum()
                .rename(columns={"bedrag": "betaald"}))
    pm = berekend.merge(agg_goed, on=key, how="outer", suffixes=("", "_g"))
    for column in ("werkgever_id", "regeling", "budget"):
        pm[column] = pm[column].fillna(pm[f"{column}_g"])
    pm = pm.drop(columns=[c for c in pm.columns if c.endswith("_g")]).merge(agg_sent, on=key, how="left")
    for column in ("berekend", "goedgekeurd", "betaald"):
        pm[column] = pm[column].fillna(0).astype(np.int64)
    pm["open"] = pm["berekend"] - pm["goedgekeurd"]
    in_venster = pm["periode"] >= (venster_van or "9999")
    pm.loc[~in_venster, "open"] = 0  # before the window nothing is recalculated any more
    pm_jaar = pm[pm["periode"].isin(gerealiseerd)].copy()

    # ---- identities ------------------------------------------------------------------------
    controles += _identiteiten(runs, approved_ids, sent_ids, goedg, bet_ok, vord_ok, afl_ok, pm, in_venster,
                               berekend, laatste_run, venster_van, bestanden)
    controles.append(_controle_vorderingen(vord_ok, afl_ok, ontvangsten))

    # ---- month view (accrual lasten; cash by run periode) -----------------------------------
    # ontvangsten do not wait for a run: they count up to --periode (default: the whole year)
    ont_maanden = set(_months(jaar_van, periode or jaar_tot))
    maanden = _maanden(jaar, jaarmaanden, gerealiseerd, pm_jaar, bet_ok, vord_ok, afl_ok, ontvangsten, ont_maanden)

    # ---- forecast (and capacity: needs the whole year from the core) -----------------------
    prognose, meldingen, jaar_calc = _prognose(calc_in, jaar, cutoff, params, settings)
    maanden = maanden.merge(prognose.groupby(["budget", "maand"], as_index=False)["prognose"].sum(),
                            on=["budget", "maand"], how="left")
    maanden["prognose"] = maanden["prognose"].fillna(0).astype(np.int64)
    maanden["wml_aangenomen"] = maanden["maand"].isin(set(prognose.loc[prognose["wml_aangenomen"], "maand"]))
    maanden = maanden.sort_values(["budget", "maand"]).reset_index(drop=True)
    maanden["cum_goedgekeurd"] = maanden.groupby("budget")["goedgekeurd"].cumsum()
    maanden["cum_verwacht"] = maanden.groupby("budget")["goedgekeurd"].cumsum() + \
        maanden.groupby("budget")["open"].cumsum() + maanden.groupby("budget")["prognose"].cumsum()

    per_regeling = (pm_jaar.groupby(["budget", "regeling"], as_index=False)[["berekend", "goedgekeurd", "betaald", "open"]]
                    .sum())
    per_regeling["plaatsingen"] = per_regeling.apply(
        lambda r: pm_jaar[(pm_jaar["regeling"] == r["regeling"]) & (pm_jaar["goedgekeurd"] != 0)]["plaatsing_id"].nunique(),
        axis=1) if len(per_regeling) else []
    per_werkgever = _per_werkgever(pm_jaar, bet_ok, vord_ok, afl_ok, ontvangsten, jaar, cutoff, namen, ont_maanden)

    budget = _budget(budgets, budget_bron, maanden, jaar)
    sisa, sisa_regels, sisa_controle = _sisa(goedg, vord_ok, afl_ok, ontvangsten, jaar, namen)
    controles.append(sisa_controle)
    controles.append(_controle_betaald_totaal(engine))
    capaciteit = _capaciteit(jaar_calc, facts, jaarmaanden, gerealiseerd)

    runs_view = _runs_view(runs, goedg, bet_ok, vord_ok, afl_ok)

    grootboek, grootboek_totalen, gb_controle = _grootboek(boekingen, bet_ok, goedg, jaar, namen, latest_import)
    controles.append(gb_controle)
    bank, bank_controle = _bank(mutaties, bet_ok, jaar, namen, bool(bank_bron))
    controles.append(bank_controle)

    open_corr = pm[(pm["open"] != 0)].sort_values(["budget", "periode", "plaatsing_id"]).reset_index(drop=True)
    open_corr["werkgever"] = open_corr["werkgever_id"].map(namen)

    # ---- contracturen and verloonde uren; loonstroken that have not arrived ----------------
    alle_plaatsingen = plaatsingen_met_ingetrokken(engine)
    per_urenbasis = _per_urenbasis(pm_jaar, dict(zip(alle_plaatsingen["plaatsing_id"], alle_plaatsingen["urenbasis"])))
    peildatum = pd.Timestamp(now).tz_convert(TIJDZONE).date() if pd.Timestamp(now).tzinfo else now.date()
    loonstroken, lmeldingen = _loonstroken(engine, jaar, periode, peildatum, facts, calc_in, params, settings)
    meldingen += lmeldingen
    if (facts.plaatsingen["urenbasis"] == "verloond").any() and len(prognose):
        meldingen.append("De prognose telt plaatsingen op verloonde uren alleen mee voor maanden waarvan de uren al "
                         "zijn geleverd; de overige maanden van zulke plaatsingen staan er met 0 in.")

    return Rapport(jaar=jaar, periode=cutoff, gemeente=settings.gemeente.naam, gemaakt_op=now,
                   laatste_run=laatste_run, maanden=maanden, per_regeling=per_regeling, per_werkgever=per_werkgever,
                   runs=runs_view, open_correcties=open_corr, controles=controles, sisa=sisa, sisa_regels=sisa_regels,
                   budget=budget, prognose=prognose, prognose_meldingen=meldingen, capaciteit=capaciteit,
                   capaciteit_norm=norm, grootboek=grootboek, grootboek_totalen=grootboek_totalen,
                   grootboek_bron=grootboek_bron, bank=bank, bank_bron=bank_bron, per_urenbasis=per_urenbasis,
                   loonstroken=loonstroken, peildatum=peildatum)


# --------------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------------

def _identiteiten(runs, approved_ids, sent_ids, goedg, bet_ok, vord_ok, afl_ok, pm, in_venster, berekend,
                  laatste_run, venster_van, bestanden) -> list[Controle]:
    out = []
    info = runs.set_index("run_id")
    # I1: Σ lines = SEPA + verrekend − new vorderingen, per run and budget; aflossingen = verrekend
    c1 = Controle("I1", "Betaalregels = SEPA-bedragen + verrekend − nieuwe vorderingen",
                  "Per goedgekeurde betaalrun en budget: de som van de betaalregels is gelijk aan wat via SEPA "
                  "is betaald plus wat met oude vorderingen is verrekend, min de nieuw ontstane vorderingen; "
                  "de aflossingen van de run zijn gelijk aan het verrekende bedrag.")
    lines = goedg.groupby(["run_id", "budget"])["bedrag"].sum()
    sepa = bet_ok.groupby(["run_id", "budget"])["bedrag"].sum()
    verr = bet_ok.groupby(["run_id", "budget"])["verrekend"].sum()
    nieuw = vord_ok.groupby(["run_id", "budget"])["bedrag"].sum()
    afl = afl_ok.groupby("run_id")["bedrag"].sum()
    for rid in sorted(approved_ids):
        kenmerk = info.loc[rid, "kenmerk"]
        for b in BUDGETS:
            k = (rid, b)
            links = int(lines.get(k, 0))
            rechts = int(sepa.get(k, 0)) + int(verr.get(k, 0)) - int(nieuw.get(k, 0))
            c1.gecontroleerd += 1
            if links != rechts:
                c1.fout(f"betaalrun {kenmerk} {BUDGET_LABEL[b]}: betaalregels {euro_tekst(links)} ≠ SEPA "
                        f"{euro_tekst(int(sepa.get(k, 0)))} + verrekend {euro_tekst(int(verr.get(k, 0)))} − nieuwe "
                        f"vorderingen {euro_tekst(int(nieuw.get(k, 0)))} = {euro_tekst(rechts)}")
        v_run = int(bet_ok.loc[bet_ok["run_id"] == rid, "verrekend"].sum())
        if int(afl.get(rid, 0)) != v_run:
            c1.fout(f"betaalrun {kenmerk}: aflossingen {euro_tekst(int(afl.get(rid, 0)))} ≠ verrekend {euro_tekst(v_run)}")
    out.append(c1)

    # I2: SEPA file control sum = Σ payments (parsed from the stored pain.001)
    c2 = Controle("I2", "SEPA-controletotaal = betalingen",
                  "Per betaalrun met een betaalbestand: het opgeslagen pain.001-bestand is ongewijzigd (sha256), "
                  "CtrlSum en aantal transacties zijn gelijk aan de betalingen van de run, en elke transactie "
                  "(EndToEndId) heeft het bedrag van de betaling.")
    for rid in sorted(approved_ids):
        r = info.loc[rid]
        pay = bet_ok[(bet_ok["run_id"] == rid) & (bet_ok["bedrag"] > 0)]
        if not isinstance(r["bestand_naam"], str) or not r["bestand_naam"]:
            if len(pay):
                c2.fout(f"betaalrun {r['kenmerk']}: goedgekeurd maar nog geen betaalbestand gemaakt")
            continue
        c2.gecontroleerd += 1
        if bestanden is None:
            c2.fout(f"betaalrun {r['kenmerk']}: bestand niet gecontroleerd (geen map met betaalbestanden opgegeven)")
            continue
        path = Path(bestanden) / f"betaalrun-{r['kenmerk']}" / r["bestand_naam"]
        if not path.exists():
            c2.fout(f"betaalrun {r['kenmerk']}: betaalbestand {path} niet gevonden")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != r["sha256"]:
            c2.fout(f"betaalrun {r['kenmerk']}: {path.name} is gewijzigd na vastleggen (sha256 wijkt af)")
        parsed = _parse_pain(path)
        totaal = int(pay["bedrag"].sum())
        if parsed["ctrl_sum"] != totaal:
            c2.fout(f"betaalrun {r['kenmerk']}: CtrlSum in {path.name} is {euro_tekst(parsed['ctrl_sum'] or 0)}, "
                    f"betalingen {euro_tekst(totaal)}")
        if parsed["nb"] != len(pay):
            c2.fout(f"betaalrun {r['kenmerk']}: {parsed['nb']} transacties in het bestand, {len(pay)} betalingen")
        for e2e, bedrag in zip(pay["end_to_end_id"], pay["bedrag"]):
            if parsed["tx"].get(e2e) != int(bedrag):
                c2.fout(f"betaalrun {r['kenmerk']}: transactie {e2e} heeft in het bestand "
                        f"{euro_tekst(parsed['tx'].get(e2e, 0))}, betaling {euro_tekst(int(bedrag))}")
        for e2e in set(parsed["tx"]) - set(pay["end_to_end_id"]):
            c2.fout(f"betaalrun {r['kenmerk']}: transactie {e2e} in het bestand hoort bij geen betaling")
    out.append(c2)

    # I3: approved = paid (sent)
    c3 = Controle("I3", "Goedgekeurd = betaald (verzonden)",
                  "Elke goedgekeurde betaalrun is als verzonden gemarkeerd; wat is goedgekeurd is dus ook betaald. "
                  "Een run die niets uitbetaalt (alleen vorderingen of verrekening) heeft geen betaalbestand en "
                  "telt mee zodra zijn specificaties zijn gemaakt en hij is afgesloten.")
    for rid in sorted(approved_ids):
        c3.gecontroleerd += 1
        if rid not in sent_ids:
            r = info.loc[rid]
            status = str(r["status"]).replace("_", " ")
            if r["status"] == "bestand_aangemaakt" and not (isinstance(r["bestand_naam"], str) and r["bestand_naam"]):
                c3.fout(f"betaalrun {r['kenmerk']} is '{status}' zonder betaalbestand (niets uit te betalen), "
                        "nog niet afgesloten: 'lks betaalrun mark-sent' sluit hem af")
                continue
            c3.fout(f"betaalrun {r['kenmerk']} is '{status}': goedgekeurd "
                    f"{euro_tekst(int(goedg.loc[goedg['run_id'] == rid, 'bedrag'].sum()))}, nog niet verzonden")
    out.append(c3)

    # I4: budget follows the regeling
    c4 = Controle("I4", "Budget volgt de regeling",
                  "LKS art. 10d en beschut werk horen op BUIG, de ontwikkelbaan op het re-integratiebudget; "
                  "elke betaalregel, en elke betaling en vordering via de regels van haar werkgever en run.")
    c4.gecontroleerd = len(goedg)
    verwacht = goedg["regeling"].map(BUDGET_VAN_REGELING)
    for r in goedg[verwacht != goedg["budget"]].itertuples():
        c4.fout(f"betaalrun {r.kenmerk}, plaatsing {r.plaatsing_id} {r.periode}: {REGELING_LABEL.get(r.regeling, r.regeling)} "
                f"op {BUDGET_LABEL.get(r.budget, r.budget)}, hoort op {BUDGET_LABEL.get(BUDGET_VAN_REGELING.get(r.regeling), '?')}")
    have = set(zip(goedg["run_id"], goedg["werkgever_id"], goedg["budget"]))
    for frame, soort in ((bet_ok, "betaling"), (vord_ok, "vordering")):
        for r in frame.itertuples():
            if (r.run_id, r.werkgever_id, r.budget) not in have:
                c4.fout(f"{soort} van betaalrun {info.loc[r.run_id, 'kenmerk']} aan {r.werkgever_id} op "
                        f"{BUDGET_LABEL[r.budget]} heeft geen betaalregels op dat budget")
    out.append(c4)

    # I5: no plaatsing-month paid twice
    c5 = Controle("I5", "Geen plaatsing-maand dubbel betaald",
                  "Per plaatsing-maand is de som over alle goedgekeurde runs gelijk aan het laatst berekende "
                  "totaal, is er hoogstens één reguliere regel, en valt die in de eigen maand van de run.")
    if len(goedg):
        g = goedg.sort_values("run_id")
        agg = g.groupby(["plaatsing_id", "periode"]).agg(som=("bedrag", "sum"), laatste=("berekend_totaal", "last"),
                                                         regulier=("soort", lambda x: int((x == "regulier").sum())))
        c5.gecontroleerd = len(agg)
        for (p, m), r in agg[(agg["som"] != agg["laatste"]) | (agg["regulier"] > 1)].iterrows():
            if r["regulier"] > 1:
                c5.fout(f"plaatsing {p} {m}: {r['regulier']} reguliere regels (dubbel betaald)")
            else:
                c5.fout(f"plaatsing {p} {m}: som van de betaalde regels {euro_tekst(r['som'])} ≠ laatst "
                        f"berekend totaal {euro_tekst(r['laatste'])}")
        wrong = g[(g["soort"] == "regulier") != (g["periode"] == g["run_periode"])]
        for r in wrong.itertuples():
            c5.fout(f"betaalrun {r.kenmerk}, plaatsing {r.plaatsing_id} {r.periode}: soort '{r.soort}' past niet bij de maand")
    out.append(c5)

    # I6: calculated − approved = open corrections (the next run's deltas, computed independently)
    c6 = Controle("I6", "Berekend − goedgekeurd = openstaande correcties",
                  "Voor elke plaatsing-maand binnen de retrotermijn: de berekening met de kennis van nu min wat "
                  "goedgekeurd is, is gelijk aan wat de volgende betaalrun zou betalen of terugnemen "
                  "(dezelfde deltafunctie als de betaalrun).")
    if laatste_run and venster_van:
        paid = goedg[goedg["periode"] >= venster_van].copy()
        paid = paid.assign(lks_basis=0, werkgeverslasten=0)
        calc = berekend.rename(columns={"berekend": "lks_totaal"}).assign(lks_basis=0, werkgeverslasten=0)
        delta = payment_lines(calc, paid, laatste_run)
        d = delta.set_index(["plaatsing_id", "periode"])["bedrag"]
        mine = pm[in_venster].set_index(["plaatsing_id", "periode"])["open"]
        mine = mine[mine != 0]
        c6.gecontroleerd = int(in_venster.sum())
        both = pd.concat([mine.rename("open"), d.rename("delta")], axis=1).fillna(0)
        for (p, m), r in both[both["open"] != both["delta"]].iterrows():
            c6.fout(f"plaatsing {p} {m}: berekend − goedgekeurd = {euro_tekst(int(r['open']))}, "
                    f"volgende run zou {euro_tekst(int(r['delta']))} betalen")
    else:
        c6.niet_van_toepassing = True
    out.append(c6)
    return out


def _controle_betaald_totaal(engine: Engine) -> Controle:
    """I9: the paid totals a betaalrun subtracts (``betaald_totaal``) = the approved lines."""
    from lks.betaalrun.betaald import afwijkingen
    c = Controle("I9", "Betaald totaal per plaatsing-maand = betaalregels",
                 "Per plaatsing-maand: het betaalde totaal waartegen een betaalrun het verschil berekent, is "
                 "gelijk aan de som van de betaalregels van de goedgekeurde runs (werkgever, regeling en "
                 "budget van de laatste regel); geen totaal zonder regels, geen regels zonder totaal.")
    with engine.connect() as connection:
        c.gecontroleerd, fouten = afwijkingen(connection)
    for fout in fouten:
        c.fout(fout)
    return c


def _controle_vorderingen(vord_ok, afl_ok, ontvangsten) -> Controle:
    c = Controle("I7", "Vorderingen en ontvangsten sluiten aan",
                 "Per vordering: aflossingen (verrekening) plus ontvangsten zijn niet hoger dan de vordering; "
                 "elke ontvangst hoort bij een vordering van dezelfde werkgever en hetzelfde budget.")
    af = afl_ok.groupby("vordering_id")["bedrag"].sum()
    ont = ontvangsten.dropna(subset=["vordering_id"]).groupby("vordering_id")["bedrag"].sum()
    for r in vord_ok.itertuples():
        c.gecontroleerd += 1
        terug = int(af.get(r.vordering_id, 0)) + int(ont.get(r.vordering_id, 0))
        if terug > r.bedrag:
            c.fout(f"vordering {r.vordering_id} ({r.werkgever_id}, {BUDGET_LABEL[r.budget]}) van {euro_tekst(r.bedrag)}: "
                   f"{euro_tekst(terug)} teruggekregen (verrekend én ontvangen?): {euro_tekst(terug - r.bedrag)} te veel")
    known = vord_ok.set_index("vordering_id")
    for r in ontvangsten.itertuples():
        c.gecontroleerd += 1
        if pd.isna(r.vordering_id):
            c.fout(f"ontvangst {r.ontvangst_id} van {r.werkgever_id} ({euro_tekst(r.bedrag)}, {r.datum}) hoort bij "
                   "geen vordering")
        elif int(r.vordering_id) not in known.index:
            c.fout(f"ontvangst {r.ontvangst_id}: vordering {int(r.vordering_id)} hoort niet bij een goedgekeurde run")
        else:
            v = known.loc[int(r.vordering_id)]
            if v["werkgever_id"] != r.werkgever_id or v["budget"] != r.budget:
                c.fout(f"ontvangst {r.ontvangst_id}: werkgever of budget wijkt af van vordering {int(r.vordering_id)}")
    return c


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------

def _maanden(jaar, jaarmaanden, gerealiseerd, pm_jaar, bet_ok, vord_ok, afl_ok, ontvangsten, ont_maanden) -> pd.DataFrame:
    grid = pd.DataFrame([(b, m) for b in BUDGETS for m in jaarmaanden], columns=["budget", "maand"])
    acc = (pm_jaar.groupby(["budget", "periode"], as_index=False)[["berekend", "goedgekeurd", "betaald", "open"]].sum()
           .rename(columns={"periode": "maand"}))
    cash_runs = bet_ok[bet_ok["run_periode"].isin(gerealiseerd)]
    sepa = cash_runs.groupby(["budget", "run_periode"], as_index=False)[["bedrag", "verrekend"]].sum().rename(
        columns={"run_periode": "maand", "bedrag": "sepa"})
    nieuw = (vord_ok[vord_ok["run_periode"].isin(gerealiseerd)].groupby(["budget", "run_periode"], as_index=False)["bedrag"]
             .sum().rename(columns={"run_periode": "maand", "bedrag": "nieuwe_vorderingen"}))
    ont = ontvangsten.assign(maand=pd.to_datetime(ontvangsten["datum"]).dt.strftime("%Y-%m") if len(ontvangsten) else [])
    ont_m = (ont[ont["maand"].isin(ont_maanden)].groupby(["budget", "maand"], as_index=False)["bedrag"].sum()
             .rename(columns={"bedrag": "ontvangen"}))
    out = grid
    for f in (acc, sepa, nieuw, ont_m):
        out = out.merge(f, on=["budget", "maand"], how="left")
    amounts = ["berekend", "goedgekeurd", "betaald", "open", "sepa", "verrekend", "nieuwe_vorderingen", "ontvangen"]
    for column in amounts:
        out[column] = out[column].fillna(0).astype(np.int64)
    # open vorderingen at month end: everything since the first run, not only this year
    balans = []
    for b, m in zip(out["budget"], out["maand"]):
        if m not in gerealiseerd:
            balans.append(0)
            continue
        n = int(vord_ok.loc[(vord_ok["budget"] == b) & (vord_ok["run_periode"] <= m), "bedrag"].sum())
        v_ids = set(vord_ok.loc[vord_ok["budget"] == b, "vordering_id"])
        a = int(afl_ok.loc[afl_ok["vordering_id"].isin(v_ids) & (afl_ok["run_periode"] <= m), "bedrag"].sum())
        o = int(ont.loc[(ont["budget"] == b) & (ont["maand"] <= m), "bedrag"].sum()) if len(ont) else 0
        balans.append(n - a - o)
    out["open_vorderingen"] = np.array(balans, dtype=np.int64)
    out["gerealiseerd"] = out["maand"].isin(gerealiseerd)
    return out


def _per_werkgever(pm_jaar, bet_ok, vord_ok, afl_ok, ontvangsten, jaar, cutoff, namen, ont_maanden) -> pd.DataFrame:
    maanden = set(_months(f"{jaar}-01", cutoff)) if cutoff else set()
    acc = pm_jaar.groupby(["werkgever_id", "budget"], as_index=False)[["berekend", "goedgekeurd", "betaald", "open"]].sum()
    cash = (bet_ok[bet_ok["run_periode"].isin(maanden)].groupby(["werkgever_id", "budget"], as_index=False)
            [["bedrag", "verrekend"]].sum().rename(columns={"bedrag": "sepa"}))
    nieuw = (vord_ok[vord_ok["run_periode"].isin(maanden)].groupby(["werkgever_id", "budget"], as_index=False)["bedrag"]
             .sum().rename(columns={"bedrag": "nieuwe_vorderingen"}))
    ont = ontvangsten.copy()
    ont["maand"] = pd.to_datetime(ont["datum"]).dt.strftime("%Y-%m") if len(ont) else []
    ont_j = (ont[ont["maand"].isin(ont_maanden)].groupby(["werkgever_id", "budget"], as_index=False)["bedrag"].sum()
             .rename(columns={"bedrag": "ontvangen"}))
    af = afl_ok.groupby("vordering_id")["bedrag"].sum()
    on = ont.dropna(subset=["vordering_id"]).groupby("vordering_id")["bedrag"].sum()
    vo = vord_ok.copy()
    vo["open_vordering"] = [int(b) - int(af.get(i, 0)) - int(on.get(i, 0)) for i, b in zip(vo["vordering_id"], vo["bedrag"])]
    open_v = vo.groupby(["werkgever_id", "budget"], as_index=False)["open_vordering"].sum()
    out = acc
    for f in (cash, nieuw, ont_j, open_v):
        out = out.merge(f, on=["werkgever_id", "budget"], how="outer")
    amounts = ["berekend", "goedgekeurd", "betaald", "open", "sepa", "verrekend", "nieuwe_vorderingen", "ontvangen",
               "open_vordering"]
    for column in amounts:
        out[column] = out[column].fillna(0).astype(np.int64)
    out.insert(1, "naam", out["werkgever_id"].map(namen).fillna(""))
    return out.sort_values(["werkgever_id", "budget"]).reset_index(drop=True)


def _per_urenbasis(pm_jaar: pd.DataFrame, urenbasis: dict[str, str]) -> pd.DataFrame:
    """The realised plaatsing-months of the year per budget and urenbasis (both always listed)."""
    pm = pm_jaar.assign(urenbasis=pm_jaar["plaatsing_id"].map(urenbasis).fillna("contract"))
    keys = ["budget", "urenbasis"]
    grid = pd.DataFrame([(b, u) for b in BUDGETS for u in URENBASIS_LABEL], columns=keys)
    amounts = ["berekend", "goedgekeurd", "betaald", "open"]
    som = pm.groupby(keys, as_index=False)[amounts].sum()
    aantal = (pm[pm["goedgekeurd"] != 0].groupby(keys)["plaatsing_id"].nunique().rename("plaatsingen")
              .reset_index())
    out = grid.merge(aantal, on=keys, how="left").merge(som, on=keys, how="left")
    for column in ["plaatsingen", *amounts]:
        out[column] = out[column].fillna(0).astype(np.int64)
    return out


LOONSTROOK_KOLOMMEN = ["budget", "periode", "werkgever_id", "werkgever", "plaatsing_id", "regeling", "uiterlijk",
                       "te_laat", "maximum"]


def _loonstroken(engine, jaar: int, periode: str | None, peildatum: dt.date, facts, calc_in: CalcInput,
                 params: Parameters, settings: Settings) -> tuple[pd.DataFrame, list[str]]:
    """Months of ``jaar`` (up to ``periode``) waiting for their loonstrook at ``peildatum``,
    with the most each can cost: the core on the month with hours at the cap (§7: more hours
    than the month has are spread and capped per segment, so 24 h a day gives the cap)."""
    rows = ontbrekende_loonstroken(engine, peildatum, params, settings)
    frame = pd.DataFrame(rows, columns=["plaatsing_id", "werkgever_id", "werkgever", "periode", "uiterlijk",
                                        "te_laat"] if not rows else None)
    frame = frame[(frame["periode"] >= f"{jaar}-01") & (frame["periode"] <= (periode or f"{jaar}-12"))]
    regeling = dict(zip(facts.plaatsingen["plaatsing_id"], facts.plaatsingen["regeling"]))
    frame = frame.assign(regeling=frame["plaatsing_id"].map(regeling))
    frame = frame.assign(budget=frame["regeling"].map(BUDGET_VAN_REGELING), maximum=None)
    meldingen: list[str] = []
    if len(frame):
        try:
            frame["maximum"] = _maximum(calc_in, frame, params, settings)
        except ParameterOntbreekt as exc:
            meldingen.append(f"Het hoogste bedrag van de maanden zonder loonstrook is niet te berekenen: {exc}")
    return (frame[LOONSTROOK_KOLOMMEN].sort_values(["budget", "periode", "werkgever_id", "plaatsing_id"])
            .reset_index(drop=True), meldingen)


def _maximum(calc_in: CalcInput, frame: pd.DataFrame, params: Parameters, settings: Settings) -> list[int]:
    ids = set(frame["plaatsing_id"])
    maand = frame["periode"].to_numpy(dtype=str).astype("datetime64[M]")
    dagen = ((maand + 1).astype("datetime64[D]") - maand.astype("datetime64[D]")).astype(np.int64)
    geleverd = calc_in.verloonde_uren[calc_in.verloonde_uren["plaatsing_id"].isin(ids)]
    vol = pd.DataFrame({"plaatsing_id": frame["plaatsing_id"].to_numpy(), "periode": frame["periode"].to_numpy(),
                        "uren": 2400 * dagen})  # hundredths: 24 hours on every day of the month
    invoer = CalcInput(calc_in.plaatsingen[calc_in.plaatsingen["plaatsing_id"].isin(ids)].reset_index(drop=True),
                       calc_in.loonwaarden, calc_in.urenwijzigingen,
                       pd.concat([geleverd, vol], ignore_index=True))
    result = calculate(invoer, frame["periode"].min(), frame["periode"].max(), params, settings.policy())
    pm = result.plaatsing_maanden
    bedrag = dict(zip(zip(pm["plaatsing_id"].astype(str), pm["periode"].astype(str)), pm["lks_totaal"]))
    return [int(bedrag[(p, m)]) for p, m in zip(frame["plaatsing_id"], frame["periode"])]


def _runs_view(runs, goedg, bet_ok, vord_ok, afl_ok) -> pd.DataFrame:
    rows = []
    for r in runs.itertuples():
        g = goedg[goedg["run_id"] == r.run_id]
        b = bet_ok[bet_ok["run_id"] == r.run_id]
        rows.append(dict(kenmerk=r.kenmerk, status=r.status, uitvoerdatum=r.uitvoerdatum, regels=len(g),
                         correcties=int((g["soort"] == "correctie").sum()),
                         buig=_som(g[g["budget"] == "buig"], "bedrag"),
                         reintegratie=_som(g[g["budget"] == "reintegratie"], "bedrag"),
                         sepa=_som(b, "bedrag"), verrekend=_som(b, "verrekend"),
                         nieuwe_vorderingen=_som(vord_ok[vord_ok["run_id"] == r.run_id], "bedrag"),
                         transacties=int((b["bedrag"] > 0).sum()) if len(b) else 0))
    return pd.DataFrame(rows, columns=["kenmerk", "status", "uitvoerdatum", "regels", "correcties", "buig",
                                       "reintegratie", "sepa", "verrekend", "nieuwe_vorderingen", "transacties"])


def _budget(budgets, bron, maanden, jaar) -> pd.DataFrame:
    rows = []
    for b in BUDGETS:
        m = maanden[maanden["budget"] == b]
        real = _som(m, "goedgekeurd")
        open_ = _som(m, "open")
        prog = _som(m, "prognose")
        verwacht = real + open_ + prog
        bedrag = budgets.get(b)
        rows.append(dict(budget=b, naam=BUDGET_LABEL[b], begroot=bedrag, gerealiseerd=real, open_correcties=open_,
                         prognose=prog, verwacht=verwacht,
                         ruimte=None if bedrag is None else bedrag - verwacht,
                         benutting=None if not bedrag else round(100 * verwacht / bedrag, 1),
                         prognose_wml_aangenomen=bool(m["wml_aangenomen"].any()), bron=bron.get(b, "")))
    return pd.DataFrame(rows)


def _bereken(calc_in, van: str, tot: str, params, policy) -> pd.DataFrame:
    """The core's plaatsing-months; none at all when there is no plaatsing (an empty
    gemeente, or every plaatsing withdrawn): the report then shows what was paid against 0."""
    if calc_in.plaatsingen.empty:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("lks_basis", "werkgeverslasten", "lks_totaal",
                                                                   "dagen_actief", "dagen_maand") else object)
                             for c in [*RESULT_COLUMNS, "werkgever_id", "dagen_actief", "dagen_maand"]})
    return calculate(calc_in, van, tot, params, policy).plaatsing_maanden


def _prognose(calc_in, jaar, cutoff, params, settings):
    """The core over the whole year with current facts: the months after ``cutoff`` are the
    forecast. Months past a parameter's validity use its last known value, flagged."""
    van, tot = f"{jaar}-01", f"{jaar}-12"
    meldingen = []
    flagged: set[str] = set()
    try:
        result = _bereken(calc_in, van, tot, params, settings.policy())
    except ParameterOntbreekt as exc:
        lifted, limits = _lifted(params)
        result = _bereken(calc_in, van, tot, lifted, settings.policy())
        grens = min(limits.values())
        flagged = {m for m in _months(van, tot) if pd.Period(m, freq="M").end_time.date() > grens}
        namen = ", ".join(sorted(n for n, d in limits.items() if d == grens))
        meldingen.append(f"Prognose {min(flagged)} t/m {max(flagged)} gebruikt de laatst bekende waarde van {namen} "
                         f"(bekend t/m {grens.isoformat()}); alleen voor de prognose, nooit voor betalingen. "
                         f"({exc})")
    result = result.copy()
    for column in ("plaatsing_id", "regeling", "budget", "periode"):
        result[column] = result[column].astype(str)
    na = result[result["periode"] > (cutoff or "0000-00")]
    prog = (na.groupby(["budget", "periode"], as_index=False)["lks_totaal"].sum()
            .rename(columns={"periode": "maand", "lks_totaal": "prognose"}))
    prog["wml_aangenomen"] = prog["maand"].isin(flagged)
    prog["plaatsingen"] = [int(na[(na["budget"] == b) & (na["periode"] == m)]["plaatsing_id"].nunique())
                           for b, m in zip(prog["budget"], prog["maand"])]
    return prog, meldingen, result


def _capaciteit(jaar_calc, facts, jaarmaanden, gerealiseerd) -> pd.DataFrame:
    """Per month: ontwikkelbanen in service and their contract hours, beschut werk in service."""
    active = jaar_calc[jaar_calc["dagen_actief"] > 0] if "dagen_actief" in jaar_calc else jaar_calc
    pl = facts.plaatsingen.set_index("plaatsing_id")
    uren = facts.urenwijzigingen.sort_values("ingangsdatum")
    rows = []
    for m in jaarmaanden:
        einde = pd.Period(m, freq="M").end_time.normalize()
        a = active[active["periode"] == m]
        ob = sorted(set(a.loc[a["regeling"] == "ontwikkelbaan", "plaatsing_id"]))
        totaal_uren = Decimal(0)
        for p in ob:
            u = uren[(uren["plaatsing_id"] == p) & (uren["ingangsdatum"] <= einde)]
            totaal_uren += Decimal(u["contracturen"].iloc[-1]) if len(u) else Decimal(pl.loc[p, "contracturen"])
        rows.append(dict(maand=m, ontwikkelbanen=len(ob), ontwikkelbaan_uren=float(totaal_uren),
                         beschut=int(a.loc[a["regeling"] == "beschut", "plaatsing_id"].nunique()),
                         lks=int(a.loc[a["regeling"] == "lks", "plaatsing_id"].nunique()),
                         gerealiseerd=m in gerealiseerd))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# SiSa
# --------------------------------------------------------------------------------------------

def _sisa(goedg, vord_ok, afl_ok, ontvangsten, jaar, namen):
    saldo = goedg.groupby(["run_id", "werkgever_id", "budget"])["bedrag"].transform("sum")
    regels = goedg.assign(post=np.where(saldo >= 0, "besteding", "baten"))
    regels["sisa_bedrag"] = np.where(regels["post"] == "besteding", regels["bedrag"], -regels["bedrag"])
    jaar_r = regels[regels["periode"].str.startswith(f"{jaar}-")].copy()
    ont = ontvangsten.copy()
    ont["jaar"] = pd.to_datetime(ont["datum"]).dt.year if len(ont) else []
    los = ont[ont["vordering_id"].isna() & (ont["jaar"] == jaar)]
    rows = []
    for b in BUDGETS:
        r = jaar_r[jaar_r["budget"] == b]
        best = _som(r[r["post"] == "besteding"], "sisa_bedrag")
        baten = _som(r[r["post"] == "baten"], "sisa_bedrag") + _som(los[los["budget"] == b], "bedrag")
        v_ids = set(vord_ok.loc[vord_ok["budget"] == b, "vordering_id"])
        ont_j = ont[(ont["budget"] == b) & (ont["jaar"] == jaar)]
        rows.append(dict(budget=b, besteding=best, baten=baten, netto=best - baten,
                         regels=len(r), lasten_netto=_som(r, "bedrag"),
                         verrekend_in_jaar=_som(afl_ok[afl_ok["vordering_id"].isin(v_ids) &
                                                       afl_ok["run_periode"].str.startswith(f"{jaar}-")], "bedrag"),
                         ontvangen_in_jaar=_som(ont_j, "bedrag")))
    sisa = pd.DataFrame(rows)
    sisa_regels = jaar_r[["kenmerk", "werkgever_id", "plaatsing_id", "regeling", "budget", "periode", "soort", "post",
                          "bedrag", "sisa_bedrag"]].sort_values(["budget", "post", "periode", "kenmerk", "plaatsing_id"])
    sisa_regels.insert(2, "werkgever", sisa_regels["werkgever_id"].map(namen).fillna(""))
    c = Controle("I8", "SiSa: besteding − baten = netto lasten; baten = vorderingen",
                 "Over alle jaren is de som van de baten gelijk aan de opgelegde vorderingen, en per budget is "
                 "besteding − baten (zonder losse ontvangsten) gelijk aan de netto lasten van de betaalregels.")
    alle_baten = _som(regels[regels["post"] == "baten"], "sisa_bedrag")
    c.gecontroleerd = len(regels)
    if alle_baten != _som(vord_ok, "bedrag"):
        c.fout(f"baten over alle jaren {euro_tekst(alle_baten)} ≠ opgelegde vorderingen {euro_tekst(_som(vord_ok, 'bedrag'))}")
    for row in rows:
        los_b = _som(los[los["budget"] == row["budget"]], "bedrag")
        if row["besteding"] - (row["baten"] - los_b) != row["lasten_netto"]:
            c.fout(f"{BUDGET_LABEL[row['budget']]}: besteding − baten ≠ netto lasten")
    return sisa, sisa_regels.reset_index(drop=True), c


# --------------------------------------------------------------------------------------------
# Ledger check
# --------------------------------------------------------------------------------------------

def _grootboek(boekingen, bet_ok, goedg, jaar, namen, latest_import):
    c = Controle("G1", "Grootboek: boekingen op het juiste budget",
                 "Elke boeking uit de export van het financiële systeem met als kenmerk een EndToEndId of een "
                 "betaalrun-kenmerk staat op het budget dat lks voor die betaling afleidt uit de regeling, met "
                 "hetzelfde bedrag; boekingen die lks niet kent en betalingen zonder boeking worden gemeld.")
    columns = ["regel", "boekdatum", "grootboekrekening", "geboekt_op", "bedrag", "kenmerk", "hoort_op", "verwacht",
               "status", "toelichting"]
    if latest_import is None:
        c.niet_van_toepassing = True
        c.uitzonderingen.append("geen grootboekexport ingelezen (lks ledger import)")
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["budget", "lks", "geboekt", "verschil"]), c
    sent = bet_ok[(bet_ok["status"] == "verzonden") & (bet_ok["bedrag"] > 0)].copy()
    regelingen = goedg.groupby(["run_id", "werkgever_id", "budget"])["regeling"].agg(
        lambda x: ", ".join(REGELING_LABEL[r] for r in sorted(set(x))))
    e2e = sent.set_index("end_to_end_id")
    per_run = sent.groupby(["kenmerk", "budget"])["bedrag"].sum()
    kenmerken = set(sent["kenmerk"])
    bk = boekingen.copy()
    bk["jaar"] = pd.to_datetime(bk["boekdatum"]).dt.year
    rows = []
    geboekt_e2e: dict[str, int] = {}
    geboekt_run: dict[tuple, int] = {}
    for r in bk.itertuples():
        rec = dict(regel=r.regel, boekdatum=r.boekdatum, grootboekrekening=r.grootboekrekening, geboekt_op=r.budget,
                   bedrag=int(r.bedrag), kenmerk=r.kenmerk, hoort_op=None, verwacht=None, status="juist", toelichting="")
        if r.kenmerk in e2e.index:
            b = e2e.loc[r.kenmerk]
            geboekt_e2e[r.kenmerk] = geboekt_e2e.get(r.kenmerk, 0) + int(r.bedrag)
            rec.update(hoort_op=b["budget"], verwacht=int(b["bedrag"]))
            wat = regelingen.get((b["run_id"], b["werkgever_id"], b["budget"]), "")
            if r.budget != b["budget"]:
                rec["status"] = "misboeking"
                rec["toelichting"] = (f"{wat} aan {namen.get(b['werkgever_id'], b['werkgever_id'])} "
                                      f"(betaalrun {b['kenmerk']}) geboekt op {BUDGET_LABEL[r.budget]}, "
                                      f"hoort op {BUDGET_LABEL[b['budget']]}")
        elif r.kenmerk in kenmerken:
            geboekt_run[(r.kenmerk, r.budget)] = geboekt_run.get((r.kenmerk, r.budget), 0) + int(r.bedrag)
            verwacht = int(per_run.get((r.kenmerk, r.budget), 0))
            rec.update(hoort_op=r.budget if verwacht else None, verwacht=verwacht)
            if verwacht == 0:
                rec["status"] = "misboeking"
                rec["toelichting"] = f"betaalrun {r.kenmerk} betaalde niets van {BUDGET_LABEL[r.budget]}"
        else:
            if r.jaar != jaar:
                continue
            rec["status"] = "onbekend"
            rec["toelichting"] = "kenmerk hoort bij geen betaling of betaalrun van lks"
        if r.jaar == jaar or rec["status"] != "juist":
            rows.append(rec)
    # amounts per payment (all bookings of an EndToEndId together) and per run-budget
    for e, total in geboekt_e2e.items():
        b = e2e.loc[e]
        if total != int(b["bedrag"]):
            rows.append(dict(regel=None, boekdatum=None, grootboekrekening=None, geboekt_op=None, bedrag=total,
                             kenmerk=e, hoort_op=b["budget"], verwacht=int(b["bedrag"]), status="bedragverschil",
                             toelichting=f"geboekt {euro_tekst(total)}, betaald {euro_tekst(int(b['bedrag']))}"))
    for (k, bud), total in geboekt_run.items():
        verwacht = int(per_run.get((k, bud), 0))
        if verwacht and total != verwacht:
            rows.append(dict(regel=None, boekdatum=None, grootboekrekening=None, geboekt_op=bud, bedrag=total, kenmerk=k,
                             hoort_op=bud, verwacht=verwacht, status="bedragverschil",
                             toelichting=f"betaalrun {k} {BUDGET_LABEL[bud]}: geboekt {euro_tekst(total)}, "
                                         f"betaald {euro_tekst(verwacht)}"))
    laatste = bk["boekdatum"].max() if len(bk) else None
    run_geboekt = {k for k, _ in geboekt_run}
    for r in sent.itertuples():
        if r.uitvoerdatum is None or r.uitvoerdatum.year != jaar or (laatste is not None and r.uitvoerdatum > laatste):
            continue
        if r.end_to_end_id not in geboekt_e2e and r.kenmerk not in run_geboekt:
            rows.append(dict(regel=None, boekdatum=None, grootboekrekening=None, geboekt_op=None, bedrag=0,
                             kenmerk=r.end_to_end_id, hoort_op=r.budget, verwacht=int(r.bedrag), status="niet geboekt",
                             toelichting=f"betaling {euro_tekst(int(r.bedrag))} van betaalrun {r.kenmerk} aan "
                                         f"{namen.get(r.werkgever_id, r.werkgever_id)} staat niet in het grootboek"))
    out = pd.DataFrame(rows, columns=columns)
    for r in out[out["status"] != "juist"].itertuples():
        c.fout(f"{r.status}: {('regel ' + str(r.regel) + ', ') if pd.notna(r.regel) else ''}{r.kenmerk} "
               f"{euro_tekst(r.bedrag)} — {r.toelichting}")
    c.gecontroleerd = int((bk["jaar"] == jaar).sum())
    in_jaar = bk[bk["jaar"] == jaar]
    sent_j = sent[[d is not None and d.year == jaar for d in sent["uitvoerdatum"]]]
    tot = pd.DataFrame([dict(budget=b, lks=_som(sent_j[sent_j["budget"] == b], "bedrag"),
                             geboekt=_som(in_jaar[in_jaar["budget"] == b], "bedrag")) for b in BUDGETS])
    tot["verschil"] = tot["geboekt"] - tot["lks"]
    return out, tot, c


# --------------------------------------------------------------------------------------------
# Bank matching
# --------------------------------------------------------------------------------------------

def _bank(mutaties, bet_ok, jaar, namen, has_statements):
    c = Controle("B1", "Bank: betalingen afgeschreven zoals verzonden",
                 "Elke verzonden SEPA-transactie staat op het bankafschrift (camt.053) met hetzelfde bedrag; "
                 "geweigerde of teruggeboekte betalingen, bedragverschillen en onbekende afschrijvingen worden gemeld.")
    columns = ["end_to_end_id", "kenmerk", "werkgever_id", "naam", "budget", "verzonden", "afgeschreven",
               "teruggeboekt", "datum", "status", "reden"]
    if not has_statements:
        c.niet_van_toepassing = True
        c.uitzonderingen.append("geen bankafschrift ingelezen (lks bank import)")
        return pd.DataFrame(columns=columns), c
    sent = bet_ok[(bet_ok["status"] == "verzonden") & (bet_ok["bedrag"] > 0)]
    laatste = mutaties["datum"].max() if len(mutaties) else None
    by_e2e = {k: g for k, g in mutaties.groupby("end_to_end_id")} if len(mutaties) else {}
    rows = []
    for r in sent.itertuples():
        if r.uitvoerdatum is None or r.uitvoerdatum.year != jaar:
            continue
        g = by_e2e.get(r.end_to_end_id)
        rec = dict(end_to_end_id=r.end_to_end_id, kenmerk=r.kenmerk, werkgever_id=r.werkgever_id,
                   naam=namen.get(r.werkgever_id, ""), budget=r.budget, verzonden=int(r.bedrag), afgeschreven=0,
                   teruggeboekt=0, datum=None, status="betaald", reden=None)
        if g is None:
            rec["status"] = "nog niet verwacht" if laatste is None or r.uitvoerdatum > laatste else "onbetaald"
        else:
            debet = int(g.loc[(g["richting"] == "DBIT") & (g["status"] == "booked"), "bedrag"].sum())
            terug = int(g.loc[g["status"].isin(["returned"]) & (g["richting"] == "CRDT"), "bedrag"].sum())
            rejected = (g["status"] == "rejected").any()
            rec.update(afgeschreven=debet, teruggeboekt=terug, datum=g["datum"].min(),
                       reden=", ".join(sorted(set(g["reden"].dropna()))) or None)
            netto = debet - terug
            if rejected or (terug and netto == 0):
                rec["status"] = "geweigerd"
            elif netto == int(r.bedrag):
                rec["status"] = "dubbel afgeschreven" if int((g["richting"] == "DBIT").sum()) > 1 and not terug else "betaald"
            else:
                rec["status"] = "bedragverschil"
        rows.append(rec)
    bekend = set(sent["end_to_end_id"])
    for r in mutaties.itertuples():
        if r.end_to_end_id in bekend or r.datum.year != jaar:
            continue
        rows.append(dict(end_to_end_id=r.end_to_end_id, kenmerk=None, werkgever_id=None, naam=r.tegenpartij or "",
                         budget=None, verzonden=0, afgeschreven=int(r.bedrag) if r.richting == "DBIT" else 0,
                         teruggeboekt=int(r.bedrag) if r.richting == "CRDT" else 0, datum=r.datum, status="onbekend",
                         reden=r.reden))
    out = pd.DataFrame(rows, columns=columns)
    c.gecontroleerd = len(out)
    for r in out[~out["status"].isin(["betaald", "nog niet verwacht"])].itertuples():
        if r.status == "onbekend":
            c.fout(f"onbekend: afschrijving {euro_tekst(r.afgeschreven or r.teruggeboekt)} op {r.datum} "
                   f"({r.end_to_end_id or 'zonder EndToEndId'}, {r.naam or 'onbekende tegenpartij'}) hoort bij geen betaling")
        elif r.status == "geweigerd":
            c.fout(f"geweigerd: {r.end_to_end_id} {euro_tekst(r.verzonden)} aan {r.naam} (betaalrun {r.kenmerk}) "
                   f"is niet aangekomen{' (reden ' + r.reden + ')' if r.reden else ''}: opnieuw betalen na controle IBAN")
        elif r.status == "onbetaald":
            c.fout(f"onbetaald: {r.end_to_end_id} {euro_tekst(r.verzonden)} aan {r.naam} (betaalrun {r.kenmerk}) "
                   "staat niet op het bankafschrift")
        else:
            c.fout(f"{r.status}: {r.end_to_end_id} verzonden {euro_tekst(r.verzonden)}, afgeschreven "
                   f"{euro_tekst(r.afgeschreven - r.teruggeboekt)}")
    return out, c
