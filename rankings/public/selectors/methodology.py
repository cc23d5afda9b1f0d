"""A criteria set's tree, for the methodology pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
)


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
