"""Returns that work, per criterion, and what the council still owes before approval.

While the council has returned some criteria of an agency, the agency may change only
those criteria and their evidence (add, and remove its own), then resubmit; each returned
criterion then becomes "answered" and the council is told. Every refusal says why.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rankings.cycles import audit, notifications, states
from rankings.models import (
    AssessmentCycle,
    Evidence,
    Review,
    Score,
    Stage,
    Submission,
    SubmissionState,
)


class Refused(Exception):
    """A write refused by the state machine or a return; the message says why."""


def criterion_lock_reason(*, submission: Submission | None, code: str, review: str) -> str:
    """Beyond the agency-wide lock: while criteria are returned, only those are writable."""
    if submission is None or submission.state != SubmissionState.RETURNED:
        return ""
    if review == Review.RETURNED:
        return ""
    return _(
        "Hội đồng chỉ trả lại một số tiêu chí để bổ sung; tiêu chí %(c)s không nằm trong số "
        "đó nên không sửa được. Hãy sửa các tiêu chí được trả lại rồi nộp lại."
    ) % {"c": code}


def returned_codes(*, cycle, agency) -> dict[str, Score]:
    """The agency's self-assessed scores the council returned, by criterion code."""
    return {
        score.criterion.code: score
        for score in Score.objects.filter(
            cycle=cycle, agency=agency, stage=Stage.SELF, review=Review.RETURNED
        ).select_related("criterion")
    }


def check_writable(*, cycle, agency, submission, codes) -> None:
    """Refuse (`Refused`) when any of `codes` is outside what a return lets the agency change."""
    if submission is None or submission.state != SubmissionState.RETURNED:
        return
    returned = returned_codes(cycle=cycle, agency=agency)
    problems = [
        criterion_lock_reason(submission=submission, code=code, review=Review.PENDING)
        for code in sorted(codes)
        if code not in returned
    ]
    if problems:
        raise Refused(problems[0])


def answer_returned(*, cycle, agency, user, answers: dict[str, str] | None = None) -> list[str]:
    """On resubmission: each returned criterion becomes answered (with the agency's note)
    and the council is told. Returns the codes answered."""
    answers = answers or {}
    answered = []
    for code, score in sorted(returned_codes(cycle=cycle, agency=agency).items()):
        score.review = states.target("review", "answer")
        score.answer = (answers.get(code) or "").strip()
        score._history_user = user
        score._change_reason = audit.FORM
        score.save(update_fields=["review", "answer", "updated_at"])
        answered.append(code)
    if answered:
        transaction.on_commit(
            lambda: notifications.returned_answered(cycle, agency=agency, codes=answered)
        )
    return answered


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user, path: str = audit.FORM) -> None:
    """The author removes a piece of evidence before the submission (audited: the evidence's
    history keeps who removed it, when and through which path)."""
    from rankings.cycles.assessments import lock_reason

    score = evidence.score
    cycle = score.cycle
    submission = Submission.objects.filter(cycle=cycle, agency=score.agency_id).first()
    reason = lock_reason(cycle=cycle, submission=submission) or criterion_lock_reason(
        submission=submission, code=score.criterion.code, review=score.review
    )
    if not reason and evidence.created_by_id not in (None, getattr(user, "pk", None)):
        reason = _("Chỉ người đã gửi minh chứng mới gỡ được minh chứng đó.")
    if reason:
        raise Refused(reason)
    evidence._history_user = user
    evidence._change_reason = f"{path}: removed"
    evidence.delete()


def unreviewed(*, cycle: AssessmentCycle) -> list[tuple[str, str, str]]:
    """Submitted criteria the council has not settled: (agency, code, review state label)."""
    handed_in = Submission.objects.filter(
        cycle=cycle, state__in=[SubmissionState.SUBMITTED, SubmissionState.RETURNED]
    ).values("agency_id")
    verified = Score.objects.filter(cycle=cycle, stage=Stage.VERIFIED).values_list(
        "agency_id", "criterion_id"
    )
    settled = set(verified)
    rows = (
        Score.objects.filter(cycle=cycle, stage=Stage.SELF, agency__in=handed_in)
        .filter(review__in=states.UNREVIEWED)
        .select_related("agency", "criterion")
        .order_by("agency__search_name", "criterion__order", "criterion__code")
    )
    return [
        (score.agency.name, score.criterion.code, score.get_review_display())
        for score in rows
        if score.review != Review.PENDING or (score.agency_id, score.criterion_id) not in settled
    ]


def approve_refusal(*, cycle: AssessmentCycle) -> str:
    """Why the approver cannot approve yet (criteria left unreviewed), or ""."""
    left = unreviewed(cycle=cycle)
    if not left:
        return ""
    shown = "; ".join(f"{agency} – {code} ({state})" for agency, code, state in left[:12])
    more = _(" và %(n)s tiêu chí khác") % {"n": len(left) - 12} if len(left) > 12 else ""
    return _(
        "Chưa phê duyệt được: còn %(n)s tiêu chí đã nộp chưa được thẩm định: %(l)s%(m)s. "
        "Hội đồng thẩm định tiếp, hoặc chấp nhận toàn bộ phần còn lại."
    ) % {"n": len(left), "l": shown, "m": more}


@transaction.atomic
def review_accept_remaining(*, cycle: AssessmentCycle, user, agency=None, path=audit.FORM) -> int:
    """The council accepts, in one audited action, every submitted criterion it has not
    settled (of one agency, or of the whole cycle): each self-assessed value as verified."""
    from rankings.cycles.assessments import score_review

    cycle.refresh_from_db(fields=["state"])
    if reason := states.refusal("review", "accept", Review.PENDING, cycle_state=cycle.state):
        raise Refused(reason)
    handed_in = Submission.objects.filter(
        cycle=cycle, state__in=[SubmissionState.SUBMITTED, SubmissionState.RETURNED]
    )
    if agency is not None:
        handed_in = handed_in.filter(agency=agency)
    settled = set(
        Score.objects.filter(cycle=cycle, stage=Stage.VERIFIED).values_list(
            "agency_id", "criterion_id"
        )
    )
    todo = [
        score
        for score in Score.objects.filter(
            cycle=cycle,
            stage=Stage.SELF,
            agency__in=handed_in.values("agency_id"),
            review__in=states.UNREVIEWED,
        ).select_related("agency", "criterion")
        if score.review != Review.PENDING or (score.agency_id, score.criterion_id) not in settled
    ]
    for score in todo:
        score_review(
            cycle=cycle,
            agency=score.agency,
            code=score.criterion.code,
            action=Review.ACCEPTED,
            user=user,
            comment=_("Chấp nhận toàn bộ phần còn lại"),
            path=f"{path}: accept-all",
        )
    Submission.objects.filter(
        pk__in=handed_in.filter(state=SubmissionState.RETURNED).values("pk")
    ).update(state=SubmissionState.SUBMITTED)
    return len(todo)
