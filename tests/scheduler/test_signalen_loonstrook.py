"""A missing loonstrook (rekenregels §7): the shared query ``lks.loonstroken`` that the
werklijst, the werkgeversportaal and the rapport read, and the signaal ``loonstrook_ontbreekt``
— made N days after the month ended, resolved by the system when the hours arrive or the
plaatsing is withdrawn, made anew when delivered hours are withdrawn. SQLite and PostgreSQL.

The small gemeente of tests/betaalrun (P1-P3 on contracturen) plus, delivered on 2 June 2025:
- OP1: lks at W1 (Bakkerij Ömer & Zn.) from 1 June 2025, open-ended, on verloonde uren;
- OP2: beschut at W2 (Zorgboerderij De Horst) from 16 June to 30 September 2025, verloond.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db.models_signalen import Signaal
from lks.importer import import_directory
from lks.loonstroken import ontbrekende_loonstroken
from lks.settings import EXAMPLE_TOML, parse_settings
from lks.signalen import lijst, maak_signalen
from tests.betaalrun.conftest import bsn, write_csv

from .conftest import PARAMS

UTC = dt.timezone.utc
PLAATSING_KOP = ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum", "einddatum",
                 "contracturen", "voltijdsuren", "urenbasis"]
UREN_KOP = ["plaatsing_id", "periode", "uren"]


def at(*args):
    return dt.datetime(*args, 12, 0, tzinfo=UTC)


def lever(engine, directory, moment, **files):
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in files.items():
        write_csv(directory, name, header, rows)
    import_directory(engine, directory, recorded_at=moment)


def oproepkrachten(engine, tmp_path):
    lever(engine, tmp_path / "op", at(2025, 6, 2), **{
        "werknemers.csv": (["werknemer_id", "bsn", "naam", "geboortedatum"],
                           [["N4", bsn(4), "Dirk Oproep", "1996-03-12"], ["N5", bsn(5), "Eva Flex", "1988-10-02"]]),
        "plaatsingen.csv": (PLAATSING_KOP, [["OP1", "N4", "W1", "lks", "2025-06-01", "", "0", "38", "verloond"],
                                            ["OP2", "N5", "W2", "beschut", "2025-06-16", "2025-09-30", "12", "36",
                                             "verloond"]]),
        "loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"], [["OP1", "2025-06-01", "60"]])})


def uren(engine, tmp_path, moment, *rows):
    lever(engine, tmp_path / f"uren-{moment:%Y%m%d%H%M}", moment, **{"verloonde_uren.csv": (UREN_KOP, [list(r) for r in rows])})


def settings_met(**signalen):
    text = EXAMPLE_TOML
    for key, value in signalen.items():
        old = f"\n{key} = "
        start = text.index(old) + len(old)
        text = text[:start] + str(value) + text[text.index("\n", start):]
    return parse_settings(text)


def kort(rows):
    return [(r["plaatsing_id"], r["periode"], r["uiterlijk"], r["te_laat"]) for r in rows]


def loonstrook_signalen(engine, alle=False):
    return sorted((s.plaatsing_id, s.sleutel.split(":")[2], s.opgelost_door or "")
                  for s in lijst(engine, alle=alle) if s.soort == "loonstrook_ontbreekt")


def test_the_shared_query_lists_the_months_without_hours(engine, settings, tmp_path):
    oproepkrachten(engine, tmp_path)
    # June of OP1 arrives on 8 July; OP2 delivers 0 hours for June (a delivery, not a gap)
    uren(engine, tmp_path, at(2025, 7, 8), ["OP1", "2025-06", "61.5"], ["OP2", "2025-06", "0"])
    # on 12 August: July has ended, its loonstrook was due on 10 August ([betaalrun] loonstrook_dag,
    # default 10); August has not ended. P1-P3 are on contracturen: never listed.
    rows = ontbrekende_loonstroken(engine, dt.date(2025, 8, 12), PARAMS, settings)
    assert kort(rows) == [("OP1", "2025-07", dt.date(2025, 8, 10), True),
                          ("OP2", "2025-07", dt.date(2025, 8, 10), True)]
    assert rows[0] | {"uiterlijk": None} == {
        "plaatsing_id": "OP1", "werknemer": "Dirk Oproep", "werknemer_id": "N4", "werkgever_id": "W1",
        "werkgever": "Bakkerij Ömer & Zn.", "periode": "2025-07", "uiterlijk": None, "te_laat": True}
    assert all(bsn(4) not in str(v) and bsn(5) not in str(v) for r in rows for v in r.values())
    # on the due day itself it is not late yet
    assert kort(ontbrekende_loonstroken(engine, dt.date(2025, 8, 10), PARAMS, settings)) == [
        ("OP1", "2025-07", dt.date(2025, 8, 10), False), ("OP2", "2025-07", dt.date(2025, 8, 10), False)]
    # one werkgever (the portal's question)
    assert kort(ontbrekende_loonstroken(engine, dt.date(2025, 8, 12), PARAMS, settings, "W2")) == [
        ("OP2", "2025-07", dt.date(2025, 8, 10), True)]
    assert ontbrekende_loonstroken(engine, dt.date(2025, 8, 12), PARAMS, settings, "W9") == []
    # OP2 ended on 30 September: October is not one of its months; OP1 goes on
    rows = ontbrekende_loonstroken(engine, dt.date(2025, 11, 20), PARAMS, settings)
    assert [(r["plaatsing_id"], r["periode"]) for r in rows] == [
        ("OP1", "2025-07"), ("OP1", "2025-08"), ("OP1", "2025-09"), ("OP1", "2025-10"),
        ("OP2", "2025-07"), ("OP2", "2025-08"), ("OP2", "2025-09")]
    # as known before the June hours arrived
    rows = ontbrekende_loonstroken(engine, dt.date(2025, 7, 20), PARAMS, settings, as_of=at(2025, 7, 7))
    assert kort(rows) == [("OP1", "2025-06", dt.date(2025, 7, 10), True), ("OP2", "2025-06", dt.date(2025, 7, 10), True)]


def test_the_window_of_the_betaalrun_bounds_the_months(engine, tmp_path):
    """Months before [betaalrun] eerste_periode were paid by the previous system; months before
    the retro window can no longer be paid: neither waits for a loonstrook here."""
    lever(engine, tmp_path / "oud", at(2025, 1, 3), **{
        "plaatsingen.csv": (PLAATSING_KOP, [["OP3", "N1", "W2", "beschut", "2024-11-01", "", "0", "36", "verloond"]])})
    settings = parse_settings(EXAMPLE_TOML)  # eerste_periode 2025-01, retro_jaren 5
    assert [r["periode"] for r in ontbrekende_loonstroken(engine, dt.date(2025, 3, 1), PARAMS, settings)] == [
        "2025-01", "2025-02"]
    zonder = parse_settings(EXAMPLE_TOML.replace('eerste_periode = "2025-01"\n', "").replace(
        "retro_jaren = 5", "retro_jaren = 1"))
    # the run of 2025-03 with 1 year retro recalculates 2024-04 … 2025-03: OP3 from its start
    assert [r["periode"] for r in ontbrekende_loonstroken(engine, dt.date(2025, 3, 1), PARAMS, zonder)] == [
        "2024-11", "2024-12", "2025-01", "2025-02"]
    # the run of 2025-12: 2025-01 … 2025-12
    assert ontbrekende_loonstroken(engine, dt.date(2025, 12, 1), PARAMS, zonder)[0]["periode"] == "2025-01"


def test_the_signaal_comes_n_days_after_the_month_and_goes_when_the_hours_arrive(engine, settings, tmp_path):
    oproepkrachten(engine, tmp_path)
    uren(engine, tmp_path, at(2025, 7, 8), ["OP1", "2025-06", "61.5"])
    # OP2's June ended on 30 June; 15 days later is 15 July: listed from 16 July
    assert loonstrook_signalen(engine) == []
    maak_signalen(engine, dt.date(2025, 7, 15), at(2025, 7, 15), PARAMS, settings)
    assert loonstrook_signalen(engine) == []
    nieuw = [s for s in maak_signalen(engine, dt.date(2025, 7, 16), at(2025, 7, 16), PARAMS, settings)
             if s.soort == "loonstrook_ontbreekt"]
    assert [(s.plaatsing_id, s.werkgever_id, s.vervaldatum, s.sleutel) for s in nieuw] == [
        ("OP2", "W2", dt.date(2025, 7, 10), "loonstrook_ontbreekt:OP2:2025-06")]
    assert nieuw[0].omschrijving.startswith(
        "Loonstrook juni 2025 van Eva Flex (OP2) bij Zorgboerderij De Horst ontbreekt: de werkgever had de "
        "verloonde uren uiterlijk 10 juli 2025 moeten leveren.")
    assert "reden uren_ontbreken" in nieuw[0].omschrijving
    # made once
    assert maak_signalen(engine, dt.date(2025, 7, 17), at(2025, 7, 17), PARAMS, settings) == []
    # July of both is listed from 16 August
    maak_signalen(engine, dt.date(2025, 8, 16), at(2025, 8, 16), PARAMS, settings)
    assert loonstrook_signalen(engine) == [("OP1", "2025-07", ""), ("OP2", "2025-06", ""),
                                           ("OP2", "2025-07", "")]

    # the hours of OP1 July and OP2 June arrive (OP2 June: 0 hours, a valid delivery):
    # resolved by the system
    uren(engine, tmp_path, at(2025, 8, 18), ["OP1", "2025-07", "80"], ["OP2", "2025-06", "0"])
    assert maak_signalen(engine, dt.date(2025, 8, 19), at(2025, 8, 19), PARAMS, settings) == []
    assert loonstrook_signalen(engine) == [("OP2", "2025-07", "")]
    with Session(engine) as s:
        opgelost = s.scalars(select(Signaal).where(Signaal.sleutel == "loonstrook_ontbreekt:OP1:2025-07")).one()
    assert opgelost.opgelost_door == "systeem"
    assert opgelost.toelichting == ("automatisch opgelost op 19 augustus 2025: de verloonde uren van die maand zijn "
                                    "ingelezen, de plaatsing is ingetrokken of de maand valt niet meer binnen de "
                                    "plaatsing")

    # OP1's July hours were a mistake and are withdrawn: July is missing again, a new signaal
    lever(engine, tmp_path / "intrek-uren", at(2025, 8, 25), **{"intrekkingen.csv": (
        ["bestand", "plaatsing_id", "sleutel", "reden"], [["verloonde_uren", "OP1", "2025-07", "loonstrook van een ander"]])})
    nieuw = maak_signalen(engine, dt.date(2025, 8, 26), at(2025, 8, 26), PARAMS, settings)
    assert [s.sleutel for s in nieuw] == ["loonstrook_ontbreekt:OP1:2025-07:20250825T120000"]

    # OP2 is withdrawn as a whole: its signalen leave the werklijst
    lever(engine, tmp_path / "intrek-op2", at(2025, 8, 27), **{"intrekkingen.csv": (
        ["bestand", "plaatsing_id", "sleutel", "reden"], [["plaatsingen", "OP2", "", "verkeerde werkgever"]])})
    maak_signalen(engine, dt.date(2025, 8, 28), at(2025, 8, 28), PARAMS, settings)
    assert loonstrook_signalen(engine) == [("OP1", "2025-07", "")]
    assert ("OP2", "2025-07", "systeem") in loonstrook_signalen(engine, alle=True)


def test_the_number_of_days_is_a_setting(engine, tmp_path):
    oproepkrachten(engine, tmp_path)
    uren(engine, tmp_path, at(2025, 7, 2), ["OP2", "2025-06", "10"])
    # OP1 June: 30 June + 5 days = 5 July, listed from 6 July
    vijf = settings_met(loonstrook_ontbreekt_dagen=5)
    assert [s for s in maak_signalen(engine, dt.date(2025, 7, 5), at(2025, 7, 5), PARAMS, vijf)
            if s.soort == "loonstrook_ontbreekt"] == []
    nieuw = maak_signalen(engine, dt.date(2025, 7, 6), at(2025, 7, 6), PARAMS, vijf)
    assert [(s.soort, s.plaatsing_id, s.vervaldatum) for s in nieuw] == [
        ("loonstrook_ontbreekt", "OP1", dt.date(2025, 7, 10))]


def test_staff_see_every_werkgever_a_werkgever_only_its_own(engine, settings, tmp_path):
    from lks.app import gebruikers
    from lks.app import werklijst
    from lks.app.identiteit import Geweigerd, Rol
    from lks.app.omgeving import Omgeving

    oproepkrachten(engine, tmp_path)
    bea = gebruikers.als(engine, "bea", "test")
    gebruikers.voeg_toe(engine, bea, "bakker", (Rol.WERKGEVER,), wachtwoord="Omer-en-zonen-2025",
                        werkgever_id="W1", now=at(2025, 6, 3))
    o = Omgeving(engine=engine, settings=settings, _params=PARAMS)
    vandaag = dt.date(2025, 7, 20)
    piet = gebruikers.als(engine, "piet", "test")
    assert [r["plaatsing_id"] for r in werklijst.ontbrekende_loonstroken(o, piet, vandaag)] == ["OP1", "OP2"]
    assert [r["plaatsing_id"] for r in werklijst.ontbrekende_loonstroken(o, piet, vandaag, "W2")] == ["OP2"]
    bakker = gebruikers.als(engine, "bakker", "test")
    # bound to W1 whatever it asks for
    assert [r["plaatsing_id"] for r in werklijst.ontbrekende_loonstroken(o, bakker, vandaag, "W2")] == ["OP1"]
    assert [r["plaatsing_id"] for r in werklijst.ontbrekende_loonstroken(o, bakker, vandaag)] == ["OP1"]
    with pytest.raises(Geweigerd):
        werklijst.ontbrekende_loonstroken(o, gebruikers.als(engine, "bea", "test"), vandaag)


def test_the_rule_on_frames_edges_and_the_due_day():
    """``ontbrekende_maanden`` without a database: a month with one active day counts, a
    plaatsing not started yet or ended before the window has none, the due day follows
    ``[betaalrun] loonstrook_dag`` when the settings have it (else the 10th)."""
    from types import SimpleNamespace

    import pandas as pd

    from lks.loonstroken import loonstrook_dag, ontbrekende_maanden

    def d(text):
        return pd.Timestamp(text) if text else pd.NaT

    plaatsingen = pd.DataFrame(
        [("A", "N1", "W1", d("2025-03-31"), d("2025-05-01"), "verloond"),   # one day in March and in May
         ("B", "N2", "W1", d("2025-08-01"), None, "verloond"),              # starts after the last ended month
         ("C", "N3", "W2", d("2024-01-01"), d("2024-12-31"), "verloond"),   # ended before the window
         ("D", "N4", "W2", d("2025-01-01"), None, "contract")],             # contracturen: never
        columns=["plaatsing_id", "werknemer_id", "werkgever_id", "startdatum", "einddatum", "urenbasis"])
    plaatsingen["startdatum"] = plaatsingen["startdatum"].astype("datetime64[s]")
    plaatsingen["einddatum"] = pd.to_datetime(plaatsingen["einddatum"]).astype("datetime64[s]")
    geleverd = pd.DataFrame([("A", "2025-04")], columns=["plaatsing_id", "periode"])
    uit = ontbrekende_maanden(plaatsingen, geleverd, dt.date(2025, 8, 3), "2025-01", dag=25)
    assert uit[["plaatsing_id", "periode", "uiterlijk", "te_laat"]].values.tolist() == [
        ["A", "2025-03", dt.date(2025, 4, 25), True], ["A", "2025-05", dt.date(2025, 6, 25), True]]
    assert ontbrekende_maanden(plaatsingen.iloc[:0], geleverd, dt.date(2025, 8, 3), "2025-01").empty
    assert loonstrook_dag(SimpleNamespace(betaalrun=SimpleNamespace(loonstrook_dag=25))) == 25
    assert loonstrook_dag(SimpleNamespace(betaalrun=SimpleNamespace())) == 10
