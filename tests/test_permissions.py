"""Drafts are for provincial staff only; agencies and the public never see them."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from rankings.cycles import services
from rankings.models import Membership, Role

pytestmark = pytest.mark.django_db

DRAFT = "/quan-ly/mau/2021/districts/ban-nhap/"


def user_with(world, role, agency=None, province=None):
    user = get_user_model().objects.create_user(f"{role}-{agency.slug if agency else 'p'}", "", "x")
    Membership.objects.create(
        user=user, role=role, province=province or world.province, agency=agency
    )
    return user


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(DRAFT)
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER])
def test_provincial_staff_preview_the_draft_clearly_marked(client, world, role):
    services.cycle_recompute(cycle=world.cycle_2021)
    client.force_login(user_with(world, role))
    response = client.get(DRAFT)
    html = response.content.decode()
    assert response.status_code == 200
    assert "BẢN NHÁP — CHƯA CÔNG BỐ" in html and "200/QĐ-UBND" not in html
    assert ".csv" not in html  # drafts have no public download


@pytest.mark.parametrize("role", [Role.REPORTER, Role.HEAD])
def test_agency_roles_never_see_the_block_draft(client, world, role):
    client.force_login(user_with(world, role, agency=world.an))
    assert client.get(DRAFT).status_code == 403


def test_staff_of_another_province_are_refused(client, world):
    from agencies.models import Province

    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    client.force_login(user_with(world, Role.EDITOR, province=other))
    # As if the cycle did not exist: no 403 confirms another province's drafts.
    assert client.get(DRAFT).status_code == 404


def test_agency_roles_need_an_agency_and_provincial_roles_must_not_have_one(world):
    user = get_user_model().objects.create_user("u", "", "x")
    for role, agency in ((Role.REPORTER, None), (Role.EDITOR, world.an)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, role=role, province=world.province, agency=agency)


def test_login_page_is_in_vietnamese_with_labels(client, db):
    html = client.get("/tai-khoan/login/").content.decode()
    assert '<label for="id_username">Tên đăng nhập</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html
