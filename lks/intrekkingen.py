"""Withdrawing a fact that was imported by mistake (``intrekkingen.csv``, interfaces §2).

A withdrawal is one more version of the fact's natural key, recorded at the moment of the
import that brings it and carrying the reason (``ingetrokken``). From that moment the fact
counts as never having been true (``lks.facts.current_versions`` leaves it out, so the
calculation, the betaalrun, the letters, the werklijst and the reports all stop seeing it);
"as known at T" before that moment still shows it, and the audit log says who withdrew what
and why. What was paid on it is corrected by the next betaalrun like any late fact: the
plaatsing-months it no longer has are taken back (negative deltas, verrekening, vordering).

Withdrawing a plaatsing withdraws with it every fact of that plaatsing in the other
withdrawable tables (its loonwaarden, urenwijzigingen, …): they belong to the mistake.

The withdrawable facts are one registry, ``INTREKBAAR``, keyed by the ``bestand`` column of
the file: a new fact table keyed by plaatsing (``verloonde_uren``, keyed by ``periode``) is
one entry here plus the ``_Intrekbaar`` mixin on its model.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Connection, insert

from lks.db.models import Loonwaarde, Plaatsing, Urenwijziging, VerloondeUren
from lks.db.models_betaalrun import AuditLog
from lks.facts import current_versions
from lks.nl import is_maand

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _datum(tekst: str) -> dt.date:
    if not _ISO_DATE.match(tekst):
        raise ValueError(f"sleutel {tekst!r} is geen ingangsdatum (verwacht JJJJ-MM-DD)")
    try:
        return dt.date.fromisoformat(tekst)
    except ValueError:
        raise ValueError(f"sleutel {tekst!r} is geen bestaande datum") from None


def _periode(tekst: str) -> str:
    if not is_maand(tekst):
        raise ValueError(f"sleutel {tekst!r} is geen periode (verwacht JJJJ-MM)")
    return tekst


@dataclass(frozen=True)
class Intrekbaar:
    """One kind of fact a delivery can withdraw."""

    bestand: str                          # the value of column ``bestand``: the import file's stem
    model: type                           # the fact table (with the ``_Intrekbaar`` mixin)
    enkelvoud: str                        # how a message names one fact
    sleutel_kolom: str | None = None      # the key column besides plaatsing_id; None: the plaatsing itself
    sleutel: Callable[[str], Any] | None = None  # parses the ``sleutel`` text (raises ValueError)

    def natural_key(self, plaatsing_id: str, sleutel) -> tuple:
        return (plaatsing_id,) if self.sleutel_kolom is None else (plaatsing_id, sleutel)

    def beschrijf(self, plaatsing_id: str, sleutel) -> str:
        if self.sleutel_kolom is None:
            return f"{self.enkelvoud} {plaatsing_id}"
        waarde = sleutel.isoformat() if isinstance(sleutel, dt.date) else str(sleutel)
        return f"{self.enkelvoud} van plaatsing {plaatsing_id} per {waarde}"


INTREKBAAR: dict[str, Intrekbaar] = {i.bestand: i for i in (
    Intrekbaar("plaatsingen", Plaatsing, "plaatsing"),
    Intrekbaar("loonwaarden", Loonwaarde, "loonwaarde", "ingangsdatum", _datum),
    Intrekbaar("urenwijzigingen", Urenwijziging, "urenwijziging", "ingangsdatum", _datum),
    Intrekbaar("verloonde_uren", VerloondeUren, "verloonde uren", "periode", _periode),
)}
"""By the ``bestand`` column; the order of the interface."""


def parse_sleutel(bestand: str, tekst: str | None):
    """The ``sleutel`` column for ``bestand``: empty for a plaatsing, else parsed. Raises
    ValueError with a Dutch reason."""
    soort = INTREKBAAR[bestand]
    tekst = (tekst or "").strip()
    if soort.sleutel_kolom is None:
        if tekst:
            raise ValueError(f"sleutel moet leeg zijn bij bestand {bestand} (de plaatsing zelf wordt ingetrokken)")
        return None
    if not tekst:
        raise ValueError(f"sleutel ontbreekt: de {soort.sleutel_kolom} van de {soort.enkelvoud} die wordt ingetrokken")
    return soort.sleutel(tekst)


@dataclass(frozen=True)
class Intrekking:
    """One valid row of intrekkingen.csv."""

    regel: int
    bestand: str
    plaatsing_id: str
    sleutel: Any
    reden: str

    @property
    def soort(self) -> Intrekbaar:
        return INTREKBAAR[self.bestand]

    @property
    def key(self) -> tuple:
        return self.soort.natural_key(self.plaatsing_id, self.sleutel)

    def beschrijving(self) -> str:
        return self.soort.beschrijf(self.plaatsing_id, self.sleutel)


def huidige_versies(connection: Connection, alleen_ingetrokken: bool = False) -> dict[str, dict[tuple, dict]]:
    """Per bestand, the current version of every natural key, withdrawn ones included (with
    ``alleen_ingetrokken``: only the withdrawn ones, a small read for a delivery that
    withdraws nothing)."""
    out = {}
    for bestand, soort in INTREKBAAR.items():
        query = current_versions(soort.model, ingetrokken=True)
        if alleen_ingetrokken:
            query = query.where(soort.model.ingetrokken.is_not(None))
        rows = connection.execute(query).mappings()
        out[bestand] = {tuple(row[c] for c in soort.model.NATURAL_KEY): dict(row) for row in rows}
    return out


def controleer(intrekkingen: list[Intrekking], huidig: dict[str, dict[tuple, dict]],
               geleverd: dict[str, dict[tuple, int]]) -> list[tuple[int, str | None, str]]:
    """Bad input (interfaces §2): withdrawing what does not exist or is already withdrawn, or
    what this same delivery also delivers. ``geleverd``: per bestand the keys of the rows in
    this delivery with their line. Returns (line, column, reason) per problem."""
    fouten = []
    for i in intrekkingen:
        row = huidig[i.bestand].get(i.key)
        if row is None:
            fouten.append((i.regel, "plaatsing_id" if i.soort.sleutel_kolom is None else "sleutel",
                           f"{i.beschrijving()} bestaat niet; intrekken kan alleen wat eerder is aangeleverd"))
            continue
        if row.get("ingetrokken") is not None:
            fouten.append((i.regel, None, (
                f"{i.beschrijving()} is al ingetrokken (vastgelegd {_toon(row['recorded_at'])}, "
                f"reden: {row['ingetrokken']})")))
            continue
        regel = geleverd.get(i.bestand, {}).get(i.key)
        if regel is not None:
            fouten.append((i.regel, None, (
                f"{i.beschrijving()} wordt in deze levering ook aangeleverd ({i.bestand}.csv regel {regel}); "
                "intrekken en opnieuw aanleveren kan niet in één levering")))
    return fouten


def te_schrijven(intrekkingen: list[Intrekking], huidig: dict[str, dict[tuple, dict]]) -> list[tuple[Intrekbaar, dict, str, Intrekking]]:
    """The withdrawing versions to insert: (kind, current row, reason, the row that asks),
    a plaatsing's other facts included (each once; an explicit row wins)."""
    expliciet = {(i.bestand, i.key) for i in intrekkingen}
    out = []
    for i in intrekkingen:
        out.append((i.soort, huidig[i.bestand][i.key], i.reden, i))
        if i.soort.sleutel_kolom is not None:
            continue
        for bestand, soort in INTREKBAAR.items():
            if soort.sleutel_kolom is None:
                continue
            for key, row in sorted(huidig[bestand].items(), key=lambda kv: str(kv[0])):
                if key[0] == i.plaatsing_id and row.get("ingetrokken") is None and (bestand, key) not in expliciet:
                    out.append((soort, row, f"met plaatsing {i.plaatsing_id} ingetrokken: {i.reden}", i))
    return out


def schrijf(connection: Connection, intrekkingen: list[Intrekking], huidig: dict[str, dict[tuple, dict]],
            import_id: int, recorded_at: dt.datetime, door: str, client_adres: str | None) -> list[str]:
    """Insert the withdrawing versions and one audit record per row of the file (who, what,
    why, and what went with a plaatsing). Returns what was withdrawn, in Dutch."""
    versies = te_schrijven(intrekkingen, huidig)
    meegenomen: dict[int, list[str]] = {}
    for soort, row, reden, bron in versies:
        kolommen = {c.name: row[c.name] for c in soort.model.__table__.columns
                    if c.name not in ("id", "import_id", "recorded_at", "ingetrokken")}
        connection.execute(insert(soort.model).values(**kolommen, import_id=import_id, recorded_at=recorded_at,
                                                      ingetrokken=reden))
        if soort is not bron.soort or tuple(row[c] for c in soort.model.NATURAL_KEY) != bron.key:
            sleutel = row[soort.sleutel_kolom]
            meegenomen.setdefault(bron.regel, []).append(soort.beschrijf(row["plaatsing_id"], sleutel))
    beschreven = []
    for i in intrekkingen:
        sleutel = i.sleutel.isoformat() if isinstance(i.sleutel, dt.date) else i.sleutel
        mee = meegenomen.get(i.regel, [])
        connection.execute(insert(AuditLog).values(
            moment=recorded_at, gebruiker=door, actie="intrekking", client_adres=client_adres,
            details=json.dumps({"import_id": import_id, "bestand": i.bestand, "plaatsing_id": i.plaatsing_id,
                                "sleutel": sleutel, "reden": i.reden, "meegenomen": mee},
                               sort_keys=True, ensure_ascii=False)))
        beschreven.append(f"{i.beschrijving()} ingetrokken ({i.reden})"
                          + (f", met {', '.join(mee)}" if mee else ""))
    return beschreven


def _toon(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
