"""The beschikkingen batch, on SQLite and on PostgreSQL, on a small gemeente imported through
the real importer (tests/betaalrun/conftest.py): W1 has P1 (lks, loonwaarde 60 %, 32 of 38 h,
since 2024-06), W2 has P2 (beschut, 38 of 38 h, since 2024-03) and P3 (ontwikkelbaan, 32 of
36 h, since 2024-09-01, so its 18 months end on 2026-02-28). Every expected amount is worked out from the
rulebook (rekenregels §2, §3, §5) in the comments; none is copied from output.

Timeline (halfjaarlijks), a betaalrun per month 2025-01..2026-02 approved on the 18th, the
beschikkingen made the same morning before the run:
- 2025-10-06 a new loonwaarde for P1: 50 % from 2025-10-01 (no batch on 2025-10-18, so the
  letter on 2025-11-18 comes 43 days after it: over the five weeks of Pw art. 10d lid 12);
- 2026-01-10 P2's hours 38 -> 19 from 2025-12-01, after December was paid: the vaststelling
  2025 of W2 has a negative verschil.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import contextmanager

import pytest
from pypdf import PdfReader

from lks.beschikkingen import maak_beschikkingen, markeer_verzonden, regenereer, BeschikkingFout
from lks.betaalrun import lifecycle as lc
from lks.db import make_engine
from lks.documents.beschikking import bezwaar_einddatum, letter_hash
from lks.importer import import_directory
from lks.nl import datum as nl_datum
from lks.parameters import Parameters
from lks.settings import EXAMPLE_TOML, parse_settings
from tests.betaalrun.conftest import bsn, gemeente_dir, write_csv
from tests.foundation.helpers import BACKENDS, new_database

UTC = dt.timezone.utc
D = dt.date
NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{9}(?!\d)")
PARAMS = Parameters.load()
HALFJAARLIJKS = parse_settings(EXAMPLE_TOML)
JAARLIJKS = parse_settings(EXAMPLE_TOML.replace('indexatie = "halfjaarlijks"', 'indexatie = "jaarlijks"'))

# Full-month amounts in cents: basis = round(WML × 1,08 × fractie × min(uren, voltijd)/36),
# werkgeverslasten = round(basis × 0,235), totaal = basis + werkgeverslasten.
# P1, lks 60 % -> fractie 0,40, 32 h:
P1_2025_1 = 103944  # 2.191,80 × 1,08 × 0,40 × 32/36 = 841,6512 -> 841,65; × 0,235 = 197,79; 1.039,44
P1_2025_7 = 106505  # 2.245,80 × 1,08 × 0,40 × 32/36 = 862,3872 -> 862,39; + 202,66 = 1.065,05 (§3)
P1_2025_7_LW50 = 133131  # fractie 0,50: 2.245,80 × 1,08 × 0,5 × 32/36 = 1.077,984 -> 1.077,98; + 253,33
P1_2026_1_LW50 = 136012  # 2.294,40 × 1,08 × 0,5 × 32/36 = 1.101,312 -> 1.101,31; × 0,235 = 258,81
# P2, beschut fractie 0,70, 38 h -> 38/36:
P2_2025_1 = 216009  # 2.191,80 × 1,08 × 0,7 × 38/36 = 1.749,0564 -> 1.749,06; × 0,235 = 411,03
P2_2025_7 = 221331  # 2.245,80 × 1,08 × 0,7 × 38/36 = 1.792,1508 -> 1.792,15; + 421,16 (§3)
# 19 h from December 2025: 2.245,80 × 1,08 = 2.425,464; × 0,7 = 1.697,8248; × 19/36 = 896,0742
# -> 896,07; × 0,235 = 210,57645 -> 210,58; totaal 1.106,65
P2_2025_12_19U = 110665
# P3, ontwikkelbaan fractie 0,50, 32 h:
P3_2025_1 = 129929  # 2.191,80 × 1,08 × 0,5 × 32/36 = 1.052,064 -> 1.052,06; × 0,235 = 247,23
P3_2025_7 = 133131  # as P1 with 50 % in July 2025
P3_2026_1 = 136012  # as P1 with 50 % in January 2026


def import_known(engine, tmp, late: dict, day: dt.date) -> None:
    """Import (and remove from ``late``) the files that became known on or before ``day``,
    each recorded at 06:00 on the day it became known."""
    for known, files in sorted(late.items()):
        if known <= day:
            import_directory(engine, _import_dir(tmp, known.isoformat(), files),
                             recorded_at=dt.datetime.combine(known, dt.time(6), UTC))
            del late[known]


def _import_dir(tmp_path, name, files):
    folder = tmp_path / name
    folder.mkdir()
    for file, (header, rows) in files.items():
        write_csv(folder, file, header, rows)
    return folder


@contextmanager
def _engine(request, backend, tmp_path):
    """The small gemeente imported into a fresh database on ``backend``; disposed and the
    database dropped afterwards."""
    with new_database(request, backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            import_directory(engine, gemeente_dir(tmp_path / "in"), recorded_at=dt.datetime(2025, 1, 2, tzinfo=UTC))
            yield engine
        finally:
            engine.dispose()


def _run(engine, day: dt.date, out, settings=HALFJAARLIJKS, pdf=False):
    return maak_beschikkingen(engine, day, dt.datetime.combine(day, dt.time(8, 0), UTC), PARAMS,
                              settings, out, pdf=pdf, workers=2)


def _betaalrun(engine, periode: str, day: dt.date):
    now = dt.datetime.combine(day, dt.time(9, 0), UTC)
    lc.aanvragen(engine, periode, "m.jansen", now)
    lc.berekenen(engine, periode, "m.jansen", now, PARAMS, HALFJAARLIJKS)
    lc.goedkeuren(engine, periode, "a.bakker", now + dt.timedelta(hours=2), day + dt.timedelta(days=7))


def _pdf_per_soort():
    """PDFs for the first letter of each soort only (the vaststelling: W2's, with a verschil)."""
    seen = set()

    def kies(b):
        if b.soort in seen or (b.soort == "vaststelling" and b.werkgever.naam.startswith("Bakkerij")):
            return False
        seen.add(b.soort)
        return True
    return kies


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def timeline(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"timeline-{request.param}")
    with _engine(request, request.param, tmp) as engine:
        yield _timeline(engine, tmp)


def _timeline(engine, tmp):
    out = tmp / "out"
    late = {
        D(2025, 10, 6): {"loonwaarden.csv": (["plaatsing_id", "ingangsdatum", "loonwaarde"],
                                             [["P1", "2025-10-01", "50"]])},
        D(2026, 1, 10): {"urenwijzigingen.csv": (["plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"],
                                                 [["P2", "2025-12-01", "19", "38"]])},
    }
    kies = _pdf_per_soort()
    runs = {}
    for periode in [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02"]:
        day = D(int(periode[:4]), int(periode[5:]), 18)
        import_known(engine, tmp, late, day)
        if periode != "2025-10":
            runs[day] = _run(engine, day, out, pdf=kies)
        _betaalrun(engine, periode, day)
    return engine, runs, out


def _letters(result, soort=None):
    return [b for b in result.beschikkingen if soort is None or b.soort == soort]


def _amounts(letter):
    return {r.plaatsing_id: (r.oud_maandbedrag_cent, r.maandbedrag_cent) for r in letter.beschikking.regels}


def test_first_run_one_verlening_per_werkgever(timeline):
    _, runs, out = timeline
    first = runs[D(2025, 1, 18)]
    assert [(b.soort, b.werkgever_id, b.plaatsingen) for b in first.beschikkingen] == [
        ("verlening", "W1", ("P1",)), ("verlening", "W2", ("P2", "P3"))]
    assert _amounts(first.beschikkingen[0]) == {"P1": (None, P1_2025_1)}
    assert _amounts(first.beschikkingen[1]) == {"P2": (None, P2_2025_1), "P3": (None, P3_2025_1)}
    assert [b.kenmerk for b in first.beschikkingen] == ["LKS/2025/000001", "LKS/2025/000002"]
    assert (out / "beschikkingen" / "LKS-2025-000001.html").exists()
    assert (out / "beschikkingen" / "LKS-2025-000001.pdf").exists()
    assert not (out / "beschikkingen" / "LKS-2025-000002.pdf").exists()
    assert not first.beschikkingen[0].termijn_overschreden


def test_same_day_again_makes_nothing(timeline):
    engine, runs, out = timeline
    day = max(runs)
    before = sorted(p.name for p in (out / "beschikkingen").iterdir())
    assert _run(engine, day, out).beschikkingen == []
    assert sorted(p.name for p in (out / "beschikkingen").iterdir()) == before
    # and the months without changes made nothing either
    for day in (D(2025, 2, 18), D(2025, 3, 18), D(2025, 8, 18), D(2025, 12, 18)):
        assert runs[day].beschikkingen == []


def test_july_indexatie_halfjaarlijks_one_letter_per_werkgever(timeline):
    _, runs, _ = timeline
    july = runs[D(2025, 7, 18)]
    assert [(b.soort, b.werkgever_id) for b in july.beschikkingen] == [("wijziging", "W1"), ("wijziging", "W2")]
    assert _amounts(july.beschikkingen[0]) == {"P1": (P1_2025_1, P1_2025_7)}
    assert _amounts(july.beschikkingen[1]) == {"P2": (P2_2025_1, P2_2025_7), "P3": (P3_2025_1, P3_2025_7)}
    for regel in july.beschikkingen[1].beschikking.regels:
        assert regel.reden_code == "indexatie" and regel.tijdvak_van == D(2025, 7, 1)


def test_new_loonwaarde_one_wijziging_flagged_after_five_weeks(timeline):
    _, runs, _ = timeline
    nov = runs[D(2025, 11, 18)]
    assert [(b.soort, b.werkgever_id) for b in nov.beschikkingen] == [("wijziging", "W1")]
    letter = nov.beschikkingen[0]
    regel = letter.beschikking.regels[0]
    assert (regel.oud_maandbedrag_cent, regel.maandbedrag_cent) == (P1_2025_7, P1_2025_7_LW50)
    assert regel.reden_code == "loonwaarde" and regel.tijdvak_van == D(2025, 10, 1)
    # recorded 2025-10-06; five weeks end 2025-11-10; the letter is dated 2025-11-18
    assert letter.beschikking.loonwaarde_vastgesteld_op == D(2025, 10, 6)
    assert letter.termijn_overschreden


def test_vaststelling_2025_against_voorschotten(timeline):
    _, runs, _ = timeline
    jan = runs[D(2026, 1, 18)]
    assert [(b.soort, b.werkgever_id) for b in jan.beschikkingen] == [
        ("wijziging", "W1"), ("wijziging", "W2"), ("vaststelling", "W1"), ("vaststelling", "W2")]
    # January 2026 WML; P2 now 19 h: 2.294,40 × 1,08 × 0,7 × 19/36 = 915,4656 -> 915,47;
    # × 0,235 = 215,13545 -> 215,14; 1.130,61
    assert _amounts(jan.beschikkingen[1]) == {"P2": (P2_2025_7, 113061), "P3": (P3_2025_7, P3_2026_1)}
    assert _amounts(jan.beschikkingen[0]) == {"P1": (P1_2025_7_LW50, P1_2026_1_LW50)}

    # W1: 6 × 1.039,44 + 3 × 1.065,05 + 3 × 1.331,31 = 6.236,64 + 3.195,15 + 3.993,93
    # = 13.425,72, all paid (the loonwaarde was known before the October run): no verschil
    v1 = jan.beschikkingen[2].beschikking.vaststelling
    assert (v1.vastgesteld_cent, v1.voorschotten_cent, v1.uitkomst) == (1342572, 1342572, "geen_verschil")
    # W2: P2 vastgesteld 6 × 2.160,09 + 5 × 2.213,31 + 1 × 1.106,65 = 12.960,54 + 11.066,55
    # + 1.106,65 = 25.133,74, paid 12.960,54 + 6 × 2.213,31 = 26.240,40; P3 6 × 1.299,29 +
    # 6 × 1.331,31 = 15.783,60 both. Totals 40.917,34 against 42.024,00: -1.106,66
    v2 = jan.beschikkingen[3].beschikking.vaststelling
    assert (v2.vastgesteld_cent, v2.voorschotten_cent) == (4091734, 4202400)
    assert v2.verschil_cent == -110666 and v2.uitkomst == "verrekening"
    assert v2.jaar == 2025
    assert {r.plaatsing_id: (r.vastgesteld_cent, r.voorschotten_cent) for r in v2.per_plaatsing} == {
        "P2": (6 * P2_2025_1 + 5 * P2_2025_7 + P2_2025_12_19U, 6 * P2_2025_1 + 6 * P2_2025_7),
        "P3": (6 * P3_2025_1 + 6 * P3_2025_7,) * 2}
    assert {r.plaatsing_id: r.verschil_cent for r in v2.per_plaatsing} == {"P2": -110666, "P3": 0}


def test_ontwikkelbaan_18_months_beeindiging(timeline):
    _, runs, _ = timeline
    feb = runs[D(2026, 2, 18)]
    assert [(b.soort, b.werkgever_id, b.plaatsingen) for b in feb.beschikkingen] == [
        ("beeindiging", "W2", ("P3",))]
    regel = feb.beschikkingen[0].beschikking.regels[0]
    # start 2024-09-01 + 18 months = 2026-03-01: last subsidy day 2026-02-28
    assert regel.tijdvak_tot == D(2026, 2, 28) and regel.reden_code == "maximale_duur"
    assert regel.maandbedrag_cent == P3_2026_1


def _pdf_text(path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def test_pdf_text_of_each_soort(timeline):
    _, runs, _ = timeline
    letters = {b.soort: b for r in runs.values() for b in r.beschikkingen if b.pdf_pad}
    assert set(letters) == {"verlening", "wijziging", "beeindiging", "vaststelling"}
    expected = {
        "verlening": ["Verlening loonkostensubsidie", "€ 1.039,44", "€ 841,65", "€ 197,79"],
        "wijziging": ["Wijziging loonkostensubsidie", "€ 1.065,05", "€ 1.039,44", "1 juli 2025"],
        "beeindiging": ["Beëindiging loonkostensubsidie", "28 februari 2026", "€ 1.360,12",
                        "maximale duur van de ontwikkelbaan"],
        "vaststelling": ["Vaststelling loonkostensubsidie", "€ 40.917,34", "€ 42.024,00", "€ 1.106,66",
                         "verrekenen"],
    }
    for soort, letter in letters.items():
        text = _pdf_text(letter.pdf_pad)
        for phrase in expected[soort] + [letter.kenmerk, nl_datum(bezwaar_einddatum(letter.beschikking.datum))]:
            assert phrase in text, (soort, phrase)
        assert not NEGEN_CIJFERS.search(text), soort
        for regel in letter.beschikking.regels:
            assert regel.bsn_masked in text
    assert bsn(1) not in _pdf_text(letters["verlening"].pdf_pad)


def test_regenerated_from_stored_inputs_is_identical(timeline):
    engine, runs, _ = timeline
    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from lks.db.models_beschikking import Beschikking as Row
    with Session(engine) as session:
        rows = {r.kenmerk: (r.html_sha256, r.pdf_sha256, r.status) for r in session.scalars(select(Row))}
    assert all(status == "concept" for _, _, status in rows.values())
    for kenmerk, (html_hash, _, _) in rows.items():
        _, html, _ = regenereer(engine, kenmerk, pdf=False)
        assert letter_hash(html) == html_hash, kenmerk
    vaststelling = next(b for r in runs.values() for b in r.beschikkingen
                        if b.soort == "vaststelling" and b.pdf_pad)
    _, html, pdf = regenereer(engine, vaststelling.kenmerk)
    assert letter_hash(pdf) == rows[vaststelling.kenmerk][1] == letter_hash(vaststelling.pdf_pad.read_bytes())
    assert html == vaststelling.html_pad.read_text(encoding="utf-8")


def test_mark_sent_once(timeline):
    engine, runs, _ = timeline
    kenmerk = runs[D(2025, 1, 18)].beschikkingen[0].kenmerk
    row = markeer_verzonden(engine, kenmerk, dt.datetime(2025, 1, 18, 15, tzinfo=UTC))
    assert row.status == "verzonden"
    with pytest.raises(BeschikkingFout, match="al verzonden"):
        markeer_verzonden(engine, kenmerk, dt.datetime(2025, 1, 19, tzinfo=UTC))
    with pytest.raises(BeschikkingFout, match="geen beschikking"):
        markeer_verzonden(engine, "LKS/1999/000001", dt.datetime(2025, 1, 19, tzinfo=UTC))


def test_jaarlijks_no_july_indexatie(request, backend, tmp_path):
    with _engine(request, backend, tmp_path) as engine:
        out = tmp_path / "out"
        assert len(_run(engine, D(2025, 1, 18), out, JAARLIJKS).beschikkingen) == 2
        # jaarlijks (Pw art. 10d lid 7): the WML of 1 January holds all year, nothing changes in July
        assert _run(engine, D(2025, 7, 18), out, JAARLIJKS).beschikkingen == []
        jan = _run(engine, D(2026, 1, 18), out, JAARLIJKS)
        assert [(b.soort, b.werkgever_id) for b in jan.beschikkingen] == [("wijziging", "W1"), ("wijziging", "W2")]
        # P1 from 1.039,44 (WML 2025-01-01) straight to the 2026 amount: 2.294,40 × 1,08 × 0,40 ×
        # 32/36 = 881,0496 -> 881,05; × 0,235 = 207,04675 -> 207,05; 1.088,10
        assert _amounts(jan.beschikkingen[0]) == {"P1": (P1_2025_1, 108810)}
