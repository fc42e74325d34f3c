"""Several gemeenten on one server (``--gemeente``): each has its own settings and so its own
parameter folder, and one gemeente's policy never reaches another's import or calculation
(issue 14 §1). Gemeente a has its own ontwikkelbaan policy (60 %, since 2021); gemeente b has
none, so Het Hogeland's shipped policy holds (50 %, since 2024)."""
from __future__ import annotations

import csv

from lks.calc import calculate
from lks.facts import load_facts
from lks.parameters import Parameters
from lks.settings import load_settings
from tests.betaalrun.conftest import write_csv
from tests.reliability.test_multi_gemeente import _lks, _settings_file, shared_server  # noqa: F401

BELEID_A = {
    "ontwikkelbaan_fractie.yaml": ('description: Ontwikkelbaan gemeente Aa\nsoort: beleid\nunit: fractie\n'
                                   "reference: {title: 'Re-integratieverordening Aa 2021, art. 7'}\n"
                                   'valid_until: open\nvalues:\n  2021-01-01:\n    value: "0.60"\n'),
    "ontwikkelbaan_maanden.yaml": ('description: Duur ontwikkelbaan gemeente Aa\nsoort: beleid\nunit: maanden\n'
                                   "reference: {title: 'Re-integratieverordening Aa 2021, art. 8'}\n"
                                   'valid_until: open\nvalues:\n  2021-01-01:\n    value: "18"\n'),
}


def _rows(path) -> dict[tuple[str, str], str]:
    with open(path, encoding="utf-8") as f:
        return {(r["plaatsing_id"], r["periode"]): r["lks_totaal"] for r in csv.DictReader(f)}


def test_one_gemeentes_policy_never_reaches_another(shared_server, tmp_path, monkeypatch):
    url, engines = shared_server
    monkeypatch.chdir(tmp_path)
    a_settings, _ = _settings_file(tmp_path, "a", "Gemeente Aa", "0285000001")
    (tmp_path / "eigen-a").mkdir()
    for name, text in BELEID_A.items():
        (tmp_path / "eigen-a" / name).write_text(text, encoding="utf-8")
    a_settings.write_text(a_settings.read_text(encoding="utf-8").replace(
        '# lokaal = "parameters-lokaal"', 'lokaal = "eigen-a"'), encoding="utf-8")
    b_settings, _ = _settings_file(tmp_path, "b", "Gemeente Bee", "0285000002")

    # the same delivery: an ontwikkelbaan since 2022 at a werkgever each gemeente knows
    for code, werkgever, werknemer in (("a", "W1", "N1"), ("b", "W000000", "N000000")):
        folder = tmp_path / f"levering-{code}"
        folder.mkdir()
        write_csv(folder, "plaatsingen.csv", ["plaatsing_id", "werknemer_id", "werkgever_id", "regeling", "startdatum",
                                              "einddatum", "contracturen", "voltijdsuren"],
                  [["OB22", werknemer, werkgever, "ontwikkelbaan", "2022-03-01", "2025-12-31", "32", "36"]])
        settings = a_settings if code == "a" else b_settings
        result = _lks(url, code, settings, "import", folder, "--recorded-at", "2025-02-01")
        if code == "a":
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 1
            assert ("plaatsingen.csv, regel 2, kolom regeling: regeling ontwikkelbaan bestond voor deze gemeente niet "
                    "op startdatum 2022-03-01") in " ".join(result.stderr.split())

    uit = {}
    for code, settings in (("a", a_settings), ("b", b_settings), ("a", a_settings)):  # a twice: nothing remembered
        uit[code] = tmp_path / f"{code}.csv"
        result = _lks(url, code, settings, "calculate", "--from", "2025-07", "--to", "2025-07", "--csv", uit[code])
        assert result.exit_code == 0, result.output
    a, b = _rows(uit["a"]), _rows(uit["b"])
    # a, P3 (ontwikkelbaan since 2024-09-01, 32 of 36 h) with a's 60 %: 2245.80 × 1.08 × 0.60 × 32/36
    #   = 1293.5808 → 1293.58; × 0.235 = 303.99; 1597.57 (Het Hogeland's 50 % would give 1331.31)
    assert a["P3", "2025-07"] == "1597.57"
    # OB22 started 2022-03-01: 18 months ended on 2023-08-31, so July 2025 is 0 (maximale_duur)
    assert a["OB22", "2025-07"] == "0.00"
    # b: every amount exactly as with the shipped tables alone, ontwikkelbanen included
    shipped = calculate(load_facts(engines["b"]).to_calc_input(), "2025-07", "2025-07", Parameters.load(),
                        load_settings(b_settings).policy()).plaatsing_maanden
    verwacht = {(str(p), str(m)): f"{int(t) // 100}.{int(t) % 100:02d}" for p, m, t in
                zip(shipped["plaatsing_id"], shipped["periode"], shipped["lks_totaal"])}
    assert b == verwacht
    assert (shipped["regeling"].astype(str) == "ontwikkelbaan").any()
    assert not set(b) & {("OB22", "2025-07")}
