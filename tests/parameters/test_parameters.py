"""The parameter loader: dated legal quantities as data, refusing what it does not understand."""
import datetime as dt
import shutil
from fractions import Fraction

import numpy as np
import pytest

from lks.parameters import KNOWN, ParameterFout, ParameterOntbreekt, Parameters, load_parameter
from lks.paths import PARAMETERS_DIR

GOOD = """\
description: test
soort: wet
unit: fractie
reference: {title: Testwet art. 1}
valid_until: open
values:
  2020-01-01:
    value: "0.08"
"""


@pytest.fixture(scope="module")
def params():
    return Parameters.load()


def write(tmp_path, text, name="vakantiebijslag"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_seed_values_of_rekenregels_5(params):
    # rekenregels §5, typed from the rulebook: referentiemaandloon and hourly WML per date.
    table = {
        "2023-01-01": ("1934.40", None), "2023-07-01": ("1995.00", None),
        "2024-01-01": ("2069.40", "13.27"), "2024-07-01": ("2133.60", "13.68"),
        "2025-01-01": ("2191.80", "14.06"), "2025-07-01": ("2245.80", "14.40"),
        "2026-01-01": ("2294.40", "14.71"),
    }
    for day, (month, hour) in table.items():
        d = dt.date.fromisoformat(day)
        assert params["wml_maandloon"].at(d) == Fraction(month)
        if hour:
            assert params["wml_uurloon"].at(d) == Fraction(hour)
    staffel = params["jeugdloon_staffel"].at(dt.date(2025, 1, 1))
    assert staffel == {15: Fraction("0.30"), 16: Fraction("0.345"), 17: Fraction("0.395"),
                       18: Fraction("0.50"), 19: Fraction("0.60"), 20: Fraction("0.80"), 21: 1}
    day = dt.date(2025, 1, 1)
    assert params["vakantiebijslag"].at(day) == Fraction("0.08")
    assert params["werkgeverslasten"].at(day) == Fraction("0.235")
    assert params["werkgeverslasten"].at(dt.date(2017, 12, 31)) == Fraction("0.23")
    assert params["lks_maximum"].at(day) == Fraction("0.70")
    assert params["forfait_fractie"].at(day) == Fraction("0.50")
    assert params["forfait_maanden"].at(day) == 6
    assert params["ontwikkelbaan_fractie"].at(day) == Fraction("0.50")
    assert params["ontwikkelbaan_maanden"].at(day) == 18
    assert params["beschut_fractie"].at(day) == Fraction("0.70")
    assert params["urenfactor_regel"].at(dt.date(2023, 12, 31)) == "voltijd"
    assert params["urenfactor_regel"].at(dt.date(2024, 1, 1)) == "referentie"
    assert params["referentie_weekuren"].at(day) == 36
    # legal terms: Awb 6:7 (bezwaar, six weeks), Awb 4:87 (payment, six weeks), Pw 10d lid 12 (five weeks)
    assert params["bezwaartermijn_weken"].at(day) == 6
    assert params["betaaltermijn_weken"].at(day) == 6
    assert params["beslistermijn_loonwaarde_weken"].at(day) == 5


def test_every_value_has_a_reference(params):
    assert set(params) == set(KNOWN)
    for param in params.values():
        assert param.reference.title
        assert all(ref.title for ref in param.references)


def test_after_last_known_wml_fails_loudly(params):
    wml = params["wml_maandloon"]
    assert wml.at(dt.date(2026, 6, 30)) == Fraction("2294.40")
    with pytest.raises(ParameterOntbreekt, match="parameter ontbreekt: wml_maandloon.*2026-07-01"):
        wml.at(dt.date(2026, 7, 1))
    with pytest.raises(ParameterOntbreekt, match="2022-12-31"):
        wml.at(dt.date(2022, 12, 31))


def test_open_ended_value_holds(params):
    assert params["vakantiebijslag"].at(dt.date(2040, 1, 1)) == Fraction("0.08")


def test_vectorised_lookup(params):
    days = np.array(["2023-06-30", "2023-07-01", "2025-12-31", "2026-01-01"], dtype="datetime64[D]")
    idx = params["wml_maandloon"].index_at(days)
    assert [params["wml_maandloon"].values[i] for i in idx] == [
        Fraction("1934.40"), Fraction("1995.00"), Fraction("2245.80"), Fraction("2294.40")]


@pytest.mark.parametrize("change, message", [
    (lambda t: t + "extra: 1\n", "onbekende sleutel"),
    (lambda t: t.replace("2020-01-01", "01-01-2020"), "geen ISO-datum"),
    (lambda t: t.replace("2020-01-01", "2020-02-30"), "geen bestaande datum"),
    (lambda t: t.replace('"0.08"', "0.08"), "decimale tekst tussen aanhalingstekens"),
    (lambda t: t.replace('"0.08"', '"0,08"'), "geen decimaal getal"),
    (lambda t: t.replace("unit: fractie", "unit: gulden"), "onbekende eenheid"),
    (lambda t: t.replace('    value: "0.08"\n', '    value: "0.08"\n    bron: x\n'), "onbekende sleutel"),
    (lambda t: t.replace("valid_until: open", "valid_until: 2019-12-31"), "valid_until ligt voor"),
    (lambda t: t.replace("reference: {title: Testwet art. 1}\n", ""), "ontbrekende sleutel"),
    (lambda t: t.replace("soort: wet\n", ""), "ontbrekende sleutel.*soort"),
    (lambda t: t.replace("soort: wet", "soort: verordening"), "onbekende soort"),
])
def test_loader_rejects(tmp_path, change, message):
    path = write(tmp_path, change(GOOD))
    with pytest.raises(ParameterFout, match=message) as info:
        load_parameter(path)
    assert str(path) in str(info.value)


def test_loader_accepts_good_file(tmp_path):
    param = load_parameter(write(tmp_path, GOOD))
    assert param.at(dt.date(2020, 1, 1)) == Fraction("0.08")


def test_directory_must_be_complete_and_known(tmp_path):
    for path in PARAMETERS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    Parameters.load(tmp_path)
    (tmp_path / "lks_maximum.yaml").unlink()
    with pytest.raises(ParameterFout, match="lks_maximum.yaml"):
        Parameters.load(tmp_path)
    shutil.copy(PARAMETERS_DIR / "lks_maximum.yaml", tmp_path)
    write(tmp_path, GOOD, name="onbekend")
    with pytest.raises(ParameterFout, match="onbekend.yaml"):
        Parameters.load(tmp_path)
