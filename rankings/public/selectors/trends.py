"""A block's trend over the years: movers and yearly standings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from rankings.models import (
    AssessmentCycle,
    Publication,
    Result,
)
from rankings.public.selectors.baseline import Comparability, comparable_pairs
from rankings.public.selectors.leaderboard import BlockStats, block_stats
from rankings.public.selectors.listings import _published_cycles


@dataclass(frozen=True)
class Mover:
    agency_name: str
    agency_slug: str
    rank: int | None
    previous_rank: int | None
    rank_change: int
    change: Decimal | None


@dataclass(frozen=True)
class TrendYear:
    cycle: AssessmentCycle
    publication: Publication
    stats: BlockStats
    totals: list[Decimal]
    comparable_with_previous: bool | None  # points compare; None: no published year before
    mean_change: Decimal | None
    not_comparable_reason: str = ""  # `STRUCTURE`, `CRITERIA` or `GAP` when not comparable
    compared: Comparability | None = None  # against the block's baseline year
    mean_percent_change: Decimal | None = None  # in percent of maximum, when percents compare

    @property
    def previous_year(self) -> int | None:
        """The baseline: the previous published year of the block (years are consecutive
        in `BlockTrend.years`, which lists published years only)."""
        return self.compared.previous_year if self.compared is not None else None

    @property
    def missing_years(self) -> tuple[int, ...]:
        return self.compared.missing_years if self.compared is not None else ()

    @property
    def rank_change_comparable(self) -> bool | None:
        return self.compared.rank_change_comparable if self.compared is not None else None


@dataclass(frozen=True)
class BlockTrend:
    province: object
    block: object
    years: list[TrendYear]
    movers_up: list[Mover]
    movers_down: list[Mover]

    @property
    def latest(self) -> TrendYear:
        return self.years[-1]


class _TrendRow(NamedTuple):
    """A published result as a block's trend needs it, read without a model instance."""

    agency_id: int
    rank: int | None
    total: Decimal
    score: Decimal
    agency_name: str
    agency_slug: str
    valued: bool  # has values: one listed without (did not submit, excluded) has no total


def block_trend(*, province: str, block: str) -> BlockTrend | None:
    """A block's published years: averages, distributions, the latest year's biggest movers.

    The results of every year (3,300 in a large commune block) are read as plain rows.
    """
    cycles, latest = _published_cycles(Q(province__slug=province, block__slug=block))
    if not cycles:
        return None
    by_publication = _trend_rows(latest)
    comparable = comparable_pairs(cycles)
    years: list[TrendYear] = []
    for cycle in cycles:
        prior = years[-1] if years else None  # the baseline: the previous published year
        compared = comparable.get(cycle.pk)
        rows = by_publication.get(latest[cycle.pk].pk, [])
        years.append(_trend_year(cycle, latest[cycle.pk], rows, prior, compared))
    movers: list[Mover] = []
    last = years[-1].compared
    if last is not None and last.ranks:  # no movers across the 2025 reform
        movers = _movers(
            by_publication[years[-1].publication.pk],
            by_publication[years[-2].publication.pk],
            points_compare=bool(years[-1].comparable_with_previous),
        )
    up = sorted((m for m in movers if m.rank_change > 0), key=lambda m: (-m.rank_change, m.rank))
    down = sorted((m for m in movers if m.rank_change < 0), key=lambda m: (m.rank_change, m.rank))
    return BlockTrend(
        province=cycles[0].province,
        block=cycles[0].block,
        years=years,
        movers_up=up[:5],
        movers_down=down[:5],
    )


def _trend_rows(latest: dict) -> dict[int, list[_TrendRow]]:
    """The results of each latest publication as plain rows, best rank first: one query."""
    by_publication: dict[int, list[_TrendRow]] = {}
    rows = (
        Result.objects.filter(publication__in=latest.values())
        .order_by(F("rank").asc(nulls_last=True), "agency__search_name")
        .annotate(valued=ExpressionWrapper(~Q(groups={}), output_field=BooleanField()))
        .values_list(
            "publication_id",
            "agency_id",
            "rank",
            "total",
            "score",
            "agency__name",
            "agency__slug",
            ExpressionWrapper(~Q(groups={}), output_field=BooleanField()),
        )
    )
    for publication_id, *row in rows:
        by_publication.setdefault(publication_id, []).append(_TrendRow._make(row))
    return by_publication


def _trend_year(cycle, publication, rows: list[_TrendRow], prior, compared) -> TrendYear:
    """One year's standing, with the change of its mean from `prior` when they compare."""
    # As the leaderboard: an agency listed without values has no total to average.
    valued = [r for r in rows if r.valued]
    stats = block_stats(
        [r.total for r in valued],
        cycle.criteria_set.max_points,
        ranked=sum(r.rank is not None for r in rows),
    )
    if compared is not None and prior is not None:
        compared = compared.with_sizes(prior.stats.ranked, stats.ranked)
    same = compared.points if compared is not None else None
    percents = compared is not None and compared.ranks
    return TrendYear(
        cycle=cycle,
        publication=publication,
        stats=stats,
        totals=sorted((r.total for r in valued), reverse=True),
        comparable_with_previous=same,
        mean_change=stats.mean - prior.stats.mean if prior and same else None,
        not_comparable_reason=compared.reason if compared is not None else "",
        compared=compared,
        mean_percent_change=stats.mean_percent - prior.stats.mean_percent
        if prior and percents
        else None,
    )


def _movers(now_rows: list[_TrendRow], before_rows: list[_TrendRow], *, points_compare: bool):
    """The agencies ranked in both years, with their change of rank (and of score)."""
    now = {r.agency_id: r for r in now_rows}
    before = {r.agency_id: r for r in before_rows}
    movers: list[Mover] = []
    for agency_id, result in now.items():
        prior = before.get(agency_id)
        if prior and prior.rank and result.rank:
            movers.append(
                Mover(
                    agency_name=result.agency_name,
                    agency_slug=result.agency_slug,
                    rank=result.rank,
                    previous_rank=prior.rank,
                    rank_change=prior.rank - result.rank,
                    change=result.score - prior.score if points_compare else None,
                )
            )
    return movers
