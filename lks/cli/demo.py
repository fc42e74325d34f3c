"""CLI: ``lks demo`` — the demo gemeente end to end, output in ./demo-out."""
from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Table

from lks.cli.kern import app, console, fail, state


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("demo-out"), "--out", metavar="MAP", help="Map voor alle uitvoer (wordt eerst leeggemaakt)."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Brieven en specificaties alleen als HTML, geen PDF (sneller)."),
):
    """Bouw een verse demogemeente (Het Hogeland) en draai 2025-01 t/m 2026-06 van begin tot eind."""
    from lks.db import current_revision, make_engine
    from lks.demo.run import EERSTE, LAATSTE, run_demo
    from lks.nl import bedrag

    if state.db_url:
        engine = make_engine(state.db_url)
        try:
            if current_revision(engine) is not None:
                fail("lks demo bouwt een verse database: kies met --db een lege database, "
                     "of laat --db weg (dan komt de demo in demo-out/lks-demo.db)")
        finally:
            engine.dispose()
    console.print(f"Demogemeente Het Hogeland: maandcycli {EERSTE} t/m {LAATSTE} → {out}/")
    result = run_demo(out, db_url=state.db_url, console=console, pdf=not no_pdf)
    for regel in result.samenvatting_regels:
        console.print(f"  {regel}", highlight=False)
    table = Table(title="Betaalruns van de demo (bedragen in €)", box=box.SIMPLE_HEAD, padding=(0, 1))
    for column in ("periode", "regels", "correcties", "BUIG", "re-integratie", "vordering"):
        table.add_column(column, justify="left" if column == "periode" else "right", no_wrap=True,
                         min_width=len(column))
    for run in result.runs:
        table.add_row(run["periode"], str(run["regels"]), str(run["correcties"]), bedrag(run["totaal_buig"]),
                      bedrag(run["totaal_reintegratie"]), bedrag(run["nieuwe_vorderingen"]))
    som = lambda key: sum(r[key] for r in result.runs)  # noqa: E731
    table.add_row("totaal", str(som("regels")), str(som("correcties")), bedrag(som("totaal_buig")),
                  bedrag(som("totaal_reintegratie")), bedrag(som("nieuwe_vorderingen")), style="bold")
    console.print(table)
    if result.beschikkingen:
        labels = {"verlening": "verleningen", "wijziging": "wijzigingen", "beeindiging": "beëindigingen",
                  "vaststelling": "vaststellingen", "intrekking": "intrekkingen"}
        console.print("Beschikkingen: " + ", ".join(f"{n} {labels[s]}" for s, n in result.beschikkingen.items())
                      + f" ({sum(result.beschikkingen.values())} brieven als HTML, {result.beschikking_pdfs} "
                      "ook als PDF)", highlight=False)
    if result.herzieningen:
        console.print("Herziene vaststellingen na later bekende gegevens (Awb art. 4:49): "
                      + ", ".join(result.herzieningen), highlight=False)
    for regel in result.rekeningwijzigingen:
        console.print(f"Rekeningwijziging (vier ogen): {regel}", highlight=False)
    if result.signalen:
        console.print(f"Signalen op de werklijst: {result.signalen} ({out}/signalen.csv)", highlight=False)
    v = result.verantwoording
    if v:
        misboeking = v.get("misboeking")
        geweigerd = v.get("geweigerd")
        console.print("Verantwoording: identiteiten kloppen voor 2025 en 2026"
                      + (f"; grootboekcontrole vindt de misboeking {misboeking['end_to_end_id']} (beschut werk "
                         "op het re-integratiebudget)" if misboeking else "")
                      + (f"; bank weigerde {geweigerd['end_to_end_id']}" if geweigerd else ""), highlight=False)
    for regel in result.vergissing:
        console.print(f"Vergissing ingetrokken: {regel}", highlight=False, markup=False)
    for regel in result.oproepkrachten:
        console.print(f"Verloonde uren: {regel}", highlight=False, markup=False)
    for regel in result.bewaking:
        console.print(f"Geweigerd: {regel}", highlight=False, markup=False)
    console.print(f"{result.imports} imports van gegevens zoals ze bekend werden; uitvoer en uitleg in "
                  f"{out}/LEESMIJ.md")
    _gebruikers(result, out)


def _gebruikers(result, out: Path) -> None:
    """How to walk the cycle in the browser as two people (demo passwords: local demo only)."""
    from lks.demo.gebruikers import wachtwoord

    if not result.gebruikers:
        return
    table = Table(title="Demogebruikers (wachtwoorden alleen voor deze lokale demo)", box=box.SIMPLE_HEAD,
                  padding=(0, 1))
    for column in ("gebruiker", "rol", "wachtwoord"):
        table.add_column(column, no_wrap=True)
    for naam, rol in result.gebruikers.items():
        table.add_row(naam, rol, wachtwoord(naam))
    console.print(table)
    db = state.db_url or f"sqlite:///{out / 'lks-demo.db'}"
    console.print(f"Webapplicatie starten: lks --db {db} serve --uitvoer {out} --betaalbestanden {out / 'betaalruns'}  →  "
                  "http://127.0.0.1:8000/login",
                  highlight=False, soft_wrap=True)
    if result.open_run:
        from lks.demo.gebruikers import GOEDKEURDER, MEDEWERKER
        periode = result.open_run["periode"]
        console.print(f"De maandcyclus in de browser, als twee mensen: betaalrun {periode} is berekend door de "
                      f"scheduler en wacht op goedkeuring. Log in als {GOEDKEURDER} en keur hem goed (Betaalruns → "
                      f"{periode}); log daarna in als {MEDEWERKER}, maak de bestanden, download het SEPA-bestand "
                      "en markeer de run als verzonden.", highlight=False, soft_wrap=True)
