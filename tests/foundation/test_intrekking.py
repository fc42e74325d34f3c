"""intrekkingen.csv (interfaces §2, issue 14 §3): a plaatsing, loonwaarde or urenwijziging
imported by mistake is withdrawn with a required reden. Bitemporal: from the moment of that
import the fact counts as never having been true; "as known at T" before it still shows it;
the audit log says who withdrew what and why. Bad input refuses the whole delivery."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from lks.db import make_engine
from lks.facts import load_facts
from lks.importer import import_directory

from .helpers import BACKENDS, FIRST_IMPORT_AT, Cli, dump, new_database, valid_files, write_files

KOP = ["bestand", "plaatsing_id", "sleutel", "reden"]
T1 = "2025-03-01T09:00:00Z"
T1_AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def geladen(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "eerste", valid_files()), recorded_at=FIRST_IMPORT_AT)
    return engine


def intrekking(tmp_path, *rows, name="intrekking", extra=None):
    return write_files(tmp_path / name, {"intrekkingen.csv": [KOP, *map(list, rows)], **(extra or {})})


def test_a_plaatsing_withdrawn_is_gone_from_that_moment_with_its_facts(geladen, cli, tmp_path):
    engine = geladen
    result = cli("import", intrekking(tmp_path, ["plaatsingen", "P001", "", "werknemer verwisseld met W003"]),
                 "--recorded-at", T1)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert ("Ingetrokken: plaatsing P001 ingetrokken (werknemer verwisseld met W003), met loonwaarde van plaatsing "
            "P001 per 2025-01-01, loonwaarde van plaatsing P001 per 2025-07-01, urenwijziging van plaatsing P001 "
            "per 2025-06-01.") in text
    assert "De volgende betaalrun corrigeert" in text

    nu = load_facts(engine)
    assert sorted(nu.plaatsingen["plaatsing_id"]) == ["P002", "P003"]
    assert nu.loonwaarden.empty and nu.urenwijzigingen.empty
    assert sorted(nu.werknemers["werknemer_id"]) == ["W001", "W002", "W003"]  # the werknemer stays
    # as known just before the withdrawal: everything as it was
    toen = load_facts(engine, as_of=T1_AT - dt.timedelta(seconds=1))
    assert sorted(toen.plaatsingen["plaatsing_id"]) == ["P001", "P002", "P003"]
    assert len(toen.loonwaarden) == 2 and len(toen.urenwijzigingen) == 1
    assert sorted(load_facts(engine, as_of=T1_AT).plaatsingen["plaatsing_id"]) == ["P002", "P003"]

    with engine.connect() as connection:
        audit = connection.execute(sa.text(
            "SELECT gebruiker, actie, details FROM audit_log WHERE actie = 'intrekking'")).all()
    [(gebruiker, actie, details)] = audit
    assert gebruiker == "piet"
    assert json.loads(details) == {
        "import_id": 2, "bestand": "plaatsingen", "plaatsing_id": "P001", "sleutel": None,
        "reden": "werknemer verwisseld met W003",
        "meegenomen": ["loonwaarde van plaatsing P001 per 2025-01-01", "loonwaarde van plaatsing P001 per 2025-07-01",
                       "urenwijziging van plaatsing P001 per 2025-06-01"]}

    csv = tmp_path / "uit.csv"
    assert cli("calculate", "--from", "2025-01", "--to", "2025-06", "--csv", csv).exit_code == 0
    assert "P001" not in csv.read_text()
    assert cli("calculate", "--from", "2025-01", "--to", "2025-06", "--csv", csv,
               "--as-of", "2025-03-01T08:59:59Z").exit_code == 0
    assert "P001" in csv.read_text()  # as known before the withdrawal
    explain = cli("explain", "P001", "--periode", "2025-02")
    assert explain.exit_code == 1
    assert ("plaatsing P001 is ingetrokken op 2025-03-01T09:00:00Z (werknemer verwisseld met W003); met --as-of "
            "vóór dat moment ziet u de berekening zoals die toen gold") in " ".join(explain.stderr.split())
    assert cli("explain", "P001", "--periode", "2025-02", "--as-of", "2025-03-01T08:00:00Z").exit_code == 0


def test_a_loonwaarde_and_an_urenwijziging_withdrawn(geladen, cli, tmp_path):
    engine = geladen
    result = cli("import", intrekking(tmp_path, ["loonwaarden", "P001", "2025-07-01", "meting hoort bij P002"],
                                      ["urenwijzigingen", "P001", "2025-06-01", "dubbel ingevoerd"]),
                 "--recorded-at", T1)
    assert result.exit_code == 0, result.output
    nu = load_facts(engine)
    assert nu.loonwaarden["ingangsdatum"].dt.date.tolist() == [dt.date(2025, 1, 1)]
    assert nu.urenwijzigingen.empty
    assert sorted(nu.plaatsingen["plaatsing_id"]) == ["P001", "P002", "P003"]
    with engine.connect() as connection:
        redenen = [json.loads(d)["reden"] for (d,) in connection.execute(sa.text(
            "SELECT details FROM audit_log WHERE actie = 'intrekking' ORDER BY id"))]
    assert redenen == ["meting hoort bij P002", "dubbel ingevoerd"]


def test_a_withdrawn_plaatsing_delivered_again_is_a_fact_again_and_the_user_is_told(geladen, cli, tmp_path):
    engine = geladen
    assert cli("import", intrekking(tmp_path, ["plaatsingen", "P003", "", "te vroeg ingevoerd"]),
               "--recorded-at", T1).exit_code == 0
    files = valid_files()
    result = cli("import", write_files(tmp_path / "opnieuw", {"plaatsingen.csv": files["plaatsingen.csv"]}),
                 "--recorded-at", "2025-04-01T09:00:00Z")
    assert result.exit_code == 0, result.output
    assert ("Let op: plaatsing P003 was ingetrokken (te vroeg ingevoerd) en is met plaatsingen.csv regel 4 "
            "opnieuw vastgelegd.") in " ".join(result.stdout.split())
    assert "P003" in set(load_facts(engine).plaatsingen["plaatsing_id"])


@pytest.fixture(scope="module", params=BACKENDS)
def geladen_gedeeld(request, tmp_path_factory):
    """One database per backend with the valid set and one withdrawal (loonwaarde P001 per
    2025-01-01), shared by the refusal cases: each proves it left the database as it was."""
    directory = tmp_path_factory.mktemp("intrekking")
    with new_database(request, request.param, directory) as url:
        engine = make_engine(url)
        import_directory(engine, write_files(directory / "eerste", valid_files()), recorded_at=FIRST_IMPORT_AT)
        import_directory(engine, intrekking(directory, ["loonwaarden", "P001", "2025-01-01", "verkeerde meting"]),
                         recorded_at=T1_AT)
        yield engine, Cli(url)
        engine.dispose()


def _valid_with(mutate):
    files = valid_files()
    mutate(files)
    return files


REFUSALS = [
    ("bestaat niet", [["plaatsingen", "P999", "", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom plaatsing_id: plaatsing P999 bestaat niet; intrekken kan alleen wat eerder "
     "is aangeleverd"),
    ("sleutel bestaat niet", [["loonwaarden", "P001", "2025-03-01", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom sleutel: loonwaarde van plaatsing P001 per 2025-03-01 bestaat niet"),
    ("al ingetrokken", [["loonwaarden", "P001", "2025-01-01", "nog eens"]], None,
     "intrekkingen.csv, regel 2: loonwaarde van plaatsing P001 per 2025-01-01 is al ingetrokken (vastgelegd "
     "2025-03-01T09:00:00Z, reden: verkeerde meting)"),
    ("reden ontbreekt", [["plaatsingen", "P002", "", " "]], None,
     "intrekkingen.csv, regel 2, kolom reden: verplicht veld is leeg"),
    ("sleutel ontbreekt", [["urenwijzigingen", "P001", "", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom sleutel: sleutel ontbreekt: de ingangsdatum van de urenwijziging die wordt "
     "ingetrokken"),
    ("sleutel bij plaatsing", [["plaatsingen", "P001", "2025-01-01", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom sleutel: sleutel moet leeg zijn bij bestand plaatsingen"),
    ("sleutel geen datum", [["loonwaarden", "P001", "2025-02-30", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom sleutel: sleutel '2025-02-30' is geen bestaande datum"),
    ("onbekend bestand", [["werknemers", "W001", "", "fout"]], None,
     "intrekkingen.csv, regel 2, kolom bestand: onbekend bestand 'werknemers' (kies plaatsingen, loonwaarden, "
     "urenwijzigingen, verloonde_uren)"),
    ("dubbel", [["plaatsingen", "P002", "", "a"], ["plaatsingen", "P002", "", "b"]], None,
     "intrekkingen.csv, regel 3, kolom sleutel: dubbele combinatie bestand 'plaatsingen' en plaatsing_id 'P002' en "
     "sleutel leeg (ook op regel 2)"),
    ("ook aangeleverd", [["plaatsingen", "P002", "", "fout"]],
     {"plaatsingen.csv": valid_files()["plaatsingen.csv"]},
     "intrekkingen.csv, regel 2: plaatsing P002 wordt in deze levering ook aangeleverd (plaatsingen.csv regel 3); "
     "intrekken en opnieuw aanleveren kan niet in één levering"),
    ("feit van ingetrokken plaatsing aangeleverd", [["plaatsingen", "P001", "", "fout"]],
     {"urenwijzigingen.csv": valid_files()["urenwijzigingen.csv"]},
     "urenwijzigingen.csv, regel 2, kolom plaatsing_id: plaatsing P001 wordt in deze levering ingetrokken "
     "(intrekkingen.csv regel 2)"),
    ("andere fout in de levering", [["plaatsingen", "P002", "", "goed"]],
     {"werkgevers.csv": _valid_with(lambda f: f["werkgevers.csv"][1].__setitem__(3, "NL00ABNA0123456789"))
      ["werkgevers.csv"]},
     "werkgevers.csv, regel 2, kolom iban"),
]


@pytest.mark.parametrize("rows, extra, message", [case[1:] for case in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_bad_withdrawals_refuse_the_whole_delivery(geladen_gedeeld, tmp_path, rows, extra, message):
    engine, cli = geladen_gedeeld
    before = dump(engine)
    result = cli("import", intrekking(tmp_path, *rows, extra=extra))
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "er is niets geladen" in result.stderr
    assert dump(engine) == before
