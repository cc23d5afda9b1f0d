"""Reads: each returns a frame or plain values from one query, for the engine and the pages."""

from decimal import Decimal

import pandas as pd

import scoring
from rankings.models import AssessmentCycle, CriteriaSet, Criterion, Score, Stage


def criteria_frame(*, criteria_set: CriteriaSet) -> pd.DataFrame:
    """The criteria tree as the engine reads it: one row per criterion, with its groups."""
    rows = (
        Criterion.objects.filter(criteria_set=criteria_set)
        .select_related("group__parent")
        .order_by("order", "code")
    )
    records = []
    for criterion in rows:
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
    """One dict per stored score of a cycle at a stage, with its id for writing points back."""
    rows = Score.objects.filter(cycle=cycle, stage=stage).values_list(
        "id", "agency_id", "criterion__code", "value", "denominator", "choice", "points"
    )
    return [
        {
            "id": score_id,
            "agency": agency_id,
            "block": cycle.block_id,
            "criterion": code,
            "value": value,
            "denominator": denominator,
            "choice": choice or None,
            "points": points,
        }
        for score_id, agency_id, code, value, denominator, choice, points in rows
    ]


def decimal_or_none(value) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(value)
