"""Audit trail: who changed a score, its evidence or a cycle's state, when, old → new, and
through which path (form, import, admin, API).

django-simple-history keeps the snapshots (it records single saves by itself and has a
bulk helper for the spreadsheet import and form upserts, which bypass `save()`); the
"path" is its change reason.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db.models import Field
from django.utils.translation import gettext_lazy as _
from simple_history.utils import update_change_reason

from rankings import formatting, wording
from rankings.models import Review, Score, Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FORM, IMPORT, ADMIN, API, PUBLICATION = "form", "import", "admin", "api", "publication"
TRACKED = ("value", "denominator", "choice", "points", "comment", "review")
# The paths as the audit page says them (the stored change reason stays the code).
PATH_WORDS = {
    FORM: _("biểu mẫu trên trang"),
    IMPORT: _("nhập từ tệp"),
    ADMIN: _("trang quản trị"),
    API: _("API"),
    PUBLICATION: _("công bố"),
}


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
    when: datetime.datetime
    who: str
    path: str  # the stored code: form, import, admin, api, publication
    criterion: str
    stage: "StrOrPromise"
    changes: list[tuple[str, object, object]]  # field name, old, new as stored
    params: dict | None = None  # the criterion's, for its choices' words

    @property
    def path_label(self) -> str:
        return str(PATH_WORDS.get(self.path, self.path))

    @property
    def described(self) -> list[tuple[str, str, str]]:
        """Each change as the page says it: the field's name, old and new in words."""
        return [
            (
                str(cast(Field, Score._meta.get_field(name)).verbose_name),  # TRACKED: columns only
                self._word(name, old),
                self._word(name, new),
            )
            for name, old, new in self.changes
        ]

    def _word(self, name: str, value) -> str:
        if _blank(value) is None:
            return formatting.DASH
        if name == "review":
            return str(Review(value).label)
        if name == "choice":
            return wording.choice_label(self.params, value)
        if name == "points":
            return formatting.points(value, 3)
        if isinstance(value, Decimal):
            return formatting.raw_value(value)
        return str(value)


def score_history(*, cycle, agency) -> list[ScoreChange]:
    """Every recorded change to an agency's scores in a cycle, newest first (2 queries)."""
    from rankings.models import Criterion

    records = list(
        Score.history.filter(cycle_id=cycle.pk, agency_id=agency.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    criteria = {
        pk: (code, params)
        for pk, code, params in Criterion.objects.filter(
            criteria_set=cycle.criteria_set_id
        ).values_list("id", "code", "params")
    }
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
                    criterion=criteria.get(record.criterion_id, ("?", None))[0],
                    stage=Stage(record.stage).label,
                    changes=fields,
                    params=criteria.get(record.criterion_id, ("?", None))[1],
                )
            )
    return sorted(changes, key=lambda change: change.when, reverse=True)


def _blank(value):
    """None and "" are the same absence of a value in a snapshot."""
    return None if value == "" else value
