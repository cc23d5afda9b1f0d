"""Notices that it is someone's turn: the council when a self-assessment arrives, the
approver when the council has decided everything, and the late agencies when ICT staff
remind them (each with its own deadline).

Sent after the write commits (`transaction.on_commit` at the caller), through
`notifications.notify`: one in-app notice and one e-mail per person.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from rankings import formatting
from rankings.cycles.notifications import _members, notify
from rankings.models import Role


def _args(cycle) -> list:
    return [cycle.province.slug, cycle.year, cycle.block.slug]


def _dmy(day) -> str:
    """A date in the active language (the recipient's, for a notice): formatting.day."""
    return formatting.day(day)


def submission_arrived(cycle, *, agency) -> int:
    """The council's turn: an agency submitted its self-assessment (a resubmission after a
    return is told by `notifications.returned_answered`)."""
    url = reverse("review", args=[*_args(cycle), agency.slug])
    return notify(
        _members(cycle, roles=[Role.REVIEWER]),
        message=lambda: (
            _("%(a)s đã nộp bản tự đánh giá") % {"a": agency.name},
            _("Bản tự đánh giá %(y)s đã sẵn sàng để hội đồng thẩm định.") % {"y": cycle},
        ),
        url=url,
    )


def cycle_ready(cycle) -> int:
    """The approver's turn: every criterion of every submitted agency has been decided."""
    return notify(
        _members(cycle, roles=[Role.APPROVER]),
        message=lambda: (
            _("Kỳ %(c)s đã thẩm định xong, chờ phê duyệt") % {"c": cycle},
            _("Hội đồng đã thẩm định mọi tiêu chí của các đơn vị đã nộp. Mời xem và phê duyệt."),
        ),
        url=reverse("cycle-desk", args=_args(cycle)),
    )


def late_reminder(cycle, *, late) -> int:
    """ICT staff remind the agencies past their deadline (`late`: `AgencyState` rows)."""
    sent = 0
    for row in late:
        url = reverse("self-assessment", args=[*_args(cycle), row.agency.slug])

        def message(deadline=row.deadline) -> tuple[str, str]:
            return (  # under each recipient's language: the date too
                _("Quá hạn nộp tự đánh giá %(c)s") % {"c": cycle},
                _("Hạn nộp của đơn vị là %(d)s; đơn vị chưa nộp. Hãy hoàn thành và nộp ngay.")
                % {"d": _dmy(deadline)},
            )

        sent += notify(
            _members(cycle, roles=[Role.REPORTER, Role.HEAD], agency=row.agency),
            message=message,
            url=url,
        )
    return sent
