"""``lks demo`` end to end with its oproepkrachten (SQLite, no PDFs; rekenregels §7): hours
paid in arrears by the run after their month, a month above the cap of the cao, a corrected
loonstrook taken back, and a loonstrook that never came — open on the werklijst and in the
rapport at the end; their letters state the subsidy per verloond uur. Amounts worked out by
hand."""
from __future__ import annotations

import csv

from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db import make_engine
from lks.db.models_betaalrun import Betaalregel, Betaalrun
from lks.demo.gemeente import ONTBREEKT, build_gemeente


def test_the_demo_pays_oproepkrachten_in_arrears(tmp_path, monkeypatch):
    import lks.demo.run as demo

    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    sc = build_gemeente(2025).scenario
    seizoen, gecorrigeerd, ontbreekt = sc["oproepkracht_seizoen"], sc["loonstrook_gecorrigeerd"], sc["loonstrook_ontbreekt"]
    verloond = {sc[t] for t in ("oproepkracht_seizoen", "oproepkracht_midden_maand", "loonstrook_gecorrigeerd",
                                "loonstrook_ontbreekt")}
    out = tmp_path / "demo-out"
    result = demo.run_demo(out, pdf=False)

    engine = make_engine(f"sqlite:///{out / 'lks-demo.db'}")
    try:
        with Session(engine) as s:
            regels = s.execute(select(Betaalrun.periode, Betaalregel.plaatsing_id, Betaalregel.periode,
                                      Betaalregel.soort, Betaalregel.bedrag)
                               .join(Betaalrun, Betaalrun.id == Betaalregel.betaalrun_id)
                               .where(Betaalregel.plaatsing_id.in_(verloond))
                               .order_by(Betaalrun.periode, Betaalregel.periode)).all()
    finally:
        engine.dispose()
    # every month of an oproepkracht is paid by the run after it (its loonstrook comes on the
    # 8th of the next month), never by its own run: the own run's line is absent or 0
    eerste: dict[tuple[str, str], tuple[str, str]] = {}
    for run, pid, maand, soort, bedrag in regels:
        if bedrag != 0:
            eerste.setdefault((pid, maand), (run, soort))
    assert len(eerste) >= 35
    for (pid, maand), (run, soort) in eerste.items():
        assert run > maand and soort == "correctie", (pid, maand, run)
    # P0167 (loonwaarde 55 %: fractie 0.45), April 2025, 48.5 h at the hourly WML 14.06:
    #   14.06 × 1.08 × 0.45 × 48.5 = 331.40826 → 331.41; × 0.235 = 77.881 → 77.88; 409.29 in run 2025-05
    assert [(r, s_, b) for r, p, m, s_, b in regels if p == seizoen and m == "2025-04" and b] == [
        ("2025-05", "correctie", 409_29)]
    # August 2025, 171.25 h above the cap 38 × 13/3 = 164.666… h: 14.40 × 1.08 × 0.45 = 6.9984;
    #   × 494/3 = 1152.4032 → 1152.40; × 0.235 = 270.814 → 270.81; 1.423,21
    assert [b for r, p, m, _, b in regels if p == seizoen and m == "2025-08" and b] == [1423_21]
    # P0166 (loonwaarde 40 %: fractie 0.60), October 2025: 96.5 h, then corrected to 78.25 h:
    #   14.40 × 1.08 × 0.60 = 9.3312; × 96.5 = 900.4608 → 900.46; × 0.235 = 211.6081 → 211.61; 1.112,07
    #   × 78.25 = 730.1664 → 730.17; × 0.235 = 171.58995 → 171.59; 901.76; difference −210.31
    assert [(r, s_, b) for r, p, m, s_, b in regels if p == gecorrigeerd and m == "2025-10" and b] == [
        ("2025-11", "correctie", 1112_07), ("2025-12", "correctie", -210_31)]
    # the missing loonstrook: nothing paid for April 2026
    assert not [b for _, p, m, _, b in regels if p == ontbreekt and m == ONTBREEKT and b]

    with open(out / "signalen.csv", encoding="utf-8", newline="") as f:
        signalen = [r for r in csv.DictReader(f) if r["soort"] == "loonstrook_ontbreekt"]
    # April 2026 ended on 30 April; 15 days later is 15 May: listed from 16 May, due on 10 May
    assert [(r["plaatsing_id"], r["vervaldatum"], r["gemaakt_op"][:10], r["opgelost_op"]) for r in signalen] == [
        (ontbreekt, "2026-05-10", "2026-05-16", "")]

    assert any("4 oproepkrachten op verloonde uren" in r for r in result.samenvatting_regels)
    tekst = "\n".join(result.oproepkrachten)
    assert "betaalrun 2025-05 betaalde april na (correctie, € 409,29)" in tekst.replace("\xa0", " ")
    assert "Betaalrun 2025-12 nam het verschil terug: een correctie van € -210,31" in tekst.replace("\xa0", " ")
    assert "staat nog open" in tekst
    leesmij = (out / "LEESMIJ.md").read_text(encoding="utf-8")
    assert "## Oproepkrachten: betaald op de verloonde uren, achteraf" in leesmij and tekst.split("\n")[0] in leesmij
    html = (out / "rapport" / "rapport-2026.html").read_text(encoding="utf-8")
    assert f"<td>{ONTBREEKT}</td>" in html and "10 mei 2026 (te laat)" in html
    assert (out / "uitleg" / f"oproepkracht_seizoen-{seizoen}-2025-08.txt").exists()
