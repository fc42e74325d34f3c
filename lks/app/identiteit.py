"""Who acts, and what each role may do.

The application layer (``lks.app``) receives the acting user as an :class:`Identiteit`, made
only by authentication (``lks.app.gebruikers``: the operating-system account or database login
role on the command line, a password or single sign-on on the web, the scheduler's own system
user), never from a name someone types. Every operation names the :class:`Actie` it performs;
:data:`RECHTEN` says which roles may perform it. The faces (CLI, web, portal) ask the same table
before they show an action; the application layer checks it again, because a hidden button is
not a check.

Roles (interfaces.md §5) and the segregation of duties they carry:
- ``medewerker``: imports deliveries, requests and calculates betaalruns, makes beschikkingen,
  works the werklijst, accepts or rejects what werkgevers report;
- ``goedkeurder``: approves betaalruns (never one they calculated) and bank account changes
  (never one they submitted);
- ``controller``: reads everything, makes the reports, imports ledger and bank statements;
- ``beheerder``: users and roles (never their own roles; what gives an account power waits for
  a second beheerder, ``lks.app.gebruikers``);
- ``werkgever``: a werkgever's own user, in the portal only, bound to that werkgever;
- ``systeem``: the scheduler: requests and calculates, makes letters and signalen, never approves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Rol(StrEnum):
    MEDEWERKER = "medewerker"
    GOEDKEURDER = "goedkeurder"
    CONTROLLER = "controller"
    BEHEERDER = "beheerder"
    WERKGEVER = "werkgever"
    SYSTEEM = "systeem"


ROL_OMSCHRIJVING = {
    Rol.MEDEWERKER: "leveringen, betaalruns aanvragen en berekenen, beschikkingen, werklijst",
    Rol.GOEDKEURDER: "betaalruns en rekeningwijzigingen goedkeuren",
    Rol.CONTROLLER: "alles inzien, verantwoording, grootboek en bankafschriften",
    Rol.BEHEERDER: "gebruikers en rollen",
    Rol.WERKGEVER: "werkgeversportaal van één werkgever",
    Rol.SYSTEEM: "de scheduler: aanvragen en berekenen, nooit goedkeuren",
}

STAF = frozenset({Rol.MEDEWERKER, Rol.GOEDKEURDER, Rol.CONTROLLER})
"""Roles that read the gemeente's data (werkgevers, plaatsingen, runs, letters, werklijst)."""


class Actie(StrEnum):
    """What a user can do. The value is the Dutch phrase a refusal names."""

    LEZEN = "gegevens inzien"
    LEVERING_IMPORTEREN = "een levering inlezen"
    BETAALRUN_AANVRAGEN = "een betaalrun aanvragen"
    BETAALRUN_BEREKENEN = "een betaalrun berekenen"
    BETAALRUN_GOEDKEUREN = "een betaalrun goedkeuren"
    BETAALRUN_EXPORTEREN = "het SEPA-bestand en de specificaties maken"
    BETAALRUN_DOWNLOADEN = "betaalbestanden downloaden"
    BETAALRUN_VERZONDEN = "een betaalrun als verzonden markeren"
    BETAALRUN_ANNULEREN = "een betaalrun annuleren"
    BESCHIKKINGEN_MAKEN = "beschikkingen maken"
    BESCHIKKING_VERZONDEN = "een beschikking als verzonden markeren"
    SIGNALEN_MAKEN = "de werklijst bijwerken"
    SIGNAAL_OPLOSSEN = "een signaal oplossen"
    WIJZIGING_BEOORDELEN = "een wijziging van een werkgever beoordelen"
    REKENING_GOEDKEUREN = "een rekeningwijziging goedkeuren"
    RAPPORT_MAKEN = "de verantwoording opstellen"
    GROOTBOEK_IMPORTEREN = "een grootboekexport inlezen"
    BANK_IMPORTEREN = "een bankafschrift inlezen"
    BUDGET_VASTLEGGEN = "budgetten en normen vastleggen"
    ONTVANGST_VASTLEGGEN = "een terugbetaling vastleggen"
    GEBRUIKERS_BEHEREN = "gebruikers en rollen beheren"
    SCHEDULER_STARTEN = "de scheduler starten"
    PORTAAL = "het werkgeversportaal gebruiken"


RECHTEN: dict[Actie, frozenset[Rol]] = {
    Actie.LEZEN: STAF,
    Actie.LEVERING_IMPORTEREN: frozenset({Rol.MEDEWERKER}),
    Actie.BETAALRUN_AANVRAGEN: frozenset({Rol.MEDEWERKER, Rol.SYSTEEM}),
    Actie.BETAALRUN_BEREKENEN: frozenset({Rol.MEDEWERKER, Rol.SYSTEEM}),
    Actie.BETAALRUN_GOEDKEUREN: frozenset({Rol.GOEDKEURDER}),
    Actie.BETAALRUN_EXPORTEREN: frozenset({Rol.MEDEWERKER}),
    Actie.BETAALRUN_DOWNLOADEN: STAF,
    Actie.BETAALRUN_VERZONDEN: frozenset({Rol.MEDEWERKER}),
    Actie.BETAALRUN_ANNULEREN: frozenset({Rol.MEDEWERKER}),
    Actie.BESCHIKKINGEN_MAKEN: frozenset({Rol.MEDEWERKER, Rol.SYSTEEM}),
    Actie.BESCHIKKING_VERZONDEN: frozenset({Rol.MEDEWERKER}),
    Actie.SIGNALEN_MAKEN: frozenset({Rol.MEDEWERKER, Rol.SYSTEEM}),
    Actie.SIGNAAL_OPLOSSEN: frozenset({Rol.MEDEWERKER}),
    Actie.WIJZIGING_BEOORDELEN: frozenset({Rol.MEDEWERKER}),
    Actie.REKENING_GOEDKEUREN: frozenset({Rol.GOEDKEURDER}),
    Actie.RAPPORT_MAKEN: frozenset({Rol.CONTROLLER}),
    Actie.GROOTBOEK_IMPORTEREN: frozenset({Rol.CONTROLLER}),
    Actie.BANK_IMPORTEREN: frozenset({Rol.CONTROLLER}),
    Actie.BUDGET_VASTLEGGEN: frozenset({Rol.CONTROLLER}),
    Actie.ONTVANGST_VASTLEGGEN: frozenset({Rol.MEDEWERKER, Rol.CONTROLLER}),
    Actie.GEBRUIKERS_BEHEREN: frozenset({Rol.BEHEERDER}),
    Actie.SCHEDULER_STARTEN: frozenset({Rol.BEHEERDER, Rol.SYSTEEM}),
    Actie.PORTAAL: frozenset({Rol.WERKGEVER}),
}


class Geweigerd(PermissionError):
    """An action the acting user may not perform (message in Dutch, for the user)."""


@dataclass(frozen=True)
class Identiteit:
    """An authenticated user as the application layer sees them.

    ``bron`` says how they were authenticated (``account``, ``wachtwoord``, ``sso``,
    ``systeem``, ``demo``); ``client_adres`` is the web client's address (audit log).
    A werkgever user carries its ``werkgever_id``: every portal query is bound to it."""

    gebruiker_id: int
    naam: str
    rollen: frozenset[Rol]
    bron: str
    weergavenaam: str = ""
    werkgever_id: str | None = None
    client_adres: str | None = field(default=None, compare=False)

    def mag(self, actie: Actie) -> bool:
        return bool(self.rollen & RECHTEN[actie])

    def vereist(self, actie: Actie) -> None:
        """Refuse, in one Dutch sentence, an action none of the user's roles allows."""
        if not self.mag(actie):
            nodig = " of ".join(sorted(RECHTEN[actie]))
            heeft = f"de rol {', '.join(sorted(self.rollen))}" if self.rollen else "geen rol"
            raise Geweigerd(f"geweigerd: {actie.value} vereist de rol {nodig}; {self.naam} heeft {heeft}")

    def met_adres(self, client_adres: str | None) -> "Identiteit":
        from dataclasses import replace
        return replace(self, client_adres=client_adres)
