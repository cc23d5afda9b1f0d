"""The council's review desk for one agency: self-assessed, council and final values side by
side per criterion, the evidence and the agency's answer inline, filters, running totals
and the rank the agency would have in the final preview."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from rankings.cycles import assessments, final, states
from rankings.models import Criterion, CycleState, Evidence, Review, Score, Stage, Submission

ACTIONS = {
    Review.ACCEPTED: _("Chấp nhận"),
    Review.ADJUSTED: _("Điều chỉnh"),
    Review.RETURNED: _("Cần bổ sung minh chứng"),
}

FILTERS = {
    "": _("Tất cả"),
    "unreviewed": _("Chưa thẩm định"),
    "returned": _("Đang trả lại"),
    "changed": _("Chính thức khác tự đánh giá"),
}


@dataclass
class DeskRow:
    criterion: Criterion
    own: Score | None
    verified: Score | None
    entered: Score | None  # a final value ICT staff entered (the import or the API)
    version: str
    actions: list[tuple[str, str]]  # (value, label) the council may take now
    note: str = ""  # why returning it is not offered
    published: bool = False  # the cycle has a publication: its final stage is what counts
    form: object = None  # the ReviewForm posted for this row and refused: what was typed

    @property
    def final(self) -> Score | None:
        """The value that counts, by the one rule (`final.final_records`): the verified
        value, else one entered as final; once published, the final stage (a correction
        writes there)."""
        if self.published:
            return self.entered
        return self.verified or self.entered

    @property
    def review(self) -> str:
        return self.own.review if self.own is not None else Review.PENDING

    @property
    def unreviewed(self) -> bool:
        return self.verified is None or self.review in states.UNREVIEWED

    @property
    def changed(self) -> bool:
        mine = self.own.points if self.own is not None else None
        return mine != (self.final.points if self.final is not None else None)

    def shown(self, kind: str) -> bool:
        if kind == "unreviewed":
            return self.unreviewed
        if kind == "returned":
            return self.review in {Review.RETURNED, Review.ANSWERED}
        if kind == "changed":
            return self.changed
        return True


def _total(scores) -> Decimal:
    return sum((s.points for s in scores if s is not None), Decimal("0.000"))


def desk_lock(*, cycle) -> str:
    """Why the council can review nothing in this cycle now, or "": what `score_review`
    refuses whatever the criterion (the cycle approved, published, archived or a draft)."""
    if cycle.state in {CycleState.APPROVED, CycleState.PUBLISHED, CycleState.ARCHIVED}:
        return assessments.lock_reason(cycle=cycle, submission=None)
    return states.refusal("review", "accept", Review.PENDING, cycle_state=cycle.state)


def _actions(review: str, submission_state: str, cycle_state: str) -> tuple[list, str]:
    """The review actions the state table allows for one criterion, and why returning it
    is not among them (already returned; the agency has not submitted)."""
    allowed = [
        (action, str(label))
        for action, label in ACTIONS.items()
        if not states.refusal(
            "review", states.REVIEW_ACTIONS[action], review, cycle_state=cycle_state
        )
    ]
    if review == Review.RETURNED:
        return allowed, str(_("Đã trả lại; đang chờ đơn vị bổ sung và trả lời."))
    if states.refusal("submission", "return", submission_state, cycle_state=cycle_state):
        allowed = [a for a in allowed if a[0] != Review.RETURNED]
        return allowed, str(_("Đơn vị chưa nộp bản tự đánh giá nên chưa trả lại được."))
    return allowed, ""


def desk_context(*, cycle, agency, kind: str = "") -> dict:
    """Everything the desk shows: 5 queries (the submission, whether published, scores,
    their evidence, the criteria) and the final preview's 7 for the rank, whatever the
    number of agencies, criteria or evidence (tests/cycles/test_review_desk_queries.py)."""
    kind = kind if kind in FILTERS else ""
    lock = desk_lock(cycle=cycle)
    submission = Submission.objects.filter(cycle=cycle, agency=agency).first()
    submission_state = submission.state if submission else "draft"
    # No default orderings: Score's joins ten tables to sort by 16 keys, and Evidence's
    # joins the score's again; the rows are keyed here and the evidence kept in its order.
    evidence = Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"))
    by_stage = {
        (s.criterion_id, s.stage): s
        for s in Score.objects.filter(cycle=cycle, agency=agency)
        .order_by()
        .prefetch_related(evidence)
    }
    published = cycle.publications.exists()
    rows = []
    for criterion in cycle.criteria_set.criteria.order_by("order", "code"):
        own = by_stage.get((criterion.pk, Stage.SELF))
        verified = by_stage.get((criterion.pk, Stage.VERIFIED))
        review = own.review if own is not None else Review.PENDING
        actions, note = ([], "") if lock else _actions(review, submission_state, cycle.state)
        rows.append(
            DeskRow(
                criterion=criterion,
                own=own,
                verified=verified,
                entered=by_stage.get((criterion.pk, Stage.FINAL)),
                version=assessments.review_version(own, verified),
                actions=actions,
                note=note,
                published=published,
            )
        )
    preview = final.final_preview(cycle=cycle, with_differences=False)
    standing = next((r for r in preview.rows if r.agency_id == agency.pk), None)
    return {
        "rows": [row for row in rows if row.shown(kind)],
        "filter": kind,
        "filters": FILTERS,
        "counts": {name: sum(row.shown(name) for row in rows) for name in FILTERS},
        "totals": {
            "self": _total(row.own for row in rows),
            "council": _total(row.verified for row in rows),
            "final": _total(row.final for row in rows),
        },
        "standing": standing,
        "ranked_count": len(preview.ranked()),
        "remaining": 0 if lock else sum(row.unreviewed for row in rows if row.own is not None),
        "lock": lock,
    }
