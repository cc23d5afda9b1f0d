"""The national ranking of provinces: the national scope (`Province.is_national`) is a
province like the others to every page; these reads present it as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, OuterRef, Subquery

from rankings.models import (
    AssessmentCycle,
    Publication,
    Result,
)
from rankings.public.selectors.leaderboard import Leaderboard, leaderboard
from rankings.public.selectors.listings import RankingCard, latest_rankings, published_cycles


@dataclass(frozen=True)
class HomeRankings:
    """The home page's cards, the national scope's apart from the provinces'."""

    national: list[RankingCard]  # empty until a national ranking is published
    provinces: list[RankingCard]


def home_rankings() -> HomeRankings:
    """`latest_rankings`, split into the national ranking and the provinces' (4 queries)."""
    cards = latest_rankings()
    return HomeRankings(
        national=[card for card in cards if card.cycle.province.is_national],
        provinces=[card for card in cards if not card.cycle.province.is_national],
    )


@dataclass(frozen=True)
class NationalYear:
    """One published national cycle, for the list of years."""

    cycle: AssessmentCycle
    publication: Publication
    count: int


@dataclass(frozen=True)
class Predecessor:
    """A province agency a 2025 one was formed from, with its rank the year before."""

    agency: object
    whole: bool
    rank: int | None
    count: int | None


@dataclass(frozen=True)
class NationalRow:
    """A leaderboard row of the national ranking and the province it stands for."""

    record: dict
    province: object | None  # the Province the agency represents: a link to its own pages
    predecessors: list[Predecessor]


@dataclass(frozen=True)
class NationalRanking:
    """The latest published national ranking, its rows and every published year."""

    scope: object
    board: Leaderboard
    rows: list[NationalRow]
    years: list[NationalYear]  # newest first

    @property
    def has_predecessors(self) -> bool:
        return any(row.predecessors for row in self.rows)

    @property
    def has_rank_changes(self) -> bool:
        return any(row.record["rank_change"] is not None for row in self.rows)


def national_scope():
    """The national scope, or None in a deployment that ranks no provinces (1 query)."""
    from agencies.models import Province

    return Province.objects.filter(is_national=True).first()


@dataclass(frozen=True)
class NationalStanding:
    """A province's place in the latest published national ranking that ranks it."""

    agency: object  # the national scope's agency that represents the province
    cycle: AssessmentCycle
    rank: int | None
    count: int
    not_ranked_reason: str


def national_standing(*, province) -> NationalStanding | None:
    """Where the national ranking places `province`, for its own page (1 query).

    The latest published year whose ranking has an agency representing the province: a
    legacy province's is 2024 (its last), a 2025 province's its latest. None when no
    published national ranking ranks it.
    """
    count = (
        Result.objects.filter(publication=OuterRef("publication"))
        .values("publication")
        .annotate(n=Count("id"))
        .values("n")
    )
    result = (
        Result.objects.filter(
            agency__represents=province,
            agency__province__is_national=True,
            publication__isnull=False,
        )
        .select_related("agency__province", "cycle__block")
        .annotate(block_count=Subquery(count))
        .order_by("-cycle__year", "-publication__revision")
        .first()
    )
    if result is None:
        return None
    return NationalStanding(
        agency=result.agency,
        cycle=result.cycle,
        rank=result.rank,
        count=result.block_count,
        not_ranked_reason=result.not_ranked_reason,
    )


def national_ranking() -> NationalRanking | None:
    """The latest published national ranking with links to the provinces (about 15 queries).

    The rows are the leaderboard's (`leaderboard`), so the page, its downloads and the API
    agree. Each row knows the province its agency represents and, after the 2025 reform,
    the province agencies it succeeds with their ranks of the year before. The number of
    queries does not grow with the number of provinces. None when nothing is published.
    """
    scope = national_scope()
    if scope is None:
        return None
    published = published_cycles(province=scope)
    if not published:
        return None
    latest = published[0][0]
    latest.province = scope  # already read; `leaderboard` looks for the year before by it
    board = leaderboard(cycle=latest)
    if board is None:  # latest is published: it has a board
        return None
    counts = dict(
        Result.objects.filter(publication__in=[p for _, p in published])
        .values_list("publication_id")
        .annotate(n=Count("id"))
    )
    rows = _national_rows(board)
    years = [
        NationalYear(cycle=cycle, publication=publication, count=counts.get(publication.pk, 0))
        for cycle, publication in sorted(published, key=lambda pair: -pair[0].year)
    ]
    return NationalRanking(scope=scope, board=board, rows=rows, years=years)


def _national_rows(board) -> list[NationalRow]:
    """The board's rows, each with the province its agency represents and what it succeeds."""
    from agencies.models import Agency

    records = board.records
    ids = [record["agency_id"] for record in records]
    represents = {
        agency.pk: agency.represents
        for agency in Agency.objects.filter(pk__in=ids).select_related("represents")
    }
    predecessors = _predecessors(board, ids)
    return [
        NationalRow(
            record=record,
            province=represents.get(record["agency_id"]),
            predecessors=predecessors.get(record["agency_id"], []),
        )
        for record in records
    ]


def _predecessors(board, ids: list[int]) -> dict[int, list[Predecessor]]:
    """The agencies each of `ids` succeeds, with their ranks in the board's year before."""
    from agencies.models import Succession

    before = {}
    if board.previous is not None:
        before = {row.agency_id: row.rank for row in board.previous.rows.itertuples(index=False)}
    count_before = board.previous.stats.count if board.previous is not None else None
    predecessors: dict[int, list[Predecessor]] = {}
    links = (
        Succession.objects.filter(successor__in=ids)
        .select_related("predecessor__province")
        .order_by("predecessor__name", "predecessor__slug")
    )
    for link in links:
        rank = before.get(link.predecessor_id)
        predecessors.setdefault(link.successor_id, []).append(
            Predecessor(
                agency=link.predecessor,
                whole=link.whole,
                rank=None if rank is None or pd.isna(rank) else int(rank),
                count=count_before if link.predecessor_id in before else None,
            )
        )
    return predecessors
