"""Bad input everywhere else than `lks import` (that is test_import_rejections.py): the ledger
export (`lks ledger import`), camt.053 bank statements (`lks bank import`), `lks budget …`,
`lks ontvangst add`, the settings file, and the arguments of the main commands.

Every case runs the real CLI on SQLite and on PostgreSQL and proves the same contract: a
non-zero exit, one Dutch message naming the file and line (or the option) and the reason, no
traceback and no uncaught exception, and a database exactly as it was."""
from __future__ import annotations

import pytest

from lks.importer import import_directory
from lks.settings import EXAMPLE_TOML

from .helpers import FIRST_IMPORT_AT, dump, valid_files, write_files

# click's English texts that must never reach a user
ENGELS = ("Traceback", "Usage:", "Invalid value", "Missing option", "No such", "Error")


def geweigerd(result, *fragmenten: str) -> None:
    """Refused as the contract says; each fragment on one line of stderr."""
    assert result.exit_code not in (0, None), result.output
    # CliRunner catches an uncaught exception and hides its traceback: it must be an exit
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    for engels in ENGELS:
        assert engels not in result.output, result.output
    regels = result.stderr.splitlines()
    for fragment in fragmenten:
        assert any(fragment in regel for regel in regels), (fragment, result.stderr)


@pytest.fixture
def feiten(engine, tmp_path):
    """The valid gemeente of helpers.VALID (werkgevers WG001 and WG002) in the database."""
    import_directory(engine, write_files(tmp_path / "feiten", valid_files()), recorded_at=FIRST_IMPORT_AT)
    return engine


def regel_van(tekst: str, merk: str, n: int = 1) -> int:
    """The line (1-based) of the n-th occurrence of ``merk``."""
    index = -1
    for _ in range(n):
        index = tekst.index(merk, index + 1)
    return tekst[:index].count("\n") + 1


# --------------------------------------------------------------------------------------------
# lks ledger import
# --------------------------------------------------------------------------------------------

KOP = "boekdatum;grootboekrekening;budget;bedrag;kenmerk;omschrijving\n"
GOED = "2025-01-27;623110;buig;1.039,44;LKS-202501-1-B-WG001;LKS betaalrun 2025-01-1 WG001\n"
GB = "grootboek.csv"


def grootboek(*regels: str) -> bytes:
    """A ledger export: header, one valid booking (line 2), then ``regels`` (line 3 on)."""
    return (KOP + GOED + "".join(regels)).encode("utf-8")


LEDGER = [
    ("kop_fout", b"boekdatum;rekening;budget;bedrag;kenmerk\n2025-01-27;623110;buig;10;K-1\n",
     [f"{GB}, regel 1: kolom ontbreekt: grootboekrekening"]),
    ("kop_tabs", b"boekdatum\tgrootboekrekening\tbudget\tbedrag\tkenmerk\n",
     [f"{GB}, regel 1: kolom ontbreekt: boekdatum, grootboekrekening, budget, bedrag, kenmerk"]),
    ("bedrag_12,3,4", grootboek("2025-01-28;623110;buig;12,3,4;K-2;\n"),
     [f"{GB}, regel 3, kolom bedrag: '12,3,4' is geen bedrag"]),
    ("bedrag_dubbelzinnig", grootboek("2025-01-28;623110;buig;1.234;K-2;\n"),
     [f"{GB}, regel 3, kolom bedrag: '1.234' is dubbelzinnig"]),
    ("bedrag_te_groot", grootboek("2025-01-28;623110;buig;99999999999999999999;K-2;\n"),
     [f"{GB}, regel 3, kolom bedrag: '99999999999999999999' is onwaarschijnlijk groot"]),
    ("datum_bestaat_niet", grootboek("2025-02-30;623110;buig;10,00;K-2;\n"),
     [f"{GB}, regel 3, kolom boekdatum: '2025-02-30' is geen bestaande datum"]),
    ("datum_tekst", grootboek("gisteren;623110;buig;10,00;K-2;\n"),
     [f"{GB}, regel 3, kolom boekdatum: 'gisteren' is geen datum (JJJJ-MM-DD of DD-MM-JJJJ)"]),
    ("budget_onbekend", grootboek("2025-01-28;623110;wmo;10,00;K-2;\n"),
     [f"{GB}, regel 3, kolom budget: 'wmo' is geen budget (buig of reintegratie)"]),
    ("kenmerk_leeg", grootboek("2025-01-28;623110;buig;10,00;;\n"),
     [f"{GB}, regel 3, kolom kenmerk: mag niet leeg zijn"]),
    ("afgebroken_regel", grootboek("2025-01-28;623110;bu"),
     [f"{GB}, regel 3: 3 velden, verwacht 6"]),
    ("afgebroken_aanhalingsteken", grootboek('2025-01-28;623110;"buig;10,00;K-2;\n'),
     [f"{GB}, regel 3: ongeldige CSV-opbouw (controleer de aanhalingstekens)"]),
    ("geen_utf8", grootboek() + "2025-01-28;623110;buig;5;K-3;Bakkerij Ömer\n".encode("latin-1"),
     [f"{GB}, regel 3: het bestand is geen geldige UTF-8 (byte 0xd6)"]),
    ("utf16", (KOP + GOED).encode("utf-16"), [f"{GB}, regel 1: het bestand is geen geldige UTF-8 (byte 0xff)"]),
    ("nul_teken", grootboek("2025-01-28;623110;buig;5;K-3\x00;\n"),
     [f"{GB}, regel 3: het bestand bevat een NUL-teken (0x00)"]),
    ("leeg", b"", [f"{GB}: het bestand is leeg"]),
    ("alleen_kop", KOP.encode(), [f"{GB}: geen boekingen in het bestand"]),
]


@pytest.mark.parametrize("inhoud, meldingen", [c[1:] for c in LEDGER], ids=[c[0] for c in LEDGER])
def test_ledger_import_refuses(feiten, cli, tmp_path, inhoud, meldingen):
    before = dump(feiten)
    (tmp_path / GB).write_bytes(inhoud)
    result = cli("ledger", "import", tmp_path / GB, als="carla")
    geweigerd(result, *meldingen, "fout: niets vastgelegd: 1 fout")
    assert result.stdout == ""
    assert dump(feiten) == before


def test_ledger_every_error_is_reported_and_nothing_stored(feiten, cli, tmp_path):
    before = dump(feiten)
    (tmp_path / GB).write_bytes(grootboek("2025-02-30;623110;buig;10,00;K-2;\n", GOED,
                                          "2025-01-28;623110;wmo;12,3,4;K-4;\n"))
    result = cli("ledger", "import", tmp_path / GB, als="carla")
    geweigerd(result, f"{GB}, regel 3, kolom boekdatum", f"{GB}, regel 5, kolom bedrag",
              f"{GB}, regel 5, kolom budget", "fout: niets vastgelegd: 3 fouten")
    assert dump(feiten) == before


def test_ledger_same_file_twice_and_missing_file(feiten, cli, tmp_path):
    (tmp_path / GB).write_bytes(grootboek())
    assert cli("ledger", "import", tmp_path / GB, als="carla").exit_code == 0
    before = dump(feiten)
    geweigerd(cli("ledger", "import", tmp_path / GB, als="carla"), f"{GB}: dit bestand is al ingelezen (grootboekimport 1)")
    geweigerd(cli("ledger", "import", tmp_path / "bestaat-niet.csv", als="carla"), "bestaat-niet.csv bestaat niet")
    geweigerd(cli("ledger", "import", tmp_path, als="carla"), f"{tmp_path} is een map, geen bestand")
    geweigerd(cli("ledger", "import", als="carla"), "argument CSV ontbreekt")
    assert dump(feiten) == before


# --------------------------------------------------------------------------------------------
# lks bank import (camt.053)
# --------------------------------------------------------------------------------------------

CAMT = "camt053.xml"
CAMT_KOP = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>
<GrpHdr><MsgId>AFS-1</MsgId><CreDtTm>2025-03-01T08:00:00</CreDtTm></GrpHdr>
<Stmt>
<Id>AFS-1</Id>
<Acct><Id><IBAN>NL38BNGH0285012345</IBAN></Id></Acct>
"""
CAMT_STAART = "</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
AMT = '<Amt Ccy="EUR">1039.44</Amt>'
DBIT = "<CdtDbtInd>DBIT</CdtDbtInd>"
BOEKDATUM = "<BookgDt><Dt>2025-01-27</Dt></BookgDt>"


def post(amt: str = AMT, richting: str = DBIT, datum: str = BOEKDATUM, e2e: str = "LKS-202501-1-B-WG001") -> str:
    return (f"<Ntry>\n{amt}\n{richting}\n<Sts>BOOK</Sts>\n{datum}\n<NtryDtls><TxDtls><Refs>"
            f"<EndToEndId>{e2e}</EndToEndId></Refs></TxDtls></NtryDtls>\n</Ntry>\n")


def camt(*posten: str) -> str:
    """A statement: a valid first entry, then ``posten``."""
    return CAMT_KOP + post() + "".join(posten) + CAMT_STAART


def _camt_case(naam, tekst, melding):
    """(id, bytes, melding); ``melding(tekst)`` builds the expected message (it needs the
    line numbers of the text)."""
    return naam, tekst.encode("utf-8") if isinstance(tekst, str) else tekst, melding


def _tweede_post(tekst: str) -> str:
    return f"{CAMT}, regel {regel_van(tekst, '<Ntry>', 2)} (afschrift 1, post 2)"


_AFGEBROKEN = camt(post())
_AFGEBROKEN = _AFGEBROKEN[:_AFGEBROKEN.index("<Ntry>", _AFGEBROKEN.index("<Ntry>") + 1) + len("<Ntry>\n")]

BANK = [
    ("geen_xml", "Datum;Bedrag;Omschrijving\n2025-01-27;-1039,44;LKS\n",
     lambda t: f"{CAMT}, regel 1, kolom 6: geen geldige XML: ongeldig teken (is dit wel XML?)"),
    ("verkeerde_namespace", CAMT_KOP.replace("camt.053.001.02", "pain.001.001.09") + CAMT_STAART,
     lambda t: f"{CAMT}, regel 2: geen camt.053-bankafschrift (<Document>, namespace "
               "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09)"),
    ("camt054", camt().replace("camt.053.001.02", "camt.054.001.02"),
     lambda t: "namespace urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"),
    ("bedrag_tekst", camt(post(amt='<Amt Ccy="EUR">tien</Amt>')),
     lambda t: f"{CAMT}, regel {regel_van(t, 'tien')} (afschrift 1, post 2): bedrag 'tien' is geen getal"),
    ("bedrag_komma", camt(post(amt='<Amt Ccy="EUR">12,3,4</Amt>')),
     lambda t: f"{CAMT}, regel {regel_van(t, '12,3,4')} (afschrift 1, post 2): bedrag '12,3,4' is geen getal"),
    ("bedrag_negatief", camt(post(amt='<Amt Ccy="EUR">-1039.44</Amt>')),
     lambda t: f"{CAMT}, regel {regel_van(t, '-1039.44')} (afschrift 1, post 2): bedrag '-1039.44' is negatief "
               "(de richting staat in <CdtDbtInd>)"),
    ("bedrag_drie_decimalen", camt(post(amt='<Amt Ccy="EUR">10.005</Amt>')),
     lambda t: "bedrag '10.005' heeft meer dan twee decimalen"),
    ("valuta", camt(post(amt='<Amt Ccy="USD">1039.44</Amt>')),
     lambda t: f"{CAMT}, regel {regel_van(t, 'USD')} (afschrift 1, post 2): valuta 'USD': alleen EUR"),
    ("bedrag_ontbreekt", camt(post(amt="")),
     lambda t: f"{_tweede_post(t)}: bedrag ontbreekt (<Amt>)"),
    ("richting_ontbreekt", camt(post(richting="")),
     lambda t: f"{_tweede_post(t)}: <CdtDbtInd> ontbreekt (DBIT of CRDT verwacht)"),
    ("richting_ongeldig", camt(post(richting="<CdtDbtInd>DEBET</CdtDbtInd>")),
     lambda t: f"{CAMT}, regel {regel_van(t, 'DEBET')} (afschrift 1, post 2): CdtDbtInd 'DEBET' is ongeldig"),
    ("boekdatum_ontbreekt", camt(post(datum="")),
     lambda t: f"{_tweede_post(t)}: boekdatum ontbreekt (<BookgDt><Dt>)"),
    ("boekdatum_bestaat_niet", camt(post(datum="<BookgDt><Dt>2025-02-30</Dt></BookgDt>")),
     lambda t: f"{CAMT}, regel {regel_van(t, '2025-02-30')} (afschrift 1, post 2): boekdatum '2025-02-30' is "
               "geen bestaande datum (JJJJ-MM-DD)"),
    ("geen_stmt", CAMT_KOP[:CAMT_KOP.index("<Stmt>")] + "</BkToCstmrStmt>\n</Document>\n",
     lambda t: f"{CAMT}, regel 3: geen <Stmt> in het bestand"),
    ("afgebroken", _AFGEBROKEN,
     lambda t: f"{CAMT}, regel {t.count(chr(10)) + 1}, kolom 1: geen geldige XML: het bestand houdt onverwacht op"),
    ("eindtag", camt(post()).replace("</Refs>", "</Refz>", 1),
     lambda t: f"{CAMT}, regel {regel_van(t, '</Refz>')}, kolom"),
    ("geen_utf8", camt(post(e2e="Café")).encode("latin-1"),
     lambda t: f"{CAMT}, regel {regel_van(t, 'Café')}: het bestand is geen geldige UTF-8 "
               "(byte 0xe9)"),
    ("leeg", "", lambda t: f"{CAMT}, regel 1, kolom 1: geen geldige XML: het bestand houdt onverwacht op"),
    ("doctype_entiteiten", '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa">'
     '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<Document>&b;</Document>\n',
     lambda t: f"{CAMT}, regel 2: geen camt.053-bankafschrift (bevat een DOCTYPE)"),
]
BANK = [_camt_case(*case) for case in BANK]


@pytest.mark.parametrize("inhoud, melding", [c[1:] for c in BANK], ids=[c[0] for c in BANK])
def test_bank_import_refuses(feiten, cli, tmp_path, inhoud, melding):
    before = dump(feiten)
    (tmp_path / CAMT).write_bytes(inhoud)
    result = cli("bank", "import", tmp_path / CAMT, als="carla")
    geweigerd(result, melding(inhoud.decode("latin-1")), "fout: niets vastgelegd: 1 fout")
    assert result.stdout == ""
    assert dump(feiten) == before


def test_bank_every_entry_is_checked_and_nothing_stored(feiten, cli, tmp_path):
    before = dump(feiten)
    tekst = camt(post(amt='<Amt Ccy="EUR">tien</Amt>'), post(), post(datum="<BookgDt><Dt>2025-13-01</Dt></BookgDt>"))
    (tmp_path / CAMT).write_text(tekst, encoding="utf-8")
    result = cli("bank", "import", tmp_path / CAMT, als="carla")
    geweigerd(result, "(afschrift 1, post 2): bedrag 'tien' is geen getal",
              "(afschrift 1, post 4): boekdatum '2025-13-01' is geen bestaande datum",
              "fout: niets vastgelegd: 2 fouten")
    assert dump(feiten) == before


def test_bank_same_statement_twice_and_not_a_file(feiten, cli, tmp_path):
    (tmp_path / CAMT).write_text(camt(), encoding="utf-8")
    assert cli("bank", "import", tmp_path / CAMT, als="carla").exit_code == 0
    before = dump(feiten)
    geweigerd(cli("bank", "import", tmp_path / CAMT, als="carla"), f"{CAMT}: dit bankafschrift is al ingelezen (afschrift 1)")
    geweigerd(cli("bank", "import", tmp_path, als="carla"), f"{tmp_path} is een map, geen bestand")
    geweigerd(cli("bank", "import", tmp_path / "weg.xml", als="carla"), "weg.xml bestaat niet")
    assert dump(feiten) == before


# --------------------------------------------------------------------------------------------
# lks budget set | capaciteit, lks ontvangst add
# --------------------------------------------------------------------------------------------

BUDGET_SET = ["budget", "set", "--jaar", "2025", "--budget", "buig", "--bedrag", "887000.00"]
CAPACITEIT = ["budget", "capaciteit", "--jaar", "2025"]
ONTVANGST = ["ontvangst", "add", "--werkgever", "WG001", "--bedrag", "100,00",
             "--datum", "2025-05-02"]


def met(basis: list[str], optie: str, waarde: str | None) -> list[str]:
    """``basis`` with ``optie`` set to ``waarde`` (added if absent, removed if None)."""
    args = list(basis)
    if optie in args:
        i = args.index(optie)
        del args[i:i + 2]
    return args + ([optie, waarde] if waarde is not None else [])


OPTIES = [
    ("budget_jaar_tekst", met(BUDGET_SET, "--jaar", "tekst"), "--jaar: 'tekst' is geen geheel getal"),
    ("budget_jaar_buiten_bereik", met(BUDGET_SET, "--jaar", "1999"), "--jaar 1999 ligt buiten 2000-2100"),
    ("budget_onbekend", met(BUDGET_SET, "--budget", "wmo"), "--budget: onbekend budget 'wmo' (buig of reintegratie)"),
    ("budget_bedrag_12,3,4", met(BUDGET_SET, "--bedrag", "12,3,4"), "--bedrag: '12,3,4' is geen bedrag"),
    ("budget_bedrag_negatief", met(BUDGET_SET, "--bedrag", "-5"), "--bedrag: een budget kan niet negatief zijn"),
    ("budget_bedrag_te_groot", met(BUDGET_SET, "--bedrag", "99999999999999999999"),
     "--bedrag: '99999999999999999999' is onwaarschijnlijk groot"),
    ("budget_bedrag_ontbreekt", met(BUDGET_SET, "--bedrag", None), "optie --bedrag ontbreekt"),
    ("budget_optie_zonder_waarde", BUDGET_SET + ["--bron"], "optie --bron verwacht een waarde"),
    ("budget_tikfout_optie", BUDGET_SET + ["--bedrg", "5"], "onbekende optie --bedrg (bedoelt u --bedrag"),
    ("budget_extra_argument", BUDGET_SET + ["extra"], "onverwacht extra argument: extra"),
    ("budget_onbekend_commando", ["budget", "zet"], "onbekend commando 'zet' (bedoelt u 'set'?)"),
    ("capaciteit_jaar_buiten_bereik", met(CAPACITEIT, "--jaar", "1800") + ["--ontwikkelbanen", "16"],
     "--jaar 1800 ligt buiten 2000-2100"),
    ("capaciteit_negatief", CAPACITEIT + ["--ontwikkelbanen", "-3"], "--ontwikkelbanen: -3 kan niet negatief zijn"),
    ("capaciteit_tekst", CAPACITEIT + ["--beschut-taakstelling", "drie"],
     "--beschut-taakstelling: 'drie' is geen geheel getal"),
    ("capaciteit_te_groot", CAPACITEIT + ["--ontwikkelbanen", "99999999999"],
     "--ontwikkelbanen: 99999999999 is onwaarschijnlijk groot"),
    ("capaciteit_uren", CAPACITEIT + ["--ontwikkelbaan-uren", "61"],
     "--ontwikkelbaan-uren: 61 is onwaarschijnlijk groot (meer dan 60)"),
    ("capaciteit_niets", CAPACITEIT, "geef minstens één van --beschut-taakstelling"),
    ("ontvangst_datum_bestaat_niet", met(ONTVANGST, "--datum", "2025-02-30") + ["--budget", "buig"],
     "--datum: '2025-02-30' is geen (bestaande) datum in de vorm JJJJ-MM-DD"),
    ("ontvangst_datum_nl", met(ONTVANGST, "--datum", "02-05-2025") + ["--budget", "buig"],
     "--datum: '02-05-2025' is geen (bestaande) datum"),
    ("ontvangst_werkgever_onbekend", met(ONTVANGST, "--werkgever", "WG999") + ["--budget", "buig"],
     "--werkgever: werkgever 'WG999' is niet bekend"),
    ("ontvangst_budget_onbekend", ONTVANGST + ["--budget", "wmo"], "--budget: onbekend budget 'wmo'"),
    ("ontvangst_zonder_budget", ONTVANGST, "geef --budget (buig of reintegratie) of --vordering"),
    ("ontvangst_vordering_onbekend", ONTVANGST + ["--vordering", "99"], "vordering 99 bestaat niet"),
    ("ontvangst_vordering_tekst", ONTVANGST + ["--vordering", "V-1"], "--vordering: 'V-1' is geen geheel getal"),
    ("ontvangst_bedrag_nul", met(ONTVANGST, "--bedrag", "0") + ["--budget", "buig"],
     "--bedrag: een ontvangst moet groter dan 0 zijn"),
    ("ontvangst_bedrag_12,3,4", met(ONTVANGST, "--bedrag", "12,3,4") + ["--budget", "buig"],
     "--bedrag: '12,3,4' is geen bedrag"),
    ("ontvangst_kenmerk_te_lang", ONTVANGST + ["--budget", "buig", "--kenmerk", "K" * 101],
     "--kenmerk: langer dan 100 tekens"),
    ("ontvangst_gebruiker_bestaat_niet", ONTVANGST + ["--gebruiker", "carla", "--budget", "buig"],
     "onbekende optie --gebruiker"),
]


@pytest.mark.parametrize("args, melding", [c[1:] for c in OPTIES], ids=[c[0] for c in OPTIES])
def test_budget_and_ontvangst_options_are_checked(feiten, cli, args, melding):
    before = dump(feiten)
    geweigerd(cli(*args, als="carla"), melding)
    assert dump(feiten) == before


# --------------------------------------------------------------------------------------------
# Arguments of the main commands
# --------------------------------------------------------------------------------------------

@pytest.fixture
def berekend(feiten, cli):
    """Betaalrun 2025-03-1, requested and calculated by anna."""
    for stap in ("request", "calculate"):
        result = cli("betaalrun", stap, "--periode", "2025-03", als="piet")
        assert result.exit_code == 0, result.output
    return feiten


@pytest.mark.parametrize("periode", ["2025-13", "2025-7", "tekst", "2025-00", "0000-01", "2025-03-01", ""])
def test_periode_must_be_a_month(feiten, cli, periode):
    before = dump(feiten)
    for args in (["betaalrun", "request"], ["betaalrun", "show"],
                 ["rapport", "--jaar", "2025"]):
        geweigerd(cli(*args, "--periode", periode, als="carla" if args[0] == "rapport" else "piet"),
                  f"--periode '{periode}' is geen maand in de vorm JJJJ-MM")
    assert dump(feiten) == before


def test_four_eyes(berekend, cli, monkeypatch):
    """piet calculated the run: as a medewerker he may not approve at all, and once a beheerder
    also makes him goedkeurder, the four-eyes rule still refuses him. Typing another name is
    no way round it: there is no such option, and $USER or $LKS_GEBRUIKER change nothing."""
    geweigerd(cli("betaalrun", "approve", "--periode", "2025-03", als="piet"),
              "geweigerd: een betaalrun goedkeuren vereist de rol goedkeurder; piet heeft de rol medewerker")
    assert cli("gebruiker", "roles", "piet", "--rol", "medewerker,goedkeurder", als="bea").exit_code == 0
    before = dump(berekend)
    melding = "vier-ogenprincipe: piet heeft betaalrun 2025-03-1 berekend of herberekend en mag hem niet zelf goedkeuren"
    geweigerd(cli("betaalrun", "approve", "--periode", "2025-03", als="piet"), melding)
    for variabele in ("LKS_GEBRUIKER", "USER", "LOGNAME"):
        monkeypatch.setenv(variabele, "klaas")
    geweigerd(cli("betaalrun", "approve", "--periode", "2025-03", als="piet"), melding)
    geweigerd(cli("betaalrun", "approve", "--periode", "2025-03", "--gebruiker", "klaas", als="piet"),
              "onbekende optie --gebruiker")
    assert dump(berekend) == before


@pytest.mark.parametrize("args, melding", [
    (["--periode", "2025-03", "--volgnummer", "twee"], "--volgnummer: 'twee' is geen geheel getal"),
    (["--periode", "2025-03", "--volgnummer", "7"], "geen betaalrun voor periode 2025-03 met volgnummer 7"),
    (["--periode", "2025-04"], "geen betaalrun voor periode 2025-04"),
    ([], "optie --periode ontbreekt"),
    (["--periode", "2025-03", "--gebruiker", "klaas"], "onbekende optie --gebruiker"),
], ids=["volgnummer_tekst", "volgnummer_onbekend", "geen_run", "periode_ontbreekt", "geen_gebruikersoptie"])
def test_approve_arguments(berekend, cli, args, melding):
    before = dump(berekend)
    geweigerd(cli("betaalrun", "approve", *args, als="klaas"),
              melding)
    assert dump(berekend) == before


def test_export_directory_that_is_a_file(berekend, cli, tmp_path):
    assert cli("betaalrun", "approve", "--periode", "2025-03", als="klaas").exit_code == 0
    before = dump(berekend)
    bestand = tmp_path / "betaalbestanden"
    bestand.write_text("geen map")
    for out, melding in ((bestand, f"--out {bestand}: is een bestand, geen map"),
                         (bestand / "2025", f"--out {bestand / '2025'}: {bestand} is een bestand, geen map")):
        geweigerd(cli("betaalrun", "export", "--periode", "2025-03", "--out", out, als="carla"), melding)
    assert bestand.read_text() == "geen map"
    assert dump(berekend) == before  # still goedgekeurd: no file recorded


@pytest.mark.parametrize("args, melding", [
    (["--jaar", "tekst"], "--jaar: 'tekst' is geen geheel getal"),
    (["--jaar", "1999"], "--jaar 1999 ligt buiten 2000-2100"),
    ([], "optie --jaar ontbreekt"),
    (["--jaar", "2025", "--periode", "2024-12"], "--periode 2024-12 ligt niet in 2025"),
    (["--jaar", "2025", "--xlsx", "{bestand}/rapport.xlsx"], "--xlsx {bestand}/rapport.xlsx: {bestand} is een "
                                                             "bestand, geen map"),
    (["--jaar", "2025", "--html", "{map}"], "--html {map}: is een map, geen bestand"),
], ids=["jaar_tekst", "jaar_buiten_bereik", "jaar_ontbreekt", "periode_ander_jaar", "xlsx_in_bestand",
        "html_is_map"])
def test_rapport_arguments(feiten, cli, tmp_path, args, melding):
    bestand = tmp_path / "uitvoer"
    bestand.write_text("geen map")
    vul = {"bestand": bestand, "map": tmp_path}
    before = dump(feiten)
    result = cli("rapport", *(a.format(**vul) for a in args), als="carla")
    geweigerd(result, melding.format(**vul))
    assert result.stdout == ""  # refused before the report was drawn up
    assert dump(feiten) == before


@pytest.mark.parametrize("args, melding", [
    (["calculate", "--from", "2025-7", "--to", "2025-12", "--csv", "uit.csv"],
     "--from '2025-7' is geen maand in de vorm JJJJ-MM"),
    (["calculate", "--from", "2025-06", "--to", "2025-01", "--csv", "uit.csv"], "--to 2025-01 ligt voor --from 2025-06"),
    (["calculate", "--from", "2025-01", "--to", "2025-02", "--csv", "{map}"], "--csv {map}: is een map, geen bestand"),
    (["calculate", "--from", "2025-01", "--to", "2025-02", "--csv", "{bestand}/uit.csv"],
     "--csv {bestand}/uit.csv: {bestand} is een bestand, geen map"),
    (["calculate", "--from", "2025-01", "--to", "2025-02", "--csv", "{map}/weg/uit.csv"],
     "--csv {map}/weg/uit.csv: de map {map}/weg bestaat niet"),
    (["calculate", "--from", "2025-01", "--to", "2025-02", "--csv", "uit.csv", "--as-of", "2025-02-30"],
     "ongeldig tijdstip voor --as-of: '2025-02-30'"),
    (["explain", "P001", "--periode", "tekst"], "--periode 'tekst' is geen maand in de vorm JJJJ-MM"),
    (["explain", "P999", "--periode", "2025-03"], "plaatsing P999 is niet bekend"),
    (["beschikkingen", "make", "--datum", "2025-02-30", "--no-pdf"], "ongeldige datum '2025-02-30' (verwacht JJJJ-MM-DD)"),
    (["beschikkingen", "make", "--datum", "2025-06-02", "--no-pdf", "--out", "{bestand}"],
     "--out {bestand}: is een bestand, geen map"),
    (["beschikkingen", "mark-sent", "LKS/2025/999999"], "geen beschikking met kenmerk LKS/2025/999999"),
    (["beschikkingen", "mark-sent"], "argument KENMERK ontbreekt"),
    (["beschikkingen", "list", "--soort", "toekenning"],
     "--soort 'toekenning' is onbekend (kies verlening, wijziging, beeindiging, vaststelling, intrekking)"),
    (["frobnicate"], "onbekend commando 'frobnicate'"),
    (["--gemeente", "Het Hogeland!", "betaalrun", "list"], "gemeentecode 'het hogeland!' is ongeldig"),
], ids=["from_2025-7", "to_voor_from", "csv_is_map", "csv_in_bestand", "csv_map_ontbreekt", "as_of_datum",
        "explain_periode", "explain_plaatsing", "beschikkingen_datum", "beschikkingen_out_bestand",
        "beschikkingen_kenmerk_onbekend", "beschikkingen_kenmerk_ontbreekt", "beschikkingen_soort",
        "commando_onbekend", "gemeentecode"])
def test_main_command_arguments(feiten, cli, tmp_path, args, melding):
    bestand = tmp_path / "uitvoer"
    bestand.write_text("geen map")
    vul = {"bestand": bestand, "map": tmp_path}
    before = dump(feiten)
    geweigerd(cli(*(a.format(**vul) for a in args)), melding.format(**vul))
    assert bestand.read_text() == "geen map" and not (tmp_path / "uit.csv").exists()
    assert dump(feiten) == before


# --------------------------------------------------------------------------------------------
# The settings file, as a command reads it
# --------------------------------------------------------------------------------------------

def _vervang(oud: str, nieuw: str) -> str:
    assert oud in EXAMPLE_TOML
    return EXAMPLE_TOML.replace(oud, nieuw, 1)


INSTELLINGEN = [
    ("toml_opbouw", "[gemeente\nnaam = 1\n", "geen geldige TOML (fout in de opbouw op regel 1, kolom 10)"),
    ("toml_dubbel", _vervang("betaaldag = 25", "betaaldag = 25\nbetaaldag = 24"),
     "geen geldige TOML (fout in de opbouw op regel"),
    ("geen_utf8", _vervang('plaats = "Winsum"', 'plaats = "Winsüm"').encode("latin-1"),
     "bestand is geen geldige UTF-8"),
    ("eerste_periode", _vervang('eerste_periode = "2025-01"', 'eerste_periode = "2025-13"'),
     "[betaalrun] eerste_periode: '2025-13' is geen maand in de vorm JJJJ-MM"),
    ("eerste_periode_kort", _vervang('eerste_periode = "2025-01"', 'eerste_periode = "2025-1"'),
     "[betaalrun] eerste_periode: '2025-1' is geen maand in de vorm JJJJ-MM"),
    ("betaaldag", _vervang("betaaldag = 25", "betaaldag = 31"), "[betaalrun] betaaldag: mag hoogstens 28 zijn"),
    ("scheduler_tijd", _vervang('betaalrun_tijd = "07:00"', 'betaalrun_tijd = "02:30"'),
     "[scheduler] betaalrun_tijd: 02:30 valt in het uur van de zomertijdwissel"),
    ("scheduler_tijd_tekst", _vervang('signalen_tijd = "06:30"', 'signalen_tijd = "half zeven"'),
     "[scheduler] signalen_tijd: 'half zeven' is geen tijd in de vorm UU:MM"),
    ("tikfout_sleutel", _vervang("retro_jaren = 5", "retrojaren = 5"), "[betaalrun] retrojaren: onbekende sleutel"),
]


@pytest.mark.parametrize("inhoud, melding", [c[1:] for c in INSTELLINGEN], ids=[c[0] for c in INSTELLINGEN])
def test_broken_settings_file(berekend, cli, tmp_path, monkeypatch, inhoud, melding):
    before = dump(berekend)
    pad = tmp_path / "instellingen" / "gemeente.toml"
    pad.parent.mkdir()
    pad.write_bytes(inhoud.encode("utf-8") if isinstance(inhoud, str) else inhoud)
    monkeypatch.setenv("LKS_SETTINGS", str(pad))
    geweigerd(cli("betaalrun", "calculate", "--periode", "2025-03", als="piet"), f"fout: {pad}: ", melding)
    geweigerd(cli("betaalrun", "approve", "--periode", "2025-03", als="klaas"), f"fout: {pad}: ", melding)
    assert dump(berekend) == before


def test_settings_in_working_directory_and_path_problems(berekend, cli, tmp_path, monkeypatch):
    before = dump(berekend)
    (tmp_path / "gemeente.toml").write_text(_vervang("[beleid]\n", '[beleid]\nindexering = "jaarlijks"\n'),
                                            encoding="utf-8")
    geweigerd(cli("betaalrun", "calculate", "--periode", "2025-03", als="piet"),
              "fout: gemeente.toml: [beleid] indexering: onbekende sleutel")
    monkeypatch.setenv("LKS_SETTINGS", str(tmp_path / "typfout.toml"))
    geweigerd(cli("betaalrun", "calculate", "--periode", "2025-03", als="piet"),
              f"fout: {tmp_path / 'typfout.toml'}: bestand bestaat niet")
    monkeypatch.setenv("LKS_SETTINGS", str(tmp_path))
    geweigerd(cli("betaalrun", "calculate", "--periode", "2025-03", als="piet"),
              f"fout: {tmp_path}: kan bestand niet lezen (is een map, geen bestand)")
    assert dump(berekend) == before


def test_invalid_settings_iban_is_masked(berekend, cli, tmp_path, monkeypatch):
    before = dump(berekend)
    (tmp_path / "gemeente.toml").write_text(_vervang("NL38 BNGH", "NL39 BNGH"), encoding="utf-8")
    result = cli("betaalrun", "calculate", "--periode", "2025-03", als="piet")
    geweigerd(result, "[gemeente] iban: ongeldige IBAN 'NL39************45' (controlegetal klopt niet)")
    for vol in ("NL39BNGH0285012345", "NL39 BNGH 0285 0123 45", "0285012345", "0285 0123"):
        assert vol not in result.output
    assert dump(berekend) == before
