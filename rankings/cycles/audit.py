"""Audit trail: who changed a score, its evidence or a cycle's state, when, old → new, and
through which path (form, import, admin, API).

django-simple-history keeps the snapshots (it records single saves by itself and has a
bulk helper for the spreadsheet import and form upserts, which bypass `save()`); the
"path" is its change reason.
"""

from dataclasses import dataclass

from simple_history.utils import update_change_reason

from rankings.models import Score, Stage

FORM, IMPORT, ADMIN, API, PUBLICATION = "form", "import", "admin", "api", "publication"
TRACKED = ("value", "denominator", "choice", "points", "comment", "review")


def record_scores(*, cycle, agency_ids, stage: str, user, path: str, criteria=None) -> None:
    """Snapshot the scores an upsert just wrote (bulk writes skip the save signal).

    `criteria` (criterion ids) narrows the snapshot to the rows written, when known.
    """
    written = Score.objects.filter(cycle=cycle, agency_id__in=agency_ids, stage=stage)
    if criteria is not None:
        written = written.filter(criterion_id__in=criteria)
    Score.history.bulk_history_create(
        list(written), update=True, default_user=user, default_change_reason=path
    )


def reason(instance, path: str) -> None:
    """Label the latest snapshot of a single save with the path it came through."""
    update_change_reason(instance, path)


@dataclass(frozen=True)
class ScoreChange:
    when: object
    who: str
    path: str
    criterion: str
    stage: str
    changes: list[tuple[str, object, object]]


def score_history(*, cycle, agency) -> list[ScoreChange]:
    """Every recorded change to an agency's scores in a cycle, newest first (2 queries)."""
    from rankings.models import Criterion

    records = list(
        Score.history.filter(cycle_id=cycle.pk, agency_id=agency.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    codes = dict(
        Criterion.objects.filter(criteria_set=cycle.criteria_set_id).values_list("id", "code")
    )
    changes: list[ScoreChange] = []
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        fields = [
            (name, getattr(before, name) if before else None, getattr(record, name))
            for name in TRACKED
        ]
        fields = [(n, old, new) for n, old, new in fields if _blank(old) != _blank(new)]
        previous[record.id] = record
        if fields:
            changes.append(
                ScoreChange(
                    when=record.history_date,
                    who=record.history_user.get_username() if record.history_user else "—",
                    path=record.history_change_reason or "—",
                    criterion=codes.get(record.criterion_id, "?"),
                    stage=Stage(record.stage).label,
                    changes=fields,
                )
            )
    return sorted(changes, key=lambda change: change.when, reverse=True)


def _blank(value):
    """None and "" are the same absence of a value in a snapshot."""
    return None if value == "" else value
