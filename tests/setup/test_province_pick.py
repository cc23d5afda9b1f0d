"""Picking the province in the site's pages: who may, what is created, what is refused."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.management import call_command

from agencies.models import Block, Province
from rankings.models import Membership, Role
from rankings.setup.provinces import FIRST_ADMIN, pick_role, province_find, province_options

URL = "/quan-ly/thiet-lap/chon-tinh/"
CAO_BANG_LEGACY = "Cao Bằng — mã 04, trước 01/07/2025"


def test_the_list_has_both_eras_with_vietnamese_labels():
    options = province_options()
    assert sum(o.era == "legacy" for o in options) == 63
    assert sum(o.era == "current" for o in options) == 34
    assert CAO_BANG_LEGACY in [o.label for o in options]
    assert province_find("cao bằng  —  mã 04, TRƯỚC 01/07/2025").era == "legacy"
    assert province_find("Vĩnh Phúc").code == "26"  # only before the reform: not ambiguous
    assert province_find("Phú Thọ — mã 25, từ 01/07/2025").era == "current"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("vanhanh", "vh@example.vn", "x")


def test_the_superuser_picks_a_province_and_invites_its_administrator(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'list="province-options"' in html and f'<option value="{CAO_BANG_LEGACY}">' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {
                "province": CAO_BANG_LEGACY,
                "admin_name": "Nông Văn Quản",
                "admin_email": "qtv@caobang.gov.vn",
            },
        )
    province = Province.objects.get(code="04")
    assert response.status_code == 302 and response["Location"] == "/quan-ly/thiet-lap/cao-bang/"
    assert (province.name, str(province.valid_to)) == ("Cao Bằng", "2025-06-30")
    assert Block.objects.filter(slug="departments").exists()
    admin = User.objects.get(email="qtv@caobang.gov.vn")
    assert [(m.role, m.province_id) for m in admin.memberships.all()] == [(Role.ADMIN, province.pk)]
    assert not superuser.memberships.exists()
    assert len(mail.outbox) == 1 and "Cao Bằng" in mail.outbox[0].subject
    # Picking it again opens the same province: nothing is duplicated.
    again = client.post(URL, {"province": CAO_BANG_LEGACY})
    assert again.status_code == 302 and Province.objects.filter(code="04").count() == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Cao Bằng", "“Cao Bằng” có cả trước và sau ngày 01/07/2025"),
        ("Tỉnh Không Có", "không có tỉnh, thành phố “Tỉnh Không Có”"),
        ("", "Trường này là bắt buộc."),
    ],
)
def test_a_province_that_cannot_be_read_is_refused_and_nothing_is_written(
    client, superuser, typed, message
):
    client.force_login(superuser)
    response = client.post(URL, {"province": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Province.objects.exists() and not mail.outbox


def test_an_administrator_of_another_province_refused_all_or_nothing(client, superuser):
    other = Province.objects.create(code="02", name="Hà Giang")
    taken = User.objects.create(username="a", email="a@hagiang.gov.vn")
    Membership.objects.create(user=taken, role=Role.EDITOR, province=other)
    client.force_login(superuser)
    response = client.post(URL, {"province": CAO_BANG_LEGACY, "admin_email": "a@hagiang.gov.vn"})
    assert response.status_code == 400
    assert "tài khoản “a” thuộc tỉnh khác" in response.content.decode()
    assert not Province.objects.filter(code="04").exists()


def test_the_first_administrator_invited_picks_once(
    client, db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_province_admin", "--email", "qtv@caobang.gov.vn", "--name", "Nông Quản"
        )
    assert "/quan-ly/thiet-lap/chon-tinh/" in mail.outbox[0].body
    assert re.search(r"/tai-khoan/reset/\S+/", capsys.readouterr().out)
    user = User.objects.get(email="qtv@caobang.gov.vn")
    assert pick_role(user) == FIRST_ADMIN and not Province.objects.exists()
    client.force_login(user)
    assert client.get("/quan-ly/").content.decode().count(URL) == 1
    form = client.get(URL)
    assert form.status_code == 200 and "admin_email" not in form.content.decode()
    response = client.post(URL, {"province": CAO_BANG_LEGACY})
    assert response.status_code == 302 and response["Location"] == "/quan-ly/thiet-lap/cao-bang/"
    province = Province.objects.get(code="04")
    assert list(user.memberships.values_list("role", "province")) == [(Role.ADMIN, province.pk)]
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    assert pick_role(user) is None
    assert client.get(URL).status_code == 403  # one pick
    assert client.get("/quan-ly/thiet-lap/cao-bang/").status_code == 200


def test_a_first_administrator_may_not_take_a_province_that_has_one(client, db):
    call_command(
        "create_province_admin", "--province", "04", "--era", "legacy", "--email", "a@x.vn"
    )
    call_command("create_province_admin", "--email", "b@x.vn")
    second = User.objects.get(email="b@x.vn")
    client.force_login(second)
    response = client.post(URL, {"province": CAO_BANG_LEGACY})
    assert response.status_code == 400
    assert "Tỉnh Cao Bằng đã có quản trị cấp tỉnh" in response.content.decode()
    assert not second.memberships.exists() and pick_role(second) == FIRST_ADMIN


def test_an_operator_by_group_becomes_administrator_of_the_picked_province(client, db):
    group = Group.objects.create(name="Vận hành hệ thống")
    group.permissions.add(Permission.objects.get(codename="add_province"))
    operator = User.objects.create(username="vh")
    operator.groups.add(group)
    client.force_login(operator)
    response = client.post(URL, {"province": "Phú Thọ — mã 25, từ 01/07/2025"})
    province = Province.objects.get(code="25")
    assert response.status_code == 302 and province.slug == "phu-tho-2025"
    assert operator.memberships.get().role == Role.ADMIN


def test_nobody_else_may_pick(client, cao_bang):
    admin = User.objects.create(username="qtv")
    Membership.objects.create(user=admin, role=Role.ADMIN, province=cao_bang)
    client.force_login(admin)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"province": CAO_BANG_LEGACY}).status_code == 403
    assert URL not in client.get("/quan-ly/").content.decode()
    client.logout()
    assert client.get(URL).status_code == 302
