"""CLI: ``lks calculate`` (interfaces.md §3) and ``lks explain`` (alias ``lks uitleg``)."""
from __future__ import annotations

from pathlib import Path

import typer

from lks.calc import calculate as calculate_core
from lks.calc.core import CalcFout
from lks.cli import app, console, fail, open_engine, parse_moment, schrijffout, uitvoerpad
from lks.export import write_calculation_csv
from lks.nl import euro, is_maand
from lks.facts import FactsFout, load_facts
from lks.parameters import ParameterFout, ParameterOntbreekt, Parameters
from lks.settings import InstellingenFout, load_settings



def _month(value: str, option: str) -> str:
    if not is_maand(value):
        fail(f"{option} '{value}' is geen maand in de vorm JJJJ-MM")
    return value


def _inputs(indexatie: str | None, as_of: str | None):
    """Facts, parameters and policy; every failure becomes one clear line and exit 1."""
    try:
        settings = load_settings()
        policy = settings.policy()
        if indexatie is not None:
            if indexatie not in ("halfjaarlijks", "jaarlijks"):
                fail(f"--indexatie '{indexatie}' is onbekend (halfjaarlijks of jaarlijks)")
            policy = type(policy)(indexatie=indexatie,
                                  ontwikkelbaan_vakantiebijslag=policy.ontwikkelbaan_vakantiebijslag,
                                  ontwikkelbaan_werkgeverslasten=policy.ontwikkelbaan_werkgeverslasten)
        params = Parameters.load()
        engine = open_engine()
        facts = load_facts(engine, as_of=parse_moment(as_of, "--as-of"))
        return facts.to_calc_input(), params, policy
    except (InstellingenFout, ParameterFout, FactsFout) as exc:
        fail(str(exc))


@app.command("calculate")
def calculate_command(
    van: str = typer.Option(..., "--from", metavar="JJJJ-MM", help="Eerste maand (inclusief)."),
    tot: str = typer.Option(..., "--to", metavar="JJJJ-MM", help="Laatste maand (inclusief)."),
    csv: Path = typer.Option(..., "--csv", metavar="UIT.csv", help="Schrijf de berekening naar dit CSV-bestand."),
    indexatie: str = typer.Option(None, "--indexatie", metavar="halfjaarlijks|jaarlijks",
                                  help="Indexatie van het WML (standaard: uit gemeente.toml)."),
    as_of: str = typer.Option(None, "--as-of", metavar="TIJDSTIP",
                              help="Reken met de feiten zoals bekend op dit moment (standaard: nu)."),
):
    """Bereken de loonkostensubsidie per plaatsing per maand en schrijf de export (interfaces §3)."""
    van, tot = _month(van, "--from"), _month(tot, "--to")
    if tot < van:
        fail(f"--to {tot} ligt voor --from {van}")
    uitvoerpad(csv, "--csv", map_moet_bestaan=True)
    calc_input, params, policy = _inputs(indexatie, as_of)
    with console.status("Berekenen…"):
        try:
            result = calculate_core(calc_input, van, tot, params, policy)
        except (ParameterOntbreekt, CalcFout) as exc:
            fail(str(exc))
    try:
        rows = write_calculation_csv(result.plaatsing_maanden, csv)
    except OSError as exc:
        schrijffout(exc, csv)
    months = result.plaatsing_maanden
    totals = months.groupby("budget", observed=True)["lks_totaal"].sum() if rows else {}
    console.print(f"{rows} plaatsing-maanden berekend ({van} t/m {tot}, indexatie {policy.indexatie}) → {csv}")
    for budget, total in (totals.items() if rows else []):
        console.print(f"  {budget}: {euro(int(total))}")


@app.command("explain")
@app.command("uitleg", hidden=True)
def uitleg_command(
    plaatsing_id: str = typer.Argument(..., metavar="PLAATSING_ID", help="De plaatsing."),
    periode: str = typer.Option(..., "--periode", metavar="JJJJ-MM", help="De maand."),
    indexatie: str = typer.Option(None, "--indexatie", metavar="halfjaarlijks|jaarlijks",
                                  help="Indexatie van het WML (standaard: uit gemeente.toml)."),
    as_of: str = typer.Option(None, "--as-of", metavar="TIJDSTIP",
                              help="Met de feiten zoals bekend op dit moment (standaard: nu)."),
):
    """Leg de berekening van één plaatsing in één maand uit: segmenten, parameters met bron, afronding, redenen."""
    from lks.uitleg import uitleg

    periode = _month(periode, "--periode")
    calc_input, params, policy = _inputs(indexatie, as_of)
    plaatsingen = calc_input.plaatsingen
    one = plaatsingen[plaatsingen["plaatsing_id"] == plaatsing_id]
    if one.empty:
        fail(f"plaatsing {plaatsing_id} is niet bekend")
    subset = type(calc_input)(
        one, calc_input.loonwaarden[calc_input.loonwaarden["plaatsing_id"] == plaatsing_id],
        calc_input.urenwijzigingen[calc_input.urenwijzigingen["plaatsing_id"] == plaatsing_id])
    try:
        result = calculate_core(subset, periode, periode, params, policy, explain=True)
    except (ParameterOntbreekt, CalcFout) as exc:
        fail(str(exc))
    lines = uitleg(result, plaatsing_id, periode, params, policy)
    if not lines:
        fail(f"plaatsing {plaatsing_id} is in {periode} niet actief")
    console.print("\n".join(lines), highlight=False, soft_wrap=True)
