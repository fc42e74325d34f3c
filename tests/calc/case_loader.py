"""Declarative calculation test cases (tests/calc/cases/*.yaml).

Each file is a YAML list of cases. A case::

    - name: unique_name                 # the pytest id
      description: why, and the hand arithmetic from rekenregels.md
      policy: {indexatie: jaarlijks, ontwikkelbaan_vakantiebijslag: false, ...}   # optional
      plaatsing:
        regeling: lks | beschut | ontwikkelbaan
        startdatum: 2025-01-01
        einddatum: 2025-12-31           # optional, open-ended if absent
        contracturen: "32"              # decimal strings, hours per week
        voltijdsuren: "38"
        geboortedatum: 1980-05-05
        urenbasis: verloond             # optional: contract (default) or verloond (§7)
      loonwaarden: [{ingangsdatum: 2025-01-01, loonwaarde: "60"}]                  # optional
      urenwijzigingen: [{ingangsdatum: 2025-07-01, contracturen: "36", voltijdsuren: "38"}]  # optional
      verloonde_uren: [{periode: 2025-07, uren: "93.5"}]   # optional: hours paid in the month
      periode: 2025-07                  # or van: 2025-01 and tot: 2025-07
      expected:                         # every row, in order; or expected_error instead
        - {periode: 2025-07, lks_basis: "862.39", werkgeverslasten: "202.66",
           lks_totaal: "1065.05", reden: "", budget: buig}
      expected_error: ParameterOntbreekt | ongeldige_invoer

Unknown keys, missing keys and malformed values raise ``CaseFout`` naming the file, the case
and the key. Numbers must be quoted decimal strings (a YAML float is binary).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd
import yaml

from lks.calc.model import (LOONWAARDE_COLUMNS, UREN_COLUMNS, VERLOONDE_UREN_COLUMNS, CalcInput,
                            Policy)

CASES_DIR = Path(__file__).parent / "cases"

CASE_KEYS = {"name", "description", "policy", "plaatsing", "loonwaarden", "urenwijzigingen",
             "verloonde_uren", "periode", "van", "tot", "expected", "expected_error"}
REQUIRED_CASE_KEYS = {"name", "description", "plaatsing"}
POLICY_KEYS = {"indexatie", "ontwikkelbaan_vakantiebijslag", "ontwikkelbaan_werkgeverslasten"}
PLAATSING_KEYS = {"regeling", "startdatum", "einddatum", "contracturen", "voltijdsuren", "geboortedatum",
                  "urenbasis"}
REQUIRED_PLAATSING_KEYS = PLAATSING_KEYS - {"einddatum", "urenbasis"}
LOONWAARDE_KEYS = {"ingangsdatum", "loonwaarde"}
UREN_KEYS = {"ingangsdatum", "contracturen", "voltijdsuren"}
VERLOONDE_UREN_KEYS = {"periode", "uren"}
ROW_KEYS = {"periode", "lks_basis", "werkgeverslasten", "lks_totaal", "reden", "budget"}
ERRORS = {"ParameterOntbreekt", "ongeldige_invoer"}
REGELINGEN = {"lks", "beschut", "ontwikkelbaan"}
REDENEN = {"loonwaarde_100", "loonwaarde_ontbreekt", "maximale_duur", "niet_actief", "uren_ontbreken"}

AMOUNT = re.compile(r"^[0-9]+\.[0-9]{2}$")
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PERIODE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


class CaseFout(ValueError):
    """A case file the loader does not understand."""


class _Loader(yaml.SafeLoader):
    """Keeps dates as text so the loader checks them itself (and YAML never guesses)."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    file: Path
    calc_input: CalcInput
    policy: Policy
    van: str
    tot: str
    expected: list[dict] | None  # rows with amounts as int cents
    expected_error: str | None


def _keys(raw, allowed: set, required: set, where: str) -> dict:
    if not isinstance(raw, dict):
        raise CaseFout(f"{where}: verwacht een mapping met sleutels {', '.join(sorted(allowed))}")
    unknown = sorted(map(str, set(raw) - allowed))
    if unknown:
        raise CaseFout(f"{where}: onbekende sleutel(s): {', '.join(unknown)} "
                       f"(toegestaan: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(raw))
    if missing:
        raise CaseFout(f"{where}: ontbrekende sleutel(s): {', '.join(missing)}")
    return raw


def _date(raw, where: str) -> dt.date:
    if not isinstance(raw, str) or not ISO_DATE.match(raw):
        raise CaseFout(f"{where}: {raw!r} is geen ISO-datum (JJJJ-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CaseFout(f"{where}: {raw!r} is geen bestaande datum") from None


def _hundredths(raw, where: str) -> int:
    """A quoted decimal ("32.5") as an integer number of hundredths (3250)."""
    if not isinstance(raw, str) or not DECIMAL.match(raw):
        raise CaseFout(f"{where}: {raw!r} moet een decimale tekst tussen aanhalingstekens zijn")
    value = Fraction(raw) * 100
    if value.denominator != 1:
        raise CaseFout(f"{where}: {raw!r} heeft meer dan twee decimalen")
    return int(value)


def _cents(raw, where: str) -> int:
    if not isinstance(raw, str) or not AMOUNT.match(raw):
        raise CaseFout(f"{where}: bedrag {raw!r} moet een tekst met precies twee decimalen zijn (\"862.39\")")
    return int(Fraction(raw) * 100)


def _periode(raw, where: str) -> str:
    if not isinstance(raw, str) or not PERIODE.match(raw):
        raise CaseFout(f"{where}: {raw!r} is geen periode JJJJ-MM")
    return raw


def _list(raw, where: str) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CaseFout(f"{where}: verwacht een lijst")
    return raw


def _case(raw, path: Path, index: int) -> Case:
    where = f"{path}: case {index + 1}"
    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
        where = f"{path}: case {raw['name']!r}"
    raw = _keys(raw, CASE_KEYS, REQUIRED_CASE_KEYS, where)
    name = raw["name"]
    if not isinstance(name, str) or not re.match(r"^[a-z0-9_]+$", name):
        raise CaseFout(f"{where}: name moet uit a-z, 0-9 en _ bestaan")
    if not isinstance(raw["description"], str) or not raw["description"].strip():
        raise CaseFout(f"{where}: description ontbreekt of is leeg")

    pol = _keys(raw.get("policy") or {}, POLICY_KEYS, set(), f"{where}: policy")
    for flag in POLICY_KEYS - {"indexatie"}:
        if flag in pol and not isinstance(pol[flag], bool):
            raise CaseFout(f"{where}: policy.{flag} moet true of false zijn")
    try:
        policy = Policy(**pol)
    except ValueError as exc:
        raise CaseFout(f"{where}: policy: {exc}") from None

    pl = _keys(raw["plaatsing"], PLAATSING_KEYS, REQUIRED_PLAATSING_KEYS, f"{where}: plaatsing")
    if pl["regeling"] not in REGELINGEN:
        raise CaseFout(f"{where}: plaatsing.regeling {pl['regeling']!r} onbekend")
    startdatum = _date(pl["startdatum"], f"{where}: plaatsing.startdatum")
    einddatum = _date(pl["einddatum"], f"{where}: plaatsing.einddatum") if pl.get("einddatum") is not None else None
    plaatsing_id = "P1"
    urenbasis = pl.get("urenbasis", "contract")
    if urenbasis not in ("contract", "verloond"):
        raise CaseFout(f"{where}: plaatsing.urenbasis {urenbasis!r} onbekend (contract of verloond)")
    plaatsingen = pd.DataFrame([{
        "plaatsing_id": plaatsing_id, "werkgever_id": "W1", "regeling": pl["regeling"],
        "startdatum": pd.Timestamp(startdatum),
        "einddatum": pd.Timestamp(einddatum) if einddatum else pd.NaT,
        "contracturen": _hundredths(pl["contracturen"], f"{where}: plaatsing.contracturen"),
        "voltijdsuren": _hundredths(pl["voltijdsuren"], f"{where}: plaatsing.voltijdsuren"),
        "geboortedatum": pd.Timestamp(_date(pl["geboortedatum"], f"{where}: plaatsing.geboortedatum")),
        "urenbasis": urenbasis,
    }])
    plaatsingen["contracturen"] = plaatsingen["contracturen"].astype("int64")
    plaatsingen["voltijdsuren"] = plaatsingen["voltijdsuren"].astype("int64")

    lw_rows = []
    for i, item in enumerate(_list(raw.get("loonwaarden"), f"{where}: loonwaarden")):
        here = f"{where}: loonwaarden[{i}]"
        item = _keys(item, LOONWAARDE_KEYS, LOONWAARDE_KEYS, here)
        lw = _hundredths(item["loonwaarde"], f"{here}.loonwaarde")
        if lw > 10_000:
            raise CaseFout(f"{here}.loonwaarde: boven 100")
        lw_rows.append({"plaatsing_id": plaatsing_id,
                        "ingangsdatum": pd.Timestamp(_date(item["ingangsdatum"], f"{here}.ingangsdatum")),
                        "loonwaarde": lw})
    uren_rows = []
    for i, item in enumerate(_list(raw.get("urenwijzigingen"), f"{where}: urenwijzigingen")):
        here = f"{where}: urenwijzigingen[{i}]"
        item = _keys(item, UREN_KEYS, UREN_KEYS, here)
        uren_rows.append({"plaatsing_id": plaatsing_id,
                          "ingangsdatum": pd.Timestamp(_date(item["ingangsdatum"], f"{here}.ingangsdatum")),
                          "contracturen": _hundredths(item["contracturen"], f"{here}.contracturen"),
                          "voltijdsuren": _hundredths(item["voltijdsuren"], f"{here}.voltijdsuren")})
    verloond_rows = []
    for i, item in enumerate(_list(raw.get("verloonde_uren"), f"{where}: verloonde_uren")):
        here = f"{where}: verloonde_uren[{i}]"
        item = _keys(item, VERLOONDE_UREN_KEYS, VERLOONDE_UREN_KEYS, here)
        verloond_rows.append({"plaatsing_id": plaatsing_id,
                              "periode": _periode(item["periode"], f"{here}.periode"),
                              "uren": _hundredths(item["uren"], f"{here}.uren")})
    verloonde_uren = pd.DataFrame(verloond_rows, columns=VERLOONDE_UREN_COLUMNS)
    verloonde_uren["uren"] = verloonde_uren["uren"].astype("int64")
    loonwaarden = pd.DataFrame(lw_rows, columns=LOONWAARDE_COLUMNS)
    loonwaarden["loonwaarde"] = loonwaarden["loonwaarde"].astype("int64")
    loonwaarden["ingangsdatum"] = pd.to_datetime(loonwaarden["ingangsdatum"])
    urenwijzigingen = pd.DataFrame(uren_rows, columns=UREN_COLUMNS)
    for col in ("contracturen", "voltijdsuren"):
        urenwijzigingen[col] = urenwijzigingen[col].astype("int64")
    urenwijzigingen["ingangsdatum"] = pd.to_datetime(urenwijzigingen["ingangsdatum"])

    if "periode" in raw:
        if "van" in raw or "tot" in raw:
            raise CaseFout(f"{where}: periode of van/tot, niet allebei")
        van = tot = _periode(raw["periode"], f"{where}: periode")
    else:
        if "van" not in raw or "tot" not in raw:
            raise CaseFout(f"{where}: periode of van en tot ontbreekt")
        van = _periode(raw["van"], f"{where}: van")
        tot = _periode(raw["tot"], f"{where}: tot")
        if tot < van:
            raise CaseFout(f"{where}: tot ligt voor van")

    if ("expected" in raw) == ("expected_error" in raw):
        raise CaseFout(f"{where}: precies één van expected en expected_error is nodig")
    expected = None
    expected_error = None
    if "expected_error" in raw:
        expected_error = raw["expected_error"]
        if expected_error not in ERRORS:
            raise CaseFout(f"{where}: expected_error {expected_error!r} onbekend ({', '.join(sorted(ERRORS))})")
    else:
        expected = []
        for i, row in enumerate(_list(raw["expected"], f"{where}: expected")):
            here = f"{where}: expected[{i}]"
            row = _keys(row, ROW_KEYS, ROW_KEYS, here)
            reden = row["reden"]
            if not isinstance(reden, str) or (reden and (set(reden.split(";")) - REDENEN
                                                         or reden.split(";") != sorted(set(reden.split(";"))))):
                raise CaseFout(f"{here}.reden: {reden!r} is geen gesorteerde ;-lijst van redencodes")
            if row["budget"] not in ("buig", "reintegratie"):
                raise CaseFout(f"{here}.budget: {row['budget']!r} onbekend")
            out = {
                "plaatsing_id": plaatsing_id,
                "periode": _periode(row["periode"], f"{here}.periode"),
                "regeling": pl["regeling"],
                "budget": row["budget"],
                "lks_basis": _cents(row["lks_basis"], f"{here}.lks_basis"),
                "werkgeverslasten": _cents(row["werkgeverslasten"], f"{here}.werkgeverslasten"),
                "lks_totaal": _cents(row["lks_totaal"], f"{here}.lks_totaal"),
                "reden": reden,
            }
            if out["lks_basis"] + out["werkgeverslasten"] != out["lks_totaal"]:
                raise CaseFout(f"{here}: lks_basis + werkgeverslasten != lks_totaal (typfout in de case?)")
            expected.append(out)
    return Case(name=name, description=raw["description"], file=path,
                calc_input=CalcInput(plaatsingen, loonwaarden, urenwijzigingen, verloonde_uren),
                policy=policy,
                van=van, tot=tot, expected=expected, expected_error=expected_error)


def load_case_file(path: Path) -> list[Case]:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CaseFout(f"{path}: geen geldige YAML: {exc}") from None
    if not isinstance(raw, list) or not raw:
        raise CaseFout(f"{path}: verwacht een lijst van cases")
    return [_case(item, path, i) for i, item in enumerate(raw)]


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    cases = []
    seen = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        for case in load_case_file(path):
            if case.name in seen:
                raise CaseFout(f"{path}: case-naam {case.name!r} komt ook voor in {seen[case.name]}")
            seen[case.name] = path
            cases.append(case)
    return cases
