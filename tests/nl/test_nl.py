import datetime as dt
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from lks.nl import bedrag, datum, euro, euro_babel, getal, procent


@given(st.integers(-10**12, 10**12))
def test_fast_formatting_equals_babel(cents):
    assert euro(cents) == euro_babel(cents)
    assert bedrag(cents) == format_decimal(Decimal(cents) / 100, format="#,##0.00", locale="nl_NL")


def test_examples():
    assert euro(106505) == "€\xa01.065,05"
    assert bedrag(5) == "0,05"
    assert datum(dt.date(2026, 11, 22)) == "22 november 2026"
    assert getal(Fraction(32, 36)) == "0,888888…"
    assert getal(Fraction(1, 2)) == "0,5"
    assert procent(Fraction(47, 200)) == "23,5 %"
