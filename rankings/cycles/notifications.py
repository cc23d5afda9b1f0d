"""Tell people what needs them: in the app and by e-mail (Django's mail settings).

Events: a cycle opened, its deadline is near, a criterion was returned for evidence, a
ranking was published. Recipients come from memberships, so nobody hears about another
agency's drafts.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rankings.formatting import day
from rankings.language.preference import by_language
from rankings.models import AGENCY_ROLES, Membership, Notification, Role

# A notice's (subject, body), written when called: once per language among the recipients,
# under that language, so each person reads it in their own (rankings.language), never in
# the language of whoever caused it.
Message = Callable[[], tuple[str, str]]


def notify(users, *, message: Message, url: str = "") -> int:
    """One in-app notice per user and one e-mail each to those with an address, each in
    the recipient's language.

    The notice is stored as the text the person was sent (the same as the e-mail), not as
    a key rendered at read time: it stays what they were told, data in it (a reviewer's
    comment, names) needs no second rendering, and old notices do not change with the
    catalogue.
    """
    users = list({user.pk: user for user in users}.values())
    notices, mails = [], []
    for language, group in by_language(users).items():
        with translation.override(language):
            subject, body = message()
            subject, body = str(subject), str(body)
        link = f"\n\n{settings.SITE_URL}{url}" if url else ""
        for user in group:
            notices.append(Notification(user=user, subject=subject, body=body, url=url))
            if user.email:
                mails.append((subject, body + link, settings.DEFAULT_FROM_EMAIL, [user.email]))
    Notification.objects.bulk_create(notices)
    if mails:
        send_mass_mail(mails, fail_silently=False)
    return len(users)


def _members(cycle, *, roles, agency=None):
    memberships = Membership.objects.filter(province=cycle.province_id, role__in=roles)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    elif set(roles) & AGENCY_ROLES:
        memberships = memberships.filter(agency__block=cycle.block_id)
    return [m.user for m in memberships.select_related("user")]


def cycle_opened(cycle) -> int:
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD]),
        message=lambda: (
            _("Mở kỳ tự đánh giá %(c)s") % {"c": cycle},
            _("Đơn vị tự đánh giá và gửi minh chứng trước hạn %(d)s.")
            % {"d": day(cycle.submission_deadline)},
        ),
    )


def deadline_near(cycle, *, days_left: int, deadline=None, agency=None, exclude=()) -> int:
    """Remind the agencies whose current deadline is `deadline` (the cycle's, or one
    agency's extension); those with a later extension (`exclude`) are not told."""
    deadline, exclude = deadline or cycle.submission_deadline, set(exclude)
    users = [
        u for u, agency_id in _members_with_agency(cycle, agency=agency) if agency_id not in exclude
    ]
    return notify(
        users,
        message=lambda: (
            ngettext(
                "Còn %(n)s ngày đến hạn nộp tự đánh giá %(c)s",
                "Còn %(n)s ngày đến hạn nộp tự đánh giá %(c)s",
                days_left,
            )
            % {"n": days_left, "c": cycle},
            _("Hạn nộp: %(d)s.") % {"d": day(deadline)},
        ),
    )


def _members_with_agency(cycle, *, agency=None):
    memberships = Membership.objects.filter(
        province=cycle.province_id, role__in=[Role.REPORTER, Role.HEAD]
    )
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    else:
        memberships = memberships.filter(agency__block=cycle.block_id)
    return [(m.user, m.agency_id) for m in memberships.select_related("user")]


def _self_assessment_url(cycle, agency) -> str:
    return reverse(
        "self-assessment", args=[cycle.province.slug, cycle.year, cycle.block.slug, agency.slug]
    )


def deadline_moved(cycle, *, before) -> int:
    """The whole cycle's deadline moved: agencies without a later extension are told."""
    from rankings.models import Submission

    extended = set(
        Submission.objects.filter(
            cycle=cycle, extended_to__gt=cycle.submission_deadline
        ).values_list("agency_id", flat=True)
    )
    users = [u for u, agency_id in _members_with_agency(cycle) if agency_id not in extended]
    new = cycle.submission_deadline
    return notify(
        users,
        message=lambda: (
            _("Hạn nộp tự đánh giá %(c)s nay là %(d)s") % {"c": cycle, "d": day(new)},
            _("Hạn nộp đổi từ %(o)s sang %(d)s.") % {"o": day(before), "d": day(new)},
        ),
    )


def deadline_extended(cycle, *, agency, until, reason: str) -> int:
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD], agency=agency),
        message=lambda: (
            _("Đơn vị được gia hạn nộp tự đánh giá %(c)s đến %(d)s")
            % {"c": cycle, "d": day(until)},
            _("Hạn nộp của đơn vị: %(d)s. Lý do: %(r)s") % {"d": day(until), "r": reason},
        ),
        url=_self_assessment_url(cycle, agency),
    )


def submission_reopened(cycle, *, agency, reason: str, deadline) -> int:
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD], agency=agency),
        message=lambda: (
            _("Bản tự đánh giá %(c)s được mở lại để sửa") % {"c": cycle},
            _("Lý do: %(r)s. Hạn nộp lại: %(d)s.") % {"r": reason, "d": day(deadline)},
        ),
        url=_self_assessment_url(cycle, agency),
    )


def returned_for_evidence(cycle, *, agency, code: str, comment: str) -> int:
    url = reverse(
        "self-assessment", args=[cycle.province.slug, cycle.year, cycle.block.slug, agency.slug]
    )
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD], agency=agency),
        message=lambda: (
            _("Tiêu chí %(c)s cần bổ sung minh chứng") % {"c": code},
            comment,
        ),
        url=url,
    )


def returned_answered(cycle, *, agency, codes: list[str]) -> int:
    """The council is told an agency answered its return and resubmitted."""
    url = reverse("review", args=[cycle.province.slug, cycle.year, cycle.block.slug, agency.slug])
    return notify(
        _members(cycle, roles=[Role.REVIEWER]),
        message=lambda: (
            _("%(a)s đã bổ sung và nộp lại") % {"a": agency},
            _("Tiêu chí đã bổ sung: %(c)s.") % {"c": ", ".join(codes)},
        ),
        url=url,
    )


def published(cycle, *, publication) -> int:
    url = reverse("leaderboard", args=[cycle.province.slug, cycle.year, cycle.block.slug])
    everyone = [
        m.user for m in Membership.objects.filter(province=cycle.province_id).select_related("user")
    ]
    return notify(
        everyone,
        message=lambda: (
            _("Đã công bố kết quả %(c)s") % {"c": cycle},
            (
                _("Quyết định số %(n)s ngày %(d)s.")
                if publication.is_decision
                else _("Nguồn: %(n)s, ngày %(d)s.")
            )
            % {
                "n": publication.source_label,
                "d": day(publication.decision_date),
            },
        ),
        url=url,
    )
