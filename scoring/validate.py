"""Turn the rows that failed a check into Problems, in row order, all at once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.inputs import EncodedInputs
from scoring.numbers import milli_to_decimal
from scoring.rules import RowCheck
from scoring.types import Problem


def find_problems(
    inputs: pd.DataFrame, rows: EncodedInputs, rule_checks: list[RowCheck]
) -> list[Problem]:
    """Every problem of the inputs, or an empty list; clean inputs build no strings."""
    checks = _layout_checks(inputs, rows)
    negative = np.flatnonzero(rows.value < 0)
    if negative.size:
        checks.append(
            RowCheck(negative, "value", lambda row: "value must not be negative", "negative")
        )
    checks.extend(rule_checks)
    if not any(check.rows.size for check in checks):
        return []
    return _problems(inputs, checks)


def _layout_checks(inputs: pd.DataFrame, rows: EncodedInputs) -> list[RowCheck]:
    checks = []
    if rows.unplaced.size:
        unplaced = rows.unplaced
        no_agency = unplaced[rows.agency[unplaced] < 0]
        checks.append(
            RowCheck(no_agency, "agency", lambda row: "agency is missing", "agency_missing")
        )
        unknown = unplaced[rows.criterion[unplaced] < 0]
        codes = inputs["criterion"]

        def message(row: int) -> str:
            code = codes.iloc[row]
            return "criterion is missing" if pd.isna(code) else f"unknown criterion '{code}'"

        def detail(row: int) -> dict[str, object]:
            code = codes.iloc[row]
            return {} if pd.isna(code) else {"criterion": str(code)}

        checks.append(RowCheck(unknown, "criterion", message, "unknown_criterion", detail))
    checks.append(
        RowCheck(rows.block_missing, "block", lambda row: "block is missing", "block_missing")
    )
    checks.append(
        RowCheck(rows.duplicates, "criterion", lambda row: "duplicate row", "duplicate_row")
    )
    checks.append(
        RowCheck(
            rows.block_conflicts,
            "block",
            lambda row: "agency is in more than one block",
            "block_conflict",
        )
    )
    return checks


def _problems(inputs: pd.DataFrame, checks: list[RowCheck]) -> list[Problem]:
    found = sorted(
        (int(row), order) for order, check in enumerate(checks) for row in check.rows.tolist()
    )
    problems = []
    for row, order in found:
        check = checks[order]
        record = inputs.iloc[row]
        criterion = record["criterion"]
        problems.append(
            Problem(
                agency=record["agency"],
                criterion=None if pd.isna(criterion) else str(criterion),
                field=check.field,
                value=_shown(record.get(check.field), check.field),
                message=check.message(row),
                code=check.code,
                detail=check.detail(row) if check.detail else {},
            )
        )
    return problems


def _shown(value: object, field: str) -> object:
    if value is None or pd.isna(value):
        return None
    # Numbers arrive in milli-points; show the user's decimal.
    return milli_to_decimal(int(value)) if field in ("value", "denominator") else value  # type: ignore[call-overload]  # these two fields hold ints
