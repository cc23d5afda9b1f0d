"""Exact number handling: Decimals in, int64 milli-points inside, Decimals out.

A milli-point is a thousandth of a point. Criteria sets publish at most three decimals,
so every figure the engine touches is an integer at this scale and no float is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import overload

import numpy as np
import pandas as pd

from scoring.types import Rounding

MILLI = 1000
PLACES = 3
# Enough digits that no quotient of two int64 milli values is ever cut short.
PRECISION = 50
# Above this, `a * b` of two int64 milli values may overflow; callers fall back to
# Python ints (see `mul_div`).
_INT64_MAX = np.iinfo(np.int64).max

_DECIMAL_ROUNDING = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.TRUNCATE: ROUND_DOWN}


@overload
def to_milli(value: None) -> None: ...
@overload
def to_milli(value: Decimal | int | str) -> int: ...
def to_milli(value: Decimal | int | str | None) -> int | None:
    """Milli-points of a Decimal, int or numeric string; None stays None.

    Raises ValueError for more than three decimals or a non-finite number, and TypeError
    for floats, whose binary value is rarely the decimal the user typed.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"expected a Decimal, int or str, got {type(value).__name__}")
    if isinstance(value, int):
        return value * MILLI
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number")
    scaled = number.scaleb(PLACES)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {PLACES} decimals")
    return int(scaled)


def decimals_to_milli(values: Iterable[Decimal | int | str | None]) -> pd.arrays.IntegerArray:
    """Milli-points of many values as a nullable Int64 array (None becomes <NA>)."""
    return pd.array([to_milli(v) for v in values], dtype="Int64")


def milli_to_decimal(milli: int) -> Decimal:
    """The Decimal of a milli value with exactly three places: 90690 -> Decimal('90.690')."""
    return Decimal(int(milli)).scaleb(-PLACES)


def scaled_to_decimals(values: np.ndarray, places: int) -> np.ndarray:
    """An object array of Decimals from ints scaled by 10**places (one per element)."""
    return np.array([Decimal(v).scaleb(-places) for v in values.tolist()], dtype=object).reshape(
        values.shape
    )


def round_scaled(value: int, from_places: int, to_places: int, rounding: Rounding) -> int:
    """Re-scale an integer with `from_places` implied decimals to `to_places`.

    Half up rounds halves away from zero and truncate goes toward zero, as
    Decimal's ROUND_HALF_UP and ROUND_DOWN do, so negative changes are symmetric.
    """
    if to_places >= from_places:
        return value * 10 ** (to_places - from_places)
    return _div(value, 10 ** (from_places - to_places), rounding)


def _div(numerator: int, denominator: int, rounding: Rounding) -> int:
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    quotient = (2 * n + d) // (2 * d) if rounding == Rounding.HALF_UP else n // d
    return sign * quotient


def percent_of(total_milli: int, max_milli: int, places: int, rounding: Rounding) -> Decimal:
    """`total / max × 100` at `places` decimals, from the integers, never a float.

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
    """Element-wise `a × b / c` of non-negative ints (broadcast), rounded, never overflowing.

    The product nearly always fits int64 (checked once from the maxima); otherwise the
    rows that might not are done with Python ints, so nothing silently wraps around.
    """
    a, b, c = np.broadcast_arrays(
        np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), np.asarray(c, dtype=np.int64)
    )
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    # The half-up form computes 2ab + c, hence the margin of 4.
    limit = _INT64_MAX // 4
    if int(a.max()) * int(b.max()) <= limit:
        return div_round(a * b, c, rounding)
    safe = a <= limit // np.maximum(b, 1)
    out = np.empty(a.shape, dtype=np.int64)
    out[safe] = div_round(a[safe] * b[safe], c[safe], rounding)
    big = ~safe
    wide = div_round(a[big].astype(object) * b[big].astype(object), c[big].astype(object), rounding)
    out[big] = wide.astype(np.int64)
    return out


def round_to_precision(milli: np.ndarray, precision: int, rounding: Rounding) -> np.ndarray:
    """Totals at `precision` decimals, still expressed in milli (89150 at 1 -> 89200)."""
    step = 10 ** (PLACES - precision)
    if step == 1:
        return milli
    return div_round(milli, step, rounding) * step
