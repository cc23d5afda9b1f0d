"""Year over year: agencies' and blocks' results against the previous cycle."""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pandas as pd

from scoring.numbers import PLACES, PRECISION, scaled_to_decimals, to_milli
from scoring.types import Problem, ScoringInputError


def is_comparable(criteria_a: pd.DataFrame, criteria_b: pd.DataFrame) -> bool:
    """Same criterion codes with the same maxima and rules: raw points can be compared."""

    def shape(criteria: pd.DataFrame) -> set[tuple[str, int, str]]:
        return {
            (str(code), to_milli(maximum), str(rule))
            for code, maximum, rule in zip(
                criteria["criterion"], criteria["max_points"], criteria["rule"], strict=True
            )
        }

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
    change = frame["score"].astype("Int64") - frame["previous_score"]
    frame["change"] = change.where(pd.Series(comparable, index=frame.index), pd.NA)
    frame["rank_change"] = frame["previous_rank"] - frame["rank"].astype("Int64")
    frame["previous_percent"] = pd.Series(
        _previous_percent(aligned, has, maxima["previous_max"]), index=frame.index, dtype=object
    )
    frame["percent_change"] = pd.Series(
        _percent_change(
            frame["total"].to_numpy(dtype=np.int64),
            frame["previous_total"],
            maxima["current_max"],
            maxima["previous_max"],
        ),
        index=frame.index,
        dtype=object,
    )
    frame["comparable"] = has & comparable
    return frame


def _milli(column: pd.Series) -> pd.arrays.IntegerArray:
    """Milli ints of a results column, whether ints (`results`) or Decimals (for storage)."""
    if column.dtype == object:
        return pd.array([None if pd.isna(v) else to_milli(v) for v in column], dtype="Int64")
    return column.astype("Int64").array


def _previous_percent(aligned: pd.DataFrame, has: np.ndarray, previous_max: int) -> np.ndarray:
    """The previous frame's `percent` (results_decimal()), else the exact one at 3 places."""
    if "percent" in aligned:
        return np.asarray(np.where(has, aligned["percent"].to_numpy(dtype=object), None))
    out = np.full(len(has), None, dtype=object)
    before = _milli(aligned["total"])[has].to_numpy(dtype=np.int64).astype(object)
    out[has] = scaled_to_decimals(before * 100 * 10**PLACES // previous_max, PLACES)
    return out


def _percent_change(
    total: np.ndarray, previous_total: pd.Series, current_max: int, previous_max: int
) -> np.ndarray:
    """(total / cmax − previous / pmax) × 100 at 3 decimals toward zero, None if no previous."""
    has = previous_total.notna().to_numpy()
    out = np.full(len(total), None, dtype=object)
    if not has.any():
        return out
    # Python ints: the cross products of two milli values and two maxima can pass 2**63.
    now = total[has].astype(object)
    before = previous_total[has].to_numpy(dtype=np.int64).astype(object)
    numerator = 100 * 10**PLACES * (now * previous_max - before * current_max)
    denominator = current_max * previous_max
    magnitude = np.abs(numerator) // denominator
    scaled = np.where(numerator < 0, -magnitude, magnitude)
    out[has] = scaled_to_decimals(scaled, PLACES)
    return out


def compare_blocks(
    current_blocks: pd.DataFrame, previous_blocks: pd.DataFrame | None, *, comparable: bool
) -> pd.DataFrame:
    """Block statistics with last cycle's mean and the change (DOMAIN: 49.8631 is +4.650).

    mean_change is exact and None unless the criteria sets are comparable;
    mean_percent_change (percentage points of maximum, exact) is always given.
    """
    frame = current_blocks.copy()
    if previous_blocks is None or previous_blocks.empty:
        found = np.full(len(frame), -1, dtype=np.int64)
        previous_blocks = pd.DataFrame(columns=["count", "mean", "mean_percent"])
    else:
        found = pd.Index(previous_blocks["block"]).get_indexer(frame["block"])

    def take(column: str) -> list[object]:
        values = previous_blocks[column].tolist()
        return [values[i] if i >= 0 else None for i in found.tolist()]

    frame["previous_count"] = pd.array(take("count"), dtype="Int64")
    frame["previous_mean"] = pd.Series(take("mean"), index=frame.index, dtype=object)
    frame["previous_mean_percent"] = pd.Series(
        take("mean_percent"), index=frame.index, dtype=object
    )
    with localcontext() as context:
        context.prec = PRECISION
        # One subtraction per block: a few hundred at most.
        mean_change = [
            now - before if before is not None and comparable else None
            for now, before in zip(frame["mean"], frame["previous_mean"], strict=True)
        ]
        percent_change = [
            now - before if before is not None else None
            for now, before in zip(
                frame["mean_percent"], frame["previous_mean_percent"], strict=True
            )
        ]
    frame["mean_change"] = pd.Series(mean_change, index=frame.index, dtype=object)
    frame["mean_percent_change"] = pd.Series(percent_change, index=frame.index, dtype=object)
    frame["comparable"] = (found >= 0) & comparable
    return frame
