"""Published rankings for the leaderboard page, its exports and the API; comparability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np
import pandas as pd
from django.db.models import F

import scoring
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    CriterionGroup,
    Publication,
    Result,
)
from rankings.printed import printed
from rankings.public.filters import ResultFilter
from rankings.public.selectors.baseline import (  # noqa: F401  (re-exported: one place decides)
    CRITERIA,
    GAP,
    STRUCTURE,
    Comparability,
    baseline_cycle,
    comparability,
    criteria_sets_comparable,
    structure_era,
)


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
    listed: int = 0  # every agency the ranking lists, ranked or not (the filter aside)

    @property
    def not_comparable_reason(self) -> str:
        """`STRUCTURE`, `CRITERIA` or `GAP` when the baseline's points do not compare."""
        return self.comparability.reason if self.comparability is not None else ""

    @property
    def shows_changes(self) -> bool:
        """Whether the year before's ranks and percents may be set against this year's."""
        return self.comparability is not None and self.comparability.ranks

    @property
    def previous_year(self) -> int | None:
        """The baseline: the latest earlier published year of the same block."""
        return self.previous.cycle.year if self.previous is not None else None

    @property
    def missing_years(self) -> tuple[int, ...]:
        return self.comparability.missing_years if self.comparability is not None else ()

    @property
    def rank_change_comparable(self) -> bool | None:
        """Ranks compare and both years ranked as many agencies; None without a baseline."""
        if self.comparability is None:
            return None
        return self.comparability.rank_change_comparable

    @property
    def shows_percent_change(self) -> bool:
        """Points are withheld but percents compare: the change is given in percent."""
        return self.shows_changes and not self.comparable

    @property
    def mean_percent_change(self) -> Decimal | None:
        """The block mean's change in percent of maximum, when ranks and percents compare."""
        if self.previous is None or not self.shows_changes:
            return None
        return self.stats.mean_percent - self.previous.stats.mean_percent

    @property
    def criteria_set(self) -> CriteriaSet:
        return self.cycle.criteria_set

    @property
    def mean_percent(self) -> Decimal | None:
        """The block mean as a percent of maximum, by the criteria set's percent rule (None
        for a block without a mean)."""
        return printed(self.criteria_set).percent(self.stats.mean_percent)

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
    shown = _filtered(results, published, params) if params else results
    previous = _baseline(cycle) if with_previous else None
    compared = None
    if previous is not None:
        ranked = sum(r.rank is not None for r in results)
        compared = comparability(previous.cycle, cycle).with_sizes(previous.stats.ranked, ranked)
    rows = _leaderboard_rows(shown, groups, previous, compared, everyone=results)
    # An agency accounted for without values (did not submit, excluded) is listed, not
    # ranked, and left out of the block's figures: it has no total to average.
    valued = [r for r in results if r.groups]
    return Leaderboard(
        cycle=cycle,
        publication=publication,
        groups=groups,
        rows=rows,
        stats=block_stats(
            [r.total for r in valued],
            cycle.criteria_set.max_points,
            ranked=sum(r.rank is not None for r in results),
        ),
        previous=previous,
        comparable=compared is not None and compared.points,
        bands=list(cycle.criteria_set.bands.values_list("label", flat=True)),
        highest=max(valued, key=lambda r: r.total, default=None),
        lowest=min(valued, key=lambda r: r.total, default=None),
        listed=len(results),
        comparability=compared,
    )


def _filtered(results: list[Result], published, params: Mapping[str, str]) -> list[Result]:
    """The results `params` (the `ResultFilter` query string) shows, in its order."""
    shown_ids = list(ResultFilter(params, queryset=published).qs.values_list("id", flat=True))
    by_id = {result.id: result for result in results}
    return [by_id[pk] for pk in shown_ids]


def _baseline(cycle: AssessmentCycle) -> Leaderboard | None:
    """The published leaderboard of the cycle's baseline year (`baseline_cycle`), if any."""
    before = baseline_cycle(cycle)
    return leaderboard(cycle=before, with_previous=False) if before else None


def _leaderboard_rows(results, groups, previous, compared, *, everyone=None) -> pd.DataFrame:
    # Across the 2025 reform the rows are not matched with the year before at all: a rank
    # among 63 provinces (or a commune's among the old communes) is no baseline for a rank
    # among 34, so neither last year's rank, total and percent nor any change is given.
    before = {}
    if previous is not None and compared.ranks:
        before = {row.agency_id: row for row in previous.rows.itertuples(index=False)}
    comparable = compared is not None and compared.points
    rank_counts: dict[int, int] = {}
    for result in everyone if everyone is not None else results:
        rank_counts[result.rank] = rank_counts.get(result.rank, 0) + 1
    records = [
        _row_record(result, before.get(result.agency_id), rank_counts, comparable, groups)
        for result in results
    ]
    columns = LEADERBOARD_COLUMNS + [f"group_{g.code}" for g in groups]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("rank", "previous_rank", "rank_change"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _row_record(result, prior, rank_counts: dict, comparable: bool, groups) -> dict:
    """One row of the leaderboard: the result, the year before's (`prior`), group points."""
    # An agency accounted for without values (did not submit, excluded by the decision)
    # has no total to set against last year's: a "change" of minus last year's total
    # would be invented.
    measured = prior if result.groups else None
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
        "change": result.score - measured.total if measured and comparable else None,
        "previous_percent": prior.percent if prior else None,
        "percent_change": result.percent - measured.percent if measured else None,
    }
    for group in groups:
        record[f"group_{group.code}"] = Decimal(result.groups.get(group.code, "0"))
    return record


def block_stats(totals: list[Decimal], max_points: Decimal, *, ranked: int) -> BlockStats:
    """Count, mean, median, highest, lowest and spread of a block's exact totals (the engine's)."""
    figures = scoring.describe([scoring.to_milli(t) for t in totals], scoring.to_milli(max_points))
    figures["ranked"] = ranked
    return BlockStats(**figures)


def latest_publications(cycles) -> dict[int, Publication]:
    """The newest revision of each cycle, in one query."""
    latest: dict[int, Publication] = {}
    for publication in Publication.objects.filter(cycle__in=cycles).order_by("revision"):
        latest[publication.cycle_id] = publication
    return latest
