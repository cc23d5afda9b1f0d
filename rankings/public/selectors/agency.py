"""An agency's page: its published years, criteria, and lineage through the reform."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import NamedTuple

import pandas as pd
from django.db.models import Count, F, Q

import scoring
from rankings.frames import _criteria_frame, _criteria_with_groups, ranking_rules
from rankings.models import (
    AssessmentCycle,
    Criterion,
    CriterionGroup,
    Publication,
    Result,
)
from rankings.public.selectors.baseline import Comparability, comparable_pairs
from rankings.public.selectors.leaderboard import BlockStats, block_stats
from rankings.public.selectors.listings import _published_cycles


@dataclass(frozen=True)
class YearPoint:
    """One year of an agency's published history."""

    cycle: AssessmentCycle
    publication: Publication
    result: Result
    count: int
    stats: BlockStats
    comparable_with_previous: bool | None  # points compare; None: no published year before
    change: Decimal | None
    rank_change: int | None
    not_comparable_reason: str = ""  # `STRUCTURE`, `CRITERIA` or `GAP` when not comparable
    compared: Comparability | None = None  # against the block's baseline year
    percent_change: Decimal | None = None  # in percent of maximum, when percents compare

    @property
    def previous_year(self) -> int | None:
        """The baseline: the latest earlier published year of the block."""
        return self.compared.previous_year if self.compared is not None else None

    @property
    def missing_years(self) -> tuple[int, ...]:
        return self.compared.missing_years if self.compared is not None else ()

    @property
    def rank_change_comparable(self) -> bool | None:
        return self.compared.rank_change_comparable if self.compared is not None else None

    @property
    def shows_percent_change(self) -> bool:
        return self.percent_change is not None and self.change is None


@dataclass(frozen=True)
class CriterionRow:
    code: str
    name: str
    group: str
    points: Decimal
    max_points: Decimal
    attainable: Decimal
    previous: Decimal | None
    change: Decimal | None
    name_en: str = ""


@dataclass(frozen=True)
class AgencyProfile:
    agency: object
    history: list[YearPoint]
    groups: list[tuple[CriterionGroup, Decimal, Decimal, Decimal]]  # group, points, mean, gap
    criteria: list[CriterionRow]
    improve: list[CriterionRow]
    gap_above: Decimal | None
    gap_top: Decimal | None
    above: Result | None

    @property
    def latest(self) -> YearPoint | None:
        return self.history[-1] if self.history else None


class _BlockRow(NamedTuple):
    """A published result as the block's figures need it, read without a model instance."""

    agency_id: int
    rank: int | None
    total: Decimal
    score: Decimal
    groups: dict


def agency_profile(*, agency) -> AgencyProfile:
    """An agency's published history, its latest groups against the block, what to improve.

    The block's results of every published year (3,300 in a large commune block) are read
    as plain rows; only the agency's own results and those ranked just above it in its
    latest year are model instances (and carry their per-criterion points).
    """
    cycles, latest = _published_cycles(Q(province=agency.province_id, block=agency.block_id))
    by_publication = _block_rows(latest)
    pairs = comparable_pairs(cycles)
    own, above = _own_results(agency, cycles, latest, by_publication)
    history: list[YearPoint] = []
    for cycle in cycles:
        publication = latest[cycle.pk]
        mine = own.get(publication.pk)
        if mine is not None:
            compared = _sized(pairs.get(cycle.pk), cycle, cycles, latest, by_publication)
            # The agency's own year before is the block's baseline only if it was ranked in it.
            baseline = compared.previous_year if compared is not None else None
            prior = history[-1] if history and history[-1].cycle.year == baseline else None
            block_rows = by_publication[publication.pk]
            history.append(_year_point(cycle, publication, mine, block_rows, prior, compared))
    if not history:
        return AgencyProfile(agency, [], [], [], [], None, None, None)
    return _profile(agency, history, by_publication[history[-1].publication.pk], above)


def _block_rows(latest: dict) -> dict[int, list[_BlockRow]]:
    """The block's results of each latest publication, as plain rows: one query."""
    by_publication: dict[int, list[_BlockRow]] = {}
    rows = (
        Result.objects.filter(publication__in=latest.values())
        .order_by()
        .values_list("publication_id", "agency_id", "rank", "total", "score", "groups")
    )
    for publication_id, *row in rows:
        by_publication.setdefault(publication_id, []).append(_BlockRow(*row))
    return by_publication


def _sized(compared, cycle, cycles, latest, by_publication) -> Comparability | None:
    """`compared` knowing how many agencies its baseline year and its year ranked."""
    if compared is None:
        return None
    years = {cycle.year: latest[cycle.pk].pk for cycle in cycles}

    def ranked(publication_id: int) -> int:
        return sum(r.rank is not None for r in by_publication.get(publication_id, []))

    return compared.with_sizes(ranked(years[compared.previous_year]), ranked(years[cycle.year]))


def _year_point(cycle, publication, mine, block_rows, prior, compared) -> YearPoint:
    """One year of the history, with the change from `prior` (the agency's result in the
    block's baseline year) as far as the two years compare."""
    comparable = compared.points if compared is not None else None
    percents = prior is not None and compared.ranks and bool(mine.groups and prior.result.groups)
    return YearPoint(
        cycle=cycle,
        publication=publication,
        result=mine,
        count=len(block_rows),
        # As the leaderboard: an agency listed without values (did not submit, excluded)
        # has no total to average.
        stats=block_stats(
            [r.total for r in block_rows if r.groups],
            cycle.criteria_set.max_points,
            ranked=sum(r.rank is not None for r in block_rows),
        ),
        comparable_with_previous=comparable,
        change=mine.score - prior.result.score if prior and comparable else None,
        rank_change=prior.result.rank - mine.rank
        if prior and compared.ranks and prior.result.rank and mine.rank
        else None,
        not_comparable_reason=compared.reason if compared is not None else "",
        compared=compared,
        percent_change=mine.percent - prior.result.percent if percents else None,
    )


def _profile(agency, history: list[YearPoint], block_rows, above) -> AgencyProfile:
    """The profile with the latest year explained: groups, criteria, what to improve."""
    current = history[-1]
    previous = None
    if len(history) > 1 and current.comparable_with_previous:
        previous = history[-2] if history[-2].cycle.year == current.previous_year else None
    criteria_list = _criteria_with_groups(current.cycle.criteria_set_id)
    criteria = _criteria_frame(criteria_list)
    card = _published_card(block_rows, criteria, current.cycle, mine=current.result)
    why = scoring.explain(card, criteria)
    mine = why.gaps[why.gaps["agency"] == agency.pk].iloc[0]
    rows = _criterion_rows(current, previous, criteria_list)
    by_code = {row.code: row for row in rows}
    attainable = why.attainable[why.attainable["agency"] == agency.pk]
    return AgencyProfile(
        agency=agency,
        history=history,
        groups=_group_rows(why, criteria_list, agency),
        criteria=rows,
        improve=[by_code[str(code)] for code in attainable["criterion"]],
        gap_above=_milli_or_none(mine["gap_above"]),
        gap_top=_milli_or_none(mine["gap_top"]),
        above=above,
    )


def _group_rows(
    why, criteria_list, agency
) -> list[tuple[CriterionGroup, Decimal, Decimal, Decimal]]:
    """The agency's points per top-level group, the block's mean and the gap."""
    tops = (c.group.parent or c.group for c in criteria_list)
    group_names = {group.code: group for group in tops}
    groups = why.group_gaps[why.group_gaps["agency"] == agency.pk]
    return [
        (group_names[str(code)], scoring.milli_to_decimal(points), mean, gap)
        for code, points, mean, gap in groups[["group", "points", "block_mean", "gap"]].itertuples(
            index=False
        )
    ]


def _own_results(
    agency, cycles, latest, by_publication
) -> tuple[dict[int | None, Result], Result | None]:
    """The agency's published results by publication id, and the result ranked just above
    it in its latest year (the nearest better rank, then the last name) for naming it on
    the page: one query whatever the block's size."""
    mine = {
        publication_id
        for publication_id, rows in by_publication.items()
        if any(row.agency_id == agency.pk for row in rows)
    }
    if not mine:
        return {}, None
    current = next(latest[c.pk].pk for c in reversed(cycles) if latest[c.pk].pk in mine)
    rows = by_publication[current]
    rank = next(row.rank for row in rows if row.agency_id == agency.pk)
    wanted = Q(agency=agency, publication__in=mine)
    if rank is not None:
        better = (row.rank for row in rows if row.rank is not None and row.rank < rank)
        above_rank = max(better, default=None)
        if above_rank is not None:
            wanted |= Q(publication=current, rank=above_rank)
    results = (
        Result.objects.filter(wanted)
        .select_related("agency")
        .order_by(F("rank").asc(nulls_last=True), "agency__search_name")
    )
    own: dict[int | None, Result] = {}  # by Result.publication_id
    above: list[Result] = []
    for result in results:
        if result.agency_id == agency.pk:
            own[result.publication_id] = result
        else:
            above.append(result)
    return own, max(above, key=lambda r: (r.rank, r.agency.search_name), default=None)


def _milli_or_none(value) -> Decimal | None:
    return None if pd.isna(value) else scoring.milli_to_decimal(int(value))


def _published_card(
    rows: list[_BlockRow], criteria: pd.DataFrame, cycle, *, mine: Result
) -> scoring.Scorecard:
    """A published ranking read back into the engine's frames, so `scoring.explain` applies.

    Criterion points are `mine`'s only: what an agency has left to gain depends on nothing
    else, while its gaps and group comparisons need the whole block's `rows`.
    """
    block = cycle.pk
    to_milli = scoring.to_milli
    ranked = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.agency_id))
    frame = pd.DataFrame(
        {
            "agency": [r.agency_id for r in ranked],
            "block": block,
            "rank": pd.array([r.rank for r in ranked], dtype="Int64"),
            "score": [to_milli(r.score) for r in ranked],
        }
    )
    empty = pd.DataFrame()
    return scoring.Scorecard(
        points=_criterion_points(mine, block, criteria),
        groups=_group_points(ranked, block, criteria),
        subgroups=empty,
        results=frame,
        blocks=empty,
        rules=ranking_rules(criteria_set=cycle.criteria_set),
    )


def _group_points(ranked: list[_BlockRow], block: int, criteria: pd.DataFrame) -> pd.DataFrame:
    """Every agency's points per group of the set, as the engine's long frame."""
    group_codes = set(criteria["group"])
    return pd.DataFrame(
        [
            (r.agency_id, block, code, scoring.to_milli(Decimal(value)))
            for r in ranked
            for code, value in r.groups.items()
            if code in group_codes
        ],
        columns=["agency", "block", "group", "points"],
    )


def _criterion_points(mine: Result, block: int, criteria: pd.DataFrame) -> pd.DataFrame:
    """`mine`'s points per criterion of the set, as the engine's long frame."""
    return pd.DataFrame(
        [
            (mine.agency_id, block, code, scoring.to_milli(Decimal(mine.criteria.get(code, "0"))))
            for code in criteria["criterion"].tolist()
        ],
        columns=["agency", "block", "criterion", "points"],
    )


def _criterion_rows(
    current: YearPoint, previous: YearPoint | None, criteria: list[Criterion]
) -> list[CriterionRow]:
    rows = []
    for criterion in criteria:
        points = Decimal(current.result.criteria.get(criterion.code, "0"))
        before = previous.result.criteria.get(criterion.code) if previous else None
        before = Decimal(before) if before is not None else None
        rows.append(
            CriterionRow(
                code=criterion.code,
                name=criterion.name,
                group=criterion.group.name,
                points=points,
                max_points=criterion.max_points,
                attainable=criterion.max_points - points,
                previous=before,
                change=points - before if before is not None else None,
                name_en=criterion.name_en,
            )
        )
    return rows


@dataclass(frozen=True)
class LinkedAgency:
    """A predecessor or successor across a reform, with its latest published standing."""

    agency: object
    whole: bool
    effective: object
    year: int | None
    rank: int | None
    count: int | None
    percent: Decimal | None
    percent_precision: int | None = None  # the decimals of its own criteria set


@dataclass(frozen=True)
class Lineage:
    predecessors: list[LinkedAgency]
    successors: list[LinkedAgency]
    derived_percent: Decimal | None  # mean of the predecessors' percents, when allowed
    allows_derived: bool = False
    derived_precision: int = 1  # the agency's current criteria set's percent precision

    @property
    def has_links(self) -> bool:
        return bool(self.predecessors or self.successors)


def agency_lineage(*, agency) -> Lineage:
    """Where the agency came from and went to in the 2025 reform (5 queries at most).

    A derived value (the mean of the predecessors' percents of maximum, as the Ministry
    did for DTI 2024) is offered only when the agency's current criteria set allows it.
    """
    from agencies.models import Succession

    links = list(
        Succession.objects.filter(Q(predecessor=agency) | Q(successor=agency))
        .select_related("predecessor__province", "successor__province")
        .order_by("predecessor__name", "successor__name")
    )
    if not links:
        return Lineage([], [], None)
    others = {link.predecessor_id for link in links} | {link.successor_id for link in links}
    others.discard(agency.pk)
    standing = _latest_standing(others)
    predecessors = [
        _linked(link.predecessor, link, standing)
        for link in links
        if link.successor_id == agency.pk
    ]
    successors = [
        _linked(link.successor, link, standing)
        for link in links
        if link.predecessor_id == agency.pk
    ]
    allows_derived, derived, precision = _derived_value(agency, predecessors)
    return Lineage(predecessors, successors, derived, allows_derived, precision)


def _linked(other, link, standing: dict[int, tuple]) -> LinkedAgency:
    """The agency at the other end of a succession, with its latest standing."""
    return LinkedAgency(
        other, link.whole, link.effective, *standing.get(other.pk, (None, None, None, None, None))
    )


def _derived_value(agency, predecessors: list[LinkedAgency]) -> tuple[bool, Decimal | None, int]:
    """Whether the agency's current set allows a derived value; the mean of its
    predecessors' percents when it does and every predecessor has one; the current set's
    percent precision (how the derived value is printed)."""
    percents = [p.percent for p in predecessors if p.percent is not None]
    derived = None
    current = (
        AssessmentCycle.objects.filter(province=agency.province_id, block=agency.block_id)
        .select_related("criteria_set")
        .order_by("-year")
        .first()
    )
    allows_derived = current is not None and current.criteria_set.allows_derived_predecessor
    if allows_derived and percents and len(percents) == len(predecessors):
        with localcontext() as context:
            context.prec = 50
            derived = sum(percents, Decimal(0)) / len(percents)
    precision = current.criteria_set.percent_precision if current is not None else 1
    return allows_derived, derived, precision


def _latest_standing(agency_ids) -> dict[int, tuple]:
    """(year, rank, count, percent, percent precision) of each agency's latest published
    result; the precision is its criteria set's, as every published percent is printed."""
    results = list(
        Result.objects.filter(agency_id__in=agency_ids, publication__isnull=False)
        .select_related("cycle__criteria_set", "publication")
        .order_by("agency_id", "cycle__year", "publication__revision")
    )
    latest: dict[int, Result] = {}
    for result in results:
        latest[result.agency_id] = result  # ordered: the last one wins
    counts = dict(
        Result.objects.filter(publication__in=[r.publication_id for r in latest.values()])
        .values_list("publication_id")
        .annotate(n=Count("id"))
    )
    return {
        agency_id: (
            r.cycle.year,
            r.rank,
            counts.get(r.publication_id),
            r.percent,
            r.cycle.criteria_set.percent_precision,
        )
        for agency_id, r in latest.items()
    }
