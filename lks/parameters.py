"""Legal quantities as dated data (one YAML file per quantity in ``parameters/``).

Modelled on the OpenFisca country template: code never holds an amount or percentage; it asks
"the value of X on date D" — here for many dates at once. Each file has a description, a unit,
a legal reference, dated values (decimal *strings*, parsed to exact ``Fraction``) and
``valid_until``: the last day on which the last value is known to hold (``open`` for
quantities without a scheduled change). A lookup past that day raises ``ParameterOntbreekt``
instead of silently extrapolating (rekenregels §5).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

from lks.paths import PARAMETERS_DIR

FILE_KEYS = {"description", "unit", "reference", "valid_until", "values"}
REQUIRED_FILE_KEYS = {"description", "unit", "reference", "valid_until", "values"}
VALUE_KEYS = {"value", "reference"}
REFERENCE_KEYS = {"title", "href"}
UNITS = {
    "eur_per_maand", "eur_per_uur", "fractie", "fractie_per_leeftijd", "maanden",
    "uren_per_week", "regelvariant", "weken", "jaren",
}
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
KNOWN = (
    "wml_maandloon", "wml_uurloon", "jeugdloon_staffel", "vakantiebijslag", "werkgeverslasten",
    "lks_maximum", "forfait_fractie", "forfait_maanden", "ontwikkelbaan_fractie",
    "ontwikkelbaan_maanden", "beschut_fractie", "urenfactor_regel", "referentie_weekuren",
    "bezwaartermijn_weken", "betaaltermijn_weken", "beslistermijn_loonwaarde_weken",
    "herzieningstermijn_vaststelling_jaren",
)


class ParameterFout(ValueError):
    """A parameter file that the loader does not understand (names file and reason)."""


class ParameterOntbreekt(LookupError):
    """No known value of a legal quantity for a requested date (rekenregels §5)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the loader itself checks they are ISO dates."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Reference:
    title: str
    href: str | None = None

    def __str__(self) -> str:
        return f"{self.title} ({self.href})" if self.href else self.title


@dataclass(frozen=True)
class Parameter:
    """One legal quantity: values by ingangsdatum, each with its publication."""

    name: str
    description: str
    unit: str
    reference: Reference
    valid_until: dt.date | None  # None: open, the last value holds until a new file version
    dates: tuple[dt.date, ...]
    values: tuple  # Fraction | str | dict[int, Fraction]
    references: tuple[Reference, ...]

    @property
    def _days(self) -> np.ndarray:
        return np.array(self.dates, dtype="datetime64[D]")

    def index_at(self, days) -> np.ndarray:
        """Index into ``values`` for every date in ``days`` (vectorised). Raises
        ``ParameterOntbreekt`` naming the first date without a known value."""
        days = np.asarray(days, dtype="datetime64[D]")
        idx = np.searchsorted(self._days, days, side="right") - 1
        if days.size:
            before = idx < 0
            if before.any():
                first = days[before].min()
                raise ParameterOntbreekt(
                    f"parameter ontbreekt: {self.name} heeft geen waarde voor {first} "
                    f"(eerste bekende waarde geldt vanaf {self.dates[0].isoformat()})")
            if self.valid_until is not None:
                after = days > np.datetime64(self.valid_until, "D")
                if after.any():
                    first = days[after].min()
                    raise ParameterOntbreekt(
                        f"parameter ontbreekt: {self.name} heeft geen waarde voor {first} "
                        f"(bekend tot en met {self.valid_until.isoformat()}; voeg de nieuwe "
                        f"waarde toe aan parameters/{self.name}.yaml)")
        return idx

    def at(self, day: dt.date):
        """The value on one date."""
        return self.values[int(self.index_at([day])[0])]

    def reference_at(self, day: dt.date) -> Reference:
        return self.references[int(self.index_at([day])[0])]

    def change_dates(self) -> np.ndarray:
        """The dates on which a new value takes effect (segment boundaries for the core)."""
        return self._days

    def numerators(self, denominator: int) -> np.ndarray:
        """Scalar rational values as int64 numerators over a common ``denominator``."""
        out = []
        for v in self.values:
            scaled = v * denominator
            if scaled.denominator != 1:
                raise ParameterFout(f"{self.name}: {v} is niet exact uit te drukken in 1/{denominator}")
            out.append(int(scaled))
        return np.array(out, dtype=np.int64)

    def common_denominator(self) -> int:
        den = 1
        for v in self.values:
            den = np.lcm(den, Fraction(v).denominator)
        return int(den)


class Parameters(dict):
    """All legal quantities by name, loaded from one directory."""

    @classmethod
    def load(cls, directory: Path | str = PARAMETERS_DIR) -> "Parameters":
        directory = Path(directory)
        params = cls()
        for path in sorted(directory.glob("*.yaml")):
            params[path.stem] = load_parameter(path)
        missing = [n for n in KNOWN if n not in params]
        if missing:
            raise ParameterFout(f"{directory}: parameterbestand ontbreekt: {', '.join(m + '.yaml' for m in missing)}")
        unknown = [n for n in params if n not in KNOWN]
        if unknown:
            raise ParameterFout(f"{directory}: onbekend parameterbestand: {', '.join(u + '.yaml' for u in unknown)}")
        return params


def _reference(raw, where: str) -> Reference:
    if not isinstance(raw, dict):
        raise ParameterFout(f"{where}: reference moet title en eventueel href hebben")
    unknown = set(raw) - REFERENCE_KEYS
    if unknown:
        raise ParameterFout(f"{where}: onbekende sleutel(s) in reference: {', '.join(sorted(map(str, unknown)))}")
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        raise ParameterFout(f"{where}: reference zonder title")
    href = raw.get("href")
    if href is not None and not (isinstance(href, str) and href.startswith("https://")):
        raise ParameterFout(f"{where}: href moet een https-adres zijn")
    return Reference(raw["title"].strip(), href)


def _iso_date(raw, where: str) -> dt.date:
    if not isinstance(raw, str) or not ISO_DATE.match(raw):
        raise ParameterFout(f"{where}: '{raw}' is geen ISO-datum (JJJJ-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ParameterFout(f"{where}: '{raw}' is geen bestaande datum") from None


def _decimal(raw, where: str) -> Fraction:
    if isinstance(raw, bool) or not isinstance(raw, str):
        raise ParameterFout(
            f"{where}: waarde {raw!r} moet een decimale tekst tussen aanhalingstekens zijn "
            f"(bijv. \"1934.40\"), geen getal: een binair getal kan een halve cent verschuiven")
    if not DECIMAL.match(raw):
        raise ParameterFout(f"{where}: '{raw}' is geen decimaal getal met een punt")
    return Fraction(raw)


def _value(raw, unit: str, where: str):
    if unit == "regelvariant":
        if raw not in ("voltijd", "referentie"):
            raise ParameterFout(f"{where}: onbekende regelvariant {raw!r} (voltijd of referentie)")
        return raw
    if unit == "fractie_per_leeftijd":
        if not isinstance(raw, dict) or not raw:
            raise ParameterFout(f"{where}: staffel moet leeftijd: fractie bevatten")
        staffel = {}
        for age, pct in raw.items():
            if not isinstance(age, int) or isinstance(age, bool):
                raise ParameterFout(f"{where}: leeftijd {age!r} is geen geheel getal")
            staffel[age] = _decimal(pct, f"{where}, leeftijd {age}")
        ages = sorted(staffel)
        if ages != list(range(ages[0], ages[-1] + 1)):
            raise ParameterFout(f"{where}: staffel moet aaneengesloten leeftijden hebben")
        return staffel
    value = _decimal(raw, where)
    if unit in ("maanden", "weken", "jaren") and value.denominator != 1:
        raise ParameterFout(f"{where}: aantal {unit} moet geheel zijn")
    return value


def load_parameter(path: Path) -> Parameter:
    name = path.stem
    where = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParameterFout(f"{where}: geen geldige YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ParameterFout(f"{where}: verwacht een mapping met {', '.join(sorted(REQUIRED_FILE_KEYS))}")
    unknown = set(raw) - FILE_KEYS
    if unknown:
        raise ParameterFout(f"{where}: onbekende sleutel(s): {', '.join(sorted(map(str, unknown)))}")
    missing = REQUIRED_FILE_KEYS - set(raw)
    if missing:
        raise ParameterFout(f"{where}: ontbrekende sleutel(s): {', '.join(sorted(missing))}")
    unit = raw["unit"]
    if unit not in UNITS:
        raise ParameterFout(f"{where}: onbekende eenheid {unit!r}")
    reference = _reference(raw["reference"], f"{where}: reference")
    valid_until = None if raw["valid_until"] == "open" else _iso_date(raw["valid_until"], f"{where}: valid_until")
    values = raw["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterFout(f"{where}: values moet minstens één datum: waarde bevatten")
    dated = []
    for key, entry in values.items():
        at = _iso_date(key, f"{where}: values")
        here = f"{where}: {key}"
        if not isinstance(entry, dict):
            raise ParameterFout(f"{here}: verwacht 'value:' (en eventueel 'reference:')")
        unknown = set(entry) - VALUE_KEYS
        if unknown:
            raise ParameterFout(f"{here}: onbekende sleutel(s): {', '.join(sorted(map(str, unknown)))}")
        if "value" not in entry:
            raise ParameterFout(f"{here}: 'value' ontbreekt")
        ref = _reference(entry["reference"], f"{here}: reference") if "reference" in entry else reference
        dated.append((at, _value(entry["value"], unit, here), ref))
    dated.sort(key=lambda t: t[0])
    if valid_until is not None and valid_until < dated[-1][0]:
        raise ParameterFout(f"{where}: valid_until ligt voor de laatste ingangsdatum")
    return Parameter(
        name=name, description=str(raw["description"]).strip(), unit=unit, reference=reference,
        valid_until=valid_until, dates=tuple(d for d, _, _ in dated),
        values=tuple(v for _, v, _ in dated), references=tuple(r for _, _, r in dated),
    )
