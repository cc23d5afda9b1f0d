"""Build a criteria set's tree (groups, criteria, bands) from plain data: the one way the
demo and the synthetic national data set both do it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rankings.models import Band, CriteriaSet, Criterion, CriterionGroup

GroupRow = tuple[
    str, str | None, str, str
]  # code, parent code ("" or None at the top), name, name_en
BandRow = tuple[str, str, Decimal | int | str]  # label, label_en, minimum


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the tree: the group it sits in, its maximum, rule and parameters."""

    code: str
    group: str
    name: str
    max_points: Decimal
    rule: str
    params: dict = field(default_factory=dict)
    name_en: str = ""


def criteria_tree_create(
    *,
    criteria_set: CriteriaSet,
    groups: Iterable[GroupRow],
    criteria: Iterable[CriterionRow],
    bands: Iterable[BandRow] = (),
) -> None:
    """Create `criteria_set`'s groups (parents first), criteria and bands, in the given order.

    Every criterion needs evidence except "relative" ones, whose points come from the
    other agencies' values rather than from a document of the agency's own.
    """
    created: dict[str, CriterionGroup] = {}
    for order, (code, parent, name, name_en) in enumerate(groups):
        created[code] = CriterionGroup.objects.create(
            criteria_set=criteria_set,
            parent=created.get(parent) if parent else None,
            code=code,
            name=name,
            name_en=name_en,
            order=order,
        )
    Criterion.objects.bulk_create(
        Criterion(
            criteria_set=criteria_set,
            group=created[row.group],
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            max_points=row.max_points,
            rule=row.rule,
            params=row.params,
            evidence_required=row.rule != "relative",
            order=order,
        )
        for order, row in enumerate(criteria)
    )
    Band.objects.bulk_create(
        Band(criteria_set=criteria_set, label=label, label_en=label_en, minimum=Decimal(low))
        for label, label_en, low in bands
    )
