"""Reads that feed the engine: criteria, rules and scores as frames or plain values."""

from __future__ import annotations

import pandas as pd

import scoring
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    Score,
    Stage,
)


def criteria_frame(*, criteria_set: CriteriaSet) -> pd.DataFrame:
    """The criteria tree as the engine reads it: one row per criterion, with its groups."""
    return _criteria_frame(_criteria_with_groups(criteria_set))


def _criteria_with_groups(criteria_set) -> list[Criterion]:
    """A criteria set's criteria in order, each with its group and that group's parent."""
    return list(
        Criterion.objects.filter(criteria_set=criteria_set)
        .select_related("group__parent")
        .order_by("order", "code")
    )


def _criteria_frame(criteria: list[Criterion]) -> pd.DataFrame:
    records = []
    for criterion in criteria:
        group = criterion.group
        top = group.parent or group
        records.append(
            {
                "criterion": criterion.code,
                "group": top.code,
                "subgroup": group.code if group.parent_id else None,
                "max_points": criterion.max_points,
                "rule": criterion.rule,
                "params": criterion.params,
                "required": criterion.required,
            }
        )
    columns = ["criterion", "group", "subgroup", "max_points", "rule", "params", "required"]
    return pd.DataFrame.from_records(records, columns=columns)


def ranking_rules(*, criteria_set: CriteriaSet) -> scoring.RankingRules:
    """The criteria set's published-number rules, as data for the engine."""
    bands = tuple(
        scoring.Band(label=band.label, minimum=band.minimum, basis=scoring.BandBasis(band.basis))
        for band in criteria_set.bands.all()
    )
    return scoring.RankingRules(
        max_points=criteria_set.max_points,
        precision=criteria_set.precision,
        rounding=scoring.Rounding(criteria_set.rounding),
        percent_precision=criteria_set.percent_precision,
        percent_rounding=scoring.Rounding(criteria_set.percent_rounding),
        tie_method=scoring.TieMethod(criteria_set.tie_method),
        bands=bands,
        not_ranked_below=criteria_set.not_ranked_below,
        not_ranked_basis=scoring.BandBasis(criteria_set.not_ranked_basis),
    )


def score_records(*, cycle: AssessmentCycle, stage: str = Stage.FINAL) -> list[dict]:
    """One dict per stored score of a cycle at a stage, with its id for writing points back.

    In (agency id, criterion id) order: the engine lists problems in input order.
    """
    # No ORDER BY: Score's default ordering joins ten tables and sorts by 16 keys, and even
    # (agency_id, criterion_id) sorts on disk at national scale (bench/README.md, EXPLAIN
    # of the recompute read); Python sorts the 44,000 rows of a large block in a few ms.
    rows = list(
        Score.objects.filter(cycle=cycle, stage=stage)
        .order_by()
        .values_list(
            "agency_id",
            "criterion_id",
            "id",
            "criterion__code",
            "value",
            "denominator",
            "choice",
            "points",
        )
    )
    rows.sort()  # by (agency_id, criterion_id): unique in a cycle at a stage
    block = cycle.block_id
    return [
        {
            "id": score_id,
            "agency": agency_id,
            "block": block,
            "criterion": code,
            "value": value,
            "denominator": denominator,
            "choice": choice or None,
            "points": points,
        }
        for agency_id, _, score_id, code, value, denominator, choice, points in rows
    ]
