"""The classic payment-fraud path, end to end through the command line on SQLite and
PostgreSQL: a delivery changes a werkgever's IBAN. The new number is not paid on until a
goedkeurder other than the one who delivered it approves it; meanwhile the werkgever's payments
are held (shown in the run, carried to the next run) and listed on the werklijst."""
from __future__ import annotations

import csv
import shutil
import xml.etree.ElementTree as ET

import pytest
from schwifty import IBAN
from sqlalchemy import select
from sqlalchemy.orm import Session

from lks.db import make_engine
from lks.db.models_betaalrun import Aanhouding, Betaalregel, Betaalrun, Betaling
from lks.db.models_gebruiker import Rekeningwijziging
from tests.betaalrun.conftest import gemeente_dir
from tests.foundation.helpers import Cli, dump, new_database

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
NIEUW = str(IBAN.generate("NL", bank_code="ABNA", account_code="0417164300"))


@pytest.fixture
def cli(request, backend, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LKS_SETTINGS", raising=False)
    with new_database(request, backend, tmp_path) as url:
        run = Cli(url)
        assert run("import", gemeente_dir(tmp_path / "in"), "--recorded-at", "2025-01-02T08:00:00").exit_code == 0
        yield run


def _maand(cli, periode, tmp_path, goedkeurder="klaas"):
    for stap in ("request", "calculate"):
        result = cli("betaalrun", stap, "--periode", periode)
        assert result.exit_code == 0, result.output
    assert cli("betaalrun", "approve", "--periode", periode, als=goedkeurder).exit_code == 0
    result = cli("betaalrun", "export", "--periode", periode, "--out", tmp_path / "bank")
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "bank" / f"betaalrun-{periode}-1" / f"pain.001-{periode}-1.xml").getroot()
    return {tx.find("p:PmtId/p:EndToEndId", NS).text: tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text
            for tx in root.iterfind(".//p:CdtTrfTxInf", NS)}


def _levering_met_nieuw_iban(tmp_path):
    folder = tmp_path / "nieuw-iban"
    shutil.copytree(gemeente_dir(tmp_path / "basis"), folder)
    with open(folder / "werkgevers.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][3] = NIEUW  # W1
    with open(folder / "werkgevers.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return folder


def test_a_changed_iban_is_held_until_another_goedkeurder_approves(cli, tmp_path):
    engine = make_engine(cli.url)
    eerst = _maand(cli, "2025-01", tmp_path)
    oud = eerst["LKS-202501-1-B-W1"]
    assert oud != NIEUW

    # piet delivers the new number: the import says it waits (recorded now: the run of 2025-01
    # was calculated with what was known now, by the CLI's clock; a delivery cannot go back before it)
    result = cli("import", _levering_met_nieuw_iban(tmp_path))
    assert result.exit_code == 0, result.output
    assert "nieuw rekeningnummer voor werkgever W1" in " ".join(result.output.split())
    lijst = cli("rekening", "list")
    assert lijst.exit_code == 0 and "W1" in lijst.output and NIEUW[-4:] in lijst.output.replace(" ", "")
    assert "W1" in " ".join(cli("signalen", "list").output.split())  # on the werklijst

    # February: W1 held (its lines not paid, shown as aangehouden), W2 paid as usual
    for stap in ("request", "calculate"):
        result = cli("betaalrun", stap, "--periode", "2025-02")
        assert result.exit_code == 0, result.output
    assert "aangehouden" in result.output
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == "2025-02")).one()
        held = s.scalars(select(Aanhouding).where(Aanhouding.betaalrun_id == run.id)).all()
        assert [(h.werkgever_id, h.budget, h.regels) for h in held] == [("W1", "buig", 1)]
        held_bedrag = held[0].bedrag
        assert held_bedrag > 0
        assert not s.scalars(select(Betaalregel).where(Betaalregel.betaalrun_id == run.id,
                                                       Betaalregel.werkgever_id == "W1")).all()
    show = cli("betaalrun", "show", "--periode", "2025-02")
    assert "aangehouden" in show.output and "W1" in show.output
    assert cli("betaalrun", "approve", "--periode", "2025-02", als="klaas").exit_code == 0
    result = cli("betaalrun", "export", "--periode", "2025-02", "--out", tmp_path / "bank")
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "bank" / "betaalrun-2025-02-1" / "pain.001-2025-02-1.xml").getroot()
    ibans = [e.text for e in root.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", NS)]
    assert NIEUW not in ibans and oud not in ibans  # W1 not paid at all, on neither number

    # who may decide: not a medewerker, not the goedkeurder who delivered it, once
    wijziging = _wachtend(engine)
    before = dump(engine)
    assert "vereist de rol goedkeurder" in cli("rekening", "approve", str(wijziging)).output
    assert cli("gebruiker", "roles", "piet", "--rol", "medewerker,goedkeurder", als="bea").exit_code == 0
    eigen = cli("rekening", "approve", str(wijziging), als="piet")
    assert eigen.exit_code == 1 and "vier-ogenprincipe" in eigen.output
    assert cli("rekening", "reject", str(wijziging), als="klaas").exit_code == 2  # --reden required
    gebruikers_na = dump(engine)
    assert {k for k in before if before[k] != gebruikers_na[k]} <= {"gebruiker_rol", "audit_log", "gebruikerswijziging"}
    assert cli("rekening", "approve", str(wijziging), als="klaas").exit_code == 0
    again = cli("rekening", "approve", str(wijziging), als="bert")
    assert again.exit_code == 1 and "al goedgekeurd" in again.output

    # March pays W1 on the new number: March itself and February's held amount as a correction
    maart = _maand(cli, "2025-03", tmp_path)
    assert maart["LKS-202503-1-B-W1"] == NIEUW
    with Session(engine) as s:
        run = s.scalars(select(Betaalrun).where(Betaalrun.periode == "2025-03")).one()
        w1 = s.scalars(select(Betaalregel).where(Betaalregel.betaalrun_id == run.id,
                                                 Betaalregel.werkgever_id == "W1")).all()
        assert sorted((r.periode, r.soort) for r in w1) == [("2025-02", "correctie"), ("2025-03", "regulier")]
        assert [r.bedrag for r in w1 if r.periode == "2025-02"] == [held_bedrag]
        betaling = s.scalars(select(Betaling).where(Betaling.betaalrun_id == run.id,
                                                    Betaling.werkgever_id == "W1")).one()
        assert betaling.bedrag == sum(r.bedrag for r in w1)
    engine.dispose()


def test_a_rejected_iban_is_never_paid_on(cli, tmp_path):
    engine = make_engine(cli.url)
    oud = _maand(cli, "2025-01", tmp_path)["LKS-202501-1-B-W1"]
    assert cli("import", _levering_met_nieuw_iban(tmp_path)).exit_code == 0
    result = cli("rekening", "reject", str(_wachtend(engine)), "--reden", "werkgever belde: niet aangevraagd",
                 als="klaas")
    assert result.exit_code == 0, result.output
    assert _maand(cli, "2025-02", tmp_path)["LKS-202502-1-B-W1"] == oud
    with Session(engine) as s:
        assert s.scalars(select(Rekeningwijziging.status).where(Rekeningwijziging.iban == NIEUW)).one() == "afgewezen"
    engine.dispose()


def _wachtend(engine) -> int:
    with Session(engine) as s:
        return s.scalars(select(Rekeningwijziging.id).where(Rekeningwijziging.status == "wacht")).one()
