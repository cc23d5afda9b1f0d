"""Tell people what needs them: in the app and by e-mail (Django's mail settings).

Events: a cycle opened, its deadline is near, a criterion was returned for evidence, a
ranking was published. Recipients come from memberships, so nobody hears about another
agency's drafts.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from rankings.models import AGENCY_ROLES, Membership, Notification, Role


def notify(users, *, subject: str, body: str, url: str = "") -> int:
    """One in-app notice per user and one e-mail each to those with an address."""
    users = list({user.pk: user for user in users}.values())
    Notification.objects.bulk_create(
        Notification(user=user, subject=subject, body=body, url=url) for user in users
    )
    link = f"\n\n{settings.SITE_URL}{url}" if url else ""
    messages = [
        (subject, body + link, settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in users
        if user.email
    ]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(users)


def _members(cycle, *, roles, agency=None):
    memberships = Membership.objects.filter(province=cycle.province_id, role__in=roles)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    elif set(roles) & AGENCY_ROLES:
        memberships = memberships.filter(agency__block=cycle.block_id)
    return [m.user for m in memberships.select_related("user")]


def cycle_opened(cycle) -> int:
    deadline = cycle.submission_deadline.strftime("%d/%m/%Y") if cycle.submission_deadline else ""
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD]),
        subject=_("Mở kỳ tự đánh giá %(c)s") % {"c": cycle},
        body=_("Đơn vị tự đánh giá và gửi minh chứng trước hạn %(d)s.") % {"d": deadline or "—"},
    )


def deadline_near(cycle, *, days_left: int) -> int:
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD]),
        subject=_("Còn %(n)s ngày đến hạn nộp tự đánh giá %(c)s") % {"n": days_left, "c": cycle},
        body=_("Hạn nộp: %(d)s.") % {"d": cycle.submission_deadline.strftime("%d/%m/%Y")},
    )


def returned_for_evidence(cycle, *, agency, code: str, comment: str) -> int:
    url = reverse(
        "self-assessment", args=[cycle.province.slug, cycle.year, cycle.block.slug, agency.slug]
    )
    return notify(
        _members(cycle, roles=[Role.REPORTER, Role.HEAD], agency=agency),
        subject=_("Tiêu chí %(c)s cần bổ sung minh chứng") % {"c": code},
        body=comment,
        url=url,
    )


def published(cycle, *, publication) -> int:
    url = reverse("leaderboard", args=[cycle.province.slug, cycle.year, cycle.block.slug])
    everyone = [
        m.user for m in Membership.objects.filter(province=cycle.province_id).select_related("user")
    ]
    return notify(
        everyone,
        subject=_("Đã công bố kết quả %(c)s") % {"c": cycle},
        body=_("Quyết định số %(n)s ngày %(d)s.")
        % {
            "n": publication.decision_number,
            "d": publication.decision_date.strftime("%d/%m/%Y"),
        },
        url=url,
    )
