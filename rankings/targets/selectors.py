"""Reads for targets: an agency's targets with its published values, a province's table.

Published values come from the newest publication of each published cycle: the result's
score, percent, rank and per-criterion points, and the final stage's raw inputs (a and b)
as they stood when that publication was made. A fixed number of queries, whatever the
number of agencies or targets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from agencies.models import Agency
from rankings.models import Result, Score, Stage
from rankings.public.selectors.listings import _published_cycles
from rankings.targets.models import Comparison, Measure, Target
from rankings.targets.progress import MILLI, Progress, Status, target_progress

INPUT_MEASURES = {Measure.RATIO, Measure.VALUE, Measure.DENOMINATOR}


@dataclass(frozen=True)
class YearValues:
    """An agency's published figures of one year."""

    score: Decimal
    percent: Decimal
    rank: int | None
    criteria: dict
    inputs: dict = field(default_factory=dict)  # code → (a, b)


@dataclass(frozen=True)
class Published:
    """A province's published figures: (agency id, year) → values; block id → last year."""

    values: dict[tuple[int, int], YearValues]
    last_year: dict[int, int]
    years: dict[int, list[int]]  # block id → published years, ascending


@dataclass(frozen=True)
class TargetRow:
    """A target judged for one agency, or a province-wide target summed over its agencies."""

    target: Target
    agency: Agency | None
    series: dict[int, Decimal]
    progress: Progress | None
    counts: dict[str, int] = field(default_factory=dict)  # province-wide: status → agencies

    @property
    def status_label(self) -> str:
        return str(Status(self.progress.status).label) if self.progress else ""


def measured(target: Target, values: YearValues) -> Decimal | None:
    """The target's indicator in one year's published figures; None when it has none."""
    if target.measure == Measure.TOTAL:
        return values.score
    if target.measure == Measure.PERCENT:
        return values.percent
    if target.measure == Measure.RANK:
        return Decimal(values.rank) if values.rank else None
    if target.measure == Measure.POINTS:
        points = values.criteria.get(target.criterion_code)
        return Decimal(str(points)) if points is not None else None
    a, b = values.inputs.get(target.criterion_code, (None, None))
    if target.measure == Measure.VALUE:
        return a
    if target.measure == Measure.DENOMINATOR:
        return b
    if a is None or not b:
        return None
    return (a * 100 / b).quantize(MILLI, ROUND_HALF_UP)


def judge(target: Target, agency: Agency, published: Published) -> TargetRow:
    years = published.years.get(agency.block_id, [])
    series = {}
    for year in years:
        values = published.values.get((agency.pk, year))
        found = measured(target, values) if values and target.measure != Measure.TEXT else None
        if found is not None:
            series[year] = found
    progress = target_progress(
        goal=target.value,
        year=target.year,
        at_most=target.comparison == Comparison.AT_MOST,
        series=series,
        baseline_year=target.baseline_year,
        baseline_value=target.baseline_value,
        last_published_year=published.last_year.get(agency.block_id),
    )
    return TargetRow(target, agency, series, progress)


def published_values(
    *, province_id: int, agency_ids: set[int] | None, codes: set[str]
) -> Published:
    """The province's published figures, of `agency_ids` only when given (3 to 5 queries)."""
    cycles, latest = _published_cycles(Q(province_id=province_id))
    year_of = {latest[c.pk].pk: (c.year, c.block_id) for c in cycles}
    results = Result.objects.filter(publication__in=[latest[c.pk] for c in cycles]).order_by()
    if agency_ids is not None:
        results = results.filter(agency_id__in=agency_ids)
    inputs = _published_inputs(cycles, latest, agency_ids, codes) if codes else {}
    by_cycle = {latest[c.pk].pk: c.pk for c in cycles}
    values = {}
    rows = results.values_list(
        "publication_id", "agency_id", "score", "percent", "rank", "criteria"
    )
    for publication_id, agency_id, score, percent, rank, criteria in rows:
        year, _block = year_of[publication_id]
        own = inputs.get((by_cycle[publication_id], agency_id), {})
        values[(agency_id, year)] = YearValues(score, percent, rank, criteria or {}, own)
    years: dict[int, list[int]] = {}
    for cycle in cycles:
        years.setdefault(cycle.block_id, []).append(cycle.year)
    last = {block: max(found) for block, found in years.items()}
    return Published(values, last, years)


def _published_inputs(cycles, latest, agency_ids, codes) -> dict[tuple[int, int], dict]:
    """(cycle id, agency id) → code → (a, b) of the final stage as each cycle's newest
    publication saw it: a score changed since (a correction under way) is read from its
    history as of that publication."""
    scores = Score.objects.filter(
        cycle__in=cycles, stage=Stage.FINAL, criterion__code__in=codes
    ).order_by()
    if agency_ids is not None:
        scores = scores.filter(agency_id__in=agency_ids)
    cutoff = {c.pk: latest[c.pk].published_at for c in cycles}
    found: dict[tuple[int, int], dict] = {}
    stale = {}
    fields = (
        "id",
        "cycle_id",
        "agency_id",
        "criterion__code",
        "value",
        "denominator",
        "updated_at",
    )
    for pk, cycle_id, agency_id, code, a, b, updated in scores.values_list(*fields):
        if updated > cutoff[cycle_id]:
            stale[pk] = (cycle_id, agency_id, code)
        else:
            found.setdefault((cycle_id, agency_id), {})[code] = (a, b)
    if stale:
        _from_history(stale, cutoff, found)
    return found


def _from_history(stale: dict, cutoff: dict, found: dict) -> None:
    history = Score.history.filter(id__in=stale).order_by("id", "-history_date")
    done = set()
    for pk, when, a, b in history.values_list("id", "history_date", "value", "denominator"):
        cycle_id, agency_id, code = stale[pk]
        if pk in done or when > cutoff[cycle_id]:
            continue
        done.add(pk)
        found.setdefault((cycle_id, agency_id), {})[code] = (a, b)


def _input_codes(targets) -> set[str]:
    return {t.criterion_code for t in targets if t.measure in INPUT_MEASURES}


@dataclass(frozen=True)
class AgencyTargets:
    agency: Agency
    years: list[int]
    rows: list[TargetRow]


def agency_targets(*, agency: Agency) -> AgencyTargets:
    """The agency's own targets and the province-wide ones that apply to it, judged."""
    applies = Q(agency=agency) | Q(agency__isnull=True, province_id=agency.province_id) & (
        Q(block__isnull=True) | Q(block_id=agency.block_id)
    )
    targets = list(Target.objects.filter(applies).select_related("block").order_by(*ORDER))
    if not targets:
        return AgencyTargets(agency, [], [])
    published = published_values(
        province_id=agency.province_id, agency_ids={agency.pk}, codes=_input_codes(targets)
    )
    rows = [judge(target, agency, published) for target in targets]
    return AgencyTargets(agency, published.years.get(agency.block_id, []), rows)


ORDER = ("year", "criterion_code", "indicator", "pk")


@dataclass(frozen=True)
class ProvinceTargets:
    province: object
    rows: list[TargetRow]
    year: int | None


def province_targets(*, province, year: int | None = None) -> ProvinceTargets:
    """Every target of the province: agencies' own, judged; province-wide ones summed over
    the agencies they apply to (those existing in the target year)."""
    found = Target.objects.filter(province=province).select_related("agency", "block")
    if year is not None:
        found = found.filter(year=year)
    targets = list(found.order_by("agency__name", *ORDER))
    if not targets:
        return ProvinceTargets(province, [], year)
    wide = [t for t in targets if t.agency_id is None]
    agencies = list(Agency.objects.filter(province=province).order_by("name")) if wide else []
    own_ids = {t.agency_id for t in targets if t.agency_id}
    published = published_values(
        province_id=province.pk,
        agency_ids=None if wide else own_ids,
        codes=_input_codes(targets),
    )
    rows = [
        _province_wide(t, agencies, published)
        if t.agency is None
        else judge(t, t.agency, published)
        for t in targets
    ]
    rows.sort(key=lambda row: row.agency is not None)  # the province's own first
    return ProvinceTargets(province, rows, year)


def _province_wide(target: Target, agencies: list[Agency], published: Published) -> TargetRow:
    counts: Counter[str] = Counter()
    for agency in agencies:
        if target.block_id and agency.block_id != target.block_id:
            continue
        if agency.is_active_in(target.year):
            counts[judge(target, agency, published).progress.status] += 1  # type: ignore[union-attr]
    ordered = {status: counts.get(status, 0) for status in Status.values}
    return TargetRow(target, None, {}, None, ordered)
