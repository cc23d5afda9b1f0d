"""The number helpers against Fraction references, overflow-sized inputs included."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Problem, Rounding, ScoringInputError
from scoring.numbers import (
    LARGEST,
    MAX_MILLI,
    decimals_to_milli,
    div_round,
    exact_ratio,
    milli_to_decimal,
    mul_div,
    percent_of,
    quantize,
    round_scaled,
    round_to_precision,
    scaled_to_decimals,
    to_milli,
)

D = Decimal
INT64_MAX = 2**63 - 1
FAST = settings(max_examples=60, deadline=None, database=None)


def rounded(x: Fraction, rounding: Rounding) -> int:
    """Halves away from zero, or toward zero; symmetric for negatives."""
    magnitude = abs(x)
    whole = floor(magnitude + Fraction(1, 2)) if rounding == Rounding.HALF_UP else floor(magnitude)
    return -whole if x < 0 else whole


@FAST
@given(m=st.integers(-MAX_MILLI, MAX_MILLI))
def test_to_milli_of_any_three_decimal_number_is_exact(m):
    assert to_milli(D(m).scaleb(-3)) == m
    assert to_milli(str(D(m).scaleb(-3))) == m


@FAST
@given(m=st.integers(-(10**14), 10**14).filter(lambda m: m % 10))
def test_to_milli_refuses_a_fourth_decimal(m):
    with pytest.raises(ValueError, match="has more than 3 decimals"):
        to_milli(D(m).scaleb(-4))


@pytest.mark.parametrize(
    ("value", "milli"),
    [
        (7, 7000),
        (-7, -7000),
        (" 3.5 ", 3500),
        (D("1.50000"), 1500),  # trailing zeros are not decimals
        (LARGEST, MAX_MILLI),
        (-LARGEST, -MAX_MILLI),
        (10**12 - 1, (10**12 - 1) * 1000),
        (D("1." + "0" * 60), 1000),
        (D("0E-999999999"), 0),
    ],
)
def test_to_milli_accepts(value, milli):
    assert to_milli(value) == milli


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (D("1.0000000000000000000000000001"), ValueError, "has more than 3 decimals"),
        (D("1." + "0" * 60 + "1"), ValueError, "has more than 3 decimals"),
        (D("1E-999999999"), ValueError, "has more than 3 decimals"),
        (LARGEST + D("0.001"), ValueError, r"is too large \(at most 999999999999\.999\)"),
        (-LARGEST - D("0.001"), ValueError, "is too large"),
        (10**12, ValueError, "1000000000000 is too large"),
        (D("1E+999999"), ValueError, "is too large"),
        (D("NaN"), ValueError, "NaN is not a finite number"),
        (D("-Infinity"), ValueError, "-Infinity is not a finite number"),
        ("abc", ValueError, "'abc' is not a number"),
        (0.1, TypeError, "expected a Decimal, int or str, got float"),
        (True, TypeError, "got bool"),
    ],
)
def test_to_milli_refuses(value, error, message):
    with pytest.raises(error, match=message):
        to_milli(value)


def test_decimals_to_milli_is_a_nullable_int64_array():
    values = decimals_to_milli(["0.001", None, 2, D("-1.5")])
    assert str(values.dtype) == "Int64"
    assert values.tolist() == [1, pd.NA, 2000, -1500]


@pytest.mark.parametrize(
    ("milli", "text"), [(90690, "90.690"), (0, "0.000"), (-5, "-0.005"), (np.int64(7), "0.007")]
)
def test_milli_to_decimal(milli, text):
    assert str(milli_to_decimal(milli)) == text


def test_scaled_to_decimals_one_per_value():
    out = scaled_to_decimals(np.array([1, -25, 300, 0]), 2)
    assert out.dtype == object
    assert [str(v) for v in out] == ["0.01", "-0.25", "3.00", "0.00"]
    empty = scaled_to_decimals(np.zeros(0, dtype=np.int64), 3)
    assert empty.dtype == object and empty.tolist() == []


@FAST
@given(
    value=st.integers(-(10**12), 10**12),
    from_places=st.integers(0, 6),
    to_places=st.integers(0, 6),
    rounding=st.sampled_from(Rounding),
)
def test_round_scaled_matches_the_reference(value, from_places, to_places, rounding):
    exact = Fraction(value * 10**to_places, 10**from_places)
    assert round_scaled(value, from_places, to_places, rounding) == rounded(exact, rounding)


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [(1500, Rounding.HALF_UP, 2), (-1500, Rounding.HALF_UP, -2), (1499, Rounding.HALF_UP, 1)],
)
def test_round_scaled_halves_go_away_from_zero(value, rounding, expected):
    assert round_scaled(value, 3, 0, rounding) == expected


@FAST
@given(
    total=st.integers(-(10**12), 10**12),
    maximum=st.integers(1, 10**12),
    places=st.integers(0, 4),
    rounding=st.sampled_from(Rounding),
)
def test_percent_of_matches_the_reference(total, maximum, places, rounding):
    scaled = rounded(Fraction(total * 100 * 10**places, maximum), rounding)
    assert percent_of(total, maximum, places, rounding) == D(scaled).scaleb(-places)


def test_percent_of_keeps_its_places():
    assert str(percent_of(0, 7, 2, Rounding.TRUNCATE)) == "0.00"
    assert str(percent_of(-1, 3, 1, Rounding.HALF_UP)) == "-33.3"


@FAST
@given(
    m=st.integers(-(10**15), 10**15),
    exponent=st.integers(-8, 0),
    places=st.integers(0, 4),
    rounding=st.sampled_from(Rounding),
)
def test_quantize_matches_the_reference(m, exponent, places, rounding):
    value = D(m).scaleb(exponent)
    expected = D(rounded(Fraction(value) * 10**places, rounding)).scaleb(-places)
    got = quantize(value, places, rounding)
    assert got == expected and got.as_tuple().exponent == -places


def test_quantize_keeps_50_digits():
    # 28 digits (the default context) would not hold this value at 3 places.
    value = D("12345678901234567890123456789.0125")
    assert str(quantize(value, 3, Rounding.HALF_UP)) == "12345678901234567890123456789.013"


def test_exact_ratio_is_exact_when_it_terminates_else_50_digits():
    assert exact_ratio(1, 8) == D("0.125")
    assert exact_ratio(np.int64(-3), np.int64(4)) == D("-0.75")
    third = exact_ratio(1, 3)
    assert third == D("0." + "3" * 50)


@FAST
@given(
    numerator=st.lists(st.integers(0, 10**15), min_size=1, max_size=5),
    denominator=st.integers(1, 10**6),
    rounding=st.sampled_from(Rounding),
)
def test_div_round_matches_the_reference(numerator, denominator, rounding):
    got = div_round(np.array(numerator, dtype=np.int64), denominator, rounding)
    assert got.tolist() == [rounded(Fraction(n, denominator), rounding) for n in numerator]


BIG = st.integers(0, INT64_MAX)


@settings(max_examples=100, deadline=None, database=None)
@given(
    triples=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 10**6), BIG),
            st.one_of(st.integers(0, 10**6), BIG),
            st.one_of(st.integers(1, 10**6), st.integers(1, INT64_MAX)),
        ),
        min_size=1,
        max_size=6,
    ),
    rounding=st.sampled_from(Rounding),
)
def test_mul_div_is_exact_or_refuses(triples, rounding):
    a, b, c = (np.array(column, dtype=np.int64) for column in zip(*triples, strict=True))
    expected = [rounded(Fraction(x * y, z), rounding) for x, y, z in triples]
    if max(expected) > INT64_MAX:
        with pytest.raises(OverflowError):
            mul_div(a, b, c, rounding)
    else:
        got = mul_div(a, b, c, rounding)
        assert got.dtype == np.int64
        assert got.tolist() == expected


@pytest.mark.parametrize("rounding", list(Rounding))
def test_mul_div_overflow_examples(rounding):
    # 30 000 000 000 000 × 10**9 / 10**6: the product passes int64, the result does not.
    a = np.array([30_000_000_000_000, 5, 3])
    got = mul_div(a, np.array([10**9, 3, 1]), np.array([10**6, 2, INT64_MAX]), rounding)
    assert got.tolist() == [30_000_000_000_000_000, 8 if rounding == Rounding.HALF_UP else 7, 0]
    # 2ab + c passes int64 only because c is large.
    got = mul_div(np.array([2**61]), np.array([1]), np.array([2**62]), rounding)
    assert got.tolist() == [1 if rounding == Rounding.HALF_UP else 0]
    with pytest.raises(OverflowError):
        mul_div(np.array([4 * 10**18]), np.array([3]), 1, rounding)
    # Every row small but c above MAX // 2: half-up's divisor 2c wrapped around (-1, not 0).
    got = mul_div(np.array([0, 3]), np.array([5, 1]), np.array([INT64_MAX, INT64_MAX]), rounding)
    assert got.tolist() == [0, 0]


def test_mul_div_broadcasts_and_accepts_nothing():
    grid = mul_div(np.array([[1, 2], [3, 4]]), np.array([10, 20]), 3, Rounding.TRUNCATE)
    assert grid.tolist() == [[3, 13], [10, 26]]
    empty = mul_div(np.zeros((0, 2), dtype=np.int64), np.array([1, 2]), 1, Rounding.HALF_UP)
    assert empty.shape == (0, 2) and empty.dtype == np.int64


@FAST
@given(
    totals=st.lists(st.integers(0, 10**12), min_size=1, max_size=5),
    precision=st.integers(0, 3),
    rounding=st.sampled_from(Rounding),
)
def test_round_to_precision_matches_the_reference(totals, precision, rounding):
    step = 10 ** (3 - precision)
    got = round_to_precision(np.array(totals, dtype=np.int64), precision, rounding)
    assert got.tolist() == [rounded(Fraction(t, step), rounding) * step for t in totals]


def test_problem_text_names_agency_criterion_and_field():
    assert (
        str(Problem(7, "1.2", "value", 1, "too big")) == "agency 7, criterion 1.2, value: too big"
    )
    assert str(Problem(None, None, "max_points", 0, "zero")) == "max_points: zero"
    assert str(Problem(0, None, "block", None, "missing")) == "agency 0, block: missing"
    assert str(Problem(None, "3", "", None, "odd")) == "criterion 3: odd"


def test_error_lists_ten_problems_then_counts_the_rest():
    problems = [Problem(i, None, "value", i, f"bad {i}") for i in range(12)]
    error = ScoringInputError(problems)
    assert error.problems is problems
    shown = "; ".join(f"agency {i}, value: bad {i}" for i in range(10))
    assert str(error) == shown + "; and 2 more"
    assert str(ScoringInputError(problems[:10])) == shown
    assert str(ScoringInputError(problems[:1])) == "agency 0, value: bad 0"


def test_decimals_to_milli_is_int64_even_when_empty_or_all_none():
    assert str(decimals_to_milli([]).dtype) == "Int64"
    nothing = decimals_to_milli([None, None])
    assert str(nothing.dtype) == "Int64" and nothing.isna().all()


def test_eleven_problems_show_ten_and_one_more():
    problems = [Problem(None, str(i), "rule", None, "x") for i in range(11)]
    assert str(ScoringInputError(problems)).endswith("; criterion 9, rule: x; and 1 more")
