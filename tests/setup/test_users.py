"""Staff accounts: invitations with a set-password link, roles, deactivation ends sessions."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from knox.models import AuthToken

from agencies.models import Agency, AgencyKind, Province
from rankings.models import Membership, Role
from rankings.setup.users import role_change, staff_apply, staff_plan, user_deactivate
from tests.setup.files import xlsx

HEADER = ["Họ và tên", "Email", "Vai trò", "Cơ quan, đơn vị"]


@pytest.fixture
def so_y_te(cao_bang, departments):
    return Agency.objects.create(
        province=cao_bang,
        block=departments,
        kind=AgencyKind.DEPARTMENT,
        name="Sở Y tế",
        short_name="Sở Y tế",
    )


def test_the_command_creates_the_province_and_its_administrator(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_province_admin",
            "--province",
            "4",
            "--era",
            "legacy",
            "--email",
            "QTV@caobang.gov.vn",
            "--name",
            "Nông Văn Quản",
        )
    province = Province.objects.get(code="04")
    assert (province.name, province.slug) == ("Cao Bằng", "cao-bang")
    user = User.objects.get(email="qtv@caobang.gov.vn")
    assert not user.has_usable_password()
    assert [(m.role, m.province_id) for m in user.memberships.all()] == [(Role.ADMIN, province.pk)]
    assert len(mail.outbox) == 1 and "Cao Bằng" in mail.outbox[0].subject
    link = re.search(r"http\S+/tai-khoan/reset/\w+/", mail.outbox[0].body).group(0)
    assert link in capsys.readouterr().out  # the same account's link, a fresh token


def test_the_set_password_link_works_once(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_province_admin",
            "--province",
            "04",
            "--era",
            "legacy",
            "--email",
            "qtv@caobang.gov.vn",
        )
    path = re.search(r"/tai-khoan/reset/\S+/", mail.outbox[0].body).group(0)
    form = client.get(path, follow=True)
    assert "Đặt mật khẩu" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Cao-Bang-2026!", "new_password2": "Cao-Bang-2026!"},
        follow=True,
    )
    assert "Đã đặt mật khẩu" in done.content.decode()
    assert User.objects.get(username="qtv").check_password("Cao-Bang-2026!")
    assert client.get(path, follow=True).context["validlink"] is False


def test_a_staff_spreadsheet_with_every_refusal(cao_bang, so_y_te):
    Province.objects.create(code="02", name="Hà Giang")
    other = User.objects.create(username="khac", email="khac@x.vn")
    Membership.objects.create(
        user=other, role=Role.EDITOR, province=Province.objects.get(code="02")
    )
    rows = [
        ["Lý Thị Nhập", "nhap@caobang.gov.vn", "Cán bộ Sở TT&TT (nhập liệu)", ""],
        ["Hoàng Văn Báo", "bao@soyte.vn", "Báo cáo", "Sở Y Tế"],
        ["X", "không-phải-email", "Nhập liệu", ""],
        ["X", "x@y.vn", "Giám đốc", ""],
        ["X", "z@y.vn", "Báo cáo", "Sở Y"],
        ["X", "nhap@caobang.gov.vn", "Nhập liệu", ""],
        ["X", "khac@x.vn", "Nhập liệu", ""],
    ]
    plan = staff_plan(province=cao_bang, data=xlsx([HEADER, *rows]), filename="can-bo.xlsx")
    assert [str(p) for p in plan.problems] == [
        "dòng 4, cột “Email”: “không-phải-email” không phải địa chỉ thư điện tử",
        "dòng 5, cột “Vai trò”: vai trò “Giám đốc” không có; dùng một trong: Quản trị cấp tỉnh; "
        "Cán bộ Sở TT&TT (nhập liệu); Thành viên hội đồng thẩm định; Người phê duyệt, công bố; "
        "Cán bộ báo cáo của đơn vị; Thủ trưởng đơn vị",
        "dòng 6, cột “Cơ quan, đơn vị”: không tìm thấy đơn vị “Sở Y”; gần nhất: Sở Y tế",
        "dòng 7, cột “Email”: “nhap@caobang.gov.vn” lặp lại trong tệp",
        "dòng 8, cột “Email”: tài khoản “khac” thuộc tỉnh khác",
    ]
    with pytest.raises(ValueError):
        staff_apply(province=cao_bang, plan=plan, invited_by=None)
    assert User.objects.count() == 1 and mail.outbox == []

    plan = staff_plan(province=cao_bang, data=xlsx([HEADER, *rows[:2]]), filename="can-bo.xlsx")
    staff_apply(province=cao_bang, plan=plan, invited_by=None)
    members = sorted(
        (m.user.email, m.role, m.agency_id)
        for m in Membership.objects.filter(province=cao_bang).select_related("user")
    )
    assert members == [
        ("bao@soyte.vn", Role.REPORTER, so_y_te.pk),
        ("nhap@caobang.gov.vn", Role.EDITOR, None),
    ]


def test_role_change_and_deactivation_end_sessions_and_tokens(client, cao_bang, so_y_te):
    user = User.objects.create_user("bao", "bao@soyte.vn", "Mat-khau-2026!")
    Membership.objects.create(user=user, role=Role.REPORTER, province=cao_bang, agency=so_y_te)
    AuthToken.objects.create(user=user)
    role_change(user=user, province=cao_bang, role=Role.REVIEWER)
    assert list(user.memberships.values_list("role", "agency")) == [(Role.REVIEWER, None)]
    client.force_login(user)
    assert client.get("/quan-ly/").status_code == 200
    assert user_deactivate(user=user) == 1
    assert not AuthToken.objects.filter(user=user).exists()
    assert client.get("/quan-ly/").status_code == 302  # signed out


def test_a_password_change_ends_sessions_and_revokes_the_token(client, cao_bang):
    user = User.objects.create_user("bien", "bien@x.vn", "Mat-khau-2026!")
    Membership.objects.create(user=user, role=Role.EDITOR, province=cao_bang)
    token, _key = AuthToken.objects.create(user=user)
    client.force_login(user)
    user.set_password("Mat-khau-moi-2026!")
    user.save()
    assert not AuthToken.objects.filter(pk=token.pk).exists()
    assert client.get("/quan-ly/").status_code == 302
