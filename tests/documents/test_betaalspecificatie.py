"""Betaalspecificatie per werkgever: arithmetic, HTML, PDF and CSV."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
from decimal import Decimal

import pypdf
import pytest

from lks.documents.betaalspecificatie import (
    CSV_KOLOMMEN, Specificatie, SpecificatieRegel, mask_bsn, render_specificatie_html,
    render_specificatie_pdf, specificatie_csv,
)
from lks.documents.sepa import (
    Betaalbestand, Betaalopdracht, Debiteur, Transactie, render_pain001, ustrd, validate_pain001,
)

NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{9}(?!\d)")
BSNS = ("123456782", "987654321", "111222333")


def regel(**changes) -> SpecificatieRegel:
    values = dict(plaatsing_id="P-0001", werknemer_naam="Jan de Vries", bsn_masked=mask_bsn(BSNS[0]),
                  regeling="lks", budget="buig", periode="2025-07", soort="regulier",
                  lks_basis_cent=95000, werkgeverslasten_cent=11505, bedrag_cent=106505)
    values.update(changes)
    return SpecificatieRegel(**values)


REGELS = (
    regel(),
    regel(periode="2025-03", soort="correctie", lks_basis_cent=-1000, werkgeverslasten_cent=-250,
          bedrag_cent=-1250),
    regel(periode="2025-04", soort="correctie", lks_basis_cent=400, werkgeverslasten_cent=100,
          bedrag_cent=500),
    regel(plaatsing_id="P-0002", werknemer_naam="Ömer Yılmaz", bsn_masked=mask_bsn(BSNS[1]),
          regeling="beschut", lks_basis_cent=200000, werkgeverslasten_cent=50000, bedrag_cent=250000),
    regel(plaatsing_id="P-0003", werknemer_naam="Anna Bakker", bsn_masked=mask_bsn(BSNS[2]),
          regeling="ontwikkelbaan", budget="reintegratie", lks_basis_cent=50000,
          werkgeverslasten_cent=0, bedrag_cent=50000),
)


def spec(**changes) -> Specificatie:
    values = dict(
        gemeente_naam="Gemeente Súdwest-Fryslân", gemeente_adres=("Marktstraat 15", "8601 CG Sneek"),
        werkgever_naam="Bakkerij Ömer & Zn.", werkgever_adres="Kerkstraat 1a\n1234 AB IJsselstein",
        werkgever_iban="NL44RABO0123456789", betaalrun_kenmerk="2025-07-1", periode="2025-07",
        datum=dt.date(2025, 7, 25), regels=REGELS,
        # buig: 106505 - 1250 + 500 + 250000 = 355755; reintegratie 50000 - 5000 verrekend
        uitbetaald_per_budget={"buig": 355755, "reintegratie": 45000}, verrekend_cent=5000)
    values.update(changes)
    return Specificatie(**values)


def plat(text: str) -> str:
    """Whitespace (incl. the no-break space babel puts after '€') collapsed to one space."""
    return " ".join(text.split())


def zichtbaar(html: str) -> str:
    """The text a reader sees in the HTML (tags removed, whitespace collapsed)."""
    return plat(re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1]))


# ------------------------------------------------------------------------------ BSN masking

@pytest.mark.parametrize("bsn, masked", [
    ("123456782", "******782"), (123456782, "******782"), (12345678, "******678"),
    ("1234.56.782", "******782"), ("12", "*********"),
])
def test_mask_bsn(bsn, masked):
    assert mask_bsn(bsn) == masked


def test_unmasked_bsn_is_refused():
    with pytest.raises(ValueError, match="mask_bsn"):
        regel(bsn_masked="123456782")


# ------------------------------------------------------------------------------- arithmetic

def test_totals_per_budget():
    s = spec()
    assert [(t.budget, t.regels_cent, t.verrekend_cent, t.nieuwe_vordering_cent, t.uitbetaald_cent)
            for t in s.totalen] == [("buig", 355755, 0, 0, 355755), ("reintegratie", 50000, 5000, 0, 45000)]
    assert s.uitbetaald_cent == 400755
    assert dict(s.verrekend_per_budget) == {"buig": 0, "reintegratie": 5000}


def test_inconsistent_payment_is_refused():
    with pytest.raises(ValueError, match="klopt niet"):
        spec(uitbetaald_per_budget={"buig": 355755, "reintegratie": 45001})
    with pytest.raises(ValueError, match="klopt niet"):
        spec(verrekend_cent=0)
    with pytest.raises(ValueError, match="negatief"):
        spec(uitbetaald_per_budget={"buig": -1})


def test_net_negative_balance_becomes_a_vordering_never_a_negative_payment():
    negatief = (regel(periode="2025-03", soort="correctie", bedrag_cent=-30000),
                regel(bedrag_cent=10000))
    s = spec(regels=negatief, uitbetaald_per_budget={"buig": 0}, verrekend_cent=0,
             nieuwe_vordering_cent=20000)
    assert s.totalen[0].nieuwe_vordering_cent == 20000 and s.uitbetaald_cent == 0
    html = zichtbaar(render_specificatie_html(s))
    assert "Nieuwe vordering, wordt verrekend met een volgende betaalrun € 200,00" in html
    assert "Uitbetaald BUIG (Participatiewet art. 69) € 0,00" in html


def test_set_off_across_budgets_needs_the_split_per_budget():
    # BUIG correction -100.00 set off against the re-integratie payment of 500.00.
    regels = (regel(soort="correctie", periode="2025-05", bedrag_cent=-10000),
              REGELS[4])
    with pytest.raises(ValueError, match="verrekend_per_budget"):
        spec(regels=regels, uitbetaald_per_budget={"buig": 0, "reintegratie": 40000},
             verrekend_cent=10000, nieuwe_vordering_cent=0)
    s = spec(regels=regels, uitbetaald_per_budget={"buig": 0, "reintegratie": 40000},
             verrekend_cent=0, verrekend_per_budget={"reintegratie": 10000},
             nieuwe_vordering_per_budget={"buig": 10000})
    assert (s.verrekend_cent, s.nieuwe_vordering_cent, s.uitbetaald_cent) == (10000, 10000, 40000)


# ------------------------------------------------------------------------------------- HTML

def test_html_in_dutch_with_dutch_amounts_and_masked_bsn():
    html = render_specificatie_html(spec())
    text = plat(html)
    assert '<html lang="nl">' in html
    for expected in ("€ 1.065,05", "€ -12,50", "€ 2.500,00", "€ 3.557,55", "€ 450,00", "€ 4.007,55",
                     "correctie 2025-03", "correctie 2025-04", "juli 2025 (2025-07)", "25 juli 2025",
                     "******782", "******321", "******333", "NL44 RABO 0123 4567 89",
                     "Bakkerij Ömer &amp; Zn.", "Verrekend met vordering uit eerdere betaalrun",
                     "Totaal uitbetaald", "Loonkostensubsidie (Pw art. 10d)", "Ontwikkelbaan"):
        assert expected in text, expected
    assert not NEGEN_CIJFERS.search(html)
    for bsn in BSNS:
        assert bsn not in html
    # grouped by budget, then plaatsing; corrections in month order before the regular line
    assert text.index("BUIG") < text.index("Re-integratiebudget")
    assert text.index("Jan de Vries") < text.index("Ömer Yılmaz")  # alphabetical werknemer
    assert text.index("correctie 2025-03") < text.index("correctie 2025-04") < text.index("€ 1.065,05")


def test_html_escapes_names():
    html = render_specificatie_html(spec(werkgever_naam="<script>x</script> & Co"))
    assert "<script>" not in html and "&lt;script&gt;" in html


# -------------------------------------------------------------------------------------- PDF

@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_specificatie_pdf(spec())


def test_pdf_contains_dutch_amounts_and_never_a_bsn(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = plat("\n".join(page.extract_text() for page in reader.pages))
    for expected in ("€ 1.065,05", "€ 4.007,55", "******782", "correctie 2025-03", "pagina 1 van 1",
                     "Gemeente Súdwest-Fryslân", "Betaalspecificatie loonkostensubsidie"):
        assert expected in text, expected
    assert not NEGEN_CIJFERS.search(text)
    assert reader.metadata["/CreationDate"] == "D:20250725"


def test_pdf_is_byte_identical_when_rendered_again(pdf, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert pdf.startswith(b"%PDF-")
    assert render_specificatie_pdf(spec()) == pdf
    assert "SOURCE_DATE_EPOCH" not in os.environ  # only set while rendering


# -------------------------------------------------------------------------------------- CSV

def test_csv_rows_add_up_to_the_payment():
    s = spec()
    rows = list(csv.DictReader(io.StringIO(specificatie_csv(s))))
    assert tuple(rows[0].keys()) == CSV_KOLOMMEN
    eerste = rows[0]
    assert (eerste["budget"], eerste["plaatsing"], eerste["bsn"], eerste["periode"], eerste["soort"],
            eerste["bedrag"]) == ("buig", "P-0001", "******782", "2025-03", "correctie", "-12.50")
    regulier = next(r for r in rows if r["soort"] == "regulier" and r["plaatsing"] == "P-0001")
    assert (regulier["lks_basis"], regulier["werkgeverslasten"], regulier["bedrag"]) == ("950.00", "115.05", "1065.05")
    for t in s.totalen:
        mine = [r for r in rows if r["budget"] == t.budget]
        uitbetaald = [r for r in mine if r["soort"] == "uitbetaald"]
        assert len(uitbetaald) == 1
        som = sum(Decimal(r["bedrag"]) for r in mine if r["soort"] != "uitbetaald")
        assert som == Decimal(uitbetaald[0]["bedrag"]) == Decimal(t.uitbetaald_cent) / 100
    assert any(r["soort"] == "verrekening" and r["bedrag"] == "-50.00" for r in rows)
    csv_text = specificatie_csv(s)
    assert not NEGEN_CIJFERS.search(csv_text)
    assert csv_text == specificatie_csv(spec())


def test_csv_neutralises_formulas():
    text = specificatie_csv(spec(werkgever_naam="=HYPERLINK(\"x\")"))
    assert next(csv.DictReader(io.StringIO(text)))["werkgever"].startswith("'=")


# ------------------------------------------------------------- specificatie equals SEPA amount

def test_specificaties_match_the_sepa_control_sums():
    specs = [spec(), spec(werkgever_naam="Zorgboerderij 't Hoekje", werkgever_iban="NL20INGB0001234567",
                          regels=REGELS[:1], uitbetaald_per_budget={"buig": 106505}, verrekend_cent=0)]
    nummers = {0: "W012", 1: "W013"}
    opdrachten = []
    for budget, code in (("buig", "B"), ("reintegratie", "R")):
        transacties = tuple(
            Transactie(end_to_end_id=f"LKS2025071-{code}-{nummers[i]}", bedrag_cent=s.uitbetaald_per_budget[budget],
                       naam=s.werkgever_naam, iban=s.werkgever_iban, straat="Kerkstraat", huisnummer="1",
                       postcode="1234 AB", plaats="IJsselstein",
                       omschrijving=ustrd(s.periode, s.betaalrun_kenmerk, nummers[i], s.werkgever_naam))
            for i, s in enumerate(specs) if s.uitbetaald_per_budget.get(budget))
        opdrachten.append(Betaalopdracht(pmt_inf_id=f"LKS-2025-07-1-{code}", budget=budget,
                                         uitvoerdatum=dt.date(2025, 7, 25), transacties=transacties))
    bestand = Betaalbestand(
        msg_id="LKS-2025-07-1", aangemaakt=dt.datetime(2025, 7, 15, 8, 30, tzinfo=dt.timezone.utc),
        initiator_naam="Gemeente Súdwest-Fryslân",
        debiteur=Debiteur(naam="Gemeente Súdwest-Fryslân", iban="NL91ABNA0417164300", straat="Marktstraat",
                          huisnummer="15", postcode="8601 CG", plaats="Sneek"),
        opdrachten=tuple(opdrachten))
    validate_pain001(render_pain001(bestand))
    per_budget = {}
    for s in specs:
        for budget, cents in s.uitbetaald_per_budget.items():
            per_budget[budget] = per_budget.get(budget, 0) + cents
    assert bestand.totaal_per_budget() == per_budget == {"buig": 462260, "reintegratie": 45000}


def test_dataclasses_are_frozen():
    s = spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.periode = "2025-08"
    with pytest.raises(TypeError):
        s.uitbetaald_per_budget["buig"] = 1  # read-only mapping
    with pytest.raises(ValueError, match="JJJJ-MM"):
        regel(periode="2025-13")
    with pytest.raises(TypeError):
        regel(bedrag_cent=10.5)
