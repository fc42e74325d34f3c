"""CLI: ``lks gebruiker add|list|disable|enable|roles|password|totp|link|pending|confirm|reject``
(interfaces §5).

Only a beheerder manages users, and never their own account: another beheerder must. A change
that gives power or touches credentials waits for a second beheerder (``pending``,
``confirm``, ``reject``); in the opzetfase (one active beheerder) it takes effect at once."""
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


def _uitkomst(uitkomst, gelukt: str) -> None:
    """Print what a change did: in force (``gelukt``), in force in the opzetfase, or waiting."""
    w = uitkomst.wijziging
    if w is not None and w.wacht:
        console.print(f"Wijziging {w.id} aangevraagd: {w.omschrijving}. Die geldt pas als een andere beheerder "
                      f"haar bevestigt ('lks gebruiker confirm {w.id}').", highlight=False)
        return
    console.print(gelukt, highlight=False)
    if w is not None and w.opzetfase:
        console.print("Opzetfase: u bent de enige actieve beheerder, dus de wijziging geldt direct; zij staat als "
                      "opzetfase in het auditlog en in 'lks gebruiker list'.", highlight=False)


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
        uitkomst = gebruikers.voeg_toe(engine, wie, naam, rol, wachtwoord=wachtwoord, account=account,
                                       weergavenaam=weergavenaam, email=email, werkgever_id=werkgever, now=now())
    info = uitkomst.info
    _uitkomst(uitkomst, info and (f"Gebruiker {info.naam} toegevoegd met de rol(len) {', '.join(info.rollen)}"
                                  + (f", gekoppeld aan account {info.account}" if info.account else "")
                                  + (f", werkgever {info.werkgever_id}" if info.werkgever_id else "") + "."))


@gebruiker_app.command("list")
def list_command():
    """Toon alle gebruikers met hun rollen en status."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen():
        rows = gebruikers.lijst(engine, identiteit(engine))
    table = Table(title="Gebruikers")
    for column in ("naam", "weergavenaam", "rollen", "account", "aanmelden", "status", "opzetfase"):
        table.add_column(column, overflow="fold")
    for g in rows:
        aanmelden = ", ".join(x for x in ("sso" if g.sso else "", "wachtwoord" if g.soort == "mens" and not g.sso else "",
                                          "tweede factor" if g.totp_verplicht else "") if x)
        status = "actief" if g.actief else "geblokkeerd"
        if g.geblokkeerd_tot:
            status += f" (tijdelijk tot {g.geblokkeerd_tot:%Y-%m-%d %H:%M} UTC)"
        table.add_row(g.naam, g.weergavenaam, ", ".join(g.rollen) + (f" ({g.werkgever_id})" if g.werkgever_id else ""),
                      g.account or "", "systeem" if g.soort == "systeem" else aanmelden, status,
                      "ja" if g.opzetfase else "")
    console.print(table)
    if any(g.opzetfase for g in rows):
        console.print("opzetfase ja: een wijziging van deze gebruiker is door één beheerder alleen gedaan, toen er "
                      "nog geen tweede actieve beheerder was ('lks gebruiker pending --opzetfase' toont welke).",
                      highlight=False)


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
        uitkomst = gebruikers.zet_actief(engine, identiteit(engine), naam, True, now())
    _uitkomst(uitkomst, f"Gebruiker {naam} heeft weer toegang.")


@gebruiker_app.command("roles")
def roles(naam: str = NAAM, rol: str = ROL):
    """Vervang de rollen van een gebruiker (niet die van uzelf: dat doet een andere beheerder)."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        uitkomst = gebruikers.zet_rollen(engine, identiteit(engine), naam, rol, now())
    info = uitkomst.info
    if uitkomst.wacht:
        console.print(f"Gebruiker {info.naam} heeft nu de rol(len) {', '.join(info.rollen) or 'geen'}.", highlight=False)
    _uitkomst(uitkomst, f"Gebruiker {info.naam} heeft nu de rol(len) {', '.join(info.rollen)}.")


@gebruiker_app.command("password")
def password(naam: str = NAAM):
    """Stel een nieuw wachtwoord in voor een gebruiker (van standaardinvoer of gevraagd)."""
    from lks.app import gebruikers
    engine = open_engine()
    wie = identiteit(engine)
    wachtwoord = _wachtwoord(nodig=True)
    with meldingen(*_fouten()):
        uitkomst = gebruikers.zet_wachtwoord(engine, wie, naam, wachtwoord, now())
    _uitkomst(uitkomst, f"Nieuw wachtwoord ingesteld voor {naam}; lopende sessies zijn beëindigd.")


@gebruiker_app.command("totp")
def totp(naam: str = NAAM,
         verplicht: bool = typer.Option(True, "--verplicht/--niet-verplicht",
                                        help="Tweede factor (TOTP-app) verplicht bij inloggen op het web.")):
    """Verplicht een tweede factor voor een gebruiker (bijvoorbeeld elke goedkeurder). De gebruiker
    stelt de app in bij de volgende keer inloggen."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        uitkomst = gebruikers.zet_totp_verplicht(engine, identiteit(engine), naam, verplicht, now())
    _uitkomst(uitkomst, f"Tweede factor voor {naam}: {'verplicht' if verplicht else 'niet verplicht'}.")


@gebruiker_app.command("link")
def link(naam: str = NAAM,
         account: str = typer.Option(..., "--account", metavar="ACCOUNT",
                                     help="Systeemaccount (SQLite) of databaselogin (PostgreSQL); leeg ('') ontkoppelt.")):
    """Koppel een gebruiker aan het account waarmee hij de opdrachtregel gebruikt; ook de
    systeemgebruiker 'scheduler' aan het serviceaccount dat 'lks scheduler' draait."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        uitkomst = gebruikers.koppel_account(engine, identiteit(engine), naam, account, now())
    info = uitkomst.info
    _uitkomst(uitkomst, f"Gebruiker {info.naam} " + (f"gekoppeld aan account {info.account}." if info.account
                                                    else "niet meer aan een account gekoppeld."))


@gebruiker_app.command("pending")
def pending(opzetfase: bool = typer.Option(False, "--opzetfase",
                                           help="Toon in plaats daarvan de wijzigingen die één beheerder in de "
                                                "opzetfase alleen deed.")):
    """Toon de wijzigingen die op een tweede beheerder wachten (of, met --opzetfase, die in de
    opzetfase direct golden)."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        rows = (gebruikers.wijzigingen(engine, identiteit(engine), status=None, opzetfase=True) if opzetfase
                else gebruikers.wijzigingen(engine, identiteit(engine)))
    if not rows:
        console.print("Geen wijzigingen in de opzetfase." if opzetfase
                      else "Geen wijzigingen die op een tweede beheerder wachten.", highlight=False)
        return
    table = Table(title="Wijzigingen in de opzetfase" if opzetfase else "Wachtende wijzigingen")
    for column in ("nummer", "wijziging", "aangevraagd door", "op"):
        table.add_column(column, overflow="fold")
    for w in rows:
        table.add_row(str(w.id), w.omschrijving, w.aangevraagd_door, f"{w.aangevraagd_op:%Y-%m-%d %H:%M} UTC")
    console.print(table)


@gebruiker_app.command("confirm")
def confirm(nummer: int = typer.Argument(..., metavar="NUMMER", help="Het nummer uit 'lks gebruiker pending'.")):
    """Bevestig als tweede beheerder een wachtende wijziging (niet een die u zelf aanvroeg of die
    over uzelf gaat); zij geldt direct."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        uitkomst = gebruikers.bevestig(engine, identiteit(engine), nummer, now())
    console.print(f"Wijziging {nummer} bevestigd: {uitkomst.wijziging.omschrijving}.", highlight=False)


@gebruiker_app.command("reject")
def reject(nummer: int = typer.Argument(..., metavar="NUMMER", help="Het nummer uit 'lks gebruiker pending'."),
           reden: str = typer.Option(..., "--reden", metavar="TEKST", help="Waarom de wijziging niet doorgaat.")):
    """Wijs als tweede beheerder een wachtende wijziging af; er verandert niets."""
    from lks.app import gebruikers
    engine = open_engine()
    with meldingen(*_fouten()):
        w = gebruikers.wijs_af(engine, identiteit(engine), nummer, reden, now())
    console.print(f"Wijziging {nummer} afgewezen: {w.omschrijving}.", highlight=False)
