"""Legal quantities as dated data (one YAML file per quantity in ``parameters/``).

Modelled on the OpenFisca country template: code never holds an amount or percentage; it asks
"the value of X on date D" — here for many dates at once. Each file has a description, a
``soort`` (``wet``: national law; ``beleid``: the gemeente's own policy), a unit, a legal
reference, dated values (decimal *strings*, parsed to exact ``Fraction``) and
``valid_until``: the last day on which the last value is known to hold (``open`` for
quantities without a scheduled change). A lookup past that day raises ``ParameterOntbreekt``
instead of silently extrapolating (rekenregels §5).

A gemeente keeps its own files in the folder its settings name (``[parameters] lokaal``,
interfaces §4; ``Parameters.voor(settings)`` loads both). Policy is the gemeente's: a local
``beleid`` file replaces the shipped one (whose values are Het Hogeland's). Law is the
country's: a local ``wet`` file may only extend the shipped table with values dated after it,
each with its own publication; a value that contradicts the shipped table, a date inside it
or a new value without ``reference`` is refused with file and reason. Every value keeps its
source (``geleverd`` or ``lokaal``) for ``lks parameters show`` and the explanations.
"""
from __future__ import annotations

import datetime as dt
import re
import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

from lks.paths import PARAMETERS_DIR

FILE_KEYS = {"description", "soort", "unit", "reference", "valid_until", "values"}
REQUIRED_FILE_KEYS = {"description", "soort", "unit", "reference", "valid_until", "values"}
SOORTEN = {"wet": "nationale wet", "beleid": "gemeentelijk beleid"}
GELEVERD, LOKAAL = "geleverd", "lokaal"
ALLEEN_GELEVERD = {
    "bezwaartermijn_weken", "betaaltermijn_weken", "beslistermijn_loonwaarde_weken",
    "herzieningstermijn_vaststelling_jaren",
}
"""Awb and Pw terms that the letters compute themselves (``lks.documents.beschikking``: a
letter is re-derived byte for byte from its stored inputs, without the gemeente's folder).
A local file for one of them is refused, never silently ignored; a change of these terms
comes with a new release."""
REGELING_PARAMETERS = {
    "lks": ("lks_maximum", "forfait_fractie", "forfait_maanden"),
    "beschut": ("beschut_fractie",),
    "ontwikkelbaan": ("ontwikkelbaan_fractie", "ontwikkelbaan_maanden"),
}
"""The quantities that define each regeling (rekenregels §2.2): Pw art. 10d lid 4 and 5 for
lks (national law, since the Participatiewet of 2015); the gemeente's policy for beschut werk
and the ontwikkelbaan. A gemeente has a regeling on a day when each of them has a value on
that day, so its policy files say from when it has the ontwikkelbaan (Het Hogeland: 2024)."""
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
    """A parameter file that the loader does not understand or refuses (names file and
    reason); ``fouten`` lists every problem found, one line each."""

    def __init__(self, bericht: str, fouten: list[str] | None = None):
        self.fouten = list(fouten) if fouten else [bericht]
        super().__init__(bericht)


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
    soort: str = "wet"
    bronnen: tuple[str, ...] = ()  # per value: GELEVERD or LOKAAL
    bestanden: tuple[Path, ...] = ()  # per value: the file it comes from
    lokaal_map: Path | None = None
    """The gemeente's own folder (None: none configured), named when a value is missing."""

    def bron(self, i: int) -> str:
        return self.bronnen[i] if self.bronnen else GELEVERD

    def _aanvullen(self) -> str:
        """Where a gemeente adds a value that is not known yet (rekenregels §5: the day it is
        published, without editing the installed package)."""
        if self.lokaal_map is not None:
            plek = str(self.lokaal_map / f"{self.name}.yaml")
        else:
            plek = (f"{self.name}.yaml in de lokale parametermap van de gemeente "
                    "([parameters] lokaal in gemeente.toml)")
        return f"voeg de nieuwe waarde met haar publicatie toe aan {plek} en controleer met 'lks parameters check'"

    def heeft_waarde(self, days) -> np.ndarray:
        """Whether a value is known on each of ``days`` (vectorised, never raises)."""
        days = np.asarray(days, dtype="datetime64[D]")
        known = days >= self._days[0]
        if self.valid_until is not None:
            known &= days <= np.datetime64(self.valid_until, "D")
        return known

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
                        f"(bekend tot en met {self.valid_until.isoformat()}; {self._aanvullen()})")
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
    """All legal quantities by name: the shipped tables, and the gemeente's own folder
    (``lokaal``) where its settings name one."""

    lokaal: Path | None = None
    lokale_bestanden: tuple["LokaalBestand", ...] = ()

    @classmethod
    def load(cls, directory: Path | str = PARAMETERS_DIR, *, lokaal: Path | str | None = None) -> "Parameters":
        """The files of ``directory`` (default: the shipped ``parameters/``), with the
        gemeente's folder ``lokaal`` on top (rules in the module docstring). Raises
        ``ParameterFout`` naming every refused file and its reason."""
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
        if lokaal is not None:
            lokaal = Path(lokaal)
            vervangen, bestanden, fouten = lees_lokaal(lokaal, params)
            if fouten:
                more = f" (en {len(fouten) - 1} meer; zie 'lks parameters check')" if len(fouten) > 1 else ""
                raise ParameterFout(fouten[0] + more, fouten)
            for name in params:
                p = vervangen.get(name, params[name])
                params[name] = dataclasses.replace(p, lokaal_map=lokaal)
            params.lokaal = lokaal
            params.lokale_bestanden = tuple(bestanden)
        return params

    @classmethod
    def voor(cls, settings) -> "Parameters":
        """The parameters in force for the gemeente of ``settings`` (``lks.settings.Settings``):
        the shipped tables with its own folder (``[parameters] lokaal``) on top. Every code
        path that calculates for a gemeente loads its parameters this way."""
        return cls.load(lokaal=settings.parameters_lokaal)

    def regeling_vanaf(self, regeling: str) -> dt.date:
        """The first day on which the gemeente has ``regeling``: every quantity that defines
        it has a value from then on (``REGELING_PARAMETERS``)."""
        return max(self[name].dates[0] for name in REGELING_PARAMETERS[regeling])

    def regeling_ontbreekt(self, regeling: str, days) -> np.ndarray:
        """Per day: the first quantity defining ``regeling`` (``REGELING_PARAMETERS``) without
        a value on that day, or '' when the gemeente had the regeling then (rekenregels §2.2)."""
        days = np.asarray(days, dtype="datetime64[D]")
        out = np.full(days.shape, "", dtype=object)
        for name in REGELING_PARAMETERS[regeling]:
            missing = ~self[name].heeft_waarde(days) & (out == "")
            out[missing] = name
        return out


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
    return _read_parameter(path)[0]


def _read_parameter(path: Path) -> tuple[Parameter, tuple[bool, ...]]:
    """The parameter of one file and, per value, whether it has its own ``reference``."""
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
    soort = raw["soort"]
    if soort not in SOORTEN:
        raise ParameterFout(f"{where}: onbekende soort {soort!r} (wet of beleid)")
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
        dated.append((at, _value(entry["value"], unit, here), ref, "reference" in entry))
    dated.sort(key=lambda t: t[0])
    if valid_until is not None and valid_until < dated[-1][0]:
        raise ParameterFout(f"{where}: valid_until ligt voor de laatste ingangsdatum")
    return Parameter(
        name=name, description=str(raw["description"]).strip(), unit=unit, reference=reference,
        valid_until=valid_until, dates=tuple(d for d, *_ in dated),
        values=tuple(v for _, v, *_ in dated), references=tuple(r for _, _, r, _ in dated),
        soort=soort, bronnen=(GELEVERD,) * len(dated), bestanden=(path,) * len(dated),
    ), tuple(e for *_, e in dated)


# --- the gemeente's own folder ----------------------------------------------------------------

@dataclass(frozen=True)
class LokaalBestand:
    """What one file of the gemeente's own folder does (``lks parameters check``)."""

    naam: str
    pad: Path
    soort: str
    werking: str  # Dutch, for the user


def toon_waarde(value, unit: str = "") -> str:
    """A parameter value as a file writes it: exact decimals with a dot (amounts in euro with
    two), a staffel as age: fraction."""
    if isinstance(value, dict):
        return ", ".join(f"{age}: {toon_waarde(v)}" for age, v in sorted(value.items()))
    if isinstance(value, (Fraction, int)):
        value = Fraction(value)
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if unit.startswith("eur_"):
            return format(exact.quantize(Decimal("0.01")), "f")
        return format(exact.normalize() if exact != exact.to_integral_value() else exact.quantize(1), "f")
    return str(value)


SOORT_LABEL = {"wet": "wet (land)", "beleid": "beleid (gemeente)"}


@dataclass(frozen=True)
class Toelichting:
    """``lks parameters show NAAM`` as data, so every face words it the same: a heading, the
    values in force (vanaf, waarde, bron, publicatie), the local files and a closing note."""

    naam: str
    omschrijving: str
    kenmerken: tuple[str, ...]
    rijen: tuple[tuple[str, str, str, str], ...]
    slot: tuple[str, ...]


def toelichting(params: "Parameters", naam: str) -> Toelichting:
    p = params[naam]
    geldig = f"bekend tot en met {p.valid_until.isoformat()}" if p.valid_until else "open (geen geplande wijziging)"
    rijen = tuple((day.isoformat(), toon_waarde(p.values[i], p.unit), p.bron(i), str(p.references[i]))
                  for i, day in enumerate(p.dates))
    slot = [f"lokaal: {b}" for b in sorted({str(p.bestanden[i]) for i in range(len(p.dates)) if p.bron(i) == LOKAAL})]
    if p.valid_until is not None:
        waar = (str(params.lokaal / f"{naam}.yaml") if params.lokaal is not None
                else f"{naam}.yaml in een eigen parametermap ([parameters] lokaal in gemeente.toml)")
        slot.append(f"Na {p.valid_until.isoformat()} is geen waarde bekend: een berekening voor een latere dag stopt "
                    f"(parameter ontbreekt). Een nieuwe waarde voegt de gemeente met haar publicatie toe in {waar}; "
                    "controleer met 'lks parameters check'.")
    return Toelichting(naam, p.description,
                       (f"soort: {SOORT_LABEL[p.soort]}; eenheid: {p.unit}; geldig: {geldig}", f"grondslag: {p.reference}"),
                       rijen, tuple(slot))


def lees_lokaal(lokaal: Path, geleverd: "Parameters") -> tuple[dict[str, Parameter], list[LokaalBestand], list[str]]:
    """Read and check the gemeente's folder against the shipped tables: (the parameters it
    changes, what each file does, every refusal with file and reason)."""
    if not lokaal.is_dir():
        return {}, [], [f"{lokaal}: lokale parametermap bestaat niet ([parameters] lokaal in gemeente.toml)"]
    vervangen: dict[str, Parameter] = {}
    bestanden: list[LokaalBestand] = []
    fouten: list[str] = []
    for path in sorted(lokaal.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".yml":
            fouten.append(f"{path}: gebruik de extensie .yaml (zoals {path.stem}.yaml)")
            continue
        if path.suffix != ".yaml":
            continue  # a README or notes next to the files
        name = path.stem
        if name not in KNOWN:
            fouten.append(f"{path}: onbekende parameter {name!r} (zie 'lks parameters list')")
            continue
        if name in ALLEEN_GELEVERD:
            fouten.append(f"{path}: {name} is een wettelijke termijn die de brieven zelf toepassen; die kan "
                          "niet lokaal worden aangevuld (een wijziging komt met een nieuwe versie van lks)")
            continue
        try:
            lokaal_param, eigen_referentie = _read_parameter(path)
        except ParameterFout as exc:
            fouten.append(str(exc))
            continue
        lokaal_param = dataclasses.replace(lokaal_param, bronnen=(LOKAAL,) * len(lokaal_param.dates))
        shipped = geleverd[name]
        problemen = []
        if lokaal_param.soort != shipped.soort:
            problemen.append(f"soort {lokaal_param.soort} klopt niet: {name} is {SOORTEN[shipped.soort]} "
                             f"(soort: {shipped.soort})")
        if lokaal_param.unit != shipped.unit:
            problemen.append(f"eenheid {lokaal_param.unit} klopt niet: {name} is in {shipped.unit}")
        if problemen:
            fouten += [f"{path}: {p}" for p in problemen]
            continue
        if shipped.soort == "beleid":
            vervangen[name] = lokaal_param
            bestanden.append(LokaalBestand(name, path, shipped.soort, (
                f"vervangt het geleverde beleid: {len(lokaal_param.dates)} "
                f"{'waarde' if len(lokaal_param.dates) == 1 else 'waarden'} vanaf {lokaal_param.dates[0].isoformat()}")))
            continue
        samengevoegd, werking, wet_fouten = _wet_aanvullen(shipped, lokaal_param, eigen_referentie, path)
        fouten += wet_fouten
        if not wet_fouten:
            if samengevoegd is not shipped:
                vervangen[name] = samengevoegd
            bestanden.append(LokaalBestand(name, path, shipped.soort, werking))
    return vervangen, bestanden, fouten


def _maanden_later(day: dt.date, maanden: int) -> dt.date:
    """The same day ``maanden`` months later (the month's last day where it is shorter)."""
    from dateutil.relativedelta import relativedelta
    return day + relativedelta(months=maanden)


def _looptijd_maanden(shipped: Parameter) -> int | None:
    """How many months one value of a bounded national table holds (the WML: half a year),
    read from the shipped table's last value: from its date to ``valid_until``. None for an
    open table or one whose last value does not span whole months."""
    if shipped.valid_until is None:
        return None
    eind = shipped.valid_until + dt.timedelta(days=1)
    begin = shipped.dates[-1]
    if begin.day != 1 or eind.day != 1:
        return None
    maanden = (eind.year - begin.year) * 12 + eind.month - begin.month
    return maanden if maanden > 0 else None


def _gaten(shipped: Parameter, lokaal: Parameter, nieuw: list[int], path: Path) -> list[str]:
    """A gemeente's new values of a bounded national table must follow on without a gap:
    the first on the day after the shipped table's ``valid_until`` (else the last shipped
    value would silently hold for months it was never published for), and each next one
    within the time one value holds (the WML: half a year; read from the shipped table)."""
    if shipped.valid_until is None:
        return []  # the last shipped value holds open: a later value just replaces it
    fouten = []
    dagen = [lokaal.dates[i] for i in nieuw]
    verwacht = shipped.valid_until + dt.timedelta(days=1)
    if dagen[0] != verwacht:
        fouten.append(f"{path}: de eerste nieuwe waarde begint op {dagen[0].isoformat()}, maar de geleverde tabel "
                      f"loopt tot en met {shipped.valid_until.isoformat()}; er mag geen gat zijn: voeg eerst de "
                      f"waarde per {verwacht.isoformat()} toe")
    looptijd = _looptijd_maanden(shipped)
    if looptijd is None:
        return fouten
    duur = "een half jaar" if looptijd == 6 else ("een jaar" if looptijd == 12 else f"{looptijd} maanden")
    for vorige, volgende in zip(dagen, dagen[1:]):
        uiterlijk = _maanden_later(vorige, looptijd)
        if volgende > uiterlijk:
            fouten.append(f"{path}: tussen {vorige.isoformat()} en {volgende.isoformat()} ontbreekt een waarde: "
                          f"een waarde van {shipped.name} geldt {duur} (zoals in de geleverde tabel); er mag geen "
                          f"gat zijn: voeg de waarde per {uiterlijk.isoformat()} toe")
    laatste = _maanden_later(dagen[-1], looptijd) - dt.timedelta(days=1)
    if lokaal.valid_until is not None and lokaal.valid_until > laatste:
        fouten.append(f"{path}: valid_until {lokaal.valid_until.isoformat()} ligt na {laatste.isoformat()}: de "
                      f"waarde per {dagen[-1].isoformat()} geldt {duur} (zoals in de geleverde tabel); voeg de "
                      f"waarde per {(laatste + dt.timedelta(days=1)).isoformat()} toe of geef een eerdere valid_until")
    return fouten


def _wet_aanvullen(shipped: Parameter, lokaal: Parameter, eigen_referentie: tuple[bool, ...],
                   path: Path) -> tuple[Parameter, str, list[str]]:
    """National law extended by the gemeente (rekenregels §5, interfaces §4): only values
    dated after the shipped table, each with its publication; a repeated shipped value must
    be equal. (merged parameter, what the file does, refusals)."""
    fouten: list[str] = []
    grens = shipped.valid_until or shipped.dates[-1]
    tabel = (f"de geleverde tabel is bekend tot en met {grens.isoformat()}" if shipped.valid_until
             else f"de laatste geleverde waarde geldt vanaf {grens.isoformat()}")
    nieuw = []
    for i, day in enumerate(lokaal.dates):
        waar = f"{path}: {day.isoformat()}"
        if day in shipped.dates:
            oud = shipped.values[shipped.dates.index(day)]
            if lokaal.values[i] != oud:
                fouten.append(f"{waar}: waarde {toon_waarde(lokaal.values[i], shipped.unit)} spreekt de geleverde "
                              f"waarde {toon_waarde(oud, shipped.unit)} tegen ({shipped.name} is nationale wet; de geleverde tabel geldt)")
        elif day <= grens:
            fouten.append(f"{waar}: ligt binnen de geleverde tabel ({tabel}); een gemeente vult nationale wet "
                          "alleen aan met waarden van daarna")
        elif not eigen_referentie[i]:
            fouten.append(f"{waar}: nieuwe waarde zonder publicatie; geef bij deze waarde "
                          "'reference: {title: ..., href: ...}' (bijvoorbeeld de Staatscourant)")
        else:
            nieuw.append(i)
    if not fouten and nieuw:
        fouten += _gaten(shipped, lokaal, nieuw, path)
    verlengt = (lokaal.valid_until is None and shipped.valid_until is not None) or (
        lokaal.valid_until is not None and shipped.valid_until is not None and lokaal.valid_until > shipped.valid_until)
    if fouten:
        pass  # the values are wrong: what their validity would extend is beside the point
    elif nieuw and shipped.valid_until is not None and lokaal.valid_until is None:
        fouten.append(f"{path}: valid_until: open is hier niet toegestaan ({tabel}); geef de laatste dag "
                      "waarop de nieuwe waarde zeker geldt, zodat een latere maand niet stil wordt doorgerekend")
    elif not nieuw and verlengt:
        fouten.append(f"{path}: valid_until verlengt de geleverde tabel ({tabel}) zonder nieuwe waarde; "
                      "een bedrag geldt alleen tot de dag die zijn publicatie noemt")
    if fouten:
        return shipped, "", fouten
    if not nieuw:
        return shipped, "voegt niets toe: alle waarden staan al in de geleverde tabel (het bestand kan weg)", []
    merged = dataclasses.replace(
        shipped, valid_until=lokaal.valid_until,
        dates=shipped.dates + tuple(lokaal.dates[i] for i in nieuw),
        values=shipped.values + tuple(lokaal.values[i] for i in nieuw),
        references=shipped.references + tuple(lokaal.references[i] for i in nieuw),
        bronnen=tuple(shipped.bronnen or (GELEVERD,) * len(shipped.dates)) + (LOKAAL,) * len(nieuw),
        bestanden=tuple(shipped.bestanden) + (path,) * len(nieuw))
    eerste = lokaal.dates[nieuw[0]].isoformat()
    tot = f"bekend tot en met {lokaal.valid_until.isoformat()}" if lokaal.valid_until else "open"
    return merged, (f"vult de geleverde tabel aan met {len(nieuw)} "
                    f"{'waarde' if len(nieuw) == 1 else 'waarden'} vanaf {eerste} ({tot})"), []
