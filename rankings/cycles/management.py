"""Provincial staff run their own cycles: move the deadline, extend it for one agency,
reopen one agency's submission, cancel a cycle opened by mistake (while it holds no data)
or archive it with a reason, and record the agencies the decision leaves unranked, in its
words. No superuser needed.

Each write is one transaction, refuses with `Refused` (the message says why) and leaves an
audit entry: the cycle's or the submission's history (django-simple-history) with who did
it and "<what>: <reason>" as the change reason. The agencies concerned are told, with the
deadline that now applies to them.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rankings import formatting
from rankings.cycles import audit, notifications
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Evidence,
    Result,
    Score,
    Submission,
    SubmissionState,
)

# Where a cycle's agencies still self-assess: only there do deadlines and reopening mean
# anything. Published and approved cycles are frozen; an archived one is out of use.
RUNNING = {CycleState.DRAFT, CycleState.OPEN}
# Until publication the decision is still a draft: an exclusion changes the final preview,
# which the approver sees again before publishing (its fingerprint guards the change).
BEFORE_PUBLICATION = RUNNING | {CycleState.REVIEW, CycleState.APPROVED}
EXCLUSION_MAX: int = Submission._meta.get_field("excluded_reason").max_length or 180


class Refused(Exception):
    """A cycle-management action refused; the message says why and what to do instead."""


def _locked(cycle) -> AssessmentCycle:
    return AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)


def _require_running(cycle, what: str) -> None:
    if cycle.state not in RUNNING:
        raise Refused(
            _("Không thể %(w)s: kỳ đánh giá đang ở trạng thái “%(s)s”.")
            % {"w": what, "s": cycle.get_state_display()}
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Hãy ghi lý do."))
    return reason


def _audit_day(day: datetime.date | None) -> str:
    """A date in the history's change reason: one fixed form, whoever acted (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y") if day else "—"


def _dmy(day) -> str:
    """A date in the active language (the recipient's, for a notice): formatting.day."""
    return formatting.day(day)


@transaction.atomic
def cycle_deadline_move(
    *, cycle, deadline: datetime.date, user, reason: str = "", confirm_past: bool = False
) -> AssessmentCycle:
    """Move the whole cycle's self-assessment deadline; every agency is told the new one.

    A date already gone locks every agency at once: refused unless confirmed.
    """
    cycle = _locked(cycle)
    _require_running(cycle, _("dời hạn nộp"))
    if deadline < timezone.localdate() and not confirm_past:
        raise Refused(
            _(
                "Hạn nộp %(d)s đã qua: mọi đơn vị sẽ bị khoá ngay. Chọn ngày khác, hoặc xác "
                "nhận nếu đúng là cố ý."
            )
            % {"d": _dmy(deadline)}
        )
    before = cycle.submission_deadline
    cycle.submission_deadline = deadline
    cycle._history_user = user
    moved = f"{_audit_day(before)} → {_audit_day(deadline)}"
    cycle._change_reason = f"deadline {moved}: {reason.strip()}"[:100]
    cycle.save(update_fields=["submission_deadline"])
    transaction.on_commit(lambda: notifications.deadline_moved(cycle, before=before))
    return cycle


@transaction.atomic
def submission_extend(*, cycle, agency, until: datetime.date, reason: str, user) -> Submission:
    """Extend one agency's deadline, with a reason; it alone may go on past the cycle's."""
    cycle = _locked(cycle)
    _require_running(cycle, _("gia hạn"))
    reason = _reason(reason)
    general = cycle.submission_deadline
    if general is not None and until <= general:
        raise Refused(_("Gia hạn phải sau hạn chung của kỳ (%(d)s).") % {"d": _dmy(general)})
    if until < timezone.localdate():
        raise Refused(_("Ngày gia hạn %(d)s đã qua.") % {"d": _dmy(until)})
    submission, _created = Submission.objects.select_for_update().get_or_create(
        cycle=cycle, agency=agency
    )
    submission.extended_to, submission.extension_reason = until, reason[:300]
    submission._history_user = user
    submission._change_reason = f"extension → {_audit_day(until)}: {reason}"[:100]
    submission.save(update_fields=["extended_to", "extension_reason"])
    transaction.on_commit(
        lambda: notifications.deadline_extended(cycle, agency=agency, until=until, reason=reason)
    )
    return submission


@transaction.atomic
def submission_reopen(
    *, cycle, agency, reason: str, user, until: datetime.date | None = None
) -> Submission:
    """Give one agency's submitted self-assessment back to it, with a reason.

    When its deadline has passed it would be reopened into a lock: then `until` (an
    extension) is needed, and is given in the same step.
    """
    cycle = _locked(cycle)
    _require_running(cycle, _("mở lại bản tự đánh giá"))
    reason = _reason(reason)
    submission = Submission.objects.select_for_update().filter(cycle=cycle, agency=agency).first()
    if submission is None or submission.state != SubmissionState.SUBMITTED:
        raise Refused(_("%(a)s chưa nộp bản tự đánh giá; không có gì để mở lại.") % {"a": agency})
    if until is not None:
        submission_extend(cycle=cycle, agency=agency, until=until, reason=reason, user=user)
        submission.refresh_from_db()
    deadline = submission.deadline(cycle)
    if deadline is not None and deadline < timezone.localdate():
        raise Refused(
            _(
                "Hạn nộp của %(a)s (%(d)s) đã qua: mở lại thì đơn vị vẫn bị khoá. Hãy gia hạn "
                "cùng lúc (ngày gia hạn)."
            )
            % {"a": agency, "d": _dmy(deadline)}
        )
    submission.state = SubmissionState.DRAFT
    submission._history_user = user
    submission._change_reason = f"reopened: {reason}"[:100]
    submission.save(update_fields=["state"])
    transaction.on_commit(
        lambda: notifications.submission_reopened(
            cycle, agency=agency, reason=reason, deadline=deadline
        )
    )
    return submission


def cycle_data(cycle) -> dict[str, int]:
    """What a cycle holds: scores, evidence, submissions (handed in at least once; a draft
    that only carries an extension holds nothing), results, publications."""
    handed_in = Submission.objects.filter(cycle=cycle).exclude(
        state=SubmissionState.DRAFT, submitted_at__isnull=True
    )
    return {
        "scores": Score.objects.filter(cycle=cycle).count(),
        "evidence": Evidence.objects.filter(score__cycle=cycle).count(),
        "submissions": handed_in.count(),
        "results": Result.objects.filter(cycle=cycle).count(),
        "publications": cycle.publications.count(),
    }


@transaction.atomic
def cycle_cancel(*, cycle, user, reason: str = "") -> None:
    """Remove a cycle opened by mistake, while it holds nothing; its criteria set goes too
    when it was copied for this cycle alone. Otherwise refused: archive it instead."""
    cycle = _locked(cycle)
    held = {name: n for name, n in cycle_data(cycle).items() if n}
    if held or cycle.state not in RUNNING:
        raise Refused(
            _(
                "Kỳ đánh giá đã có dữ liệu (%(h)s) nên không huỷ được; hãy lưu trữ kèm lý do "
                "(dữ liệu được giữ lại, kỳ không còn dùng)."
            )
            % {"h": ", ".join(f"{name}: {n}" for name, n in held.items()) or cycle.state}
        )
    criteria_set = cycle.criteria_set
    cycle._history_user = user
    cycle._change_reason = f"cancelled: {reason.strip()}"[:100]
    cycle.delete()
    if criteria_set.copied_from_id and not criteria_set.cycles.exists():
        criteria_set.delete()


@transaction.atomic
def cycle_archive(*, cycle, user, reason: str) -> AssessmentCycle:
    """Take a cycle that holds data out of use, with a reason; nothing is deleted and no
    one can write to it any more. A published cycle is never archived."""
    cycle = _locked(cycle)
    reason = _reason(reason)
    if cycle.publications.exists() or cycle.state in {CycleState.PUBLISHED, CycleState.ARCHIVED}:
        raise Refused(
            _("Không lưu trữ được kỳ ở trạng thái “%(s)s”.") % {"s": cycle.get_state_display()}
        )
    cycle.state, cycle.archived_reason = CycleState.ARCHIVED, reason
    cycle._history_user = user
    cycle._change_reason = f"archived: {reason}"[:100]
    cycle.save(update_fields=["state", "archived_reason"])
    return cycle


def _require_exclusion_allowed(cycle, *, correction: bool) -> None:
    """An exclusion changes the ranking: before publication it is part of the decision;
    afterwards only a correction (a new revision, with its reason) may change it."""
    if cycle.state == CycleState.PUBLISHED or cycle.publications.exists():
        if not correction:
            raise Refused(
                _(
                    "Kỳ đã công bố: danh sách không xếp hạng chỉ thay đổi bằng đính chính. "
                    "Đánh dấu “cho lần đính chính tiếp theo” rồi công bố đính chính kèm lý do."
                )
            )
        return
    if cycle.state not in BEFORE_PUBLICATION:
        raise Refused(
            _("Không thể thay đổi danh sách không xếp hạng: kỳ đánh giá đang ở trạng thái “%(s)s”.")
            % {"s": cycle.get_state_display()}
        )


@transaction.atomic
def agency_exclude(
    *, cycle, agency, reason: str, user, path: str = audit.FORM, correction: bool = False
) -> Submission:
    """Leave `agency` unranked in the cycle, in the decision's words: the final preview and
    the published ranking show "Không xếp hạng" with exactly these words as the reason.

    Audited on the submission's history (who, when, "<path>: excluded: <words>"). Once the
    cycle is published, refused unless `correction`: the words then take effect with the
    next correction, and the published revision never changes.
    """
    cycle = _locked(cycle)
    _require_exclusion_allowed(cycle, correction=correction)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Hãy ghi lý do không xếp hạng, đúng lời văn của quyết định."))
    if len(reason) > EXCLUSION_MAX:
        raise Refused(
            _("Lý do không xếp hạng: tối đa %(n)s ký tự (đang có %(m)s).")
            % {"n": EXCLUSION_MAX, "m": len(reason)}
        )
    submission, _created = Submission.objects.select_for_update().get_or_create(
        cycle=cycle, agency=agency
    )
    submission.excluded_reason = reason
    submission._history_user = user
    submission._change_reason = f"{path}: excluded: {reason}"[:100]
    submission.save(update_fields=["excluded_reason"])
    return submission


@transaction.atomic
def agency_include(
    *, cycle, agency, user, path: str = audit.FORM, correction: bool = False
) -> Submission:
    """Undo an exclusion: the agency is ranked (or not) by its values again. Audited, and
    after publication only for a correction, as `agency_exclude`."""
    cycle = _locked(cycle)
    _require_exclusion_allowed(cycle, correction=correction)
    submission = Submission.objects.select_for_update().filter(cycle=cycle, agency=agency).first()
    if submission is None or not submission.excluded_reason:
        raise Refused(_("%(a)s không nằm trong danh sách không xếp hạng.") % {"a": agency})
    before = submission.excluded_reason
    submission.excluded_reason = ""
    submission._history_user = user
    submission._change_reason = f"{path}: included (was: {before})"[:100]
    submission.save(update_fields=["excluded_reason"])
    return submission
