"""Lists of published rankings: the latest ones, a province's cycles, agency search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from rankings.models import (
    AssessmentCycle,
    Publication,
    Result,
)
from rankings.public.selectors.leaderboard import latest_publications


@dataclass(frozen=True)
class RankingCard:
    cycle: AssessmentCycle
    publication: Publication
    leader: Result | None
    count: int


def latest_rankings() -> list[RankingCard]:
    """The latest published ranking of each province and block (4 queries)."""
    cycles = (
        AssessmentCycle.objects.filter(publications__isnull=False)
        .select_related("province", "block", "criteria_set")
        .distinct()
        .order_by("province__name", "block__order", "-year")
    )
    newest: dict[tuple[int, int], AssessmentCycle] = {}
    for cycle in cycles:
        newest.setdefault((cycle.province_id, cycle.block_id), cycle)
    publications = latest_publications(list(newest.values()))
    # Aggregate in the database: a national deployment has thousands of results per year.
    latest = Result.objects.filter(publication__in=publications.values())
    counts = dict(latest.values_list("publication_id").annotate(n=Count("id")))
    leaders: dict[int | None, Result] = {}  # by Result.publication_id
    for result in latest.filter(rank=1).select_related("agency").order_by("agency__search_name"):
        leaders.setdefault(result.publication_id, result)
    return [
        RankingCard(
            cycle=cycle,
            publication=publications[cycle.pk],
            leader=leaders.get(publications[cycle.pk].pk),
            count=counts.get(publications[cycle.pk].pk, 0),
        )
        for cycle in newest.values()
    ]


def agency_search(query: str, *, limit: int = 30) -> list:
    """Agencies whose name contains `query`, ignoring case and diacritics."""
    from agencies.models import Agency, fold

    needle = fold(query.strip())
    if not needle:
        return []
    return list(
        Agency.objects.filter(search_name__contains=needle)
        .select_related("province", "block")
        .order_by("province__name", "block__order", "name")[:limit]
    )


def published_cycles(*, province) -> list[tuple[AssessmentCycle, Publication]]:
    cycles = list(
        AssessmentCycle.objects.filter(province=province, publications__isnull=False)
        .select_related("block", "criteria_set")
        .distinct()
        .order_by("block__order", "-year")
    )
    latest = latest_publications(cycles)
    return [(cycle, latest[cycle.pk]) for cycle in cycles]


def _published_cycles(cycle_filter: Q) -> tuple[list[AssessmentCycle], dict[int, Publication]]:
    """Cycles matching the filter, by year, and their newest publications (2 queries)."""
    cycles = list(
        AssessmentCycle.objects.filter(cycle_filter, publications__isnull=False)
        .select_related("province", "block", "criteria_set")
        .distinct()
        .order_by("year")
    )
    return cycles, latest_publications(cycles)
