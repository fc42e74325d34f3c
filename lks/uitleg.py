"""``lks uitleg``: the derivation of one plaatsing-month in Dutch, from the core's own segments.

Nothing is recomputed here except the display of exact fractions: the segments carry every
value the core used (WML, staffel, fractie, urenfactor, rule variant; for verloonde uren the
delivered hours, their spread over the segments, the maximum and whether it applied), and the
parameter files carry the legal references."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd

from lks.calc import CalcResult, Policy
from lks.calc.rules import WEKEN_PER_MAAND
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
    "uren_ontbreken": "verloonde uren van deze maand nog niet aangeleverd; zodra ze bekend zijn, "
                      "betaalt de volgende betaalrun de maand als correctie (rekenregels §7)",
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
    verloond = bool(len(segs)) and "urenbasis" in segs and segs["urenbasis"].iloc[0] == "verloond"
    lines = [
        f"Uitleg loonkostensubsidie — plaatsing {plaatsing_id}, periode {periode}",
        f"Regeling: {regeling} — grondslag: {GRONDSLAG[regeling]}",
        f"Budget: {BUDGET_TEKST[str(row['budget'])]}",
        f"Indexatie: {policy.indexatie}"
        + (" (WML van de dag zelf)" if policy.indexatie == "halfjaarlijks"
           else " (WML van 1 januari of de startdatum, Pw art. 10d lid 7)"),
        f"Actieve dagen: {int(row['dagen_actief'])} van {int(row['dagen_maand'])}",
    ]
    if verloond:
        lines += _verloond_kop(segs.iloc[0], periode, int(row["dagen_actief"]))
    lines.append("")
    total = Fraction(0)
    for i, seg in enumerate(segs.itertuples(index=False), start=1):
        if verloond:
            bijdrage, regels = _verloond_segment(i, seg, regeling, params)
            total += bijdrage
            lines += regels
            continue
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


def _uren(hundredths: int) -> str:
    return getal(Fraction(int(hundredths), 100), 2)


def _verloond_kop(seg, periode: str, actief: int) -> list[str]:
    kop = ["Urenbasis: verloonde uren (uren volgens de loonstrook, rekenregels §7); "
           "de contracturen tellen niet mee"]
    if seg.uren_bekend:
        kop.append(f"Verloonde uren {periode}: {_uren(seg.verloonde_uren)} uur, gelijk verdeeld over "
                   f"de {actief} actieve dagen")
    else:
        kop.append(f"Verloonde uren {periode}: niet aangeleverd — geen subsidie tot de uren bekend "
                   "zijn (uren_ontbreken)")
    return kop


def _verloond_segment(i: int, seg, regeling: str, params: Parameters) -> tuple[Fraction, list[str]]:
    """One segment on verloonde uren: hourly amount × min(spread hours, maximum)."""
    van, tot = _date(seg.van), _date(seg.tot)
    peil = _date(seg.wml_peildatum)
    staffel = Fraction(int(seg.staffel_num), int(seg.staffel_den))
    vb = Fraction(int(seg.vb_num), int(seg.vb_den))
    fractie = Fraction(int(seg.fractie_num), int(seg.fractie_den))
    uurbedrag = Fraction(int(seg.wml_uur), 100) * staffel * vb * fractie
    lines = [
        f"Segment {i}: {datum(van)} t/m {datum(tot)} ({seg.dagen} van {seg.dagen_maand} dagen)",
        f"  WML per uur (minimumuurloon 21+) geldig op {datum(peil)}: {euro(seg.wml_uur)}"
        f" — {params['wml_uurloon'].reference_at(peil)}",
        f"  Leeftijd {seg.leeftijd} jaar: jeugdloonstaffel {procent(staffel)}"
        f" — {params['jeugdloon_staffel'].reference_at(van)}",
        f"  Vakantiebijslag: factor {getal(vb)} — {params['vakantiebijslag'].reference_at(van)}",
        "  Fractie: " + _fractie_tekst(seg, regeling, fractie, params, van),
        f"  Uurbedrag = {bedrag(seg.wml_uur)} × {getal(staffel)} × {getal(vb)} × {getal(fractie)}"
        f" = {getal(uurbedrag)}",
    ]
    if not seg.uren_bekend:
        lines += ["  Uren: verloonde uren ontbreken → 0 uur", "  Bijdrage = 0"]
    else:
        spreiding = Fraction(int(seg.spreiding_num), int(seg.spreiding_den))
        maximum = Fraction(int(seg.maximum_num), int(seg.maximum_den))
        weken = Fraction(*WEKEN_PER_MAAND)
        uren = min(spreiding, maximum)
        lines += [
            f"  Uren: {_uren(seg.verloonde_uren)} × {seg.dagen}/{seg.dagen_actief} = {getal(spreiding)} uur"
            " (verdeeld over de actieve dagen)",
            f"  Maximum: {_uren(seg.voltijdsuren)} voltijdsuren × {weken.numerator}/{weken.denominator}"
            f" weken × {seg.dagen}/{seg.dagen_maand} = {getal(maximum)} uur — "
            + ("bereikt: er tellen " + getal(uren) + " uur" if seg.begrensd else "niet bereikt"),
            f"  Bijdrage = uurbedrag × {getal(uren)} uur = {getal(uurbedrag * uren)}",
        ]
        uurbedrag = uurbedrag * uren
    if seg.reden:
        lines.append(f"  Reden: {seg.reden}")
    lines.append("")
    return (uurbedrag if seg.uren_bekend else Fraction(0)), lines


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

