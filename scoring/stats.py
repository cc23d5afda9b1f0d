"""Block statistics from integer totals: sums and order statistics, then exact Decimals."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import TypedDict

import numpy as np
import pandas as pd

from scoring.numbers import MILLI, PRECISION, milli_to_decimal
from scoring.types import Problem, ScoringInputError

BLOCK_COLUMNS = [
    "block",
    "count",
    "ranked",
    "mean",
    "median",
    "highest",
    "lowest",
    "spread",
    "mean_percent",
    "max_points",
]


class Description(TypedDict):
    """One block's statistics, as `describe` returns them (the BLOCK_COLUMNS but block)."""

    count: int
    ranked: int
    mean: Decimal
    median: Decimal
    highest: Decimal
    lowest: Decimal
    spread: Decimal
    mean_percent: Decimal
    max_points: Decimal


def block_stats(
    blocks: pd.Index, block: np.ndarray, total: np.ndarray, ranked: np.ndarray, max_milli: int
) -> pd.DataFrame:
    """One row per block: count, ranked, mean, median, highest, lowest, spread, percents.

    Every agency scored counts, ranked or not: the published averages cover the block.
    """
    n_blocks = len(blocks)
    order = np.lexsort((total, block))
    ordered = total[order]
    counts = np.bincount(block, minlength=n_blocks)
    present = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[present]
    sizes = counts[present]
    sums = np.add.reduceat(ordered, starts)
    lowest = ordered[starts]
    highest = ordered[starts + sizes - 1]
    middle_pair = ordered[starts + (sizes - 1) // 2] + ordered[starts + sizes // 2]
    ranked_counts = np.bincount(block[ranked], minlength=n_blocks)[present]

    # Decimals are built one per block, from Python ints, so nothing overflows or rounds.
    rows = np.column_stack((sizes, sums, middle_pair, highest, lowest)).tolist()
    thousand, two_thousand, max_points = Decimal(MILLI), Decimal(2 * MILLI), Decimal(int(max_milli))
    mean, median, high, low, spread, percent = [], [], [], [], [], []
    with localcontext() as context:
        context.prec = PRECISION
        for size, total_sum, pair, top, bottom in rows:
            count = Decimal(size)
            mean.append(Decimal(total_sum) / thousand / count)
            median.append(Decimal(pair) / two_thousand)
            high.append(milli_to_decimal(top))
            low.append(milli_to_decimal(bottom))
            spread.append(milli_to_decimal(top - bottom))
            percent.append(Decimal(total_sum * 100) / max_points / count)
    return pd.DataFrame(
        {
            "block": blocks[present],
            "count": sizes,
            "ranked": ranked_counts,
            "mean": _objects(mean),
            "median": _objects(median),
            "highest": _objects(high),
            "lowest": _objects(low),
            "spread": _objects(spread),
            "mean_percent": _objects(percent),
            "max_points": _objects([milli_to_decimal(max_milli)] * len(present)),
        },
        columns=BLOCK_COLUMNS,
    )


def _objects(values: Sequence[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


_ONE_BLOCK = pd.Index(["block"])


def describe(totals: list[int], max_milli: int, ranked: list[bool] | None = None) -> Description:
    """The statistics of one block from its totals in milli-points (a published ranking).

    The same computation `compute()` runs per block, for callers that read totals back.
    """
    if max_milli <= 0:
        raise ScoringInputError(
            [Problem(None, None, "max_points", max_milli, "maximum must be above 0")]
        )
    total = np.asarray(totals)
    flags = np.asarray(ranked if ranked is not None else [True] * len(totals), dtype=bool)
    if total.size == 0:
        zero = Decimal(0)
        return {
            "count": 0,
            "ranked": 0,
            "mean": zero,
            "median": zero,
            "highest": zero,
            "lowest": zero,
            "spread": zero,
            "mean_percent": zero,
            "max_points": milli_to_decimal(max_milli),
        }
    frame = block_stats(_ONE_BLOCK, np.zeros(total.size, dtype=np.int64), total, flags, max_milli)
    # to_dict() gives Python ints for the counts, Decimals for the rest.
    row: Description = frame.drop(columns="block").iloc[0].to_dict()
    return row
