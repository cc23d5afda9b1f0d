"""compute(): criteria + inputs + rules -> a Scorecard of points, totals, ranks, stats."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.checks import check_rules
from scoring.criteria import CriteriaTable, parse_criteria
from scoring.inputs import EncodedInputs, encode_inputs
from scoring.numbers import (
    PLACES,
    mul_div,
    round_to_precision,
    scaled_to_decimals,
)
from scoring.ranking import assign_bands, block_ranks, reaches
from scoring.rules import grid_points
from scoring.stats import block_stats
from scoring.types import BandBasis, RankingRules, ScoringInputError
from scoring.validate import find_problems

RESULT_COLUMNS = [
    "agency",
    "block",
    "total",
    "score",
    "percent_scaled",
    "rank",
    "band",
    "not_ranked_reason",
]


@dataclass(frozen=True)
class Scorecard:
    """Everything computed for one criteria set and its inputs; ints are milli-points.

    - points: agency, block, criterion, points (every agency × criterion of the set).
    - groups / subgroups: agency, block, group / subgroup, points (long format).
    - results: agency, block, total, score (total at the published precision, in milli),
      percent_scaled (percent of maximum × 10**percent_precision, an int), rank (Int64,
      NA when not ranked), band, not_ranked_reason; sorted by block, rank, agency.
    - blocks: block, count, ranked, mean, median, highest, lowest, spread, mean_percent,
      max_points (Decimals, exact).

    The Decimal percent is built on demand (`percent()`, `results_decimal()`): one
    Decimal per agency costs more than the whole ranking.
    """

    points: pd.DataFrame
    groups: pd.DataFrame
    subgroups: pd.DataFrame
    results: pd.DataFrame
    blocks: pd.DataFrame
    rules: RankingRules

    def percent(self) -> pd.Series:
        """Percent of maximum of each result row, as Decimals at percent_precision."""
        scaled = self.results["percent_scaled"].to_numpy()
        decimals = scaled_to_decimals(scaled, self.rules.percent_precision)
        return pd.Series(decimals, index=self.results.index, name="percent")

    def results_decimal(self) -> pd.DataFrame:
        """Results for storage: total, score and percent as Decimals, rank as int or None."""
        frame = self.results.drop(columns=["percent_scaled"])
        frame["total"] = scaled_to_decimals(self.results["total"].to_numpy(), PLACES)
        frame["score"] = scaled_to_decimals(self.results["score"].to_numpy(), PLACES)
        frame.insert(frame.columns.get_loc("score") + 1, "percent", self.percent())
        rank = self.results["rank"]
        frame["rank"] = rank.astype(object).where(rank.notna(), None)
        return frame


def compute(criteria: pd.DataFrame, inputs: pd.DataFrame, rules: RankingRules) -> Scorecard:
    """Score, total, rank and summarise every agency of `inputs` by `criteria` and `rules`.

    Raises ScoringInputError listing every problem of the criteria, rules or inputs.
    """
    table = parse_criteria(criteria, rules.rounding)
    max_milli = check_rules(table, rules)
    rows = encode_inputs(inputs, table)
    matrix, checks = grid_points(inputs, rows, table, rules.rounding)
    problems = find_problems(inputs, rows, checks)
    if problems:
        raise ScoringInputError(problems)
    return _scorecard(matrix, rows, table, rules, max_milli)


def _scorecard(
    matrix: np.ndarray,
    rows: EncodedInputs,
    table: CriteriaTable,
    rules: RankingRules,
    max_milli: int,
) -> Scorecard:
    total = matrix.sum(axis=1)
    results, ranked = _results(matrix, total, rows, table, rules, max_milli)
    points, groups, subgroups = _long_frames(matrix, rows, table)
    return Scorecard(
        points=points,
        groups=groups,
        subgroups=subgroups,
        results=results,
        blocks=block_stats(rows.blocks, rows.block_of_agency, total, ranked, max_milli),
        rules=rules,
    )


def _results(
    matrix: np.ndarray,
    total: np.ndarray,
    rows: EncodedInputs,
    table: CriteriaTable,
    rules: RankingRules,
    max_milli: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The results frame (RESULT_COLUMNS, by block, rank, agency) and who is ranked."""
    n_agencies = len(rows.agencies)
    agency_code = np.arange(n_agencies)
    block = rows.block_of_agency
    score = round_to_precision(total, rules.precision, rules.rounding)
    reason = _not_ranked(matrix, score, table, rules, max_milli)
    ranked = pd.isna(reason)
    rank = block_ranks(block, score, agency_code, ranked, rules.tie_method)
    band = assign_bands(score, rules.bands, max_milli)
    band[~ranked] = None
    percent_scaled = mul_div(
        total, 100 * 10**rules.percent_precision, max_milli, rules.percent_rounding
    )
    # Unranked agencies last in their block: a block with one has ranks below n_agencies.
    order = np.lexsort((agency_code, np.where(ranked, rank, n_agencies), block))
    results = pd.DataFrame(
        {
            "agency": rows.agencies.take(order),
            "block": rows.blocks.take(block[order]),
            "total": total[order],
            "score": score[order],
            "percent_scaled": percent_scaled[order],
            "rank": pd.arrays.IntegerArray(rank[order], ~ranked[order]),
            # Explicitly object: pandas would infer a string dtype and turn None into NaN.
            "band": pd.Series(band[order], dtype=object),
            "not_ranked_reason": pd.Series(reason[order], dtype=object),
        },
        columns=RESULT_COLUMNS,
    )
    return results, ranked


def _long_frames(
    matrix: np.ndarray, rows: EncodedInputs, table: CriteriaTable
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The points per criterion, group and subgroup, in the criteria frame's order."""
    agency_values = rows.agencies.to_numpy()
    block_values = rows.blocks.to_numpy()[rows.block_of_agency]
    # Back from the grid's rule order to the criteria frame's order.
    in_frame = np.argsort(table.frame_order)
    if not np.array_equal(in_frame, np.arange(table.size)):
        matrix = matrix[:, in_frame]
    group_of, subgroup_of = table.group_of[in_frame], table.subgroup_of[in_frame]
    return (
        _long_frame(matrix, agency_values, block_values, "criterion", table.codes[in_frame]),
        _long_frame(
            group_sums(matrix, group_of, len(table.groups)),
            agency_values,
            block_values,
            "group",
            table.groups,
        ),
        _long_frame(
            group_sums(matrix, subgroup_of, len(table.subgroups)),
            agency_values,
            block_values,
            "subgroup",
            table.subgroups,
        ),
    )


def _not_ranked(
    matrix: np.ndarray,
    score: np.ndarray,
    table: CriteriaTable,
    rules: RankingRules,
    max_milli: int,
) -> np.ndarray:
    """Why each agency is not ranked, or None.

    An unmet required criterion is the reason before a low score; of several, the first
    in the criteria frame's order is named.
    """
    reason = np.full(len(score), None, dtype=object)
    if rules.not_ranked_below is not None:
        minimum = rules.not_ranked_below
        unit = " points" if rules.not_ranked_basis == BandBasis.POINTS else "% of the maximum"
        below = ~reaches(score, minimum, rules.not_ranked_basis, max_milli)
        reason[below] = f"score below the minimum of {minimum}{unit}"
    # Grid columns are in rule order: list the required ones in the frame's order.
    in_frame = np.argsort(table.frame_order)
    required = in_frame[table.required[in_frame]]
    if required.size:
        unmet = matrix[:, required] == 0
        failing = unmet.any(axis=1)
        messages = np.array(
            [f"criterion {table.codes[p]} not met" for p in required.tolist()], dtype=object
        )
        reason[failing] = messages[unmet[failing].argmax(axis=1)]
    return reason


def _long_frame(
    grid: np.ndarray, agencies: np.ndarray, blocks: np.ndarray, name: str, codes: pd.Index
) -> pd.DataFrame:
    """An agency × code grid as rows (agency, block, code, points), agency-major."""
    n_agencies, n_codes = grid.shape
    code = np.tile(np.arange(n_codes, dtype=np.int32), n_agencies)  # pragma: no mutate (memory)
    # Categorical: the codes repeat per agency, and it costs no string per row. They are
    # valid by construction: validating them would cost a pass and change nothing.
    labels = pd.Categorical.from_codes(code, categories=codes, validate=False)  # pragma: no mutate
    return pd.DataFrame(
        {
            "agency": np.repeat(agencies, n_codes),
            "block": np.repeat(blocks, n_codes),
            name: labels,
            "points": grid.ravel(),
        },
        copy=False,  # pragma: no mutate (avoids copying the arrays; same frame)
    )


def group_sums(matrix: np.ndarray, member_of: np.ndarray, n_groups: int) -> np.ndarray:
    """Agency × group sums of an agency × criterion matrix (member -1 = no group)."""
    # Stable keeps criteria listed group by group in place, for the no-copy path below.
    order = np.argsort(member_of, kind="stable")  # pragma: no mutate (speed only)
    order = order[member_of[order] >= 0]
    members = member_of[order]
    if order.size == 0:
        return np.zeros((matrix.shape[0], n_groups), dtype=np.int64)
    # Criteria are usually listed group by group, so the columns need no reordering.
    columns = matrix if np.array_equal(order, np.arange(matrix.shape[1])) else matrix[:, order]
    starts = np.flatnonzero(np.r_[True, members[1:] != members[:-1]])
    sums = np.zeros((matrix.shape[0], n_groups), dtype=np.int64)
    sums[:, members[starts]] = np.add.reduceat(columns, starts, axis=1)
    return sums
