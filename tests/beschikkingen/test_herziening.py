"""Herziene vaststelling (Awb art. 4:49), on SQLite and on PostgreSQL, on the small gemeente of
tests/betaalrun/conftest.py (W1: P1 lks, loonwaarde 60 %, 32 of 38 h; W2: P2 beschut 38 of
38 h and P3 ontwikkelbaan 32 of 36 h). Every expected amount is worked out from the rulebook
(rekenregels §2, §3, §5) in the comments, reusing the full-month amounts of test_batch.py;
none is copied from output.

Timeline (halfjaarlijks), a betaalrun per month 2025-01..2026-03 approved on the 18th, the
beschikkingen made the same morning before the run (and made once more right after, which
must make nothing):
- 2026-01-10 P2's hours 38 -> 19 from 2025-12-01: a late fact for 2025 while 2025 has no
  vaststelling yet, so the vaststelling of W2 on 2026-01-18 simply uses it (no herziening);
- 2026-02-10 P1's loonwaarde 60 -> 70 % from 2025-11-01, after W1's vaststelling 2025 of
  2026-01-18: the batch of 2026-02-18 herziet it (lower: ten nadele, Awb 4:49 lid 1 onder a);
- 2026-03-05 P1's hours 32 -> 38 from 2025-12-01 (after the February run paid the corrections
  of the first herziening): the batch of 2026-03-18 herziet the herziening (higher); and P2's
  hours 19 -> 30 from 2026-01-01, a year without a vaststelling: only a wijziging.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lks.beschikkingen import _herzienbaar, lijst, regenereer
from lks.db.models_beschikking import Beschikking as Row
from lks.documents.beschikking import (Herziening, Vaststelling, VaststellingRegel, bezwaar_einddatum,
                                       from_inputs_json, inputs_json, letter_hash, render_html)
from lks.nl import datum as nl_datum
from tests.betaalrun.conftest import bsn
from tests.beschikkingen.test_batch import (
    NEGEN_CIJFERS, P1_2025_1, P1_2025_7, P2_2025_1, P2_2025_7, P2_2025_12_19U, P3_2025_1,
    P3_2025_7, P3_2026_1, PARAMS, _betaalrun, _engine, _pdf_text, _run, import_known)
from tests.foundation.helpers import BACKENDS

UTC = dt.timezone.utc
D = dt.date

# P1 with loonwaarde 70 %: fractie 1 - 0,70 = 0,30; WML July 2025 2.245,80 × 1,08 = 2.425,464;
# × 0,30 = 727,6392
# 32 h: × 32/36 = 646,7904 -> 646,79; × 0,235 = 151,99565 -> 152,00; totaal 798,79
P1_2025_7_LW70 = 79879
# 38 h (of 38): × 38/36 = 768,0636 -> 768,06; × 0,235 = 180,4941 -> 180,49; totaal 948,55
P1_2025_7_LW70_38U = 94855

# W1's vaststelling 2025 (2026-01-18): 6 × 1.039,44 + 6 × 1.065,05 = 6.236,64 + 6.390,30
# = 12.626,94, every month paid as voorschot with these amounts: no verschil
W1_2025_VASTGESTELD = 6 * P1_2025_1 + 6 * P1_2025_7
assert W1_2025_VASTGESTELD == 1262694
# first herziening (2026-02-18), loonwaarde 70 % in November and December:
# 6.236,64 + 4 × 1.065,05 + 2 × 798,79 = 6.236,64 + 4.260,20 + 1.597,58 = 12.094,42;
# voorschotten still 12.626,94 (the February run has not paid the corrections yet), so
# 532,52 = 2 × (1.065,05 - 798,79) too much: verrekend
W1_2025_HERZIEN_1 = 6 * P1_2025_1 + 4 * P1_2025_7 + 2 * P1_2025_7_LW70
assert W1_2025_HERZIEN_1 == 1209442
# second herziening (2026-03-18), December 38 h: 6.236,64 + 4.260,20 + 798,79 + 948,55
# = 12.244,18; the February run reclaimed 2 × 266,26, so the voorschotten are now 12.094,42
# and 149,76 = 948,55 - 798,79 is still to be paid: nabetaling
W1_2025_HERZIEN_2 = 6 * P1_2025_1 + 4 * P1_2025_7 + P1_2025_7_LW70 + P1_2025_7_LW70_38U
assert W1_2025_HERZIEN_2 == 1224418
# W2's vaststelling 2025 (test_batch.py): P2 6 × 2.160,09 + 5 × 2.213,31 + 1.106,65, P3
# 6 × 1.299,29 + 6 × 1.331,31; totals 40.917,34 vastgesteld against 42.024,00 paid
W2_2025_VASTGESTELD = (6 * P2_2025_1 + 5 * P2_2025_7 + P2_2025_12_19U) + (6 * P3_2025_1 + 6 * P3_2025_7)
assert W2_2025_VASTGESTELD == 4091734

# The full-month amounts of the wijzigingen on the way (January 2026 WML 2.294,40 × 1,08 =
# 2.477,952):
# P1 60 %, 32 h: × 0,40 × 32/36 = 881,0496 -> 881,05; × 0,235 = 207,04675 -> 207,05; 1.088,10
P1_2026_1 = 108810
# P1 70 %, 32 h: × 0,30 × 32/36 = 660,7872 -> 660,79; × 0,235 = 155,28565 -> 155,29; 816,08
P1_2026_1_LW70 = 81608
# P1 70 %, 38 h: × 0,30 × 38/36 = 784,6848 -> 784,68; × 0,235 = 184,3998 -> 184,40; 969,08
P1_2026_1_LW70_38U = 96908
# P2 beschut 19 h: × 0,7 × 19/36 = 915,4656 -> 915,47; × 0,235 = 215,13545 -> 215,14; 1.130,61
P2_2026_1_19U = 113061
# P2 beschut 30 h: × 0,7 × 30/36 = 1.445,472 -> 1.445,47; × 0,235 = 339,68545 -> 339,69; 1.785,16
P2_2026_1_30U = 178516

LATE = {
    D(2026, 1, 10): {"urenwijzigingen.csv": (["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"],
                                             [["P2", "2025-12-01", "19", "38"]])},
    D(2026, 2, 10): {"loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                         [["P1", "2025-11-01", "70"]])},
    D(2026, 3, 5): {"urenwijzigingen.csv": (["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"],
                                            [["P1", "2025-12-01", "38", "38"],
                                             ["P2", "2026-01-01", "30", "38"]])},
}
FEB, MAART, JAN = D(2026, 2, 18), D(2026, 3, 18), D(2026, 1, 18)


def _alleen_herzieningen(b) -> bool:
    """PDFs only for the herziene vaststellingen (a PDF costs about a second)."""
    return b.vaststelling is not None and b.vaststelling.herziening is not None


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def timeline(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"herziening-{request.param}")
    with _engine(request, request.param, tmp) as engine:
        out = tmp / "out"
        late = dict(LATE)
        runs, again = {}, {}
        for periode in [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02", "2026-03"]:
            day = D(int(periode[:4]), int(periode[5:]), 18)
            import_known(engine, tmp, late, day)
            runs[day] = _run(engine, day, out, pdf=_alleen_herzieningen)
            if day >= JAN:
                again[day] = _run(engine, day, out)
            _betaalrun(engine, periode, day)
        yield engine, runs, again, out


def _soorten(result):
    out = []
    for b in result.beschikkingen:
        v = b.beschikking.vaststelling
        assert b.herziet_kenmerk == (v.herziening.kenmerk if v and v.herziening else None)
        out.append((b.soort, b.werkgever_id, b.plaatsingen, b.herziet_kenmerk))
    return out


def _per_plaatsing(v):
    return {r.plaatsing_id: (r.oud_vastgesteld_cent, r.vastgesteld_cent, r.voorschotten_cent)
            for r in v.per_plaatsing}


def _vaststelling_w1(runs):
    return next(b for b in runs[JAN].beschikkingen if b.soort == "vaststelling" and b.werkgever_id == "W1")


def _herziening(runs, day):
    (letter,) = [b for b in runs[day].beschikkingen if _alleen_herzieningen(b.beschikking)]
    return letter


def _html_text(path) -> str:
    return _zichtbaar(path.read_text(encoding="utf-8"))


def _zichtbaar(page: str) -> str:
    """The text a reader sees: no stylesheet, inline spans joined, other tags a space."""
    text = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    text = re.sub(r"</?span[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text).replace("\xa0", " "))


def test_january_vaststelling_uses_the_late_fact_without_herziening(timeline):
    """A late fact for a year without a vaststelling yet (P2's hours from December 2025,
    recorded 2026-01-10) goes into the first vaststelling: no herziening."""
    _, runs, again, _ = timeline
    jan = runs[JAN]
    assert _soorten(jan) == [
        ("wijziging", "W1", ("P1",), None), ("wijziging", "W2", ("P2", "P3"), None),
        ("vaststelling", "W1", ("P1",), None), ("vaststelling", "W2", ("P2", "P3"), None)]
    v1 = _vaststelling_w1(runs).beschikking.vaststelling
    assert (v1.vastgesteld_cent, v1.voorschotten_cent, v1.uitkomst) == (
        W1_2025_VASTGESTELD, W1_2025_VASTGESTELD, "geen_verschil")
    v2 = jan.beschikkingen[3].beschikking.vaststelling
    # 40.917,34 against 42.024,00: -1.106,66 (P2 in December at 19 h instead of 38 h)
    assert (v2.vastgesteld_cent, v2.voorschotten_cent) == (W2_2025_VASTGESTELD, 4202400)
    assert v2.herziening is None and {r.oud_vastgesteld_cent for r in v2.per_plaatsing} == {None}
    assert again[JAN].beschikkingen == []


def test_late_loonwaarde_makes_one_herziening_ten_nadele(timeline):
    _, runs, _, _ = timeline
    feb = runs[FEB]
    oud = _vaststelling_w1(runs)
    # W2's vaststelling stays: its verschil was settled by the January run, no fact changed it
    assert _soorten(feb) == [("wijziging", "W1", ("P1",), None), ("beeindiging", "W2", ("P3",), None),
                             ("vaststelling", "W1", ("P1",), oud.kenmerk)]
    assert {r.plaatsing_id: (r.oud_maandbedrag_cent, r.maandbedrag_cent)
            for r in feb.beschikkingen[0].beschikking.regels} == {"P1": (P1_2026_1, P1_2026_1_LW70)}
    assert feb.beschikkingen[1].beschikking.regels[0].maandbedrag_cent == P3_2026_1

    letter = _herziening(runs, FEB)
    v = letter.beschikking.vaststelling
    assert v.herziening == Herziening(kenmerk=oud.kenmerk, datum=JAN, vastgesteld_cent=W1_2025_VASTGESTELD)
    assert v.jaar == 2025
    assert (v.vastgesteld_cent, v.voorschotten_cent) == (W1_2025_HERZIEN_1, W1_2025_VASTGESTELD)
    assert v.verschil_cent == -53252 == -2 * (P1_2025_7 - P1_2025_7_LW70)
    assert v.herziening_cent == -53252 and v.uitkomst == "verrekening"
    assert _per_plaatsing(v) == {"P1": (W1_2025_VASTGESTELD, W1_2025_HERZIEN_1, W1_2025_VASTGESTELD)}


def test_later_herziening_compares_with_the_herziene_vaststelling(timeline):
    _, runs, _, _ = timeline
    eerste = _herziening(runs, FEB)
    maart = runs[MAART]
    # P2's hours from 2026-01-01 concern 2026, a year without vaststelling: a wijziging only
    assert _soorten(maart) == [("wijziging", "W1", ("P1",), None), ("wijziging", "W2", ("P2",), None),
                               ("vaststelling", "W1", ("P1",), eerste.kenmerk)]
    assert {r.plaatsing_id: (r.oud_maandbedrag_cent, r.maandbedrag_cent, r.reden_code)
            for b in maart.beschikkingen[:2] for r in b.beschikking.regels} == {
        "P1": (P1_2026_1_LW70, P1_2026_1_LW70_38U, "uren"), "P2": (P2_2026_1_19U, P2_2026_1_30U, "uren")}

    v = _herziening(runs, MAART).beschikking.vaststelling
    assert v.herziening == Herziening(kenmerk=eerste.kenmerk, datum=FEB, vastgesteld_cent=W1_2025_HERZIEN_1)
    assert (v.vastgesteld_cent, v.voorschotten_cent) == (W1_2025_HERZIEN_2, W1_2025_HERZIEN_1)
    assert v.verschil_cent == v.herziening_cent == 14976 == P1_2025_7_LW70_38U - P1_2025_7_LW70
    assert v.uitkomst == "nabetaling"
    assert _per_plaatsing(v) == {"P1": (W1_2025_HERZIEN_1, W1_2025_HERZIEN_2, W1_2025_HERZIEN_1)}


def test_running_again_makes_nothing(timeline):
    engine, runs, again, out = timeline
    assert again[FEB].beschikkingen == [] and again[MAART].beschikkingen == []
    before = sorted(p.name for p in (out / "beschikkingen").iterdir())
    assert _run(engine, MAART, out).beschikkingen == []
    assert sorted(p.name for p in (out / "beschikkingen").iterdir()) == before


def test_the_chain_is_recorded(timeline):
    engine, runs, _, _ = timeline
    eerste, tweede = _herziening(runs, FEB), _herziening(runs, MAART)
    rows = {r.kenmerk: r for r in lijst(engine, "vaststelling")}
    assert {k: r.herziet_kenmerk for k, r in rows.items()} == {
        _vaststelling_w1(runs).kenmerk: None, runs[JAN].beschikkingen[3].kenmerk: None,
        eerste.kenmerk: _vaststelling_w1(runs).kenmerk, tweede.kenmerk: eerste.kenmerk}
    assert all(r.soort == "vaststelling" and r.status == "concept" for r in rows.values())
    assert "herziening vaststelling 2025" in rows[tweede.kenmerk].aanleiding
    # a vaststelling is replaced at most once: a second herziening of it is refused
    with pytest.raises(IntegrityError):
        with Session(engine) as session, session.begin():
            row = session.scalar(select(Row).where(Row.kenmerk == tweede.kenmerk))
            session.add(Row(kenmerk="LKS/2026/999999", jaar=2026, volgnummer=999999,
                            soort="vaststelling", werkgever_id="W1", datum=MAART,
                            aanleiding="test", inputs_json=row.inputs_json,
                            inputs_sha256=row.inputs_sha256, html_sha256=row.html_sha256,
                            status="concept", termijn_overschreden=False,
                            made_at=dt.datetime(2026, 3, 18, tzinfo=UTC),
                            herziet_kenmerk=eerste.kenmerk))


def test_letters_text(timeline):
    _, runs, _, _ = timeline
    oud = _vaststelling_w1(runs)
    eerste, tweede = _herziening(runs, FEB), _herziening(runs, MAART)
    expected = {
        eerste.kenmerk: [
            "Herziening vaststelling loonkostensubsidie 2025", oud.kenmerk,
            f"Op 18 januari 2026 hebben wij de loonkostensubsidie over het jaar 2025 vastgesteld (kenmerk {oud.kenmerk})",
            f"Deze brief vervangt de vaststelling met kenmerk {oud.kenmerk}",
            "opnieuw vast op € 12.094,42", "Eerder stelden wij de subsidie vast op € 12.626,94",
            f"Eerder vastgesteld (kenmerk {oud.kenmerk}) € 12.626,94", "Nieuw vastgesteld € 12.094,42",
            "Betaalde voorschotten € 12.626,94", "Te veel ontvangen € 532,52",
            "verrekenen wij met de loonkostensubsidie", "€ 532,52 lager",
            "artikel 4:49, eerste lid, onder a, Awb", "artikel 4:49, derde lid, Awb", "5 jaar",
            "12.626,94 12.094,42 12.626,94 -532,52",
            "artikel 4:49, eerste lid, onder a, van de Algemene wet bestuursrecht"],
        tweede.kenmerk: [
            "Herziening vaststelling loonkostensubsidie 2025", eerste.kenmerk,
            f"Op 18 februari 2026 hebben wij de loonkostensubsidie over het jaar 2025 vastgesteld (kenmerk {eerste.kenmerk})",
            "opnieuw vast op € 12.244,18", "Eerder stelden wij de subsidie vast op € 12.094,42",
            "Betaalde voorschotten € 12.094,42", "Nog te ontvangen € 149,76",
            "U krijgt nog € 149,76 van ons", "€ 149,76 hoger", "in uw voordeel", "Artikel 4:49 Awb",
            "12.094,42 12.244,18 12.094,42 149,76"],
    }
    for letter in (eerste, tweede):
        b = letter.beschikking
        common = ["Bent u het niet eens met dit besluit?", "artikelen 6:7 en 6:8 Awb",
                  nl_datum(bezwaar_einddatum(b.datum)), letter.kenmerk, "Anna de Vries",
                  b.regels[0].bsn_masked]
        for text in (_pdf_text(letter.pdf_pad), _html_text(letter.html_pad)):
            for phrase in expected[letter.kenmerk] + common:
                assert phrase in text, (letter.kenmerk, phrase)
            assert not NEGEN_CIJFERS.search(text)
            assert bsn(1) not in text
    # the favourable herziening does not cite 4:49 as its basis
    assert "onder a, van de Algemene wet bestuursrecht" not in _pdf_text(tweede.pdf_pad)


def test_herziening_regenerated_from_stored_inputs_is_identical(timeline):
    engine, runs, _, _ = timeline
    with Session(engine) as session:
        rows = {r.kenmerk: r for r in session.scalars(select(Row))}
    for letter in (_herziening(runs, FEB), _herziening(runs, MAART)):
        row = rows[letter.kenmerk]
        b, html_text, pdf = regenereer(engine, letter.kenmerk)
        assert b == letter.beschikking
        assert html_text == letter.html_pad.read_text(encoding="utf-8")
        assert letter_hash(html_text) == row.html_sha256
        assert letter_hash(pdf) == row.pdf_sha256 == letter_hash(letter.pdf_pad.read_bytes())
        assert '"herziening":{' in row.inputs_json and '"oud_vastgesteld_cent":' in row.inputs_json
    # a first vaststelling stores no herziening fields at all (its inputs read as before)
    assert "herziening" not in rows[_vaststelling_w1(runs).kenmerk].inputs_json


# ------------------------------------------------------------------------------------------
# Without a database


def test_herzieningstermijn_from_the_parameter():
    # Awb 4:49 lid 3: five years (parameter) from the day the vaststelling was made known
    assert PARAMS["herzieningstermijn_vaststelling_jaren"].at(D(2026, 1, 18)) == 5
    assert _herzienbaar(D(2031, 1, 17), D(2026, 1, 18), PARAMS)
    assert not _herzienbaar(D(2031, 1, 18), D(2026, 1, 18), PARAMS)


def test_herziening_needs_old_amounts_that_add_up():
    h = Herziening(kenmerk="LKS/2026/000003", datum=JAN, vastgesteld_cent=1000)
    with pytest.raises(ValueError, match="eerder vastgestelde bedrag"):
        Vaststelling.voor_jaar(2025, 900, 1000, herziening=h,
                               per_plaatsing=(VaststellingRegel("P1", 900, 1000),))
    with pytest.raises(ValueError, match="tellen niet op"):
        Vaststelling.voor_jaar(2025, 900, 1000, herziening=h,
                               per_plaatsing=(VaststellingRegel("P1", 900, 1000, 999),))
    with pytest.raises(ValueError, match="alleen bij een herziening"):
        Vaststelling.voor_jaar(2025, 900, 1000, per_plaatsing=(VaststellingRegel("P1", 900, 1000, 1000),))
    v = Vaststelling.voor_jaar(2025, 900, 1000, herziening=h,
                               per_plaatsing=(VaststellingRegel("P1", 900, 1000, 1000),))
    assert (v.herziening_cent, v.verschil_cent, v.uitkomst) == (-100, -100, "verrekening")


def test_herziening_with_the_same_total_is_not_ten_nadele():
    """Amounts moved between plaatsingen, total unchanged: no 4:49 basis, no verschil."""
    from tests.documents.test_beschikking import vaststelling_terugvordering
    b = vaststelling_terugvordering()
    # the letter's plaatsingen: 6.390,30 and 5.955,37 vastgesteld before, now 6.290,30 and
    # 6.055,37 (100,00 moved), still 12.345,67 in total; 12.345,67 paid: nothing to settle
    v = Vaststelling.voor_jaar(
        2025, 1234567, 1234567,
        herziening=Herziening(kenmerk=b.kenmerk, datum=b.datum, vastgesteld_cent=1234567),
        per_plaatsing=(VaststellingRegel("PL-2025-0042", 629030, 639030, 639030),
                       VaststellingRegel("PL-2025-0051", 605537, 595537, 595537)))
    herzien = dataclasses.replace(b, kenmerk="LKS/2026/000790", datum=D(2026, 4, 1), vaststelling=v)
    assert (v.herziening_cent, v.uitkomst) == (0, "geen_verschil")
    text = _zichtbaar(render_html(herzien))
    for phrase in ["Herziening vaststelling loonkostensubsidie 2025", "het totaal blijft gelijk",
                   "artikel 4:49 Awb", "(kenmerk LKS/2026/000789)", "opnieuw vast op € 12.345,67",
                   "De vastgestelde subsidie is gelijk aan de betaalde voorschotten"]:
        assert phrase in text, phrase
    assert "onder a, van de Algemene wet bestuursrecht" not in text
    with pytest.raises(ValueError, match="ander kenmerk"):
        dataclasses.replace(herzien, kenmerk=b.kenmerk)


def test_inputs_of_a_first_vaststelling_unchanged_by_the_new_fields():
    from tests.documents.test_beschikking import vaststelling_terugvordering
    b = vaststelling_terugvordering()
    text = inputs_json(b)
    assert "herziening" not in text and "oud_vastgesteld_cent" not in text
    assert from_inputs_json(text) == b and inputs_json(from_inputs_json(text)) == text


def _table_rows(output: str) -> dict[str, list[str]]:
    """The rows of a rich table, keyed by the first cell; a cell wrapped onto a continuation
    line (first cell empty) is joined back with a space."""
    rows: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            current = rows.setdefault(cells[0], cells)
        elif current is not None:
            for i, part in enumerate(cells):
                if part:
                    current[i] = f"{current[i]} {part}".strip()
    return rows


def test_the_cli_lists_a_herziening_with_the_letter_it_replaces(timeline, monkeypatch):
    from lks.cli.kern import console
    from tests.foundation.helpers import Cli

    monkeypatch.setattr(console, "width", 160)  # a wide terminal: one line per letter
    engine, runs, _, _ = timeline
    eerste, tweede = _herziening(runs, FEB), _herziening(runs, MAART)
    result = Cli(engine.url.render_as_string(hide_password=False))("beschikkingen", "list", "--soort", "vaststelling")
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.output)
    soort = {kenmerk: cells[1] for kenmerk, cells in rows.items() if kenmerk.startswith("LKS/")}
    assert soort[eerste.kenmerk] == f"vaststelling (herziet {_vaststelling_w1(runs).kenmerk})"
    assert soort[tweede.kenmerk] == f"vaststelling (herziet {eerste.kenmerk})"
    assert soort[_vaststelling_w1(runs).kenmerk] == "vaststelling"
    assert all(cells[5] == "concept" for kenmerk, cells in rows.items() if kenmerk.startswith("LKS/"))
