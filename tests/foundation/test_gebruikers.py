"""Users, roles and the acting identity of the command line (issue 16 §2, §3), on SQLite and
PostgreSQL: the account is read from the kernel or the database, never from a typed name; a
beheerder manages others but never their own account; the scheduler requests and calculates
but never approves; nobody approves a run they calculated."""
from __future__ import annotations

import datetime as dt
import getpass
import pwd
import os

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lks.app import betaalruns, gebruikers
from lks.app.identiteit import Actie, Geweigerd, Rol
from lks.app.omgeving import Omgeving
from lks.db.models_gebruiker import GebruikerRol
from lks.settings import load_settings

from .helpers import dump, valid_files, write_files


def test_the_account_comes_from_the_kernel_or_the_database_login(engine, monkeypatch):
    monkeypatch.setenv("USER", "klaas")
    monkeypatch.setenv("LOGNAME", "klaas")
    account = gebruikers.systeemaccount(engine)
    if engine.dialect.name == "sqlite":
        assert account == pwd.getpwuid(os.geteuid()).pw_name
        assert getpass.getuser() == "klaas"  # what $USER says, and what lks does not believe
    else:  # the login role the server authenticated (pgserver: postgres)
        with engine.connect() as c:
            assert account == c.exec_driver_sql("SELECT session_user").scalar_one()


def test_an_account_without_a_user_is_refused(engine, cli):
    result = cli("betaalrun", "list", als="onbekend-account")
    assert result.exit_code == 1
    assert "account 'onbekend-account' is aan geen lks-gebruiker gekoppeld" in " ".join(result.output.split())


def test_users_are_managed_by_another_beheerder_only(engine, cli):
    before = dump(engine)
    assert "geweigerd: gebruikers en rollen beheren vereist de rol beheerder" in " ".join(
        cli("gebruiker", "add", "nieuw", "--rol", "medewerker", input="Een-goed-wachtwoord-1\n", als="piet")
        .output.split())
    eigen = cli("gebruiker", "roles", "bea", "--rol", "beheerder,goedkeurder", als="bea")
    assert eigen.exit_code == 1 and "kan niet de rollen van zichzelf wijzigen" in " ".join(eigen.output.split())
    assert dump(engine) == before
    toegevoegd = cli("gebruiker", "add", "j.devries", "--rol", "controller", "--account", "jdv",
                     input="Een-goed-wachtwoord-1\n", als="bea")
    assert toegevoegd.exit_code == 0, toegevoegd.output
    assert "j.devries" in cli("gebruiker", "list", als="bea").output
    assert cli("rapport", "--jaar", "2025", als="jdv").exit_code in (0, 2)  # the controller reads
    assert cli("gebruiker", "disable", "j.devries", als="bea").exit_code == 0
    assert "geblokkeerd" in cli("rapport", "--jaar", "2025", als="jdv").output
    kort = cli("gebruiker", "add", "x.kort", "--rol", "medewerker", input="kort\n", als="bea")
    assert kort.exit_code == 1 and "minstens 12 tekens" in kort.output
    systeem = cli("gebruiker", "add", "robot", "--rol", "systeem", input="Een-goed-wachtwoord-1\n", als="bea")
    assert systeem.exit_code == 1 and "van de scheduler" in systeem.output


def test_the_database_refuses_a_role_granted_to_oneself(engine):
    bea = gebruikers.als(engine, "bea", "test")
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(GebruikerRol(gebruiker_id=bea.gebruiker_id, rol="goedkeurder", toegekend_door_id=bea.gebruiker_id,
                           toegekend_op=dt.datetime.now(dt.timezone.utc)))
        s.commit()


def test_the_scheduler_and_a_beheerder_never_approve(engine, tmp_path):
    from lks.importer import import_directory
    import_directory(engine, write_files(tmp_path / "in", valid_files()))
    o = Omgeving(engine=engine, settings=load_settings())
    systeem = gebruikers.systeem_identiteit(engine)
    assert systeem.rollen == frozenset({Rol.SYSTEEM}) and not systeem.mag(Actie.BETAALRUN_GOEDKEUREN)
    nu = dt.datetime(2025, 3, 18, 7, tzinfo=dt.timezone.utc)
    betaalruns.aanvragen(o, systeem, "2025-03", nu)
    betaalruns.berekenen(o, systeem, "2025-03", nu)
    for wie in (systeem, gebruikers.als(engine, "bea", "test"), gebruikers.als(engine, "carla", "test")):
        with pytest.raises(Geweigerd, match="vereist de rol goedkeurder"):
            betaalruns.goedkeuren(o, wie, "2025-03", nu)
    # a role withdrawn a minute ago no longer approves: the identity is re-read from the database
    klaas = gebruikers.als(engine, "klaas", "test")
    gebruikers.zet_rollen(engine, gebruikers.als(engine, "bea", "test"), "klaas", "controller")
    with pytest.raises(Geweigerd):
        betaalruns.goedkeuren(o, klaas, "2025-03", nu)
    with Session(engine) as s:
        assert s.scalars(select(GebruikerRol.rol).where(GebruikerRol.gebruiker_id == klaas.gebruiker_id)).all() == [
            "controller"]


def test_init_makes_the_installing_account_the_first_user(empty_db_url, monkeypatch, tmp_path):
    from lks.db import make_engine
    from .helpers import Cli
    monkeypatch.chdir(tmp_path)
    cli = Cli(empty_db_url, als="installateur")
    result = cli("init")
    assert result.exit_code == 0 and "Eerste gebruiker: installateur" in " ".join(result.output.split())
    engine = make_engine(empty_db_url)
    try:
        with Session(engine) as s:
            rollen = set(s.scalars(select(GebruikerRol.rol)))
        assert rollen == {"beheerder", "medewerker", "systeem"}  # never goedkeurder
        assert cli("init").exit_code == 0  # a second init makes nobody
        with Session(engine) as s:
            assert len(s.scalars(select(GebruikerRol.rol)).all()) == 3
    finally:
        engine.dispose()
