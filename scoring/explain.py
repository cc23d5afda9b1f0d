"""Why an agency stands where it does: gaps to its neighbours, groups, what is left to gain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import localcontext

import numpy as np
import pandas as pd

from scoring.engine import Scorecard
from scoring.numbers import MILLI, PRECISION, exact_ratio, to_milli


@dataclass(frozen=True)
class Explanation:
    """Frames behind an agency's rank; milli ints unless a column says Decimal.

    - gaps: agency, block, rank, score, gap_above (to the next better ranked score; NA
      for the top), gap_top (to the block's best ranked score).
    - group_gaps: agency, block, group, points, block_mean (Decimal), gap (Decimal).
    - attainable: agency, criterion, points, max_points, attainable (max − points).
    """

    gaps: pd.DataFrame
    group_gaps: pd.DataFrame
    attainable: pd.DataFrame


def explain(card: Scorecard, criteria: pd.DataFrame, *, top_n: int = 5) -> Explanation:
    """Gaps, group comparisons and the `top_n` criteria with most points left, per agency."""
    return Explanation(
        gaps=_gaps(card.results),
        group_gaps=_group_gaps(card.groups),
        attainable=_attainable(card.points, criteria, top_n),
    )


def _gaps(results: pd.DataFrame) -> pd.DataFrame:
    n = len(results)
    ranked = results["rank"].notna().to_numpy()
    score = results["score"].to_numpy(dtype=np.int64)
    block, _ = pd.factorize(results["block"])
    gap_above = np.zeros(n, dtype=np.int64)
    above_known = np.zeros(n, dtype=bool)

    # Results are in block and rank order, so each block's ranked rows run best first.
    at = np.flatnonzero(ranked)
    if at.size:
        b, s = block[at], score[at]
        position = np.arange(at.size)
        new_block = np.r_[True, b[1:] != b[:-1]]
        new_score = new_block | np.r_[True, s[1:] != s[:-1]]
        block_start = np.maximum.accumulate(np.where(new_block, position, 0))
        tie_start = np.maximum.accumulate(np.where(new_score, position, 0))
        above_known[at] = tie_start > block_start
        gap_above[at] = s[np.maximum(tie_start - 1, 0)] - s
    # The best ranked score of each row's block; NA where the block ranks nobody.
    best = pd.Series(pd.arrays.IntegerArray(score, ~ranked)).groupby(block).transform("max")
    # Values, not Series: the frame gets a fresh index whatever the results' index.
    return pd.DataFrame(
        {
            "agency": results["agency"].to_numpy(),
            "block": results["block"].to_numpy(),
            "rank": results["rank"].array,
            "score": score,
            "gap_above": pd.arrays.IntegerArray(gap_above, ~above_known),
            "gap_top": (best - score).array,
        }
    )


def _group_gaps(groups: pd.DataFrame) -> pd.DataFrame:
    by = groups.groupby(["block", "group"])["points"]
    sums = by.transform("sum").to_numpy()
    counts = by.transform("count").to_numpy()
    # points − sum/count as one fraction, so the Decimal is exact (or 50 digits).
    numerators = (groups["points"].to_numpy() * counts - sums).tolist()
    denominators = (counts * MILLI).tolist()
    with localcontext() as context:
        context.prec = PRECISION
        means = list(map(exact_ratio, sums.tolist(), denominators))
        gaps = list(map(exact_ratio, numerators, denominators))
    return groups.assign(block_mean=_objects(means), gap=_objects(gaps))


def _attainable(points: pd.DataFrame, criteria: pd.DataFrame, top_n: int) -> pd.DataFrame:
    codes = criteria["criterion"].astype(str).tolist()
    maxima = pd.Series([to_milli(m) for m in criteria["max_points"]], index=codes)
    natural = pd.Series({code: i for i, code in enumerate(sorted(codes, key=_natural_key))})
    code = points["criterion"].astype(str)
    frame = pd.DataFrame(
        {
            "agency": points["agency"].to_numpy(),
            "criterion": code.to_numpy(),
            "points": points["points"].to_numpy(),
            "max_points": maxima.reindex(code).to_numpy(),
        }
    )
    frame["attainable"] = frame["max_points"] - frame["points"]
    frame = frame[frame["attainable"] > 0]
    agency, _ = pd.factorize(frame["agency"])
    order = np.lexsort(
        (natural.reindex(frame["criterion"]).to_numpy(), -frame["attainable"].to_numpy(), agency)
    )
    frame = frame.iloc[order]
    keep = frame.groupby("agency").cumcount().to_numpy() < top_n
    return frame[keep].reset_index(drop=True)


def _natural_key(code: str) -> tuple[tuple[bool, int | str], ...]:
    """Natural order of criterion codes: 1.2 before 1.10, numbers before letters."""
    return tuple((False, int(p)) if p.isdigit() else (True, p) for p in re.split(r"[.\-]", code))


def _objects(values: Sequence[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
