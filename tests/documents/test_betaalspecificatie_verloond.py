"""Betaalspecificatie lines of plaatsingen on verloonde uren (rekenregels §7): the month's hours
and the subsidy per verloond uur in HTML, CSV and PDF; each hourly amount with its hours when
it changes within the month, never an average. Amounts worked out by hand in the comments."""
from __future__ import annotations

import csv
import dataclasses
import io
from fractions import Fraction as F

import pytest

from lks.documents.betaalspecificatie import (CSV_KOLOMMEN, CSV_KOLOMMEN_VERLOOND, UrenDeel, VerloondeUren,
                                              render_specificatie_html, render_specificatie_pdf,
                                              specificatie_csv)

from tests.documents.test_betaalspecificatie import plat, regel, spec, zichtbaar

UUR_60 = F(62208, 100)  # 14,40 × 1,08 × 0,40 = 6,2208 € per verloond uur (July 2025, loonwaarde 60 %)
UUR_50 = F(7776, 10)    # 14,40 × 1,08 × 0,50 = 7,776

# 100 h in July 2025: 622,08; × 0,235 = 146,1888 -> 146,19; 768,27 (rekenregels §7, first example)
JULI = regel(plaatsing_id="OP-1", werknemer_naam="Kees de Boer", periode="2025-07", soort="regulier",
             lks_basis_cent=62208, werkgeverslasten_cent=14619, bedrag_cent=76827,
             verloonde_uren=VerloondeUren(uren=F(100), delen=(UrenDeel(F(100), UUR_60),)))
# 180 h, capped at 38 × 13/3 = 494/3 h: 6,2208 × 494/3 = 1.024,3584 -> 1.024,36; 240,72; 1.265,08
# (second example); here a correction of June, which was paid 0 before
BEGRENSD = regel(plaatsing_id="OP-1", werknemer_naam="Kees de Boer", periode="2025-06", soort="correctie",
                 lks_basis_cent=102436, werkgeverslasten_cent=24072, bedrag_cent=126508,
                 verloonde_uren=VerloondeUren(uren=F(180), delen=(UrenDeel(F(494, 3), UUR_60),), begrensd=True))
# loonwaarde 60 % until 15 July, 50 % from 16 July, 93 h: 93 × 15/31 = 45 h at 6,2208 = 279,936 and
# 93 × 16/31 = 48 h at 7,776 = 373,248; 653,184 -> 653,18; × 0,235 = 153,4973 -> 153,50; 806,68
# (fourth example)
GESPLITST = regel(plaatsing_id="OP-2", werknemer_naam="Ans Bos", periode="2025-07", soort="regulier",
                  lks_basis_cent=65318, werkgeverslasten_cent=15350, bedrag_cent=80668,
                  verloonde_uren=VerloondeUren(uren=F(93), delen=(UrenDeel(F(45), UUR_60), UrenDeel(F(48), UUR_50))))
# a loonstrook withdrawn after it was paid: the month is taken back, no hours known now
ZONDER = regel(plaatsing_id="OP-2", werknemer_naam="Ans Bos", periode="2025-05", soort="correctie",
               lks_basis_cent=-10000, werkgeverslasten_cent=-2350, bedrag_cent=-12350,
               verloonde_uren=VerloondeUren(uren=None))
VAST = regel()  # contracturen: 1.065,05 in July 2025


def verloond_spec():
    # buig: 76827 + 126508 + 80668 - 12350 + 106505 = 378158
    return spec(regels=(JULI, BEGRENSD, GESPLITST, ZONDER, VAST), uitbetaald_per_budget={"buig": 378158},
                verrekend_cent=0)


def test_html_toont_uren_en_bedrag_per_uur():
    html = render_specificatie_html(verloond_spec())
    tekst = zichtbaar(html)
    assert "Periode Verloonde uren Per uur LKS-basis Werkgeverslasten Bedrag" in tekst
    assert "2025-07 100 € 6,2208 622,08 146,19 € 768,27" in tekst
    assert "correctie 2025-06 180 (ten hoogste 164,66…) € 6,2208 1.024,36 240,72 € 1.265,08" in tekst
    # never an average: each hourly amount with its hours
    assert "2025-07 93 € 6,2208 over 45 uur € 7,776 over 48 uur 653,18 153,50 € 806,68" in tekst
    assert "correctie 2025-05 geen loonstrook -100,00 -23,50 € -123,50" in tekst
    assert "2025-07 950,00 115,05 € 1.065,05" in tekst  # the contract line: empty hour cells
    assert "de loonkostensubsidie per verloond uur (zonder de vergoeding voor werkgeverslasten)" in tekst
    assert "× 13/3 weken per maand" in tekst
    assert "€ 6,2208 over 45 uur<br>€ 7,776 over 48 uur" in plat(html)


def test_csv_heeft_drie_kolommen_meer_met_exacte_waarden():
    rows = list(csv.reader(io.StringIO(specificatie_csv(verloond_spec()))))
    assert tuple(rows[0]) == CSV_KOLOMMEN + CSV_KOLOMMEN_VERLOOND
    n = len(CSV_KOLOMMEN)
    per = {(r[3], r[7], r[8]): r[n:] for r in rows[1:]}
    assert per["OP-1", "2025-07", "regulier"] == ["100", "100", "6.2208"]
    # 494/3 h is 164,666…: four decimals, rounded half up
    assert per["OP-1", "2025-06", "correctie"] == ["180", "164.6667", "6.2208"]
    assert per["OP-2", "2025-07", "regulier"] == ["93", "45;48", "6.2208;7.776"]
    assert per["OP-2", "2025-05", "correctie"] == ["", "", ""]
    assert per["P-0001", "2025-07", "regulier"] == ["", "", ""]
    assert all(len(r) == n + 3 for r in rows)  # the budget rows too
    # the rows still add up to the payment
    assert sum(F(r[n - 1]) for r in rows[1:] if r[8] in ("regulier", "correctie")) == F(378158, 100)


def test_zonder_verloonde_uren_precies_als_voorheen():
    gewoon = spec()
    assert not gewoon.verloond
    assert "Verloonde uren" not in render_specificatie_html(gewoon)
    assert specificatie_csv(gewoon).splitlines()[0] == ",".join(CSV_KOLOMMEN)
    # a line on verloonde uren changes nothing in the contract lines' amounts or their order
    met = verloond_spec()
    assert [r.bedrag_cent for r in met.regels] == [76827, 126508, 80668, -12350, 106505]


def test_pdf_toont_de_uren(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(render_specificatie_pdf(verloond_spec())))
    tekst = plat(" ".join(page.extract_text() for page in reader.pages))
    for stuk in ("Verloonde uren", "Per uur", "€ 6,2208", "€ 7,776 over 48 uur", "geen loonstrook",
                 "180 (ten hoogste 164,66…)"):
        assert stuk in tekst, stuk


def test_ongeldige_uren():
    with pytest.raises(ValueError, match="tellen niet op"):
        VerloondeUren(uren=F(93), delen=(UrenDeel(F(45), UUR_60),))
    with pytest.raises(ValueError, match="zonder loonstrook"):
        VerloondeUren(uren=None, delen=(UrenDeel(F(45), UUR_60),))
    with pytest.raises(TypeError):
        UrenDeel(45.0, UUR_60)  # never a float
    with pytest.raises(ValueError, match="negatief"):
        UrenDeel(F(-1), UUR_60)
    assert dataclasses.replace(JULI, verloonde_uren=None).verloonde_uren is None
