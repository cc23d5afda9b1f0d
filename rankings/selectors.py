"""Reads: each returns a frame or plain values from one query, for the engine and the pages."""

from dataclasses import dataclass
from decimal import Decimal, localcontext

import pandas as pd
from django.db.models import F

import scoring
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Publication,
    Result,
    Score,
    Stage,
)


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


# ---------------------------------------------------------------------------------------
# Published rankings, for the public pages, their exports and the API.


@dataclass(frozen=True)
class BlockStats:
    """A block's published statistics (exact decimals)."""

    count: int
    ranked: int
    mean: Decimal
    median: Decimal
    highest: Decimal
    lowest: Decimal
    spread: Decimal
    max_points: Decimal
    mean_percent: Decimal


@dataclass(frozen=True)
class Leaderboard:
    """One published ranking: the cycle, its decision, the rows and the block's figures."""

    cycle: AssessmentCycle
    publication: Publication
    groups: list[CriterionGroup]
    rows: pd.DataFrame
    stats: BlockStats
    previous: "Leaderboard | None"
    comparable: bool

    @property
    def criteria_set(self) -> CriteriaSet:
        return self.cycle.criteria_set


LEADERBOARD_COLUMNS = [
    "rank",
    "agency_id",
    "agency_slug",
    "agency_name",
    "agency_short_name",
    "admin_unit_code",
    "total",
    "exact_total",
    "percent",
    "band",
    "not_ranked_reason",
    "previous_rank",
    "rank_change",
    "previous_total",
    "change",
    "previous_percent",
    "percent_change",
]


def published_cycle(*, province: str, year: int, block: str) -> AssessmentCycle | None:
    """The cycle of a province × year × block, if it has a publication."""
    return (
        AssessmentCycle.objects.select_related("province", "block", "criteria_set")
        .filter(province__slug=province, year=year, block__slug=block, publications__isnull=False)
        .distinct()
        .first()
    )


def leaderboard(*, cycle: AssessmentCycle, with_previous: bool = True) -> Leaderboard | None:
    """The latest published revision of `cycle` with year-over-year changes (5–9 queries)."""
    publication = cycle.publications.order_by("-revision").first()
    if publication is None:
        return None
    groups = list(cycle.criteria_set.groups.filter(parent__isnull=True).order_by("order", "code"))
    results = list(
        Result.objects.filter(publication=publication)
        .select_related("agency")
        .order_by(F("rank").asc(nulls_last=True), "agency__name")
    )
    previous = None
    if with_previous:
        before = (
            AssessmentCycle.objects.select_related("province", "block", "criteria_set")
            .filter(
                province=cycle.province,
                block=cycle.block,
                year=cycle.year - 1,
                publications__isnull=False,
            )
            .distinct()
            .first()
        )
        previous = leaderboard(cycle=before, with_previous=False) if before else None
    comparable = previous is not None and criteria_sets_comparable(
        cycle.criteria_set, previous.cycle.criteria_set
    )
    rows = _leaderboard_rows(results, groups, cycle.criteria_set, previous, comparable)
    return Leaderboard(
        cycle=cycle,
        publication=publication,
        groups=groups,
        rows=rows,
        stats=block_stats(
            [r.total for r in results],
            cycle.criteria_set.max_points,
            ranked=sum(r.rank is not None for r in results),
        ),
        previous=previous,
        comparable=comparable,
    )


def _leaderboard_rows(results, groups, criteria_set, previous, comparable) -> pd.DataFrame:
    before = {}
    if previous is not None:
        before = {row.agency_id: row for row in previous.rows.itertuples(index=False)}
    records = []
    for result in results:
        prior = before.get(result.agency_id)
        record = {
            "rank": result.rank,
            "agency_id": result.agency_id,
            "agency_slug": result.agency.slug,
            "agency_name": result.agency.name,
            "agency_short_name": result.agency.short_name,
            "admin_unit_code": result.agency.admin_unit_code,
            "total": result.score,
            "exact_total": result.total,
            "percent": result.percent,
            "band": result.band,
            "not_ranked_reason": result.not_ranked_reason,
            "previous_rank": prior.rank if prior else None,
            "rank_change": (prior.rank - result.rank)
            if prior and prior.rank is not None and result.rank is not None
            else None,
            "previous_total": prior.total if prior else None,
            "change": result.score - prior.total if prior and comparable else None,
            "previous_percent": prior.percent if prior else None,
            "percent_change": result.percent - prior.percent if prior else None,
        }
        for group in groups:
            record[f"group_{group.code}"] = Decimal(result.groups.get(group.code, "0"))
        records.append(record)
    columns = LEADERBOARD_COLUMNS + [f"group_{g.code}" for g in groups]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("rank", "previous_rank", "rank_change"):
        frame[column] = frame[column].astype("Int64")
    return frame


def block_stats(totals: list[Decimal], max_points: Decimal, *, ranked: int) -> BlockStats:
    """Count, mean, median, highest, lowest and spread of a block's exact totals."""
    ordered = sorted(totals)
    count = len(ordered)
    if count == 0:
        zero = Decimal("0")
        return BlockStats(0, 0, zero, zero, zero, zero, zero, max_points, zero)
    with localcontext() as context:
        context.prec = 50
        mean = sum(ordered, Decimal(0)) / count
        middle = count // 2
        median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        mean_percent = mean * 100 / max_points
    return BlockStats(
        count=count,
        ranked=ranked,
        mean=mean,
        median=median,
        highest=ordered[-1],
        lowest=ordered[0],
        spread=ordered[-1] - ordered[0],
        max_points=max_points,
        mean_percent=mean_percent,
    )


def criteria_sets_comparable(first: CriteriaSet, second: CriteriaSet) -> bool:
    """Same criteria, maxima and rules: raw points can be compared across the two years."""
    if first.pk == second.pk:
        return True
    fields = ("code", "max_points", "rule")
    rows = Criterion.objects.filter(criteria_set__in=[first, second]).values_list(
        "criteria_set_id", *fields
    )
    shapes: dict[int, set] = {first.pk: set(), second.pk: set()}
    for set_id, *shape in rows:
        shapes[set_id].add(tuple(shape))
    return shapes[first.pk] == shapes[second.pk]
