"""CLI: ``lks beschikkingen make|list|mark-sent``.

Verbs in English, domain nouns and every message in Dutch."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lks.cli.kern import (LksTyper, app, console, fail, identiteit, meldingen, now, omgeving, schrijffout,
                          uitvoerpad)

beschikkingen_app = LksTyper(
    help="Beschikkingen (verlening, wijziging, beëindiging, vaststelling, intrekking): maken wat sinds de "
         "vorige brieven veranderd is, tonen en als verzonden markeren.",
    no_args_is_help=True)
app.add_typer(beschikkingen_app, name="beschikkingen")

SOORT_LABEL = {"verlening": "verlening", "wijziging": "wijziging", "beeindiging": "beëindiging",
               "vaststelling": "vaststelling", "intrekking": "intrekking"}


def _datum(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.timezone.utc).astimezone(_tz()).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"ongeldige datum {value!r} (verwacht JJJJ-MM-DD)")


def _tz():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Europe/Amsterdam")


@beschikkingen_app.command("make")
def make(
    datum: str = typer.Option(None, "--datum", metavar="JJJJ-MM-DD",
                              help="Datum van de brieven (standaard: vandaag)."),
    out: Path = typer.Option(Path("."), "--out", metavar="MAP",
                             help="Uitvoermap; de brieven komen in MAP/beschikkingen/."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Alleen HTML maken, geen PDF."),
):
    """Maak de beschikkingen voor alles wat sinds de vorige brieven veranderd is (nieuwe
    plaatsingen, nieuwe loonwaarden of uren, indexatie van het WML, beëindigingen,
    vaststellingen). Is er niets veranderd, dan wordt er niets gemaakt."""
    from lks.app import beschikkingen
    from lks.beschikkingen import BeschikkingFout
    from lks.calc.core import CalcFout
    from lks.parameters import ParameterFout, ParameterOntbreekt

    dag = _datum(datum)
    uitvoerpad(out, "--out", is_map=True)
    uitvoerpad(out / "beschikkingen", "--out", is_map=True)
    o = omgeving(out)
    wie = identiteit(o.engine)
    progress = Progress(TextColumn("PDF's maken"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True)
    task = None

    def bijwerken(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task("pdf", total=total)
        progress.update(task, completed=done)

    try:
        with meldingen(BeschikkingFout, CalcFout, ParameterFout, ParameterOntbreekt):
            result = beschikkingen.maak(o, wie, dag, now(), out, pdf=not no_pdf, progress=bijwerken)
    except OSError as exc:  # the letters are recorded; their files can be made again
        schrijffout(exc, out / "beschikkingen")
    finally:
        if task is not None:
            progress.stop()
        o.engine.dispose()
    for pad in result.opgeruimd:
        console.print(f"Opgeruimd: {pad.name}, een tijdelijk bestand van een afgebroken batch.",
                      markup=False, highlight=False, soft_wrap=True)
    if result.hersteld:
        console.print(f"Hersteld uit de vastgelegde gegevens (een eerdere batch stopte voordat de "
                      f"bestanden geschreven waren): {len(result.hersteld)} brief/brieven, "
                      f"{', '.join(result.hersteld)}.", highlight=False)
    if not result.beschikkingen:
        console.print(f"Niets veranderd sinds de vorige beschikkingen: geen nieuwe brieven "
                      f"({dag:%d-%m-%Y}).")
        return
    table = Table(title=f"Beschikkingen van {dag:%d-%m-%Y}")
    table.add_column("soort")
    table.add_column("brieven", justify="right")
    table.add_column("plaatsingen", justify="right")
    for soort, aantal in result.per_soort().items():
        plaatsingen = sum(len(b.plaatsingen) for b in result.beschikkingen if b.soort == soort)
        table.add_row(SOORT_LABEL[soort], str(aantal), str(plaatsingen))
    table.add_row("totaal", str(len(result.beschikkingen)),
                  str(sum(len(b.plaatsingen) for b in result.beschikkingen)), style="bold")
    console.print(table)
    herzien = [f"{b.kenmerk} herziet {b.herziet_kenmerk}" for b in result.beschikkingen if b.herziet_kenmerk]
    if herzien:
        console.print(f"Herziene vaststellingen (Awb art. 4:49, na later bekende gegevens): "
                      f"{', '.join(herzien)}", highlight=False)
    te_laat = [b.kenmerk for b in result.beschikkingen if b.termijn_overschreden]
    if te_laat:
        console.print(f"Let op: {len(te_laat)} brief/brieven na de beslistermijn na de vaststelling van "
                      f"de loonwaarde (Pw art. 10d lid 12): {', '.join(te_laat)}", highlight=False)
    console.print(f"Brieven (status concept) in {out / 'beschikkingen'}/ "
                  f"({result.pdfs} als PDF).", highlight=False)


@beschikkingen_app.command("list")
def list_command(
    soort: str = typer.Option(None, "--soort", metavar="SOORT",
                              help="Alleen deze soort (verlening, wijziging, beeindiging, vaststelling, intrekking)."),
):
    """Toon de gemaakte beschikkingen met soort, werkgever, datum en status."""
    from lks.app import beschikkingen

    if soort is not None and soort not in SOORT_LABEL:
        fail(f"--soort '{soort}' is onbekend (kies {', '.join(SOORT_LABEL)})")
    o = omgeving()
    wie = identiteit(o.engine)
    try:
        with meldingen():
            rows = beschikkingen.lijst(o, wie, soort)
            aantallen = beschikkingen.aantallen_plaatsingen(o, wie)
    finally:
        o.engine.dispose()
    if not rows:
        console.print("Nog geen beschikkingen.")
        return
    table = Table(title="Beschikkingen")
    for column in ("kenmerk", "soort", "werkgever", "datum", "plaatsingen", "status"):
        # a narrow terminal wraps the cells, never cuts a word off
        table.add_column(column, justify="right" if column == "plaatsingen" else "left",
                         no_wrap=column in ("kenmerk", "datum"), overflow="fold")
    for row in rows:
        soort_tekst = SOORT_LABEL[row.soort]
        if row.herziet_kenmerk:
            soort_tekst += f" (herziet {row.herziet_kenmerk})"
        if row.termijn_overschreden:
            soort_tekst += ", beslistermijn overschreden"
        status = row.status + (f" {row.verzonden_op.astimezone(_tz()):%d-%m-%Y %H:%M}" if row.verzonden_op else "")
        table.add_row(row.kenmerk, soort_tekst, row.werkgever_id, f"{row.datum:%d-%m-%Y}",
                      str(aantallen.get(row.id, 0)), status)
    console.print(table)


@beschikkingen_app.command("mark-sent")
def mark_sent(kenmerk: str = typer.Argument(..., metavar="KENMERK", help="Bijvoorbeeld LKS/2026/000123.")):
    """Markeer een beschikking als verzonden (kan maar één keer)."""
    from lks.app import beschikkingen
    from lks.beschikkingen import BeschikkingFout

    o = omgeving()
    moment = now()
    try:
        with meldingen(BeschikkingFout):
            row = beschikkingen.markeer_verzonden(o, identiteit(o.engine), kenmerk, moment)
    finally:
        o.engine.dispose()
    console.print(f"Beschikking {row.kenmerk} gemarkeerd als verzonden.", highlight=False)
    vandaag = moment.astimezone(_tz()).date()
    if vandaag > row.datum:
        console.print(f"Let op: de brief is gedateerd {row.datum:%d-%m-%Y}; de bezwaartermijn in de "
                      "brief is berekend vanaf die datum.", highlight=False)
