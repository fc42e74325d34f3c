"""From an approved betaalrun to its documents: the SEPA pain.001.001.09 file and one
betaalspecificatie per werkgever. Reads what the run stored; never recomputes an amount.

One explanation is derived rather than stored: for a line of a plaatsing on verloonde uren
(rekenregels §7) the specificatie shows the month's hours and the subsidy per verloond uur.
They come from the calculation core run again on the facts as known at the run's
``feiten_per`` (the same knowledge the run used), for those plaatsingen and months only, and
each month's total is checked against the ``berekend_totaal`` the run stored: a specificatie
never explains an amount with figures that give another one (``BestandFout`` instead).

Everything derives from the run (ids, CreDtTm = approval moment, execution date) and from
the facts as known at its calculation, so regenerating gives identical bytes; a different
hash for a run that already has a file is refused (``lifecycle.bestand_vastleggen``).

Files are written atomically (``lks.atomic``). An export killed between a file's temporary
name and its rename leaves that temporary file in the run's folder; the next export removes
it before it writes (``show`` reports it). It never removes one an export running now is
writing: the export does not hold the betaalrun write lock while it writes files (only for the
moment it records the hash) — holding it through rendering and writing would stall every other
betaalrun step and, on SQLite, every import for as long, and a second export of the same run
writes the same bytes anyway. Instead each writer locks its own temporary file until after the
rename, and the cleanup skips every temporary file it cannot lock."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.atomic import TempFile, remove_stale_temp_files, temp_files, write_atomic
from lks.betaalrun import lifecycle as lc
from lks.db.models_betaalrun import Betaalregel, Betaalrun, Betaling, Vordering
from lks.calc import calculate
from lks.calc.model import CalcInput
from lks.documents.betaalspecificatie import (Specificatie, SpecificatieRegel, UrenDeel, VerloondeUren,
                                              mask_bsn, render_specificatie_html, render_specificatie_pdf,
                                              specificatie_csv)
from lks.documents.sepa import (Betaalbestand, Betaalopdracht, Debiteur, SepaFout, Transactie,
                                ustrd, write_pain001)
from lks.facts import load_fact_tables, load_facts, plaatsingen_met_ingetrokken
from lks.faults import crash_point
from lks.parameters import Parameters
from lks.rekeningen import in_gebruik
from lks.settings import Settings

BUDGET_CODE = {"buig": "BUIG", "reintegratie": "REIN"}
SPEC_CRASH = "specificaties.tijdelijk_bestand"  # lks.faults: a specificatie complete in its temporary file


class BestandFout(ValueError):
    """The documents of a run cannot be made (message in Dutch)."""


GEEN_BETAALBESTAND = "geen betaalbestand nodig: niets uit te betalen"
"""What a run without positive payments shows where another shows its SEPA file."""


@dataclass(frozen=True)
class Bestanden:
    map: Path
    sepa_pad: Path | None
    """None: the run pays nothing (only vorderingen, verrekening or no lines): no SEPA file."""
    sha256: str | None
    specificaties: int
    opgeruimd: tuple[Path, ...] = ()
    """Temporary files a killed export had left in the folder, removed before writing."""


def run_folder(out: Path, kenmerk: str) -> Path:
    """The folder of one run's files under ``out``: its SEPA file and specificaties."""
    return Path(out) / f"betaalrun-{kenmerk}"


def run_file_names(kenmerk: str) -> re.Pattern:
    """The names of the files one run writes (to find their temporary files, ``lks.atomic``)."""
    k = re.escape(kenmerk)
    return re.compile(rf"pain\.001-{k}\.xml|specificatie-{k}-.+\.(?:html|csv|pdf)")


def temp_files_of_run(out: Path, kenmerk: str) -> list[TempFile]:
    """Temporary files in the run's folder: left by a killed export (``in_use`` False; the
    next export removes them) or being written by one that runs now."""
    return temp_files(run_folder(out, kenmerk), run_file_names(kenmerk))


def _write_spec(path: Path, data: bytes) -> None:
    write_atomic(path, data, durable=False, crash_step=SPEC_CRASH)


def _frame(session: Session, query, columns) -> pd.DataFrame:
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def _gegevens(engine, periode: str, volgnummer: int | None, specificaties: bool, werkgever_id: str | None = None,
              *, params=None, settings: Settings | None = None):
    """What the files of an approved run are made from (all werkgevers, or one): the run,
    the facts as known at its calculation, payments, lines, vorderingen, the approved
    accounts, the plaatsingen (withdrawn ones included) and the verloonde uren of its lines."""
    with Session(engine, expire_on_commit=False) as session:
        run = lc.get_run(session, periode, volgnummer)
        if run.status not in ("goedgekeurd", "bestand_aangemaakt", "verzonden"):
            raise BestandFout(f"betaalrun {run.kenmerk} is '{run.status}': alleen een goedgekeurde "
                              "betaalrun krijgt een betaalbestand")
        # the SEPA file needs the werkgevers; the specificaties also who is placed where
        facts = load_fact_tables(session, ("werkgevers", "werknemers", "plaatsingen")
                                 if specificaties else ("werkgevers",), as_of=run.feiten_per)
        betalingen = _frame(session, select(Betaling.werkgever_id, Betaling.budget, Betaling.bruto,
                                            Betaling.verrekend, Betaling.bedrag, Betaling.end_to_end_id)
                            .where(Betaling.betaalrun_id == run.id).order_by(Betaling.werkgever_id, Betaling.budget),
                            ["werkgever_id", "budget", "bruto", "verrekend", "bedrag", "end_to_end_id"])
        regels = vorderingen = None
        if specificaties:  # the payment lines and vorderingen only matter to the specificaties
            regels = _frame(session, select(Betaalregel.werkgever_id, Betaalregel.plaatsing_id, Betaalregel.regeling,
                                            Betaalregel.budget, Betaalregel.periode, Betaalregel.soort,
                                            Betaalregel.lks_basis, Betaalregel.werkgeverslasten, Betaalregel.bedrag,
                                            Betaalregel.berekend_totaal)
                            .where(Betaalregel.betaalrun_id == run.id)
                            .order_by(Betaalregel.werkgever_id, Betaalregel.plaatsing_id, Betaalregel.periode),
                            ["werkgever_id", "plaatsing_id", "regeling", "budget", "periode", "soort",
                             "lks_basis", "werkgeverslasten", "bedrag", "berekend_totaal"])
            vorderingen = _frame(session, select(Vordering.werkgever_id, Vordering.budget, Vordering.bedrag)
                                 .where(Vordering.betaalrun_id == run.id),
                                 ["werkgever_id", "budget", "bedrag"])
        # paid to the account approved when the run was approved, never to a changed IBAN
        # that still waits (lks.rekeningen): the same file whenever it is made again
        rekeningen = in_gebruik(session.connection(), per=run.goedgekeurd_op)
        # a withdrawn plaatsing still has lines (what was paid on it is taken back) and a werknemer
        plaatsingen = (plaatsingen_met_ingetrokken(session, as_of=run.feiten_per).set_index("plaatsing_id")
                       if specificaties else None)
        if werkgever_id is not None:
            betalingen = betalingen[betalingen["werkgever_id"] == werkgever_id]
            if regels is not None:
                regels = regels[regels["werkgever_id"] == werkgever_id]
                vorderingen = vorderingen[vorderingen["werkgever_id"] == werkgever_id]
        uren = (_verloonde_uren(session, run, regels, plaatsingen, params, settings)
                if specificaties else {})
    return run, facts, betalingen, regels, vorderingen, rekeningen, plaatsingen, uren


def specificatie(engine, settings: Settings, periode: str, volgnummer: int | None, werkgever_id: str,
                 soort: str) -> tuple[bytes, str] | None:
    """One werkgever's betaalspecificatie of an approved run as ``html``, ``csv`` or ``pdf``,
    made from the run's data (byte for byte the file the export writes); None when the run
    paid or set off nothing for this werkgever."""
    run, facts, betalingen, regels, vorderingen, rekeningen, plaatsingen, uren = _gegevens(
        engine, periode, volgnummer, True, werkgever_id, settings=settings)
    werkgevers = _met_rekening_in_gebruik(facts["werkgevers"], rekeningen, run.kenmerk, betalingen)
    specs = _specificaties(run, settings, regels, betalingen, vorderingen, werkgevers,
                           facts["werknemers"].set_index("werknemer_id"), plaatsingen, uren)
    spec = dict(specs).get(werkgever_id)
    if spec is None:
        return None
    naam = f"specificatie-{run.kenmerk}-{werkgever_id}.{soort}"
    if soort == "html":
        return render_specificatie_html(spec).encode("utf-8"), naam
    if soort == "csv":
        return specificatie_csv(spec).encode("utf-8"), naam
    return render_specificatie_pdf(spec), naam


def maak_bestanden(engine, periode: str, volgnummer: int | None, gebruiker: str, now: dt.datetime,
                   settings: Settings, out: Path, progress=None,
                   pdf: bool | frozenset[str] = False, specificaties: bool = True,
                   client_adres: str | None = None, params: Parameters | None = None) -> Bestanden:
    """Write the specificaties (HTML and CSV; PDF for all werkgevers when ``pdf`` is True, or for
    the werkgever ids in ``pdf``) and the SEPA file, and record the file's hash. ``params``: the
    gemeente's parameters (default ``Parameters.voor(settings)``), only read when a line is on
    verloonde uren."""
    out = Path(out)
    run, facts, betalingen, regels, vorderingen, rekeningen, plaatsingen, uren = _gegevens(
        engine, periode, volgnummer, specificaties, params=params, settings=settings)
    werkgevers = _met_rekening_in_gebruik(facts["werkgevers"], rekeningen, run.kenmerk, betalingen)
    kenmerk = run.kenmerk
    folder = run_folder(out, kenmerk)
    folder.mkdir(parents=True, exist_ok=True)
    # what a killed export left (a temporary file beside the final one, perhaps with the same
    # MsgId, perhaps half-written) goes before anything new is written; a temporary file of an
    # export running now is locked by it and stays (lks.atomic)
    opgeruimd = remove_stale_temp_files(folder, run_file_names(kenmerk))

    specs = (_specificaties(run, settings, regels, betalingen, vorderingen, werkgevers,
                            facts["werknemers"].set_index("werknemer_id"),
                            plaatsingen, uren) if specificaties else [])
    for werkgever_id, spec in specs:
        base = folder / f"specificatie-{kenmerk}-{werkgever_id}"
        # derived documents by the thousand: atomic, not flushed one by one (lks.atomic)
        _write_spec(base.with_suffix(".html"), render_specificatie_html(spec).encode("utf-8"))
        _write_spec(base.with_suffix(".csv"), specificatie_csv(spec).encode("utf-8"))
        if pdf is True or (pdf and werkgever_id in pdf):
            _write_spec(base.with_suffix(".pdf"), render_specificatie_pdf(spec))

    bestand = _betaalbestand(run, settings, betalingen, werkgevers)
    if bestand is None:
        # Nothing positive to pay (only vorderingen or verrekening, or no lines at all): the
        # bank gets nothing, the werkgevers get their specificaties. The run is recorded as
        # bestand_aangemaakt without a file name or hash, and then closed with the usual
        # mark-sent step (lifecycle.verzonden): the finance team keeps one routine for every
        # run (export, then mark-sent; scripts and runbooks need no branch), and closing stays a
        # person's deliberate act recorded with their name, as for a run the bank was sent.
        crash_point("bestand.voor_vastleggen")
        lc.bestand_vastleggen(engine, run.id, gebruiker, now, None, None, client_adres)
        return Bestanden(folder, None, None, len(specs), tuple(opgeruimd))
    sepa_pad = folder / f"pain.001-{kenmerk}.xml"
    try:
        sha = write_pain001(bestand, sepa_pad)
    except SepaFout as exc:
        raise BestandFout(f"SEPA-bestand van betaalrun {kenmerk} afgekeurd: {exc}") from None
    crash_point("bestand.voor_vastleggen")
    lc.bestand_vastleggen(engine, run.id, gebruiker, now, sepa_pad.name, sha, client_adres)
    return Bestanden(folder, sepa_pad, sha, len(specs), tuple(opgeruimd))


def _met_rekening_in_gebruik(werkgevers: pd.DataFrame, rekeningen: pd.DataFrame, kenmerk: str,
                             betalingen: pd.DataFrame) -> pd.DataFrame:
    """The werkgevers (indexed by id) with the IBAN and BIC of their approved account."""
    werkgevers = werkgevers.set_index("werkgever_id")
    rek = rekeningen.set_index("werkgever_id")
    betaald = set(betalingen.loc[betalingen["bedrag"] > 0, "werkgever_id"])
    zonder = sorted(betaald - set(rek.index))
    if zonder:
        raise BestandFout(f"betaalrun {kenmerk}: geen goedgekeurd rekeningnummer voor werkgever(s) "
                          f"{', '.join(zonder[:5])}; een goedkeurder moet het rekeningnummer eerst goedkeuren")
    gedeeld = werkgevers.index.intersection(rek.index)
    werkgevers.loc[gedeeld, "iban"] = rek.loc[gedeeld, "iban"]
    werkgevers.loc[gedeeld, "bic"] = rek.loc[gedeeld, "bic"]
    return werkgevers


def omschrijving(periode: str, kenmerk: str, budget: str, werkgever_id: str, naam: str) -> str:
    """The remittance text (Ustrd) a werkgever finds on its bank statement for a payment."""
    return ustrd(periode, kenmerk, BUDGET_CODE[budget], werkgever_id, naam)


def _debiteur(settings: Settings) -> Debiteur:
    g = settings.gemeente
    return Debiteur(naam=g.naam, iban=g.iban, bic=g.bic, straat=g.straat, huisnummer=str(g.huisnummer),
                    postcode=g.postcode, plaats=g.plaats)


def _betaalbestand(run: Betaalrun, settings: Settings, betalingen: pd.DataFrame,
                   werkgevers: pd.DataFrame) -> Betaalbestand | None:
    opdrachten = []
    kenmerk = run.kenmerk
    # the werkgevers paid, as dicts of the columns a transfer needs, made once for both budgets
    betaald = werkgevers.loc[werkgevers.index.isin(betalingen.loc[betalingen["bedrag"] > 0, "werkgever_id"]),
                             ["naam", "iban", "bic", "straat", "huisnummer", "postcode", "plaats"]]
    rows_w = betaald.to_dict("index")
    for budget in ("buig", "reintegratie"):
        rows = betalingen[(betalingen["budget"] == budget) & (betalingen["bedrag"] > 0)]
        if rows.empty:
            continue
        transacties = []
        for row in rows.itertuples(index=False):
            w = rows_w[row.werkgever_id]
            transacties.append(Transactie(
                end_to_end_id=row.end_to_end_id, bedrag_cent=int(row.bedrag), naam=w["naam"],
                iban=w["iban"], bic=w["bic"] if isinstance(w["bic"], str) and w["bic"] else None, straat=w["straat"], huisnummer=str(w["huisnummer"]),
                postcode=w["postcode"], plaats=w["plaats"],
                omschrijving=omschrijving(run.periode, kenmerk, budget, row.werkgever_id, w["naam"])))
        opdrachten.append(Betaalopdracht(
            pmt_inf_id=f"LKS-{run.periode.replace('-', '')}-{run.volgnummer}-{BUDGET_CODE[budget]}",
            budget=budget, uitvoerdatum=run.uitvoerdatum, transacties=tuple(transacties)))
    if not opdrachten:
        return None
    return Betaalbestand(msg_id=f"LKS-{run.periode.replace('-', '')}-{run.volgnummer}",
                         aangemaakt=run.goedgekeurd_op, initiator_naam=settings.gemeente.naam,
                         debiteur=_debiteur(settings), opdrachten=tuple(opdrachten))


def _specificaties(run, settings, regels, betalingen, vorderingen, werkgevers, werknemers, plaatsingen,
                   uren: dict[tuple[str, str], VerloondeUren]):
    g = settings.gemeente
    gemeente_adres = (f"{g.straat} {g.huisnummer}", f"{g.postcode} {g.plaats}")
    # werknemer name and masked BSN per line, joined once (not looked up per line)
    personen = plaatsingen[["werknemer_id"]].join(werknemers[["naam", "bsn"]], on="werknemer_id")
    regels = regels.join(personen[["naam", "bsn"]], on="plaatsing_id")
    per_werkgever = {k: g for k, g in regels.groupby("werkgever_id", sort=True)}
    betaald = {k: g for k, g in betalingen.groupby("werkgever_id", sort=True)}
    gevorderd = {k: g for k, g in vorderingen.groupby("werkgever_id", sort=True)}
    leeg = regels.iloc[0:0]
    werkgever_rows = werkgevers.to_dict("index")
    out = []
    for werkgever_id in sorted(set(per_werkgever) | set(betaald)):
        w = werkgever_rows[werkgever_id]
        eigen = per_werkgever.get(werkgever_id, leeg)
        spec_regels = tuple(
            SpecificatieRegel(
                plaatsing_id=r.plaatsing_id, werknemer_naam=r.naam, bsn_masked=mask_bsn(r.bsn),
                regeling=r.regeling, budget=r.budget, periode=r.periode, soort=r.soort,
                lks_basis_cent=int(r.lks_basis), werkgeverslasten_cent=int(r.werkgeverslasten),
                bedrag_cent=int(r.bedrag), verloonde_uren=uren.get((r.plaatsing_id, r.periode)))
            for r in eigen.itertuples(index=False))
        b = betaald.get(werkgever_id, betalingen.iloc[0:0])
        v = gevorderd.get(werkgever_id, vorderingen.iloc[0:0])
        budgets = set(eigen["budget"]) | set(b["budget"]) | set(v["budget"])
        som = lambda frame, budget, column: int(frame.loc[frame["budget"] == budget, column].sum())  # noqa: E731
        out.append((werkgever_id, Specificatie(
            gemeente_naam=g.naam, gemeente_adres=gemeente_adres, werkgever_naam=w["naam"],
            werkgever_adres=(f"{w['straat']} {w['huisnummer']}", f"{w['postcode']} {w['plaats']}"),
            werkgever_iban=w["iban"], betaalrun_kenmerk=run.kenmerk, periode=run.periode,
            datum=run.goedgekeurd_op.date(), regels=spec_regels,
            uitbetaald_per_budget={x: som(b, x, "bedrag") for x in budgets},
            verrekend_per_budget={x: som(b, x, "verrekend") for x in budgets},
            nieuwe_vordering_per_budget={x: som(v, x, "bedrag") for x in budgets})))
    return out


def _verloonde_uren(session: Session, run: Betaalrun, regels: pd.DataFrame, plaatsingen: pd.DataFrame,
                    params: Parameters | None, settings: Settings) -> dict[tuple[str, str], VerloondeUren]:
    """Per (plaatsing, periode) of a line on verloonde uren: the month's hours and the subsidy
    per verloond uur as the run's calculation used them (rekenregels §7). The core runs again
    on the facts as known at ``feiten_per``, per periode for the plaatsingen with a line in it;
    its month total must be the ``berekend_totaal`` the run stored. A withdrawn plaatsing (its
    lines take the money back) and a month no longer calculated get no hours."""
    verloond = plaatsingen.index[(plaatsingen["urenbasis"] == "verloond") & plaatsingen["ingetrokken"].isna()]
    lijnen = regels[regels["plaatsing_id"].isin(verloond)]
    if lijnen.empty:
        return {}
    params = params if params is not None else Parameters.voor(settings)
    invoer = load_facts(session, as_of=run.feiten_per).to_calc_input()
    out: dict[tuple[str, str], VerloondeUren] = {}
    for periode, groep in lijnen.groupby("periode", sort=True):
        ids = set(groep["plaatsing_id"])
        deel = CalcInput(**{naam: frame[frame["plaatsing_id"].isin(ids)] for naam, frame in vars(invoer).items()})
        result = calculate(deel, periode, periode, params, settings.policy(), explain=True)
        totaal = dict(zip(result.plaatsing_maanden["plaatsing_id"], result.plaatsing_maanden["lks_totaal"]))
        for pid, berekend in zip(groep["plaatsing_id"], groep["berekend_totaal"]):
            if pid in totaal and int(totaal[pid]) != int(berekend):
                raise BestandFout(
                    f"betaalrun {run.kenmerk}: plaatsing {pid} in {periode} geeft nu {int(totaal[pid])} cent, de "
                    f"betaalrun berekende {int(berekend)} cent met dezelfde gegevens; zijn de instellingen "
                    "(indexatie) of parameters sinds de berekening gewijzigd? De specificatie kan de uren en het "
                    "bedrag per uur zo niet verantwoorden")
        for pid, segmenten in result.segments.groupby("plaatsing_id", sort=False):
            out[(pid, periode)] = _uren_van_de_maand(segmenten)
    return out


def _uren_van_de_maand(segmenten: pd.DataFrame) -> VerloondeUren:
    """The hours and hourly amounts of one plaatsing-month from its segments: each distinct
    subsidy per verloond uur (hourly WML × staffel × (1 + VB) × fractie, exact) with the hours
    it applied to (the spread hours, or the cao maximum where that applies), in order of time."""
    eerste = segmenten.iloc[0]
    if not bool(eerste["uren_bekend"]):
        return VerloondeUren(uren=None)
    delen: dict[Fraction, Fraction] = {}
    for s in segmenten.itertuples(index=False):
        uurbedrag = Fraction(int(s.wml_uur) * int(s.staffel_num) * int(s.vb_num) * int(s.fractie_num),
                             int(s.staffel_den) * int(s.vb_den) * int(s.fractie_den))
        uren = (Fraction(int(s.maximum_num), int(s.maximum_den)) if s.begrensd
                else Fraction(int(s.spreiding_num), int(s.spreiding_den)))
        delen[uurbedrag] = delen.get(uurbedrag, Fraction(0)) + uren
    return VerloondeUren(uren=Fraction(int(eerste["verloonde_uren"]), 100),
                         delen=tuple(UrenDeel(u, b) for b, u in delen.items()),
                         begrensd=bool(segmenten["begrensd"].any()))
