"""Run every declarative case in tests/calc/cases/*.yaml through BOTH the vectorised core
(``lks.calc.calculate``) and the per-day reference, and check both against the hand-worked
expected amounts. One test item per case, named by the case's ``name``."""
from __future__ import annotations

import textwrap

import pytest

from lks.calc import calculate
from lks.calc.model import RESULT_COLUMNS
from lks.parameters import ParameterOntbreekt, Parameters

from .case_loader import CaseFout, load_case_file, load_cases
from .reference import reference_calculate

CASES = load_cases()
ERROR_TYPES = {"ParameterOntbreekt": ParameterOntbreekt, "ongeldige_invoer": ValueError}


@pytest.fixture(scope="module")
def params() -> Parameters:
    return Parameters.load()


def _rows(frame) -> list[dict]:
    rows = []
    for rec in frame[RESULT_COLUMNS].to_dict("records"):
        rec = dict(rec)
        for col in ("lks_basis", "werkgeverslasten", "lks_totaal"):
            rec[col] = int(rec[col])
        rec["reden"] = rec["reden"] or ""
        rows.append(rec)
    return rows


def _fmt(rows) -> str:
    def e(c):
        return f"{c // 100}.{c % 100:02d}"
    return "\n".join(f"  {r['periode']} {r['budget']:<12} basis {e(r['lks_basis']):>9} "
                     f"wgl {e(r['werkgeverslasten']):>8} totaal {e(r['lks_totaal']):>9} reden {r['reden']!r}"
                     for r in rows) or "  (geen rijen)"


def _run(fn, case, params):
    if fn == "core":
        return _rows(calculate(case.calc_input, case.van, case.tot, params, case.policy).plaatsing_maanden)
    return _rows(reference_calculate(case.calc_input, case.van, case.tot, params, case.policy))


def test_case_names_unique_and_present():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, params):
    failures = []
    for impl in ("reference", "core"):
        if case.expected_error:
            try:
                got = _run(impl, case, params)
            except ERROR_TYPES[case.expected_error] as exc:
                if case.expected_error == "ParameterOntbreekt" and "ontbreekt" not in str(exc):
                    failures.append(f"{impl}: ParameterOntbreekt zonder duidelijke melding: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - report, do not hide, the wrong error
                failures.append(f"{impl}: verwacht fout {case.expected_error}, kreeg {type(exc).__name__}: {exc}")
                continue
            failures.append(f"{impl}: verwacht fout {case.expected_error}, kreeg\n{_fmt(got)}")
            continue
        try:
            got = _run(impl, case, params)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{impl}: {type(exc).__name__}: {exc}\n verwacht\n{_fmt(case.expected)}")
            continue
        if got != case.expected:
            failures.append(f"{impl}:\n verwacht\n{_fmt(case.expected)}\n kreeg\n{_fmt(got)}")
    assert not failures, (f"{case.file.name} / {case.name}\n"
                          + textwrap.indent(case.description.strip(), "  | ") + "\n" + "\n".join(failures))


# --- the loader itself: bad case files fail with a message naming file and key --------------

GOOD = """\
- name: ok
  description: x
  plaatsing: {regeling: lks, startdatum: 2025-01-01, contracturen: "32", voltijdsuren: "38",
              geboortedatum: 1980-01-01}
  periode: 2025-07
  expected: []
"""


def _write(tmp_path, text):
    path = tmp_path / "bad_case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_accepts_minimal_case(tmp_path):
    (case,) = load_case_file(_write(tmp_path, GOOD))
    assert case.name == "ok" and case.van == case.tot == "2025-07" and case.expected == []


@pytest.mark.parametrize("text, key", [
    (GOOD + "  verwacht: []\n", "verwacht"),
    (GOOD.replace("regeling: lks,", "regeling: lks, uren: 3,"), "uren"),
    (GOOD.replace("expected: []", "expected:\n    - {periode: 2025-07, lks_basis: \"1.00\", "
                  "werkgeverslasten: \"0.24\", lks_totaal: \"1.24\", reden: \"\", budget: buig, bedrag: 1}"),
     "bedrag"),
    (GOOD.replace("  expected: []", "  policy: {indexering: jaarlijks}\n  expected: []"), "indexering"),
    (GOOD.replace("  expected: []", "  loonwaarden: [{ingangsdatum: 2025-01-01, waarde: \"60\"}]\n  expected: []"),
     "waarde"),
])
def test_loader_rejects_unknown_key(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(CaseFout) as exc:
        load_case_file(path)
    message = str(exc.value)
    assert str(path) in message and key in message and "onbekende sleutel" in message


@pytest.mark.parametrize("text, fragment", [
    (GOOD.replace('"32"', "32.5"), "contracturen"),              # YAML float, not a decimal string
    (GOOD.replace("2025-01-01", "2025-02-30"), "startdatum"),
    (GOOD.replace("periode: 2025-07", "periode: 2025-13"), "periode"),
    (GOOD.replace("expected: []", "expected:\n    - {periode: 2025-07, lks_basis: \"1.00\", "
                  "werkgeverslasten: \"0.24\", lks_totaal: \"1.25\", reden: \"\", budget: buig}"), "lks_totaal"),
    (GOOD.replace("expected: []", "expected:\n    - {periode: 2025-07, lks_basis: \"1.0\", "
                  "werkgeverslasten: \"0.24\", lks_totaal: \"1.24\", reden: \"\", budget: buig}"), "lks_basis"),
    (GOOD.replace("  expected: []\n", ""), "expected"),
    (GOOD.replace("  description: x\n", ""), "description"),
])
def test_loader_rejects_bad_values(tmp_path, text, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(CaseFout) as exc:
        load_case_file(path)
    assert str(path) in str(exc.value) and fragment in str(exc.value)
