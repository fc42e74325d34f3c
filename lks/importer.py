"""Import of the gemeente's CSV files (interfaces.md §2): all or nothing.

Flow, one direction:
1. read every file (no database): encoding, header, field count, and a pydantic row model
   per file that parses and checks each field (IBAN, BIC, BSN, KvK, dates, hours, ...);
2. inside ONE write transaction: checks against what is already stored (references,
   werknemer at least 15 at startdatum, time moving forward), and classification of every
   row as new, changed or unchanged against the current version of its natural key;
3. only when no error was found anywhere: one ``import_batch`` row and the new versions.

Errors are collected as values (file, line, column, reason) and raised together as
``ImportFouten``; nothing is written then. Line numbers are as in the file, header = 1.
Facts are never updated or deleted: a changed row becomes a new version with this import's
``recorded_at``; an unchanged row adds nothing.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, \
    field_validator
from sqlalchemy import Connection, Engine, func, insert, select

from lks.db import begin_write, current_revision, head_revision
from lks.db.models_betaalrun import AuditLog
from lks.rekeningen import registreer as registreer_rekeningen
from lks.db.models import (ID_LENGTH, REGELINGEN, ImportBatch, Loonwaarde, Plaatsing,
                           Urenwijziging, VerloondeUren, Werkgever, Werknemer)
from lks.facts import current_versions
from lks.nl import is_maand
from lks.intrekkingen import INTREKBAAR, Intrekking, huidige_versies, parse_sleutel
from lks.intrekkingen import controleer as controleer_intrekkingen
from lks.intrekkingen import schrijf as schrijf_intrekkingen
from lks.identifiers import check_bic, check_bsn, check_iban, check_kvk, check_postcode, mask_bsn
from lks.parameters import Parameters

MAX_UREN = Decimal(60)
MINIMUM_LEEFTIJD = 15  # rekenregels §2.1: under 15 is refused as bad input
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
_UTF8_BOM = b"\xef\xbb\xbf"


# --- results and errors -------------------------------------------------------------------

@dataclass(frozen=True)
class ImportFout:
    """One reason the import is refused, with its place in the files."""

    bestand: str | None
    regel: int | None
    kolom: str | None
    reden: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.bestand,
                                            f"regel {self.regel}" if self.regel else None,
                                            f"kolom {self.kolom}" if self.kolom else None)
                          if part)
        return f"{place}: {self.reden}" if place else self.reden


class ImportFouten(Exception):
    """The import was refused; ``fouten`` lists every error found, in file order."""

    def __init__(self, fouten: list[ImportFout]):
        self.fouten = list(fouten)
        super().__init__(self.fouten)

    def __str__(self) -> str:
        first = str(self.fouten[0]) if self.fouten else "import geweigerd"
        more = len(self.fouten) - 1
        return first + (f" (en {more} meer)" if more > 0 else "")


@dataclass(frozen=True)
class FileCounts:
    """Rows of one file: new natural keys, changed versions, unchanged rows."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    recorded_at: dt.datetime
    source: str
    files: dict[str, str]  # file name -> sha256 of its raw bytes
    counts: dict[str, FileCounts]  # file name -> counts, in FILES order
    rekeningwijzigingen: tuple[str, ...] = ()  # werkgevers whose new IBAN waits for approval
    ingetrokken: tuple[str, ...] = ()  # what intrekkingen.csv withdrew, in Dutch
    opnieuw: tuple[str, ...] = ()  # withdrawn facts this delivery records again, in Dutch


# --- field types ------------------------------------------------------------------------

def _text(max_length: int):
    def check(value: Any) -> str:
        value = (value or "").strip()
        if not value:
            raise ValueError("verplicht veld is leeg")
        if len(value) > max_length:
            raise ValueError(f"te lang ({len(value)} tekens, maximaal {max_length})")
        return value
    return check


def _optional(check):
    def optional(value: Any):
        return None if not (value or "").strip() else check(value.strip())
    return optional


def _required(check):
    def required(value: Any):
        return check(_text(10_000)(value))
    return required


def _iso_date(value: str) -> dt.date:
    if not _ISO_DATE.match(value):
        raise ValueError(f"ongeldige datum {value!r} (verwacht JJJJ-MM-DD)")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"ongeldige datum {value!r} (bestaat niet)") from None
    if not 1900 <= day.year <= 2199:
        raise ValueError(f"onwaarschijnlijke datum {value!r} (jaar buiten 1900-2199)")
    return day


def _decimal(value: str) -> Decimal:
    if not _NUMBER.match(value):
        raise ValueError(f"geen getal: {value!r} (gebruik een punt als decimaalteken, "
                         "bijvoorbeeld 32.5)")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"geen getal: {value!r}") from None


def _two_decimals(number: Decimal, value: str) -> Decimal:
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{value!r} heeft meer dan 2 decimalen")
    return number.quantize(Decimal("0.01"))


def _uren(value: str) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError(f"negatief aantal uren {value!r}")
    if number > MAX_UREN:
        raise ValueError(f"onwaarschijnlijk aantal uren {value!r} (meer dan {MAX_UREN} per week)")
    return _two_decimals(number, value)


def _percentage(value: str) -> Decimal:
    number = _decimal(value)
    if not 0 <= number <= 100:
        raise ValueError(f"loonwaarde {value!r} ligt buiten 0-100")
    return _two_decimals(number, value)


def _regeling(value: str) -> str:
    if value not in REGELINGEN:
        raise ValueError(f"onbekende regeling {value!r} (kies lks, beschut of ontwikkelbaan)")
    return value


def _urenbasis(value: str) -> str:
    value = (value or "").strip()
    if value in ("", "contract"):
        return "contract"  # interfaces §2: contract also when the column or the value is absent
    if value != "verloond":
        raise ValueError(f"onbekende urenbasis {value!r} (kies contract of verloond)")
    return value


def _periode(value: str) -> str:
    if not is_maand(value):
        raise ValueError(f"ongeldige periode {value!r} (verwacht JJJJ-MM, bijvoorbeeld 2025-07)")
    return value


def _maanduren(value: str) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise ValueError(f"negatief aantal uren {value!r}")
    return _two_decimals(number, value)


Id = Annotated[str, BeforeValidator(_text(ID_LENGTH))]
Naam = Annotated[str, BeforeValidator(_text(200))]
Straat = Annotated[str, BeforeValidator(_text(200))]
Huisnummer = Annotated[str, BeforeValidator(_text(20))]
Plaats = Annotated[str, BeforeValidator(_text(100))]
Postcode = Annotated[str, BeforeValidator(_required(check_postcode))]
Kvk = Annotated[str, BeforeValidator(_required(check_kvk))]
Iban = Annotated[str, BeforeValidator(_required(check_iban))]
Bic = Annotated[str | None, BeforeValidator(_optional(check_bic))]
Bsn = Annotated[str, BeforeValidator(_required(check_bsn))]
Datum = Annotated[dt.date, BeforeValidator(_required(_iso_date))]
OptioneleDatum = Annotated[dt.date | None, BeforeValidator(_optional(_iso_date))]
Uren = Annotated[Decimal, BeforeValidator(_required(_uren))]
Percentage = Annotated[Decimal, BeforeValidator(_required(_percentage))]
Regeling = Annotated[str, BeforeValidator(_required(_regeling))]
Urenbasis = Annotated[str, BeforeValidator(_urenbasis)]
Periode = Annotated[str, BeforeValidator(_required(_periode))]
Maanduren = Annotated[Decimal, BeforeValidator(_required(_maanduren))]


# --- row models, one per file -------------------------------------------------------------

class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WerkgeverRij(_Row):
    werkgever_id: Id
    naam: Naam
    kvk: Kvk
    iban: Iban
    bic: Bic = None
    straat: Straat
    huisnummer: Huisnummer
    postcode: Postcode
    plaats: Plaats


class WerknemerRij(_Row):
    werknemer_id: Id
    bsn: Bsn
    naam: Naam
    geboortedatum: Datum

    @field_validator("geboortedatum")
    @classmethod
    def not_in_future(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        today = (info.context or {}).get("vandaag")
        if today is not None and value > today:
            raise ValueError(f"geboortedatum {value.isoformat()} ligt in de toekomst")
        return value


class _UrenRij(_Row):
    @field_validator("voltijdsuren", check_fields=False)
    @classmethod
    def voltijd_not_zero(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("voltijdsuren mag niet 0 zijn")
        return value


class PlaatsingRij(_UrenRij):
    plaatsing_id: Id
    werknemer_id: Id
    werkgever_id: Id
    regeling: Regeling
    startdatum: Datum
    einddatum: OptioneleDatum = None
    contracturen: Uren
    voltijdsuren: Uren
    urenbasis: Urenbasis = "contract"

    @field_validator("einddatum")
    @classmethod
    def not_before_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("startdatum")
        if value is not None and start is not None and value < start:
            raise ValueError(f"einddatum {value.isoformat()} ligt voor startdatum "
                             f"{start.isoformat()}")
        return value


class LoonwaardeRij(_Row):
    plaatsing_id: Id
    ingangsdatum: Datum
    loonwaarde: Percentage


class UrenwijzigingRij(_UrenRij):
    plaatsing_id: Id
    ingangsdatum: Datum
    contracturen: Uren
    voltijdsuren: Uren


class VerloondeUrenRij(_Row):
    """The hours of one month's loonstrook (rekenregels §7): at most two decimals, not
    negative, not more than the month has."""

    plaatsing_id: Id
    periode: Periode
    uren: Maanduren

    @field_validator("uren")
    @classmethod
    def niet_meer_dan_de_maand(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        periode = info.data.get("periode")
        if periode is not None:
            jaar, maand = int(periode[:4]), int(periode[5:])
            dagen = calendar.monthrange(jaar, maand)[1]
            if value > 24 * dagen:
                raise ValueError(f"{value} uur is meer dan {periode} heeft ({dagen} dagen × 24 = {24 * dagen} uur)")
        return value


def _bestand(value: str) -> str:
    if value not in INTREKBAAR:
        raise ValueError(f"onbekend bestand {value!r} (kies {', '.join(INTREKBAAR)})")
    return value


class IntrekkingRij(_Row):
    """A fact imported by mistake (``lks.intrekkingen``): which file, which plaatsing, the
    key within the plaatsing (empty for the plaatsing itself), and why."""

    bestand: Annotated[str, BeforeValidator(_required(_bestand))]
    plaatsing_id: Id
    sleutel: Annotated[Any, BeforeValidator(lambda v: (v or "").strip())] = None
    reden: Annotated[str, BeforeValidator(_text(1000))]

    @field_validator("sleutel")
    @classmethod
    def valid_sleutel(cls, value: str, info: ValidationInfo):
        bestand = info.data.get("bestand")
        return parse_sleutel(bestand, value) if bestand is not None else value


@dataclass(frozen=True)
class FileSpec:
    name: str
    row_model: type[_Row]
    table: Any  # the fact model; None for a file that changes facts without being one
    key_columns: tuple[str, ...] | None = None
    optional_columns: tuple[str, ...] = ()  # may be left out of the header (their default applies)

    @property
    def columns(self) -> list[str]:
        return list(self.row_model.model_fields)

    @property
    def key(self) -> tuple[str, ...]:
        return self.key_columns or self.table.NATURAL_KEY


FILES: dict[str, FileSpec] = {spec.name: spec for spec in (
    FileSpec("werkgevers.csv", WerkgeverRij, Werkgever),
    FileSpec("werknemers.csv", WerknemerRij, Werknemer),
    FileSpec("plaatsingen.csv", PlaatsingRij, Plaatsing, optional_columns=("urenbasis",)),
    FileSpec("loonwaarden.csv", LoonwaardeRij, Loonwaarde),
    FileSpec("urenwijzigingen.csv", UrenwijzigingRij, Urenwijziging),
    FileSpec("verloonde_uren.csv", VerloondeUrenRij, VerloondeUren),
    FileSpec("intrekkingen.csv", IntrekkingRij, None, ("bestand", "plaatsing_id", "sleutel")),
)}
"""The import files in dependency order; the order of the CLI's table and of errors."""
INTREKKINGEN = "intrekkingen.csv"


# --- stage 1: reading the files -----------------------------------------------------------

@dataclass
class _ParsedRow:
    line: int
    raw: dict[str, str]  # stripped raw values by column
    values: dict[str, Any] | None  # parsed values; None when the row has an error


@dataclass
class _File:
    spec: FileSpec
    sha256: str
    readable: bool = True  # header understood: every row could be checked
    rows: list[_ParsedRow] = field(default_factory=list)


def import_directory(engine: Engine, directory: str | Path,
                     recorded_at: dt.datetime | None = None, *, params: Parameters | None = None,
                     door: str = "systeem", client_adres: str | None = None,
                     tenaamstelling: dict[str, str] | None = None,
                     alleen_controleren: bool = False) -> ImportResult | None:
    """Import the CSV files in ``directory`` as one new version of the facts, recorded at
    ``recorded_at`` (UTC; naive is taken as UTC; default now). All or nothing: raises
    ``ImportFouten`` with every error found and writes nothing then. ``door`` is the
    authenticated user who delivers (audit log; a changed IBAN waits for another user's
    approval, ``lks.rekeningen``). ``params``: the gemeente's parameters
    (``Parameters.voor(settings)``), whose policy says which regelingen it had when; the
    application layer always passes them, None means the shipped tables alone (tools and
    tests without a gemeente). ``alleen_controleren``: every check, nothing written, None
    returned."""
    if params is None:
        params = Parameters.load()
    recorded_at = _utc(recorded_at or dt.datetime.now(dt.timezone.utc))
    directory = Path(directory)
    fouten: list[ImportFout] = []
    files = _read_directory(directory, recorded_at.date(), fouten)
    if current_revision(engine) != head_revision():
        raise ImportFouten(fouten + [ImportFout(None, None, None, "de database is niet "
                                                "bijgewerkt; voer eerst 'lks init' uit")])
    with begin_write(engine) as connection:
        latest = connection.execute(select(func.max(ImportBatch.recorded_at))).scalar()
        if latest is not None and recorded_at <= latest:
            fouten.append(ImportFout(None, None, None, (
                f"vastlegmoment {_show(recorded_at)} ligt niet na de vorige import "
                f"({_show(latest)}); vastleggen gaat alleen vooruit in de tijd")))
        fouten += _check_na_betaalrun(connection, recorded_at)
        stored = {name: _current(connection, spec) for name, spec in FILES.items() if spec.table is not None}
        huidig = huidige_versies(connection, alleen_ingetrokken=INTREKKINGEN not in files)
        fouten += _check_against_database(files, stored, params, huidig)
        fouten += _check_intrekkingen(files, huidig)
        if fouten:
            raise ImportFouten(_sorted(fouten))
        if alleen_controleren:  # every check, nothing written (the portal splits a delivery)
            return None
        return _write(connection, directory, files, stored, huidig, recorded_at, door, client_adres,
                      tenaamstelling or {})


def _read_directory(directory: Path, today: dt.date, fouten: list[ImportFout]) -> dict[str, _File]:
    if not directory.is_dir():
        raise ImportFouten([ImportFout(str(directory), None, None, "map bestaat niet")])
    files: dict[str, _File] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        if path.name not in FILES:
            fouten.append(ImportFout(path.name, None, None,
                                     "onbekend bestand (verwacht: " + ", ".join(FILES) + ")"))
            continue
        files[path.name] = _read_file(path, FILES[path.name], today, fouten)
    if not files and not fouten:
        fouten.append(ImportFout(str(directory), None, None,
                                 "geen importbestanden gevonden (verwacht een of meer van: "
                                 + ", ".join(FILES) + ")"))
    return {name: files[name] for name in FILES if name in files}


def _read_file(path: Path, spec: FileSpec, today: dt.date, fouten: list[ImportFout]) -> _File:
    raw = path.read_bytes()
    parsed = _File(spec, hashlib.sha256(raw).hexdigest())
    text = _decode(raw, spec.name, fouten)
    header = _read_header(text, spec, fouten) if text is not None else None
    if header is None:
        parsed.readable = False
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    line = reader.line_num
    context = {"vandaag": today}
    try:
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not fields:
                continue  # an empty line is no row
            row = _parse_row(spec, header, fields, start, context, fouten)
            if row is not None:
                parsed.rows.append(row)
    except csv.Error:
        fouten.append(ImportFout(spec.name, reader.line_num, None,
                                 "ongeldige CSV-opbouw (controleer de aanhalingstekens)"))
        parsed.readable = False
    _check_duplicates(parsed, fouten)
    return parsed


def _decode(raw: bytes, name: str, fouten: list[ImportFout]) -> str | None:
    body = raw[len(_UTF8_BOM):] if raw.startswith(_UTF8_BOM) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        fouten.append(ImportFout(name, body[:error.start].count(b"\n") + 1, None,
                                 f"bestand is geen geldige UTF-8 (byte 0x{body[error.start]:02x});"
                                 " sla het op als UTF-8"))
        return None
    if not text.strip():
        fouten.append(ImportFout(name, None, None, "leeg bestand: de kopregel ontbreekt"))
        return None
    return text


def _read_header(text: str, spec: FileSpec, fouten: list[ImportFout]) -> list[str] | None:
    """The column names, or None (with the reasons in ``fouten``) when they do not match."""
    try:
        header = [name.strip() for name in next(csv.reader(io.StringIO(text, newline=""),
                                                           strict=True))]
    except (csv.Error, StopIteration):
        fouten.append(ImportFout(spec.name, 1, None, "kopregel is geen geldige CSV"))
        return None
    missing = [c for c in spec.columns if c not in header and c not in spec.optional_columns]
    unknown = [c for c in header if c not in spec.columns]
    double = sorted({c for c in header if header.count(c) > 1}, key=header.index)
    for problem, names in (("kolommen ontbreken", missing), ("onbekende kolommen", unknown),
                           ("dubbele kolommen", double)):
        if names:
            fouten.append(ImportFout(spec.name, 1, None, f"{problem}: " + ", ".join(
                repr(n) if n == "" else n for n in names)))
    return None if missing or unknown or double else header


def _parse_row(spec: FileSpec, header: list[str], fields: list[str], line: int,
               context: dict, fouten: list[ImportFout]) -> _ParsedRow | None:
    if len(fields) != len(header):
        fouten.append(ImportFout(spec.name, line, None,
                                 f"verwacht {len(header)} velden, gevonden {len(fields)}"))
        return None
    raw = {column: value.strip() for column, value in zip(header, fields)}
    try:
        values = spec.row_model.model_validate(raw, context=context).model_dump()
    except ValidationError as error:
        for problem in error.errors():
            column = str(problem["loc"][0]) if problem["loc"] else None
            fouten.append(ImportFout(spec.name, line, column, _reden(problem)))
        values = None
    return _ParsedRow(line, raw, values)


def _reden(problem: dict) -> str:
    if problem["type"] == "value_error":
        return str(problem["ctx"]["error"])
    return problem["msg"]  # pragma: no cover - every field has a Dutch validator


def _check_duplicates(parsed: _File, fouten: list[ImportFout]) -> None:
    spec, first = parsed.spec, {}
    for row in parsed.rows:
        key = _raw_key(spec, row)
        if key is None:
            continue
        if key in first:
            fouten.append(ImportFout(spec.name, row.line, spec.key[-1], (
                f"dubbele {_describe_key(spec, key)} (ook op regel {first[key]})")))
        else:
            first[key] = row.line


def _raw_key(spec: FileSpec, row: _ParsedRow) -> tuple | None:
    if row.values is not None:
        return tuple(row.values[c] for c in spec.key)
    key = tuple(row.raw.get(c, "") for c in spec.key)
    # an invalid row still counts for a single-column id (so its duplicates are found);
    # a composite key with a bad date is not comparable
    return key if len(key) == 1 and key[0] else None


def _describe_key(spec: FileSpec, key: tuple) -> str:
    if len(key) == 1:
        return f"{spec.key[0]} {key[0]!r}"
    parts = [f"{c} {v.isoformat() if isinstance(v, dt.date) else ('leeg' if v is None else repr(v))}"
             for c, v in zip(spec.key, key)]
    return "combinatie " + " en ".join(parts)


# --- stage 2: checks against what is stored -------------------------------------------------

def _current(connection: Connection, spec: FileSpec) -> dict[tuple, dict]:
    """Current version per natural key, as plain values."""
    result = connection.execute(current_versions(spec.table))
    return {tuple(row[c] for c in spec.key): row
            for row in (dict(r) for r in result.mappings())}


def _check_against_database(files: dict[str, _File], stored: dict[str, dict],
                            params: Parameters, huidig: dict[str, dict[tuple, dict]] | None = None) -> list[ImportFout]:
    fouten: list[ImportFout] = []
    ingetrokken = {key[0]: row for key, row in (huidig or {}).get("plaatsingen", {}).items()
                   if row.get("ingetrokken") is not None}
    known = {name: _known_ids(files.get(name), stored[name])
             for name in ("werkgevers.csv", "werknemers.csv", "plaatsingen.csv")}
    references = {
        "plaatsingen.csv": (("werknemer_id", "werknemers.csv"), ("werkgever_id", "werkgevers.csv")),
        "loonwaarden.csv": (("plaatsing_id", "plaatsingen.csv"),),
        "urenwijzigingen.csv": (("plaatsing_id", "plaatsingen.csv"),),
        "verloonde_uren.csv": (("plaatsing_id", "plaatsingen.csv"),),
    }
    for name, refs in references.items():
        if name not in files:
            continue
        for row in files[name].rows:
            for column, target in refs:
                value = row.raw.get(column, "")
                if known[target] is not None and value and value not in known[target]:
                    if target == "plaatsingen.csv" and value in ingetrokken:
                        fouten.append(ImportFout(name, row.line, column, _ingetrokken_reden(value, ingetrokken[value])))
                        continue
                    fouten.append(ImportFout(name, row.line, column, (
                        f"onbekende {column} {value!r} (niet in {target} en niet in de database)")))
    fouten += _check_minimum_age(files, stored)
    fouten += _check_regelingen(files, params)
    fouten += _check_verloonde_uren(files, stored)
    return fouten + _rows_of_refused_plaatsingen(files, fouten)


def _ingetrokken_reden(plaatsing_id: str, row: dict) -> str:
    """Why a fact for a withdrawn plaatsing is refused: when and by which delivery it was
    withdrawn, and why (a BSN typed into the reden masked)."""
    from lks.identifiers import mask_bsns_in_text
    levering = f" in levering {row['import_id']}" if row.get("import_id") is not None else ""
    return (f"plaatsing {plaatsing_id!r} is ingetrokken op {_show(_utc(row['recorded_at']))} (intrekking{levering}, "
            f"reden: {mask_bsns_in_text(str(row['ingetrokken']))}); voor een ingetrokken plaatsing worden geen "
            "gegevens meer aangenomen (lever de plaatsing opnieuw aan als ze toch bestaat)")


def _check_regelingen(files: dict[str, _File], params: Parameters) -> list[ImportFout]:
    """Rekenregels §2.2: a plaatsing under a regeling the gemeente did not have on its
    startdatum (per its policy: the parameters that define the regeling have no value on
    that day, ``Parameters.regeling_ontbreekt``) is refused here, instead of getting in and
    then stopping every later calculation."""
    rows = _valid_rows(files.get("plaatsingen.csv"))
    fouten = []
    for regeling in REGELINGEN:
        mine = [row for row in rows if row.values["regeling"] == regeling]
        if not mine:
            continue
        ontbreekt = params.regeling_ontbreekt(regeling, [row.values["startdatum"] for row in mine])
        for row, naam in zip(mine, ontbreekt):
            if naam:
                fouten.append(ImportFout("plaatsingen.csv", row.line, "regeling",
                                         _regeling_reden(params, regeling, naam, row.values["startdatum"])))
    return fouten


def _check_verloonde_uren(files: dict[str, _File], stored: dict[str, dict]) -> list[ImportFout]:
    """Rekenregels §7: hours per month only for a plaatsing on urenbasis ``verloond`` (as it
    is after this delivery), and only for a month in which it is active."""
    rows = _valid_rows(files.get("verloonde_uren.csv"))
    if not rows:
        return []
    plaatsingen = {key[0]: row for key, row in stored["plaatsingen.csv"].items()}
    plaatsingen.update({row.values["plaatsing_id"]: row.values for row in _valid_rows(files.get("plaatsingen.csv"))})
    fouten = []
    for row in rows:
        p = plaatsingen.get(row.values["plaatsing_id"])
        if p is None:
            continue  # an unknown plaatsing is reported by the reference check
        periode = row.values["periode"]
        if (p.get("urenbasis") or "contract") != "verloond":
            fouten.append(ImportFout("verloonde_uren.csv", row.line, "plaatsing_id", (
                f"plaatsing {row.values['plaatsing_id']} heeft urenbasis contract: verloonde uren horen alleen bij "
                "een plaatsing met urenbasis verloond")))
            continue
        start, einde = p["startdatum"], p.get("einddatum")
        if periode < f"{start:%Y-%m}" or (einde is not None and periode > f"{einde:%Y-%m}"):
            actief = f"{start:%Y-%m} t/m {einde:%Y-%m}" if einde is not None else f"vanaf {start:%Y-%m}"
            fouten.append(ImportFout("verloonde_uren.csv", row.line, "periode", (
                f"plaatsing {row.values['plaatsing_id']} is in {periode} niet actief ({actief})")))
    return fouten


def _regeling_reden(params: Parameters, regeling: str, naam: str, start: dt.date) -> str:
    p = params[naam]
    if start < p.dates[0]:
        wanneer = f"{naam} heeft een waarde vanaf {p.dates[0].isoformat()}"
    else:
        wanneer = f"{naam} is bekend tot en met {p.valid_until.isoformat()}"
    soort = "het beleid van de gemeente" if p.soort == "beleid" else "de wet"
    hint = (f"; had de gemeente de {regeling} toen al, leg dat vast in haar eigen parametermap "
            f"('lks parameters show {naam}', 'lks parameters check')" if p.soort == "beleid" else "")
    return (f"regeling {regeling} bestond voor deze gemeente niet op startdatum {start.isoformat()} "
            f"(volgens {soort}: {wanneer}){hint}")


def _rows_of_refused_plaatsingen(files: dict[str, _File], fouten: list[ImportFout]) -> list[ImportFout]:
    """A loonwaarde or urenwijziging (any file keyed by plaatsing) for a plaatsing that this
    same import refuses is refused too, with the line that refuses the plaatsing: the user
    sees every row the correction touches."""
    plaatsingen = files.get("plaatsingen.csv")
    if plaatsingen is None:
        return []
    refused_lines = {f.regel for f in fouten if f.bestand == "plaatsingen.csv" and f.regel}
    refused = {}
    for row in plaatsingen.rows:
        if row.line in refused_lines and row.raw.get("plaatsing_id"):
            refused.setdefault(row.raw["plaatsing_id"], row.line)
    out = []
    for name, parsed in files.items():
        if name == "plaatsingen.csv" or "plaatsing_id" not in parsed.spec.columns:
            continue
        for row in parsed.rows:
            line = refused.get(row.raw.get("plaatsing_id", ""))
            if line is not None:
                out.append(ImportFout(name, row.line, "plaatsing_id", (
                    f"plaatsing {row.raw['plaatsing_id']} wordt in deze levering geweigerd "
                    f"(plaatsingen.csv regel {line})")))
    return out


def _known_ids(parsed: _File | None, stored: dict[tuple, dict]) -> set[str] | None:
    """Ids a reference may point to; None when the file could not be read (its ids are
    unknown, so references into it are not reported as errors on top)."""
    if parsed is not None and not parsed.readable:
        return None
    ids = {key[0] for key in stored}
    if parsed is not None:
        ids |= {row.raw.get(parsed.spec.key[0], "") for row in parsed.rows}
    return ids


def _check_minimum_age(files: dict[str, _File], stored: dict[str, dict]) -> list[ImportFout]:
    """Rekenregels §2.1: a werknemer under 15 at startdatum is refused. Checked for every
    plaatsing in the import, and for stored plaatsingen whose werknemer gets a new
    geboortedatum in this import."""
    fouten = []
    imported_werknemers = {row.values["werknemer_id"]: row for row in
                           _valid_rows(files.get("werknemers.csv"))}
    imported_plaatsingen = {row.values["plaatsing_id"]: row for row in
                            _valid_rows(files.get("plaatsingen.csv"))}

    def geboortedatum(werknemer_id):
        if werknemer_id in imported_werknemers:
            return imported_werknemers[werknemer_id].values["geboortedatum"]
        known = stored["werknemers.csv"].get((werknemer_id,))
        return known["geboortedatum"] if known else None

    for plaatsing_id, row in imported_plaatsingen.items():
        werknemer_id, start = row.values["werknemer_id"], row.values["startdatum"]
        born = geboortedatum(werknemer_id)
        if born is not None and start < _birthday(born, MINIMUM_LEEFTIJD):
            fouten.append(ImportFout("plaatsingen.csv", row.line, "startdatum", (
                f"werknemer {werknemer_id} is op startdatum {start.isoformat()} jonger dan "
                f"{MINIMUM_LEEFTIJD} jaar (geboortedatum {born.isoformat()})")))
    for plaatsing_id, stored_row in stored["plaatsingen.csv"].items():
        werknemer_id = stored_row["werknemer_id"]
        if plaatsing_id[0] in imported_plaatsingen or werknemer_id not in imported_werknemers:
            continue
        row = imported_werknemers[werknemer_id]
        born, start = row.values["geboortedatum"], stored_row["startdatum"]
        if start < _birthday(born, MINIMUM_LEEFTIJD):
            fouten.append(ImportFout("werknemers.csv", row.line, "geboortedatum", (
                f"met geboortedatum {born.isoformat()} is werknemer {werknemer_id} jonger dan "
                f"{MINIMUM_LEEFTIJD} jaar op startdatum {start.isoformat()} van plaatsing "
                f"{plaatsing_id[0]} (in de database)")))
    return fouten


def _birthday(born: dt.date, years: int) -> dt.date:
    """The day the werknemer turns ``years``; a 29 February birthday falls on 1 March in
    other years (rekenregels §2.1)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def _valid_rows(parsed: _File | None):
    return [row for row in parsed.rows if row.values is not None] if parsed else []


def _intrekkingen(files: dict[str, _File]) -> list[Intrekking]:
    return [Intrekking(row.line, row.values["bestand"], row.values["plaatsing_id"], row.values["sleutel"],
                       row.values["reden"]) for row in _valid_rows(files.get(INTREKKINGEN))]


def _check_intrekkingen(files: dict[str, _File], huidig: dict[str, dict]) -> list[ImportFout]:
    """intrekkingen.csv (interfaces §2): what it withdraws must exist and not be withdrawn
    already, and this delivery may not deliver it (or, for a plaatsing, any of its facts)
    at the same time. Any problem refuses the whole delivery."""
    intrekkingen = _intrekkingen(files)
    if not intrekkingen:
        return []
    geleverd: dict[str, dict[tuple, int]] = {}
    for bestand, soort in INTREKBAAR.items():
        parsed = files.get(f"{bestand}.csv")
        if parsed is not None:
            geleverd[bestand] = {tuple(row.values[c] for c in soort.model.NATURAL_KEY): row.line
                                 for row in _valid_rows(parsed)}
    fouten = [ImportFout(INTREKKINGEN, regel, kolom, reden)
              for regel, kolom, reden in controleer_intrekkingen(intrekkingen, huidig, geleverd)]
    plaatsingen = {i.plaatsing_id: i.regel for i in intrekkingen if i.bestand == "plaatsingen"}
    for name, parsed in files.items():
        if name in (INTREKKINGEN, "plaatsingen.csv") or "plaatsing_id" not in parsed.spec.columns:
            continue
        for row in parsed.rows:
            regel = plaatsingen.get(row.raw.get("plaatsing_id", ""))
            if regel is not None:
                fouten.append(ImportFout(name, row.line, "plaatsing_id", (
                    f"plaatsing {row.raw['plaatsing_id']} wordt in deze levering ingetrokken "
                    f"({INTREKKINGEN} regel {regel})")))
    return fouten


def _opnieuw(files: dict[str, _File], huidig: dict[str, dict]) -> tuple[str, ...]:
    """Facts this delivery records again after they were withdrawn (a full delivery from a
    source system that still holds the mistake brings it back: the user is told)."""
    out = []
    for bestand, soort in INTREKBAAR.items():
        for row in _valid_rows(files.get(f"{bestand}.csv")):
            key = tuple(row.values[c] for c in soort.model.NATURAL_KEY)
            current = huidig[bestand].get(key)
            if current is not None and current.get("ingetrokken") is not None:
                sleutel = row.values[soort.sleutel_kolom] if soort.sleutel_kolom else None
                out.append(f"{soort.beschrijf(row.values['plaatsing_id'], sleutel)} was ingetrokken "
                           f"({current['ingetrokken']}) en is met {bestand}.csv regel {row.line} opnieuw vastgelegd")
    return tuple(out)


# --- stage 3: writing ---------------------------------------------------------------------

def _write(connection: Connection, directory: Path, files: dict[str, _File],
           stored: dict[str, dict], huidig: dict[str, dict], recorded_at: dt.datetime, door: str,
           client_adres: str | None, tenaamstelling: dict[str, str]) -> ImportResult:
    versions: dict[str, list[dict]] = {}
    counts: dict[str, FileCounts] = {}
    for name, parsed in files.items():
        if parsed.spec.table is None:
            counts[name] = FileCounts(new=len(parsed.rows))
            continue
        spec, new, changed, unchanged = parsed.spec, [], 0, 0
        for row in parsed.rows:
            current = stored[name].get(tuple(row.values[c] for c in spec.key))
            if current is None:
                new.append(row.values)
            elif any(current[c] != row.values[c] for c in spec.columns):
                new.append(row.values)
                changed += 1
            else:
                unchanged += 1
        versions[name] = new
        counts[name] = FileCounts(len(new) - changed, changed, unchanged)
    hashes = {name: parsed.sha256 for name, parsed in files.items()}
    source = str(directory.resolve())
    import_id = connection.execute(insert(ImportBatch).values(
        recorded_at=recorded_at, source=source, files=json.dumps(hashes, sort_keys=True),
        counts=json.dumps({n: c.__dict__ for n, c in counts.items()}, sort_keys=True),
    )).inserted_primary_key[0]
    for name, rows in versions.items():
        if rows:
            audit = {"import_id": import_id, "recorded_at": recorded_at}
            connection.execute(insert(FILES[name].table), [{**row, **audit} for row in rows])
    wacht = registreer_rekeningen(connection, versions.get("werkgevers.csv", []), door=door, now=recorded_at,
                                  bron="levering", import_id=import_id, tenaamstelling=tenaamstelling)
    ingetrokken = schrijf_intrekkingen(connection, _intrekkingen(files), huidig, import_id, recorded_at, door,
                                       client_adres)
    connection.execute(insert(AuditLog).values(
        moment=recorded_at, gebruiker=door, actie="levering", client_adres=client_adres,
        details=json.dumps({"import_id": import_id, "bestanden": sorted(hashes),
                            "nieuw_of_gewijzigd": {n: c.new + c.changed for n, c in counts.items()
                                                   if n != INTREKKINGEN},
                            "ingetrokken": len(ingetrokken),
                            "rekeningwijzigingen": [w["werkgever_id"] for w in wacht]}, sort_keys=True)))
    return ImportResult(import_id, recorded_at, source, hashes, counts,
                        tuple(w["werkgever_id"] for w in wacht), tuple(ingetrokken),
                        _opnieuw(files, huidig))


# --- helpers --------------------------------------------------------------------------------

def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _check_na_betaalrun(connection: Connection, recorded_at: dt.datetime) -> list[ImportFout]:
    """A delivery recorded before the knowledge moment (``feiten_per``) of a betaalrun that is
    already calculated would change what that run counts as having been known: its lines
    and the letters that compare with it ("as known at T") would disagree (a withdrawal
    would even make a letter say nothing was paid). Refused; a cancelled run is no basis."""
    from lks.db.models_betaalrun import Betaalrun
    laatste = connection.execute(
        select(Betaalrun.periode, Betaalrun.volgnummer, Betaalrun.feiten_per)
        .where(Betaalrun.feiten_per.is_not(None), Betaalrun.status != "geannuleerd")
        .order_by(Betaalrun.feiten_per.desc()).limit(1)).first()
    if laatste is None:
        return []
    periode, volgnummer, feiten_per = laatste
    feiten_per = _utc(feiten_per)
    if recorded_at > feiten_per:  # at feiten_per itself the run counts it as known (recorded_at <= T)
        return []
    return [ImportFout(None, None, None, (
        f"vastlegmoment {_show(recorded_at)} ligt niet na het moment waarop betaalrun {periode}-{volgnummer} is "
        f"berekend ({_show(feiten_per)}, met de gegevens die toen bekend waren); een levering kan niet "
        "terug in de tijd vóór een berekende betaalrun: laat --recorded-at weg of kies een moment daarna"))]


def _show(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sorted(fouten: list[ImportFout]) -> list[ImportFout]:
    order = {name: i for i, name in enumerate(FILES)}

    def key(fout: ImportFout):
        columns = FILES[fout.bestand].columns if fout.bestand in FILES else []
        return (fout.bestand is not None, order.get(fout.bestand, -1), fout.bestand or "",
                fout.regel or 0, columns.index(fout.kolom) if fout.kolom in columns else -1)
    return sorted(fouten, key=key)
