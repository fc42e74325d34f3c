"""A deterministic demo gemeente modelled on Het Hogeland, as the import files of
interfaces.md §2.

The policy it mirrors (re-integratiebeleid Het Hogeland 2024-2028): loonkostensubsidie
(Pw art. 10d) for werknemers with a loonwaardemeting, beschut werk mostly at the former
SW-bedrijf (Werkplein Ability, now Ontwikkelplein), and the ontwikkelbaan since 2024
(32 hours, 50 % forfait, at most 18 months, no loonwaardemeting).

Time model
----------
Every fact (a werkgever row, a plaatsing row, a loonwaarde …) is a *version* with the date it
became known to the gemeente (``known_on``). A later version of the same key (same
``plaatsing_id``; same ``plaatsing_id, ingangsdatum`` for the dated files) replaces the earlier
one, exactly as re-importing a file with the same ids does (interfaces.md §2). So:

- ``DemoGemeente.base`` is what was known on :data:`BASE_KNOWN_ON` (1 January 2025);
- ``DemoGemeente.late_facts`` lists, per later date, the rows that became known that day
  (a loonwaarde measured in March effective January, an end reported weeks late, new
  plaatsingen, an IBAN change …) with a Dutch description for the demo to print;
- ``DemoGemeente.known_on(day)`` is the cumulative set known on ``day``; importing
  ``snapshots()`` in order (each with ``recorded_at = known_on``) yields the final state.

Cumulative sets are complete, self-consistent import directories (every referenced id is in
the same set), so they import whether the importer treats a file as an upsert or not.
Nothing is known after :data:`HORIZON`, the last day with a known WML (rekenregels §5).

Everything is drawn from one ``random.Random(seed)``; there is no clock and no global random
state, so the same seed gives the same bytes on every run.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from dateutil.relativedelta import relativedelta
from schwifty import IBAN

from lks.nl import datum as _nl_datum

BASE_KNOWN_ON = dt.date(2025, 1, 1)
"""The base set is what the gemeente knew on this day."""

HORIZON = dt.date(2026, 6, 30)
"""No fact is known or dated after this day (the last day with a known WML amount)."""

IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "werkgevers.csv": ("werkgever_id", "naam", "kvk", "iban", "bic", "straat", "huisnummer",
                       "postcode", "plaats"),
    "werknemers.csv": ("werknemer_id", "bsn", "naam", "geboortedatum"),
    "plaatsingen.csv": ("plaatsing_id", "werknemer_id", "werkgever_id", "regeling",
                        "startdatum", "einddatum", "contracturen", "voltijdsuren", "urenbasis"),
    "loonwaarden.csv": ("plaatsing_id", "ingangsdatum", "loonwaarde"),
    "urenwijzigingen.csv": ("plaatsing_id", "ingangsdatum", "contracturen", "voltijdsuren"),
    "verloonde_uren.csv": ("plaatsing_id", "periode", "uren"),
}
"""File name -> header, exactly as interfaces.md §2."""

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "werkgevers.csv": ("werkgever_id",),
    "werknemers.csv": ("werknemer_id",),
    "plaatsingen.csv": ("plaatsing_id",),
    "loonwaarden.csv": ("plaatsing_id", "ingangsdatum"),
    "urenwijzigingen.csv": ("plaatsing_id", "ingangsdatum"),
    "verloonde_uren.csv": ("plaatsing_id", "periode"),
}
"""The columns that identify a record: a later row with the same key replaces it (a corrected
loonstrook replaces the month's hours)."""

REGELINGEN = ("lks", "beschut", "ontwikkelbaan")
AANTAL = {"lks": 120, "beschut": 29, "ontwikkelbaan": 16}
"""Plaatsingen on contracturen per regeling in the final state; the four oproepkrachten on
verloonde uren (``_oproepkrachten``, lks) come on top."""

ONTWIKKELBAAN_UREN = Decimal(32)
CAO_WIJZIGING = dt.date(2025, 7, 1)
"""One werkgever's cao goes from 40 to 38 hours on this day (an urenwijziging per plaatsing)."""

Row = dict[str, str]
Tables = dict[str, list[Row]]


# ---------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True)
class FactVersion:
    """One row of one import file, as it became known on ``known_on``."""

    known_on: dt.date
    bestand: str
    row: Mapping[str, str]
    omschrijving: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(self.row[c] for c in KEY_COLUMNS[self.bestand])


@dataclass(frozen=True)
class LateFact:
    """What became known on one day after the base date: only the new or replacing rows
    (``tables``: just the files that have such rows; rows may refer to ids known earlier)
    and a Dutch line per fact for the demo to print."""

    known_on: dt.date
    omschrijvingen: tuple[str, ...]
    tables: Tables


@dataclass(frozen=True)
class Snapshot:
    """The complete import set known on ``known_on`` (cumulative)."""

    known_on: dt.date
    tables: Tables


@dataclass(frozen=True)
class DemoGemeente:
    """The demo gemeente: every fact version plus the scenario plaatsingen by name.

    ``scenario`` maps a scenario name (``loonwaarde_terugwerkend``, ``einde_laat_gemeld`` …,
    see :func:`build_gemeente`) to the plaatsing_id that plays it, so the demo can point at
    it and tests can check it.
    """

    seed: int
    versions: tuple[FactVersion, ...] = field(repr=False)
    scenario: Mapping[str, str]
    base_known_on: dt.date = BASE_KNOWN_ON

    def known_on(self, day: dt.date) -> Tables:
        """The cumulative import set known on ``day`` (facts recorded that day included)."""
        return _fold(v for v in self.versions if v.known_on <= day)

    @property
    def base(self) -> Tables:
        """What was known at the start of 2025."""
        return self.known_on(self.base_known_on)

    def final(self) -> Tables:
        """Everything, as known on :data:`HORIZON`."""
        return self.known_on(HORIZON)

    @property
    def late_facts(self) -> list[LateFact]:
        """Facts that became known after the base date, one entry per day, in date order."""
        per_day: dict[dt.date, list[FactVersion]] = {}
        for v in self.versions:
            if v.known_on > self.base_known_on:
                per_day.setdefault(v.known_on, []).append(v)
        return [LateFact(day, tuple(v.omschrijving for v in vs if v.omschrijving),
                         {name: rows for name, rows in _fold(vs).items() if rows})
                for day, vs in sorted(per_day.items())]

    def snapshots(self) -> list[Snapshot]:
        """The base set, then one cumulative set per day on which something became known.
        Importing them in order, each recorded on its ``known_on``, yields :meth:`final`.
        A monthly cycle can instead import ``known_on(run day)`` once per month."""
        days = [self.base_known_on] + [f.known_on for f in self.late_facts]
        return [Snapshot(day, self.known_on(day)) for day in days]


@dataclass(frozen=True)
class Samenvatting:
    """Counts the demo prints about one import set."""

    werkgevers: int
    werknemers: int
    plaatsingen: Mapping[str, int]
    onder_21_bij_start: int
    loonwaarden: int
    urenwijzigingen: int
    verloond: int = 0          # plaatsingen on verloonde uren (rekenregels §7)
    loonstroken: int = 0       # months with verloonde uren (rows of verloonde_uren.csv)

    def regels(self) -> list[str]:
        """Dutch lines for the console."""
        p = self.plaatsingen
        totaal = sum(p.values())
        regels = [
            f"{self.werkgevers} werkgevers, {self.werknemers} werknemers "
            f"({self.onder_21_bij_start} jonger dan 21 bij de start)",
            f"{totaal} plaatsingen: {p.get('lks', 0)} loonkostensubsidie, "
            f"{p.get('beschut', 0)} beschut werk, {p.get('ontwikkelbaan', 0)} ontwikkelbaan",
            f"{self.loonwaarden} loonwaarden, {self.urenwijzigingen} urenwijzigingen",
        ]
        if self.verloond:
            regels.append(f"{self.verloond} oproepkrachten op verloonde uren, {self.loonstroken} maanden "
                          "met uren van de loonstrook")
        return regels


# ---------------------------------------------------------------------------------------
# Pure helpers on import sets


def leeftijd(geboortedatum: dt.date, dag: dt.date) -> int:
    """Age in whole years on ``dag``; a 29 February birthday falls on 1 March in other
    years (rekenregels §2.1)."""
    jaren = dag.year - geboortedatum.year
    return jaren - 1 if dag < _verjaardag(geboortedatum, dag.year) else jaren


def samenvatting(tables: Tables) -> Samenvatting:
    """Counts per regeling, werkgevers, werknemers and werknemers younger than 21 at the
    start of (one of) their plaatsingen."""
    geboren = {r["werknemer_id"]: dt.date.fromisoformat(r["geboortedatum"])
               for r in tables.get("werknemers.csv", [])}
    per_regeling = {r: 0 for r in REGELINGEN}
    jong: set[str] = set()
    for p in tables.get("plaatsingen.csv", []):
        per_regeling[p["regeling"]] = per_regeling.get(p["regeling"], 0) + 1
        wid = p["werknemer_id"]
        if wid in geboren and leeftijd(geboren[wid], dt.date.fromisoformat(p["startdatum"])) < 21:
            jong.add(wid)
    return Samenvatting(
        werkgevers=len(tables.get("werkgevers.csv", [])),
        werknemers=len(geboren),
        plaatsingen=per_regeling,
        onder_21_bij_start=len(jong),
        loonwaarden=len(tables.get("loonwaarden.csv", [])),
        urenwijzigingen=len(tables.get("urenwijzigingen.csv", [])),
        verloond=sum(p.get("urenbasis") == "verloond" for p in tables.get("plaatsingen.csv", [])),
        loonstroken=len(tables.get("verloonde_uren.csv", [])),
    )


def merge_tables(*sets: Tables) -> Tables:
    """Later sets replace rows with the same key (KEY_COLUMNS) of earlier ones."""
    return _fold(FactVersion(dt.date.min, name, row)
                 for tables in sets for name, rows in tables.items() for row in rows)


def render_csv(tables: Tables) -> dict[str, str]:
    """File name -> CSV text (header row, comma, '\\n' line ends) for every file in
    ``tables``, columns in the order of interfaces.md §2."""
    out = {}
    for name, rows in tables.items():
        columns = IMPORT_COLUMNS[name]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])
        out[name] = buffer.getvalue()
    return out


def write_import_dir(tables: Tables, directory: str | Path) -> list[Path]:
    """Write ``tables`` as UTF-8 import files into ``directory`` (created if needed);
    returns the paths written. A file present in ``tables`` with no rows is written with
    only its header."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in render_csv(tables).items():
        path = directory / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def as_frames(tables: Tables):
    """The set as pandas DataFrames of strings, one per file (columns as in §2)."""
    import pandas as pd

    return {name: pd.DataFrame(rows, columns=list(IMPORT_COLUMNS[name]), dtype="string")
            for name, rows in tables.items()}


def _fold(versions: Iterable[FactVersion]) -> Tables:
    """Apply versions in order (later replaces same key); rows sorted by key."""
    state: dict[str, dict[tuple[str, ...], Row]] = {name: {} for name in IMPORT_COLUMNS}
    for v in versions:
        state[v.bestand][v.key] = dict(v.row)
    return {name: [rows[k] for k in sorted(rows)] for name, rows in state.items()}


# ---------------------------------------------------------------------------------------
# Catalogue: werkgevers of the region, villages, streets, names

# (naam, plaats, soort, cao voltijdsuren, flags)
# flags: "exclusief" = only its scenario plaatsing(en); "cao_2025" = cao 40 -> 38 per CAO_WIJZIGING
_WERKGEVERS: tuple[tuple[str, str, str, int, str], ...] = (
    ("Ability Leerwerkbedrijf B.V.", "Uithuizen", "sw", 36, ""),
    ("Ability Groen en Onderhoud", "Winsum", "sw", 36, ""),
    ("Zorgboerderij De Hoogte", "Kloosterburen", "zorgboerderij", 36, ""),
    ("Zorgboerderij 't Olde Hof", "Usquert", "zorgboerderij", 36, ""),
    ("Zorgboerderij Ons Stee", "Eenrum", "zorgboerderij", 38, ""),
    ("Zorgboerderij Kleine Hoeve", "Middelstum", "zorgboerderij", 36, ""),
    ("Kringloopwinkel De Tweede Ronde", "Winsum", "kringloop", 36, ""),
    ("Kringloop Hogeland", "Uithuizen", "kringloop", 36, ""),
    ("Kringloop Het Warenhuus", "Bedum", "kringloop", 38, ""),
    ("Bakkerij Ömer & Zn.", "Uithuizen", "bakkerij", 38, ""),
    ("Bakkerij Bolt", "Warffum", "bakkerij", 38, ""),
    ("Warme Bakker Hofstee", "Bedum", "bakkerij", 38, ""),
    ("Banketbakkerij Venema", "Leens", "bakkerij", 38, ""),
    ("Café De Vrijheid", "Zoutkamp", "horeca", 38, ""),
    ("Brasserie Onder de Linden", "Middelstum", "horeca", 38, ""),
    ("Eetcafé 't Gemaal", "Kloosterburen", "horeca", 38, ""),
    ("Restaurant De Kustvaarder", "Lauwersoog", "horeca", 38, ""),
    ("Snackbar De Kroon", "Ulrum", "horeca", 38, ""),
    ("Crêperie Wadzicht", "Pieterburen", "horeca", 38, "exclusief"),
    ("Supermarkt Poelman", "Uithuizermeeden", "supermarkt", 38, ""),
    ("Buurtsuper Bos", "Baflo", "supermarkt", 38, ""),
    ("Dorpswinkel Pieterburen", "Pieterburen", "supermarkt", 38, ""),
    ("Supermarkt Van Dellen", "Bedum", "supermarkt", 38, ""),
    ("Garage Wiersma", "Leens", "garage", 38, ""),
    ("Autobedrijf Dijkstra", "Baflo", "garage", 38, ""),
    ("Garagebedrijf Hoekstra V.O.F.", "Middelstum", "garage", 38, ""),
    ("Rijwielhandel Van Dijk", "Uithuizen", "garage", 38, ""),
    ("Hoveniersbedrijf Ten Brink", "Bedum", "groen", 38, ""),
    ("Hoveniersbedrijf Groenhof", "Usquert", "groen", 38, ""),
    ("Groen, Grond & Water B.V.", "Winsum", "groen", 40, ""),
    ("Tuincentrum De Wierde", "Warffum", "groen", 38, ""),
    ("Installatiebedrijf Van der Veen", "Usquert", "installatie", 40, ""),
    ("Installatietechniek Noord B.V.", "Bedum", "installatie", 40, ""),
    ("Elektrotechniek Smit", "Kantens", "installatie", 40, ""),
    ("Schoonmaakbedrijf Schoon & Fris", "Bedum", "schoonmaak", 38, ""),
    ("Schoonmaakdiensten Hogeland B.V.", "Winsum", "schoonmaak", 38, ""),
    ("Glazenwasserij Oosterhuis", "Uithuizen", "schoonmaak", 38, ""),
    ("Bouwbedrijf Zuidema B.V.", "Warffum", "bouw", 40, ""),
    ("Timmerbedrijf Mulder", "Eenrum", "bouw", 40, ""),
    ("Schildersbedrijf Bakker", "Leens", "bouw", 40, ""),
    ("Loonbedrijf Boersma", "Kloosterburen", "agrarisch", 40, ""),
    ("Melkveebedrijf Huizinga", "Roodeschool", "agrarisch", 40, ""),
    ("Akkerbouwbedrijf Kuipers", "Uithuizermeeden", "agrarisch", 40, ""),
    ("Kaasboerderij Olthof", "Onderdendam", "agrarisch", 38, ""),
    ("Kwekerij De Kas", "Winsum", "agrarisch", 38, ""),
    ("Vishandel Kramer & Zn.", "Zoutkamp", "food", 38, ""),
    ("Slagerij Meijer", "Winsum", "food", 38, ""),
    ("Visverwerking Lauwersmeer B.V.", "Zoutkamp", "food", 40, ""),
    ("Metaalbewerking Noord B.V.", "Uithuizermeeden", "industrie", 40, ""),
    ("Transportbedrijf Nienhuis", "Bedum", "industrie", 40, "cao_2025"),
    ("Drukkerij Wolters", "Winsum", "industrie", 38, ""),
    ("Wasserij Hogeland B.V.", "Uithuizen", "industrie", 38, ""),
    ("Verhuisbedrijf Koster", "Warffum", "industrie", 40, ""),
    ("Kinderopvang 't Kwetternest", "Baflo", "zorg", 36, ""),
    ("Woonzorgcentrum Avondrust", "Uithuizermeeden", "zorg", 36, ""),
    ("Dierenpension De Wadden", "Pieterburen", "overig", 38, ""),
    ("Camping Lauwerszee", "Lauwersoog", "overig", 38, ""),
    ("Bloemenhuis Flora", "Bedum", "overig", 38, ""),
    ("Kapsalon Lize", "Winsum", "overig", 38, "exclusief"),
    ("Drogisterij De Gaper", "Leens", "overig", 38, ""),
    ("Sporthal De Wierde", "Kantens", "overig", 36, ""),
)

# soort -> weight per regeling (lks, beschut, ontwikkelbaan)
_SOORT_GEWICHT: dict[str, tuple[float, float, float]] = {
    "sw": (0.3, 9.0, 0.0),
    "zorgboerderij": (1.0, 2.0, 0.5),
    "kringloop": (2.0, 2.0, 1.5),
    "bakkerij": (1.0, 0.0, 1.0),
    "horeca": (1.0, 0.0, 1.0),
    "supermarkt": (1.5, 0.0, 1.0),
    "garage": (1.0, 0.0, 1.0),
    "groen": (1.5, 1.0, 1.0),
    "installatie": (1.0, 0.0, 1.0),
    "schoonmaak": (1.5, 0.5, 1.0),
    "bouw": (1.0, 0.0, 1.0),
    "agrarisch": (1.0, 0.0, 0.5),
    "food": (1.0, 0.0, 1.0),
    "industrie": (1.0, 1.0, 1.0),
    "zorg": (1.0, 0.0, 1.0),
    "overig": (0.7, 0.0, 0.7),
}

# Villages of Het Hogeland with their postcode digits and streets.
_PLAATSEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "Uithuizen": ("9981", ("Hoofdstraat West", "Hoofdstraat Oost", "Spoorstraat", "Oude Dijk",
                           "Industrieweg", "Molenweg", "Westerstraat")),
    "Uithuizermeeden": ("9982", ("Hoofdstraat", "Oosterstraat", "Kerkstraat", "Nijverheidsweg")),
    "Roodeschool": ("9983", ("Hoofdweg", "Stationsweg", "Oude Dijk")),
    "Usquert": ("9988", ("Hoofdstraat", "Kerkstraat", "Stationsstraat", "Wadweg")),
    "Warffum": ("9989", ("Hoofdstraat", "Noorderstraat", "Schoolstraat", "Stationsweg",
                         "Industrieweg")),
    "Middelstum": ("9991", ("Hoofdstraat", "Kerkstraat", "Stationsweg", "Molenweg")),
    "Kantens": ("9995", ("Hoofdstraat", "Kerkstraat", "Middelstumerweg")),
    "Onderdendam": ("9959", ("Hoofdstraat", "Warffumerweg", "Molenweg")),
    "Winsum": ("9951", ("Hoofdstraat", "Stationsweg", "Onderdendamsterweg", "Industrieweg",
                        "Eikenlaan", "Schouwerzijlsterweg")),
    "Baflo": ("9953", ("Hoofdstraat", "Kerkstraat", "Warfhuisterweg")),
    "Leens": ("9965", ("Hoofdstraat", "Molenweg", "Schoolstraat", "Kerkstraat")),
    "Eenrum": ("9967", ("Hoofdstraat", "Molenstraat", "Kerkstraat")),
    "Pieterburen": ("9968", ("Hoofdstraat", "Waddenweg", "Kerkstraat")),
    "Ulrum": ("9971", ("Hoofdstraat", "Kerkstraat", "Molenweg")),
    "Zoutkamp": ("9974", ("Reitdiepskade", "Dorpsstraat", "Havenstraat", "Nittersweg")),
    "Lauwersoog": ("9976", ("Strandweg", "Haven", "Lauwersmeerdijk")),
    "Kloosterburen": ("9977", ("Hoofdstraat", "Molenstraat", "Kloosterweg")),
    "Bedum": ("9781", ("Stationsweg", "Molenstraat", "Grotestraat", "Boterdiep WZ",
                       "Industrieweg", "Ommelanderweg")),
}
# Postcode letters: no S (SA, SD and SS are not issued), no easily confused I/O/Q/U/Y/F.
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRTVWXZ"

# bank code -> BIC; some werkgevers leave the BIC empty (allowed by §2).
_BANKEN = (("RABO", 5), ("ABNA", 2), ("INGB", 3), ("SNSB", 1), ("TRIO", 1))

_VOORNAMEN = (
    "Jan", "Henk", "Gerrit", "Harm", "Klaas", "Jelle", "Bert", "Jeroen", "Sander", "Mark",
    "Dennis", "Kevin", "Rick", "Tim", "Bas", "Niels", "Daan", "Thijs", "Luuk", "Stijn",
    "Jesse", "Ruben", "Wouter", "Marco", "Roelf", "Geert", "Hindrik", "Albert", "Eppo",
    "Pieter", "Willem", "Menno", "Remco", "Erwin", "Anna", "Ineke", "Jolanda", "Marieke",
    "Sanne", "Lisa", "Femke", "Anouk", "Iris", "Esther", "Monique", "Petra", "Wendy", "Linda",
    "Sandra", "Anja", "Ilse", "Jantina", "Roelie", "Froukje", "Lotte", "Eva", "Zoë", "Chloë",
    "Noa", "Demi", "Kim", "Bianca", "Tineke", "Gea", "René", "Joëlle",
)
_ACHTERNAMEN = (
    "Bakker", "de Vries", "Jansen", "Smit", "Meijer", "Mulder", "Dijkstra", "Bos", "Visser",
    "de Boer", "Huizinga", "Hoekstra", "Wiersma", "Zuidema", "Kuipers", "Nienhuis",
    "Dijkhuis", "Oosterhuis", "Westerhof", "Bolhuis", "Bosma", "Pranger", "Dallinga",
    "Hazenberg", "Wierenga", "Ritsema", "Schuiling", "Venema", "Elzinga", "Pot", "Kremer",
    "Wolters", "Jager", "Prins", "Stel", "Kamminga", "van der Veen", "van Dijk", "ten Have",
    "de Jong", "van der Laan", "de Wit", "Groenewold", "Kloosterhuis", "Tamminga", "Bronsema",
)
_NIEUWKOMERS = (  # statushouders and other newcomers (beleidsplan: "de nieuwkomer"), by origin
    (("Mohammed", "Omar", "Bilal", "Ahmad", "Samira", "Amal", "Nour"),
     ("Haddad", "Al-Hassan", "Hussein", "Mohammadi")),
    (("Yonas", "Filmon", "Rahwa", "Semhar"), ("Tesfamariam", "Berhane", "Kebede", "Tesfay")),
    (("Ayşe", "Emre", "Fatma", "Mehmet"), ("Yılmaz", "Öztürk", "Demir")),
    (("Olena", "Dmytro", "Iryna", "Oleksandr"), ("Kovalenko", "Shevchenko", "Bondarenko")),
)

_WELL_KNOWN_BSN = frozenset({"111222333", "123456782", "999999990", "012345672",
                             "100000009", "111111110", "999998456", "900000014"})

_LOONWAARDEN = tuple(range(20, 95, 5))
_LOONWAARDE_GEWICHT = (1, 1, 2, 3, 4, 4, 5, 5, 5, 4, 3, 3, 2, 1, 1)


# ---------------------------------------------------------------------------------------
# Internal drafts (mutable while building; turned into FactVersions at the end)


@dataclass(eq=False)
class _Werkgever:
    index: int
    naam: str
    plaats: str
    soort: str
    cao: int
    flags: str
    straat: str = ""
    huisnummer: str = ""
    postcode: str = ""
    kvk: str = ""
    iban: str = ""
    bic: str = ""
    gewicht: tuple[float, float, float] = (0.0, 0.0, 0.0)
    nieuwe_rekening: tuple[dt.date, str, str] | None = None  # (known_on, iban, bic)
    id: str = ""

    def cao_op(self, dag: dt.date) -> int:
        if "cao_2025" in self.flags and dag >= CAO_WIJZIGING:
            return 38
        return self.cao

    def row(self, iban: str | None = None, bic: str | None = None) -> Row:
        return {"werkgever_id": self.id, "naam": self.naam, "kvk": self.kvk,
                "iban": iban or self.iban, "bic": self.bic if bic is None else bic,
                "straat": self.straat, "huisnummer": self.huisnummer,
                "postcode": self.postcode, "plaats": self.plaats}


@dataclass(eq=False)
class _Werknemer:
    naam: str
    geboortedatum: dt.date
    bsn: str
    plaatsingen: list["_Plaatsing"] = field(default_factory=list)
    id: str = ""

    def row(self) -> Row:
        return {"werknemer_id": self.id, "bsn": self.bsn, "naam": self.naam,
                "geboortedatum": self.geboortedatum.isoformat()}


@dataclass(eq=False)
class _Plaatsing:
    seq: int
    regeling: str
    startdatum: dt.date
    tag: str = ""
    werkgever: _Werkgever | None = None
    werknemer: _Werknemer | None = None
    geboortedatum: dt.date | None = None  # scenario override for a new werknemer
    contracturen: Decimal | None = None
    voltijdsuren: int = 0
    known_on: dt.date | None = None
    # einddatum versions: (known_on, einddatum or None); the first is the plaatsing's own
    einde: list[tuple[dt.date, dt.date | None]] | None = None
    einde_plan: list[tuple[int, dt.date | None]] | None = None  # (days after known, eind)
    loonwaarden: list[tuple[dt.date, Decimal, dt.date]] | None = None  # (ingang, lw, known)
    uren: list[tuple[dt.date, Decimal, int, dt.date]] = field(default_factory=list)
    urenbasis: str = "contract"
    # verloonde uren (rekenregels §7): (periode, uren, known_on) in delivery order; a later
    # entry for the same periode is a corrected loonstrook
    verloond: list[tuple[str, Decimal, dt.date]] = field(default_factory=list)
    id: str = ""

    @property
    def einddatum(self) -> dt.date | None:
        """The final einddatum."""
        return self.einde[-1][1]

    def actief_op(self, dag: dt.date) -> bool:
        return self.startdatum <= dag and (self.einddatum is None or dag <= self.einddatum)

    def uren_op(self, dag: dt.date) -> tuple[Decimal, int]:
        uren, voltijd = self.contracturen, self.voltijdsuren
        for ingang, c, v, _ in sorted(self.uren):
            if ingang <= dag:
                uren, voltijd = c, v
        return uren, voltijd

    def vroegst_bekend(self, dag: dt.date, known_on: dt.date) -> dt.date:
        """A fact dated ``dag`` becomes known no earlier than ``known_on``, than the
        plaatsing itself, and than the version whose einddatum covers ``dag`` — so every
        cumulative set keeps dated facts inside the plaatsing's known period."""
        result = max(known_on, self.einde[0][0])
        for i, (_, eind) in enumerate(self.einde):
            if eind is not None and eind < dag:
                result = max(result, self.einde[i + 1][0])
        return result

    def row(self, einddatum: dt.date | None) -> Row:
        return {"plaatsing_id": self.id, "werknemer_id": self.werknemer.id,
                "werkgever_id": self.werkgever.id, "regeling": self.regeling,
                "startdatum": self.startdatum.isoformat(),
                "einddatum": einddatum.isoformat() if einddatum else "",
                "contracturen": _getal(self.contracturen),
                "voltijdsuren": str(self.voltijdsuren), "urenbasis": self.urenbasis}


# ---------------------------------------------------------------------------------------
# The generator


def build_gemeente(seed: int = 2025, oproepkrachten: bool = True) -> DemoGemeente:
    """Build the demo gemeente (deterministic for a given ``seed``). ``oproepkrachten``:
    with the four plaatsingen on verloonde uren (False: without them; every other fact is the
    same either way).

    About 60 werkgevers in the villages of Het Hogeland, about 155 werknemers and
    120 ``lks``, 29 ``beschut`` and 16 ``ontwikkelbaan`` plaatsingen starting 2023-2026, with
    loonwaarden, herbeoordelingen and urenwijzigingen. Scenario plaatsingen (keys of
    ``DemoGemeente.scenario``):

    - ``loonwaarde_terugwerkend``: forfait ran out end 2024; loonwaarde 45 % effective
      1 January 2025, measured and known on 14 March 2025;
    - ``loonwaarde_na_forfait``: mid-month start 16 September 2024, forfait to 15 March 2025,
      loonwaarde only from 1 June 2025 (``loonwaarde_ontbreekt`` in between);
    - ``forfait_zonder_loonwaarde``: start 1 November 2024, forfait ends 30 April 2025, never
      a loonwaarde;
    - ``einde_laat_gemeld``: the only plaatsing of its werkgever; ended 28 February 2025,
      reported on 9 April 2025 (a vordering after March was paid);
    - ``herbeoordeling_hoger``: loonwaarde 40 % -> 65 % effective 1 February 2025, known
      12 May 2025 (negative deltas set off against the werkgever's other plaatsingen); then
      70 % effective 1 November 2025, known 9 February 2026, after the vaststelling 2025 was
      made (a herziene vaststelling in February 2026, Awb art. 4:49);
    - ``wordt_21_in_2025`` (born 17 August 2004) and ``geboren_29_februari`` (born
      29 February 2004, 21 on 1 March 2025): jeugdloon ends during 2025;
    - ``contract_boven_voltijd``: contract 40 hours at a 38-hour cao;
    - ``loonwaarde_100_a`` / ``loonwaarde_100_b``: loonwaarde 100 % (b retroactively, known
      5 June 2025 effective 1 May 2025);
    - ``loonwaarde_decimaal_a`` / ``_b``: 62.5 % and 47.5 %;
    - ``uren_laat_gemeld``: 24 -> 32 hours from 17 March 2025, known 2 April 2025;
    - ``nieuwe_werkgever``: a werkgever first known on 20 March 2025 (Crêperie Wadzicht);
    - ``start_terugwerkend``: started 3 March 2025, registered 20 March 2025;
    - ``verlenging_laat_gemeld``: fixed term to 31 May 2025, extension to 31 May 2026 known
      12 June 2025;
    - ``ontwikkelbaan_18_maanden``: ontwikkelbaan from 1 February 2024, open-ended, so
      ``maximale_duur`` from 1 August 2025;
    - ``ontwikkelbaan_midden_maand``: from 17 June 2024 to 31 March 2026 (18 months reached
      17 December 2025);
    - ``beschut_met_loonwaarde_a`` / ``_b``: beschut werk with a (to be ignored) loonwaarde;
    - ``cao_wijziging``: contract 40 hours at Transportbedrijf Nienhuis, whose cao goes
      from 40 to 38 hours on 1 July 2025 (an urenwijziging for every plaatsing active there;
      from then on the contract exceeds the full-time hours);
    - ``iban_wijziging``: a werkgever (this key names its werkgever_id, not a plaatsing)
      reports a new IBAN on 2 June 2025;
    - four oproepkrachten on verloonde uren (rekenregels §7, :func:`_oproepkrachten`), whose
      loonstrook arrives around the 8th of the next month, after the run of their month:
      ``oproepkracht_seizoen`` (a season at the camping, one month above the cao cap),
      ``oproepkracht_midden_maand`` (from the 16th), ``loonstrook_gecorrigeerd`` (October 2025
      delivered again with fewer hours after it was paid) and ``loonstrook_ontbreekt`` (April
      2026 never delivered).
    """
    rng = random.Random(seed)
    werkgevers = _werkgevers(rng)
    plaatsingen = _scenario_plaatsingen(werkgevers) + _random_plaatsingen(rng)
    _kies_werkgevers(rng, plaatsingen, werkgevers)
    for p in sorted(plaatsingen, key=lambda p: (p.startdatum, p.seq)):
        _plan_einde(rng, p)
    werknemers = _werknemers(rng, plaatsingen)
    for p in plaatsingen:
        _uren(rng, p)
        _loonwaarden(rng, p)
    _urenwijzigingen(rng, plaatsingen)
    iban_werkgever = _iban_wijziging(rng, werkgevers, plaatsingen)
    _nummer(werkgevers, werknemers, plaatsingen)
    if oproepkrachten:
        plaatsingen += _oproepkrachten(seed, werkgevers, werknemers, plaatsingen)
    versions = _versions(werkgevers, plaatsingen)
    scenario = {p.tag: p.id for p in plaatsingen if p.tag}
    scenario["iban_wijziging"] = iban_werkgever.id
    return DemoGemeente(seed=seed, versions=tuple(versions), scenario=dict(sorted(scenario.items())))


def _werkgevers(rng: random.Random) -> list[_Werkgever]:
    result = []
    kvks: set[str] = set()
    rekeningen: set[str] = set()
    for index, (naam, plaats, soort, cao, flags) in enumerate(_WERKGEVERS):
        w = _Werkgever(index, naam, plaats, soort, cao, flags)
        cijfers, straten = _PLAATSEN[plaats]
        w.straat = rng.choice(straten)
        nummer = rng.randint(1, 140)
        w.huisnummer = str(nummer) + (rng.choice("abAB") if rng.random() < 0.08 else "")
        w.postcode = f"{cijfers} {rng.choice(_POSTCODE_LETTERS)}{rng.choice(_POSTCODE_LETTERS)}"
        w.kvk = _uniek(kvks, lambda: f"{rng.randint(1_000_000, 99_999_999):08d}")
        w.iban, w.bic = _rekening(rng, rekeningen)
        if rng.random() < 0.15:
            w.bic = ""
        spreiding = rng.uniform(0.5, 2.0)
        w.gewicht = (0.0, 0.0, 0.0) if "exclusief" in flags else tuple(
            g * spreiding for g in _SOORT_GEWICHT[soort])
        result.append(w)
    return result


def _rekening(rng: random.Random, gezien: set[str], niet_bank: str = "") -> tuple[str, str]:
    """A valid Dutch IBAN (mod-97 by schwifty; the account number also passes the old
    Dutch elfproef, as real pre-IBAN numbers did) and its BIC."""
    banken = [b for b, _ in _BANKEN if b != niet_bank]
    gewichten = [g for b, g in _BANKEN if b != niet_bank]
    bank = rng.choices(banken, gewichten)[0]
    while True:
        cijfers = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        controle = -sum(c * (10 - i) for i, c in enumerate(cijfers)) % 11
        if controle == 10:
            continue
        iban = IBAN.generate("NL", bank_code=bank, account_code="".join(map(str, cijfers + [controle])))
        if str(iban) not in gezien:
            gezien.add(str(iban))
            return str(iban), str(iban.bic)


def _scenario_plaatsingen(werkgevers: list[_Werkgever]) -> list[_Plaatsing]:
    """Hand-made plaatsingen for the edge cases the demo and the calculation must show."""
    d = dt.date
    wg = {w.naam: w for w in werkgevers}
    p = _Plaatsing
    result = [
        p(0, "lks", d(2024, 7, 1), "loonwaarde_terugwerkend", known_on=d(2024, 6, 10),
          einde_plan=[], loonwaarden=[(d(2025, 1, 1), Decimal(45), d(2025, 3, 14))]),
        p(0, "lks", d(2024, 9, 16), "loonwaarde_na_forfait", known_on=d(2024, 9, 2),
          einde_plan=[], loonwaarden=[(d(2025, 6, 1), Decimal(55), d(2025, 5, 26))]),
        p(0, "lks", d(2024, 11, 1), "forfait_zonder_loonwaarde", known_on=d(2024, 10, 14),
          einde_plan=[], loonwaarden=[]),
        p(0, "lks", d(2024, 4, 1), "einde_laat_gemeld", werkgever=wg["Kapsalon Lize"],
          known_on=d(2024, 3, 18), contracturen=Decimal(24),
          einde=[(d(2024, 3, 18), None), (d(2025, 4, 9), d(2025, 2, 28))],
          loonwaarden=[(d(2024, 4, 1), Decimal(50), d(2024, 4, 22))]),
        p(0, "lks", d(2024, 3, 1), "herbeoordeling_hoger", werkgever=wg["Kringloop Hogeland"],
          known_on=d(2024, 2, 12), einde_plan=[],
          loonwaarden=[(d(2024, 3, 1), Decimal(40), d(2024, 3, 22)),
                       (d(2025, 2, 1), Decimal(65), d(2025, 5, 12)),
                       (d(2025, 11, 1), Decimal(70), d(2026, 2, 9))]),
        p(0, "lks", d(2023, 9, 1), "wordt_21_in_2025", geboortedatum=d(2004, 8, 17),
          known_on=d(2023, 8, 14), einde_plan=[]),
        p(0, "lks", d(2024, 2, 1), "geboren_29_februari", geboortedatum=d(2004, 2, 29),
          known_on=d(2024, 1, 15), einde_plan=[]),
        p(0, "lks", d(2023, 5, 1), "contract_boven_voltijd",
          werkgever=wg["Supermarkt Poelman"], contracturen=Decimal(40),
          known_on=d(2023, 4, 11), einde_plan=[],
          loonwaarden=[(d(2023, 5, 1), Decimal(60), d(2023, 5, 19))]),
        p(0, "lks", d(2023, 3, 1), "loonwaarde_100_a", known_on=d(2023, 2, 13), einde_plan=[],
          loonwaarden=[(d(2023, 3, 1), Decimal(80), d(2023, 3, 24)),
                       (d(2024, 3, 1), Decimal(100), d(2024, 3, 20))]),
        p(0, "lks", d(2024, 5, 1), "loonwaarde_100_b", known_on=d(2024, 4, 15), einde_plan=[],
          loonwaarden=[(d(2024, 5, 1), Decimal(75), d(2024, 5, 27)),
                       (d(2025, 5, 1), Decimal(100), d(2025, 6, 5))]),
        p(0, "lks", d(2023, 11, 1), "loonwaarde_decimaal_a", known_on=d(2023, 10, 16),
          einde_plan=[], loonwaarden=[(d(2023, 11, 1), Decimal("62.5"), d(2023, 11, 17))]),
        p(0, "lks", d(2025, 2, 1), "loonwaarde_decimaal_b", known_on=d(2025, 1, 15),
          einde_plan=[], loonwaarden=[(d(2025, 3, 3), Decimal("47.5"), d(2025, 3, 25))]),
        p(0, "lks", d(2024, 1, 8), "uren_laat_gemeld", contracturen=Decimal(24),
          known_on=d(2023, 12, 18), einde_plan=[],
          uren=[(d(2025, 3, 17), Decimal(32), 0, d(2025, 4, 2))]),  # voltijd filled in later
        p(0, "lks", d(2025, 4, 1), "nieuwe_werkgever", werkgever=wg["Crêperie Wadzicht"],
          contracturen=Decimal(28), known_on=d(2025, 3, 20), einde_plan=[],
          loonwaarden=[(d(2025, 4, 1), Decimal(35), d(2025, 4, 25))]),
        p(0, "lks", d(2025, 3, 3), "start_terugwerkend", known_on=d(2025, 3, 20), einde_plan=[]),
        p(0, "lks", d(2024, 6, 1), "verlenging_laat_gemeld", known_on=d(2024, 5, 13),
          einde=[(d(2024, 5, 13), d(2025, 5, 31)), (d(2025, 6, 12), d(2026, 5, 31))]),
        p(0, "lks", d(2024, 9, 2), "cao_wijziging", werkgever=wg["Transportbedrijf Nienhuis"],
          contracturen=Decimal(40), known_on=d(2024, 8, 12), einde_plan=[]),
        p(0, "ontwikkelbaan", d(2024, 2, 1), "ontwikkelbaan_18_maanden",
          known_on=d(2024, 1, 22), einde_plan=[]),
        p(0, "ontwikkelbaan", d(2024, 6, 17), "ontwikkelbaan_midden_maand",
          known_on=d(2024, 6, 3), einde_plan=[(0, d(2026, 3, 31))]),
        p(0, "beschut", d(2023, 6, 1), "beschut_met_loonwaarde_a", known_on=d(2023, 5, 15),
          einde_plan=[], loonwaarden=[(d(2023, 6, 1), Decimal(30), d(2023, 6, 23))]),
        p(0, "beschut", d(2024, 10, 1), "beschut_met_loonwaarde_b", known_on=d(2024, 9, 9),
          einde_plan=[], loonwaarden=[(d(2024, 11, 1), Decimal(25), d(2024, 11, 20))]),
    ]
    for seq, plaatsing in enumerate(result):
        plaatsing.seq = seq
    return result


def _random_plaatsingen(rng: random.Random) -> list[_Plaatsing]:
    """The remaining plaatsingen up to AANTAL, with start dates spread by regeling:
    lks and beschut from 2023, ontwikkelbaan from 2024 (the regeling started then)."""
    bereik = {"lks": ((2023, 1), (2026, 3)), "beschut": ((2023, 1), (2025, 12)),
              "ontwikkelbaan": ((2024, 1), (2026, 3))}
    scenario_aantal = {"lks": 17, "beschut": 2, "ontwikkelbaan": 2}
    result = []
    for regeling in REGELINGEN:
        maanden = _maanden(*bereik[regeling])
        # fewer starts in the first months of 2026: the gemeente does not know them all yet
        gewichten = [0.6 if m.year == 2026 else 1.0 for m in maanden]
        for _ in range(AANTAL[regeling] - scenario_aantal[regeling]):
            maand = rng.choices(maanden, gewichten)[0]
            dag = 1 if rng.random() < 0.8 else rng.randint(2, 28)
            result.append(_Plaatsing(0, regeling, maand.replace(day=dag)))
    rng.shuffle(result)
    for i, p in enumerate(result):
        p.seq = 100 + i
    return result


def _kies_werkgevers(rng: random.Random, plaatsingen: list[_Plaatsing],
                     werkgevers: list[_Werkgever]) -> None:
    """Weighted choice by soort and size; afterwards every non-exclusive werkgever gets at
    least one plaatsing (moved from a werkgever that has three or more)."""
    kolom = {r: i for i, r in enumerate(REGELINGEN)}
    for p in plaatsingen:
        if p.werkgever is None:
            gewichten = [w.gewicht[kolom[p.regeling]] for w in werkgevers]
            p.werkgever = rng.choices(werkgevers, gewichten)[0]
    for w in werkgevers:
        if "exclusief" in w.flags or any(p.werkgever is w for p in plaatsingen):
            continue
        regelingen = [r for r in REGELINGEN if w.gewicht[kolom[r]] > 0]
        kandidaten = [p for p in plaatsingen if not p.tag and p.regeling in regelingen
                      and sum(q.werkgever is p.werkgever for q in plaatsingen) >= 3]
        rng.choice(kandidaten).werkgever = w


def _plan_einde(rng: random.Random, p: _Plaatsing) -> None:
    """Registration date and einddatum versions. Most plaatsingen are registered weeks before
    the start, some only after it. Endings: a fixed term known from the start (sometimes
    extended later), an early end reported around the day itself, or open-ended."""
    if p.known_on is None:
        if rng.random() < 0.8:
            p.known_on = p.startdatum - dt.timedelta(days=rng.randint(5, 50))
        else:
            p.known_on = p.startdatum + dt.timedelta(days=rng.randint(2, 25))
    if p.einde is not None:
        return
    start = p.startdatum
    einde: list[tuple[dt.date, dt.date | None]] = [(p.known_on, None)]
    if p.einde_plan is not None:
        einde += [(p.known_on + dt.timedelta(days=n), e) for n, e in p.einde_plan]
    elif p.regeling == "ontwikkelbaan":
        u = rng.random()
        # three contracts of 6 months; some continue without subsidy, some leave early
        if u < 0.45:
            einde = [(p.known_on, start + relativedelta(months=18) - dt.timedelta(days=1))]
        elif u < 0.60:
            einde = [(p.known_on, start + relativedelta(months=12) - dt.timedelta(days=1))]
        elif u < 0.80:
            einde.append(_vroeg_einde(rng, start, 120, 450))
    elif p.regeling == "beschut":
        if rng.random() < 0.15:
            einde.append(_vroeg_einde(rng, start, 120, 700))
    else:
        u = rng.random()
        if u < 0.25:
            eind = start + relativedelta(months=12) - dt.timedelta(days=1)
            einde = [(p.known_on, eind)]
            if rng.random() < 0.5:  # extended before the contract runs out
                nieuw = None if rng.random() < 0.5 else eind + relativedelta(months=12)
                einde.append((eind - dt.timedelta(days=rng.randint(5, 45)), nieuw))
        elif u < 0.42:
            einde.append(_vroeg_einde(rng, start, 90, 720))
    # a version recorded no later than the registration merges into it; none after HORIZON
    merged = [(p.known_on, einde[0][1])]
    for known, eind in einde[1:]:
        if known > HORIZON:
            break
        if known <= p.known_on:
            merged = [(p.known_on, eind)]
        else:
            merged.append((known, eind))
    p.einde = merged


def _vroeg_einde(rng: random.Random, start: dt.date, minimum: int, maximum: int):
    eind = start + dt.timedelta(days=rng.randint(minimum, maximum))
    return eind + dt.timedelta(days=rng.randint(-30, 21)), eind


def _werknemers(rng: random.Random, plaatsingen: list[_Plaatsing]) -> list[_Werknemer]:
    """One werknemer per plaatsing; about one in ten later lks plaatsingen goes to a
    werknemer whose earlier plaatsing had ended (and whose end was known) by then."""
    werknemers: list[_Werknemer] = []
    namen: set[str] = set()
    bsns: set[str] = set()
    for p in sorted(plaatsingen, key=lambda p: (p.startdatum, p.seq)):
        if not p.tag and p.regeling == "lks" and p.startdatum.year >= 2024 and rng.random() < 0.1:
            vrij = [w for w in werknemers if all(
                q.einddatum is not None and q.einddatum < p.startdatum - dt.timedelta(days=14)
                and q.einde[-1][0] <= p.startdatum and q.regeling == "lks"
                for q in w.plaatsingen)]
            if vrij:
                w = rng.choice(vrij)
                w.plaatsingen.append(p)
                p.werknemer = w
                continue
        geboren = p.geboortedatum or _geboortedatum(rng, p)
        w = _Werknemer(_naam(rng, namen), geboren, _uniek(bsns, lambda: _bsn(rng)), [p])
        p.werknemer = w
        werknemers.append(w)
    return werknemers


def _geboortedatum(rng: random.Random, p: _Plaatsing) -> dt.date:
    """Ages at the start: Pro/VSO school leavers of 17-20 in lks (jeugdloon), some young
    beschut werknemers, ontwikkelbaan for adults; never under 15."""
    jong = {"lks": 0.11, "beschut": 0.08, "ontwikkelbaan": 0.0}[p.regeling]
    if rng.random() < jong:
        jaren = rng.randint(17 if p.regeling == "lks" else 18, 20)
    else:
        jaren = min(rng.randint(21, 45), rng.randint(21, 62)) if rng.random() < 0.5 \
            else rng.randint(21, 62)
    geboren = p.startdatum - relativedelta(years=jaren) - dt.timedelta(days=rng.randint(0, 364))
    assert leeftijd(geboren, p.startdatum) >= 15
    return geboren


def _naam(rng: random.Random, gezien: set[str]) -> str:
    def trek() -> str:
        if rng.random() < 0.12:
            voornamen, achternamen = rng.choice(_NIEUWKOMERS)
            return f"{rng.choice(voornamen)} {rng.choice(achternamen)}"
        return f"{rng.choice(_VOORNAMEN)} {rng.choice(_ACHTERNAMEN)}"
    return _uniek(gezien, trek)


def _bsn(rng: random.Random) -> str:
    """A nine-digit number that passes the elfproef (9·d1 + … + 2·d8 − d9 ≡ 0 mod 11)."""
    while True:
        cijfers = [rng.randint(1, 6)] + [rng.randint(0, 9) for _ in range(7)]
        controle = sum(c * w for c, w in zip(cijfers, range(9, 1, -1))) % 11
        bsn = "".join(map(str, cijfers)) + str(controle)
        if controle < 10 and bsn not in _WELL_KNOWN_BSN and len(set(bsn)) > 3:
            return bsn


def _uren(rng: random.Random, p: _Plaatsing) -> None:
    """Contracturen by regeling; voltijdsuren from the werkgever's cao. Now and then an
    lks contract above the cao full-time (hours above it are never subsidised)."""
    p.voltijdsuren = p.werkgever.cao_op(p.startdatum)
    if p.regeling == "ontwikkelbaan":
        p.contracturen = ONTWIKKELBAAN_UREN
    elif p.contracturen is None:
        if p.regeling == "lks":
            keuzes = ("16", "20", "24", "28", "32", "36", "38", "40", "22.5", "27.5")
            gewichten = (1, 2, 3, 2, 3, 2, 1, 1, 0.3, 0.3)
        else:
            keuzes, gewichten = ("16", "20", "24", "28", "32", "36"), (1, 2, 3, 3, 3, 2)
        uren = Decimal(rng.choices(keuzes, gewichten)[0])
        if uren > p.voltijdsuren and not (p.regeling == "lks" and rng.random() < 0.3):
            uren = Decimal(p.voltijdsuren)
        p.contracturen = uren
    p.uren = [(ingang, c, v or p.werkgever.cao_op(ingang), known)
              for ingang, c, v, known in p.uren]


def _loonwaarden(rng: random.Random, p: _Plaatsing) -> None:
    """An lks loonwaarde measured at the start or some weeks later (inside the 6-month
    forfait), reported a few weeks after the meting; herbeoordelingen about a year later.
    Plaatsingen starting in 2026 may still be in their forfait without one."""
    if p.loonwaarden is not None or p.regeling != "lks":
        p.loonwaarden = [(i, w, p.vroegst_bekend(i, k)) for i, w, k in (p.loonwaarden or [])]
        return
    p.loonwaarden = []
    if p.startdatum >= dt.date(2026, 1, 1) and rng.random() < 0.5:
        return
    ingang = p.startdatum if rng.random() < 0.4 else \
        p.startdatum + dt.timedelta(days=rng.randint(14, 70))
    waarde = Decimal(rng.choices(_LOONWAARDEN, _LOONWAARDE_GEWICHT)[0])
    while ingang <= HORIZON and (p.einddatum is None or ingang <= p.einddatum):
        known = p.vroegst_bekend(ingang, ingang + dt.timedelta(days=rng.randint(5, 35)))
        if known > HORIZON:
            break
        p.loonwaarden.append((ingang, waarde, known))
        if rng.random() >= 0.35:
            break
        # herbeoordeling: from the first of the month a year on, reported around that date
        jaar_later = ingang + relativedelta(months=12)
        ingang = jaar_later if jaar_later.day == 1 else \
            jaar_later + relativedelta(months=1, day=1)
        wijziging = rng.choice((-10, -5, 5, 5, 10, 10, 15))
        waarde = Decimal(min(95, max(10, int(waarde) + wijziging)))


def _urenwijzigingen(rng: random.Random, plaatsingen: list[_Plaatsing]) -> None:
    """A handful of mid-month hour changes (lks and beschut), plus the cao change of one
    werkgever (40 -> 38 on CAO_WIJZIGING) for every plaatsing active there on that day."""
    kandidaten = [p for p in plaatsingen if not p.tag and p.regeling != "ontwikkelbaan"
                  and "cao_2025" not in p.werkgever.flags]
    gekozen = 0
    for p in rng.sample(kandidaten, len(kandidaten)):
        if gekozen == 7:
            break
        van = max(p.startdatum + dt.timedelta(days=60), dt.date(2024, 3, 1))
        tot = min(p.einddatum or HORIZON, dt.date(2026, 3, 31))
        maanden = _maanden((van.year, van.month), (tot.year, tot.month))[1:-1]
        if not maanden:
            continue
        ingang = rng.choice(maanden).replace(day=rng.randint(2, 28))
        oud, voltijd = p.uren_op(ingang)
        opties = [oud + d for d in (Decimal(-8), Decimal(-4), Decimal(4), Decimal(8))
                  if Decimal(12) <= oud + d <= voltijd]
        if not opties:
            continue
        known = p.vroegst_bekend(ingang, ingang + dt.timedelta(days=rng.randint(-21, 14)))
        if known > HORIZON:
            continue
        p.uren.append((ingang, rng.choice(opties), voltijd, known))
        gekozen += 1
    for p in plaatsingen:
        if "cao_2025" in p.werkgever.flags and p.startdatum < CAO_WIJZIGING \
                and p.actief_op(CAO_WIJZIGING):
            uren, _ = p.uren_op(CAO_WIJZIGING)
            known = p.vroegst_bekend(CAO_WIJZIGING, dt.date(2025, 6, 10))
            p.uren.append((CAO_WIJZIGING, uren, 38, known))


def _iban_wijziging(rng: random.Random, werkgevers: list[_Werkgever],
                    plaatsingen: list[_Plaatsing]) -> _Werkgever:
    """One werkgever known in the base set switches bank on 2 June 2025."""
    in_basis = [w for w in werkgevers if "exclusief" not in w.flags and any(
        p.werkgever is w and p.known_on <= BASE_KNOWN_ON for p in plaatsingen)]
    w = rng.choice(in_basis)
    gezien = {x.iban for x in werkgevers}
    iban, bic = _rekening(rng, gezien, niet_bank=w.iban[4:8])
    w.nieuwe_rekening = (dt.date(2025, 6, 2), iban, bic if w.bic else "")
    return w


def _nummer(werkgevers: list[_Werkgever], werknemers: list[_Werknemer],
            plaatsingen: list[_Plaatsing]) -> None:
    """Ids in registration order, as a case system hands them out."""
    volgorde = sorted(plaatsingen, key=lambda p: (p.known_on, p.startdatum, p.seq))
    for i, p in enumerate(volgorde, 1):
        p.id = f"P{i:04d}"
    n = w = 0
    for p in volgorde:
        if not p.werknemer.id:
            n += 1
            p.werknemer.id = f"N{n:04d}"
        if not p.werkgever.id:
            w += 1
            p.werkgever.id = f"W{w:03d}"
    assert all(x.id for x in werkgevers) and all(x.id for x in werknemers)


# (tag, werkgever, startdatum, einddatum, known_on, contracturen, loonwaarde, its known_on)
_OPROEPKRACHTEN = (
    ("loonstrook_gecorrigeerd", "Café De Vrijheid", dt.date(2025, 2, 1), None, dt.date(2025, 1, 20),
     Decimal(12), Decimal(40), dt.date(2025, 2, 21)),
    ("oproepkracht_seizoen", "Camping Lauwerszee", dt.date(2025, 4, 1), dt.date(2025, 9, 30),
     dt.date(2025, 3, 10), Decimal(12), Decimal(55), dt.date(2025, 4, 18)),
    ("oproepkracht_midden_maand", "Restaurant De Kustvaarder", dt.date(2025, 6, 16), None, dt.date(2025, 6, 2),
     Decimal(16), Decimal(65), dt.date(2025, 7, 1)),
    ("loonstrook_ontbreekt", "Café De Vrijheid", dt.date(2025, 9, 1), None, dt.date(2025, 8, 18),
     Decimal(12), Decimal(50), dt.date(2025, 9, 19)),
)
SEIZOEN_UREN = {"2025-04": "48.5", "2025-05": "86.25", "2025-06": "121", "2025-07": "152.75",
                "2025-08": "171.25", "2025-09": "72"}
"""The camping's season: August above the cap of a 38-hour cao (38 × 13/3 = 164,67 h)."""
GECORRIGEERD = ("2025-10", Decimal("96.5"), Decimal("78.25"), dt.date(2025, 12, 4))
"""(periode, hours first delivered, corrected hours, when the correction arrives): after the
November run paid October on the first loonstrook, so December's run takes the difference back."""
ONTBREEKT = "2026-04"
"""The month whose loonstrook never arrives: on the werklijst at the end of the demo."""
LOONSTROOK_DAG = 8
"""A werkgever sends the loonstrook of a month around the 8th of the next (a weekend: the Monday)."""


def _loonstrook_op(periode: str) -> dt.date:
    dag = dt.date.fromisoformat(periode + "-01") + relativedelta(months=1, day=LOONSTROOK_DAG)
    return dag + dt.timedelta(days=(7 - dag.weekday()) % 7 if dag.weekday() >= 5 else 0)


def _oproepkrachten(seed: int, werkgevers: list[_Werkgever], werknemers: list[_Werknemer],
                    plaatsingen: list[_Plaatsing]) -> list[_Plaatsing]:
    """Four lks plaatsingen on verloonde uren (oproep- and min-max contracts: the contracturen
    are the minimum, information only) at three horeca and recreation werkgevers, each with
    a new werknemer. Drawn from their own random stream and numbered after every other
    plaatsing and werknemer, so the rest of the demo gemeente is exactly as without them.
    Hours per month in quarter hours; the loonstrook of a month is known on the 8th of the
    next (``_loonstrook_op``), never after HORIZON."""
    rng = random.Random(f"oproepkrachten-{seed}")
    wg = {w.naam: w for w in werkgevers}
    namen = {w.naam for w in werknemers}
    bsns = {w.bsn for w in werknemers}
    volgnummer = max(int(p.id[1:]) for p in plaatsingen)
    werknemer_nummer = max(int(w.id[1:]) for w in werknemers)
    uit = []
    for tag, naam, start, einde, known, contract, loonwaarde, lw_known in _OPROEPKRACHTEN:
        werkgever = wg[naam]
        geboren = start - relativedelta(years=rng.randint(22, 45)) - dt.timedelta(days=rng.randint(0, 364))
        werknemer_nummer += 1
        w = _Werknemer(_naam(rng, namen), geboren, _uniek(bsns, lambda: _bsn(rng)), id=f"N{werknemer_nummer:04d}")
        volgnummer += 1
        p = _Plaatsing(0, "lks", start, tag, werkgever=werkgever, werknemer=w, contracturen=contract,
                       voltijdsuren=werkgever.cao_op(start), known_on=known, einde=[(known, einde)],
                       loonwaarden=[(start, loonwaarde, lw_known)], urenbasis="verloond", id=f"P{volgnummer:04d}")
        w.plaatsingen.append(p)
        laatste = min(einde or HORIZON, HORIZON)
        for maand in _maanden((start.year, start.month), (laatste.year, laatste.month)):
            periode = f"{maand:%Y-%m}"
            if _loonstrook_op(periode) > HORIZON or (tag == "loonstrook_ontbreekt" and periode == ONTBREEKT):
                continue
            if tag == "oproepkracht_seizoen":
                uren = Decimal(SEIZOEN_UREN[periode])
            elif tag == "loonstrook_gecorrigeerd" and periode == GECORRIGEERD[0]:
                uren = GECORRIGEERD[1]
            else:  # a month from the 16th: about half the hours
                uren = Decimal(rng.randint(120, 440) // (2 if maand < start else 1)) / 4
            p.verloond.append((periode, uren, _loonstrook_op(periode)))
        if tag == "loonstrook_gecorrigeerd":
            p.verloond.append((GECORRIGEERD[0], GECORRIGEERD[2], GECORRIGEERD[3]))
        uit.append(p)
    return uit


def _versions(werkgevers: list[_Werkgever], plaatsingen: list[_Plaatsing]) -> list[FactVersion]:
    """Every row version with its known_on date, in a stable order."""
    volgorde = sorted(plaatsingen, key=lambda p: p.id)
    eerst_wg: dict[str, _Plaatsing] = {}
    eerst_wn: dict[str, _Plaatsing] = {}
    for p in sorted(volgorde, key=lambda p: (p.known_on, p.id)):
        eerst_wg.setdefault(p.werkgever.id, p)
        eerst_wn.setdefault(p.werknemer.id, p)
    versions: list[FactVersion] = []
    for w in sorted(werkgevers, key=lambda w: w.id):
        versions.append(FactVersion(eerst_wg[w.id].known_on, "werkgevers.csv", w.row()))
        if w.nieuwe_rekening:
            known, iban, bic = w.nieuwe_rekening
            versions.append(FactVersion(known, "werkgevers.csv", w.row(iban, bic),
                                        f"{w.naam} ({w.id}) meldt een nieuw rekeningnummer "
                                        f"{iban}"))
    for p in volgorde:
        if eerst_wn[p.werknemer.id] is p:
            versions.append(FactVersion(p.known_on, "werknemers.csv", p.werknemer.row()))
    for p in volgorde:
        nieuw_wg = " (nieuwe werkgever)" if eerst_wg[p.werkgever.id] is p else ""
        known, eind = p.einde[0]
        tot = f" tot en met {_nl_datum(eind)}" if eind else ""
        versions.append(FactVersion(known, "plaatsingen.csv", p.row(eind),
                                    f"Nieuwe plaatsing {p.id} ({p.regeling}): "
                                    f"{p.werknemer.naam} bij {p.werkgever.naam}{nieuw_wg}, "
                                    f"vanaf {_nl_datum(p.startdatum)}{tot}"))
        vorig = eind
        for known, eind in p.einde[1:]:
            if eind is None:
                tekst = f"Plaatsing {p.id} wordt voortgezet voor onbepaalde tijd"
            elif vorig is None or eind < vorig:
                tekst = f"Plaatsing {p.id} beëindigd, laatste dag {_nl_datum(eind)}"
            else:
                tekst = f"Plaatsing {p.id} verlengd tot en met {_nl_datum(eind)}"
            versions.append(FactVersion(known, "plaatsingen.csv", p.row(eind), tekst))
            vorig = eind
        oud = None
        for ingang, waarde, known in sorted(p.loonwaarden):
            row = {"plaatsing_id": p.id, "ingangsdatum": ingang.isoformat(),
                   "loonwaarde": _getal(waarde)}
            tekst = (f"Loonwaarde {p.id}: {_procent(waarde)} per {_nl_datum(ingang)}"
                     if oud is None else
                     f"Herbeoordeling {p.id}: loonwaarde {_procent(oud)} → {_procent(waarde)} "
                     f"per {_nl_datum(ingang)}")
            versions.append(FactVersion(known, "loonwaarden.csv", row, tekst))
            oud = waarde
        for ingang, uren, voltijd, known in sorted(p.uren):
            vorig_uren, vorig_voltijd = p.uren_op(ingang - dt.timedelta(days=1))
            row = {"plaatsing_id": p.id, "ingangsdatum": ingang.isoformat(),
                   "contracturen": _getal(uren), "voltijdsuren": str(voltijd)}
            if voltijd != vorig_voltijd:
                tekst = (f"Cao-wijziging {p.werkgever.naam}: voltijd {vorig_voltijd} → "
                         f"{voltijd} uur per week voor {p.id} per {_nl_datum(ingang)}")
            else:
                tekst = (f"Urenwijziging {p.id}: {_uren_nl(vorig_uren)} → {_uren_nl(uren)} uur "
                         f"per week per {_nl_datum(ingang)}")
            versions.append(FactVersion(known, "urenwijzigingen.csv", row, tekst))
        geleverd: dict[str, Decimal] = {}
        for periode, uren, known in p.verloond:
            row = {"plaatsing_id": p.id, "periode": periode, "uren": _getal(uren)}
            maand = _nl_maand(periode)
            tekst = (f"Gecorrigeerde loonstrook {maand} van {p.id} ({p.werkgever.naam}): {_uren_nl(geleverd[periode])}"
                     f" → {_uren_nl(uren)} verloonde uren" if periode in geleverd else
                     f"Loonstrook {maand} van {p.id} ({p.werkgever.naam}): {_uren_nl(uren)} verloonde uren")
            versions.append(FactVersion(known, "verloonde_uren.csv", row, tekst))
            geleverd[periode] = uren
    return sorted(versions, key=lambda v: v.known_on)  # stable: ties keep the order above


# ---------------------------------------------------------------------------------------
# Small helpers


def _uniek(gezien: set[str], trek) -> str:
    while True:
        waarde = trek()
        if waarde not in gezien:
            gezien.add(waarde)
            return waarde


def _maanden(van: tuple[int, int], tot: tuple[int, int]) -> list[dt.date]:
    result, dag = [], dt.date(van[0], van[1], 1)
    while (dag.year, dag.month) <= tot:
        result.append(dag)
        dag += relativedelta(months=1)
    return result


def _verjaardag(geboortedatum: dt.date, jaar: int) -> dt.date:
    if geboortedatum.month == 2 and geboortedatum.day == 29:
        try:
            return dt.date(jaar, 2, 29)
        except ValueError:
            return dt.date(jaar, 3, 1)
    return geboortedatum.replace(year=jaar)


def _getal(waarde: Decimal) -> str:
    """'40', '62.5': dot decimals, no trailing zeros."""
    tekst = format(waarde, "f")
    return tekst.rstrip("0").rstrip(".") if "." in tekst else tekst


def _nl_maand(periode: str) -> str:
    """'oktober 2025'."""
    return _nl_datum(dt.date.fromisoformat(periode + "-01")).split(" ", 1)[1]


def _procent(waarde: Decimal) -> str:
    return _uren_nl(waarde) + " %"


def _uren_nl(waarde: Decimal) -> str:
    """'27,5': a number as a Dutch reader writes it (descriptions only, never in a CSV)."""
    return _getal(waarde).replace(".", ",")
