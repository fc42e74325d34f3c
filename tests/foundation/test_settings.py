"""The gemeente settings file: example, defaults, validation with Dutch errors."""
from __future__ import annotations

import pytest
from schwifty import BIC, IBAN

from lks.calc.model import Policy
from lks.settings import (EXAMPLE_TOML, InstellingenFout, load_settings, parse_settings,
                          write_example)

DEMO_IBAN = "NL38BNGH0285012345"


def test_example_parses_and_is_the_demo_default():
    example = parse_settings(EXAMPLE_TOML)
    default = load_settings()  # no ./gemeente.toml in the test's working directory
    assert example == default
    assert default.bron is None
    assert default.gemeente.naam == "Het Hogeland"
    assert default.gemeente.postadres.geadresseerde.startswith(
        "het college van burgemeester en wethouders")
    assert default.betaalrun.retro_jaren == 5 and default.betaalrun.vordering_max_maanden == 6
    assert default.policy() == Policy()


def test_demo_iban_and_bic_are_valid():
    gemeente = load_settings().gemeente
    assert gemeente.iban == DEMO_IBAN
    iban = IBAN(gemeente.iban)  # mod-97 and Dutch structure
    assert iban.bic == BIC(gemeente.bic) == BIC("BNGHNL2G")


def test_bank_details_are_never_echoed_in_full():
    settings = load_settings()
    for text in (repr(settings), str(settings), repr(settings.gemeente)):
        assert DEMO_IBAN not in text
    assert "NL38************45" in repr(settings.gemeente)


def _write(tmp_path, text: str):
    path = tmp_path / "gemeente.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path, text: str) -> str:
    with pytest.raises(InstellingenFout) as caught:
        load_settings(_write(tmp_path, text))
    return str(caught.value)


def test_file_in_working_directory_is_read(tmp_path):
    _write(tmp_path, EXAMPLE_TOML.replace('indexatie = "halfjaarlijks"', 'indexatie = "jaarlijks"')
           .replace('naam = "Het Hogeland"', 'naam = "Eemsdelta"'))
    settings = load_settings()
    assert settings.gemeente.naam == "Eemsdelta"
    assert settings.policy() == Policy(indexatie="jaarlijks")
    assert settings.bron.name == "gemeente.toml"


def test_lks_settings_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "elders.toml"
    path.write_text(EXAMPLE_TOML.replace("ontwikkelbaan_werkgeverslasten = true",
                                         "ontwikkelbaan_werkgeverslasten = false"))
    monkeypatch.setenv("LKS_SETTINGS", str(path))
    assert load_settings().policy().ontwikkelbaan_werkgeverslasten is False
    monkeypatch.setenv("LKS_SETTINGS", str(tmp_path / "bestaat-niet.toml"))
    with pytest.raises(InstellingenFout, match="bestaat-niet.toml: bestand bestaat niet"):
        load_settings()


def test_explicit_missing_path_is_an_error(tmp_path):
    with pytest.raises(InstellingenFout, match="bestand bestaat niet"):
        load_settings(tmp_path / "typfout.toml")


@pytest.mark.parametrize("change, expected", [
    (("[beleid]\n", "[beleid]\nindexering = \"jaarlijks\"\n"),
     "[beleid] indexering: onbekende sleutel"),
    (("[betaalrun]\n", "[betaling]\nretro_jaren = 1\n\n[betaalrun]\n"),
     "[betaling]: onbekende sleutel"),
    (('indexatie = "halfjaarlijks"', 'indexatie = "maandelijks"'),
     "[beleid] indexatie: moet een van 'halfjaarlijks', 'jaarlijks' zijn"),
    (("retro_jaren = 5", 'retro_jaren = "5"'), "[betaalrun] retro_jaren: moet een geheel getal"),
    (("retro_jaren = 5", "retro_jaren = -1"), "[betaalrun] retro_jaren: moet minstens 0 zijn"),
    (("ontwikkelbaan_vakantiebijslag = true", 'ontwikkelbaan_vakantiebijslag = "ja"'),
     "[beleid] ontwikkelbaan_vakantiebijslag: moet true of false zijn"),
    (('iban = "NL38 BNGH 0285 0123 45"\n', ""), "[gemeente] iban: ontbreekt"),
    (('naam = "J. de Vries"', 'naam = ""'), "[gemeente.ondertekenaar] naam: mag niet leeg zijn"),
    (('postcode = "9950 AA"', 'postcode = "99500"'),
     "[gemeente.postadres] postcode: ongeldige postcode '99500'"),
    (('bic = "BNGHNL2G"', 'bic = "BNGH"'), "[gemeente] bic: ongeldige BIC 'BNGH'"),
    (("[gemeente]\n", "[gemeente\n"), "geen geldige TOML (fout in de opbouw op regel"),
    (("vooruit_forfait_weken = 6", "vooruit_forfait_weken = 0"),
     "[signalen] vooruit_forfait_weken: moet minstens 1 zijn"),
    (("vooruit_ontwikkelbaan_maanden = 2", "vooruit_ontwikkelbaan_maanden = 13"),
     "[signalen] vooruit_ontwikkelbaan_maanden: mag hoogstens 12 zijn"),
    (("contract_maanden = 12", 'contract_maanden = "12"'),
     "[signalen] contract_maanden: moet een geheel getal zijn"),
    (("vooruit_herbeoordeling_weken = 6", "vooruit_herbeoordeling_weken = 6.5"),
     "[signalen] vooruit_herbeoordeling_weken: moet een geheel getal zijn"),
    # the legal terms are parameter files, not settings; herbeoordeling_maanden is in [scheduler]
    (("[signalen]\n", "[signalen]\nbeslistermijn_weken = 5\n"),
     "[signalen] beslistermijn_weken: onbekende sleutel"),
    (("[signalen]\n", "[signalen]\nherbeoordeling_maanden = 12\n"),
     "[signalen] herbeoordeling_maanden: onbekende sleutel"),
    (('code = "1966"', 'code = "gemeente 0014; drop"'),
     "[gemeente] code: 'gemeente 0014; drop' is geen geldige gemeentecode"),
], ids=["onbekende_sleutel", "onbekende_sectie", "indexatie", "type", "bereik", "bool",
        "ontbreekt", "leeg", "postcode", "bic", "toml", "signalen_minimum", "signalen_maximum",
        "signalen_type", "signalen_geen_geheel_getal", "signalen_wettelijke_termijn",
        "signalen_herbeoordeling", "gemeentecode"])
def test_invalid_settings_name_file_key_and_reason(tmp_path, change, expected):
    old, new = change
    assert old in EXAMPLE_TOML
    message = _error(tmp_path, EXAMPLE_TOML.replace(old, new, 1))
    assert message.startswith(str(tmp_path / "gemeente.toml") + ": ")
    assert expected in message


def test_signalen_section_defaults_and_values(tmp_path):
    default = load_settings().signalen
    assert (default.vooruit_herbeoordeling_weken, default.vooruit_forfait_weken,
            default.vooruit_ontwikkelbaan_maanden, default.contract_maanden) == (6, 6, 2, 12)
    # a gemeente.toml from before the section existed keeps working, with these defaults
    before = EXAMPLE_TOML[:EXAMPLE_TOML.index("[signalen]")]
    assert load_settings(_write(tmp_path, before)).signalen == default
    changed = load_settings(_write(tmp_path, EXAMPLE_TOML.replace("vooruit_forfait_weken = 6",
                                                                  "vooruit_forfait_weken = 2")))
    assert changed.signalen.vooruit_forfait_weken == 2
    assert changed.signalen.vooruit_herbeoordeling_weken == 6


def test_loonstrook_dag_default_value_and_range(tmp_path):
    """[betaalrun] loonstrook_dag: the day of the next month by which the loonstrook of a
    plaatsing on verloonde uren is due (rekenregels §7); 10 unless set; a day every month has."""
    assert load_settings().betaalrun.loonstrook_dag == 10
    zonder = EXAMPLE_TOML.replace("loonstrook_dag = 10\n", "")
    assert "loonstrook_dag" not in zonder  # a gemeente.toml from before the key keeps working
    assert load_settings(_write(tmp_path, zonder)).betaalrun.loonstrook_dag == 10
    assert load_settings(_write(tmp_path, EXAMPLE_TOML.replace(
        "loonstrook_dag = 10", "loonstrook_dag = 5"))).betaalrun.loonstrook_dag == 5
    for fout, reden in (("29", "mag hoogstens 28 zijn"), ("0", "moet minstens 1 zijn"),
                        ('"10"', "moet een geheel getal")):
        message = _error(tmp_path, EXAMPLE_TOML.replace("loonstrook_dag = 10", f"loonstrook_dag = {fout}"))
        assert f"[betaalrun] loonstrook_dag: {reden}" in message


def test_loonstrook_ontbreekt_dagen(tmp_path):
    """[signalen] loonstrook_ontbreekt_dagen (rekenregels §7, lks.signalen): 15 by default and
    documented in the example; a file without the key keeps working; out of range is refused."""
    assert load_settings().signalen.loonstrook_ontbreekt_dagen == 15
    assert "\nloonstrook_ontbreekt_dagen = 15\n" in EXAMPLE_TOML
    zonder = EXAMPLE_TOML.replace("loonstrook_ontbreekt_dagen = 15\n", "")
    assert load_settings(_write(tmp_path, zonder)).signalen.loonstrook_ontbreekt_dagen == 15
    assert load_settings(_write(tmp_path, EXAMPLE_TOML.replace(
        "loonstrook_ontbreekt_dagen = 15", "loonstrook_ontbreekt_dagen = 20"))).signalen.loonstrook_ontbreekt_dagen == 20
    assert "[signalen] loonstrook_ontbreekt_dagen: moet minstens 1 zijn" in _error(
        tmp_path, EXAMPLE_TOML.replace("loonstrook_ontbreekt_dagen = 15", "loonstrook_ontbreekt_dagen = 0"))
    assert "[signalen] loonstrook_ontbreekt_dagen: mag hoogstens 92 zijn" in _error(
        tmp_path, EXAMPLE_TOML.replace("loonstrook_ontbreekt_dagen = 15", "loonstrook_ontbreekt_dagen = 93"))


def test_invalid_iban_is_masked_in_the_error(tmp_path):
    message = _error(tmp_path, EXAMPLE_TOML.replace("NL38 BNGH", "NL39 BNGH"))
    assert "[gemeente] iban: ongeldige IBAN 'NL39************45' (controlegetal klopt niet)" in message
    assert "0285012345" not in message


def test_optional_bic_and_numeric_huisnummer(tmp_path):
    path = _write(tmp_path, EXAMPLE_TOML.replace('bic = "BNGHNL2G"', 'bic = ""')
                  .replace('huisnummer = "70"', "huisnummer = 70"))
    gemeente = load_settings(path).gemeente
    assert gemeente.bic is None and gemeente.huisnummer == "70"


def test_write_example_never_overwrites(tmp_path):
    path = tmp_path / "gemeente.toml"
    assert write_example(path) is True
    assert path.read_text(encoding="utf-8") == EXAMPLE_TOML
    path.write_text("# eigen inhoud\n", encoding="utf-8")
    assert write_example(path) is False
    assert path.read_text(encoding="utf-8") == "# eigen inhoud\n"
