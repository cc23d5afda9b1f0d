"""The one state machine of a cycle: its own states, each agency's submission and each
criterion's review, with every allowed transition in one table (`TABLE`).

Services ask `refusal(...)` before they write and raise with its message; pages and the
API offer only what `allowed(...)` lists. A refusal always says why, in Vietnamese.

    machine     action          from                                    to
    cycle       open            draft                                   open
    cycle       review          open, approved                          review
    cycle       reopen          review                                  open
    cycle       approve         review (nothing left unreviewed)        approved
    cycle       publish         approved, published (a correction)      published
    cycle       archive         draft, open, review, approved           archived
    submission  save            draft, returned (only returned items)   (same)
    submission  submit          draft, returned                         submitted
    submission  return          submitted, returned                     returned
    submission  reopen          submitted                               draft
    review      accept          pending, answered, returned, accepted, adjusted  accepted
    review      adjust          pending, answered, returned, accepted, adjusted  adjusted
    review      return          pending, answered, accepted, adjusted   returned
    review      answer          returned                                answered
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rankings.models import CycleState, Review, SubmissionState


@dataclass(frozen=True)
class Move:
    machine: str
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is
    label: str


def _move(machine, action, sources, target, label) -> Move:
    return Move(machine, action, frozenset(sources), target, label)


C, S, R = CycleState, SubmissionState, Review
ANY_REVIEW = {R.PENDING, R.ANSWERED, R.RETURNED, R.ACCEPTED, R.ADJUSTED}
TABLE: dict[tuple[str, str], Move] = {
    (m.machine, m.action): m
    for m in [
        _move("cycle", "open", {C.DRAFT}, C.OPEN, gettext_lazy("mở tự đánh giá")),
        _move("cycle", "review", {C.OPEN, C.APPROVED}, C.REVIEW, gettext_lazy("chuyển thẩm định")),
        _move("cycle", "reopen", {C.REVIEW}, C.OPEN, gettext_lazy("mở lại tự đánh giá")),
        _move("cycle", "approve", {C.REVIEW}, C.APPROVED, gettext_lazy("phê duyệt")),
        _move("cycle", "publish", {C.APPROVED, C.PUBLISHED}, C.PUBLISHED, gettext_lazy("công bố")),
        _move(
            "cycle",
            "archive",
            {C.DRAFT, C.OPEN, C.REVIEW, C.APPROVED},
            C.ARCHIVED,
            gettext_lazy("lưu trữ"),
        ),
        _move("submission", "save", {S.DRAFT, S.RETURNED}, None, gettext_lazy("lưu")),
        _move("submission", "submit", {S.DRAFT, S.RETURNED}, S.SUBMITTED, gettext_lazy("nộp")),
        _move(
            "submission", "return", {S.SUBMITTED, S.RETURNED}, S.RETURNED, gettext_lazy("trả lại")
        ),
        _move("submission", "reopen", {S.SUBMITTED}, S.DRAFT, gettext_lazy("mở lại")),
        _move("review", "accept", ANY_REVIEW, R.ACCEPTED, gettext_lazy("chấp nhận")),
        _move("review", "adjust", ANY_REVIEW, R.ADJUSTED, gettext_lazy("điều chỉnh")),
        _move(
            "review",
            "return",
            ANY_REVIEW - {R.RETURNED},
            R.RETURNED,
            gettext_lazy("trả lại để bổ sung"),
        ),
        _move("review", "answer", {R.RETURNED}, R.ANSWERED, gettext_lazy("trả lời")),
    ]
}
# Where agencies' submissions and the council's reviews may move at all.
SUBMISSION_CYCLE_STATES = {C.OPEN, C.REVIEW}
REVIEW_CYCLE_STATES = {C.OPEN, C.REVIEW}
# The review states that still need the council (an answer is a new question).
UNREVIEWED = {R.PENDING, R.ANSWERED, R.RETURNED}
# The review action names of the forms and the API, and their table actions.
REVIEW_ACTIONS: dict[str, str] = {R.ACCEPTED: "accept", R.ADJUSTED: "adjust", R.RETURNED: "return"}


def target(machine: str, action: str) -> str:
    """The state `action` moves to; only for an action that moves (not "save")."""
    moved = TABLE[(machine, action)].target
    if moved is None:
        raise ValueError(f"{machine} {action} keeps the state as it is")
    return moved


def refusal(machine: str, action: str, state: str, *, cycle_state: str | None = None) -> str:
    """Why `action` cannot be taken from `state` (and, for submissions and reviews, in a
    cycle at `cycle_state`), or "" when the table allows it."""
    move = TABLE.get((machine, action))
    if move is None:
        return _("Thao tác không hợp lệ: %(a)s.") % {"a": action}
    if cycle_state is not None and machine != "cycle":
        where = SUBMISSION_CYCLE_STATES if machine == "submission" else REVIEW_CYCLE_STATES
        if cycle_state not in where:
            return _("Không thể %(a)s: kỳ đánh giá đang ở trạng thái “%(s)s”.") % {
                "a": move.label,
                "s": C(cycle_state).label,
            }
    if state not in move.sources:
        return _("Không thể %(a)s từ trạng thái “%(s)s”.") % {
            "a": move.label,
            "s": _label(machine, state),
        }
    return ""


def allowed(machine: str, state: str, *, cycle_state: str | None = None) -> list[str]:
    """The actions the table allows from `state`."""
    return [
        action
        for (name, action) in TABLE
        if name == machine and not refusal(machine, action, state, cycle_state=cycle_state)
    ]


def _label(machine: str, state: str) -> str:
    choices = {"cycle": C, "submission": S, "review": R}[machine]
    try:
        return str(choices(state).label)
    except ValueError:
        return state
