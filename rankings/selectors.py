"""Reads: each returns a frame or plain values from one query, for the engine and the pages."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.db.models import Count, F, OuterRef, Q, Subquery

import scoring
from agencies.units import REFORM_DATE
from rankings.filters import ResultFilter
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
    publication: Publication | None  # None: the working draft, never public
    groups: list[CriterionGroup]
    rows: pd.DataFrame
    stats: BlockStats
    previous: Leaderboard | None
    comparable: bool  # points and the block mean compare with the year before's
    bands: list[str]
    highest: Result | None
    lowest: Result | None
    comparability: Comparability | None = None  # None: no published year before

    @property
    def not_comparable_reason(self) -> str:
        """`CRITERIA` or `STRUCTURE` when there is a year before that does not compare."""
        return self.comparability.reason if self.comparability is not None else ""

    @property
    def shows_changes(self) -> bool:
        """Whether the year before's ranks and percents may be set against this year's."""
        return self.comparability is not None and self.comparability.ranks

    @property
    def criteria_set(self) -> CriteriaSet:
        return self.cycle.criteria_set

    @property
    def mean_percent(self) -> Decimal:
        """The block mean as a percent of maximum, by the criteria set's percent rule."""
        rules = self.criteria_set
        return scoring.quantize(
            self.stats.mean_percent,
            rules.percent_precision,
            scoring.Rounding(rules.percent_rounding),
        )

    @cached_property
    def records(self) -> list[dict]:
        """The rows as dicts for templates, with pandas' missing values as None.

        Computed once: the page reads them twice, and a large block has 549 rows.
        """
        return frame_records(self.rows)

    @cached_property
    def table_rows(self) -> list[tuple[dict, list[Decimal]]]:
        """Each record with its group subtotals in `groups` order, for the page's table."""
        keys = [f"group_{group.code}" for group in self.groups]
        return [(record, [record[key] for key in keys]) for record in self.records]

    @property
    def mean_change(self) -> Decimal | None:
        if self.previous is None or not self.comparable:
            return None
        return self.stats.mean - self.previous.stats.mean


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """`frame.astype(object).where(frame.notna(), None).to_dict("records")`, column by column.

    The same dicts (Python scalars, None for NA and NaN) without pandas' per-value boxing,
    which costs more than the rest of a large leaderboard's selector.
    """
    columns = []
    for name in frame.columns:
        column = frame[name]
        values = column.tolist()  # Python scalars; NA or NaN where missing
        missing = column.isna().to_numpy()
        if missing.any():
            for position in np.flatnonzero(missing).tolist():
                values[position] = None
        columns.append(values)
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


LEADERBOARD_COLUMNS = [
    "rank",
    "tied",
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


def leaderboard(
    *,
    cycle: AssessmentCycle,
    params: Mapping[str, str] | None = None,
    with_previous: bool = True,
    draft: bool = False,
) -> Leaderboard | None:
    """The latest published revision of `cycle`, filtered and sorted by `params`.

    Statistics always cover the whole block; `params` (the `ResultFilter` query string)
    only chooses which rows are shown and in what order. `draft=True` reads the working
    draft instead, for staff only (see `permissions.can_preview_drafts`).
    """
    publication = None if draft else cycle.publications.order_by("-revision").first()
    if publication is None and not draft:
        return None
    groups = list(cycle.criteria_set.groups.filter(parent__isnull=True).order_by("order", "code"))
    # Without `criteria`: 80 points a row that a ranking never shows (bench/README.md).
    published = (
        Result.objects.filter(cycle=cycle, publication=publication)
        .select_related("agency")
        .defer("criteria")
    )
    results = list(published.order_by(F("rank").asc(nulls_last=True), "agency__search_name"))
    if params:
        shown_ids = list(ResultFilter(params, queryset=published).qs.values_list("id", flat=True))
        by_id = {result.id: result for result in results}
        shown = [by_id[pk] for pk in shown_ids]
    else:
        shown = results
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
    compared = comparability(previous.cycle, cycle) if previous is not None else None
    rows = _leaderboard_rows(shown, groups, previous, compared, everyone=results)
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
        comparable=compared is not None and compared.points,
        bands=list(cycle.criteria_set.bands.values_list("label", flat=True)),
        highest=max(results, key=lambda r: r.total, default=None),
        lowest=min(results, key=lambda r: r.total, default=None),
        comparability=compared,
    )


def _leaderboard_rows(results, groups, previous, compared, *, everyone=None) -> pd.DataFrame:
    # Across the 2025 reform the rows are not matched with the year before at all: a rank
    # among 63 provinces (or a commune's among the old communes) is no baseline for a rank
    # among 34, so neither last year's rank, total and percent nor any change is given.
    before = {}
    if previous is not None and compared.ranks:
        before = {row.agency_id: row for row in previous.rows.itertuples(index=False)}
    comparable = compared is not None and compared.points
    records = []
    rank_counts: dict[int, int] = {}
    for result in everyone if everyone is not None else results:
        rank_counts[result.rank] = rank_counts.get(result.rank, 0) + 1
    for result in results:
        prior = before.get(result.agency_id)
        record = {
            "rank": result.rank,
            "tied": result.rank is not None and rank_counts[result.rank] > 1,
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
    """Count, mean, median, highest, lowest and spread of a block's exact totals (the engine's)."""
    figures = scoring.describe([scoring.to_milli(t) for t in totals], scoring.to_milli(max_points))
    figures["ranked"] = ranked
    return BlockStats(**figures)


# Why a year is not compared with the year before (`Comparability.reason`).
CRITERIA = "criteria"  # the criteria set changed: percents and ranks only, not points
STRUCTURE = "structure"  # the block's units are on different sides of the 2025 reform


@dataclass(frozen=True)
class Comparability:
    """Whether a cycle's figures may be set against those of the cycle the year before.

    The one place that decides it, for every page, download and the API. Points (a total's
    change, the block mean's change) need the same criteria set shape and the same
    administrative structure; ranks and percents need the same structure. Across the 1
    July 2025 reform (63 provinces → 34, districts gone, communes merged) a block ranks a
    different set of units, so nothing is compared: the pages say so instead, and a new
    unit's lineage (`agency_lineage`) gives its predecessors' standing, in percent.
    """

    same_criteria: bool
    same_structure: bool

    @property
    def points(self) -> bool:
        return self.same_criteria and self.same_structure

    @property
    def ranks(self) -> bool:
        return self.same_structure

    @property
    def reason(self) -> str:
        """ "" when comparable; otherwise `STRUCTURE` before `CRITERIA` (it hides more)."""
        if not self.same_structure:
            return STRUCTURE
        return "" if self.same_criteria else CRITERIA


def comparability(
    before: AssessmentCycle,
    after: AssessmentCycle,
    *,
    shapes: Mapping[int, frozenset] | None = None,
) -> Comparability:
    """How `after` compares with `before` (the same block the year before).

    `shapes` (from `_criteria_shapes`) saves the query comparing the two criteria sets.
    """
    if shapes is not None:
        same_criteria = shapes[before.criteria_set_id] == shapes[after.criteria_set_id]
    else:
        same_criteria = criteria_sets_comparable(after.criteria_set, before.criteria_set)
    return Comparability(
        same_criteria=same_criteria,
        same_structure=structure_era(before) == structure_era(after),
    )


def structure_era(cycle: AssessmentCycle) -> str:
    """Which administrative structure a cycle ranks: "legacy" (before 1 July 2025) or "current".

    Decided by the date its data end (`data_to`, else 31 December of its year), and never
    later than its province's end: a 2025 cycle ranks the 34 provinces and merged communes,
    a cycle of a province that ended on 30 June 2025 ranks the old units whatever its year.
    """
    end = cycle.data_to or datetime.date(cycle.year, 12, 31)
    province_end = cycle.province.valid_to
    if province_end is not None:
        end = min(end, province_end)
    return "current" if end >= REFORM_DATE else "legacy"


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


def latest_publications(cycles) -> dict[int, Publication]:
    """The newest revision of each cycle, in one query."""
    latest: dict[int, Publication] = {}
    for publication in Publication.objects.filter(cycle__in=cycles).order_by("revision"):
        latest[publication.cycle_id] = publication
    return latest


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
    leaders: dict[int, Result] = {}
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
    not_comparable_reason: str = ""  # `CRITERIA` or `STRUCTURE` when not comparable


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
    by_publication: dict[int, list[_BlockRow]] = {}
    rows = (
        Result.objects.filter(publication__in=latest.values())
        .order_by()
        .values_list("publication_id", "agency_id", "rank", "total", "score", "groups")
    )
    for publication_id, *row in rows:
        by_publication.setdefault(publication_id, []).append(_BlockRow(*row))
    comparable_pairs = _comparable_pairs(cycles)
    own, above = _own_results(agency, cycles, latest, by_publication)
    history: list[YearPoint] = []
    for cycle in cycles:
        publication = latest[cycle.pk]
        mine = own.get(publication.pk)
        if mine is None:
            continue
        block_rows = by_publication[publication.pk]
        prior = history[-1] if history and history[-1].cycle.year == cycle.year - 1 else None
        compared = comparable_pairs.get(cycle.pk) if prior else None
        comparable = compared.points if compared is not None else None
        history.append(
            YearPoint(
                cycle=cycle,
                publication=publication,
                result=mine,
                count=len(block_rows),
                stats=block_stats(
                    [r.total for r in block_rows],
                    cycle.criteria_set.max_points,
                    ranked=sum(r.rank is not None for r in block_rows),
                ),
                comparable_with_previous=comparable,
                change=mine.score - prior.result.score if prior and comparable else None,
                rank_change=prior.result.rank - mine.rank
                if prior and compared.ranks and prior.result.rank and mine.rank
                else None,
                not_comparable_reason=compared.reason if compared is not None else "",
            )
        )
    if not history:
        return AgencyProfile(agency, [], [], [], [], None, None, None)
    current = history[-1]
    previous = history[-2] if len(history) > 1 and current.comparable_with_previous else None
    block_rows = by_publication[current.publication.pk]
    criteria_list = _criteria_with_groups(current.cycle.criteria_set_id)
    criteria = _criteria_frame(criteria_list)
    card = _published_card(block_rows, criteria, current.cycle, mine=current.result)
    why = scoring.explain(card, criteria)
    mine = why.gaps[why.gaps["agency"] == agency.pk].iloc[0]
    tops = (c.group.parent or c.group for c in criteria_list)
    group_names = {group.code: group for group in tops}
    groups = why.group_gaps[why.group_gaps["agency"] == agency.pk]
    group_rows = [
        (group_names[str(code)], scoring.milli_to_decimal(points), mean, gap)
        for code, points, mean, gap in groups[["group", "points", "block_mean", "gap"]].itertuples(
            index=False
        )
    ]
    rows = _criterion_rows(current, previous, criteria_list)
    by_code = {row.code: row for row in rows}
    attainable = why.attainable[why.attainable["agency"] == agency.pk]
    return AgencyProfile(
        agency=agency,
        history=history,
        groups=group_rows,
        criteria=rows,
        improve=[by_code[str(code)] for code in attainable["criterion"]],
        gap_above=_milli_or_none(mine["gap_above"]),
        gap_top=_milli_or_none(mine["gap_top"]),
        above=above,
    )


def _own_results(agency, cycles, latest, by_publication) -> tuple[dict[int, Result], Result | None]:
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
    own: dict[int, Result] = {}
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
    group_codes = set(criteria["group"])
    groups = pd.DataFrame(
        [
            (r.agency_id, block, code, to_milli(Decimal(value)))
            for r in ranked
            for code, value in r.groups.items()
            if code in group_codes
        ],
        columns=["agency", "block", "group", "points"],
    )
    points = pd.DataFrame(
        [
            (mine.agency_id, block, code, to_milli(Decimal(mine.criteria.get(code, "0"))))
            for code in criteria["criterion"].tolist()
        ],
        columns=["agency", "block", "criterion", "points"],
    )
    empty = pd.DataFrame()
    return scoring.Scorecard(
        points=points,
        groups=groups,
        subgroups=empty,
        results=frame,
        blocks=empty,
        rules=ranking_rules(criteria_set=cycle.criteria_set),
    )


def _comparable_pairs(cycles: list[AssessmentCycle]) -> dict[int, Comparability]:
    """For each cycle, how it compares with the cycle of the year before (1 query)."""
    by_year = {cycle.year: cycle for cycle in cycles}
    pairs = {}
    shapes = _criteria_shapes({cycle.criteria_set_id for cycle in cycles})
    for cycle in cycles:
        before = by_year.get(cycle.year - 1)
        if before is not None:
            pairs[cycle.pk] = comparability(before, cycle, shapes=shapes)
    return pairs


def _criteria_shapes(set_ids) -> dict[int, frozenset]:
    shapes: dict[int, set] = {pk: set() for pk in set_ids}
    rows = Criterion.objects.filter(criteria_set__in=set_ids).values_list(
        "criteria_set_id", "code", "max_points", "rule"
    )
    for set_id, *shape in rows:
        shapes[set_id].add(tuple(shape))
    return {pk: frozenset(shape) for pk, shape in shapes.items()}


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
            )
        )
    return rows


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
    not_comparable_reason: str = ""  # `CRITERIA` or `STRUCTURE` when not comparable


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


def block_trend(*, province: str, block: str) -> BlockTrend | None:
    """A block's published years: averages, distributions, the latest year's biggest movers.

    The results of every year (3,300 in a large commune block) are read as plain rows.
    """
    cycles, latest = _published_cycles(Q(province__slug=province, block__slug=block))
    if not cycles:
        return None
    by_publication: dict[int, list[_TrendRow]] = {}
    rows = (
        Result.objects.filter(publication__in=latest.values())
        .order_by(F("rank").asc(nulls_last=True), "agency__search_name")
        .values_list(
            "publication_id", "agency_id", "rank", "total", "score", "agency__name", "agency__slug"
        )
    )
    for publication_id, *row in rows:
        by_publication.setdefault(publication_id, []).append(_TrendRow(*row))
    comparable = _comparable_pairs(cycles)
    years: list[TrendYear] = []
    for cycle in cycles:
        rows = by_publication.get(latest[cycle.pk].pk, [])
        stats = block_stats(
            [r.total for r in rows],
            cycle.criteria_set.max_points,
            ranked=sum(r.rank is not None for r in rows),
        )
        prior = years[-1] if years and years[-1].cycle.year == cycle.year - 1 else None
        compared = comparable.get(cycle.pk) if prior else None
        same = compared.points if compared is not None else None
        years.append(
            TrendYear(
                cycle=cycle,
                publication=latest[cycle.pk],
                stats=stats,
                totals=sorted((r.total for r in rows), reverse=True),
                comparable_with_previous=same,
                mean_change=stats.mean - prior.stats.mean if prior and same else None,
                not_comparable_reason=compared.reason if compared is not None else "",
            )
        )
    movers: list[Mover] = []
    last = comparable.get(years[-1].cycle.pk) if len(years) > 1 else None
    if last is not None and last.ranks:  # no movers across the 2025 reform
        now = {r.agency_id: r for r in by_publication[years[-1].publication.pk]}
        before = {r.agency_id: r for r in by_publication[years[-2].publication.pk]}
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
                        change=result.score - prior.score
                        if years[-1].comparable_with_previous
                        else None,
                    )
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


@dataclass(frozen=True)
class Comparison:
    agencies: list
    cycle: AssessmentCycle | None
    groups: list[CriterionGroup]
    results: list[Result]
    error: str


def comparison(*, province: str, year: int, slugs: list[str]) -> Comparison:
    """Two or more agencies of one block side by side; other requests say why they fail."""
    from django.utils.translation import gettext as _

    from agencies.models import Agency

    agencies = list(
        Agency.objects.filter(province__slug=province, slug__in=slugs).select_related("block")
    )
    found = {agency.slug for agency in agencies}
    missing = [slug for slug in slugs if slug not in found]
    if len(slugs) < 2:
        return Comparison(agencies, None, [], [], _("Chọn ít nhất hai đơn vị để so sánh."))
    if missing:
        error = _("Không tìm thấy đơn vị: %(slugs)s.") % {"slugs": ", ".join(missing)}
        return Comparison(agencies, None, [], [], error)
    blocks = {agency.block for agency in agencies}
    if len(blocks) > 1:
        error = _(
            "Không thể so sánh các đơn vị thuộc các khối khác nhau (%(blocks)s): mỗi khối có "
            "bộ tiêu chí và điểm tối đa riêng, nên điểm số không cùng thang đo."
        ) % {"blocks": ", ".join(sorted(b.name for b in blocks))}
        return Comparison(agencies, None, [], [], error)
    eras = {_agency_era(agency) for agency in agencies} - {None}
    if len(eras) > 1:
        error = _(
            "Không so sánh được: khác cơ cấu đơn vị hành chính trước/sau ngày 01/07/2025. "
            "Đơn vị đã kết thúc trước sắp xếp và đơn vị hình thành sau sắp xếp không được "
            "xếp hạng cùng nhau."
        )
        return Comparison(agencies, None, [], [], error)
    cycle = published_cycle(province=province, year=year, block=blocks.pop().slug)
    if cycle is None:
        error = _("Năm %(year)s chưa có kết quả xếp hạng được công bố cho khối này.") % {
            "year": year
        }
        return Comparison(agencies, None, [], [], error)
    publication = cycle.publications.order_by("-revision").first()
    results = list(
        Result.objects.filter(publication=publication, agency__in=agencies)
        .select_related("agency")
        .order_by(F("rank").asc(nulls_last=True))
    )
    groups = list(cycle.criteria_set.groups.filter(parent__isnull=True).order_by("order", "code"))
    return Comparison(agencies, cycle, groups, results, "")


def _agency_era(agency) -> str | None:
    """ "legacy" for a unit that ended before the 2025 reform, "current" for one formed by
    it, None for one that lives on both sides."""
    if agency.valid_to is not None and agency.valid_to < REFORM_DATE:
        return "legacy"
    if agency.valid_from >= REFORM_DATE:
        return "current"
    return None


@dataclass(frozen=True)
class CriteriaTree:
    criteria_set: CriteriaSet
    groups: list[tuple[CriterionGroup, Decimal, list]]  # group, maximum, [sub-groups or criteria]
    bands: list
    cycles: list[AssessmentCycle]


def criteria_tree(*, criteria_set: CriteriaSet) -> CriteriaTree:
    """The criteria set as a tree with each group's maximum (4 queries)."""
    groups = list(criteria_set.groups.order_by("order", "code"))
    criteria = list(criteria_set.criteria.order_by("order", "code"))
    by_group: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        by_group.setdefault(criterion.group_id, []).append(criterion)
    children: dict[int | None, list[CriterionGroup]] = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)

    def maximum(group: CriterionGroup) -> Decimal:
        own = sum((c.max_points for c in by_group.get(group.pk, [])), Decimal(0))
        return own + sum((maximum(child) for child in children.get(group.pk, [])), Decimal(0))

    def node(group: CriterionGroup):
        subgroups = [node(child) for child in children.get(group.pk, [])]
        return (group, maximum(group), subgroups, by_group.get(group.pk, []))

    return CriteriaTree(
        criteria_set=criteria_set,
        groups=[node(group) for group in children.get(None, [])],
        bands=list(criteria_set.bands.all()),
        cycles=list(
            criteria_set.cycles.filter(publications__isnull=False)
            .select_related("province", "block")
            .distinct()
            .order_by("year")
        ),
    )


@dataclass(frozen=True)
class Change:
    agency_name: str
    what: str  # "total", "rank" or a criterion code
    old: object
    new: object


@dataclass(frozen=True)
class Correction:
    """One published correction: its decision, reason and what changed, old → new."""

    publication: Publication
    previous: Publication
    changes: list[Change]


def change_log(*, cycle: AssessmentCycle) -> list[Correction]:
    """Every correction of a published cycle, newest first (2 queries)."""
    publications = list(cycle.publications.order_by("revision"))
    if len(publications) < 2:
        return []
    by_revision: dict[int, dict[int, Result]] = {p.pk: {} for p in publications}
    rows = Result.objects.filter(publication__in=publications).select_related("agency")
    for result in rows:
        by_revision[result.publication_id][result.agency_id] = result
    log = []
    for before, after in itertools.pairwise(publications):
        old_rows, new_rows = by_revision[before.pk], by_revision[after.pk]
        changes: list[Change] = []
        for agency_id, new in sorted(new_rows.items(), key=lambda item: item[1].agency.name):
            old = old_rows.get(agency_id)
            if old is None:
                changes.append(Change(new.agency.name, "added", None, new.score))
                continue
            for code in sorted(set(old.criteria) | set(new.criteria)):
                was, now = old.criteria.get(code), new.criteria.get(code)
                if was != now:
                    changes.append(Change(new.agency.name, code, _dec(was), _dec(now)))
            if old.score != new.score:
                changes.append(Change(new.agency.name, "total", old.score, new.score))
            if old.rank != new.rank:
                changes.append(Change(new.agency.name, "rank", old.rank, new.rank))
        log.append(Correction(publication=after, previous=before, changes=changes))
    return list(reversed(log))


def _dec(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


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


@dataclass(frozen=True)
class Lineage:
    predecessors: list[LinkedAgency]
    successors: list[LinkedAgency]
    derived_percent: Decimal | None  # mean of the predecessors' percents, when allowed
    allows_derived: bool = False

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
        LinkedAgency(
            link.predecessor,
            link.whole,
            link.effective,
            *standing.get(link.predecessor_id, (None, None, None, None)),
        )
        for link in links
        if link.successor_id == agency.pk
    ]
    successors = [
        LinkedAgency(
            link.successor,
            link.whole,
            link.effective,
            *standing.get(link.successor_id, (None, None, None, None)),
        )
        for link in links
        if link.predecessor_id == agency.pk
    ]
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
    return Lineage(predecessors, successors, derived, allows_derived)


def _latest_standing(agency_ids) -> dict[int, tuple]:
    """(year, rank, count, percent) of each agency's latest published result."""
    results = list(
        Result.objects.filter(agency_id__in=agency_ids, publication__isnull=False)
        .select_related("cycle", "publication")
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
        agency_id: (r.cycle.year, r.rank, counts.get(r.publication_id), r.percent)
        for agency_id, r in latest.items()
    }


# ---------------------------------------------------------------------------------------
# The national ranking of provinces: the national scope (`Province.is_national`) is a
# province like the others to every page above; these reads present it as a whole.


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
    from agencies.models import Agency, Succession

    scope = national_scope()
    if scope is None:
        return None
    published = published_cycles(province=scope)
    if not published:
        return None
    latest = published[0][0]
    latest.province = scope  # already read; `leaderboard` looks for the year before by it
    board = leaderboard(cycle=latest)
    counts = dict(
        Result.objects.filter(publication__in=[p for _, p in published])
        .values_list("publication_id")
        .annotate(n=Count("id"))
    )
    records = board.records
    ids = [record["agency_id"] for record in records]
    represents = {
        agency.pk: agency.represents
        for agency in Agency.objects.filter(pk__in=ids).select_related("represents")
    }
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
    rows = [
        NationalRow(
            record=record,
            province=represents.get(record["agency_id"]),
            predecessors=predecessors.get(record["agency_id"], []),
        )
        for record in records
    ]
    years = [
        NationalYear(cycle=cycle, publication=publication, count=counts.get(publication.pk, 0))
        for cycle, publication in sorted(published, key=lambda pair: -pair[0].year)
    ]
    return NationalRanking(scope=scope, board=board, rows=rows, years=years)
