"""Self-assessment writes: an agency's own inputs, its evidence, and its submission.

Every write checks the lock first and says why a thing is locked: the deadline passed,
the self-assessment was submitted, the cycle moved on to review, approval or publication.
Points come from the engine, run over the whole block so "best peer" rules are right.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import scoring
from agencies.models import Agency
from rankings import formatting, wording
from rankings.cycles import audit, notifications, returns, services, states, turn_notices
from rankings.frames import criteria_frame, ranking_rules, score_records
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Evidence,
    Review,
    Score,
    Stage,
    Submission,
    SubmissionState,
)

NOTHING_TO_SUBMIT = gettext_lazy("Chưa có số liệu tự đánh giá để nộp.")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# Extension → the bytes such a file starts with (checked, not trusted from the name).
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class Locked(Exception):
    """A write refused because the self-assessment is locked; the message says why."""


class ReturnLocked(Locked):
    """Refused because the council returned other criteria only: the page answers 409."""


class Conflict(Exception):
    """A write refused because someone else changed the scores since they were read;
    `problems` name each criterion and when it changed. Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class InvalidInput(Exception):
    """Inputs the engine refuses; `problems` name the criterion and what was expected."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class RawInput:
    value: Decimal | None = None
    denominator: Decimal | None = None
    choice: str = ""


def lock_reason(*, cycle: AssessmentCycle, submission: Submission | None) -> str:
    """Why the agency can no longer edit its self-assessment, or "" when it can."""
    if cycle.state == CycleState.PUBLISHED:
        return _("Kỳ đánh giá đã được công bố.")
    if cycle.state == CycleState.ARCHIVED:
        return _("Kỳ đánh giá đã được lưu trữ (không dùng): %(r)s") % {"r": cycle.archived_reason}
    if cycle.state == CycleState.APPROVED:
        return _("Kỳ đánh giá đã được phê duyệt.")
    returned = submission is not None and submission.state == SubmissionState.RETURNED
    if cycle.state == CycleState.REVIEW and returned:
        return ""  # the council asked for more evidence: the agency may answer
    if cycle.state != CycleState.OPEN:
        return _("Kỳ đánh giá không mở để tự đánh giá (trạng thái: %(s)s).") % {
            "s": cycle.get_state_display()
        }
    if submission is not None and submission.state == SubmissionState.SUBMITTED:
        return _("Bản tự đánh giá đã được nộp.")
    # The agency's own extension, when ICT staff gave one, moves its deadline.
    deadline = submission.deadline(cycle) if submission else cycle.submission_deadline
    if deadline is not None and timezone.localdate() > deadline:
        return _("Đã quá hạn nộp (%(d)s).") % {"d": formatting.day(deadline)}
    return ""


def review_version(own: Score | None, verified: Score | None) -> str:
    """What the review page remembers of one criterion: its self-assessed and verified
    scores' versions."""
    return f"{score_version(own)}|{score_version(verified)}"


def score_version(score: Score | None) -> str:
    """What a page remembers of a score it shows: when it last changed ("" for none).

    Every write of a score (form, API, import, review, admin) moves `updated_at`.
    """
    return score.updated_at.isoformat() if score is not None else ""


@transaction.atomic
def self_assessment_save(
    *,
    cycle,
    agency,
    inputs: dict[str, RawInput],
    user,
    path: str = audit.FORM,
    expected: dict[str, str] | None = None,
) -> int:
    """Store the agency's self-assessed inputs; returns how many criteria were written.

    `path` names where the change came from in the audit trail (the form or the API).
    `expected` maps criterion codes to the `score_version` the writer read; when one of
    those scores changed since, `Conflict` is raised and nothing is written.
    """
    _self_assessment_writable(cycle=cycle, agency=agency, codes=inputs)
    if expected is not None:
        _check_versions(cycle=cycle, agency=agency, expected=expected, codes=set(inputs))
    criteria = {c.code: c for c in cycle.criteria_set.criteria.all()}
    points = _points(cycle=cycle, agency=agency, inputs=inputs, criteria=criteria)
    rows = _self_rows(cycle, agency, inputs, criteria, points, user)
    services.scores_upsert(rows)
    audit.record_scores(
        cycle=cycle,
        agency_ids=[agency.pk],
        stage=Stage.SELF,
        user=user,
        path=path,
        criteria=[criteria[code].pk for code in inputs],  # the rows written, not the others
    )
    return len(rows)


def _self_rows(cycle, agency, inputs: dict[str, RawInput], criteria, points, user) -> list[Score]:
    return [
        Score(
            cycle=cycle,
            agency=agency,
            criterion=criteria[code],
            stage=Stage.SELF,
            value=raw.value,
            denominator=raw.denominator,
            choice=raw.choice,
            points=points[code],
            max_points=criteria[code].max_points,
            updated_by=user,
        )
        for code, raw in inputs.items()
    ]


def _self_assessment_writable(*, cycle, agency, codes) -> None:
    """Take the agency's lock and refuse a write the cycle, the submission or its returned
    criteria do not allow."""
    # One writer of an agency's self-assessment at a time: the API checks If-Match under
    # this same lock, so a check and the write after it always see the same scores.
    # NO KEY: rows that merely point at the agency (results, new scores) are not held up.
    Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).exists()
    submission, _created = Submission.objects.select_for_update().get_or_create(
        cycle=cycle, agency=agency
    )
    cycle.refresh_from_db(fields=["state", "submission_deadline", "archived_reason"])
    reason = lock_reason(cycle=cycle, submission=submission)
    if reason:
        raise Locked(reason)
    try:  # while criteria are returned, only those may change
        returns.check_writable(cycle=cycle, agency=agency, submission=submission, codes=codes)
    except returns.Refused as refused:
        raise ReturnLocked(str(refused)) from None


def _check_versions(*, cycle, agency, expected: dict[str, str], codes: set[str]) -> None:
    """Refuse when a score the writer read has changed since (rows locked until the write:
    the council's review writes them without the agency's lock)."""
    current = {
        score.criterion.code: score
        for score in Score.objects.select_for_update(of=("self",))
        .select_related("criterion")
        .filter(cycle=cycle, agency=agency, stage=Stage.SELF, criterion__code__in=codes)
    }
    problems = []
    for code in sorted(codes & set(expected)):
        score = current.get(code)
        if expected[code] == score_version(score):
            continue
        when = timezone.localtime(score.updated_at).strftime("%H:%M:%S %d/%m/%Y") if score else "—"
        problems.append(
            _("Điểm tiêu chí %(c)s đã được người khác sửa lúc %(t)s; hãy tải lại trang.")
            % {"c": code, "t": when}
        )
    if problems:
        raise Conflict(problems)


def _points(*, cycle, agency, inputs, criteria) -> dict[str, Decimal]:
    peers = [
        record
        for record in score_records(cycle=cycle, stage=Stage.SELF)
        if record["agency"] != agency.pk
    ]
    return _points_from(cycle=cycle, agency=agency, peers=peers, inputs=inputs, criteria=criteria)


def _points_from(*, cycle, agency, peers, inputs, criteria) -> dict[str, Decimal]:
    """Points of `inputs`, computed by the engine over the whole block at that stage."""
    unknown = sorted(set(inputs) - set(criteria))
    if unknown:
        raise InvalidInput(
            [_("Tiêu chí không có trong bộ tiêu chí: %(c)s") % {"c": c} for c in unknown]
        )
    mine = [
        {
            "agency": agency.pk,
            "block": cycle.block_id,
            "criterion": code,
            "value": raw.value,
            "denominator": raw.denominator,
            "choice": raw.choice or None,
        }
        for code, raw in inputs.items()
    ]
    try:
        card = scoring.compute(
            criteria_frame(criteria_set=cycle.criteria_set),
            scoring.inputs_from_records(peers + mine),
            ranking_rules(criteria_set=cycle.criteria_set),
        )
    except scoring.ScoringInputError as error:
        problems = [p for p in error.problems if p.agency in (agency.pk, None)]
        params = {c.code: c.params for c in cycle.criteria_set.criteria.all()}
        raise InvalidInput(
            [
                _("Tiêu chí %(c)s: %(m)s")
                % {"c": p.criterion, "m": wording.problem_text(p, choices=params.get(p.criterion))}
                for p in problems
            ]
            or [str(error)]
        ) from None
    own = card.points[card.points["agency"] == agency.pk]
    return {
        str(code): scoring.milli_to_decimal(int(milli))
        for code, milli in zip(own["criterion"], own["points"], strict=True)
        if str(code) in inputs
    }


def _submit_lock(*, cycle, submission) -> str:
    state = submission.state if submission is not None else SubmissionState.DRAFT
    return lock_reason(cycle=cycle, submission=submission) or states.refusal(
        "submission", "submit", state, cycle_state=cycle.state
    )


def submit_refusal(*, cycle, agency) -> str:
    """Why the agency cannot submit now, or "": what `self_assessment_submit` would refuse,
    asked before the head is shown the checklist to confirm."""
    submission = Submission.objects.filter(cycle=cycle, agency=agency).first()
    if reason := _submit_lock(cycle=cycle, submission=submission):
        return reason
    if not Score.objects.filter(cycle=cycle, agency=agency, stage=Stage.SELF).exists():
        return str(NOTHING_TO_SUBMIT)
    return ""


@transaction.atomic
def self_assessment_submit(*, cycle, agency, user, answers: dict[str, str] | None = None):
    """The agency head submits: the self-assessment is locked for the reviewers.

    After a return this is the resubmission: each returned criterion becomes answered
    (with `answers`, the agency's note per criterion) and the council is told.
    """
    submission, _created = Submission.objects.select_for_update().get_or_create(
        cycle=cycle, agency=agency
    )
    if reason := _submit_lock(cycle=cycle, submission=submission):
        raise Locked(reason)
    resubmission = submission.state == SubmissionState.RETURNED
    if resubmission:  # the council hears of it from `returns` (returned_answered)
        returns.answer_returned(cycle=cycle, agency=agency, user=user, answers=answers)
    if not Score.objects.filter(cycle=cycle, agency=agency, stage=Stage.SELF).exists():
        raise Locked(str(NOTHING_TO_SUBMIT))
    submission.state = SubmissionState.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = user
    submission.save()
    if not resubmission:  # the council's turn
        transaction.on_commit(lambda: turn_notices.submission_arrived(cycle, agency=agency))
    return submission


def evidence_check(upload) -> None:
    """Refuse files that are too big or whose content is not what their name says."""
    name = upload.name.lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        allowed = ", ".join(sorted(EVIDENCE_TYPES))
        raise InvalidInput([_("Tệp “%(n)s”: chỉ nhận %(a)s.") % {"n": upload.name, "a": allowed}])
    if upload.size > MAX_EVIDENCE_BYTES:
        raise InvalidInput([_("Tệp “%(n)s” vượt quá 10 MB.") % {"n": upload.name}])
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(EVIDENCE_TYPES[extension]):
        raise InvalidInput(
            [_("Tệp “%(n)s” không đúng định dạng %(e)s.") % {"n": upload.name, "e": extension}]
        )
    office = {  # a zip: a real Office document, not any zip (or a zip bomb) renamed
        ".docx": (("[Content_Types].xml", "word/document.xml"), _("văn bản Word (.docx)")),
        ".xlsx": (("[Content_Types].xml", "xl/workbook.xml"), _("bảng tính Excel (.xlsx)")),
    }
    if extension in office:
        from rankings.imports.upload_safety import package_problem

        required, kind = office[extension]
        problem = package_problem(
            upload,
            upload.name,
            required=required,
            kind=kind,
            max_entries=2_000,
            max_unpacked=10 * MAX_EVIDENCE_BYTES,
        )
        upload.seek(0)
        if problem:
            raise InvalidInput([problem[:1].upper() + problem[1:]])


@transaction.atomic
def evidence_add(
    *, cycle, agency, criterion_code: str, user, path: str = audit.FORM, **fields
) -> Evidence:
    """Attach evidence to the agency's self-assessed score of one criterion."""
    submission = Submission.objects.filter(cycle=cycle, agency=agency).first()
    reason = lock_reason(cycle=cycle, submission=submission)
    if reason:
        raise Locked(reason)
    score = Score.objects.filter(
        cycle=cycle, agency=agency, stage=Stage.SELF, criterion__code=criterion_code
    ).first()
    # A criterion the council did not return is locked, entered or not: saying "enter its
    # figures first" would send the agency to a field it cannot write.
    if reason := returns.criterion_lock_reason(
        submission=submission, code=criterion_code, review=score.review if score else ""
    ):
        raise ReturnLocked(reason)
    if score is None:
        raise InvalidInput(
            [_("Hãy nhập số liệu tiêu chí %(c)s trước khi gửi minh chứng.") % {"c": criterion_code}]
        )
    if fields.get("file"):
        evidence_check(fields["file"])
    if not fields.get("file") and not fields.get("url"):
        raise InvalidInput([_("Minh chứng cần một tệp hoặc một đường dẫn.")])
    evidence = Evidence(score=score, created_by=user, **fields)
    evidence._history_user = user
    evidence._change_reason = path
    evidence.save()
    return evidence


# ---------------------------------------------------------------------------------------
# Entry by ICT staff, one criterion at a time (the API; the spreadsheet import does blocks)


def entry_lock_reason(*, cycle: AssessmentCycle) -> str:
    """Why ICT staff can no longer enter final scores directly, or "" when they can."""
    if cycle.state == CycleState.PUBLISHED:
        return _("Kỳ đánh giá đã được công bố; hãy nhập lại bằng tệp kèm lý do đính chính.")
    if cycle.state == CycleState.APPROVED:
        return _("Kỳ đánh giá đã được phê duyệt.")
    if cycle.state == CycleState.ARCHIVED:
        return lock_reason(cycle=cycle, submission=None)
    return ""


@transaction.atomic
def score_enter(*, cycle, agency, code: str, raw: RawInput, user, path: str = audit.API) -> Score:
    """Store one final score entered by ICT staff and recompute the draft results."""
    cycle.refresh_from_db(fields=["state"])
    reason = entry_lock_reason(cycle=cycle)
    if reason:
        raise Locked(reason)
    criterion = cycle.criteria_set.criteria.filter(code=code).first()
    if criterion is None:
        raise InvalidInput([_("Tiêu chí không có trong bộ tiêu chí: %(c)s") % {"c": code}])
    points = _stage_points(cycle=cycle, agency=agency, stage=Stage.FINAL, inputs={code: raw})
    services.scores_upsert(
        [
            Score(
                cycle=cycle,
                agency=agency,
                criterion=criterion,
                stage=Stage.FINAL,
                value=raw.value,
                denominator=raw.denominator,
                choice=raw.choice,
                points=points[code],
                max_points=criterion.max_points,
                updated_by=user,
            )
        ]
    )
    audit.record_scores(
        cycle=cycle,
        agency_ids=[agency.pk],
        stage=Stage.FINAL,
        user=user,
        path=path,
        criteria=[criterion.pk],
    )
    services.cycle_recompute(cycle=cycle)
    return Score.objects.get(cycle=cycle, agency=agency, criterion=criterion, stage=Stage.FINAL)


# ---------------------------------------------------------------------------------------
# Verification by the appraisal council


@transaction.atomic
def score_review(
    *,
    cycle,
    agency,
    code: str,
    action: str,
    user,
    comment: str = "",
    inputs: RawInput | None = None,
    path: str = audit.FORM,
    expected: str | None = None,
) -> Score:
    """A reviewer accepts, adjusts (with a comment) or returns one self-assessed criterion.

    Accepting copies the agency's inputs to the verified stage; adjusting stores the
    reviewer's inputs there; returning asks the agency for more evidence and reopens its
    self-assessment for that purpose. `expected` is the `review_version` the reviewer's
    page showed: when the agency or another reviewer changed the criterion since,
    `Conflict` is raised and nothing is written.
    """
    rows = _review_rows(cycle=cycle, agency=agency, code=code)
    own = rows.get(Stage.SELF)
    criterion = _reviewable_criterion(
        cycle=cycle, rows=rows, code=code, action=action, comment=comment, expected=expected
    )
    was_open = own is None or own.review in {Review.PENDING, Review.RETURNED}
    if action == Review.RETURNED:
        return _review_return(
            cycle=cycle,
            agency=agency,
            criterion=criterion,
            own=own,
            verified=rows.get(Stage.VERIFIED),
            comment=comment,
            user=user,
            path=path,
        )
    verified = _review_write(
        cycle=cycle,
        agency=agency,
        criterion=criterion,
        rows=rows,
        action=action,
        comment=comment,
        inputs=inputs,
        user=user,
        path=path,
    )
    _review_settled(cycle=cycle, agency=agency, was_open=was_open)
    return verified


def _review_rows(*, cycle, agency, code: str) -> dict[str, Score]:
    """The agency's scores of one criterion by stage, under the agency's lock; refused when
    the cycle is past review."""
    cycle.refresh_from_db(fields=["state"])  # the state may have moved on since the page
    if cycle.state in {CycleState.APPROVED, CycleState.PUBLISHED, CycleState.ARCHIVED}:
        raise Locked(lock_reason(cycle=cycle, submission=None))
    # The agency's lock, as every writer of its scores takes it (the form, the API): the
    # version check and the write see the same rows. Not FOR UPDATE on the scores: joined
    # to the criterion, that would lock criterion rows every score insert must share-lock.
    Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).exists()
    return {
        score.stage: score
        for score in Score.objects.filter(cycle=cycle, agency=agency, criterion__code=code)
    }


def _reviewable_criterion(*, cycle, rows, code: str, action: str, comment: str, expected):
    """The criterion a review names, once the review is allowed: the page is current, the
    action known and allowed from the criterion's review state, and commented if it must be."""
    own = rows.get(Stage.SELF)
    if expected is not None and expected != review_version(own, rows.get(Stage.VERIFIED)):
        raise Conflict(
            [
                _(
                    "Tiêu chí %(c)s đã thay đổi (đơn vị sửa số liệu hoặc thành viên khác đã thẩm "
                    "định) kể từ khi trang được mở; hãy tải lại trang."
                )
                % {"c": code}
            ]
        )
    if action not in states.REVIEW_ACTIONS:
        raise InvalidInput(
            [
                _("Kết quả thẩm định “%(a)s” không hợp lệ; chỉ nhận accepted, adjusted, returned.")
                % {"a": action[:40]}
            ]
        )
    current = own.review if own is not None else Review.PENDING
    move = states.REVIEW_ACTIONS[action]
    if reason := states.refusal("review", move, current, cycle_state=cycle.state):
        raise Locked(reason)
    if action in {Review.ADJUSTED, Review.RETURNED} and not comment.strip():
        raise InvalidInput([_("Hãy ghi nhận xét khi điều chỉnh hoặc trả lại.")])
    criterion = cycle.criteria_set.criteria.filter(code=code).first()
    if criterion is None:
        raise InvalidInput([_("Tiêu chí không có trong bộ tiêu chí: %(c)s") % {"c": code}])
    return criterion


def _review_write(*, cycle, agency, criterion, rows, action, comment, inputs, user, path) -> Score:
    """Accept or adjust: mark the agency's row and store the verified inputs and points."""
    code, own = criterion.code, rows.get(Stage.SELF)
    if own is not None:
        own.review, own.comment = action, comment
        own._history_user = user
        own._change_reason = path
        own.save(update_fields=["review", "comment", "updated_at"])
    # Blank and imported values are reviewable: what is accepted is what stands.
    base = own or rows.get(Stage.FINAL)
    raw = (
        inputs
        if action == Review.ADJUSTED and inputs is not None
        else RawInput(value=base.value, denominator=base.denominator, choice=base.choice)
        if base is not None
        else RawInput()
    )
    points = _stage_points(cycle=cycle, agency=agency, stage=Stage.VERIFIED, inputs={code: raw})
    verified, _created = Score.objects.update_or_create(
        cycle=cycle,
        agency=agency,
        criterion=criterion,
        stage=Stage.VERIFIED,
        defaults={
            "value": raw.value,
            "denominator": raw.denominator,
            "choice": raw.choice,
            "points": points[code],
            "max_points": criterion.max_points,
            "comment": comment,
            "review": action,
            "updated_by": user,
        },
    )
    audit.reason(verified, path)
    return verified


def _review_settled(*, cycle, agency, was_open: bool) -> None:
    """After a review: the agency's last open return settled puts it back to submitted; the
    cycle's last unreviewed criterion tells the council the cycle is ready."""
    still_returned = Score.objects.filter(
        cycle=cycle, agency=agency, stage=Stage.SELF, review=Review.RETURNED
    )
    if not still_returned.exists():  # the last open return settled: back to submitted
        Submission.objects.filter(
            cycle=cycle, agency=agency, state=SubmissionState.RETURNED
        ).update(state=SubmissionState.SUBMITTED)
    if was_open and cycle.state == CycleState.REVIEW and not returns.unreviewed(cycle=cycle):
        transaction.on_commit(lambda: turn_notices.cycle_ready(cycle))


def _review_return(*, cycle, agency, criterion, own, verified, comment, user, path) -> Score:
    """Return one criterion to a submitted agency: only it reopens; its verified value goes."""
    submission = Submission.objects.select_for_update().filter(cycle=cycle, agency=agency).first()
    state = submission.state if submission else SubmissionState.DRAFT
    reason = states.refusal("submission", "return", state, cycle_state=cycle.state)
    if reason or submission is None:  # no submission is a draft: always refused
        raise Locked(
            _("Chỉ trả lại được bản tự đánh giá đã nộp (%(a)s: %(r)s)") % {"a": agency, "r": reason}
        )
    if own is None:  # a blank criterion: the agency is asked to fill it in
        own = Score(
            cycle=cycle,
            agency=agency,
            criterion=criterion,
            stage=Stage.SELF,
            points=0,
            max_points=criterion.max_points,
        )
    own.review, own.comment, own.answer = Review.RETURNED, comment, ""
    own.updated_by = user
    own._history_user = user
    own._change_reason = path
    own.save()
    if verified is not None:
        verified._history_user = user
        verified._change_reason = f"{path}: returned"
        verified.delete()
    submission.state = states.target("submission", "return")
    submission._history_user = user
    submission._change_reason = f"{path}: returned {criterion.code}"[:100]
    submission.save(update_fields=["state"])
    code = criterion.code
    transaction.on_commit(
        lambda: notifications.returned_for_evidence(
            cycle, agency=agency, code=code, comment=comment
        )
    )
    return own


def _stage_points(*, cycle, agency, stage, inputs) -> dict[str, Decimal]:
    criteria = {c.code: c for c in cycle.criteria_set.criteria.all()}
    peers = [
        record
        for record in score_records(cycle=cycle, stage=stage)
        if not (record["agency"] == agency.pk and record["criterion"] in inputs)
    ]
    return _points_from(cycle=cycle, agency=agency, peers=peers, inputs=inputs, criteria=criteria)


@transaction.atomic
def cycle_finalize(*, cycle) -> int:
    """The final values by the one rule (`final.final_records`) stored at the final stage,
    then the draft recomputed. `cycle_publish` does this itself on the first revision."""
    from rankings.cycles.final import final_records

    count = services.scores_finalize(ids=[r["id"] for r in final_records(cycle=cycle)])
    services.cycle_recompute(cycle=cycle)
    return count
