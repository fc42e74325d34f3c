"""What the demo's oproepkrachten show (rekenregels §7, issue 15), read back from the database
after the months have run: hours paid in arrears by the next betaalrun, a month above the
cap of the cao, a corrected loonstrook taken back, and a loonstrook that never came — on the
werklijst and in the rapport. The plaatsingen themselves are made by
``lks.demo.gemeente._oproepkrachten``; nothing here changes anything.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.db.models_signalen import Signaal
from lks.demo.gemeente import GECORRIGEERD, ONTBREEKT, SEIZOEN_UREN
from lks.facts import load_facts
from lks.nl import datum, euro, getal

TAGS = ("oproepkracht_seizoen", "oproepkracht_midden_maand", "loonstrook_gecorrigeerd", "loonstrook_ontbreekt")


def _maand(periode: str) -> str:
    return datum(dt.date.fromisoformat(periode + "-01")).split(" ", 1)[1]


def _uren(tekst) -> str:
    return getal(Fraction(str(tekst)), 2)


def verslag(engine: Engine, scenario: dict[str, str]) -> list[str]:
    """Dutch lines for the console and the LEESMIJ; empty when the demo ran without them."""
    ids = {tag: scenario[tag] for tag in TAGS if tag in scenario}
    if len(ids) != len(TAGS):
        return []
    facts = load_facts(engine)
    plaatsingen = facts.plaatsingen.set_index("plaatsing_id")
    werkgevers = dict(zip(facts.werkgevers["werkgever_id"], facts.werkgevers["naam"]))
    voltijd = {pid: plaatsingen.loc[pid, "voltijdsuren"] for pid in ids.values()}
    with Session(engine) as s:
        regels = s.execute(
            select(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode, Betaalregel.soort,
                   Betaalregel.bedrag)
            .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
            .where(Betaalregel.plaatsing_id.in_(tuple(ids.values())), Betaalrun.status == "verzonden")
            .order_by(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode)).all()
        signaal = s.scalars(select(Signaal).where(Signaal.soort == "loonstrook_ontbreekt",
                                                  Signaal.plaatsing_id == ids["loonstrook_ontbreekt"],
                                                  Signaal.sleutel.like(f"%:{ONTBREEKT}%"))).first()

    def betaald(pid: str, periode: str) -> list[tuple[str, str, int]]:
        return [(run, soort, b) for run, p, m, soort, b in regels if p == pid and m == periode and b != 0]

    namen = sorted({werkgevers[plaatsingen.loc[pid, "werkgever_id"]] for pid in ids.values()})
    uit = [f"{len(ids)} oproepkrachten ({', '.join(sorted(ids.values()))}) bij {', '.join(namen[:-1])} en "
           f"{namen[-1]} krijgen loonkostensubsidie over de verloonde uren van hun loonstrook (urenbasis "
           "verloond). De werkgever levert de loonstrook rond de 8e van de volgende maand, na de betaalrun van de "
           "maand zelf: die betaalt voor de maand nog niets (reden uren_ontbreken), de volgende betaalrun betaalt "
           "hem na als correctie."]

    seizoen = ids["oproepkracht_seizoen"]
    april = betaald(seizoen, "2025-04")
    if april:
        run, soort, bedrag = april[0]
        uit.append(f"Zo kwam de loonstrook van april 2025 van {seizoen} ({_uren(SEIZOEN_UREN['2025-04'])} uur) op "
                   f"8 mei 2025; betaalrun 2025-04 betaalde over april niets, betaalrun {run} betaalde april na "
                   f"({soort}, {euro(bedrag)}).")
    augustus = betaald(seizoen, "2025-08")
    if augustus:
        maximum = Fraction(str(voltijd[seizoen])) * 13 / 3
        uit.append(f"Augustus 2025 van {seizoen}: {_uren(SEIZOEN_UREN['2025-08'])} verloonde uren, meer dan het "
                   f"maximum van de cao ({getal(Fraction(str(voltijd[seizoen])), 2)} × 13/3 = {getal(maximum, 3)} "
                   f"uur): betaald over dat maximum, {euro(sum(b for _, _, b in augustus))} "
                   f"(uitleg/oproepkracht_seizoen-{seizoen}-2025-08.txt).")

    gecorrigeerd = ids["loonstrook_gecorrigeerd"]
    periode, eerst, daarna, op = GECORRIGEERD
    lijnen = betaald(gecorrigeerd, periode)
    if len(lijnen) >= 2:
        (run1, _, b1), (run2, soort2, b2) = lijnen[0], lijnen[1]
        naam = werkgevers[plaatsingen.loc[gecorrigeerd, "werkgever_id"]]
        uit.append(f"Gecorrigeerde loonstrook: de uren van {gecorrigeerd} over {_maand(periode)} ({_uren(eerst)} uur) "
                   f"zijn betaald in betaalrun {run1} ({euro(b1)}); op {datum(op)} leverde {naam} een gecorrigeerde "
                   f"loonstrook met {_uren(daarna)} uur. Betaalrun {run2} nam het verschil terug: een {soort2} van "
                   f"{euro(b2)}, verrekend met de andere bedragen van de werkgever in die run (nooit een negatief "
                   "bedrag naar de bank).")

    ontbreekt = ids["loonstrook_ontbreekt"]
    naam = werkgevers[plaatsingen.loc[ontbreekt, "werkgever_id"]]
    tekst = (f"Ontbrekende loonstrook: {naam} heeft de loonstrook van {_maand(ONTBREEKT)} van {ontbreekt} nooit "
             f"geleverd (mei wel). Over {_maand(ONTBREEKT)} is niets betaald (reden uren_ontbreken)")
    if not betaald(ontbreekt, ONTBREEKT) and signaal is not None:
        status = ("staat nog open" if signaal.opgelost_op is None
                  else f"is opgelost op {signaal.opgelost_op:%Y-%m-%d}")
        tekst += (f"; sinds {datum(signaal.gemaakt_op.date())} staat het signaal 'loonstrook ontbreekt' op de "
                  f"werklijst (signalen.csv, signaal {signaal.id}; het {status}) en het rapport 2026 noemt de maand "
                  "bij de loonstroken die ontbreken (rapport/). Levert de werkgever alsnog, dan betaalt de eerste "
                  "betaalrun daarna de maand na en lost het systeem het signaal zelf op.")
    uit.append(tekst if tekst.endswith(".") else tekst + ".")
    return uit
