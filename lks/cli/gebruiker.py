"""CLI: ``lks gebruiker add|list|disable|enable|roles|password|totp`` (interfaces §5).

Only a beheerder manages users, and never their own account: another beheerder must."""
from __future__ import annotations

import sys

import typer
from rich.table import Table

from lks.cli.kern import LksTyper, app, console, fail, identiteit, meldingen, now, open_engine

gebruiker_app = LksTyper(help="Gebruikers en rollen (medewerker, goedkeurder, controller, beheerder, "
                              "werkgever) beheren.", no_args_is_help=True)
app.add_typer(gebruiker_app, name="gebruiker")

NAAM = typer.Argument(..., metavar="NAAM", help="De gebruikersnaam (kleine letters), ook om mee in te loggen.")
ROL = typer.Option(..., "--rol", metavar="ROL[,ROL]",
                   help="Rollen, met komma's: medewerker, goedkeurder, controller, beheerder of werkgever.")


def _wachtwoord(nodig: bool) -> str | None:
    """From standard input when it is not a terminal (one line), else asked twice, hidden."""
    if not sys.stdin.isatty():
        regel = sys.stdin.readline().rstrip("\r\n")
        if not regel:
            if nodig:
                fail("geen wachtwoord op standaardinvoer")
            return None
        return regel
    if not nodig and not typer.confirm("Een wachtwoord instellen voor inloggen in de webapplicatie?", default=True):
        return None
    eerste = typer.prompt("Wachtwoord", hide_input=True)
    if typer.prompt("Nogmaals", hide_input=True) != eerste:
        fail("de wachtwoorden zijn niet gelijk")
    return eerste


def _fouten():
    from lks.app.gebruikers import GebruikerFout
    return (GebruikerFout,)


@gebruiker_app.command("add")
def add(
    naam: str = NAAM,
    rol: str = ROL,
    account: str = typer.Option(None, "--account", metavar="ACCOUNT",
                                help="Het systeemaccount (SQLite) of de databaselogin (PostgreSQL) waarmee "
                                     "deze gebruiker de opdrachtregel gebruikt."),
    werkgever: str = typer.Option(None, "--werkgever", metavar="ID",
                                  help="Bij de rol werkgever: de werkgever waar het account bij hoort."),
    weergavenaam: str = typer.Option(None, "--naam", metavar="TEKST", help="Volledige naam (standaard NAAM)."),
    email: str = typer.Option(None, "--email", metavar="ADRES", help="E-mailadres."),
    zonder_wachtwoord: bool = typer.Option(False, "--zonder-wachtwoord",
                                           help="Geen wachtwoord (alleen opdrachtregel of single sign-on)."),
):
    """Voeg een gebruiker toe. Het wachtwoord komt van standaardinvoer als dat geen terminal is,
    anders wordt het (twee keer, verborgen) gevraagd."""
    from lks.app import gebruikers
    engine = open_engine()
    wie = identiteit(engine)
    wachtwoord = None if zonder_wachtwoord else _wachtwoord(nodig=not account)
    with meldingen(*_fouten()):
        info = gebruikers.voeg_toe(engine, wie, naam, rol, wachtwoord=wachtwoord, account=account,
                                   weergavenaam=weergavenaam, email=email, werkgever_id=werkgever, now=now())
    console.print(f"Gebruiker {info.naam} toegevoegd met de rol(len) {', '.join(info.rollen)}"
                  + (f", gekoppeld aan account {info.account}" if info.account else "")
                  + (f", werkgever {info.werkgever_id}" if info.werkgever_id else "") + ".", highlight=False)


@gebruiker_app.command("list")
def list_command():
    """Toon alle gebruikers met hun rollen en status."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen():
        rows = gebruikers.lijst(engine, identiteit(engine))
    table = Table(title="Gebruikers")
    for column in ("naam", "weergavenaam", "rollen", "account", "aanmelden", "status"):
        table.add_column(column, overflow="fold")
    for g in rows:
        aanmelden = ", ".join(x for x in ("sso" if g.sso else "", "wachtwoord" if g.soort == "mens" and not g.sso else "",
                                          "tweede factor" if g.totp_verplicht else "") if x)
        status = "actief" if g.actief else "geblokkeerd"
        if g.geblokkeerd_tot:
            status += f" (tijdelijk tot {g.geblokkeerd_tot:%Y-%m-%d %H:%M} UTC)"
        table.add_row(g.naam, g.weergavenaam, ", ".join(g.rollen) + (f" ({g.werkgever_id})" if g.werkgever_id else ""),
                      g.account or "", "systeem" if g.soort == "systeem" else aanmelden, status)
    console.print(table)


@gebruiker_app.command("disable")
def disable(naam: str = NAAM):
    """Blokkeer een gebruiker (ook lopende websessies stoppen direct)."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        gebruikers.zet_actief(engine, identiteit(engine), naam, False, now())
    console.print(f"Gebruiker {naam} geblokkeerd.", highlight=False)


@gebruiker_app.command("enable")
def enable(naam: str = NAAM):
    """Geef een geblokkeerde gebruiker weer toegang."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        gebruikers.zet_actief(engine, identiteit(engine), naam, True, now())
    console.print(f"Gebruiker {naam} heeft weer toegang.", highlight=False)


@gebruiker_app.command("roles")
def roles(naam: str = NAAM, rol: str = ROL):
    """Vervang de rollen van een gebruiker (niet die van uzelf: dat doet een andere beheerder)."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        info = gebruikers.zet_rollen(engine, identiteit(engine), naam, rol, now())
    console.print(f"Gebruiker {info.naam} heeft nu de rol(len) {', '.join(info.rollen)}.", highlight=False)


@gebruiker_app.command("password")
def password(naam: str = NAAM):
    """Stel een nieuw wachtwoord in voor een gebruiker (van standaardinvoer of gevraagd)."""
    from lks.app import gebruikers
    engine = open_engine()
    wie = identiteit(engine)
    wachtwoord = _wachtwoord(nodig=True)
    with meldingen(*_fouten()):
        gebruikers.zet_wachtwoord(engine, wie, naam, wachtwoord, now())
    console.print(f"Nieuw wachtwoord ingesteld voor {naam}; lopende sessies zijn beëindigd.", highlight=False)


@gebruiker_app.command("totp")
def totp(naam: str = NAAM,
         verplicht: bool = typer.Option(True, "--verplicht/--niet-verplicht",
                                        help="Tweede factor (TOTP-app) verplicht bij inloggen op het web.")):
    """Verplicht een tweede factor voor een gebruiker (bijvoorbeeld elke goedkeurder). De gebruiker
    stelt de app in bij de volgende keer inloggen."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        gebruikers.zet_totp_verplicht(engine, identiteit(engine), naam, verplicht, now())
    console.print(f"Tweede factor voor {naam}: {'verplicht' if verplicht else 'niet verplicht'}.", highlight=False)


@gebruiker_app.command("link")
def link(naam: str = NAAM,
         account: str = typer.Option(..., "--account", metavar="ACCOUNT",
                                     help="Systeemaccount (SQLite) of databaselogin (PostgreSQL); leeg ('') ontkoppelt.")):
    """Koppel een gebruiker aan het account waarmee hij de opdrachtregel gebruikt; ook de
    systeemgebruiker 'scheduler' aan het serviceaccount dat 'lks scheduler' draait."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        info = gebruikers.koppel_account(engine, identiteit(engine), naam, account, now())
    console.print(f"Gebruiker {info.naam} " + (f"gekoppeld aan account {info.account}." if info.account
                                              else "niet meer aan een account gekoppeld."), highlight=False)
