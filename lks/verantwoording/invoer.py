"""Inputs of the controller reconciliation: the finance system's booking export (CSV), camt.053
bank statements (XML), budgets, capacity figures and ontvangsten; plus generators of a
ledger export and a camt.053 for the demo and the tests.

Imports are all or nothing: every problem is reported with file, line (and column) and
nothing is stored. The same file twice is refused (sha256).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from lks.db.models import Werkgever
from lks.db.models_betaalrun import BUDGETS, Betaalrun, Betaling
from lks.db.models_verantwoording import (CAPACITEIT_SOORTEN, Bankafschrift, Bankmutatie, Boeking,
                                          BoekingImport, BudgetJaar, CapaciteitJaar, Ontvangst)
from lks.nl import systeemfout


class InvoerFout(ValueError):
    """An input that cannot be stored; ``fouten`` holds one Dutch line per problem."""

    def __init__(self, fouten: list[str]):
        self.fouten = list(fouten)
        super().__init__("; ".join(self.fouten[:5]) + (f" (en {len(self.fouten) - 5} meer)"
                                                       if len(self.fouten) > 5 else ""))


BUDGET_NAMEN = {"buig": "buig", "reintegratie": "reintegratie", "re-integratie": "reintegratie",
                "re-integratiebudget": "reintegratie", "rein": "reintegratie", "participatiebudget": "reintegratie",
                "buig-budget": "buig", "buigbudget": "buig"}
BUDGET_LABEL = {"buig": "BUIG", "reintegratie": "re-integratie"}


def parse_budget(text: str) -> str | None:
    return BUDGET_NAMEN.get(str(text).strip().lower())


_BEDRAG = re.compile(r"^-?\d+(\.\d{1,2})?$")
MAX_BEDRAG_CENT = 10 ** 15  # € 10 biljoen: beyond any budget, far within a BIGINT


def parse_bedrag(text: str) -> int:
    """A euro amount as integer cents: '1234.56', '1.234,56', '1234,5', '-12'. Never floats.
    '1.234' (a thousands point or three decimals?) is refused as ambiguous."""
    t = str(text).strip().replace("€", "").replace(" ", "").replace("\xa0", "")
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = t.replace(",", "")
    elif "," in t:
        if t.count(",") > 1:
            raise ValueError(f"'{text}' is geen bedrag")
        t = t.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t):
        raise ValueError(f"'{text}' is dubbelzinnig (duizendtalpunt of drie decimalen?); schrijf 1234.00 of 1.234,00")
    if not _BEDRAG.match(t):
        raise ValueError(f"'{text}' is geen bedrag met hoogstens twee decimalen")
    try:
        cents = int((Decimal(t) * 100).to_integral_exact())
    except InvalidOperation:
        raise ValueError(f"'{text}' is geen bedrag") from None
    if abs(cents) >= MAX_BEDRAG_CENT:
        raise ValueError(f"'{text}' is onwaarschijnlijk groot (10 biljoen euro of meer)")
    return cents


def parse_datum(text: str) -> dt.date:
    t = str(text).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            pass
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/]\d{1,2}[-/]\d{4}", t):
        raise ValueError(f"'{text}' is geen bestaande datum")
    raise ValueError(f"'{text}' is geen datum (JJJJ-MM-DD of DD-MM-JJJJ)")


# --------------------------------------------------------------------------------------------
# Ledger export (CSV)
# --------------------------------------------------------------------------------------------

GROOTBOEK_KOLOMMEN = ("boekdatum", "grootboekrekening", "budget", "bedrag", "kenmerk")


@dataclass(frozen=True)
class ImportResultaat:
    import_id: int
    regels: int
    bestand: str


def _tekst(data: bytes, bestand: str) -> str:
    """UTF-8 text (a BOM is allowed) without NUL characters; else InvoerFout with the line."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        regel = body[:exc.start].count(b"\n") + 1
        raise InvoerFout([f"{bestand}, regel {regel}: het bestand is geen geldige UTF-8 "
                          f"(byte 0x{body[exc.start]:02x}); sla het op als UTF-8"]) from None
    if "\x00" in text:
        regel = text[:text.index("\x00")].count("\n") + 1
        raise InvoerFout([f"{bestand}, regel {regel}: het bestand bevat een NUL-teken (0x00): "
                          "geen tekstbestand, of opgeslagen als UTF-16"])
    return text


def _lees(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvoerFout([f"{path.name}: kan het bestand niet lezen ({systeemfout(exc)})"]) from None


def lees_grootboek_csv(data: bytes, bestand: str) -> list[dict]:
    """Parse the booking export; raise InvoerFout listing every problem with its line."""
    text = _tekst(data, bestand)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvoerFout([f"{bestand}: het bestand is leeg"]) from None
    except csv.Error:
        raise InvoerFout([f"{bestand}, regel 1: de kopregel is geen geldige CSV"]) from None
    if not any(header):
        raise InvoerFout([f"{bestand}: het bestand is leeg"])
    missing = [k for k in GROOTBOEK_KOLOMMEN if k not in header]
    if missing:
        raise InvoerFout([f"{bestand}, regel 1: kolom ontbreekt: {', '.join(missing)} "
                          f"(verwacht: {', '.join(GROOTBOEK_KOLOMMEN)}[, omschrijving])"])
    index = {k: header.index(k) for k in header}
    fouten, rows = [], []
    for n, row in _regels(reader, bestand, fouten):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            fouten.append(f"{bestand}, regel {n}: {len(row)} velden, verwacht {len(header)}")
            continue
        waarde = {k: row[i].strip() for k, i in index.items()}
        record = {"regel": n, "omschrijving": waarde.get("omschrijving") or None}
        try:
            record["boekdatum"] = parse_datum(waarde["boekdatum"])
        except ValueError as exc:
            fouten.append(f"{bestand}, regel {n}, kolom boekdatum: {exc}")
        try:
            record["bedrag_cent"] = parse_bedrag(waarde["bedrag"])
        except ValueError as exc:
            fouten.append(f"{bestand}, regel {n}, kolom bedrag: {exc}")
        budget = parse_budget(waarde["budget"])
        if budget is None:
            fouten.append(f"{bestand}, regel {n}, kolom budget: '{waarde['budget']}' is geen budget "
                          "(buig of reintegratie)")
        record["budget"] = budget
        for k, lengte in (("grootboekrekening", 40), ("kenmerk", 100)):
            if not waarde[k]:
                fouten.append(f"{bestand}, regel {n}, kolom {k}: mag niet leeg zijn")
            elif len(waarde[k]) > lengte:
                fouten.append(f"{bestand}, regel {n}, kolom {k}: langer dan {lengte} tekens")
            record[k] = waarde[k]
        rows.append(record)
    if fouten:
        raise InvoerFout(fouten)
    if not rows:
        raise InvoerFout([f"{bestand}: geen boekingen in het bestand"])
    return rows


def _regels(reader, bestand: str, fouten: list[str]):
    """(line number where the record starts, fields) of a csv reader; a broken quote ends the
    file with one message instead of an exception."""
    line = reader.line_num
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            yield start, row
    except csv.Error:
        fouten.append(f"{bestand}, regel {line + 1}: ongeldige CSV-opbouw (controleer de aanhalingstekens)")


def importeer_grootboek(engine: Engine, path: Path, gebruiker: str, now: dt.datetime) -> ImportResultaat:
    path = Path(path)
    data = _lees(path)
    sha = hashlib.sha256(data).hexdigest()
    rows = lees_grootboek_csv(data, path.name)
    with Session(engine) as session:
        earlier = session.scalar(select(BoekingImport.id).where(BoekingImport.sha256 == sha))
        if earlier is not None:
            raise InvoerFout([f"{path.name}: dit bestand is al ingelezen (grootboekimport {earlier})"])
        imp = BoekingImport(bestand=path.name, sha256=sha, regels=len(rows), ingelezen_door=gebruiker,
                            ingelezen_op=now)
        session.add(imp)
        session.flush()
        session.add_all(Boeking(import_id=imp.id, **r) for r in rows)
        session.commit()
        return ImportResultaat(imp.id, len(rows), path.name)


# --------------------------------------------------------------------------------------------
# camt.053 bank statements
# --------------------------------------------------------------------------------------------

CAMT_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, *path):
    """First descendant following ``path`` of local names (namespace-agnostic)."""
    current = [element]
    for name in path:
        current = [c for e in current for c in e if _local(c.tag) == name]
        if not current:
            return None
    return current[0]


def _findall(element, name):
    return [c for c in element if _local(c.tag) == name]


def _text(element, *path) -> str | None:
    found = _find(element, *path) if path else element
    return found.text.strip() if found is not None and found.text else None


_EXPAT_REDENEN = {
    "syntax error": "syntaxfout (is dit wel XML?)",
    "no element found": "het bestand houdt onverwacht op (leeg of afgebroken)",
    "not well-formed (invalid token)": "ongeldig teken (is dit wel XML?)",
    "unclosed token": "het bestand houdt midden in een element op (afgebroken?)",
    "partial character": "afgebroken teken",
    "mismatched tag": "eindtag past niet bij de begintag",
    "junk after document element": "tekst na het einde van het document",
    "undefined entity": "onbekende entiteit",
    "unclosed CDATA section": "onafgesloten CDATA-sectie",
    "XML declaration not well-formed": "ongeldige XML-declaratie",
    "unknown encoding": "onbekende tekenset in de XML-declaratie",
    "encoding specified in XML declaration is incorrect": "de tekenset in de XML-declaratie klopt niet",
    "duplicate attribute": "dubbel attribuut",
    "unbound prefix": "onbekend namespace-voorvoegsel",
}


class _Doctype(Exception):
    pass


def _parse_xml(data: bytes, bestand: str):
    """(root element, {element: line}) of an XML document; InvoerFout (file, line, Dutch
    reason) when it is not well-formed, not UTF-8 while it says so, or has a DOCTYPE (never in
    a camt.053; refusing it rules out entity expansion)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    declaratie = re.match(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)", body)
    if declaratie is None or declaratie.group(1).lower() in (b"utf-8", b"utf8"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            regel = body[:exc.start].count(b"\n") + 1
            raise InvoerFout([f"{bestand}, regel {regel}: het bestand is geen geldige UTF-8 "
                              f"(byte 0x{body[exc.start]:02x})"]) from None
    builder = ET.TreeBuilder()
    regels: dict = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def naam(tag: str) -> str:
        return "{" + tag if "}" in tag else tag

    def start(tag, attrs):
        regels[builder.start(naam(tag), {naam(k): v for k, v in attrs.items()})] = parser.CurrentLineNumber

    def doctype(*_):
        raise _Doctype

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(naam(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        engels = expat.ErrorString(exc.code)
        reden = _EXPAT_REDENEN.get(engels, f"fout in de opbouw ({engels})")
        raise InvoerFout([f"{bestand}, regel {exc.lineno}, kolom {exc.offset + 1}: geen geldige XML: {reden}"]) from None
    except _Doctype:
        raise InvoerFout([f"{bestand}, regel {parser.CurrentLineNumber}: geen camt.053-bankafschrift "
                          "(bevat een DOCTYPE)"]) from None
    return builder.close(), regels


_CAMT_BEDRAG = re.compile(r"-?\d+(\.\d+)?")


def _camt_bedrag(text: str | None) -> int:
    """A camt amount ('1039.44', never negative: the direction is CdtDbtInd) as cents."""
    if text is None:
        raise ValueError("bedrag ontbreekt (<Amt>)")
    if not _CAMT_BEDRAG.fullmatch(text):
        raise ValueError(f"bedrag {text!r} is geen getal (verwacht bijvoorbeeld 1039.44)")
    if text.startswith("-"):
        raise ValueError(f"bedrag {text!r} is negatief (de richting staat in <CdtDbtInd>)")
    cents = Decimal(text) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"bedrag {text!r} heeft meer dan twee decimalen")
    if cents >= MAX_BEDRAG_CENT:
        raise ValueError(f"bedrag {text!r} is onwaarschijnlijk groot (10 biljoen euro of meer)")
    return int(cents)


def lees_camt053(data: bytes, bestand: str) -> dict:
    """Parse a camt.053.001.02 or .08 statement into entries (one per transaction). Every
    problem is reported with file, line and the statement and entry it is in."""
    root, regels = _parse_xml(data, bestand)
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if not ns.startswith(CAMT_NS_PREFIX) or _local(root.tag) != "Document":
        raise InvoerFout([f"{bestand}, regel {regels.get(root, 1)}: geen camt.053-bankafschrift "
                          f"(<{_local(root.tag)}>, namespace {ns or 'ontbreekt'})"])
    stmt_root = _find(root, "BkToCstmrStmt")
    statements = _findall(stmt_root, "Stmt") if stmt_root is not None else []
    if not statements:
        raise InvoerFout([f"{bestand}, regel {regels.get(stmt_root if stmt_root is not None else root, 1)}: "
                          "geen <Stmt> in het bestand"])
    fouten, mutaties = [], []
    afschrift_id = _text(statements[0], "Id")
    iban = _text(statements[0], "Acct", "Id", "IBAN")
    if iban is not None and len(iban) > 34:
        fouten.append(f"{bestand}, regel {regels.get(_find(statements[0], 'Acct', 'Id', 'IBAN'))}: "
                      "het IBAN van de rekening is langer dan 34 tekens")
    regel = 0
    for s_index, stmt in enumerate(statements, start=1):
        for e_index, ntry in enumerate(_findall(stmt, "Ntry"), start=1):
            def waar(*path, element=ntry, s_index=s_index, e_index=e_index) -> str:
                """File, line of the element (or of the entry when it is missing), entry."""
                found = _find(element, *path) if path else element
                return (f"{bestand}, regel {regels.get(found if found is not None else ntry)} "
                        f"(afschrift {s_index}, post {e_index})")
            sts = (_text(ntry, "Sts") or _text(ntry, "Sts", "Cd") or "").upper()
            if sts in ("PDNG", "INFO"):
                continue  # not (yet) booked: not a payment
            ok = True
            richting = _text(ntry, "CdtDbtInd")
            if richting not in ("DBIT", "CRDT"):
                fouten.append(f"{waar('CdtDbtInd')}: " + ("<CdtDbtInd> ontbreekt" if richting is None else
                                                         f"CdtDbtInd {richting!r} is ongeldig")
                              + " (DBIT of CRDT verwacht)")
                ok = False
            datum_text = (_text(ntry, "BookgDt", "Dt") or (_text(ntry, "BookgDt", "DtTm") or "")[:10]
                          or _text(ntry, "ValDt", "Dt"))
            try:
                datum = dt.date.fromisoformat(datum_text or "")
            except ValueError:
                fouten.append(f"{waar('BookgDt')}: " + ("boekdatum ontbreekt (<BookgDt><Dt>)" if not datum_text else
                                                       f"boekdatum {datum_text!r} is geen bestaande datum (JJJJ-MM-DD)"))
                ok = False
            reversal = (_text(ntry, "RvslInd") or "").lower() == "true"
            txs = [t for d in _findall(ntry, "NtryDtls") for t in _findall(d, "TxDtls")] or [None]
            for tx in txs:
                regel += 1
                if len(txs) == 1:
                    amt_el = _find(ntry, "Amt")
                else:
                    amt_el = _find(tx, "AmtDtls", "TxAmt", "Amt")
                    amt_el = amt_el if amt_el is not None else _find(tx, "Amt")
                try:
                    bedrag = _camt_bedrag(_text(amt_el) if amt_el is not None else None)
                    valuta = amt_el.get("Ccy")
                    if valuta not in (None, "EUR"):
                        raise ValueError(f"valuta {valuta!r}: alleen EUR")
                except ValueError as exc:
                    plek = amt_el if amt_el is not None else (tx if len(txs) > 1 else ntry)
                    fouten.append(f"{waar(element=plek)}: {exc}")
                    continue
                if not ok:
                    continue
                e2e = _text(tx, "Refs", "EndToEndId") if tx is not None else None
                if e2e in ("NOTPROVIDED", ""):
                    e2e = None
                reden = (_text(tx, "RtrInf", "Rsn", "Cd") if tx is not None else None)
                extra = " ".join(filter(None, [_text(ntry, "AddtlNtryInf"),
                                               _text(tx, "AddtlTxInf") if tx is not None else None]))
                if sts == "RJCT" or "RJCT" in extra.upper():
                    status = "rejected"
                elif reden or reversal or (tx is not None and _find(tx, "RtrInf") is not None):
                    status = "returned"
                else:
                    status = "booked"
                reden = reden or ("RJCT" if status == "rejected" else None)
                naam = None
                if tx is not None:
                    tegen = "Cdtr" if richting == "DBIT" else "Dbtr"
                    naam = _text(tx, "RltdPties", tegen, "Nm") or _text(tx, "RltdPties", tegen, "Pty", "Nm")
                mutaties.append({"regel": regel, "end_to_end_id": e2e[:35] if e2e else None,
                                 "bedrag_cent": bedrag, "richting": richting, "datum": datum,
                                 "status": status, "reden": reden[:35] if reden else None,
                                 "tegenpartij": naam[:140] if naam else None})
    if fouten:
        raise InvoerFout(fouten)
    return {"afschrift_id": afschrift_id, "iban": iban, "mutaties": mutaties}


def importeer_camt053(engine: Engine, path: Path, gebruiker: str, now: dt.datetime) -> ImportResultaat:
    path = Path(path)
    data = _lees(path)
    sha = hashlib.sha256(data).hexdigest()
    parsed = lees_camt053(data, path.name)
    with Session(engine) as session:
        earlier = session.scalar(select(Bankafschrift.id).where(Bankafschrift.sha256 == sha))
        if earlier is not None:
            raise InvoerFout([f"{path.name}: dit bankafschrift is al ingelezen (afschrift {earlier})"])
        afschrift = Bankafschrift(bestand=path.name, sha256=sha, afschrift_id=(parsed["afschrift_id"] or "")[:35] or None,
                                  iban=parsed["iban"], ingelezen_door=gebruiker, ingelezen_op=now)
        session.add(afschrift)
        session.flush()
        session.add_all(Bankmutatie(bankafschrift_id=afschrift.id, **m) for m in parsed["mutaties"])
        session.commit()
        return ImportResultaat(afschrift.id, len(parsed["mutaties"]), path.name)


def _bedrag_tekst(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def camt053_xml(iban: str, afschrift_id: str, aangemaakt: dt.datetime, posten: list[dict]) -> bytes:
    """A camt.053.001.02 statement. ``posten``: dicts with end_to_end_id, bedrag_cent, datum,
    naam, richting (DBIT/CRDT) and optionally reden (a return reason code: the entry is a
    return of an earlier debit)."""
    regels = []
    for i, p in enumerate(posten, start=1):
        rtr = (f"<RtrInf><Rsn><Cd>{escape(p['reden'])}</Cd></Rsn>"
               f"<AddtlInf>{escape(p.get('toelichting', ''))}</AddtlInf></RtrInf>") if p.get("reden") else ""
        tegen = "Cdtr" if p["richting"] == "DBIT" else "Dbtr"
        regels.append(
            f"<Ntry><NtryRef>{i}</NtryRef><Amt Ccy=\"EUR\">{_bedrag_tekst(p['bedrag_cent'])}</Amt>"
            f"<CdtDbtInd>{p['richting']}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{p['datum'].isoformat()}</Dt></BookgDt><ValDt><Dt>{p['datum'].isoformat()}</Dt></ValDt>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{'ICDT' if p['richting'] == 'DBIT' else 'RCDT'}</Cd>"
            f"<SubFmlyCd>{'ESCT' if not p.get('reden') else 'RRTN'}</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>{escape(p['end_to_end_id'])}</EndToEndId></Refs>"
            f"<RltdPties><{tegen}><Nm>{escape(p.get('naam') or '')}</Nm></{tegen}></RltdPties>{rtr}"
            f"</TxDtls></NtryDtls></Ntry>")
    debet = sum(p["bedrag_cent"] for p in posten if p["richting"] == "DBIT")
    credit = sum(p["bedrag_cent"] for p in posten if p["richting"] == "CRDT")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{CAMT_NS_PREFIX}02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(afschrift_id)}</MsgId><CreDtTm>{aangemaakt.strftime('%Y-%m-%dT%H:%M:%S')}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(afschrift_id)}</Id><CreDtTm>{aangemaakt.strftime('%Y-%m-%dT%H:%M:%S')}</CreDtTm>"
        f"<Acct><Id><IBAN>{escape(iban)}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"<TxsSummry><TtlNtries><NbOfNtries>{len(posten)}</NbOfNtries></TtlNtries>"
        f"<TtlCdtNtries><NbOfNtries>{sum(p['richting'] == 'CRDT' for p in posten)}</NbOfNtries>"
        f"<Sum>{_bedrag_tekst(credit)}</Sum></TtlCdtNtries>"
        f"<TtlDbtNtries><NbOfNtries>{sum(p['richting'] == 'DBIT' for p in posten)}</NbOfNtries>"
        f"<Sum>{_bedrag_tekst(debet)}</Sum></TtlDbtNtries></TxsSummry>"
        + "".join(regels) + "</Stmt></BkToCstmrStmt></Document>\n")
    return xml.encode("utf-8")


def betalingen_voor_bank(engine: Engine, periodes: list[str] | None = None) -> list[dict]:
    """Sent payments (SEPA transactions) as the bank would book them, oldest first."""
    with Session(engine) as session:
        q = (select(Betaling.end_to_end_id, Betaling.bedrag, Betaling.werkgever_id, Betaling.budget,
                    Betaalrun.uitvoerdatum, Betaalrun.periode, Betaalrun.volgnummer)
             .join(Betaalrun, Betaalrun.id == Betaling.betaalrun_id)
             .where(Betaalrun.status == "verzonden", Betaling.bedrag > 0)
             .order_by(Betaalrun.periode, Betaalrun.volgnummer, Betaling.end_to_end_id))
        if periodes is not None:
            q = q.where(Betaalrun.periode.in_(periodes))
        return [dict(end_to_end_id=e, bedrag_cent=int(b), werkgever_id=w, budget=bu, datum=d,
                     kenmerk=f"{p}-{v}", periode=p) for e, b, w, bu, d, p, v in session.execute(q)]


def maak_camt053(betalingen: list[dict], iban: str, afschrift_id: str, aangemaakt: dt.datetime,
                 geweigerd: dict[str, str] | None = None, namen: dict[str, str] | None = None) -> bytes:
    """The bank statement of these payments: every payment debited on its execution date; a
    payment in ``geweigerd`` (e2e -> reason code, e.g. AC04 'rekening opgeheven') comes back
    as a return two working days later."""
    geweigerd = geweigerd or {}
    namen = namen or {}
    posten = []
    for b in betalingen:
        naam = namen.get(b["werkgever_id"], b["werkgever_id"])
        posten.append(dict(end_to_end_id=b["end_to_end_id"], bedrag_cent=b["bedrag_cent"], datum=b["datum"],
                           naam=naam, richting="DBIT"))
        if b["end_to_end_id"] in geweigerd:
            posten.append(dict(end_to_end_id=b["end_to_end_id"], bedrag_cent=b["bedrag_cent"],
                               datum=b["datum"] + dt.timedelta(days=2), naam=naam, richting="CRDT",
                               reden=geweigerd[b["end_to_end_id"]], toelichting="RJCT rekening opgeheven"))
    posten.sort(key=lambda p: (p["datum"], p["richting"] == "CRDT"))
    return camt053_xml(iban, afschrift_id, aangemaakt, posten)


def grootboek_csv(betalingen: list[dict], rekeningen: dict[str, str],
                  afwijkend_budget: dict[str, str] | None = None, extra: list[dict] | None = None) -> bytes:
    """A ledger export as the finance system writes it: one booking per SEPA transaction,
    kenmerk = EndToEndId, on the ledger account of its budget. ``afwijkend_budget`` (e2e ->
    budget) books a payment on another budget, the mistake the ledger check must catch."""
    afwijkend_budget = afwijkend_budget or {}
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerow(["boekdatum", "grootboekrekening", "budget", "bedrag", "kenmerk", "omschrijving"])
    for b in betalingen:
        budget = afwijkend_budget.get(b["end_to_end_id"], b["budget"])
        w.writerow([b["datum"].isoformat(), rekeningen[budget], budget,
                    f"{b['bedrag_cent'] // 100},{b['bedrag_cent'] % 100:02d}", b["end_to_end_id"],
                    f"LKS betaalrun {b['kenmerk']} {b['werkgever_id']}"])
    for e in extra or []:
        w.writerow([e["datum"].isoformat(), rekeningen.get(e["budget"], "onbekend"), e["budget"],
                    f"{e['bedrag_cent'] // 100},{e['bedrag_cent'] % 100:02d}", e["kenmerk"], e.get("omschrijving", "")])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# Budgets, capacity, ontvangsten
# --------------------------------------------------------------------------------------------

JAAR_BEREIK = (2000, 2100)  # a verantwoordingsjaar outside this is a typing error
KENMERK_LENGTE = Ontvangst.__table__.c.kenmerk.type.length


def check_jaar(jaar: int) -> int:
    """A plausible verantwoordingsjaar (budgets, capaciteit, rapport), else ``ValueError``."""
    if not JAAR_BEREIK[0] <= jaar <= JAAR_BEREIK[1]:
        raise ValueError(f"{jaar} ligt buiten {JAAR_BEREIK[0]}-{JAAR_BEREIK[1]}")
    return jaar


def check_kenmerk(kenmerk: str | None) -> str | None:
    """An ontvangst's kenmerk fits its column, else ``ValueError``."""
    if kenmerk is not None and len(kenmerk) > KENMERK_LENGTE:
        raise ValueError(f"langer dan {KENMERK_LENGTE} tekens")
    return kenmerk


def _jaar_of_fout(jaar: int) -> None:
    try:
        check_jaar(jaar)
    except ValueError as exc:
        raise InvoerFout([f"jaar {exc}"]) from None


def zet_budget(engine: Engine, jaar: int, budget: str, bedrag_cent: int, bron: str, gebruiker: str,
               now: dt.datetime) -> None:
    budget_key = parse_budget(budget)
    if budget_key is None:
        raise InvoerFout([f"onbekend budget '{budget}' (buig of reintegratie)"])
    _jaar_of_fout(jaar)
    if bedrag_cent < 0:
        raise InvoerFout(["een budget kan niet negatief zijn"])
    with Session(engine) as session:
        row = session.scalar(select(BudgetJaar).where(BudgetJaar.jaar == jaar, BudgetJaar.budget == budget_key))
        if row is None:
            session.add(BudgetJaar(jaar=jaar, budget=budget_key, bedrag_cent=bedrag_cent, bron=bron,
                                   vastgelegd_door=gebruiker, vastgelegd_op=now))
        else:
            row.bedrag_cent, row.bron, row.vastgelegd_door, row.vastgelegd_op = bedrag_cent, bron, gebruiker, now
        session.commit()


CAPACITEIT_MAXIMUM = {"beschut_taakstelling": 100_000, "ontwikkelbanen": 100_000, "ontwikkelbaan_uren": 60}


def zet_capaciteit(engine: Engine, jaar: int, waarden: dict[str, int], bron: str, gebruiker: str,
                   now: dt.datetime) -> None:
    _jaar_of_fout(jaar)
    for soort, aantal in waarden.items():
        if soort not in CAPACITEIT_SOORTEN:
            raise InvoerFout([f"onbekende capaciteitsnorm '{soort}'"])
        if aantal is not None and aantal < 0:
            raise InvoerFout([f"{soort} kan niet negatief zijn"])
        if aantal is not None and aantal > CAPACITEIT_MAXIMUM[soort]:
            raise InvoerFout([f"{soort} {aantal} is onwaarschijnlijk groot (meer dan {CAPACITEIT_MAXIMUM[soort]})"])
    with Session(engine) as session:
        for soort, aantal in waarden.items():
            if aantal is None:
                continue
            row = session.scalar(select(CapaciteitJaar).where(CapaciteitJaar.jaar == jaar,
                                                              CapaciteitJaar.soort == soort))
            if row is None:
                session.add(CapaciteitJaar(jaar=jaar, soort=soort, aantal=aantal, bron=bron,
                                           vastgelegd_door=gebruiker, vastgelegd_op=now))
            else:
                row.aantal, row.bron, row.vastgelegd_door, row.vastgelegd_op = aantal, bron, gebruiker, now
        session.commit()


def open_vorderingen(session: Session) -> dict[int, dict]:
    """Vorderingen of approved runs with what is still open (the betaalrun's own query,
    ``lifecycle.vorderingen_met_saldo``), by id."""
    from lks.betaalrun.lifecycle import vorderingen_met_saldo
    return {int(r.vordering_id): dict(werkgever_id=r.werkgever_id, budget=r.budget, bedrag=int(r.bedrag),
                                      open=int(r.open))
            for r in vorderingen_met_saldo(session).itertuples(index=False)}


def voeg_ontvangst_toe(engine: Engine, werkgever_id: str, budget: str | None, bedrag_cent: int, datum: dt.date,
                       vordering_id: int | None, kenmerk: str | None, gebruiker: str, now: dt.datetime) -> int:
    """Record money received from a werkgever. With a vordering: the werkgever and budget must
    match it and the amount may not exceed what is still open."""
    if bedrag_cent <= 0:
        raise InvoerFout(["een ontvangst moet groter dan 0 zijn"])
    if budget is not None and parse_budget(budget) is None:
        raise InvoerFout([f"onbekend budget '{budget}' (buig of reintegratie)"])
    try:
        check_kenmerk(kenmerk)
    except ValueError as exc:
        raise InvoerFout([f"het kenmerk is {exc}"]) from None
    with Session(engine) as session:
        if session.scalar(select(Werkgever.id).where(Werkgever.werkgever_id == werkgever_id).limit(1)) is None:
            raise InvoerFout([f"--werkgever: werkgever '{werkgever_id}' is niet bekend (importeer hem eerst met "
                              "lks import)"])
        if vordering_id is not None:
            openstaand = open_vorderingen(session)
            if vordering_id not in openstaand:
                raise InvoerFout([f"vordering {vordering_id} bestaat niet of hoort bij een niet-goedgekeurde betaalrun"])
            v = openstaand[vordering_id]
            if v["werkgever_id"] != werkgever_id:
                raise InvoerFout([f"vordering {vordering_id} hoort bij werkgever {v['werkgever_id']}, niet {werkgever_id}"])
            if budget is not None and parse_budget(budget) != v["budget"]:
                raise InvoerFout([f"vordering {vordering_id} staat op budget {v['budget']}, niet {budget}"])
            budget = v["budget"]
            if bedrag_cent > v["open"]:
                raise InvoerFout([f"vordering {vordering_id} heeft nog {v['open'] / 100:.2f} open; "
                                  f"de ontvangst van {bedrag_cent / 100:.2f} is hoger"])
        budget_key = parse_budget(budget or "")
        if budget_key is None:
            raise InvoerFout(["geef --budget (buig of reintegratie) of --vordering"])
        row = Ontvangst(werkgever_id=werkgever_id, budget=budget_key, bedrag_cent=bedrag_cent, datum=datum,
                        vordering_id=vordering_id, kenmerk=kenmerk, vastgelegd_door=gebruiker, vastgelegd_op=now)
        session.add(row)
        session.commit()
        return row.id


assert set(BUDGET_LABEL) == set(BUDGETS)
