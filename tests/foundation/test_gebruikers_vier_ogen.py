"""Four eyes on user administration (issue 16 §3, no bypass for a beheerder), on SQLite and
PostgreSQL: a change that gives power or touches credentials waits for a second beheerder,
who is neither the requester nor the account concerned; alone (the opzetfase) a beheerder's
changes take effect at once and are marked so.

The test users (``maak_testgebruikers``) are made by ``bea`` alone, in the opzetfase. Each
test here that needs four eyes first adds ``henk`` as the second beheerder."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lks.app import gebruikers
from lks.app.identiteit import Geweigerd, Rol
from lks.db.models_betaalrun import AuditLog
from lks.db.models_gebruiker import Gebruiker, Gebruikerswijziging

from .helpers import TESTWACHTWOORD, dump

NU = dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.timezone.utc)
WACHTWOORD = "Bekend-bij-de-beheerder-2025"


def als(engine, naam):
    return gebruikers.als(engine, naam, "test")


def tweede_beheerder(engine) -> None:
    """bea, alone, adds henk as beheerder (opzetfase: at once); from now on four eyes."""
    uitkomst = gebruikers.voeg_toe(engine, als(engine, "bea"), "henk", "beheerder", account="henk",
                                   wachtwoord=TESTWACHTWOORD, now=NU)
    assert uitkomst.wijziging.opzetfase and not uitkomst.wacht and uitkomst.info.rollen == ("beheerder",)
    assert not gebruikers.in_opzetfase(engine)


def kan_aanmelden(engine, naam, wachtwoord) -> bool:
    try:
        gebruikers.aanmelden(engine, naam, wachtwoord, max_pogingen=50, blokkade=dt.timedelta(minutes=1))
        return True
    except gebruikers.AanmeldFout:
        return False


def test_alone_a_beheerder_is_in_the_opzetfase_and_every_change_says_so(engine, cli):
    assert gebruikers.in_opzetfase(engine)
    uitkomst = gebruikers.voeg_toe(engine, als(engine, "bea"), "eerste.goedkeurder", "goedkeurder",
                                   wachtwoord=WACHTWOORD, now=NU)
    assert not uitkomst.wacht and uitkomst.wijziging.opzetfase and uitkomst.info.rollen == ("goedkeurder",)
    assert kan_aanmelden(engine, "eerste.goedkeurder", WACHTWOORD)
    with Session(engine) as s:
        details = json.loads(s.scalars(select(AuditLog.details).where(AuditLog.actie == "gebruiker_toegevoegd")
                                       .order_by(AuditLog.id.desc())).first())
    assert details["opzetfase"] is True and details["gebruiker"] == "eerste.goedkeurder"
    assert "wachtwoord_hash" not in details
    # every test user was made by bea alone, and bea by lks init: all marked
    lijst = {g.naam: g.opzetfase for g in gebruikers.lijst(engine, als(engine, "bea"))}
    assert lijst["bea"] and lijst["klaas"] and lijst["eerste.goedkeurder"] and not lijst["scheduler"]
    uit = " ".join(cli("gebruiker", "list", als="bea").output.split())
    assert "opzetfase" in uit and "ja" in uit
    opzet = " ".join(cli("gebruiker", "pending", "--opzetfase", als="bea").output.split())
    assert "eerste.goedkeurder" in opzet and "Wijzigingen in de opzetfase" in opzet
    assert "wijzigingen die op een tweede beheerder wachten" in " ".join(
        cli("gebruiker", "pending", als="bea").output.split()).lower()


def test_the_straw_man_waits_for_a_second_beheerder(engine, cli):
    """A beheerder makes a goedkeurder with a password they know: not in force until another
    beheerder confirms; they cannot confirm it themselves, on the command line or in the
    database."""
    tweede_beheerder(engine)
    aanvraag = cli("gebruiker", "add", "stroman", "--rol", "goedkeurder", input=WACHTWOORD + "\n", als="bea")
    assert aanvraag.exit_code == 0, aanvraag.output
    assert "aangevraagd" in aanvraag.output and "andere beheerder" in " ".join(aanvraag.output.split())
    with Session(engine) as s:
        assert s.scalars(select(Gebruiker).where(Gebruiker.naam == "stroman")).first() is None
        rij = s.scalars(select(Gebruikerswijziging).where(Gebruikerswijziging.gebruiker == "stroman")).one()
        assert rij.status == "wacht" and not rij.opzetfase and rij.aangevraagd_door == "bea"
        assert json.loads(rij.gegevens)["wachtwoord_hash"].startswith("$argon2id$")
    assert WACHTWOORD not in repr(dump(engine))   # never the plain password
    assert not kan_aanmelden(engine, "stroman", WACHTWOORD)
    voor = dump(engine)
    eigen = cli("gebruiker", "confirm", str(rij.id), als="bea")
    assert eigen.exit_code == 1
    assert "vier-ogenprincipe: bea heeft wijziging" in " ".join(eigen.output.split())
    assert len(eigen.output.strip().splitlines()) <= 2
    with pytest.raises(Geweigerd, match="vier-ogenprincipe"):
        gebruikers.bevestig(engine, als(engine, "bea"), rij.id, NU)
    with pytest.raises(Geweigerd, match="vier-ogenprincipe"):
        gebruikers.wijs_af(engine, als(engine, "bea"), rij.id, "toch niet", NU)
    assert cli("gebruiker", "confirm", str(rij.id), als="klaas").exit_code == 1   # not a beheerder
    assert dump(engine) == voor
    with Session(engine) as s, pytest.raises(IntegrityError):   # past the application: the CHECK
        s.execute(update(Gebruikerswijziging).where(Gebruikerswijziging.id == rij.id)
                  .values(status="bevestigd", beoordeeld_door="bea", beoordeeld_op=NU))
        s.commit()
    with Session(engine) as s, pytest.raises(IntegrityError):   # confirmed by nobody, outside the opzetfase
        s.execute(update(Gebruikerswijziging).where(Gebruikerswijziging.id == rij.id)
                  .values(status="bevestigd", beoordeeld_op=NU))
        s.commit()
    assert dump(engine) == voor
    assert "stroman" in cli("gebruiker", "pending", als="henk").output
    bevestigd = cli("gebruiker", "confirm", str(rij.id), als="henk")
    assert bevestigd.exit_code == 0, bevestigd.output
    assert kan_aanmelden(engine, "stroman", WACHTWOORD)
    assert als(engine, "stroman").rollen == frozenset({Rol.GOEDKEURDER})
    with Session(engine) as s:
        acties = s.scalars(select(AuditLog.actie).where(AuditLog.actie.like("gebruikerswijziging_%"))
                           .order_by(AuditLog.id)).all()
    assert acties == ["gebruikerswijziging_aangevraagd", "gebruikerswijziging_bevestigd"]
    assert cli("gebruiker", "confirm", str(rij.id), als="henk").exit_code == 1   # once


def test_the_shadow_beheerder_cannot_give_its_maker_a_role(engine):
    """root, alone, makes a second beheerder account it controls (allowed in the opzetfase,
    and marked); that account asks a goedkeurder role for root: neither can confirm it, and
    root cannot block the shadow to be alone again."""
    bea = als(engine, "bea")
    schaduw = gebruikers.voeg_toe(engine, bea, "schaduw", "beheerder", wachtwoord=WACHTWOORD, now=NU)
    assert schaduw.wijziging.opzetfase and not gebruikers.in_opzetfase(engine)
    aanvraag = gebruikers.zet_rollen(engine, als(engine, "schaduw"), "bea", "beheerder,goedkeurder", NU)
    assert aanvraag.wacht and aanvraag.info.rollen == ("beheerder",)
    for wie in ("bea", "schaduw"):
        with pytest.raises(Geweigerd, match="vier-ogenprincipe"):
            gebruikers.bevestig(engine, als(engine, wie), aanvraag.wijziging.id, NU)
    assert als(engine, "bea").rollen == frozenset({Rol.BEHEERDER})
    with pytest.raises(gebruikers.GebruikerFout, match="minstens twee"):
        gebruikers.zet_actief(engine, bea, "schaduw", False, NU)
    with pytest.raises(gebruikers.GebruikerFout, match="minstens twee"):
        gebruikers.zet_rollen(engine, bea, "schaduw", "medewerker", NU)
    assert not gebruikers.in_opzetfase(engine)
    # a third beheerder can: and then it may reject it
    gebruikers.voeg_toe(engine, bea, "henk", "beheerder", wachtwoord=TESTWACHTWOORD, now=NU)
    henk_aanvraag = gebruikers.wijzigingen(engine, bea)[-1]
    assert henk_aanvraag.gebruiker == "henk" and henk_aanvraag.wacht
    gebruikers.bevestig(engine, als(engine, "schaduw"), henk_aanvraag.id, NU)
    afgewezen = gebruikers.wijs_af(engine, als(engine, "henk"), aanvraag.wijziging.id, "niet afgesproken", NU)
    assert afgewezen.status == "afgewezen" and afgewezen.beoordeeld_door == "henk"
    assert als(engine, "bea").rollen == frozenset({Rol.BEHEERDER})


def test_password_second_factor_link_and_access_wait_reductions_do_not(engine):
    tweede_beheerder(engine)
    bea, henk = als(engine, "bea"), als(engine, "henk")
    nieuw = "Een-nieuw-wachtwoord-7"
    ww = gebruikers.zet_wachtwoord(engine, bea, "klaas", nieuw, NU)
    assert ww.wacht and not kan_aanmelden(engine, "klaas", nieuw) and kan_aanmelden(engine, "klaas", TESTWACHTWOORD)
    with pytest.raises(gebruikers.GebruikerFout, match="wacht al"):
        gebruikers.zet_wachtwoord(engine, henk, "klaas", "Nog-een-wachtwoord-8", NU)
    with pytest.raises(Geweigerd, match="gaat over klaas zelf|vereist de rol beheerder"):
        gebruikers.bevestig(engine, als(engine, "klaas"), ww.wijziging.id, NU)
    gebruikers.bevestig(engine, henk, ww.wijziging.id, NU)
    assert kan_aanmelden(engine, "klaas", nieuw) and not kan_aanmelden(engine, "klaas", TESTWACHTWOORD)
    # requiring a second factor reduces power: at once; switching it off waits
    assert not gebruikers.zet_totp_verplicht(engine, bea, "klaas", True, NU).wacht
    uit = gebruikers.zet_totp_verplicht(engine, bea, "klaas", False, NU)
    assert uit.wacht and uit.info.totp_verplicht
    with pytest.raises(gebruikers.GebruikerFout, match="reden"):
        gebruikers.wijs_af(engine, henk, uit.wijziging.id, " ", NU)
    gebruikers.wijs_af(engine, henk, uit.wijziging.id, "goedkeurders houden een tweede factor", NU)
    assert {g.naam: g for g in gebruikers.lijst(engine, bea)}["klaas"].totp_verplicht
    # linking an account waits (whoever runs as it acts as the user); unlinking is at once
    link = gebruikers.koppel_account(engine, bea, "mira", "mira-nieuw", NU)
    assert link.wacht and link.info.account == "mira"
    assert gebruikers.koppel_account(engine, bea, "piet", None, NU).info.account is None
    gebruikers.bevestig(engine, henk, link.wijziging.id, NU)
    assert {g.naam: g for g in gebruikers.lijst(engine, bea)}["mira"].account == "mira-nieuw"
    # blocking and withdrawing roles at once; access back and a role added wait
    assert not gebruikers.zet_actief(engine, bea, "carla", False, NU).info.actief
    terug = gebruikers.zet_actief(engine, bea, "carla", True, NU)
    assert terug.wacht and not terug.info.actief
    rollen = gebruikers.zet_rollen(engine, bea, "mira", "goedkeurder", NU)
    assert rollen.wacht and rollen.info.rollen == ()
    gebruikers.bevestig(engine, henk, rollen.wijziging.id, NU)
    assert als(engine, "mira").rollen == frozenset({Rol.GOEDKEURDER})
    with Session(engine) as s:
        assert all(not w.opzetfase for w in s.scalars(select(Gebruikerswijziging).where(
            Gebruikerswijziging.aangevraagd_op >= NU, Gebruikerswijziging.gebruiker != "henk")))
