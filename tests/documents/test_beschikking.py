"""Beschikkingen: one letter of each kind, checked through the text of the PDF itself, plus
the bezwaar deadline (Awb 6:7/6:8 with the Algemene termijnenwet), the five-week flag
(Pw art. 10d lid 12), determinism and the canonical inputs."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from fractions import Fraction as F

import pytest
from pypdf import PdfReader

from lks.nl import euro
from lks.documents.beschikking import (
    Beschikking, BeschikkingRegel, Gemeente, Vaststelling, VaststellingRegel, Werkgever,
    algemeen_erkende_feestdagen, bezwaar_einddatum, from_inputs_json, inputs_json, letter_hash,
    render_html, render_pdf, render_pdf_many, round_half_up, termijn_overschreden,
)

D = dt.date
VB = F(8, 100)
WGL = F(235, 1000)
NEGEN_CIJFERS = re.compile(r"\b\d{9}\b")

GEMEENTE = Gemeente(
    naam="Het Hogeland", straat="Hoofdstraat W", huisnummer="80", postcode="9951 AA",
    plaats="Winsum", telefoon="14 0595", website="www.hethogeland.nl",
    ondertekenaar_naam="J. Bakker", ondertekenaar_functie="teamleider Werk en Inkomen",
    bezwaar_postadres="Postbus 13", bezwaar_postcode="9950 AA", bezwaar_plaats="Winsum",
    afdeling="Ontwikkelplein Het Hogeland", email="werk@hethogeland.nl",
    iban="NL12 BNGH 0285 0000 00",
    reintegratieverordening="Re-integratieverordening Participatiewet Het Hogeland",
    reintegratiebeleid="Re-integratiebeleid gemeente Het Hogeland 2024-2028",
)
WERKGEVER = Werkgever(naam="Bakkerij De Korenschoof B.V.", contactpersoon="M. de Vries",
                      straat="Stationsweg", huisnummer="12", postcode="9981 AB",
                      plaats="Uithuizen")
WML = {D(2025, 7, 1): 224580, D(2026, 1, 1): 229440}
PARAMETERS = (
    ("Wettelijk minimumloon per maand (21 jaar en ouder)", "€ 2.245,80 vanaf 1 juli 2025",
     "Halfjaarlijkse aanpassing bedragen wettelijk minimumloon per 1 juli 2025 (Staatscourant)"),
    ("Vakantiebijslag", "8 %", "Wet minimumloon en minimumvakantiebijslag, art. 15"),
    ("Werkgeverslasten", "23,5 %", "Regeling loonkostensubsidie Participatiewet 2021, art. 1"),
)


def regel(plaatsing_id="PL-2025-0042", werknemer_naam="Sanne Dijkstra", bsn_masked="******782",
          regeling="lks", tijdvak_van=D(2025, 7, 1), tijdvak_tot=None, loonwaarde=F(60),
          contracturen=F(32), voltijdsuren=F(38), wml_ingangsdatum=D(2025, 7, 1),
          fractie=None, urenfactor=None, **extra) -> BeschikkingRegel:
    """A regel whose amounts follow from its factors (rekenregels §2)."""
    if fractie is None:
        fractie = min(1 - loonwaarde / 100, F(7, 10)) if loonwaarde is not None else F(1, 2)
    if urenfactor is None:
        urenfactor = min(contracturen, voltijdsuren) / 36
    wml = WML[wml_ingangsdatum]
    basis = round_half_up(wml * (1 + VB) * fractie * urenfactor)
    lasten = round_half_up(basis * WGL)
    extra.setdefault("parameters", PARAMETERS)
    return BeschikkingRegel(
        plaatsing_id=plaatsing_id, werknemer_naam=werknemer_naam, bsn_masked=bsn_masked,
        regeling=regeling, tijdvak_van=tijdvak_van, tijdvak_tot=tijdvak_tot,
        maandbedrag_cent=basis + lasten, lks_basis_cent=basis, werkgeverslasten_cent=lasten,
        loonwaarde=loonwaarde, contracturen=contracturen, voltijdsuren=voltijdsuren,
        wml_cent=wml, wml_ingangsdatum=wml_ingangsdatum, fractie=fractie,
        urenfactor=urenfactor, vakantiebijslag=VB, werkgeverslasten_fractie=WGL, **extra)


def verlening() -> Beschikking:
    """lks with loonwaarde 60 %, 32 of 38 h, July 2025: rekenregels §3, first case."""
    return Beschikking(soort="verlening", kenmerk="LKS/2025/000123", datum=D(2025, 7, 28),
                       verzenddatum=D(2025, 7, 29), gemeente=GEMEENTE, werkgever=WERKGEVER,
                       regels=(regel(),), loonwaarde_vastgesteld_op=D(2025, 7, 1))


VOORNAMEN = ["Anouk", "Bram", "Chantal", "Dirk", "Esra", "Fenna", "Gerrit", "Hatice", "Ids",
             "Jelmer"]
ACHTERNAMEN = ["de Boer", "Mulder", "Bakker", "Smit", "Visser", "Huizinga", "Wierenga", "Kuipers"]


def wijziging_indexatie(n=50) -> Beschikking:
    """Indexatie per 1 January 2026 for one werkgever with n plaatsingen: one letter."""
    regels = []
    for i in range(n):
        loonwaarde = [F(40), F(55), F(60), F(75), F(20), None][i % 6]
        regeling = "beschut" if i % 7 == 3 else "lks"
        kwargs = dict(plaatsing_id=f"PL-{2024 + i % 2}-{i + 1:04d}",
                      werknemer_naam=f"{VOORNAMEN[i % 10]} {ACHTERNAMEN[i % 8]}",
                      bsn_masked=f"******{(i * 37) % 1000:03d}", regeling=regeling,
                      loonwaarde=None if regeling == "beschut" else loonwaarde,
                      contracturen=F([24, 32, 36, 38, 20][i % 5]), voltijdsuren=F(38),
                      reden="indexatie wettelijk minimumloon per 1 januari 2026",
                      reden_code="indexatie")
        if regeling == "beschut":
            kwargs["fractie"] = F(7, 10)
        oud = regel(tijdvak_van=D(2025, 7, 1), wml_ingangsdatum=D(2025, 7, 1), **kwargs)
        regels.append(regel(tijdvak_van=D(2026, 1, 1), wml_ingangsdatum=D(2026, 1, 1),
                            oud_maandbedrag_cent=oud.maandbedrag_cent, **kwargs))
    return Beschikking(soort="wijziging", kenmerk="LKS/2026/000007", datum=D(2025, 12, 15),
                       gemeente=GEMEENTE, werkgever=WERKGEVER, regels=tuple(regels))


def beeindiging_ontwikkelbaan() -> Beschikking:
    r = regel(plaatsing_id="OB-2024-0003", werknemer_naam="Luwam Tesfay", bsn_masked="******415",
              regeling="ontwikkelbaan", loonwaarde=None, fractie=F(1, 2),
              tijdvak_van=D(2024, 7, 1), tijdvak_tot=D(2025, 12, 31), contracturen=F(36),
              reden="ontwikkelbaan bereikt maximale duur van 18 maanden",
              reden_code="maximale_duur",
              parameters=PARAMETERS + (("Maximale duur ontwikkelbaan", "18 maanden",
                                        "Re-integratiebeleid gemeente Het Hogeland 2024-2028, "
                                        "Duur Ontwikkelbaan"),))
    return Beschikking(soort="beeindiging", kenmerk="LKS/2025/000456", datum=D(2025, 11, 20),
                       gemeente=GEMEENTE, werkgever=WERKGEVER, regels=(r,))


def vaststelling_terugvordering() -> Beschikking:
    a = regel()
    b = regel(plaatsing_id="PL-2025-0051", werknemer_naam="Pieter Kooistra",
              bsn_masked="******230", loonwaarde=F(45), contracturen=F(24))
    v = Vaststelling.voor_jaar(2025, vastgesteld_cent=1234567, voorschotten_cent=1278012,
                               verrekenen=False,
                               per_plaatsing=(VaststellingRegel("PL-2025-0042", 639030, 639030),
                                              VaststellingRegel("PL-2025-0051", 595537, 638982)))
    return Beschikking(soort="vaststelling", kenmerk="LKS/2026/000789", datum=D(2026, 3, 10),
                       gemeente=GEMEENTE, werkgever=WERKGEVER, regels=(a, b), vaststelling=v)


def eur(cents: int) -> str:
    """euro() with its no-break space collapsed, as in pdf_text."""
    return " ".join(euro(cents).split())


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, whitespace (line breaks, no-break spaces) collapsed to one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    letters = {"verlening": verlening(), "wijziging": wijziging_indexatie(),
               "beeindiging": beeindiging_ontwikkelbaan(),
               "vaststelling": vaststelling_terugvordering()}
    return {soort: render_pdf(b) for soort, b in letters.items()}


@pytest.fixture(scope="module")
def texts(pdfs) -> dict[str, str]:
    return {soort: pdf_text(pdf) for soort, pdf in pdfs.items()}


# ------------------------------------------------------------------------------------------
# Letters, read back from the PDF


def test_verlening_lks_met_loonwaarde(texts, pdfs):
    t = texts["verlening"]
    assert pdfs["verlening"].startswith(b"%PDF-")
    for phrase in [
        "gemeente Het Hogeland", "Ons kenmerk LKS/2025/000123", "28 juli 2025",
        "Onderwerp Verlening loonkostensubsidie Sanne Dijkstra", "Bakkerij De Korenschoof B.V.",
        "Geachte M. de Vries,", "Wij verlenen u loonkostensubsidie",
        "Sanne Dijkstra (BSN ******782)", "vanaf 1 juli 2025",
        # the amounts of rekenregels §3 in Dutch notation
        "€ 1.065,05 per volledige maand", "€ 862,39 loonkostensubsidie plus € 202,66",
        "€ 2.245,80", "× 1,08", "× 40 %", "× 0,888888…", "23,5 %",
        "32 uur per week, gedeeld door 36 uur",
        # legal basis and sources
        "artikel 10d, vierde lid, van de Participatiewet",
        "Regeling loonkostensubsidie Participatiewet 2021, art. 1",
        "Halfjaarlijkse aanpassing bedragen wettelijk minimumloon per 1 juli 2025",
        # payment, obligations, motivering
        "als voorschot (artikel 4:95 Awb), per maand achteraf", "artikel 4:44 en volgende Awb",
        "binnen 14 dagen", "langer duurt dan 4 weken", "Waarom dit besluit?",
        # bezwaar: sent 29 July 2025, six weeks from the next day: Tuesday 9 September 2025
        "verzonden op 29 juli 2025", "uiterlijk op dinsdag 9 september 2025",
        "artikelen 6:7 en 6:8 Awb", "Het college van burgemeester en wethouders van Het Hogeland",
        "Postbus 13", "9950 AA WINSUM", "pagina 1 van 3", "pagina 3 van 3",
    ]:
        assert phrase in t, phrase
    # decided 27 days after the loonwaarde: within the five weeks, no apology
    assert "termijn overschreden" not in t
    assert "Algemene termijnenwet" not in t


def test_wijziging_indexatie_veel_plaatsingen_in_een_tabel(texts):
    t = texts["wijziging"]
    b = wijziging_indexatie()
    assert "Onderwerp Wijziging loonkostensubsidie (50 plaatsingen)" in t
    assert "met ingang van 1 januari 2026" in t
    assert "De reden is: indexatie wettelijk minimumloon per 1 januari 2026." in t
    assert "per 1 januari 2026 naar € 2.294,40 per maand" in t
    assert "Totaal 50 plaatsingen" in t
    totaal = sum(r.maandbedrag_cent for r in b.regels)
    oud = sum(r.oud_maandbedrag_cent for r in b.regels)
    assert f"van {eur(oud)} naar {eur(totaal)} per volledige maand" in t
    # every werknemer is in the table, each with the masked BSN only
    for r in b.regels:
        assert r.werknemer_naam in t
        assert f"BSN {r.bsn_masked}" in t
    assert "artikel 10b, negende lid, juncto artikel 10d van de Participatiewet" in t
    assert "artikel 10d, vijfde lid" in t          # the forfait rows
    reader_pages = t.count("pagina ")
    assert reader_pages >= 3


def test_beeindiging_ontwikkelbaan_na_18_maanden(texts):
    t = texts["beeindiging"]
    for phrase in [
        "Onderwerp Beëindiging loonkostensubsidie ontwikkelbaan Luwam Tesfay",
        "Wij beëindigen de loonkostensubsidie ontwikkelbaan",
        "Luwam Tesfay (BSN ******415)", "De laatste dag waarover u subsidie krijgt, is 31 december 2025",
        "Vanaf 1 januari 2026", "ontwikkelbaan bereikt maximale duur van 18 maanden",
        "Re-integratieverordening Participatiewet Het Hogeland",
        "Re-integratiebeleid gemeente Het Hogeland 2024-2028", "Duur Ontwikkelbaan",
        "arbeidscontract aanbiedt",
        # sent 20 November 2025 + 42 days = Thursday 1 January 2026 (Nieuwjaarsdag) -> Friday 2
        "uiterlijk op vrijdag 2 januari 2026", "Algemene termijnenwet",
    ]:
        assert phrase in t, phrase
    assert "Participatiewet art. 10d lid 4" not in t


def test_vaststelling_met_terugvordering(texts):
    t = texts["vaststelling"]
    for phrase in [
        "Onderwerp Vaststelling loonkostensubsidie 2025",
        "Wij stellen de loonkostensubsidie over het jaar 2025 vast op € 12.345,67",
        "Betaalde voorschotten € 12.780,12", "Te veel ontvangen € 434,45",
        "Dat bedrag vorderen wij van u terug (artikel 4:57 Awb)",
        # sent 10 March 2026: pay and object by Tuesday 21 April 2026
        "uiterlijk op 21 april 2026", "uiterlijk op dinsdag 21 april 2026",
        "NL12 BNGH 0285 0000 00", "Pieter Kooistra", "-434,45", "Sanne Dijkstra",
    ]:
        assert phrase in t, phrase


def test_alleen_de_meegeleverde_letters(pdfs):
    """Every glyph comes from the bundled LKS Sans: no fallback to a system font, which
    would be embedded whole (slow, large, and different per machine)."""
    for soort, pdf in pdfs.items():
        names = {str(font["/BaseFont"]).split("+")[-1]
                 for page in PdfReader(io.BytesIO(pdf)).pages
                 for font in page["/Resources"]["/Font"].values()}
        assert names <= {"LKS-Sans", "LKS-Sans-Bold"}, (soort, names)


def test_nooit_een_volledig_bsn(texts):
    for soort, t in texts.items():
        assert not NEGEN_CIJFERS.search(t), soort
    with pytest.raises(ValueError, match="gemaskeerd"):
        regel(bsn_masked="123456782")
    with pytest.raises(ValueError, match="gemaskeerd"):
        regel(bsn_masked="12345****")


def test_bedragen_moeten_uit_de_factoren_volgen():
    goed = regel()
    with pytest.raises(ValueError, match="volgen niet uit de factoren"):
        dataclasses.replace(goed, maandbedrag_cent=goed.maandbedrag_cent + 1)
    with pytest.raises(TypeError):
        dataclasses.replace(goed, fractie=0.4)          # floats are refused


# ------------------------------------------------------------------------------------------
# Determinism and canonical inputs


def test_pdf_en_html_deterministisch(pdfs):
    b = verlening()
    assert render_pdf(b) == pdfs["verlening"]
    assert letter_hash(render_pdf(b)) == letter_hash(pdfs["verlening"])
    assert render_html(b) == render_html(verlening())
    meta = PdfReader(io.BytesIO(pdfs["verlening"])).metadata
    assert meta["/CreationDate"] == "D:20250728"           # the letter date, not the clock
    assert meta["/Title"].startswith("Verlening loonkostensubsidie")


def test_inputs_json_canoniek_en_terug_te_lezen():
    b = verlening()
    text = inputs_json(b)
    assert '"loonwaarde":"60"' in text and '"fractie":"2/5"' in text
    assert "." not in re.sub(r'"[^"]*"', '""', text)       # no bare (float) numbers
    assert from_inputs_json(text) == b
    assert render_html(from_inputs_json(text)) == render_html(b)
    from decimal import Decimal
    same = dataclasses.replace(b, regels=(dataclasses.replace(b.regels[0],
                                                              contracturen=Decimal("32.00")),))
    assert inputs_json(same) == text
    other = dataclasses.replace(b, kenmerk="LKS/2025/000124")
    assert inputs_json(other) != text


def test_render_pdf_many_zelfde_bytes_in_volgorde(pdfs):
    letters = [verlening(), beeindiging_ontwikkelbaan(), verlening()]
    out = render_pdf_many(letters, workers=2)
    assert out == [pdfs["verlening"], pdfs["beeindiging"], pdfs["verlening"]]


def test_html_escapes_invoer():
    b = dataclasses.replace(verlening(), werkgever=dataclasses.replace(
        WERKGEVER, naam="Smit & Zn <script>alert(1)</script>"))
    html = render_html(b)
    assert "<script>" not in html and "Smit &amp; Zn &lt;script&gt;" in html


# ------------------------------------------------------------------------------------------
# Bezwaartermijn (Awb 6:7, 6:8; Algemene termijnenwet)


@pytest.mark.parametrize("verzonden, laatste_dag", [
    (D(2025, 8, 20), D(2025, 10, 1)),     # Wednesday: six weeks, nothing moves
    (D(2026, 11, 22), D(2027, 1, 4)),     # 3 January 2027 is a Sunday -> Monday
    (D(2026, 11, 20), D(2027, 1, 4)),     # Nieuwjaarsdag (Fri) + weekend
    (D(2026, 3, 14), D(2026, 4, 28)),     # Saturday 25 April, Koningsdag Monday 27 April
    (D(2027, 3, 16), D(2027, 4, 28)),     # Koningsdag Tuesday 27 April 2027
    (D(2026, 11, 13), D(2026, 12, 28)),   # Eerste Kerstdag (Fri), Tweede (Sat), Sunday
    (D(2026, 2, 20), D(2026, 4, 3)),      # Goede Vrijdag is not a feestdag of the Atw
    (D(2026, 2, 23), D(2026, 4, 7)),      # Tweede Paasdag
    (D(2026, 4, 2), D(2026, 5, 15)),      # Hemelvaartsdag
    (D(2026, 4, 13), D(2026, 5, 26)),     # Tweede Pinksterdag
    (D(2026, 3, 24), D(2026, 5, 6)),      # Bevrijdingsdag 5 May (every year in the Atw)
])
def test_bezwaar_einddatum(verzonden, laatste_dag):
    assert bezwaar_einddatum(verzonden) == laatste_dag


def test_koningsdag_op_zondag_is_26_april():
    assert D(2025, 4, 26) in algemeen_erkende_feestdagen(2025)      # 27 April 2025 is a Sunday
    assert D(2025, 4, 27) not in algemeen_erkende_feestdagen(2025)
    assert D(2026, 4, 3) not in algemeen_erkende_feestdagen(2026)    # Goede Vrijdag


def test_bezwaar_einddatum_in_brief_volgt_verzenddatum():
    b = dataclasses.replace(verlening(), datum=D(2026, 11, 20), verzenddatum=D(2026, 11, 22),
                            loonwaarde_vastgesteld_op=D(2026, 11, 1))
    html = render_html(b)
    assert "uiterlijk op\nmaandag 4 januari 2027" in html or "maandag 4 januari 2027" in html
    assert "Algemene termijnenwet" in html


# ------------------------------------------------------------------------------------------
# Five weeks after the loonwaarde (Pw art. 10d lid 12)


def test_termijn_overschreden():
    b = dataclasses.replace(verlening(), verzenddatum=None)
    vastgesteld = D(2026, 3, 2)
    op_tijd = dataclasses.replace(b, loonwaarde_vastgesteld_op=vastgesteld, datum=D(2026, 4, 6))
    te_laat = dataclasses.replace(b, loonwaarde_vastgesteld_op=vastgesteld, datum=D(2026, 4, 7))
    assert not termijn_overschreden(op_tijd)          # exactly 35 days
    assert termijn_overschreden(te_laat)
    assert not termijn_overschreden(dataclasses.replace(b, loonwaarde_vastgesteld_op=None))
    assert not termijn_overschreden(dataclasses.replace(
        vaststelling_terugvordering(), loonwaarde_vastgesteld_op=D(2020, 1, 1)))
    html = " ".join(render_html(te_laat).split())
    assert "termijn overschreden" in html and "uiterlijk op 6 april 2026" in html
    assert "artikel 10d, twaalfde lid, van de Participatiewet" in html
    assert "termijn overschreden" not in render_html(op_tijd)


def test_ongeldige_beschikkingen():
    with pytest.raises(ValueError, match="einddatum"):
        dataclasses.replace(verlening(), soort="beeindiging")
    with pytest.raises(ValueError, match="oud bedrag"):
        dataclasses.replace(verlening(), soort="wijziging")
    with pytest.raises(ValueError, match="vaststelling"):
        dataclasses.replace(verlening(), soort="vaststelling")
    with pytest.raises(ValueError, match="verzenddatum"):
        dataclasses.replace(verlening(), verzenddatum=D(2025, 7, 1))


def test_termijnen_in_de_brief_volgen_de_parameterbestanden(tmp_path, monkeypatch):
    """The letter names each legal term as its parameter file gives it, not as a fixed text:
    with the bezwaartermijn at 8 weeks and the beslistermijn at 4 the text says so, and the
    dates follow (verzonden 2026-04-07 + 8 weeks = 2 juni 2026, a Tuesday)."""
    from lks.documents import beschikking as doc
    from tests.scheduler.test_signalen import params_met

    html = " ".join(render_html(dataclasses.replace(
        verlening(), loonwaarde_vastgesteld_op=D(2026, 3, 2), datum=D(2026, 4, 7), verzenddatum=None)).split())
    assert "binnen zes weken" in html and "binnen vijf weken daarna" in html   # the shipped files
    params = params_met(tmp_path, bezwaartermijn_weken='  2020-01-01:\n    value: "8"\n',
                        beslistermijn_loonwaarde_weken='  2020-01-01:\n    value: "4"\n')
    monkeypatch.setattr(doc, "_parameters", lambda: params)
    b = dataclasses.replace(verlening(), loonwaarde_vastgesteld_op=D(2026, 3, 2), datum=D(2026, 4, 7),
                            verzenddatum=None)
    html = " ".join(render_html(b).split())
    assert "Dat moet binnen acht weken." in html and "uiterlijk op dinsdag 2 juni 2026" in html
    # 2026-03-02 + 4 weeks = 30 maart 2026; dated 7 april: overschreden
    assert "binnen vier weken daarna, dus uiterlijk op 30 maart 2026" in html
    assert "zes weken" not in html and "vijf weken" not in html


def test_weken_in_woorden():
    from lks.nl import weken
    assert [weken(n) for n in (1, 4, 5, 6, 20, 26)] == [
        "een week", "vier weken", "vijf weken", "zes weken", "twintig weken", "26 weken"]
