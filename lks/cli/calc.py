"""CLI: ``lks calculate`` (interfaces.md §3) and ``lks explain`` (alias ``lks uitleg``)."""
from __future__ import annotations

from pathlib import Path

import typer

from lks.cli.kern import (app, console, fail, identiteit, meldingen, omgeving, parse_moment, periode,
                          schrijffout, uitvoerpad)

INDEXATIE = typer.Option(None, "--indexatie", metavar="halfjaarlijks|jaarlijks",
                         help="Indexatie van het WML (standaard: uit gemeente.toml).")


def _fouten():
    from lks.app.berekening import BerekeningFout
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterFout, ParameterOntbreekt
    return BerekeningFout, CalcFout, ParameterFout, ParameterOntbreekt


@app.command("calculate")
def calculate_command(
    van: str = typer.Option(..., "--from", metavar="JJJJ-MM", help="Eerste maand (inclusief)."),
    tot: str = typer.Option(..., "--to", metavar="JJJJ-MM", help="Laatste maand (inclusief)."),
    csv: Path = typer.Option(..., "--csv", metavar="UIT.csv", help="Schrijf de berekening naar dit CSV-bestand."),
    indexatie: str = INDEXATIE,
    as_of: str = typer.Option(None, "--as-of", metavar="TIJDSTIP",
                              help="Reken met de feiten zoals bekend op dit moment (standaard: nu)."),
):
    """Bereken de loonkostensubsidie per plaatsing per maand en schrijf de export (interfaces §3)."""
    from lks.app import berekening
    from lks.nl import euro

    van, tot = periode(van, "--from"), periode(tot, "--to")
    if tot < van:
        fail(f"--to {tot} ligt voor --from {van}")
    uitvoerpad(csv, "--csv", map_moet_bestaan=True)
    moment = parse_moment(as_of, "--as-of")
    o = omgeving()
    wie = identiteit(o.engine)
    try:
        with meldingen(*_fouten()), console.status("Berekenen…"):
            rows, totals, policy = berekening.exporteer(o, wie, van, tot, csv, indexatie=indexatie, as_of=moment)
    except OSError as exc:
        schrijffout(exc, csv)
    if not rows:
        console.print(f"Geen plaatsing-maanden in {van} t/m {tot}: de export {csv} bevat alleen de kopregel.")
        return
    console.print(f"{rows} plaatsing-maanden berekend ({van} t/m {tot}, indexatie {policy.indexatie}) → {csv}")
    for budget, total in totals.items():
        console.print(f"  {budget}: {euro(total)}")


@app.command("explain")
@app.command("uitleg", hidden=True)
def uitleg_command(
    plaatsing_id: str = typer.Argument(..., metavar="PLAATSING_ID", help="De plaatsing."),
    periode_: str = typer.Option(..., "--periode", metavar="JJJJ-MM", help="De maand."),
    indexatie: str = INDEXATIE,
    as_of: str = typer.Option(None, "--as-of", metavar="TIJDSTIP",
                              help="Met de feiten zoals bekend op dit moment (standaard: nu)."),
):
    """Leg de berekening van één plaatsing in één maand uit: segmenten, parameters met bron, afronding, redenen."""
    from lks.app import berekening

    maand = periode(periode_, "--periode")
    moment = parse_moment(as_of, "--as-of")
    o = omgeving()
    wie = identiteit(o.engine)
    with meldingen(*_fouten()):
        lines = berekening.uitleg(o, wie, plaatsing_id, maand, indexatie=indexatie, as_of=moment)
    if not lines:
        fail(f"plaatsing {plaatsing_id} is in {maand} niet actief")
    console.print("\n".join(lines), highlight=False, soft_wrap=True)
