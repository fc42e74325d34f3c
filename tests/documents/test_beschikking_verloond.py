"""Beschikkingen for plaatsingen on verloonde uren (rekenregels §7): the letter states the
subsidy per verloond uur and its parts, the maximum per month, that payment follows the
loonstrook and the werkgever's obligation to deliver it by a day from the settings; a wijziging
states the old and new hourly amount; a vaststelling adds up the year's verloonde uren.

Every amount is worked out by hand from the rulebook in the comments (§7, §5: hourly WML
14,40 from 1 July 2025 and 14,71 from 1 January 2026; VB 8 %; werkgeverslasten 23,5 %)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from fractions import Fraction as F

import pytest

from lks.documents.beschikking import (Beschikking, BeschikkingRegel, Vaststelling, VaststellingRegel,
                                       from_inputs_json, inputs_json, render_html, render_pdf, round_half_up)
from lks.nl import euro

from tests.documents.test_beschikking import (GEMEENTE, PARAMETERS, VB, WERKGEVER, WGL, pdf_text, regel)

D = dt.date
UUR_WML = {D(2025, 7, 1): 1440, D(2026, 1, 1): 1471}

# Worked, loonwaarde 60 % -> fractie 0,40, cao 38 h:
# per verloond uur July 2025: 14,40 × 1,08 × 0,40 = 6,2208 (exact) = 622,08 cents
UUR_2025_7 = F(62208, 100)
# maximum 38 × 13/3 = 494/3 = 164,666… h (exact, never rounded)
MAX_38 = F(494, 3)
# at most per full month: 622,08 × 494/3 = 102.435,84 cents -> 1.024,36;
# × 0,235 = 240,7246 -> 240,72; 1.265,08 (rekenregels §7, second worked example)
MAX_2025_7 = (102436, 24072, 126508)
# per verloond uur January 2026: 14,71 × 1,08 × 0,40 = 6,35472 = 635,472 cents
UUR_2026_1 = F(635472, 1000)
# at most: 635,472 × 494/3 = 104.641,056 cents -> 1.046,41; × 0,235 = 245,90635 -> 245,91; 1.292,32
MAX_2026_1 = (104641, 24591, 129232)


def verloond(plaatsing_id="OP-2025-0007", werknemer_naam="Kees de Boer", bsn_masked="******022",
             loonwaarde=F(60), voltijdsuren=F(38), wml_ingangsdatum=D(2025, 7, 1), tijdvak_van=D(2025, 7, 1),
             contracturen=F(0), **extra) -> BeschikkingRegel:
    """A regel on verloonde uren whose amounts follow from its factors: the hourly WML ×
    1,08 × fractie × the maximum hours of a full month (voltijdsuren × 13/3)."""
    fractie = min(1 - loonwaarde / 100, F(7, 10))
    maximum = voltijdsuren * F(13, 3)
    wml = UUR_WML[wml_ingangsdatum]
    basis = round_half_up(wml * (1 + VB) * fractie * maximum)
    lasten = round_half_up(basis * WGL)
    extra.setdefault("parameters", PARAMETERS)
    return BeschikkingRegel(
        plaatsing_id=plaatsing_id, werknemer_naam=werknemer_naam, bsn_masked=bsn_masked, regeling="lks",
        tijdvak_van=tijdvak_van, tijdvak_tot=extra.pop("tijdvak_tot", None), maandbedrag_cent=basis + lasten,
        lks_basis_cent=basis, werkgeverslasten_cent=lasten, loonwaarde=loonwaarde, contracturen=contracturen,
        voltijdsuren=voltijdsuren, wml_cent=wml, wml_ingangsdatum=wml_ingangsdatum, fractie=fractie,
        urenfactor=maximum, vakantiebijslag=VB, werkgeverslasten_fractie=WGL, urenbasis="verloond", **extra)


def brief(soort, regels, datum=D(2025, 7, 28), **extra) -> Beschikking:
    return Beschikking(soort=soort, kenmerk="LKS/2025/000321", datum=datum, gemeente=GEMEENTE,
                       werkgever=WERKGEVER, regels=tuple(regels), **extra)


def tekst(b: Beschikking) -> str:
    """The text a reader sees in the letter's HTML (tags removed, whitespace collapsed)."""
    body = render_html(b).split("<body", 1)[1].split(">", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&nbsp;", " ").split())


def eur(cents) -> str:
    return " ".join(euro(cents).split())


def test_de_regel_rekent_per_verloond_uur():
    r = verloond()
    assert r.uurbedrag == UUR_2025_7
    assert r.maximum_uren == MAX_38
    assert (r.lks_basis_cent, r.werkgeverslasten_cent, r.maandbedrag_cent) == MAX_2025_7
    assert regel().uurbedrag is None and regel().maximum_uren is None


def test_verlening_noemt_bedrag_per_uur_onderdelen_maximum_en_loonstrook():
    b = brief("verlening", [verloond()], loonstrook_dag=10)
    t = tekst(b)
    assert "De subsidie is € 6,2208 per verloond uur , plus een vergoeding voor werkgeverslasten van 23,5 %" in t
    # the parts, each on its own line of the calculation
    for deel in ("Wettelijk minimumloon per uur, geldend vanaf 1 juli 2025 € 14,40",
                 "Plus vakantiebijslag 8 % × 1,08",
                 "Percentage loonkostensubsidie: 100 % min loonwaarde 60 % × 40 %",
                 "Loonkostensubsidie per verloond uur € 6,2208"):
        assert deel in t, deel
    # the maximum: 38 h × 13/3, exact (cut off and marked, never rounded), and its amount
    assert "ten hoogste 164,66… uur per volledige maand" in t
    assert "volledige werkweek volgens uw cao van 38 uur × 13/3 weken per maand" in t
    assert f"per volledige maand is de subsidie dus ten hoogste {eur(MAX_2025_7[2])}" in t
    assert f"Loonkostensubsidie over 164,66… uur (afgerond op hele centen) {eur(MAX_2025_7[0])}" in t
    assert f"Vergoeding werkgeverslasten: 23,5 % van {eur(MAX_2025_7[0])} (afgerond) {eur(MAX_2025_7[1])}" in t
    # payment follows the loonstrook, in arrears
    assert "Wij betalen per maand achteraf, op basis van de loonstrook." in t
    assert "Voor een werknemer op verloonde uren volgt de betaling de loonstrook." in t
    assert "komt de loonstrook later, dan betalen wij het bedrag over die maand alsnog" in t
    # the obligation, with the day from the settings and an example from the letter's month
    assert ("Voor Kees de Boer stuurt u ons bovendien elke maand de loonstrook, uiterlijk op de 10e van "
            "de maand daarna : de loonstrook over juli 2025 dus uiterlijk op 10 augustus 2025.") in t
    assert "Arbeidsuren verloonde uren: de uren die u volgens de loonstrook in een maand betaalt" in t
    assert "per volledige maand</strong>" not in render_html(b)  # no monthly amount is promised


def test_de_dag_van_de_loonstrook_komt_uit_de_invoer():
    t = tekst(brief("verlening", [verloond()], datum=D(2025, 12, 3), loonstrook_dag=5))
    assert "uiterlijk op de 5e van de maand daarna : de loonstrook over december 2025 dus uiterlijk op 5 januari 2026" in t


def test_verlening_pdf_noemt_het_bedrag_per_uur_en_de_loonstrook():
    text = pdf_text(render_pdf(brief("verlening", [verloond()], loonstrook_dag=10)))
    assert "€ 6,2208 per verloond uur" in text
    assert "uiterlijk op de 10e van de maand daarna" in text
    assert "10 augustus 2025" in text


def test_wijziging_indexatie_per_1_januari_2026_noemt_oud_en_nieuw_uurbedrag():
    oud = verloond()
    nieuw = verloond(wml_ingangsdatum=D(2026, 1, 1), tijdvak_van=D(2026, 1, 1), reden_code="indexatie",
                     oud_maandbedrag_cent=oud.maandbedrag_cent, oud_uurbedrag=oud.uurbedrag)
    assert nieuw.uurbedrag == UUR_2026_1
    assert (nieuw.lks_basis_cent, nieuw.werkgeverslasten_cent, nieuw.maandbedrag_cent) == MAX_2026_1
    t = tekst(brief("wijziging", [nieuw], datum=D(2026, 1, 18), loonstrook_dag=10))
    assert "met ingang van 1 januari 2026. De reden is: aanpassing van het wettelijk minimumloon." in t
    # 6,35472 − 6,2208 = 0,13392
    assert ("Het bedrag wordt € 6,35472 per verloond uur , plus een vergoeding voor werkgeverslasten van 23,5 % "
            "over het bedrag per maand. Dat was € 6,2208 per verloond uur, dus € 0,13392 meer.") in t
    assert "Het minimumloon is gewijzigd per 1 januari 2026 naar € 14,71 per uur." in t
    assert f"Was ten hoogste per volledige maand {eur(MAX_2025_7[2])}" in t
    assert f"Ten hoogste per volledige maand {eur(MAX_2026_1[2])}" in t
    assert "Het aantal uren verschilt van maand tot maand en volgt elke maand uit de loonstrook" in t
    assert "uiterlijk op de 10e van de maand daarna" in t


def test_verlening_met_vaste_en_verloonde_uren_twee_tabellen():
    vast = regel(plaatsing_id="PL-2025-0042")  # 1.065,05 per month (rekenregels §3, first case)
    b = brief("verlening", [vast, verloond(), verloond(plaatsing_id="OP-2025-0008", werknemer_naam="Ans Bos",
                                                       loonwaarde=F(20))], loonstrook_dag=10)
    t = tekst(b)
    assert "Plaatsingen met vaste arbeidsuren" in t and "Plaatsingen op verloonde uren" in t
    # the monthly total counts only the plaatsing on contracturen
    assert "Voor de 1 plaatsing met vaste arbeidsuren is de subsidie samen € 1.065,05 per volledige maand" in t
    assert "Totaal 1 plaatsing 862,39 202,66 1.065,05" in t
    # loonwaarde 20 % -> fractie capped at 0,70: 14,40 × 1,08 × 0,70 = 10,8864
    assert "€ 14,40 40 % 164,66… € 6,2208" in t
    assert "€ 14,40 70 % 164,66… € 10,8864" in t
    assert "Voor de werknemers op verloonde uren stuurt u ons bovendien elke maand de loonstrook" in t


def test_beeindiging_op_verloonde_uren():
    r = verloond(tijdvak_tot=D(2025, 12, 31), reden_code="einde_dienstbetrekking")
    t = tekst(brief("beeindiging", [r], datum=D(2025, 12, 10)))
    assert "blijft het bedrag van € 6,2208 per verloond uur gelden" in t
    assert "Stuur ons daarom ook de loonstrook van de laatste maand." in t


def test_vaststelling_telt_de_verloonde_uren_van_het_jaar_op():
    vast = regel(plaatsing_id="PL-2025-0042")
    # July..November 2025: 100 + 93,5 + 120 + 80,25 + 0 = 393,75 hours; December without loonstrook.
    # Per month × 6,2208, rounded, + 23,5 % rounded:
    # 622,08 + 146,19 = 768,27; 581,6448 -> 581,64 + 136,69 = 718,33; 746,496 -> 746,50 + 175,43
    # = 921,93; 499,2192 -> 499,22 + 117,32 = 616,54; 0; December 0 (uren_ontbreken): 3.025,07
    uren = F(10000 + 9350 + 12000 + 8025, 100)
    op = verloond()
    jaar = 768_27 + 718_33 + 921_93 + 616_54
    v = Vaststelling.voor_jaar(2025, vastgesteld_cent=639030 + jaar, voorschotten_cent=639030 + jaar,
                               per_plaatsing=(VaststellingRegel("OP-2025-0007", jaar, jaar, verloonde_uren=uren,
                                                                maanden_zonder_loonstrook=("2025-12",)),
                                              VaststellingRegel("PL-2025-0042", 639030, 639030)))
    t = tekst(brief("vaststelling", [op, vast], datum=D(2026, 1, 18), vaststelling=v))
    assert "Werknemer Regeling Verloonde uren Vastgesteld Voorschotten Verschil" in t
    assert "OP-2025-0007 LKS loonwaarde 60 % 393,75 3.025,07 3.025,07 0,00" in t
    assert "PL-2025-0042 LKS loonwaarde 60 % vaste uren 6.390,30" in t
    assert "Kees de Boer (plaatsing OP-2025-0007): december 2025;" in t
    assert "Over die maanden hebben wij de subsidie daarom op nul vastgesteld" in t
    assert "opgeteld uit de loonstroken die wij hebben ontvangen" in t


def test_nieuwe_velden_alleen_in_de_invoer_als_ze_er_zijn():
    """Letters recorded before verloonde uren re-derive to the same stored inputs: the new
    fields are left out while empty; a letter on verloonde uren reads back to itself."""
    contract = brief("verlening", [regel()])
    tekst_json = inputs_json(contract)
    for veld in ("urenbasis", "oud_uurbedrag", "loonstrook_dag", "verloonde_uren", "maanden_zonder_loonstrook"):
        assert veld not in tekst_json
    b = brief("wijziging", [verloond(oud_maandbedrag_cent=MAX_2025_7[2], oud_uurbedrag=UUR_2025_7,
                                     wml_ingangsdatum=D(2026, 1, 1), tijdvak_van=D(2026, 1, 1))],
              loonstrook_dag=10)
    assert '"urenbasis":"verloond"' in inputs_json(b) and '"oud_uurbedrag":"15552/25"' in inputs_json(b)
    assert from_inputs_json(inputs_json(b)) == b
    assert render_html(from_inputs_json(inputs_json(b))) == render_html(b)
    v = Vaststelling.voor_jaar(2025, 100, 100, per_plaatsing=(
        VaststellingRegel("OP-2025-0007", 100, 100, verloonde_uren=F(3), maanden_zonder_loonstrook=("2025-11",)),))
    vb = brief("vaststelling", [verloond()], vaststelling=v)
    assert from_inputs_json(inputs_json(vb)) == vb


def test_ongeldige_regels_op_verloonde_uren():
    with pytest.raises(ValueError, match="volgen niet uit de factoren"):
        dataclasses.replace(verloond(), lks_basis_cent=MAX_2025_7[0] + 1)
    with pytest.raises(ValueError, match="maximum aantal verloonde uren"):
        dataclasses.replace(verloond(), urenfactor=F(164))  # 13/3 weeks, never rounded
    with pytest.raises(ValueError, match="onbekende urenbasis"):
        dataclasses.replace(verloond(), urenbasis="contract")
    with pytest.raises(ValueError, match="loonstrook_dag"):
        brief("verlening", [verloond()])  # the obligation needs its day
    with pytest.raises(ValueError, match="loonstrook_dag"):
        brief("verlening", [verloond()], loonstrook_dag=31)
    with pytest.raises(ValueError, match="horen alleen bij verloonde uren"):
        VaststellingRegel("PL-1", 1, 1, maanden_zonder_loonstrook=("2025-12",))
    with pytest.raises(ValueError, match="JJJJ-MM"):
        VaststellingRegel("OP-1", 1, 1, verloonde_uren=F(1), maanden_zonder_loonstrook=("2025-7",))


def test_beschut_werknemer_van_19_met_minimumjeugdloon():
    """Rekenregels §7, third example: beschut, werknemer 19 (60 %), January 2026: 14,71 × 0,60 ×
    1,08 × 0,70 = 6,672456 € per verloond uur (120 h: 800,69472 -> 800,69). At most per full
    month: 6,672456 × 494/3 = 1.098,7311… -> 1.098,73; × 0,235 = 258,20155 -> 258,20; 1.356,93."""
    staffel, fractie, maximum = F(6, 10), F(7, 10), F(494, 3)
    basis = round_half_up(1471 * staffel * (1 + VB) * fractie * maximum)
    lasten = round_half_up(basis * WGL)
    assert (basis, lasten) == (109873, 25820)
    r = BeschikkingRegel(
        plaatsing_id="BW-2026-0001", werknemer_naam="Lisa Kok", bsn_masked="******123", regeling="beschut",
        tijdvak_van=D(2026, 1, 1), tijdvak_tot=None, maandbedrag_cent=basis + lasten, lks_basis_cent=basis,
        werkgeverslasten_cent=lasten, loonwaarde=None, contracturen=F(0), voltijdsuren=F(38), wml_cent=1471,
        wml_ingangsdatum=D(2026, 1, 1), fractie=fractie, urenfactor=maximum, vakantiebijslag=VB,
        werkgeverslasten_fractie=WGL, jeugdloon_staffel=staffel, urenbasis="verloond", parameters=PARAMETERS)
    assert r.uurbedrag == F(6672456, 10000)
    assert round_half_up(r.uurbedrag * 120) == 80069
    t = tekst(brief("verlening", [r], datum=D(2026, 1, 20), loonstrook_dag=10))
    assert "Wettelijk minimumloon per uur, geldend vanaf 1 januari 2026 € 14,71" in t
    assert "Minimumjeugdloon: percentage van het minimumloon voor de leeftijd van de werknemer × 60 %" in t
    assert "Percentage loonkostensubsidie: vast percentage voor beschut werk × 70 %" in t
    assert "Loonkostensubsidie per verloond uur € 6,672456" in t
    assert "per volledige maand is de subsidie dus ten hoogste € 1.356,93" in t
