"""Writes of targets: save, delete, import. Each is one transaction and records who."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from rankings.targets.models import Target


def target_save(*, target: Target, by) -> Target:
    """Store a validated target (a form's or an import row's) as `by`."""
    target.updated_by = by if getattr(by, "is_authenticated", False) else None
    target.save()
    return target


def target_delete(*, target: Target) -> None:
    target.delete()


@transaction.atomic
def targets_import(*, targets: Sequence[Target], by) -> int:
    """Store every row of a checked file, or none: a failure rolls all of them back.

    A row with the key of a stored target (province, agency, block, indicator, year)
    replaces it; the reader has already matched those and set their ids. Two statements
    whatever the number of rows.
    """
    user = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    for target in targets:
        target.updated_by, target.updated_at = user, now
    Target.objects.bulk_create([t for t in targets if t.pk is None])
    stored = [t for t in targets if t.pk is not None]
    if stored:
        Target.objects.bulk_update(stored, UPDATED_FIELDS)
    return len(targets)


UPDATED_FIELDS = [
    "measure",
    "criterion_code",
    "value",
    "unit",
    "comparison",
    "baseline_year",
    "baseline_value",
    "note",
    "updated_at",
    "updated_by",
]
