"""A criteria set frame parsed once into integer arrays indexed by criterion position."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from scoring.numbers import quantize, to_milli
from scoring.types import Problem, Rounding, RuleKind, ScoringInputError

RULES: tuple[RuleKind, ...] = tuple(RuleKind)
RULE_CODE: dict[RuleKind, int] = {rule: code for code, rule in enumerate(RULES)}

# Step thresholds and criterion positions share one int64 search key; thresholds stay
# below 2**41 milli (2.2 billion units), positions below 2**21.
STEP_SHIFT = 41
MAX_THRESHOLD = 2**STEP_SHIFT - 1


@dataclass(frozen=True)
class CriteriaTable:
    """The criteria as grid columns, with everything the rules need as arrays.

    Columns are the frame's criteria reordered so each rule's criteria are adjacent
    (a rule then works on a slice of the grid, not a gather); `frame_order[column]`
    is the criterion's row in the frame.
    """

    codes: pd.Index
    frame_order: np.ndarray
    maxima: np.ndarray
    rule: np.ndarray
    required: np.ndarray
    groups: pd.Index
    group_of: np.ndarray
    subgroups: pd.Index
    subgroup_of: np.ndarray
    step_keys: np.ndarray
    step_points: np.ndarray
    step_top: np.ndarray
    per_unit: np.ndarray
    cap: np.ndarray
    choice_points: Mapping[int, Mapping[str, int]]

    @property
    def size(self) -> int:
        return len(self.codes)

    def positions(self, rule: RuleKind) -> np.ndarray:
        """Grid columns of the criteria scored by `rule` (adjacent)."""
        return np.flatnonzero(self.rule == RULE_CODE[rule])

    def columns(self, rule: RuleKind) -> slice:
        """The grid slice of the criteria scored by `rule`."""
        found = self.positions(rule)
        return slice(int(found[0]), int(found[-1]) + 1) if found.size else slice(0, 0)


def parse_criteria(criteria: pd.DataFrame, rounding: Rounding) -> CriteriaTable:
    """Check and convert a criteria frame; raise ScoringInputError listing every problem."""
    problems: list[Problem] = []
    codes = pd.Index(criteria["criterion"].astype(str).to_numpy(dtype=object), dtype=object)
    for code in codes[codes.duplicated()].unique():
        problems.append(Problem(None, code, "criterion", code, "duplicate criterion"))
    n = len(codes)
    parsed = _rules_parsed(criteria, codes, rounding, problems)
    flags = criteria.get("required")
    required = (
        np.zeros(n, dtype=bool) if flags is None else flags.fillna(False).astype(bool).to_numpy()
    )
    groups, group_of = _codes(criteria["group"])
    subgroups, subgroup_of = _codes(
        criteria["subgroup"] if "subgroup" in criteria else pd.Series([None] * n)
    )
    if problems:
        raise ScoringInputError(problems)
    return _table(codes, parsed, required, (groups, group_of), (subgroups, subgroup_of))


@dataclass(frozen=True)
class _Rules:
    """Each criterion's maximum, rule and rule parameters in milli-points, in frame order;
    steps as (row, threshold, points)."""

    maxima: np.ndarray
    rule: np.ndarray
    per_unit: np.ndarray
    cap: np.ndarray
    steps: list[tuple[int, int, int]]
    choice_points: dict[int, dict[str, int]]


def _rules_parsed(
    criteria: pd.DataFrame, codes: pd.Index, rounding: Rounding, problems: list[Problem]
) -> _Rules:
    """Every criterion's rule and numbers, one pass (a set has at most a few hundred)."""
    n = len(codes)
    parsed = _Rules(
        maxima=np.zeros(n, dtype=np.int64),
        rule=np.zeros(n, dtype=np.int8),
        per_unit=np.zeros(n, dtype=np.int64),
        cap=np.zeros(n, dtype=np.int64),
        steps=[],
        choice_points={},
    )
    rows = zip(
        codes,
        criteria["max_points"].tolist(),
        criteria["rule"].astype(str).tolist(),
        criteria["params"].tolist() if "params" in criteria else [{}] * n,
        strict=True,  # pragma: no mutate (four columns of one frame: equal lengths)
    )
    for position, (code, maximum, rule_name, params) in enumerate(rows):
        found = _Criterion(code, problems)
        parsed.maxima[position] = found.milli("max_points", maximum, minimum=0) or 0
        try:
            kind = RuleKind(rule_name)
        except ValueError:
            expected = ", ".join(RULES)
            found.fail("rule", rule_name, f"unknown rule '{rule_name}'; expected one of {expected}")
            continue
        parsed.rule[position] = RULE_CODE[kind]
        params = params if isinstance(params, Mapping) else {}
        _rule_params(parsed, position, found, kind, params, rounding)
    return parsed


def _rule_params(
    parsed: _Rules,
    position: int,
    found: _Criterion,
    kind: RuleKind,
    params: Mapping[str, object],
    rounding: Rounding,
) -> None:
    """The parameters of a steps, choice or capped criterion, checked against its maximum."""
    maximum = int(parsed.maxima[position])
    if kind == RuleKind.STEPS:
        parsed.steps.extend(
            (position, threshold, points) for threshold, points in found.steps(params, maximum)
        )
    elif kind == RuleKind.CHOICE:
        parsed.choice_points[position] = found.choices(params, maximum, rounding)
    elif kind == RuleKind.CAPPED:
        parsed.per_unit[position] = found.milli("per_unit", params.get("per_unit"), minimum=0) or 0
        raw_cap = params.get("cap")
        parsed.cap[position] = (
            parsed.maxima[position]
            if raw_cap is None
            else found.milli("cap", raw_cap, minimum=0) or 0
        )
        if parsed.cap[position] > parsed.maxima[position]:
            found.fail("cap", raw_cap, "cap is above the criterion's maximum")


def _table(
    codes: pd.Index,
    parsed: _Rules,
    required: np.ndarray,
    groups: tuple[pd.Index, np.ndarray],
    subgroups: tuple[pd.Index, np.ndarray],
) -> CriteriaTable:
    """The table with grid columns: frame rows sorted by rule (any order within a rule)."""
    order = np.argsort(parsed.rule)
    column_of = np.empty(len(codes), dtype=np.int64)
    column_of[order] = np.arange(len(codes))
    step_array = np.array(parsed.steps, dtype=np.int64).reshape(-1, 3)
    step_array[:, 0] = column_of[step_array[:, 0]]
    step_array = step_array[np.lexsort((step_array[:, 1], step_array[:, 0]))]
    step_top = np.zeros(len(codes), dtype=np.int64)
    np.maximum.at(step_top, step_array[:, 0], step_array[:, 1])
    return CriteriaTable(
        codes=codes[order],
        frame_order=order,
        maxima=parsed.maxima[order],
        rule=parsed.rule[order],
        required=required[order],
        groups=groups[0],
        group_of=groups[1][order],
        subgroups=subgroups[0],
        subgroup_of=subgroups[1][order],
        step_keys=(step_array[:, 0] << STEP_SHIFT) | step_array[:, 1],
        step_points=step_array[:, 2],
        step_top=step_top,
        per_unit=parsed.per_unit[order],
        cap=parsed.cap[order],
        choice_points={int(column_of[p]): table for p, table in parsed.choice_points.items()},
    )


def _codes(column: pd.Series) -> tuple[pd.Index, np.ndarray]:
    """Group codes in first-seen order and each criterion's position (-1 for none)."""
    values = column.astype(object).where(column.notna(), None).to_numpy()
    codes, uniques = pd.factorize(values)
    return pd.Index([str(u) for u in uniques], dtype=object), codes.astype(np.int64)


class _Criterion:
    """Collects the problems of one criterion's row while converting its numbers."""

    def __init__(self, code: str, problems: list[Problem]) -> None:
        self.code = code
        self.problems = problems

    def fail(self, field: str, value: object, message: str) -> None:
        self.problems.append(Problem(None, self.code, field, value, message))

    def milli(self, field: str, value: object, *, minimum: int | None = None) -> int | None:
        if value is None:
            self.fail(field, value, f"{field} is required")
            return None
        try:
            milli: int = to_milli(value)  # type: ignore[call-overload]  # any value: to_milli refuses a wrong type with TypeError, caught here
        except (TypeError, ValueError) as error:
            self.fail(field, value, f"{field}: {error}")
            return None
        if minimum is not None and milli < minimum:
            self.fail(field, value, f"{field} must not be negative")
            return None
        return milli

    def steps(self, params: Mapping[str, object], maximum: int) -> list[tuple[int, int]]:
        table = params.get("steps")
        if not isinstance(table, list | tuple) or not table:
            self.fail(
                "params", params, "steps rule needs params {'steps': [[threshold, points], ...]}"
            )
            return []
        pairs = []
        for pair in table:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                self.fail("params", pair, "each step must be [threshold, points]")
                continue
            threshold = self.milli("steps", pair[0], minimum=0)
            points = self.milli("steps", pair[1], minimum=0)
            if threshold is None or points is None:
                continue
            if threshold > MAX_THRESHOLD:
                self.fail("steps", pair[0], "step threshold is too large")
            elif points > maximum:
                self.fail("steps", pair[1], "step points are above the criterion's maximum")
            else:
                pairs.append((threshold, points))
        if len({t for t, _ in pairs}) != len(pairs):
            self.fail("params", table, "step thresholds must be distinct")
        return pairs

    def choices(
        self, params: Mapping[str, object], maximum: int, rounding: Rounding
    ) -> dict[str, int]:
        table = params.get("choices")
        if not isinstance(table, Mapping) or not table:
            self.fail("params", params, "choice rule needs params {'choices': {key: fraction}}")
            return {}
        points = {}
        for key, fraction in table.items():
            if isinstance(fraction, bool) or not isinstance(fraction, Decimal | int | str):
                self.fail("choices", fraction, f"fraction of '{key}' must be a decimal string")
                continue
            try:
                share = Decimal(fraction)
            except InvalidOperation:
                share = Decimal("NaN")
            if not share.is_finite() or not 0 <= share <= 1:
                self.fail("choices", fraction, f"fraction of '{key}' must be between 0 and 1")
                continue
            # Fractions may have any number of decimals; the points are cut to milli here.
            points[str(key)] = int(quantize(share * maximum, 0, rounding))
        return points


def max_total(table: CriteriaTable) -> int:
    """The criteria set's maximum in milli: the sum of its criteria maxima."""
    return sum(table.maxima.tolist())
