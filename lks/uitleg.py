"""``lks uitleg``: the derivation of one plaatsing-month in Dutch, from the core's own segments.

Nothing is recomputed here except the display of exact fractions: the segments carry every
value the core used (WML, staffel, fractie, urenfactor, rule variant), and the parameter
files carry the legal references."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd

from lks.calc import CalcResult, Policy
from lks.nl import bedrag, datum, euro, getal, procent
from lks.parameters import Parameters

GRONDSLAG = {
    "lks": "Participatiewet art. 10d lid 4 (loonwaarde) en lid 5 (forfait)",
    "beschut": "Participatiewet art. 10b lid 9 jo. art. 10d (beschut werk)",
    "ontwikkelbaan": "Re-integratieverordening, ontwikkelbaan (re-integratiebeleid 2024-2028)",
}
BUDGET_TEKST = {"buig": "BUIG (Participatiewet art. 69)", "reintegratie": "re-integratiebudget"}
REDEN_UITLEG = {
    "loonwaarde_ontbreekt": "geen loonwaarde vastgesteld na afloop van de forfaitaire periode (Pw art. 10d lid 5)",
    "loonwaarde_100": "loonwaarde 100 % of hoger: geen loonkostensubsidie (Pw art. 10d lid 4)",
    "maximale_duur": "ontwikkelbaan langer dan de maximale duur",
    "niet_actief": "plaatsing niet de hele maand actief (deel van de maand)",
}


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


def uitleg(result: CalcResult, plaatsing_id: str, periode: str, params: Parameters,
           policy: Policy) -> list[str]:
    """Lines of Dutch text that explain one plaatsing-month (empty when it has no row)."""
    months = result.plaatsing_maanden
    row = months[(months["plaatsing_id"] == plaatsing_id) & (months["periode"] == periode)]
    if row.empty:
        return []
    row = row.iloc[0]
    segs = result.segments
    segs = segs[(segs["plaatsing_id"] == plaatsing_id) & (segs["periode"] == periode)]
    regeling = str(row["regeling"])
    lines = [
        f"Uitleg loonkostensubsidie — plaatsing {plaatsing_id}, periode {periode}",
        f"Regeling: {regeling} — grondslag: {GRONDSLAG[regeling]}",
        f"Budget: {BUDGET_TEKST[str(row['budget'])]}",
        f"Indexatie: {policy.indexatie}"
        + (" (WML van de dag zelf)" if policy.indexatie == "halfjaarlijks"
           else " (WML van 1 januari of de startdatum, Pw art. 10d lid 7)"),
        f"Actieve dagen: {int(row['dagen_actief'])} van {int(row['dagen_maand'])}",
        "",
    ]
    total = Fraction(0)
    for i, seg in enumerate(segs.itertuples(index=False), start=1):
        van, tot = _date(seg.van), _date(seg.tot)
        peil = _date(seg.wml_peildatum)
        wml = Fraction(int(seg.wml), 100)
        staffel = Fraction(int(seg.staffel_num), int(seg.staffel_den))
        vb = Fraction(int(seg.vb_num), int(seg.vb_den))
        fractie = Fraction(int(seg.fractie_num), int(seg.fractie_den))
        uren = Fraction(int(seg.uren_num), int(seg.uren_den))
        maandbedrag = wml * staffel * vb * fractie * uren
        bijdrage = maandbedrag * int(seg.dagen) / int(seg.dagen_maand)
        total += bijdrage
        lines += [
            f"Segment {i}: {datum(van)} t/m {datum(tot)} ({seg.dagen} van {seg.dagen_maand} dagen)",
            f"  WML (referentiemaandloon 21+) geldig op {datum(peil)}: {euro(seg.wml)}"
            f" — {params['wml_maandloon'].reference_at(peil)}",
            f"  Leeftijd {seg.leeftijd} jaar: jeugdloonstaffel {procent(staffel)}"
            f" — {params['jeugdloon_staffel'].reference_at(van)}",
            f"  Vakantiebijslag: factor {getal(vb)} — {params['vakantiebijslag'].reference_at(van)}",
            "  Fractie: " + _fractie_tekst(seg, regeling, fractie, params, van),
            "  Urenfactor: " + _uren_tekst(seg, uren, params, van),
            f"  Maandbedrag = {bedrag(seg.wml)} × {getal(staffel)} × {getal(vb)} × {getal(fractie)} × "
            f"{getal(uren)} = {getal(maandbedrag)}",
            f"  Bijdrage = maandbedrag × {seg.dagen}/{seg.dagen_maand} = {getal(bijdrage)}",
        ]
        if seg.reden:
            lines.append(f"  Reden: {seg.reden}")
        lines.append("")
    maand_start = dt.date.fromisoformat(periode + "-01")
    wgl_pct = params["werkgeverslasten"].at(maand_start)
    wgl_ref = params["werkgeverslasten"].reference_at(maand_start)
    lks_basis = int(row["lks_basis"])
    wgl = int(row["werkgeverslasten"])
    lines += [
        f"lks_basis exact = {getal(total, 8)} euro",
        f"lks_basis afgerond (half naar boven, op centen): {euro(lks_basis)}",
    ]
    if regeling == "ontwikkelbaan" and not policy.ontwikkelbaan_werkgeverslasten:
        lines.append(f"werkgeverslasten: {euro(wgl)} (beleid: niet bij de ontwikkelbaan)")
    else:
        exact = Fraction(lks_basis, 100) * wgl_pct
        lines.append(f"werkgeverslasten = {getal(Fraction(lks_basis, 100), 2)} × {procent(wgl_pct)} = "
                     f"{getal(exact, 8)} → afgerond {euro(wgl)} — {wgl_ref}")
    lines.append(f"lks_totaal = {euro(lks_basis)} + {euro(wgl)} = {euro(int(row['lks_totaal']))}")
    redenen = [r for r in str(row["reden"]).split(";") if r]
    lines.append("Redenen: " + ("; ".join(f"{r} — {REDEN_UITLEG[r]}" for r in redenen) if redenen else "geen"))
    return lines


def _fractie_tekst(seg, regeling: str, fractie: Fraction, params: Parameters, day: dt.date) -> str:
    if regeling == "beschut":
        return f"beschut werk {procent(fractie)} — {params['beschut_fractie'].reference_at(day)}"
    if regeling == "ontwikkelbaan":
        if fractie == 0:
            return f"0 (maximale duur bereikt) — {params['ontwikkelbaan_maanden'].reference_at(day)}"
        return f"ontwikkelbaan {procent(fractie)} — {params['ontwikkelbaan_fractie'].reference_at(day)}"
    if seg.heeft_loonwaarde:
        lw = Fraction(int(seg.loonwaarde), 10_000)
        cap = params["lks_maximum"].at(day)
        return (f"loonwaarde {procent(lw)} → min(1 − {getal(lw)}; {getal(cap)}) = {getal(fractie)}"
                f" — {params['lks_maximum'].reference_at(day)}")
    if fractie:
        return f"forfait {procent(fractie)} (nog geen loonwaarde) — {params['forfait_fractie'].reference_at(day)}"
    return "0 (geen loonwaarde na de forfaitaire periode) — Participatiewet art. 10d lid 5"


def _uren_tekst(seg, uren: Fraction, params: Parameters, day: dt.date) -> str:
    c, v = Fraction(int(seg.contracturen), 100), Fraction(int(seg.voltijdsuren), 100)
    if seg.urenregel == "referentie":
        wk = params["referentie_weekuren"].at(day)
        noemer = f"{getal(wk)} (referentie-uren)"
    else:
        noemer = f"{getal(v)} (voltijdsuren, regel vóór 2024)"
    return (f"min({getal(c)}; {getal(v)}) / {noemer} = {getal(uren)}"
            f" — {params['urenfactor_regel'].reference_at(day)}")

