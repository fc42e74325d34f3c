"""A gemeente's own parameter folder (interfaces §4, rekenregels §2.2 and §5): policy is the
gemeente's and replaces the shipped (Het Hogeland) values; law is the country's and may only
be extended after the shipped table, each new value with its publication."""
import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from lks.parameters import (ALLEEN_GELEVERD, GELEVERD, KNOWN, LOKAAL, ParameterFout, ParameterOntbreekt,
                            Parameters)
from lks.settings import EXAMPLE_TOML, InstellingenFout, load_settings, parse_settings

STAATSCOURANT = "{title: 'Halfjaarlijkse aanpassing minimumloon per 1 juli 2026 (Staatscourant 2026, 12345)', " \
                "href: 'https://zoek.officielebekendmakingen.nl/stcrt-2026-12345'}"

WML_JULI_2026 = f"""\
description: Wettelijk minimumloon per maand (21+), aangevuld door de gemeente.
soort: wet
unit: eur_per_maand
reference: {{title: 'Wet minimumloon en minimumvakantiebijslag, art. 8 en art. 14'}}
valid_until: 2026-12-31
values:
  2026-07-01:
    value: "2340.00"
    reference: {STAATSCOURANT}
"""

ONTWIKKELBAAN_FRACTIE_2021 = """\
description: Ontwikkelbaan van gemeente Voorbeeld, sinds 2021.
soort: beleid
unit: fractie
reference: {title: 'Re-integratieverordening gemeente Voorbeeld 2021, art. 7 (ontwikkelbaan)'}
valid_until: open
values:
  2021-01-01:
    value: "0.60"
"""

ONTWIKKELBAAN_MAANDEN_2021 = """\
description: Maximale duur ontwikkelbaan van gemeente Voorbeeld.
soort: beleid
unit: maanden
reference: {title: 'Re-integratieverordening gemeente Voorbeeld 2021, art. 8 (duur)'}
valid_until: open
values:
  2021-01-01:
    value: "24"
"""


def lokaal(tmp_path, **files: str) -> Path:
    folder = tmp_path / "parameters-lokaal"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def refused(folder: Path) -> list[str]:
    with pytest.raises(ParameterFout) as info:
        Parameters.load(lokaal=folder)
    return info.value.fouten


def test_every_shipped_file_says_whether_it_is_law_or_policy():
    params = Parameters.load()
    assert {n for n, p in params.items() if p.soort == "beleid"} == {
        "ontwikkelbaan_fractie", "ontwikkelbaan_maanden", "beschut_fractie"}
    assert {p.soort for p in params.values()} == {"wet", "beleid"}
    assert all(p.bron(i) == GELEVERD for p in params.values() for i in range(len(p.dates)))
    assert params.lokaal is None


def test_a_policy_file_replaces_the_shipped_one(tmp_path):
    folder = lokaal(tmp_path, **{"ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021,
                                 "ontwikkelbaan_maanden.yaml": ONTWIKKELBAAN_MAANDEN_2021})
    params = Parameters.load(lokaal=folder)
    fractie = params["ontwikkelbaan_fractie"]
    assert fractie.dates == (dt.date(2021, 1, 1),)  # Het Hogeland's 2024 value is gone
    assert fractie.at(dt.date(2021, 1, 1)) == Fraction("0.60")
    assert fractie.at(dt.date(2025, 6, 1)) == Fraction("0.60")
    assert fractie.bron(0) == LOKAAL and fractie.bestanden[0] == folder / "ontwikkelbaan_fractie.yaml"
    assert params["ontwikkelbaan_maanden"].at(dt.date(2021, 3, 1)) == 24
    assert params["beschut_fractie"].bron(0) == GELEVERD
    assert params.regeling_ontbreekt("ontwikkelbaan", ["2020-12-31", "2021-01-01"]).tolist() == [
        "ontwikkelbaan_fractie", ""]
    # without the folder: the shipped policy starts in 2024 (Het Hogeland)
    assert Parameters.load().regeling_ontbreekt("ontwikkelbaan", ["2023-12-31", "2024-01-01"]).tolist() == [
        "ontwikkelbaan_fractie", ""]


def test_a_law_file_extends_the_shipped_table_with_its_publication(tmp_path):
    folder = lokaal(tmp_path, **{"wml_maandloon.yaml": WML_JULI_2026})
    params = Parameters.load(lokaal=folder)
    wml = params["wml_maandloon"]
    assert wml.at(dt.date(2026, 6, 30)) == Fraction("2294.40")
    assert wml.at(dt.date(2026, 7, 1)) == Fraction("2340.00")
    assert wml.at(dt.date(2026, 12, 31)) == Fraction("2340.00")
    assert wml.valid_until == dt.date(2026, 12, 31)
    i = wml.dates.index(dt.date(2026, 7, 1))
    assert wml.bron(i) == LOKAAL and wml.bron(i - 1) == GELEVERD
    assert "Staatscourant 2026, 12345" in str(wml.reference_at(dt.date(2026, 7, 1)))
    # the shipped references stay with the shipped values
    assert "1 januari 2026" in str(wml.reference_at(dt.date(2026, 1, 1)))
    with pytest.raises(ParameterOntbreekt, match="2027-01-01"):
        wml.at(dt.date(2027, 1, 1))
    [bestand] = params.lokale_bestanden
    assert bestand.werking == "vult de geleverde tabel aan met 1 waarde vanaf 2026-07-01 (bekend tot en met 2026-12-31)"


def test_repeating_shipped_values_is_allowed_and_changes_nothing(tmp_path):
    text = WML_JULI_2026.replace("values:\n", 'values:\n  2026-01-01:\n    value: "2294.40"\n')
    params = Parameters.load(lokaal=lokaal(tmp_path, **{"wml_maandloon.yaml": text}))
    assert params["wml_maandloon"].at(dt.date(2026, 1, 1)) == Fraction("2294.40")
    assert params["wml_maandloon"].at(dt.date(2026, 7, 1)) == Fraction("2340.00")
    only_old = ('description: kopie\nsoort: wet\nunit: eur_per_maand\nreference: {title: WML}\n'
                'valid_until: 2026-06-30\nvalues:\n  2026-01-01:\n    value: "2294.40"\n')
    params = Parameters.load(lokaal=lokaal(tmp_path, **{"wml_maandloon.yaml": only_old}))
    shipped, wml = Parameters.load()["wml_maandloon"], params["wml_maandloon"]
    assert (wml.dates, wml.values, wml.valid_until, wml.bronnen) == (
        shipped.dates, shipped.values, shipped.valid_until, shipped.bronnen)
    assert "voegt niets toe" in params.lokale_bestanden[0].werking


@pytest.mark.parametrize("name, text, reason", [
    ("wml_maandloon.yaml", WML_JULI_2026.replace("2026-07-01", "2026-01-01"),
     "2026-01-01: waarde 2340.00 spreekt de geleverde waarde 2294.40 tegen (wml_maandloon is nationale wet"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace("2026-07-01", "2026-03-01"),
     "2026-03-01: ligt binnen de geleverde tabel (de geleverde tabel is bekend tot en met 2026-06-30)"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace("2026-07-01", "2022-07-01"),
     "2022-07-01: ligt binnen de geleverde tabel"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace(f"    reference: {STAATSCOURANT}\n", ""),
     "2026-07-01: nieuwe waarde zonder publicatie"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace("valid_until: 2026-12-31", "valid_until: open"),
     "valid_until: open is hier niet toegestaan"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace("soort: wet", "soort: beleid"),
     "soort beleid klopt niet: wml_maandloon is nationale wet"),
    ("wml_maandloon.yaml", WML_JULI_2026.replace("eur_per_maand", "eur_per_uur"),
     "eenheid eur_per_uur klopt niet"),
    ("vakantiebijslag.yaml", 'description: x\nsoort: wet\nunit: fractie\nreference: {title: WML}\n'
                             'valid_until: open\nvalues:\n  2015-01-01:\n    value: "0.09"\n',
     "2015-01-01: waarde 0.09 spreekt de geleverde waarde 0.08 tegen"),
    ("wml_uurloon.yaml", 'description: x\nsoort: wet\nunit: eur_per_uur\nreference: {title: WML}\n'
                         'valid_until: 2026-12-31\nvalues:\n  2026-01-01:\n    value: "14.71"\n',
     "valid_until verlengt de geleverde tabel (de geleverde tabel is bekend tot en met 2026-06-30) zonder nieuwe waarde"),
    ("ontwikkelbaan_fractie.yaml", ONTWIKKELBAAN_FRACTIE_2021.replace("soort: beleid", "soort: wet"),
     "soort wet klopt niet: ontwikkelbaan_fractie is gemeentelijk beleid"),
    ("ontwikkelbaan_fractie.yaml", ONTWIKKELBAAN_FRACTIE_2021.replace('"0.60"', "0.60"),
     "moet een decimale tekst tussen aanhalingstekens zijn"),
    ("ontwikkelbaanfractie.yaml", ONTWIKKELBAAN_FRACTIE_2021, "onbekende parameter 'ontwikkelbaanfractie'"),
    ("ontwikkelbaan_fractie.yml", ONTWIKKELBAAN_FRACTIE_2021, "gebruik de extensie .yaml"),
    ("bezwaartermijn_weken.yaml", ONTWIKKELBAAN_FRACTIE_2021, "wettelijke termijn die de brieven zelf toepassen"),
])
def test_a_local_file_is_refused_with_file_and_reason(tmp_path, name, text, reason):
    folder = lokaal(tmp_path, **{name: text})
    [fout] = refused(folder)
    assert fout.startswith(str(folder / name) + ":")
    assert reason in fout


WML_TWEE = WML_JULI_2026.replace("valid_until: 2026-12-31", "valid_until: 2027-06-30") + f"""\
  2027-01-01:
    value: "2390.00"
    reference: {STAATSCOURANT}
"""


@pytest.mark.parametrize("text, reason", [
    # the audit's case: only September, the shipped table ends in June; July and August would
    # silently get the January amount
    (WML_JULI_2026.replace("2026-07-01", "2026-09-01"),
     "de eerste nieuwe waarde begint op 2026-09-01, maar de geleverde tabel loopt tot en met 2026-06-30; er mag "
     "geen gat zijn: voeg eerst de waarde per 2026-07-01 toe"),
    (WML_TWEE.replace("2027-01-01", "2027-07-01").replace("valid_until: 2027-06-30", "valid_until: 2027-12-31"),
     "tussen 2026-07-01 en 2027-07-01 ontbreekt een waarde: een waarde van wml_maandloon geldt een half jaar "
     "(zoals in de geleverde tabel); er mag geen gat zijn: voeg de waarde per 2027-01-01 toe"),
    (WML_JULI_2026.replace("valid_until: 2026-12-31", "valid_until: 2027-03-31"),
     "valid_until 2027-03-31 ligt na 2026-12-31: de waarde per 2026-07-01 geldt een half jaar"),
])
def test_new_law_values_follow_on_without_a_gap(tmp_path, text, reason):
    folder = lokaal(tmp_path, **{"wml_maandloon.yaml": text})
    [fout] = refused(folder)
    assert fout == f"{folder / 'wml_maandloon.yaml'}: {reason}" or (
        fout.startswith(f"{folder / 'wml_maandloon.yaml'}: ") and reason in fout), fout


def test_two_new_values_in_a_row_are_accepted(tmp_path):
    params = Parameters.load(lokaal=lokaal(tmp_path, **{"wml_maandloon.yaml": WML_TWEE}))
    wml = params["wml_maandloon"]
    assert wml.at(dt.date(2026, 12, 31)) == Fraction("2340.00")
    assert wml.at(dt.date(2027, 1, 1)) == Fraction("2390.00")
    assert wml.valid_until == dt.date(2027, 6, 30)


def test_every_refused_file_is_reported(tmp_path):
    folder = lokaal(tmp_path, **{
        "wml_maandloon.yaml": WML_JULI_2026.replace(f"    reference: {STAATSCOURANT}\n", ""),
        "onbekend.yaml": ONTWIKKELBAAN_FRACTIE_2021,
        "LEESMIJ.txt": "notities van de gemeente: geen parameterbestand, wordt overgeslagen",
        "ontwikkelbaan_fractie.yaml": ONTWIKKELBAAN_FRACTIE_2021})
    with pytest.raises(ParameterFout) as info:
        Parameters.load(lokaal=folder)
    assert len(info.value.fouten) == 2
    assert str(info.value).endswith("(en 1 meer; zie 'lks parameters check')")
    assert "\n" not in str(info.value)


def test_a_missing_folder_is_refused(tmp_path):
    [fout] = refused(tmp_path / "bestaat-niet")
    assert "lokale parametermap bestaat niet" in fout


def test_the_message_for_a_missing_wml_names_the_local_folder_and_the_command(tmp_path):
    with pytest.raises(ParameterOntbreekt) as info:
        Parameters.load()["wml_maandloon"].at(dt.date(2026, 7, 1))
    message = str(info.value)
    assert "parameters/wml_maandloon.yaml" not in message  # never a file inside the package
    assert ("voeg de nieuwe waarde met haar publicatie toe aan wml_maandloon.yaml in de lokale parametermap van "
            "de gemeente ([parameters] lokaal in gemeente.toml) en controleer met 'lks parameters check'") in message
    folder = lokaal(tmp_path)
    with pytest.raises(ParameterOntbreekt) as info:
        Parameters.load(lokaal=folder)["wml_maandloon"].at(dt.date(2026, 7, 1))
    assert f"voeg de nieuwe waarde met haar publicatie toe aan {folder / 'wml_maandloon.yaml'} en controleer " \
           "met 'lks parameters check'" in str(info.value)


def test_every_known_quantity_is_either_extendable_or_only_shipped():
    assert ALLEEN_GELEVERD <= set(KNOWN)
    for name in ALLEEN_GELEVERD:
        assert Parameters.load()[name].soort == "wet"


# --- the settings name the folder ------------------------------------------------------------

def settings_file(tmp_path, lokaal_regel: str | None) -> Path:
    text = EXAMPLE_TOML
    if lokaal_regel is not None:
        text = text.replace('# lokaal = "parameters-lokaal"', lokaal_regel)
    path = tmp_path / "etc" / "gemeente.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_folder_is_relative_to_the_settings_file(tmp_path, monkeypatch):
    path = settings_file(tmp_path, 'lokaal = "eigen"')
    (path.parent / "eigen").mkdir()
    (path.parent / "eigen" / "wml_maandloon.yaml").write_text(WML_JULI_2026, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the directory of the settings file
    settings = load_settings(path)
    assert settings.parameters_lokaal == (path.parent / "eigen").resolve()
    params = Parameters.voor(settings)
    assert params["wml_maandloon"].at(dt.date(2026, 7, 1)) == Fraction("2340.00")
    assert params.lokaal == settings.parameters_lokaal


def test_without_the_section_only_the_shipped_tables(tmp_path):
    settings = load_settings(settings_file(tmp_path, None))
    assert settings.parameters_lokaal is None
    assert Parameters.voor(settings).lokaal is None
    assert parse_settings(EXAMPLE_TOML).parameters.lokaal is None


def test_a_settings_file_naming_a_folder_that_does_not_exist_is_refused(tmp_path):
    path = settings_file(tmp_path, 'lokaal = "tikfout"')
    with pytest.raises(InstellingenFout, match=r"\[parameters\] lokaal: map .*tikfout bestaat niet"):
        load_settings(path)


def test_an_unknown_key_in_the_section_is_refused(tmp_path):
    path = settings_file(tmp_path, 'map = "eigen"')
    with pytest.raises(InstellingenFout, match=r"\[parameters\] map: onbekende sleutel"):
        load_settings(path)
