"""The gemeente's settings file (``gemeente.toml``): who the gemeente is and its policy
choices where the law leaves one (rekenregels §2.1, §2.2, §4).

Location: ``LKS_SETTINGS``, else ``gemeente.toml`` in the working directory. Without that
default file the demo gemeente "Het Hogeland" applies (``EXAMPLE_TOML``, with a fictitious
bank account); a path that is given explicitly must exist, so a typing error never pays
from the demo account. Unknown keys are refused: a misspelt policy key must not silently
fall back to the default. Bank details are read, never echoed in full.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      ValidationError, field_validator)

from lks.identifiers import GEMEENTECODE, check_bic, check_iban, check_postcode, mask_iban
from lks.nl import is_maand, systeemfout

if TYPE_CHECKING:
    from lks.calc.model import Policy

ENV_VAR = "LKS_SETTINGS"
DEFAULT_FILE = "gemeente.toml"

EXAMPLE_TOML = '''\
# Instellingen van de gemeente voor lks (loonkostensubsidie).
#
# `lks init` schrijft dit voorbeeld naar gemeente.toml als dat bestand nog niet bestaat;
# een bestaand bestand wordt nooit overschreven. Een ander pad kan via de omgevings-
# variabele LKS_SETTINGS. Onbekende sleutels worden geweigerd (een tikfout valt dus
# niet stil terug op de standaardwaarde).
#
# De waarden hieronder zijn die van de demogemeente Het Hogeland. Het IBAN is FICTIEF:
# vervang naam, adressen, IBAN en ondertekenaar door die van uw gemeente.

[gemeente]
naam = "Het Hogeland"
# CBS-gemeentecode. Delen meerdere gemeenten één PostgreSQL-server (lks --gemeente CODE),
# dan weigert lks dit bestand voor een andere gemeente dan deze: zo komt nooit het IBAN of
# de naam van de ene gemeente in het betaalbestand of de brieven van de andere.
code = "1966"
# bezoekadres van het gemeentehuis
straat = "Hoofdstraat W"
huisnummer = "70"
postcode = "9951 AC"
plaats = "Winsum"
# rekening waarvan de subsidie wordt betaald (SEPA-betaalbestand); spaties mogen
iban = "NL38 BNGH 0285 0123 45"
# BIC mag leeg blijven ("") binnen SEPA; bij opgave wordt hij gecontroleerd
bic = "BNGHNL2G"

# Postadres voor bezwaarschriften, vermeld in de bezwaarclausule van elke beschikking
# (Awb art. 6:7 en 6:8: binnen zes weken, gericht aan het college).
[gemeente.postadres]
geadresseerde = "het college van burgemeester en wethouders van Het Hogeland"
adres = "Postbus 13"
postcode = "9950 AA"
plaats = "Winsum"

# Wie de beschikkingen namens het college ondertekent.
[gemeente.ondertekenaar]
naam = "J. de Vries"
functie = "teamleider Werk en Inkomen"

[beleid]
# Welk WML-bedrag geldt (rekenregels §2.1):
#   "halfjaarlijks" - het WML van de dag zelf, elke januari- en juliwijziging telt mee
#   "jaarlijks"     - het wettelijk minimum (Pw art. 10d lid 7): het WML van 1 januari
#                     of van de startdatum, als die later ligt
indexatie = "halfjaarlijks"
# Ontwikkelbaan (re-integratieverordening): rekent de subsidie met 8 % vakantiebijslag
# en met de vergoeding voor werkgeverslasten, zoals het wettelijk forfait?
ontwikkelbaan_vakantiebijslag = true
ontwikkelbaan_werkgeverslasten = true

[parameters]
# Eigen parameterbestanden van de gemeente, naast de tabellen die met lks worden meegeleverd.
# Beleid is van de gemeente: de ontwikkelbaan (fractie, maximale duur, en vanaf welke datum
# de gemeente hem heeft) en de fractie voor beschut werk. Een beleidsbestand in deze map
# vervangt het meegeleverde, waarvan de waarden die van Het Hogeland zijn.
# Wet is van het land: minimumloon, jeugdloonstaffel, vakantiebijslag, werkgeverslasten,
# 70 %-grens, forfait. Een wetsbestand in deze map mag de meegeleverde tabel alleen aanvullen
# met latere waarden, elk met zijn publicatie (reference), bijvoorbeeld het minimumloon van
# 1 juli zodra de Staatscourant het bekendmaakt; het spreekt de meegeleverde tabel nooit tegen.
# Controleren: `lks parameters check`; wat geldt en waar het vandaan komt: `lks parameters
# list` en `lks parameters show NAAM`. Het pad is relatief aan dit bestand.
# lokaal = "parameters-lokaal"

[betaalrun]
# Hoeveel jaar terug een betaalrun eerdere maanden herberekent en het verschil betaalt.
retro_jaren = 5
# Na hoeveel maanden een openstaande vordering (negatief verschil dat niet verrekend kon
# worden) apart wordt gemeld voor terugvordering.
vordering_max_maanden = 6
# De eerste maand die dit systeem betaalt; eerdere maanden betaalde het vorige systeem en
# worden nooit herberekend of gecorrigeerd. Weglaten: alleen de retrotermijn begrenst.
eerste_periode = "2025-01"
# Dag van de maand waarop de bank uitbetaalt (de uitvoerdatum in het SEPA-bestand); ligt
# die dag bij goedkeuring al achter ons, dan de eerstvolgende werkdag.
betaaldag = 25
# Werknemers op verloonde uren (oproep-, min-max- en nulurencontracten): de werkgever levert
# de loonstrook van een maand aan uiterlijk op deze dag van de maand daarna (10: de
# loonstrook over juli uiterlijk op 10 augustus). De verlening noemt deze verplichting.
loonstrook_dag = 10

[scheduler]
# De batchcycli van `lks scheduler` (definities in batches/cycli.yaml), in de tijd van
# Europe/Amsterdam. Tijden als "UU:MM", niet tussen 02:00 en 03:00: dat uur ontbreekt of
# komt dubbel voor bij de zomertijdwissel.
# Dag van de maand en tijd waarop de betaalrun wordt aangevraagd en berekend (goedkeuren
# doen mensen: vier ogen).
betaalrun_dag = 18
betaalrun_tijd = "07:00"
# Tijd waarop de werklijst met signalen dagelijks wordt bijgewerkt.
signalen_tijd = "06:30"
# Na hoeveel maanden na de laatste loonwaardemeting een herbeoordeling nodig is.
herbeoordeling_maanden = 12
# Hoe lang na het geplande moment een gemiste cyclus (scheduler stond uit) nog wordt
# ingehaald; ingehaald wordt altijd één keer, ook als er meer momenten zijn gemist.
inhaaltermijn_dagen = 31
# Een mislukte taak wordt na zoveel minuten opnieuw geprobeerd, hoogstens zo vaak.
herhaal_minuten = 30
herhaal_pogingen = 3
# Een scheduler die zo lang geen teken van leven gaf, geldt als gestopt (alleen SQLite;
# op PostgreSQL houdt de database de vergrendeling bij).
vergrendeling_minuten = 5

[signalen]
# De werklijst (`lks signalen list`): hoe ruim van tevoren een signaal verschijnt. De
# wettelijke termijnen zelf (forfait, maximale duur ontwikkelbaan, beslistermijn na de
# loonwaarde) staan in de parameterbestanden, niet hier; de termijn van de herbeoordeling
# is scheduler.herbeoordeling_maanden hierboven.
# Zoveel weken voor de herbeoordeling van de loonwaarde uiterlijk moet plaatsvinden.
vooruit_herbeoordeling_weken = 6
# Zoveel weken voor het einde van de forfaitperiode zonder vastgestelde loonwaarde.
vooruit_forfait_weken = 6
# Zoveel maanden voor het einde van een ontwikkelbaan.
vooruit_ontwikkelbaan_maanden = 2
# De werkgever zegt na een ontwikkelbaan een contract van minstens zoveel maanden toe; het
# signaal vraagt vast te leggen of dat contract er is gekomen.
contract_maanden = 12
# Plaatsingen op verloonde uren (oproep-, min-max- en nulurencontracten): zoveel dagen na het
# einde van een maand zonder geleverde loonstrook (verloonde uren) verschijnt het signaal
# 'loonstrook ontbreekt'. Het verdwijnt vanzelf zodra de uren van die maand zijn ingelezen.
loonstrook_ontbreekt_dagen = 15

[web]
# De webapplicatie (`lks serve`) voor medewerkers, goedkeurders, controllers en beheerders,
# en het werkgeversportaal.
# Na zoveel minuten zonder activiteit is een sessie verlopen en moet opnieuw worden ingelogd.
sessie_minuten = 30
# Na zoveel verkeerde wachtwoorden achter elkaar wordt een account tijdelijk geblokkeerd ...
max_pogingen = 5
# ... voor zoveel minuten.
blokkade_minuten = 15
# Grootste toegestane upload (levering, grootboek, bankafschrift, loonstroken) in MB.
upload_mb = 20
# Staat de applicatie achter een reverse proxy (nginx, een load balancer) die https afhandelt?
# Dan vertrouwt lks de X-Forwarded-For/-Proto-kopregels van één proxy (voor het adres in het
# auditlog en Secure-cookies). Alleen aanzetten als er werkelijk zo'n proxy voor staat.
achter_proxy = false

# Single sign-on met OpenID Connect (bijvoorbeeld Entra ID of ADFS voor medewerkers, de
# eHerkenning-makelaar voor werkgevers). Het clientgeheim staat nooit in dit bestand maar in
# de omgevingsvariabele die client_secret_env noemt. Zonder deze secties: alleen lokale accounts.
# [sso.medewerkers]
# issuer = "https://login.microsoftonline.com/<tenant-id>/v2.0"
# client_id = "<client-id>"
# client_secret_env = "LKS_SSO_MEDEWERKERS_SECRET"
# # claim met de rollen, en welke waarde welke lks-rol is
# rollen_claim = "roles"
# gebruikersnaam_claim = "preferred_username"
# [sso.medewerkers.rollen]
# "LKS.Medewerker" = "medewerker"
# "LKS.Goedkeurder" = "goedkeurder"
# "LKS.Controller" = "controller"
# "LKS.Beheerder" = "beheerder"
#
# [sso.werkgevers]
# issuer = "https://makelaar.example.nl/oidc"
# client_id = "<client-id>"
# client_secret_env = "LKS_SSO_WERKGEVERS_SECRET"
# # claim met het KvK-nummer van de werkgever namens wie wordt ingelogd
# kvk_claim = "urn:etoegang:1.9:EntityConcernedID:KvKnr"
'''

class InstellingenFout(ValueError):
    """The settings file cannot be used; ``fouten`` holds one line per problem."""

    def __init__(self, bestand: str, fouten: list[str]):
        self.bestand = bestand
        self.fouten = fouten
        super().__init__(f"{bestand}: " + "; ".join(fouten))


def _text(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # huisnummer = 70 is meant as "70"
    if isinstance(value, str):
        return value.strip()
    return value


def _optional_text(value):
    value = _text(value)
    return (value or None) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Postadres(_Section):
    geadresseerde: Text
    adres: Text
    postcode: Text
    plaats: Text

    @field_validator("postcode")
    @classmethod
    def valid_postcode(cls, value: str) -> str:
        return check_postcode(value)


class Ondertekenaar(_Section):
    naam: Text
    functie: Text


class Gemeente(_Section):
    naam: Text
    code: OptionalText = None
    straat: Text
    huisnummer: Text
    postcode: Text
    plaats: Text
    iban: Text
    bic: OptionalText = None
    postadres: Postadres
    ondertekenaar: Ondertekenaar

    @field_validator("code")
    @classmethod
    def valid_code(cls, value: str | None) -> str | None:
        if value is not None and not GEMEENTECODE.fullmatch(value.lower()):
            raise ValueError(f"'{value}' is geen geldige gemeentecode: 1 tot 40 letters, cijfers of '_' "
                             "(bijvoorbeeld de CBS-code, 1966)")
        return value.lower() if value is not None else None

    @field_validator("postcode")
    @classmethod
    def valid_postcode(cls, value: str) -> str:
        return check_postcode(value)

    @field_validator("iban")
    @classmethod
    def valid_iban(cls, value: str) -> str:
        return check_iban(value, masked=True)

    @field_validator("bic")
    @classmethod
    def valid_bic(cls, value: str | None) -> str | None:
        return None if value is None else check_bic(value)

    def __repr_args__(self):
        for name, value in super().__repr_args__():
            yield name, mask_iban(value) if name == "iban" else value


class Beleid(_Section):
    indexatie: Literal["halfjaarlijks", "jaarlijks"] = "halfjaarlijks"
    ontwikkelbaan_vakantiebijslag: bool = True
    ontwikkelbaan_werkgeverslasten: bool = True


class Betaalrun(_Section):
    retro_jaren: int = Field(5, ge=0, le=20)
    vordering_max_maanden: int = Field(6, ge=1, le=120)
    eerste_periode: str | None = None
    betaaldag: int = Field(25, ge=1, le=28)
    loonstrook_dag: int = Field(10, ge=1, le=28)
    """Day of the next month by which the werkgever delivers the loonstrook of a plaatsing on
    verloonde uren (rekenregels §7); stated in its verlening as an obligation (Awb art. 4:37)."""

    @field_validator("eerste_periode")
    @classmethod
    def valid_periode(cls, value: str | None) -> str | None:
        if value is not None and not is_maand(value):
            raise ValueError(f"'{value}' is geen maand in de vorm JJJJ-MM")
        return value


def _kloktijd(value: str) -> str:
    """"UU:MM" outside 02:00-03:00 (that hour is missing or doubled at a DST change)."""
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value)
    if not match:
        raise ValueError(f"'{value}' is geen tijd in de vorm UU:MM")
    if match.group(1) == "02":
        raise ValueError(f"{value} valt in het uur van de zomertijdwissel (02:00-03:00); "
                         "kies een andere tijd")
    return value


class Scheduler(_Section):
    betaalrun_dag: int = Field(18, ge=1, le=28)
    betaalrun_tijd: str = "07:00"
    signalen_tijd: str = "06:30"
    herbeoordeling_maanden: int = Field(12, ge=1, le=60)
    inhaaltermijn_dagen: int = Field(31, ge=1, le=366)
    herhaal_minuten: int = Field(30, ge=1, le=24 * 60)
    herhaal_pogingen: int = Field(3, ge=0, le=100)
    vergrendeling_minuten: int = Field(5, ge=1, le=24 * 60)

    @field_validator("betaalrun_tijd", "signalen_tijd")
    @classmethod
    def valid_time(cls, value: str) -> str:
        return _kloktijd(value)


class Signalen(_Section):
    """The werklijst's horizons, the promised contract and how long after a month a missing
    loonstrook is signalled (policy; the legal durations are parameter files). ``scheduler.herbeoordeling_maanden`` stays in [scheduler]: moving it
    would make existing gemeente.toml files invalid (unknown keys are refused)."""
    vooruit_herbeoordeling_weken: int = Field(6, ge=1, le=26)
    vooruit_forfait_weken: int = Field(6, ge=1, le=26)
    vooruit_ontwikkelbaan_maanden: int = Field(2, ge=1, le=12)
    contract_maanden: int = Field(12, ge=1, le=60)
    loonstrook_ontbreekt_dagen: int = Field(15, ge=1, le=92)


class Web(_Section):
    """The web application: session idle timeout, lockout after wrong passwords, upload size."""
    sessie_minuten: int = Field(30, ge=1, le=24 * 60)
    max_pogingen: int = Field(5, ge=1, le=100)
    blokkade_minuten: int = Field(15, ge=1, le=24 * 60)
    upload_mb: int = Field(20, ge=1, le=1024)
    achter_proxy: bool = False


_ROLNAMEN = ("medewerker", "goedkeurder", "controller", "beheerder")


class SsoClient(_Section):
    """One OpenID Connect client (the staff's identity provider or the werkgevers' broker).
    The secret is read from the environment variable ``client_secret_env``, never from the file."""
    issuer: Text
    client_id: Text
    client_secret_env: Text
    scope: Text = "openid profile email"
    gebruikersnaam_claim: Text = "preferred_username"
    rollen_claim: Text = "roles"
    rollen: dict[str, str] = {}
    kvk_claim: OptionalText = None

    @field_validator("issuer")
    @classmethod
    def valid_issuer(cls, value: str) -> str:
        if not re.fullmatch(r"https?://\S+", value):
            raise ValueError(f"'{value}' is geen URL (https://…)")
        return value.rstrip("/")

    @field_validator("rollen")
    @classmethod
    def valid_rollen(cls, value: dict[str, str]) -> dict[str, str]:
        for claim, rol in value.items():
            if rol not in _ROLNAMEN:
                raise ValueError(f"'{claim}' = '{rol}': onbekende rol (kies uit {', '.join(_ROLNAMEN)})")
        return value

    def client_secret(self) -> str | None:
        return os.environ.get(self.client_secret_env) or None


class Sso(_Section):
    medewerkers: SsoClient | None = None
    werkgevers: SsoClient | None = None

    @field_validator("werkgevers")
    @classmethod
    def kvk_nodig(cls, value: SsoClient | None) -> SsoClient | None:
        if value is not None and not value.kvk_claim:
            raise ValueError("kvk_claim ontbreekt: het portaal koppelt een werkgever aan zijn KvK-nummer")
        return value


class ParameterMap(_Section):
    """The gemeente's own parameter files (interfaces §4; rules in ``lks.parameters``)."""
    lokaal: OptionalText = None


class Settings(_Section):
    gemeente: Gemeente
    beleid: Beleid = Beleid()
    parameters: ParameterMap = ParameterMap()
    betaalrun: Betaalrun = Betaalrun()
    scheduler: Scheduler = Scheduler()
    signalen: Signalen = Signalen()
    web: Web = Web()
    sso: Sso = Sso()

    _bron: Path | None = PrivateAttr(default=None)

    @property
    def bron(self) -> Path | None:
        """The file these settings came from; None for the built-in demo gemeente."""
        return self._bron

    @property
    def parameters_lokaal(self) -> Path | None:
        """The gemeente's own parameter folder (``[parameters] lokaal``), relative to the
        settings file; None when the settings name none."""
        if self.parameters.lokaal is None:
            return None
        path = Path(self.parameters.lokaal).expanduser()
        if not path.is_absolute():
            path = (self._bron.resolve().parent if self._bron is not None else Path.cwd()) / path
        return path

    def policy(self) -> Policy:
        """The calculation core's view of the beleid section."""
        from lks.calc.model import Policy  # the core (pandas) only where it is used

        return Policy(indexatie=self.beleid.indexatie,
                      ontwikkelbaan_vakantiebijslag=self.beleid.ontwikkelbaan_vakantiebijslag,
                      ontwikkelbaan_werkgeverslasten=self.beleid.ontwikkelbaan_werkgeverslasten)


def settings_path() -> Path:
    """Where the settings file is expected: ``LKS_SETTINGS``, else ./gemeente.toml."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_FILE)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the settings file. Without ``path`` and ``LKS_SETTINGS``, a missing
    ./gemeente.toml gives the demo gemeente; a path given explicitly must exist."""
    explicit = path is not None or bool(os.environ.get(ENV_VAR))
    path = Path(path) if path is not None else settings_path()
    if not path.exists():
        if explicit:
            raise InstellingenFout(str(path), ["bestand bestaat niet"])
        if _actieve_gemeente():
            raise InstellingenFout(str(path), [
                f"bestand bestaat niet; met --gemeente {_actieve_gemeente()} zijn de instellingen van "
                "die gemeente nodig (LKS_SETTINGS of ./gemeente.toml), niet die van de demogemeente"])
        return parse_settings(EXAMPLE_TOML, "voorbeeldinstellingen")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstellingenFout(str(path), ["bestand is geen geldige UTF-8"]) from None
    except OSError as error:
        raise InstellingenFout(str(path), [f"kan bestand niet lezen ({systeemfout(error)})"]) from None
    settings = parse_settings(text, str(path))
    settings._bron = path
    _hoort_bij_actieve_gemeente(settings, str(path))
    lokaal = settings.parameters_lokaal
    if lokaal is not None and not lokaal.is_dir():
        raise InstellingenFout(str(path), [f"[parameters] lokaal: map {lokaal} bestaat niet"])
    return settings


def _actieve_gemeente() -> str:
    """The gemeente (schema) this process works for: ``LKS_GEMEENTE``, which ``lks --gemeente``
    sets; empty for a database of one gemeente."""
    return os.environ.get("LKS_GEMEENTE", "").strip().lower()


def _hoort_bij_actieve_gemeente(settings: Settings, bestand: str) -> None:
    """On a server shared by several gemeenten, the settings (the IBAN the SEPA file debits,
    the name and address on every letter) must be those of the gemeente whose schema this
    process works in: a settings file says which gemeente it belongs to (``[gemeente] code``)."""
    actief = _actieve_gemeente()
    if not actief:
        return
    code = settings.gemeente.code
    if code is None:
        raise InstellingenFout(bestand, [
            f"[gemeente] code: ontbreekt; met --gemeente {actief} moet het bestand zeggen bij welke "
            f'gemeente het hoort (code = "{actief}")'])
    if code != actief:
        raise InstellingenFout(bestand, [
            f"[gemeente] code: dit bestand hoort bij gemeente {code} ({settings.gemeente.naam}), niet bij "
            f"--gemeente {actief}; gebruik het instellingenbestand van gemeente {actief}"])


def parse_settings(text: str, bestand: str = DEFAULT_FILE) -> Settings:
    """Validate TOML text; ``bestand`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InstellingenFout(bestand, [f"geen geldige TOML ({_toml_reden(error)})"]) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise InstellingenFout(bestand, [_fout(e) for e in error.errors()]) from None


def write_example(path: str | Path | None = None) -> bool:
    """Write ``EXAMPLE_TOML`` to ``path`` (default: ``settings_path()``) unless a file is
    already there. Returns whether it was written; an existing file is never touched."""
    path = Path(path) if path is not None else settings_path()
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(EXAMPLE_TOML)
    except FileExistsError:
        return False
    return True


def _toml_reden(error: tomllib.TOMLDecodeError) -> str:
    # tomllib ends its message with "(at line L, column C)" or "(at end of document)"
    match = re.search(r"at line (\d+), column (\d+)", str(error))
    if match:
        return f"fout in de opbouw op regel {match.group(1)}, kolom {match.group(2)}"
    return "fout in de opbouw aan het eind van het bestand"


def _fout(error: dict) -> str:
    location = [str(part) for part in error["loc"]]
    key = location[-1] if location else ""
    section = ".".join(location[:-1])
    waar = f"[{section}] {key}" if section else f"[{key}]"  # top level: sections
    return f"{waar}: {_reden(error)}"


def _reden(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    reasons = {
        "missing": "ontbreekt",
        "extra_forbidden": "onbekende sleutel",
        "string_type": "moet tekst zijn (tussen aanhalingstekens)",
        "string_too_short": "mag niet leeg zijn",
        "too_short": "mag niet leeg zijn",
        "bool_type": "moet true of false zijn",
        "int_type": "moet een geheel getal zijn",
        "model_type": "moet een tabel zijn ([sectie])",
        "model_attributes_type": "moet een tabel zijn ([sectie])",
        "greater_than_equal": f"moet minstens {ctx.get('ge')} zijn",
        "less_than_equal": f"mag hoogstens {ctx.get('le')} zijn",
        "literal_error": f"moet een van {ctx.get('expected', '').replace(' or ', ', ')} zijn",
    }
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return reasons.get(kind, error["msg"])

