"""The demo gemeente's users: one per role, a second medewerker and a second beheerder, made
through the application layer (the beheerder adds the others; alone, in the opzetfase, until
the second beheerder exists, who then confirms the portal users the first asks for). Their passwords are printed by ``lks
demo`` and are for the local demo database only.

The operating-system account that runs the demo is linked to the first medewerker, so the
command line works on the demo database (``lks --db sqlite:///demo-out/lks-demo.db betaalrun
list``) as that medewerker; every other user signs in on the web (``lks serve``)."""
from __future__ import annotations

import datetime as dt

from lks.app import gebruikers
from lks.app.identiteit import Rol

BEHEERDER = "b.mulder"
MEDEWERKER = "m.jansen"      # medewerker financiën: deliveries, payment files, letters
MEDEWERKER_2 = "s.devries"   # a second medewerker (werklijst, portal changes)
GOEDKEURDER = "a.bakker"     # teamleider who approves betaalruns and account changes
CONTROLLER = "c.smit"        # controller: verantwoording, ledger, bank
BEHEERDER_2 = "j.visser"     # a second beheerder: confirms what b.mulder changes (four eyes)

DEMO_GEBRUIKERS = {
    MEDEWERKER: ("medewerker", "Marieke Jansen"),
    MEDEWERKER_2: ("medewerker", "Sanne de Vries"),
    GOEDKEURDER: ("goedkeurder", "Anouk Bakker"),
    CONTROLLER: ("controller", "Cor Smit"),
    # last: until the second beheerder exists, b.mulder is alone (the opzetfase) and the users
    # above take effect at once, marked as such; from here on the one confirms the other
    BEHEERDER_2: ("beheerder", "Jeroen Visser"),
}


def wachtwoord(naam: str) -> str:
    """The demo password of a demo user (local demo only; printed by ``lks demo``)."""
    return f"Hogeland-{naam.split('.')[0]}{len(naam)}-demo"


def maak(engine, now: dt.datetime) -> dict[str, str]:
    """Create the demo users; returns name -> role."""
    gebruikers.eerste_beheerder(engine, now, naam=BEHEERDER, account=None, wachtwoord=wachtwoord(BEHEERDER),
                                weergavenaam="Bram Mulder", rollen=(Rol.BEHEERDER,))
    beheerder = gebruikers.als(engine, BEHEERDER, "demo")
    account = gebruikers.systeemaccount(engine)
    for naam, (rol, weergave) in DEMO_GEBRUIKERS.items():
        gebruikers.voeg_toe(engine, beheerder, naam, rol, wachtwoord=wachtwoord(naam), weergavenaam=weergave,
                            account=account if naam == MEDEWERKER else None, now=now)
    return {BEHEERDER: "beheerder", **{n: r for n, (r, _) in DEMO_GEBRUIKERS.items()}}


def als(engine, naam: str):
    return gebruikers.als(engine, naam, "demo")


PORTAAL_WERKGEVERS = ("W001", "W002")  # werkgevers of the demo with a portal user


def werkgever_gebruiker(werkgever_id: str) -> str:
    return f"werkgever.{werkgever_id.lower()}"


def maak_werkgevers(engine, now: dt.datetime, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """A portal user for each of ``PORTAAL_WERKGEVERS`` and ``extra``: asked by the demo
    beheerder, confirmed by the second (four eyes, after the opzetfase); returns name -> role."""
    beheerder = gebruikers.als(engine, BEHEERDER, "demo")
    tweede = gebruikers.als(engine, BEHEERDER_2, "demo")
    uit = {}
    for werkgever_id in dict.fromkeys(PORTAAL_WERKGEVERS + extra):
        naam = werkgever_gebruiker(werkgever_id)
        aanvraag = gebruikers.voeg_toe(engine, beheerder, naam, "werkgever", wachtwoord=wachtwoord(naam),
                                       weergavenaam=f"Werkgever {werkgever_id}", werkgever_id=werkgever_id, now=now)
        if aanvraag.wacht:
            gebruikers.bevestig(engine, tweede, aanvraag.wijziging.id, now)
        uit[naam] = f"werkgever ({werkgever_id})"
    return uit
