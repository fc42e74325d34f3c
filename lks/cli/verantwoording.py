"""CLI for controllers: ``lks rapport``, ``lks ledger import``, ``lks bank import``,
``lks budget set|capaciteit``, ``lks ontvangst add``.

Verbs in English, domain nouns and every message in Dutch."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from lks.cli.kern import (LksTyper, app, console, err_console, fail, identiteit, meldingen, now, omgeving,
                          periode as _periode, schrijffout, uitvoerpad)

ledger_app = LksTyper(help="Grootboekexport van het financiële systeem inlezen en controleren.", no_args_is_help=True)
bank_app = LksTyper(help="Bankafschriften (camt.053) inlezen en aan betalingen koppelen.", no_args_is_help=True)
budget_app = LksTyper(help="Budgetten en capaciteitsnormen per jaar vastleggen.", no_args_is_help=True)
ontvangst_app = LksTyper(help="Terugbetalingen van werkgevers (ontvangsten) vastleggen.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(bank_app, name="bank")
app.add_typer(budget_app, name="budget")
app.add_typer(ontvangst_app, name="ontvangst")

JAAR = typer.Option(..., "--jaar", metavar="JJJJ", help="Het verantwoordingsjaar.")


def _invoerfout(exc) -> None:
    for fout in exc.fouten[:50]:
        err_console.print(fout, markup=False, highlight=False, soft_wrap=True)
    if len(exc.fouten) > 50:
        err_console.print(f"… en {len(exc.fouten) - 50} meer", markup=False, highlight=False)
    fail(f"niets vastgelegd: {len(exc.fouten)} {'fout' if len(exc.fouten) == 1 else 'fouten'}")


def _bedrag(text: str) -> int:
    from lks.verantwoording.invoer import parse_bedrag
    try:
        return parse_bedrag(text)
    except ValueError as exc:
        fail(f"--bedrag: {exc}")


def _jaar(jaar: int) -> int:
    from lks.verantwoording.invoer import check_jaar
    try:
        return check_jaar(jaar)
    except ValueError as exc:
        fail(f"--jaar {exc}")


def _budget(budget: str) -> str:
    from lks.verantwoording.invoer import parse_budget
    if parse_budget(budget) is None:
        fail(f"--budget: onbekend budget '{budget}' (buig of reintegratie)")
    return budget


def _invoerbestand(bestand: Path) -> Path:
    if bestand.is_dir():
        fail(f"{bestand} is een map, geen bestand")
    if not bestand.is_file():
        fail(f"bestand {bestand} bestaat niet")
    return bestand


@app.command("rapport")
def rapport_command(
    jaar: int = JAAR,
    periode: str = typer.Option(None, "--periode", metavar="JJJJ-MM",
                                help="Gerealiseerd tot en met deze maand (standaard: december of de laatste goedgekeurde run)."),
    xlsx: Path = typer.Option(None, "--xlsx", metavar="BESTAND", help="Schrijf het Excel-werkboek (één blad per overzicht)."),
    html: Path = typer.Option(None, "--html", metavar="BESTAND", help="Schrijf het HTML-rapport met grafieken."),
    bestanden: Path = typer.Option(Path("betaalbestanden"), "--bestanden", metavar="MAP",
                                   help="Map met de betaalrun-mappen (SEPA-bestanden) voor de controle van de controletotalen."),
):
    """Verantwoording van een jaar: per budget, regeling, werkgever en maand berekend, goedgekeurd,
    betaald, verrekend, vorderingen en ontvangsten; alle controles met hun uitzonderingen; SiSa;
    budget en prognose; capaciteit; grootboek- en bankcontrole."""
    from lks.app import verantwoording
    from lks.parameters import ParameterFout, ParameterOntbreekt
    from lks.verantwoording.uitvoer import print_rapport, write_html, write_xlsx

    _jaar(jaar)
    if periode is not None:
        periode = _periode(periode)
        if not periode.startswith(f"{jaar}-"):
            fail(f"--periode {periode} ligt niet in {jaar}")
    for pad, optie in ((xlsx, "--xlsx"), (html, "--html")):
        if pad is not None:
            uitvoerpad(pad, optie)
    o = omgeving()
    wie = identiteit(o.engine)
    with console.status("Verantwoording opstellen…"), meldingen(ParameterFout, ParameterOntbreekt):
        rapport = verantwoording.rapport(o, wie, jaar, periode, bestanden)
    print_rapport(rapport, console)
    for pad, schrijf, soort in ((xlsx, write_xlsx, "Excel-werkboek"), (html, write_html, "HTML-rapport")):
        if pad:
            try:
                console.print(f"{soort}: {schrijf(rapport, pad)}", highlight=False)
            except OSError as exc:
                schrijffout(exc, pad)
    if not rapport.identiteiten_kloppen:
        fail("een of meer identiteiten kloppen niet; zie de uitzonderingen hierboven", code=2)


@ledger_app.command("import")
def ledger_import(
    bestand: Path = typer.Argument(..., metavar="CSV", help="Boekingen: boekdatum, grootboekrekening, budget, bedrag, "
                                                           "kenmerk (EndToEndId of betaalrun-kenmerk)[, omschrijving]."),
):
    """Lees de boekingenexport van het financiële systeem in (alles of niets). De nieuwste import
    is de stand van het grootboek voor `lks rapport`."""
    from lks.app import verantwoording
    from lks.verantwoording.invoer import InvoerFout
    _invoerbestand(bestand)
    try:
        o = omgeving()
        with meldingen():
            result = verantwoording.grootboek(o, identiteit(o.engine), bestand, now())
    except InvoerFout as exc:
        _invoerfout(exc)
    console.print(f"Grootboekimport {result.import_id}: {result.regels} boekingen uit {escape(result.bestand)} ingelezen.")


@bank_app.command("import")
def bank_import(
    bestand: Path = typer.Argument(..., metavar="CAMT.xml", help="Bankafschrift camt.053.001.02 of .08."),
):
    """Lees een camt.053-bankafschrift in; `lks rapport` koppelt de posten op EndToEndId aan de betalingen."""
    from lks.app import verantwoording
    from lks.verantwoording.invoer import InvoerFout
    _invoerbestand(bestand)
    try:
        o = omgeving()
        with meldingen():
            result = verantwoording.bankafschrift(o, identiteit(o.engine), bestand, now())
    except InvoerFout as exc:
        _invoerfout(exc)
    console.print(f"Bankafschrift {result.import_id}: {result.regels} posten uit {escape(result.bestand)} ingelezen.")


@budget_app.command("set")
def budget_set(
    jaar: int = JAAR,
    budget: str = typer.Option(..., "--budget", metavar="buig|reintegratie", help="buig of reintegratie."),
    bedrag: str = typer.Option(..., "--bedrag", metavar="EURO", help="Het begrote bedrag, bijv. 887000.00."),
    bron: str = typer.Option("", "--bron", metavar="TEKST",
                             help="Waar het bedrag vandaan komt (begroting, raadsbesluit)."),
):
    """Leg het budget van een jaar vast (een bestaand bedrag wordt vervangen)."""
    from lks.nl import euro
    from lks.app import verantwoording
    from lks.verantwoording.invoer import InvoerFout
    _jaar(jaar)
    _budget(budget)
    cents = _bedrag(bedrag)
    if cents < 0:
        fail(f"--bedrag: een budget kan niet negatief zijn ('{bedrag}')")
    try:
        o = omgeving()
        with meldingen():
            verantwoording.budget(o, identiteit(o.engine), jaar, budget, cents, bron, now())
    except InvoerFout as exc:
        _invoerfout(exc)
    console.print(f"Budget {budget} {jaar}: {euro(cents)} vastgelegd.", highlight=False)


@budget_app.command("capaciteit")
def budget_capaciteit(
    jaar: int = JAAR,
    beschut_taakstelling: int = typer.Option(None, "--beschut-taakstelling", metavar="AANTAL", help="Taakstelling beschut werk (dienstverbanden)."),
    ontwikkelbanen: int = typer.Option(None, "--ontwikkelbanen", metavar="AANTAL", help="Geplande ontwikkelbanen op jaarbasis."),
    ontwikkelbaan_uren: int = typer.Option(None, "--ontwikkelbaan-uren", metavar="UREN", help="Uren per week per ontwikkelbaan in het plan."),
    bron: str = typer.Option("", "--bron", metavar="TEKST", help="Bron van de normen."),
):
    """Leg de capaciteitsnormen van een jaar vast (bijv. Het Hogeland: taakstelling 43, 16 ontwikkelbanen van 32 uur)."""
    from lks.app import verantwoording
    from lks.verantwoording.invoer import CAPACITEIT_MAXIMUM, InvoerFout
    waarden = {"beschut_taakstelling": beschut_taakstelling, "ontwikkelbanen": ontwikkelbanen,
               "ontwikkelbaan_uren": ontwikkelbaan_uren}
    if all(v is None for v in waarden.values()):
        fail("geef minstens één van --beschut-taakstelling, --ontwikkelbanen, --ontwikkelbaan-uren")
    _jaar(jaar)
    for soort, aantal in waarden.items():
        optie = "--" + soort.replace("_", "-")
        if aantal is not None and aantal < 0:
            fail(f"{optie}: {aantal} kan niet negatief zijn")
        if aantal is not None and aantal > CAPACITEIT_MAXIMUM[soort]:
            fail(f"{optie}: {aantal} is onwaarschijnlijk groot (meer dan {CAPACITEIT_MAXIMUM[soort]})")
    try:
        o = omgeving()
        with meldingen():
            verantwoording.capaciteit(o, identiteit(o.engine), jaar, waarden, bron, now())
    except InvoerFout as exc:
        _invoerfout(exc)
    console.print(f"Capaciteitsnormen {jaar} vastgelegd.")


@ontvangst_app.command("add")
def ontvangst_add(
    werkgever: str = typer.Option(..., "--werkgever", metavar="ID", help="De werkgever die terugbetaalde."),
    bedrag: str = typer.Option(..., "--bedrag", metavar="EURO", help="Het ontvangen bedrag."),
    datum: str = typer.Option(..., "--datum", metavar="JJJJ-MM-DD", help="De datum van ontvangst."),
    vordering: int = typer.Option(None, "--vordering", metavar="ID", help="De vordering die wordt afgelost."),
    budget: str = typer.Option(None, "--budget", metavar="buig|reintegratie",
                                help="buig of reintegratie (volgt uit de vordering als die is gegeven)."),
    kenmerk: str = typer.Option(None, "--kenmerk", metavar="TEKST", help="Betalingskenmerk of omschrijving van de bank."),
):
    """Leg een terugbetaling van een werkgever vast, bij voorkeur op een vordering."""
    from lks.nl import euro
    from lks.app import verantwoording
    from lks.verantwoording.invoer import InvoerFout, check_kenmerk
    try:
        dag = dt.date.fromisoformat(datum)
    except ValueError:
        fail(f"--datum: '{datum}' is geen (bestaande) datum in de vorm JJJJ-MM-DD")
    cents = _bedrag(bedrag)
    if cents <= 0:
        fail(f"--bedrag: een ontvangst moet groter dan 0 zijn ('{bedrag}')")
    if budget is not None:
        _budget(budget)
    try:
        check_kenmerk(kenmerk)
    except ValueError as exc:
        fail(f"--kenmerk: {exc}")
    try:
        o = omgeving()
        with meldingen():
            ontvangst_id = verantwoording.ontvangst(o, identiteit(o.engine), werkgever, budget, cents, dag,
                                                    vordering, kenmerk, now())
    except InvoerFout as exc:
        _invoerfout(exc)
    console.print(f"Ontvangst {ontvangst_id} van {escape(werkgever)}: {euro(cents)} op {dag.isoformat()} vastgelegd.",
                  highlight=False)
