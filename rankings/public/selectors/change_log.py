"""A cycle's public change log: every correction after the first publication."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from rankings.models import (
    AssessmentCycle,
    Publication,
    Result,
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
    by_revision: dict[int | None, dict[int, Result]] = {p.pk: {} for p in publications}
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
