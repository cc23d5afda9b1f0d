"""Exact number helpers: Decimals in, milli ints inside, Decimals out."""

from decimal import Decimal

import pytest

from scoring import (
    Rounding,
    decimals_to_milli,
    milli_to_decimal,
    percent_of,
    quantize,
    round_scaled,
    to_milli,
)

D = Decimal
HALF_UP, TRUNCATE = Rounding.HALF_UP, Rounding.TRUNCATE


@pytest.mark.parametrize(
    ("value", "milli"),
    [(D("90.69"), 90690), (7, 7000), ("3.036", 3036), (D("0.001"), 1), (D("-2.5"), -2500)],
)
def test_to_milli(value, milli):
    assert to_milli(value) == milli


def test_to_milli_keeps_none():
    assert to_milli(None) is None


@pytest.mark.parametrize("value", [D("1.0005"), "2.1234", D("NaN"), D("Infinity"), "abc"])
def test_to_milli_refuses_more_than_three_decimals_and_non_finite(value):
    with pytest.raises(ValueError):
        to_milli(value)


def test_to_milli_refuses_floats():
    with pytest.raises(TypeError):
        to_milli(0.1)  # type: ignore[arg-type]


def test_decimals_to_milli_marks_none_as_na():
    values = decimals_to_milli([D("1.5"), None, 2])
    assert values.dtype == "Int64"
    assert values[0] == 1500 and values[2] == 2000
    assert values.isna().tolist() == [False, True, False]


def test_milli_to_decimal_has_three_places():
    assert str(milli_to_decimal(90690)) == "90.690"
    assert str(milli_to_decimal(-5)) == "-0.005"


@pytest.mark.parametrize(
    ("value", "to", "rounding", "expected"),
    [
        (89150, 1, HALF_UP, 892),
        (89150, 1, TRUNCATE, 891),
        (89149, 1, HALF_UP, 891),
        (-89150, 1, HALF_UP, -892),  # halves away from zero, like ROUND_HALF_UP
        (-89150, 1, TRUNCATE, -891),
        (5, 0, HALF_UP, 0),
        (500, 0, HALF_UP, 1),
    ],
)
def test_round_scaled_down(value, to, rounding, expected):
    assert round_scaled(value, 3, to, rounding) == expected


def test_round_scaled_up_is_exact():
    assert round_scaled(892, 1, 3, TRUNCATE) == 89200


def test_percent_of_published_examples():
    assert percent_of(90479, 138000, 1, TRUNCATE) == D("65.5")
    assert percent_of(90690, 138000, 0, HALF_UP) == D("66")
    assert percent_of(59984, 63000, 0, TRUNCATE) == D("95")
    assert percent_of(74337, 138000, 1, TRUNCATE) == D("53.8")
    assert str(percent_of(106331, 138000, 1, TRUNCATE)) == "77.0"


def test_quantize():
    assert quantize(D("65.5648"), 1, TRUNCATE) == D("65.5")
    assert quantize(D("65.55"), 1, HALF_UP) == D("65.6")
    assert str(quantize(D("49.8631"), 3, HALF_UP)) == "49.863"
