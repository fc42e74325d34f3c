"""Rendering of a ``Rapport``: rich terminal tables, an Excel workbook (one sheet per view,
Dutch headers, amounts as numbers in € format) and a self-contained HTML report with inline
SVG charts (no JavaScript, no external resources)."""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape
from rich.markup import escape as rich_escape
from rich.table import Table

from lks.nl import bedrag, euro
from lks.paths import TEMPLATES_DIR
from lks.nl import datum
from lks.verantwoording.rapport import BUDGET_LABEL, REGELING_LABEL, URENBASIS_LABEL, Rapport

MAANDNAMEN = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
KLEUR = {"buig": "#1f5f8b", "reintegratie": "#c2571a"}


def _maandlabel(maand: str) -> str:
    return MAANDNAMEN[int(maand[5:7]) - 1]


def _cent(value) -> int:
    return 0 if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else int(value)


# --------------------------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------------------------

def print_rapport(rapport: Rapport, console) -> None:
    r = rapport
    console.print(f"[bold]Verantwoording loonkostensubsidie {r.gemeente} {r.jaar}[/] — gerealiseerd t/m "
                  f"{r.periode or '(nog niets)'}; laatste goedgekeurde betaalrun {r.laatste_run or '-'}", highlight=False)
    t = Table(title="Per budget (lasten naar loonperiode)")
    for c in ("budget", "begroot", "goedgekeurd", "open correcties", "prognose rest", "verwacht", "ruimte", "benutting"):
        t.add_column(c, justify="left" if c == "budget" else "right")
    for b in r.budget.itertuples():
        t.add_row(b.naam, bedrag(b.begroot) if pd.notna(b.begroot) else "—", bedrag(b.gerealiseerd),
                  bedrag(b.open_correcties), bedrag(b.prognose) + (" *" if b.prognose_wml_aangenomen else ""),
                  bedrag(b.verwacht), bedrag(b.ruimte) if pd.notna(b.ruimte) else "—",
                  f"{b.benutting:.1f} %".replace(".", ",") if pd.notna(b.benutting) else "—")
    console.print(t)
    for m in r.prognose_meldingen:
        console.print(f"* {m}", highlight=False)

    t = Table(title="Per maand (loonperiode)")
    for c in ("maand", "BUIG goedgekeurd", "BUIG open", "re-int. goedgekeurd", "re-int. open", "SEPA (betaalmaand)",
              "verrekend", "nieuwe vorderingen", "ontvangen"):
        t.add_column(c, justify="left" if c == "maand" else "right")
    m = r.maanden
    for maand in sorted(set(m["maand"])):
        rows = m[m["maand"] == maand].set_index("budget")
        if not rows["gerealiseerd"].any():
            continue
        t.add_row(maand, bedrag(rows.loc["buig", "goedgekeurd"]), bedrag(rows.loc["buig", "open"]),
                  bedrag(rows.loc["reintegratie", "goedgekeurd"]), bedrag(rows.loc["reintegratie", "open"]),
                  bedrag(rows["sepa"].sum()), bedrag(rows["verrekend"].sum()), bedrag(rows["nieuwe_vorderingen"].sum()),
                  bedrag(rows["ontvangen"].sum()))
    console.print(t)

    t = Table(title="Per regeling")
    for c in ("budget", "regeling", "plaatsingen", "berekend", "goedgekeurd", "betaald", "open"):
        t.add_column(c, justify="left" if c in ("budget", "regeling") else "right")
    for x in r.per_regeling.itertuples():
        t.add_row(BUDGET_LABEL[x.budget], REGELING_LABEL.get(x.regeling, x.regeling), str(x.plaatsingen),
                  bedrag(x.berekend), bedrag(x.goedgekeurd), bedrag(x.betaald), bedrag(x.open))
    console.print(t)

    t = Table(title="Contracturen en verloonde uren")
    for c in ("budget", "grondslag", "plaatsingen", "berekend", "goedgekeurd", "betaald", "open"):
        t.add_column(c, justify="left" if c in ("budget", "grondslag") else "right")
    for x in r.per_urenbasis.itertuples():
        t.add_row(BUDGET_LABEL[x.budget], URENBASIS_LABEL[x.urenbasis], str(x.plaatsingen), bedrag(x.berekend),
                  bedrag(x.goedgekeurd), bedrag(x.betaald), bedrag(x.open))
    console.print(t)
    console.print(loonstroken_regel(r), highlight=False)
    if len(r.loonstroken):
        t = Table(title="Maanden die wachten op een loonstrook")
        for c in ("maand", "plaatsing", "werkgever", "budget", "uiterlijk", "ten hoogste"):
            t.add_column(c, justify="right" if c == "ten hoogste" else "left")
        for x in r.loonstroken.head(20).itertuples():
            t.add_row(x.periode, x.plaatsing_id, f"{x.werkgever_id} {x.werkgever}", BUDGET_LABEL.get(x.budget, ""),
                      datum(x.uiterlijk) + (" (te laat)" if x.te_laat else ""),
                      "—" if x.maximum is None else bedrag(x.maximum))
        console.print(t)
        if len(r.loonstroken) > 20:
            console.print(f"  … en {len(r.loonstroken) - 20} meer (zie Excel/HTML)")

    t = Table(title=f"SiSa {r.jaar} (excl. Rijk)")
    for c in ("onderdeel", "besteding", "baten", "netto", "regels"):
        t.add_column(c, justify="left" if c == "onderdeel" else "right")
    for s in r.sisa.itertuples():
        naam = "LKS art. 10d Pw (BUIG, incl. beschut)" if s.budget == "buig" else "Ontwikkelbaan (re-integratie)"
        t.add_row(naam, bedrag(s.besteding), bedrag(s.baten), bedrag(s.netto), str(s.regels))
    console.print(t)

    t = Table(title="Controles")
    for c in ("code", "controle", "gecontroleerd", "uitkomst"):
        t.add_column(c, justify="right" if c == "gecontroleerd" else "left")
    # rich markup escaping for the terminal (plain text comes out), never HTML escaping: the
    # HTML report's template escapes the same texts itself, once
    for c in r.controles:
        uitkomst = ("[green]klopt[/]" if c.ok else
                    ("[yellow]n.v.t.[/] " + rich_escape(c.uitzonderingen[0]) if c.niet_van_toepassing
                     else f"[red]{len(c.uitzonderingen)} uitzondering(en)[/]"))
        t.add_row(c.code, rich_escape(c.titel), str(c.gecontroleerd), uitkomst)
    console.print(t)
    for c in r.controles:
        if not c.ok and not c.niet_van_toepassing:
            console.print(f"[bold]{c.code} {rich_escape(c.titel)}[/]")
            for u in c.uitzonderingen[:20]:
                console.print(f"  - {rich_escape(u)}", highlight=False)
            if len(c.uitzonderingen) > 20:
                console.print(f"  … en {len(c.uitzonderingen) - 20} meer (zie Excel/HTML)")


def loonstroken_regel(r: Rapport) -> str:
    """One Dutch sentence: how many months of the year wait for their loonstrook at the
    reporting date, and the most they can cost."""
    peil = datum(r.peildatum) if r.peildatum else "nu"
    n = len(r.loonstroken)
    if not n:
        return f"Loonstroken: op {peil} wacht geen maand van {r.jaar} meer op de verloonde uren."
    tekst = (f"Loonstroken: op {peil} wachten {n} plaatsing-maand{'en' if n != 1 else ''} van {r.jaar} op de "
             f"verloonde uren ({int(r.loonstroken['plaatsing_id'].nunique())} plaatsing(en), "
             f"{int(r.loonstroken['werkgever_id'].nunique())} werkgever(s)); betaald is daarover nog 0")
    maxima = r.loonstroken["maximum"]
    if maxima.notna().all():
        tekst += (f", ten hoogste {euro(int(maxima.sum()))} als voor elke maand het maximum van de cao "
                  "(voltijdsuren × 13/3) wordt verloond")
    return tekst + "."


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

EURO_FORMAT = '"€" #,##0.00;[Red]"€" -#,##0.00'


def _sheets(r: Rapport) -> list[tuple[str, list[tuple[str, str, str]], pd.DataFrame]]:
    """(sheet name, [(column, Dutch header, kind)], frame); kind: euro, tekst, getal, bool."""
    E, T, G, B = "euro", "tekst", "getal", "bool"
    budget_naam = lambda f: f.assign(budget=f["budget"].map(BUDGET_LABEL).fillna(f["budget"]))  # noqa: E731
    controles = pd.DataFrame(
        [dict(code=c.code, titel=c.titel, uitkomst="klopt" if c.ok else ("n.v.t." if c.niet_van_toepassing else "uitzondering"),
              gecontroleerd=c.gecontroleerd, uitzondering=u)
         for c in r.controles for u in (c.uitzonderingen or [""])])
    sisa = r.sisa.assign(onderdeel=r.sisa["budget"].map(
        {"buig": "Besteding/baten loonkostensubsidie art. 10d Participatiewet (excl. Rijk), incl. beschut werk",
         "reintegratie": "Ontwikkelbaan (re-integratiebudget), apart verantwoord"}))
    return [
        ("Budget en prognose", [("naam", "Budget", T), ("begroot", "Begroot", E), ("gerealiseerd", "Goedgekeurd (t/m peilmaand)", E),
                                ("open_correcties", "Openstaande correcties", E), ("prognose", "Prognose resterende maanden", E),
                                ("verwacht", "Verwacht jaartotaal", E), ("ruimte", "Ruimte", E), ("benutting", "Benutting %", G),
                                ("prognose_wml_aangenomen", "Prognose met aangenomen WML", B), ("bron", "Bron budget", T)],
         r.budget),
        ("Maanden", [("budget", "Budget", T), ("maand", "Maand (loonperiode)", T), ("gerealiseerd", "Gerealiseerd", B),
                     ("berekend", "Berekend (kennis van nu)", E), ("goedgekeurd", "Goedgekeurd", E), ("betaald", "Betaald (verzonden)", E),
                     ("open", "Open correctie", E), ("prognose", "Prognose", E), ("wml_aangenomen", "WML aangenomen", B),
                     ("cum_goedgekeurd", "Cumulatief goedgekeurd", E), ("cum_verwacht", "Cumulatief verwacht", E),
                     ("sepa", "SEPA betaald (betaalmaand)", E), ("verrekend", "Verrekend", E),
                     ("nieuwe_vorderingen", "Nieuwe vorderingen", E), ("ontvangen", "Ontvangen", E),
                     ("open_vorderingen", "Open vorderingen (eind maand)", E)], budget_naam(r.maanden)),
        ("Per regeling", [("budget", "Budget", T), ("regeling", "Regeling", T), ("plaatsingen", "Plaatsingen", G),
                          ("berekend", "Berekend", E), ("goedgekeurd", "Goedgekeurd", E), ("betaald", "Betaald", E),
                          ("open", "Open correctie", E)], budget_naam(r.per_regeling)),
        ("Per werkgever", [("werkgever_id", "Werkgever", T), ("naam", "Naam", T), ("budget", "Budget", T),
                           ("berekend", "Berekend", E), ("goedgekeurd", "Goedgekeurd", E), ("betaald", "Betaald", E),
                           ("open", "Open correctie", E), ("sepa", "SEPA betaald", E), ("verrekend", "Verrekend", E),
                           ("nieuwe_vorderingen", "Nieuwe vorderingen", E), ("ontvangen", "Ontvangen", E),
                           ("open_vordering", "Open vordering", E)], budget_naam(r.per_werkgever)),
        ("Betaalruns", [("kenmerk", "Betaalrun", T), ("status", "Status", T), ("uitvoerdatum", "Uitvoerdatum", T),
                        ("regels", "Regels", G), ("correcties", "Correcties", G), ("buig", "BUIG", E),
                        ("reintegratie", "Re-integratie", E), ("sepa", "SEPA", E), ("verrekend", "Verrekend", E),
                        ("nieuwe_vorderingen", "Nieuwe vorderingen", E), ("transacties", "Transacties", G)], r.runs),
        ("Controles", [("code", "Code", T), ("titel", "Controle", T), ("uitkomst", "Uitkomst", T),
                       ("gecontroleerd", "Gecontroleerd", G), ("uitzondering", "Uitzondering", T)], controles),
        ("SiSa", [("onderdeel", "Onderdeel", T), ("besteding", "Besteding", E), ("baten", "Baten", E), ("netto", "Netto", E),
                  ("regels", "Aantal regels", G), ("verrekend_in_jaar", "Waarvan verrekend in jaar", E),
                  ("ontvangen_in_jaar", "Ontvangen in jaar", E)], sisa),
        ("SiSa-regels", [("budget", "Budget", T), ("post", "Post", T), ("periode", "Loonperiode", T),
                         ("kenmerk", "Betaalrun", T), ("werkgever_id", "Werkgever", T), ("werkgever", "Naam", T),
                         ("plaatsing_id", "Plaatsing", T), ("regeling", "Regeling", T), ("soort", "Soort", T),
                         ("bedrag", "Bedrag betaalregel", E), ("sisa_bedrag", "Bedrag in post", E)],
         budget_naam(r.sisa_regels)),
        ("Prognose", [("budget", "Budget", T), ("maand", "Maand", T), ("plaatsingen", "Plaatsingen", G),
                      ("prognose", "Prognose", E), ("wml_aangenomen", "WML aangenomen", B)], budget_naam(r.prognose)),
        ("Capaciteit", [("maand", "Maand", T), ("gerealiseerd", "Gerealiseerd", B), ("ontwikkelbanen", "Ontwikkelbanen", G),
                        ("ontwikkelbaan_uren", "Contracturen ontwikkelbanen", G), ("beschut", "Beschut werk in dienst", G),
                        ("lks", "LKS-plaatsingen", G)], r.capaciteit),
        ("Grootboek", [("regel", "Regel", G), ("boekdatum", "Boekdatum", T), ("grootboekrekening", "Grootboekrekening", T),
                       ("geboekt_op", "Geboekt op", T), ("bedrag", "Bedrag", E), ("kenmerk", "Kenmerk", T),
                       ("hoort_op", "Hoort op", T), ("verwacht", "Volgens lks", E), ("status", "Status", T),
                       ("toelichting", "Toelichting", T)], r.grootboek),
        ("Grootboek totalen", [("budget", "Budget", T), ("lks", "Betaald volgens lks", E), ("geboekt", "Geboekt", E),
                               ("verschil", "Verschil", E)], budget_naam(r.grootboek_totalen)),
        ("Bank", [("end_to_end_id", "EndToEndId", T), ("kenmerk", "Betaalrun", T), ("werkgever_id", "Werkgever", T),
                  ("naam", "Naam", T), ("budget", "Budget", T), ("verzonden", "Verzonden", E),
                  ("afgeschreven", "Afgeschreven", E), ("teruggeboekt", "Teruggeboekt", E), ("datum", "Datum", T),
                  ("status", "Status", T), ("reden", "Reden", T)], r.bank),
        ("Urenbasis", [("budget", "Budget", T), ("urenbasis", "Grondslag", T), ("plaatsingen", "Plaatsingen", G),
                       ("berekend", "Berekend", E), ("goedgekeurd", "Goedgekeurd", E), ("betaald", "Betaald", E),
                       ("open", "Open correctie", E)],
         budget_naam(r.per_urenbasis).assign(urenbasis=r.per_urenbasis["urenbasis"].map(URENBASIS_LABEL))
         if len(r.per_urenbasis) else r.per_urenbasis),
        ("Loonstroken ontbreken", [("budget", "Budget", T), ("periode", "Loonperiode", T),
                                   ("werkgever_id", "Werkgever", T), ("werkgever", "Naam", T),
                                   ("plaatsing_id", "Plaatsing", T), ("regeling", "Regeling", T),
                                   ("uiterlijk", "Uiterlijk geleverd", T), ("te_laat", "Te laat", B),
                                   ("maximum", "Ten hoogste", E)], budget_naam(r.loonstroken)),
        ("Open correcties", [("budget", "Budget", T), ("periode", "Loonperiode", T), ("plaatsing_id", "Plaatsing", T),
                             ("werkgever_id", "Werkgever", T), ("werkgever", "Naam", T), ("regeling", "Regeling", T),
                             ("berekend", "Berekend", E), ("goedgekeurd", "Goedgekeurd", E), ("open", "Open", E)],
         budget_naam(r.open_correcties)),
    ]


def write_xlsx(rapport: Rapport, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Samenvatting"
    ws.append([f"Verantwoording loonkostensubsidie {rapport.gemeente} {rapport.jaar}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Gerealiseerd t/m", rapport.periode or "-"])
    ws.append(["Laatste goedgekeurde betaalrun", rapport.laatste_run or "-"])
    ws.append(["Gemaakt op", rapport.gemaakt_op.strftime("%Y-%m-%d %H:%M")])
    ws.append(["Identiteiten", "kloppen" if rapport.identiteiten_kloppen else "uitzonderingen: zie blad Controles"])
    ws.append(["Loonstroken", loonstroken_regel(rapport)])
    ws.append([])
    ws.append(["Controle", "Uitkomst", "Uitzonderingen"])
    for c in rapport.controles:
        ws.append([f"{c.code} {c.titel}", "klopt" if c.ok else ("n.v.t." if c.niet_van_toepassing else "uitzondering"),
                   0 if c.niet_van_toepassing else len(c.uitzonderingen)])
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 30
    header_fill = PatternFill("solid", fgColor="DDE6EE")
    for name, columns, frame in _sheets(rapport):
        sh = wb.create_sheet(name[:31])
        sh.append([h for _, h, _ in columns])
        for cell in sh[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for rec in frame.to_dict("records"):
            row = []
            for col, _, kind in columns:
                v = rec.get(col)
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    row.append(None)
                elif kind == "euro":
                    row.append(Decimal(int(v)) / 100)
                elif kind == "bool":
                    row.append("ja" if v else "nee")
                elif kind == "getal":
                    row.append(float(v) if isinstance(v, float) else int(v))
                else:
                    row.append(str(v))
            sh.append(row)
        for j, (_, h, kind) in enumerate(columns, start=1):
            letter = get_column_letter(j)
            sh.column_dimensions[letter].width = max(12, min(60, len(h) + 4 if kind != "tekst" else 24))
            if kind == "euro":
                for cell in sh[letter][1:]:
                    cell.number_format = EURO_FORMAT
        sh.freeze_panes = "A2"
        sh.auto_filter.ref = sh.dimensions
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------------
# SVG charts
# --------------------------------------------------------------------------------------------

def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for f in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if f * exp >= value:
            return f * exp
    return 10 * exp


def _k(euros: float) -> str:
    """Axis label: € 12k / € 1,2 mln."""
    if euros >= 1_000_000:
        return f"€ {euros / 1_000_000:.1f} mln".replace(".", ",")
    if euros >= 1000:
        return f"€ {euros / 1000:.0f}k"
    return f"€ {euros:.0f}"


def svg_maandgrafiek(m: pd.DataFrame, budget: str, begroot: int | None, titel: str) -> Markup:
    """Monthly spend of one budget: approved (solid), open corrections and forecast (light,
    hatched when the WML was assumed), against the budget line (budget / 12)."""
    W, H, L, R, T, B = 640, 260, 64, 12, 28, 34
    rows = m[m["budget"] == budget].sort_values("maand")
    kleur = KLEUR[budget]
    vals = [(_cent(r.goedgekeurd), _cent(r.open), _cent(r.prognose), bool(r.wml_aangenomen), r.maand)
            for r in rows.itertuples()]
    maand_budget = (begroot / 12) if begroot else None
    top = _nice_max(max([(g + max(o, 0) + p) / 100 for g, o, p, _, _ in vals] + [(maand_budget or 0) / 100 * 1.1, 1]))
    ph, pw = H - T - B, W - L - R
    y = lambda e: T + ph - ph * e / top  # noqa: E731
    bw = pw / max(len(vals), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" class="grafiek" '
             f'aria-label="{escape(titel)}">',
             '<defs><pattern id="arc-' + budget + '" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" stroke="{kleur}" stroke-width="2" opacity="0.5"/></pattern></defs>',
             f'<text x="{L}" y="16" class="t">{escape(titel)}</text>']
    for i in range(5):
        e = top * i / 4
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(e):.1f}" y2="{y(e):.1f}" stroke="#e3e3e3"/>'
                     f'<text x="{L - 6}" y="{y(e) + 4:.1f}" text-anchor="end" class="a">{escape(_k(e))}</text>')
    for i, (g, o, p, wml, maand) in enumerate(vals):
        x = L + i * bw + bw * 0.15
        w = bw * 0.7
        base = 0.0
        for amount, fill, label in ((g, kleur, "goedgekeurd"), (max(o, 0), kleur, "open correctie"),
                                    (p, f"url(#arc-{budget})" if wml else kleur, "prognose")):
            if amount <= 0:
                continue
            e = amount / 100
            opacity = "1" if label == "goedgekeurd" else ("0.45" if label == "open correctie" else "0.3" if not wml else "1")
            parts.append(f'<rect x="{x:.1f}" y="{y(base + e):.1f}" width="{w:.1f}" height="{(y(base) - y(base + e)):.1f}" '
                         f'fill="{fill}" fill-opacity="{opacity}"><title>{escape(maand)} {label}: {escape(euro(amount))}'
                         f'</title></rect>')
            base += e
        parts.append(f'<text x="{x + w / 2:.1f}" y="{H - B + 14}" text-anchor="middle" class="a">{_maandlabel(maand)}</text>')
    if maand_budget:
        yb = y(maand_budget / 100)
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{yb:.1f}" y2="{yb:.1f}" stroke="#b00020" stroke-width="2" '
                     f'stroke-dasharray="6 4"/><text x="{W - R}" y="{yb - 5:.1f}" text-anchor="end" class="a" '
                     f'fill="#b00020">budget per maand {escape(euro(int(maand_budget)))}</text>')
    parts.append(f'<line x1="{L}" x2="{W - R}" y1="{T + ph}" y2="{T + ph}" stroke="#888"/></svg>')
    return Markup("".join(parts))


def svg_cumulatief(m: pd.DataFrame, budget: str, begroot: int | None, titel: str) -> Markup:
    """Cumulative: approved so far (solid line), expected incl. corrections and forecast
    (dashed), against the year budget (red line)."""
    W, H, L, R, T, B = 640, 240, 64, 12, 28, 34
    rows = m[m["budget"] == budget].sort_values("maand")
    kleur = KLEUR[budget]
    real = [(r.maand, _cent(r.cum_goedgekeurd), bool(r.gerealiseerd)) for r in rows.itertuples()]
    verw = [(r.maand, _cent(r.cum_verwacht)) for r in rows.itertuples()]
    top = _nice_max(max([v / 100 for _, v in verw] + [(begroot or 0) / 100 * 1.05, 1]))
    ph, pw = H - T - B, W - L - R
    n = max(len(verw), 1)
    x = lambda i: L + pw * (i + 0.5) / n  # noqa: E731
    y = lambda e: T + ph - ph * e / top  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" class="grafiek" '
             f'aria-label="{escape(titel)}">', f'<text x="{L}" y="16" class="t">{escape(titel)}</text>']
    for i in range(5):
        e = top * i / 4
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(e):.1f}" y2="{y(e):.1f}" stroke="#e3e3e3"/>'
                     f'<text x="{L - 6}" y="{y(e) + 4:.1f}" text-anchor="end" class="a">{escape(_k(e))}</text>')
    for i, (maand, _) in enumerate(verw):
        parts.append(f'<text x="{x(i):.1f}" y="{H - B + 14}" text-anchor="middle" class="a">{_maandlabel(maand)}</text>')
    pts = " ".join(f"{x(i):.1f},{y(v / 100):.1f}" for i, (_, v) in enumerate(verw))
    parts.append(f'<polyline points="{pts}" fill="none" stroke="{kleur}" stroke-width="2" stroke-dasharray="5 4" '
                 'opacity="0.7"/>')
    pts = " ".join(f"{x(i):.1f},{y(v / 100):.1f}" for i, (_, v, g) in enumerate(real) if g)
    if pts:
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{kleur}" stroke-width="3"/>')
    for i, (maand, v) in enumerate(verw):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v / 100):.1f}" r="3" fill="{kleur}"><title>{escape(maand)} '
                     f'cumulatief verwacht {escape(euro(v))}</title></circle>')
    if begroot:
        yb = y(begroot / 100)
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{yb:.1f}" y2="{yb:.1f}" stroke="#b00020" stroke-width="2"/>'
                     f'<text x="{L + 4}" y="{yb - 5:.1f}" class="a" fill="#b00020">jaarbudget {escape(euro(begroot))}</text>')
    parts.append(f'<line x1="{L}" x2="{W - R}" y1="{T + ph}" y2="{T + ph}" stroke="#888"/></svg>')
    return Markup("".join(parts))


def svg_capaciteit(cap: pd.DataFrame, kolom: str, norm: int | None, titel: str, kleur: str) -> Markup:
    W, H, L, R, T, B = 640, 200, 44, 12, 28, 34
    vals = [(r.maand, float(getattr(r, kolom)), bool(r.gerealiseerd)) for r in cap.itertuples()]
    top = _nice_max(max([v for _, v, _ in vals] + [(norm or 0) * 1.1, 1]))
    ph, pw = H - T - B, W - L - R
    bw = pw / max(len(vals), 1)
    y = lambda e: T + ph - ph * e / top  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" class="grafiek" '
             f'aria-label="{escape(titel)}">', f'<text x="{L}" y="16" class="t">{escape(titel)}</text>']
    for i in range(5):
        e = top * i / 4
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(e):.1f}" y2="{y(e):.1f}" stroke="#e3e3e3"/>'
                     f'<text x="{L - 6}" y="{y(e) + 4:.1f}" text-anchor="end" class="a">{e:.0f}</text>')
    for i, (maand, v, g) in enumerate(vals):
        xx = L + i * bw + bw * 0.2
        parts.append(f'<rect x="{xx:.1f}" y="{y(v):.1f}" width="{bw * 0.6:.1f}" height="{y(0) - y(v):.1f}" fill="{kleur}" '
                     f'fill-opacity="{1 if g else 0.35}"><title>{escape(maand)}: {v:g}</title></rect>'
                     f'<text x="{xx + bw * 0.3:.1f}" y="{H - B + 14}" text-anchor="middle" class="a">{_maandlabel(maand)}</text>')
    if norm:
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(norm):.1f}" y2="{y(norm):.1f}" stroke="#b00020" stroke-width="2" '
                     f'stroke-dasharray="6 4"/><text x="{W - R}" y="{y(norm) - 5:.1f}" text-anchor="end" class="a" '
                     f'fill="#b00020">norm {norm}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "rapport")), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["euro"] = lambda v: "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else euro(int(v))
    env.filters["budgetnaam"] = lambda v: BUDGET_LABEL.get(v, v or "—")
    env.filters["regelingnaam"] = lambda v: REGELING_LABEL.get(v, v)
    env.filters["leeg"] = lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v
    return env


def budget_grafieken(r: Rapport) -> list[dict]:
    """Per budget the SVG charts of the year: costs per month, and cumulative against the budget
    (plain SVG with presentation attributes: no inline styles, so a strict CSP shows them)."""
    begroot = {b.budget: (None if pd.isna(b.begroot) else int(b.begroot)) for b in r.budget.itertuples()}
    grafieken = []
    for b in ("buig", "reintegratie"):
        naam = BUDGET_LABEL[b]
        grafieken.append(dict(
            budget=b, naam=naam,
            maand=svg_maandgrafiek(r.maanden, b, begroot.get(b), f"{naam}: lasten per maand {r.jaar}"),
            cumulatief=svg_cumulatief(r.maanden, b, begroot.get(b), f"{naam}: cumulatief {r.jaar} tegen het jaarbudget")))
    return grafieken


def render_html(rapport: Rapport) -> str:
    r = rapport
    grafieken = budget_grafieken(r)
    norm = {k: r.capaciteit_norm.get(k) for k in ("beschut_taakstelling", "ontwikkelbanen", "ontwikkelbaan_uren")}
    cap_grafieken = [
        svg_capaciteit(r.capaciteit, "ontwikkelbanen", norm.get("ontwikkelbanen"), "Ontwikkelbanen in dienst", KLEUR["reintegratie"]),
        svg_capaciteit(r.capaciteit, "ontwikkelbaan_uren", (norm.get("ontwikkelbanen") or 0) * (norm.get("ontwikkelbaan_uren") or 0) or None,
                       "Contracturen ontwikkelbanen per week", KLEUR["reintegratie"]),
        svg_capaciteit(r.capaciteit, "beschut", norm.get("beschut_taakstelling"), "Beschut werk in dienst (taakstelling)",
                       KLEUR["buig"]),
    ]
    peil = r.capaciteit[r.capaciteit["gerealiseerd"]].tail(1)
    peil = peil.iloc[0].to_dict() if len(peil) else None
    maanden = r.maanden[r.maanden["gerealiseerd"]]
    per_maand = []
    for maand in sorted(set(maanden["maand"])):
        rows = maanden[maanden["maand"] == maand].set_index("budget")
        per_maand.append(dict(maand=maand, **{f"{b}_{k}": int(rows.loc[b, k]) for b in ("buig", "reintegratie")
                                              for k in ("goedgekeurd", "open", "cum_goedgekeurd")},
                              sepa=int(rows["sepa"].sum()), verrekend=int(rows["verrekend"].sum()),
                              nieuwe_vorderingen=int(rows["nieuwe_vorderingen"].sum()),
                              ontvangen=int(rows["ontvangen"].sum()), open_vorderingen=int(rows["open_vorderingen"].sum())))
    misboekingen = r.grootboek[r.grootboek["status"] == "misboeking"].to_dict("records")
    return _env().get_template("rapport.html.j2").render(
        r=r, grafieken=grafieken, cap_grafieken=cap_grafieken, peil=peil, norm=norm, per_maand=per_maand,
        budget=r.budget.to_dict("records"), sisa=r.sisa.to_dict("records"),
        sisa_regels=r.sisa_regels.to_dict("records"), per_regeling=r.per_regeling.to_dict("records"),
        per_werkgever=r.per_werkgever.to_dict("records"), runs=r.runs.to_dict("records"),
        grootboek=r.grootboek[r.grootboek["status"] != "juist"].to_dict("records"),
        grootboek_juist=int((r.grootboek["status"] == "juist").sum()), misboekingen=misboekingen,
        grootboek_totalen=r.grootboek_totalen.to_dict("records"),
        bank=r.bank[~r.bank["status"].isin(["betaald"])].to_dict("records"),
        bank_betaald=int((r.bank["status"] == "betaald").sum()), bank_totaal=len(r.bank),
        open_correcties=r.open_correcties.head(200).to_dict("records"), open_correcties_aantal=len(r.open_correcties),
        per_urenbasis=r.per_urenbasis.to_dict("records"), urenbasis_label=URENBASIS_LABEL,
        loonstroken=r.loonstroken.head(200).to_dict("records"), loonstroken_aantal=len(r.loonstroken),
        loonstroken_regel=loonstroken_regel(r), datum=datum,
        nl_datum=r.gemaakt_op.strftime("%Y-%m-%d %H:%M"))


def write_html(rapport: Rapport, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(rapport), encoding="utf-8")
    return path
