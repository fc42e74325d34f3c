"""CLI: ``lks rekening list|approve|reject`` — a werkgever's new bank account waits for a
goedkeurder other than the one who delivered it; until then its payments are held."""
from __future__ import annotations

import typer
from rich.table import Table

from lks.cli.kern import LksTyper, app, console, identiteit, meldingen, now, omgeving

rekening_app = LksTyper(help="Rekeningwijzigingen van werkgevers: goedkeuren of afwijzen (vier ogen); tot dan "
                             "worden betalingen aan die werkgever aangehouden.", no_args_is_help=True)
app.add_typer(rekening_app, name="rekening")

ID = typer.Argument(..., metavar="ID", help="Het nummer uit 'lks rekening list'.")


def _fouten():
    from lks.app.rekeningen import RekeningFout
    return (RekeningFout,)


@rekening_app.command("list")
def list_command(alle: bool = typer.Option(False, "--alle", help="Ook de beoordeelde wijzigingen tonen.")):
    """Toon de rekeningwijzigingen die op goedkeuring wachten (met --alle ook de beoordeelde)."""
    from lks.app import rekeningen
    o = omgeving()
    with meldingen():
        rows = rekeningen.lijst(o, identiteit(o.engine), alleen_wachtend=not alle)
    if not rows:
        console.print("Geen rekeningwijzigingen die wachten." if not alle else "Geen rekeningwijzigingen.")
        return
    table = Table(title="Rekeningwijzigingen")
    for column in ("id", "werkgever", "huidig", "nieuw", "aangeleverd door", "status"):
        table.add_column(column, overflow="fold")
    for w in rows:
            # the full number: the goedkeurder checks it with the werkgever before approving
        table.add_row(str(w.id), f"{w.werkgever_id} {w.werkgever_naam}", _groepen(w.oud_iban or ""),
                      _groepen(w.nieuw_iban), f"{w.ingediend_door} ({w.bron})",
                      w.status + (f" door {w.beoordeeld_door}" if w.beoordeeld_door else ""))
    console.print(table)


@rekening_app.command("approve")
def approve(wijziging: int = ID):
    """Keur een nieuw rekeningnummer goed (niet door wie het aanleverde)."""
    from lks.app import rekeningen
    o = omgeving()
    with meldingen(*_fouten()):
        w = rekeningen.beoordeel(o, identiteit(o.engine), wijziging, True, None, now())
    console.print(f"Rekeningwijziging {w.id} van werkgever {w.werkgever_id} goedgekeurd; de volgende betaalrun "
                  "betaalt de aangehouden bedragen.", highlight=False)


@rekening_app.command("reject")
def reject(wijziging: int = ID,
           reden: str = typer.Option(..., "--reden", metavar="TEKST", help="Waarom het nummer is afgewezen.")):
    """Wijs een nieuw rekeningnummer af; er wordt weer betaald op het goedgekeurde nummer."""
    from lks.app import rekeningen
    o = omgeving()
    with meldingen(*_fouten()):
        w = rekeningen.beoordeel(o, identiteit(o.engine), wijziging, False, reden, now())
    console.print(f"Rekeningwijziging {w.id} van werkgever {w.werkgever_id} afgewezen.", highlight=False)


def _groepen(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
