"""Points of the agency × criterion grid, one vectorised formula per rule kind.

Each rule works on the grid columns of its criteria at once, and reports the rows its
inputs make invalid (as row numbers with a lazy message) instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.criteria import STEP_SHIFT, CriteriaTable
from scoring.inputs import EncodedInputs
from scoring.numbers import MILLI, milli_to_decimal, mul_div
from scoring.types import Rounding, RuleKind


@dataclass(frozen=True)
class RowCheck:
    """Rows failing one check; `message(row)` is only built when reporting."""

    rows: np.ndarray
    field: str
    message: Callable[[int], str]
    code: str = ""  # the Problem's code
    # the Problem's figures, built like `message`
    detail: Callable[[int], dict[str, object]] | None = None


@dataclass(frozen=True)
class _Columns:
    """One rule's criteria: grid columns, row numbers, input values and maxima there."""

    positions: np.ndarray
    rows: np.ndarray
    value: np.ndarray
    maxima: np.ndarray
    missing: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """Cells holding a value (rows left empty and absent rows are not)."""
        return np.asarray(~self.missing[self.rows])


def grid_points(
    inputs: pd.DataFrame, rows: EncodedInputs, table: CriteriaTable, rounding: Rounding
) -> tuple[np.ndarray, list[RowCheck]]:
    """Milli-points of every agency × criterion (0 where no input) and the failed checks.

    The grid's columns are the table's (criteria grouped by rule).
    """
    points = np.zeros(rows.cell.shape, dtype=np.int64)
    checks: list[RowCheck] = []
    # Index -1 (no row in that cell) reads these appended values: 0, and "missing".
    value = np.append(rows.value, 0)[rows.cell]
    missing = np.append(rows.value_na, True)
    for kind in RuleKind:
        columns = table.columns(kind)
        if columns.stop == columns.start:
            continue
        at = _Columns(
            positions=table.positions(kind),
            rows=rows.cell[:, columns],
            value=value[:, columns],
            maxima=table.maxima[columns],
            missing=missing,
        )
        points[:, columns] = _SCORERS[kind](at, inputs, rows, table, rounding, checks)
    return points, checks


def _direct(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    above = at.value > at.maxima
    if above.any():
        maxima = table.maxima

        def detail(row: int) -> dict[str, object]:
            maximum = milli_to_decimal(maxima[rows.criterion[row]])
            return {"value": _plain(rows.value[row]), "maximum": maximum}

        def message(row: int) -> str:
            return "value {value} is above the maximum {maximum}".format(**detail(row))

        checks.append(RowCheck(at.rows[above], "value", message, "above_maximum", detail))
    return at.value


def _ratio(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    # Cells without a row (-1) read the last row's denominator: their value is 0 and
    # they are not checked, so it changes nothing.
    denominator = rows.denominator[at.rows]
    # A row left empty scores 0 and needs no denominator.
    present = at.present
    invalid = present & (denominator <= 0)
    above = present & (denominator > 0) & (at.value > denominator)
    if invalid.any():
        checks.append(
            RowCheck(at.rows[invalid], "denominator", _no_denominator, "denominator_not_positive")
        )
    if above.any():

        def detail(row: int) -> dict[str, object]:
            return {"value": _plain(rows.value[row]), "denominator": _plain(rows.denominator[row])}

        def message(row: int) -> str:
            return "value {value} is above the denominator {denominator}".format(**detail(row))

        checks.append(RowCheck(at.rows[above], "value", message, "above_denominator", detail))
    # Rows above their denominator are reported; capping them keeps the product small.
    value = np.minimum(at.value, denominator)
    return mul_div(value, at.maxima, np.maximum(denominator, 1), rounding)


def _steps(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    """Points of the highest threshold <= value, searched for all criteria at once."""
    position = np.broadcast_to(at.positions, at.value.shape)
    # Values above the top threshold score like it; clipping keeps the combined
    # (criterion, threshold) search key inside int64.
    clipped = np.minimum(at.value, table.step_top[at.positions])
    keys = (position << STEP_SHIFT) | clipped
    found = np.searchsorted(table.step_keys, keys, side="right") - 1
    safe = np.maximum(found, 0)
    same = (found >= 0) & ((table.step_keys[safe] >> STEP_SHIFT) == position)
    # An empty input scores 0 even where a threshold of 0 carries points.
    return np.where(same & at.present, table.step_points[safe], 0)


def _choice(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    """Points of the chosen key; an empty choice scores 0, an unknown key is an error."""
    if "choice" not in inputs:
        return np.zeros_like(at.value)
    keys, names = _choice_codes(inputs["choice"], at.rows)
    # Criterion × distinct key table: both small; the last column is "no choice".
    lookup = np.zeros((len(at.positions), len(names) + 1))  # exact: points < 2**53
    for column, position in enumerate(at.positions.tolist()):
        offered = table.choice_points[position]
        lookup[column, :-1] = [offered.get(name, -1) for name in names]
    found = lookup[np.arange(len(at.positions)), keys]
    unknown = found < 0
    if unknown.any():
        choices = inputs["choice"]

        def detail(row: int) -> dict[str, object]:
            expected = sorted(table.choice_points[int(rows.criterion[row])])
            return {"choice": str(choices.iloc[row]), "expected": expected}

        def message(row: int) -> str:
            expected = ", ".join(sorted(table.choice_points[int(rows.criterion[row])]))
            return f"unknown choice '{choices.iloc[row]}'; expected one of {expected}"

        checks.append(RowCheck(at.rows[unknown], "choice", message, "unknown_choice", detail))
    return np.asarray(np.maximum(found, 0))


def _choice_codes(column: pd.Series, cell_rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per cell, the index of its chosen key in `names`; -1 for no choice."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = np.append(column.cat.codes.to_numpy(), -1)
        return codes[cell_rows].astype(np.int64), [str(c) for c in column.cat.categories]
    texts = np.append(column.to_numpy(), None)[cell_rows]  # type: ignore[call-overload]  # numpy's stubs refuse a None element; the array holds objects
    codes, names = pd.factorize(texts.ravel())
    return codes.reshape(cell_rows.shape), [str(n) for n in names]


def _capped(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    per_unit, cap = table.per_unit[at.positions], table.cap[at.positions]
    # From `enough` units on, value × per_unit reaches the cap: larger values score the
    # same, and clipping them keeps the product inside int64.
    enough = -(-cap * MILLI // np.maximum(per_unit, 1))  # ceil(cap / per_unit)
    return np.asarray(
        np.minimum(mul_div(np.minimum(at.value, enough), per_unit, MILLI, rounding), cap)
    )


def _relative(
    at: _Columns,
    inputs: pd.DataFrame,
    rows: EncodedInputs,
    table: CriteriaTable,
    rounding: Rounding,
    checks: list[RowCheck],
) -> np.ndarray:
    """value / best value of the block for that criterion × max; a best of 0 gives 0."""
    # Per block code, the best value: a row per agency is enough (blocks are at most as
    # many), and an agency without a block (code -1, reported) reads and writes the last.
    best = np.zeros_like(at.value)
    np.maximum.at(best, rows.block_of_agency, at.value)
    # A best of 0 means every value is 0: the quotient is 0 then, whatever the divisor.
    return mul_div(at.value, at.maxima, np.maximum(best[rows.block_of_agency], 1), rounding)


def _no_denominator(row: int) -> str:
    return "denominator must be greater than 0"


_SCORERS = {
    RuleKind.DIRECT: _direct,
    RuleKind.RATIO: _ratio,
    RuleKind.STEPS: _steps,
    RuleKind.CHOICE: _choice,
    RuleKind.CAPPED: _capped,
    RuleKind.RELATIVE: _relative,
}


def _plain(milli: int) -> str:
    """A milli value as the user typed it: 12500 -> '12.5', 10000 -> '10'."""
    return f"{milli_to_decimal(milli).normalize():f}"
