"""Exact number handling: Decimals in, int64 milli-points inside, Decimals out.

A milli-point is a thousandth of a point. Criteria sets publish at most three decimals,
so every figure the engine touches is an integer at this scale and no float is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    localcontext,
)
from typing import overload

import numpy as np
import pandas as pd

from scoring.types import Rounding

MILLI = 1000
PLACES = 3
# Enough digits that no quotient of two int64 milli values is ever cut short.
PRECISION = 50
_INT64_MAX = np.iinfo(np.int64).max
# The largest number the engine takes: 15 digits, three of them decimals (as stored).
# Products of two such milli values may pass int64; `mul_div` handles those exactly.
MAX_MILLI = 10**15 - 1
LARGEST = Decimal(MAX_MILLI).scaleb(-PLACES)
# Scaling by 10**3 in this context raises Inexact instead of silently rounding away a
# 29th significant digit (the default context keeps 28).
_EXACT = Context(prec=PRECISION, traps=[Inexact])

_DECIMAL_ROUNDING = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.TRUNCATE: ROUND_DOWN}


@overload
def to_milli(value: None) -> None: ...
@overload
def to_milli(value: Decimal | int | str) -> int: ...
def to_milli(value: Decimal | int | str | None) -> int | None:
    """Milli-points of a Decimal, int or numeric string; None stays None.

    Raises ValueError for more than three decimals, a non-finite number or one beyond
    LARGEST, and TypeError for floats, whose binary value is rarely the decimal the
    user typed.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"expected a Decimal, int or str, got {type(value).__name__}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if number.copy_abs() > LARGEST:
        raise ValueError(f"{value} is too large (at most {LARGEST})")
    try:
        scaled = number.scaleb(PLACES, _EXACT)
        exact = scaled == scaled.to_integral_value()
    except Inexact:  # a digit past the 50th: certainly more than three decimals
        exact = False
    if not exact:
        raise ValueError(f"{value} has more than {PLACES} decimals")
    return int(scaled)


def decimals_to_milli(values: Iterable[Decimal | int | str | None]) -> pd.arrays.IntegerArray:
    """Milli-points of many values as a nullable Int64 array (None becomes <NA>)."""
    return pd.array([to_milli(v) for v in values], dtype="Int64")


def milli_to_decimal(milli: int) -> Decimal:
    """The Decimal of a milli value with exactly three places: 90690 -> Decimal('90.690')."""
    return Decimal(int(milli)).scaleb(-PLACES)


def scaled_to_decimals(values: np.ndarray, places: int) -> np.ndarray:
    """A 1-D object array of Decimals from ints scaled by 10**places (one per element)."""
    return np.array([Decimal(v).scaleb(-places) for v in values.tolist()], dtype=object)


def round_scaled(value: int, from_places: int, to_places: int, rounding: Rounding) -> int:
    """Re-scale an integer with `from_places` implied decimals to `to_places`.

    Half up rounds halves away from zero and truncate goes toward zero, as
    Decimal's ROUND_HALF_UP and ROUND_DOWN do, so negative changes are symmetric.
    """
    return _div(value * 10**to_places, 10**from_places, rounding)


def _div(numerator: int, denominator: int, rounding: Rounding) -> int:
    """numerator / denominator (denominator > 0), rounded the same way on both sides of 0."""
    n = abs(numerator)
    quotient = (
        (2 * n + denominator) // (2 * denominator)
        if rounding == Rounding.HALF_UP
        else n // denominator
    )
    return -quotient if numerator < 0 else quotient


def percent_of(total_milli: int, max_milli: int, places: int, rounding: Rounding) -> Decimal:
    """`total / max × 100` (max > 0) at `places` decimals, from the integers, never a float.

    percent_of(90479, 138000, 1, TRUNCATE) == Decimal("65.5").
    """
    scaled = _div(int(total_milli) * 100 * 10**places, int(max_milli), rounding)
    return Decimal(scaled).scaleb(-places)


def quantize(value: Decimal, places: int, rounding: Rounding) -> Decimal:
    """`value` at `places` decimals by the criteria set's rounding rule."""
    with localcontext() as context:
        context.prec = PRECISION
        return value.quantize(Decimal(1).scaleb(-places), rounding=_DECIMAL_ROUNDING[rounding])


def exact_ratio(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator as a Decimal, exact when it terminates, else 50 digits."""
    with localcontext() as context:
        context.prec = PRECISION
        return Decimal(int(numerator)) / Decimal(int(denominator))


def div_round(
    numerator: np.ndarray, denominator: np.ndarray | int, rounding: Rounding
) -> np.ndarray:
    """Element-wise rounded quotient of non-negative int64 arrays."""
    if rounding == Rounding.HALF_UP:
        return (2 * numerator + denominator) // (2 * denominator)
    return numerator // denominator


def mul_div(a: np.ndarray, b: np.ndarray, c: np.ndarray | int, rounding: Rounding) -> np.ndarray:
    """Element-wise `a × b / c` of non-negative ints (broadcast), rounded, exact.

    Rows where the half-up form `2ab + c` might pass int64 are done with Python ints, so
    nothing silently wraps around; a result that itself passes int64 raises OverflowError.
    """
    a, b, c = np.broadcast_arrays(
        np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), np.asarray(c, dtype=np.int64)
    )
    # 2ab + c <= MAX exactly when ab <= (MAX - c) // 2, i.e. a <= that // b; and the
    # half-up divisor 2c must fit too (c above MAX // 2 wrapped it negative: 0 × b / c
    # gave -1, found by tests/scoring/test_scoring_exact.py in CI).
    fits = (a <= (_INT64_MAX - c) // 2 // np.maximum(b, 1)) & (c <= _INT64_MAX // 2)
    if fits.all():
        return div_round(a * b, c, rounding)
    out = div_round(np.where(fits, a, 0) * b, c, rounding)
    big = ~fits
    wide = a[big].astype(object) * b[big].astype(object)
    out[big] = div_round(wide, c[big].astype(object), rounding)
    return out


def round_to_precision(milli: np.ndarray, precision: int, rounding: Rounding) -> np.ndarray:
    """Totals at `precision` decimals, still expressed in milli (89150 at 1 -> 89200)."""
    step = 10 ** (PLACES - precision)
    if step == 1:
        return milli
    return np.asarray(div_round(milli, step, rounding) * step)
