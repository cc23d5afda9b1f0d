"""The staff page: one account by form, role change and deactivation, in pinned queries."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from agencies.models import Agency, AgencyKind
from rankings.models import Membership, Role


@pytest.fixture
def admin_client(client, cao_bang):
    user = User.objects.create(username="qtv", email="qtv@caobang.gov.vn", first_name="Quản")
    Membership.objects.create(user=user, role=Role.ADMIN, province=cao_bang)
    client.force_login(user)
    return client


@pytest.fixture
def so_y_te(cao_bang, departments):
    return Agency.objects.create(
        province=cao_bang,
        block=departments,
        kind=AgencyKind.DEPARTMENT,
        name="Sở Y tế",
        short_name="Sở Y tế",
    )


def test_one_account_by_form_gets_an_invitation(
    admin_client, cao_bang, so_y_te, django_capture_on_commit_callbacks
):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/can-bo/"
    missing = admin_client.post(
        url, {"full_name": "Nông Thị Báo", "email": "bao@soyte.vn", "role": Role.REPORTER}
    )
    assert missing.status_code == 400
    assert "vai trò của đơn vị cần tên cơ quan, đơn vị" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            url,
            {
                "full_name": "Nông Thị Báo",
                "email": "bao@soyte.vn",
                "role": Role.REPORTER,
                "agency": so_y_te.pk,
            },
        )
    assert done.status_code == 302
    user = User.objects.get(email="bao@soyte.vn")
    assert (user.username, user.first_name, user.last_name) == ("bao", "Nông Thị", "Báo")
    assert len(mail.outbox) == 1 and "/tai-khoan/reset/" in mail.outbox[0].body


def test_role_change_and_deactivation_by_the_page(admin_client, cao_bang, so_y_te):
    user = User.objects.create(username="bao", email="bao@soyte.vn")
    Membership.objects.create(user=user, role=Role.REPORTER, province=cao_bang, agency=so_y_te)
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/can-bo/{user.pk}/"
    admin_client.post(url, {"action": "role", "role": Role.HEAD})  # an agency role, no agency
    assert list(user.memberships.values_list("role", flat=True)) == [Role.REPORTER]
    admin_client.post(url, {"action": "role", "role": Role.HEAD, "agency": so_y_te.pk})
    assert list(user.memberships.values_list("role", flat=True)) == [Role.HEAD]
    admin_client.post(url, {"action": "deactivate"})
    user.refresh_from_db()
    assert not user.is_active


def test_the_staff_page_lists_members_in_pinned_queries(
    admin_client, cao_bang, so_y_te, django_assert_num_queries
):
    for number in range(12):
        user = User.objects.create(username=f"u{number}", email=f"u{number}@x.vn")
        Membership.objects.create(user=user, role=Role.REPORTER, province=cao_bang, agency=so_y_te)
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/can-bo/"
    admin_client.get(url)  # warm the session
    with django_assert_num_queries(9):
        page = admin_client.get(url)
    assert page.content.decode().count("Cán bộ báo cáo của đơn vị — Sở Y tế") == 12
