"""The comparison baseline of a published year and how far the two years compare.

One place decides it for the leaderboard, the agency profile, trends, the downloads and
the API: the baseline is the latest earlier *published* year of the same province and
block (not year − 1, which a province may have skipped), and `Comparability` says which
changes may be given against it.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from agencies.units import REFORM_DATE
from rankings.models import AssessmentCycle, CriteriaSet, Criterion

# Why a year's points are not compared with its baseline's (`Comparability.reason`).
STRUCTURE = "structure"  # the block's units are on different sides of the 2025 reform
CRITERIA = "criteria"  # the criteria set changed: percents and ranks only, not points
GAP = "gap"  # years without a published ranking lie between: percents and ranks only


@dataclass(frozen=True)
class Comparability:
    """Whether a cycle's figures may be set against those of its baseline year.

    Points (a total's change, the block mean's change) need the same criteria set shape,
    the same administrative structure and no unpublished year between: a change in
    points reads as "since last year", and over a gap the province may well have revised
    its set in the years it did not publish. Ranks and percents of maximum need the same
    structure only, so across a gap or a new criteria set they are still given, labelled
    with the baseline year. Across the 1 July 2025 reform (63 provinces → 34, districts
    gone, communes merged) a block ranks a different set of units, so nothing is
    compared: the pages say so instead, and a new unit's lineage (`agency_lineage`) gives
    its predecessors' standing, in percent.

    A rank among 18 agencies and one among 13 are different measures: `rank_sizes_match`
    flags a rank change between blocks of different sizes (ranked agencies), which is
    still shown, with a note.
    """

    same_criteria: bool
    same_structure: bool
    previous_year: int | None = None
    missing_years: tuple[int, ...] = ()  # years between with no published ranking
    previous_block_size: int | None = None  # agencies ranked in the baseline year
    block_size: int | None = None  # agencies ranked this year
    previous_max_points: Decimal | None = None  # the baseline's criteria set's maximum
    max_points: Decimal | None = None

    @property
    def points(self) -> bool:
        return self.same_criteria and self.same_structure and not self.missing_years

    @property
    def ranks(self) -> bool:
        return self.same_structure

    @property
    def gap(self) -> bool:
        return bool(self.missing_years)

    @property
    def rank_sizes_match(self) -> bool:
        """False when ranks compare but the two years ranked different numbers of agencies."""
        if self.previous_block_size is None or self.block_size is None:
            return True
        return self.previous_block_size == self.block_size

    @property
    def rank_change_comparable(self) -> bool:
        return self.ranks and self.rank_sizes_match

    @property
    def reason(self) -> str:
        """ "" when points compare; otherwise `STRUCTURE`, then `CRITERIA`, then `GAP`
        (the first hides the most; a gap with a new set is `CRITERIA` with `missing_years`)."""
        if not self.same_structure:
            return STRUCTURE
        if not self.same_criteria:
            return CRITERIA
        return GAP if self.missing_years else ""

    def with_sizes(self, previous: int, current: int) -> Comparability:
        """The same comparison knowing how many agencies each year ranked."""
        return replace(self, previous_block_size=previous, block_size=current)


def comparability(
    before: AssessmentCycle,
    after: AssessmentCycle,
    *,
    shapes: Mapping[int, frozenset] | None = None,
) -> Comparability:
    """How `after` compares with `before`, its baseline (see `baseline_cycle`).

    `shapes` (from `criteria_shapes`) saves the query comparing the two criteria sets.
    """
    if shapes is not None:
        same_criteria = shapes[before.criteria_set_id] == shapes[after.criteria_set_id]
    else:
        same_criteria = criteria_sets_comparable(after.criteria_set, before.criteria_set)
    # A totals-only set (a backfilled table) has no criteria to compare: its maximum still
    # tells a 150-point set from a 1000-point one.
    same_criteria = same_criteria and (
        before.criteria_set.max_points == after.criteria_set.max_points
    )
    return Comparability(
        same_criteria=same_criteria,
        same_structure=structure_era(before) == structure_era(after),
        previous_year=before.year,
        missing_years=tuple(range(before.year + 1, after.year)),
        previous_max_points=before.criteria_set.max_points,
        max_points=after.criteria_set.max_points,
    )


def baseline_cycle(cycle: AssessmentCycle) -> AssessmentCycle | None:
    """The latest earlier published cycle of the same province and block (one query)."""
    return (
        AssessmentCycle.objects.select_related("province", "block", "criteria_set")
        .filter(
            province=cycle.province_id,
            block=cycle.block_id,
            year__lt=cycle.year,
            publications__isnull=False,
        )
        .distinct()
        .order_by("-year")
        .first()
    )


def baselines(cycles: list[AssessmentCycle]) -> dict[int, AssessmentCycle]:
    """Each cycle's baseline among `cycles` (published, one province and block, by year)."""
    ordered = sorted(cycles, key=lambda cycle: cycle.year)
    return {after.pk: before for before, after in itertools.pairwise(ordered)}


def comparable_pairs(cycles: list[AssessmentCycle]) -> dict[int, Comparability]:
    """For each of `cycles` (published, one province and block), how it compares with its
    baseline among them: one query whatever the number of years."""
    shapes = criteria_shapes({cycle.criteria_set_id for cycle in cycles})
    by_pk = {cycle.pk: cycle for cycle in cycles}
    return {
        pk: comparability(before, by_pk[pk], shapes=shapes)
        for pk, before in baselines(cycles).items()
    }


def criteria_shapes(set_ids) -> dict[int, frozenset]:
    """Each criteria set's (code, maximum, rule) rows, to compare sets without a query each."""
    shapes: dict[int, set] = {pk: set() for pk in set_ids}
    rows = Criterion.objects.filter(criteria_set__in=set_ids).values_list(
        "criteria_set_id", "code", "max_points", "rule"
    )
    for set_id, *shape in rows:
        shapes[set_id].add(tuple(shape))
    return {pk: frozenset(shape) for pk, shape in shapes.items()}


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
    shapes = criteria_shapes({first.pk, second.pk})
    return shapes[first.pk] == shapes[second.pk]
