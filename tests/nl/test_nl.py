import datetime as dt
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from lks.nl import bedrag, datum, euro, euro_babel, euro_exact, getal, procent


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


def test_euro_exact_for_amounts_per_hour():
    """An exact amount in (fractional) cents, e.g. the subsidy per verloond uur of rekenregels §7:
    14,40 × 1,08 × 0,40 = 6,2208 €/h is 15552/25 cents."""
    nbsp = "\xa0"
    assert euro_exact(Fraction(15552, 25)) == f"€{nbsp}6,2208"
    assert euro_exact(1440) == f"€{nbsp}14,40"  # at least two decimals, as an amount
    assert euro_exact(Fraction(6672456, 10000)) == f"€{nbsp}6,672456"  # 14,71 × 0,6 × 1,08 × 0,7
    assert euro_exact(Fraction(1, 3)) == f"€{nbsp}0,003333…"  # cut off and marked, never rounded
    assert euro_exact(123456789) == f"€{nbsp}1.234.567,89"
    assert euro_exact(-Fraction(13392, 1000)) == f"€{nbsp}-0,13392"
