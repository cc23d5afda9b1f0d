"""Year over year: agencies' and blocks' results against the previous cycle."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

import pandas as pd

from scoring.numbers import PLACES, PRECISION, to_milli
from scoring.types import Problem, ScoringInputError


def is_comparable(criteria_a: pd.DataFrame, criteria_b: pd.DataFrame) -> bool:
    """Same criterion codes with the same maxima and rules: raw points can be compared."""

    def shape(criteria: pd.DataFrame) -> set[tuple[str, int, str]]:
        rows = criteria[["criterion", "max_points", "rule"]].to_numpy().tolist()
        return {(str(code), to_milli(maximum), str(rule)) for code, maximum, rule in rows}

    return len(criteria_a) == len(criteria_b) and shape(criteria_a) == shape(criteria_b)


def compare_years(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    current_max: Decimal,
    previous_max: Decimal,
    comparable: bool,
) -> pd.DataFrame:
    """Current results with last cycle's figures and the changes, matched by agency.

    - previous_total, previous_score, previous_rank, previous_percent: last cycle's
      figures (NA for an agency that was not scored then). previous_percent is the
      previous frame's `percent` column when it has one (`results_decimal()`), else the
      exact percent truncated at 3 decimals.
    - change: score - previous_score in milli, the difference of the published scores;
      NA unless the criteria sets are comparable.
    - rank_change: previous_rank - rank, positive when the agency moved up.
    - percent_change: percentage points between the exact percents of maximum
      (total / max × 100 each year), truncated toward zero at 3 decimals. Percent of
      maximum is the one figure that stays meaningful when the criteria changed.
    - comparable: raw points can be compared for this row (sets comparable and the
      agency has a previous result).
    """
    maxima = {"current_max": to_milli(current_max), "previous_max": to_milli(previous_max)}
    bad = [Problem(None, None, f, m, "maximum must be above 0") for f, m in maxima.items() if m < 1]
    if bad:
        raise ScoringInputError(bad)
    frame = current.copy()
    if previous is None:
        previous = pd.DataFrame(columns=["agency", "total", "score", "rank"])
    aligned = previous.set_index("agency").reindex(pd.Index(frame["agency"]))
    has = aligned["total"].notna().to_numpy()
    frame["previous_total"] = _milli(aligned["total"])
    frame["previous_score"] = _milli(aligned["score"])
    frame["previous_rank"] = aligned["rank"].astype("Int64").array
    change = frame["score"] - frame["previous_score"]
    frame["change"] = change.where(pd.Series(comparable, index=frame.index))
    frame["rank_change"] = frame["previous_rank"] - frame["rank"].astype("Int64")
    frame["previous_percent"] = pd.Series(
        _previous_percent(aligned, maxima["previous_max"]), index=frame.index
    )
    frame["percent_change"] = pd.Series(
        list(
            map(
                _percent_change(maxima["current_max"], maxima["previous_max"]),
                frame["total"].tolist(),
                frame["previous_total"].tolist(),
            )
        ),
        index=frame.index,
    )
    frame["comparable"] = has & comparable
    return frame


def _milli(column: pd.Series) -> pd.arrays.IntegerArray:
    """Milli ints of a results column, whether ints (`results`) or Decimals (for storage)."""
    if column.dtype == object:
        return pd.array([None if pd.isna(v) else to_milli(v) for v in column], dtype="Int64")
    return column.astype("Int64").array


def _previous_percent(aligned: pd.DataFrame, previous_max: int) -> list[Decimal | None]:
    """The previous frame's `percent` (results_decimal()), else the exact one at 3 places."""
    if "percent" in aligned:
        return [None if pd.isna(p) else p for p in aligned["percent"].tolist()]
    return [
        None
        if total is pd.NA
        else Decimal(total * 100 * 10**PLACES // previous_max).scaleb(-PLACES)
        for total in _milli(aligned["total"]).tolist()
    ]


def _percent_change(current_max: int, previous_max: int) -> Callable[[int, object], Decimal | None]:
    """(total / cmax − previous / pmax) × 100 at 3 decimals toward zero, None if no previous."""

    def change(total: int, before: object) -> Decimal | None:
        if before is pd.NA:
            return None
        # Python ints and a Fraction: the cross products can pass 2**63, and int() of a
        # Fraction truncates toward zero on both sides.
        exact = Fraction(total * previous_max - before * current_max, current_max * previous_max)  # type: ignore[operator]  # an int once NA is ruled out
        return Decimal(int(exact * 100 * 10**PLACES)).scaleb(-PLACES)

    return change


def compare_blocks(
    current_blocks: pd.DataFrame, previous_blocks: pd.DataFrame | None, *, comparable: bool
) -> pd.DataFrame:
    """Block statistics with last cycle's mean and the change (DOMAIN: 49.8631 is +4.650).

    mean_change is exact and None unless the criteria sets are comparable;
    mean_percent_change (percentage points of maximum, exact) is always given.
    """
    frame = current_blocks.copy()
    if previous_blocks is None:
        previous_blocks = pd.DataFrame(columns=["block", "count", "mean", "mean_percent"])
    found = pd.Index(previous_blocks["block"]).get_indexer(frame["block"])

    def take(column: str) -> list[object]:
        values = previous_blocks[column].tolist()
        return [values[i] if i >= 0 else None for i in found.tolist()]

    frame["previous_count"] = pd.array(take("count"), dtype="Int64")
    frame["previous_mean"] = pd.Series(take("mean"), index=frame.index)
    frame["previous_mean_percent"] = pd.Series(take("mean_percent"), index=frame.index)
    with localcontext() as context:
        context.prec = PRECISION
        # One subtraction per block: a few hundred at most.
        means = frame[["mean", "previous_mean"]].to_numpy().tolist()
        mean_change = [
            now - before if before is not None and comparable else None for now, before in means
        ]
        percents = frame[["mean_percent", "previous_mean_percent"]].to_numpy().tolist()
        percent_change = [now - before if before is not None else None for now, before in percents]
    frame["mean_change"] = pd.Series(mean_change, index=frame.index)
    frame["mean_percent_change"] = pd.Series(percent_change, index=frame.index)
    frame["comparable"] = (found >= 0) & comparable
    return frame
