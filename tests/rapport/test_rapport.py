"""Controller reconciliation on a real database. Amounts worked out by hand:

P1 (lks, W1, loonwaarde 60 %, 32 h, January-June 2025, WML € 2.191,80):
2191.80 × 1.08 × 0.40 × 32/36 = 841.6512 → 841.65; × 0.235 = 197.78775 → 197.79; 1.039,44 a month.
P4 (a copy of P1 from December 2025, WML € 2.245,80):
2245.80 × 1.08 × 0.40 × 32/36 = 862.3872 → 862.39; × 0.235 = 202.66165 → 202.66; 1.065,05.
"""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lks.db.models_betaalrun import Betaalregel, Betaalrun, Betaling, Vordering
from lks.importer import import_directory
from lks.verantwoording.rapport import maak_rapport
from lks.verantwoording.invoer import (InvoerFout, betalingen_voor_bank, grootboek_csv, importeer_camt053,
                                       importeer_grootboek, lees_grootboek_csv, voeg_ontvangst_toe, zet_budget,
                                       zet_capaciteit)

from .conftest import PARAMS, SETTINGS, UTC, gemeente_dir, run_month, write_csv

T = dt.datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
P1_MAAND = 1039_44
P4_DECEMBER = 1065_05
NOW = dt.datetime(2026, 2, 1, tzinfo=UTC)


def rapport(engine, jaar=2025, bestanden=None, periode=None):
    return maak_rapport(engine, jaar, PARAMS, SETTINGS, periode=periode, bestanden=bestanden, now=NOW)


def four_months_with_vordering(engine, tmp_path, bestanden):
    for i, periode in enumerate(("2025-01", "2025-02", "2025-03")):
        run_month(engine, periode, T + dt.timedelta(days=28 * i), bestanden)
    # April: loonwaarde 100 % from 1 January becomes known: P1 Jan-Mar taken back, W1 gets a vordering
    later = gemeente_dir(tmp_path / "later", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-01-01", "100"]])
    import_directory(engine, later, recorded_at=T + dt.timedelta(days=80))
    run_month(engine, "2025-04", T + dt.timedelta(days=85), bestanden)


def test_identities_hold_with_vordering_and_open_correction(engine, tmp_path, bestanden):
    four_months_with_vordering(engine, tmp_path, bestanden)
    # after the April run: P1 back to 60 % from April, not yet paid -> an open correction
    again = gemeente_dir(tmp_path / "again", loonwaarden=[["P1", "2024-06-01", "60"], ["P1", "2025-01-01", "100"],
                                                         ["P1", "2025-04-01", "60"]])
    import_directory(engine, again, recorded_at=T + dt.timedelta(days=90))
    r = rapport(engine, bestanden=bestanden)
    assert r.periode == "2025-04"
    failing = {c.code: c.uitzonderingen for c in r.controles if c.code.startswith("I") and not c.ok}
    assert failing == {}
    assert r.controle("I2").gecontroleerd == 4  # four pain.001 files parsed
    # run 2025-04, BUIG: W1's lines -3 × 1.039,44 became a vordering; W2 (P2) was paid
    with Session(engine) as s:
        run4 = s.scalar(select(Betaalrun.id).where(Betaalrun.periode == "2025-04"))
        lines = s.scalar(select(func.sum(Betaalregel.bedrag)).where(Betaalregel.betaalrun_id == run4,
                                                                    Betaalregel.budget == "buig"))
        sepa = s.scalar(select(func.sum(Betaling.bedrag)).where(Betaling.betaalrun_id == run4, Betaling.budget == "buig"))
        vordering = s.scalar(select(Vordering.bedrag))
    assert vordering == 3 * P1_MAAND == 3118_32
    assert lines == sepa - 3118_32
    # the open correction: P1 April at 60 %, nothing paid for it yet
    oc = r.open_correcties
    assert oc[["plaatsing_id", "periode", "open"]].values.tolist() == [["P1", "2025-04", P1_MAAND]]
    assert r.budget.set_index("budget").loc["buig", "open_correcties"] == P1_MAAND
    # SiSa: P1 Jan-Mar paid as besteding, taken back as baten (the vordering); net 0
    p1 = r.sisa_regels[r.sisa_regels["plaatsing_id"] == "P1"]
    assert p1.groupby("post")["sisa_bedrag"].sum().to_dict() == {"besteding": 3118_32, "baten": 3118_32}
    sisa = r.sisa.set_index("budget")
    assert sisa.loc["buig", "baten"] == 3118_32 and sisa.loc["reintegratie", "baten"] == 0
    assert sisa.loc["buig", "netto"] == sisa.loc["buig", "lasten_netto"]
    # ontwikkelbaan never in BUIG: the re-integratie SiSa lines are all P3
    assert set(r.sisa_regels.loc[r.sisa_regels["budget"] == "reintegratie", "plaatsing_id"]) == {"P3"}
    assert set(r.sisa_regels.loc[r.sisa_regels["budget"] == "buig", "regeling"]) == {"lks", "beschut"}

    # W1 pays back € 1.000: recovered, open vordering 2.118,32; more than open is refused
    with Session(engine) as s:
        vid = s.scalar(select(Vordering.id))
    voeg_ontvangst_toe(engine, "W1", None, 1000_00, dt.date(2025, 5, 2), vid, "terug", "carla", NOW)
    with pytest.raises(InvoerFout, match="nog 2118.32 open"):
        voeg_ontvangst_toe(engine, "W1", None, 3000_00, dt.date(2025, 5, 3), vid, None, "carla", NOW)
    r = rapport(engine, bestanden=bestanden)
    w1 = r.per_werkgever.set_index(["werkgever_id", "budget"]).loc[("W1", "buig")]
    assert (w1["ontvangen"], w1["open_vordering"], w1["nieuwe_vorderingen"]) == (1000_00, 2118_32, 3118_32)
    mei = r.maanden.set_index(["budget", "maand"]).loc[("buig", "2025-05")]
    assert mei["ontvangen"] == 1000_00
    assert r.identiteiten_kloppen and r.sisa.set_index("budget").loc["buig", "ontvangen_in_jaar"] == 1000_00


def test_unsent_run_and_tampered_file_are_exceptions(engine, tmp_path, bestanden):
    run_month(engine, "2025-01", T, bestanden)
    run_month(engine, "2025-02", T + dt.timedelta(days=28), bestanden, sent=False)
    pad = bestanden / "betaalrun-2025-01-1" / "pain.001-2025-01-1.xml"
    pad.write_bytes(pad.read_bytes().replace(b"<CtrlSum>", b"<CtrlSum>1"))
    r = rapport(engine, bestanden=bestanden)
    assert not r.controle("I3").ok and "2025-02-1" in r.controle("I3").uitzonderingen[0]
    assert any("gewijzigd na vastleggen" in u for u in r.controle("I2").uitzonderingen)
    assert any("CtrlSum" in u for u in r.controle("I2").uitzonderingen)
    assert not r.identiteiten_kloppen


def test_ledger_flags_misbooking_and_unknown(engine, tmp_path, bestanden):
    run_month(engine, "2025-01", T, bestanden)
    betalingen = betalingen_voor_bank(engine)
    # W2's BUIG payment is beschut werk only (P2): booked on re-integratie, as in the 2018-2019 memo
    beschut = next(b for b in betalingen if b["werkgever_id"] == "W2" and b["budget"] == "buig")
    extra = [dict(datum=dt.date(2025, 1, 28), budget="reintegratie", bedrag_cent=500_00, kenmerk="FACTUUR-4711",
                  omschrijving="jobcoaching")]
    csv_pad = tmp_path / "grootboek.csv"
    csv_pad.write_bytes(grootboek_csv(betalingen, {"buig": "623110", "reintegratie": "623120"},
                                      {beschut["end_to_end_id"]: "reintegratie"}, extra))
    importeer_grootboek(engine, csv_pad, "carla", NOW)
    with pytest.raises(InvoerFout, match="al ingelezen"):
        importeer_grootboek(engine, csv_pad, "carla", NOW)
    r = rapport(engine, bestanden=bestanden)
    g = r.grootboek
    mis = g[g["status"] == "misboeking"]
    assert mis["kenmerk"].tolist() == ["LKS-202501-1-B-W2"]
    assert mis.iloc[0]["geboekt_op"] == "reintegratie" and mis.iloc[0]["hoort_op"] == "buig"
    assert "beschut werk" in mis.iloc[0]["toelichting"]
    assert g.loc[g["status"] == "onbekend", "kenmerk"].tolist() == ["FACTUUR-4711"]
    assert (g["status"] == "juist").sum() == 2  # W1 BUIG and W2 re-integratie
    tot = r.grootboek_totalen.set_index("budget")
    assert tot.loc["buig", "verschil"] == -beschut["bedrag_cent"]
    assert tot.loc["reintegratie", "verschil"] == beschut["bedrag_cent"] + 500_00
    assert len(r.controle("G1").uitzonderingen) == 2 and r.identiteiten_kloppen


def test_ledger_csv_errors_name_file_line_and_column():
    data = ("boekdatum;grootboekrekening;budget;bedrag;kenmerk\n"
            "2025-01-27;623110;buig;1.039,44;LKS-1\n"
            "27-13-2025;623110;BUIG;12,345;LKS-2\n"
            "2025-01-27;623110;wmo;10;\n").encode()
    with pytest.raises(InvoerFout) as exc:
        lees_grootboek_csv(data, "export.csv")
    fouten = exc.value.fouten
    assert "export.csv, regel 3, kolom boekdatum" in fouten[0]
    assert any(f.startswith("export.csv, regel 3, kolom bedrag") for f in fouten)
    assert any(f.startswith("export.csv, regel 4, kolom budget") for f in fouten)
    assert any(f.startswith("export.csv, regel 4, kolom kenmerk") for f in fouten)
    ok = lees_grootboek_csv(data.split(b"\n27-13")[0] + b"\n", "export.csv")
    assert ok[0]["bedrag_cent"] == 1039_44 and ok[0]["budget"] == "buig"


CAMT08 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>A1</MsgId><CreDtTm>2025-03-01T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>A1</Id><Acct><Id><IBAN>NL38BNGH0285012345</IBAN></Id></Acct>
{posten}
</Stmt></BkToCstmrStmt></Document>"""
POST = """<Ntry><Amt Ccy="EUR">{bedrag}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>{sts}</Cd></Sts>
<BookgDt><Dt>{datum}</Dt></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<RltdPties><Cdtr><Pty><Nm>Naam</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>"""


def test_camt_matching(engine, tmp_path, bestanden):
    run_month(engine, "2025-01", T, bestanden)
    run_month(engine, "2025-02", T + dt.timedelta(days=28), bestanden)
    b = {x["end_to_end_id"]: x for x in betalingen_voor_bank(engine)}
    assert sorted(b) == ["LKS-202501-1-B-W1", "LKS-202501-1-B-W2", "LKS-202501-1-R-W2",
                         "LKS-202502-1-B-W1", "LKS-202502-1-B-W2", "LKS-202502-1-R-W2"]

    def post(e2e, cents, sts="BOOK", datum="2025-01-27"):
        return POST.format(bedrag=f"{cents // 100}.{cents % 100:02d}", sts=sts, datum=datum, e2e=e2e)
    posten = [post("LKS-202501-1-B-W1", b["LKS-202501-1-B-W1"]["bedrag_cent"]),
              post("LKS-202501-1-B-W2", b["LKS-202501-1-B-W2"]["bedrag_cent"], sts="RJCT"),
              post("LKS-202501-1-R-W2", b["LKS-202501-1-R-W2"]["bedrag_cent"] - 1),
              post("ONBEKEND-1", 123_45),
              post("LKS-202502-1-B-W1", b["LKS-202502-1-B-W1"]["bedrag_cent"], datum="2025-02-25"),
              post("LKS-202502-1-B-W2", b["LKS-202502-1-B-W2"]["bedrag_cent"], datum="2025-02-25"),
              post("IGNORED", 1_00, sts="PDNG", datum="2025-02-26")]
    pad = tmp_path / "camt.xml"
    pad.write_text(CAMT08.format(posten="".join(posten)), encoding="utf-8")
    assert importeer_camt053(engine, pad, "carla", NOW).regels == 6  # the pending entry is not booked
    r = rapport(engine, bestanden=bestanden)
    status = dict(zip(r.bank["end_to_end_id"], r.bank["status"]))
    assert status == {"LKS-202501-1-B-W1": "betaald", "LKS-202501-1-B-W2": "geweigerd",
                      "LKS-202501-1-R-W2": "bedragverschil", "LKS-202502-1-B-W1": "betaald",
                      "LKS-202502-1-B-W2": "betaald", "LKS-202502-1-R-W2": "onbetaald", "ONBEKEND-1": "onbekend"}
    assert len(r.controle("B1").uitzonderingen) == 4


def test_generated_camt_with_return_is_matched(engine, tmp_path, bestanden):
    from lks.verantwoording.invoer import maak_camt053
    run_month(engine, "2025-01", T, bestanden)
    betalingen = betalingen_voor_bank(engine)
    pad = tmp_path / "camt02.xml"
    pad.write_bytes(maak_camt053(betalingen, "NL38BNGH0285012345", "S1", NOW, {"LKS-202501-1-R-W2": "AC04"}))
    importeer_camt053(engine, pad, "carla", NOW)
    bank = rapport(engine, bestanden=bestanden).bank.set_index("end_to_end_id")
    assert bank.loc["LKS-202501-1-R-W2", "status"] == "geweigerd" and bank.loc["LKS-202501-1-R-W2", "reden"] == "AC04"
    assert (bank["status"] == "betaald").sum() == 2


def test_accrual_december_paid_in_january_counts_for_december(engine, tmp_path, bestanden):
    run_month(engine, "2025-12", dt.datetime(2025, 12, 18, 9, tzinfo=UTC), bestanden)
    # P4 (a copy of P1, from 1 December 2025) becomes known in January 2026
    d = gemeente_dir(tmp_path / "p4")
    with open(d / "plaatsingen.csv", "a", encoding="utf-8") as f:
        f.write("P4,N1,W1,lks,2025-12-01,,32,38\n")
    write_csv(d, "loonwaarden.csv", ["plaatsing_id", "ingangsdatum", "loonwaarde"],
              [["P1", "2024-06-01", "60"], ["P4", "2025-12-01", "60"]])
    import_directory(engine, d, recorded_at=dt.datetime(2026, 1, 5, tzinfo=UTC))
    run_month(engine, "2026-01", dt.datetime(2026, 1, 19, 9, tzinfo=UTC), bestanden)
    r25 = rapport(engine, 2025, bestanden)
    p4 = r25.sisa_regels[r25.sisa_regels["plaatsing_id"] == "P4"]
    assert p4[["periode", "kenmerk", "soort", "bedrag"]].values.tolist() == [["2025-12", "2026-01-1", "correctie",
                                                                              P4_DECEMBER]]
    with Session(engine) as s:
        dec = s.scalar(select(func.sum(Betaalregel.bedrag)).where(Betaalregel.periode == "2025-12",
                                                                  Betaalregel.budget == "buig"))
    assert r25.maanden.set_index(["budget", "maand"]).loc[("buig", "2025-12"), "goedgekeurd"] == dec
    r26 = rapport(engine, 2026, bestanden)
    assert set(r26.sisa_regels.loc[r26.sisa_regels["plaatsing_id"] == "P4", "periode"]) == {"2026-01"}
    # cash: the January run's SEPA amount belongs to January 2026, not to 2025
    assert r25.maanden["sepa"].sum() == r25.runs.set_index("kenmerk").loc["2025-12-1", "sepa"]
    assert r25.identiteiten_kloppen and r26.identiteiten_kloppen


def test_budget_forecast_capacity_and_outputs(engine, tmp_path, bestanden):
    from openpyxl import load_workbook

    from lks.verantwoording.uitvoer import write_html, write_xlsx
    four_months_with_vordering(engine, tmp_path, bestanden)
    zet_budget(engine, 2025, "reintegratie", 887_000_00, "plan", "carla", NOW)
    zet_budget(engine, 2025, "buig", 100_000_00, "test", "carla", NOW)
    zet_capaciteit(engine, 2025, {"beschut_taakstelling": 43, "ontwikkelbanen": 16, "ontwikkelbaan_uren": 32}, "plan",
                   "carla", NOW)
    r = rapport(engine, bestanden=bestanden)
    b = r.budget.set_index("budget")
    # realised Jan-Apr, forecast May-Dec; P1 is at 100 % from January: no BUIG forecast for P1
    assert b.loc["buig", "verwacht"] == b.loc["buig", "gerealiseerd"] + b.loc["buig", "open_correcties"] + \
        b.loc["buig", "prognose"]
    assert set(r.prognose["maand"]) == {f"2025-{m:02d}" for m in range(5, 13)}
    assert b.loc["reintegratie", "ruimte"] == 887_000_00 - b.loc["reintegratie", "verwacht"]
    assert not r.prognose["wml_aangenomen"].any()  # 2025 lies within the WML's validity
    cap = r.capaciteit.set_index("maand")
    assert cap.loc["2025-01", "ontwikkelbanen"] == 1 and cap.loc["2025-01", "ontwikkelbaan_uren"] == 32
    assert cap.loc["2025-01", "beschut"] == 1 and r.capaciteit_norm["beschut_taakstelling"] == 43

    xlsx = write_xlsx(r, tmp_path / "rapport.xlsx")
    wb = load_workbook(xlsx)
    assert {"Samenvatting", "Maanden", "Per regeling", "Per werkgever", "Controles", "SiSa", "SiSa-regels",
            "Budget en prognose", "Capaciteit", "Grootboek", "Bank"} <= set(wb.sheetnames)
    sisa = wb["SiSa"]
    assert sisa["C1"].value == "Baten" and Decimal(str(sisa["C2"].value)) == Decimal("3118.32")
    assert "€" in sisa["C2"].number_format
    budget = wb["Budget en prognose"]
    assert budget["B1"].value == "Begroot" and Decimal(str(budget["B3"].value)) == Decimal("887000")

    html = write_html(r, tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 7 and "<script" not in html
    assert "€\xa0887.000,00" in html and "€\xa03.118,32" in html
    assert "Identiteiten kloppen" in html


def test_forecast_past_wml_validity_is_flagged(engine, bestanden):
    run_month(engine, "2026-01", dt.datetime(2026, 1, 19, 9, tzinfo=UTC), bestanden)
    r = rapport(engine, 2026, bestanden)
    flagged = set(r.prognose.loc[r.prognose["wml_aangenomen"], "maand"])
    assert flagged == {f"2026-{m:02d}" for m in range(7, 13)}
    assert r.prognose_meldingen and "wml_maandloon" in r.prognose_meldingen[0]
    assert not r.prognose.loc[r.prognose["maand"] < "2026-07", "wml_aangenomen"].any()
